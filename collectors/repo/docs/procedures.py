"""Operational procedure pages: runbooks without "runbook" in the path, i.e. a docs page named for an operation
(disaster recovery, restore, failover, rollback, rebuild, maintenance mode, <component>-upgrade, key rotation,
break-glass) that gives its steps."""

from __future__ import annotations

import re

from wafops.collectors.repo.docs import markup

PROCEDURE_DIR_RX = re.compile(r"(?i)^(docs?|documentation|guides?|manual|handbook|wiki|ops|operations|sre|platform)$")
PROCEDURE_RX = re.compile(
    r"(?i)(^|[-_ ])(disaster[-_ ]?recovery|dr[-_ ]?(plan|procedure|test(ing)?)|recover(y|ing)?|restor(e|ing)|fail[-_ ]?over|"
    r"rebuild(ing)?|roll[-_ ]?back|incident[-_ ]?(response|playbook|procedure)|break[-_ ]?glass|emergency[-_ ]?access|"
    r"maintenance[-_ ]?(mode|page|window)|outage)([-_ ]|$)"
)
# upgrades, migrations and rotations count only for a named component (`aks-upgrade`, `postgres-upgrade`,
# `node-pool-migration`), not a product's generic `upgrading.md` guide for its users
ROUTINE_RX = re.compile(r"(?i)^(?=.*[a-z0-9][-_ ])(.*[-_ ])?(upgrad(e|ing)|migrat(e|ion|ing)|rotat(e|ion|ing))([-_ ].*)?$")
OPS_CLI_RX = re.compile(
    r"(?m)(?:^[ \t]*(?:\$[ \t]*)?|`)(?:kubectl|az|aws|gcloud|terraform|terragrunt|helm|psql|pg_dump|pg_restore|mysql|"
    r"redis-cli|systemctl|journalctl|vault|etcdctl|eksctl|oc|ansible-playbook|knife|konduit\.sh|make|gh)[ \t]+[a-z$-]"
)


def procedure_candidate(path: str) -> bool:
    parts = path.split("/")
    if len(parts) > 1 and not any(PROCEDURE_DIR_RX.match(d) for d in parts[:-1]):
        return False
    stem = markup.stem(path)
    return bool(PROCEDURE_RX.search(stem) or ROUTINE_RX.match(stem))


def reads_like_procedure(text: str, sections: list[str]) -> bool:
    """Operating steps: at least 3 operations commands, or numbered steps under a remediation/rollback/verification heading."""
    if len(OPS_CLI_RX.findall(text)) >= 3:
        return True
    steps = len(re.findall(r"(?m)^[ \t]*\d+\.[ \t]+\S", text))
    return steps >= 3 and bool(set(sections) & {"remediation", "rollback", "verification", "diagnosis"})
