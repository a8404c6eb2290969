"""Docs collector: runbooks, postmortems, incident templates, debt registers, ADRs, policies, automation."""

from __future__ import annotations

from pathlib import Path

import pytest
from wafops.collectors.repo.docs import DocsCollector
from wafops.scanner.core.gitinfo import clear_cache

from tests.helpers import collect_with, write_tree
from tests.test_git_history import Repo

RUNBOOK = """---
service: payments
last_reviewed: 2026-10-01
---
# High latency on payments-api

## Symptoms
p99 latency above 2 s.

## Diagnosis
```bash
kubectl -n payments top pods
```

## Remediation
1. Scale out.

## Escalation
Page @payments-oncall.
"""

POSTMORTEM = """---
date: 2026-10-03
category: database
---
# Postmortem: checkout outage

This review is blameless.

## Impact
30 minutes of failed checkouts.

## Timeline
- 10:00 alert fired

## Root cause
Connection pool exhausted.

## Action items
| Item | Owner | Issue |
|---|---|---|
| Raise pool size | @alice | #123 |
| Add alert | @bob | OPS-77 |

## Lessons learned
Watch pools.
"""


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def _by(ev, kind):
    return {e.locator.path: e for e in ev if e.kind == kind}


def test_runbooks_are_selected_strictly(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docs/runbooks/payments/high-latency.md": RUNBOOK,
        "docs/runbooks/README.md": "# Runbooks\n- [latency](payments/high-latency.md)\n",
        "docs/runbooks/runbook-template.md": "# Title\n## Symptoms\n## Diagnosis\n## Remediation\n## Escalation\n",
        "docs/operations/upgrading.md": "# Upgrading\nRead the release notes.\n",
        "docs/operations/disk-full.md": "# Disk full\n## Symptoms\nDisk alerts.\n## Resolution\nRotate logs.\n",
        "docs/guide.md": "# Guide\n## Troubleshooting\n## Fix\n",
        "OPERATIONS.md": "# Ops\n## Invoice run missing\n1. Check `cron.log`\n2. Run `./bin/rerun.sh`\n",
        "examples/runbooks/sample.md": RUNBOOK,
        "playbooks/site.yml": "- hosts: all\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    rb = _by(ev, "doc.runbook")
    assert set(rb) == {"docs/runbooks/payments/high-latency.md", "docs/runbooks/README.md",
                       "docs/runbooks/runbook-template.md", "docs/operations/disk-full.md", "OPERATIONS.md"}
    a = rb["docs/runbooks/payments/high-latency.md"].attributes
    assert a["service"] == "payments" and a["code_blocks"] == 1 and not a["template"] and not a["index"]
    assert a["sections"] == ["symptoms", "diagnosis", "remediation", "escalation"]
    assert a["last_reviewed"] == "2026-10-01" and a["dates_from"] == "front-matter" and a["last_changed"] is None
    assert rb["docs/runbooks/README.md"].get("index") and rb["docs/runbooks/runbook-template.md"].get("template")
    assert rb["docs/operations/disk-full.md"].strength.value == "strong"
    assert rb["OPERATIONS.md"].get("dates_from") == "none"


def test_runbook_dates_come_from_git(tmp_path: Path) -> None:
    r = Repo(tmp_path / "svc")
    r.commit({"runbooks/db.md": "# DB\n## Diagnosis\n"}, "old runbook", 200)
    r.commit({"runbooks/api.md": "# API\n## Diagnosis\n"}, "api runbook", 30)
    r.commit({"runbooks/api.md": "# API\n## Diagnosis\n## Remediation\n"}, "api runbook update", 10)
    ev, _ = collect_with(DocsCollector(), r.root)
    rb = _by(ev, "doc.runbook")
    assert rb["runbooks/api.md"].get("last_changed") == "2026-11-12"
    assert rb["runbooks/api.md"].get("change_dates") == ["2026-11-12", "2026-10-23"]
    assert rb["runbooks/db.md"].get("last_changed") == "2026-05-06"
    assert {e.get("dates_from") for e in rb.values()} == {"git"}


def test_postmortems(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "docs/postmortems/2026-10-03-checkout.md": POSTMORTEM,
        "docs/postmortems/postmortem-template.md": "# Template\n## Impact\n## Timeline\n## Root cause\n## Action items\n",
        "docs/postmortems/README.md": "# Postmortems\n- [checkout](2026-10-03-checkout.md)\n",
        "retros/sprint-12.md": "# Sprint 12 retro\n## What went well\n## Actions\n",
        "incidents/2026-08-01-dns.md": "# DNS-Ausfall\n## Auswirkung\n## Zeitlinie\n## Ursache\n## Maßnahmen\n- JIRA-12\n",
        "src/incidents/README.md": "# Incidents module\nCode for incidents.\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    pm = _by(ev, "doc.postmortem")
    assert set(pm) == {"docs/postmortems/2026-10-03-checkout.md", "docs/postmortems/postmortem-template.md",
                       "docs/postmortems/README.md", "incidents/2026-08-01-dns.md"}
    a = pm["docs/postmortems/2026-10-03-checkout.md"].attributes
    assert a["sections"] == ["impact", "timeline", "root_cause", "action_items", "lessons"]
    assert a["date"] == "2026-10-03" and a["date_from"] == "front-matter" and a["category"] == "database"
    assert a["blameless"] and a["action_item_links"] == 2 and a["action_items_owned"]
    de = pm["incidents/2026-08-01-dns.md"].attributes
    assert de["date"] == "2026-08-01" and de["date_from"] == "filename"
    assert {"impact", "timeline", "root_cause", "action_items"} <= set(de["sections"]) and de["action_item_links"] == 1
    assert pm["docs/postmortems/postmortem-template.md"].get("template")
    assert pm["docs/postmortems/README.md"].get("index")


def test_postmortem_date_from_git(tmp_path: Path) -> None:
    r = Repo(tmp_path / "svc")
    r.commit({"postmortems/db.md": "# DB outage\n## Impact\n## Root cause\n"}, "pm", 40)
    ev, _ = collect_with(DocsCollector(), r.root)
    (pm,) = [e for e in ev if e.kind == "doc.postmortem"]
    assert pm.get("date") == "2026-10-13" and pm.get("date_from") == "git"


def test_incident_templates(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".github/ISSUE_TEMPLATE/incident.yml": """name: Incident
body:
  - type: textarea
    id: impact
    attributes: {label: Customer impact}
  - type: textarea
    attributes: {label: Timeline}
  - type: textarea
    attributes: {label: Root cause}
  - type: textarea
    attributes: {label: Action items}
""",
        ".github/ISSUE_TEMPLATE/bug.yml": "name: Bug\n",
        ".gitlab/issue_templates/Postmortem.md": "## Impact\n## Timeline\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    t = _by(ev, "doc.incident_template")
    assert set(t) == {".github/ISSUE_TEMPLATE/incident.yml", ".gitlab/issue_templates/Postmortem.md"}
    assert t[".github/ISSUE_TEMPLATE/incident.yml"].get("kind") == "issue-form"
    assert set(t[".github/ISSUE_TEMPLATE/incident.yml"].get("sections")) == {"impact", "timeline", "root_cause", "action_items"}
    assert t[".gitlab/issue_templates/Postmortem.md"].get("kind") == "issue-template"


REGISTER = """# Operational debt register
# Last review: 2026-10-15
entries:
  - id: OPS-DEBT-001
    title: Manual cert rotation
    category: toil
    severity: high
    toil_hours_per_week: 3
    owner: team-platform
    created_date: 2026-01-10
    target_resolution_date: 2026-12-31
    status: open
    source: postmortem docs/postmortems/2026-10-03-checkout.md
  - id: OPS-DEBT-002
    title: Flaky deploy script
    category: automation
    severity: medium
    toil_hours_per_week: unknown
    owner: team-app
    created_date: 2026-02-01
    status: open
  - id: OPS-DEBT-003
    title: Old runbooks
    category: docs
    severity: low
    toil_hours_per_week: 0
    owner: team-app
    created_date: 2025-11-01
    target_resolution_date: 2026-03-01
    status: resolved
"""


def test_debt_register_yaml_csv_md(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "ops-debt-register.yml": REGISTER,
        "docs/toil-register.csv": "# last_review: 2026-09-01\nid,title,category,severity,toil_hours_per_week,owner,"
                                  "created_date,target_resolution_date,status\nT-1,Backups,toil,high,2,ops,2026-01-01,"
                                  "2026-06-01,open\n",
        "TOIL.md": "# Toil\n| ID | Title | Toil hours | Status |\n|---|---|---|---|\n| 1 | Restarts | 4 | open |\n",
    })
    ev, ctx = collect_with(DocsCollector(), tmp_path)
    regs = _by(ev, "doc.debt_register")
    y = regs["ops-debt-register.yml"].attributes
    assert (y["entries"], y["complete"], y["open"], y["resolved"]) == (3, 2, 2, 1)
    assert y["missing_fields"] == ["target_resolution_date"]
    assert y["toil_numeric"] is False and y["last_review"] == "2026-10-15" and y["postmortem_links"] == 1
    assert y["format"] == "yaml" and y["parsed"]
    c = regs["docs/toil-register.csv"].attributes
    assert (c["entries"], c["complete"], c["toil_numeric"]) == (1, 1, True)
    m = regs["TOIL.md"].attributes
    assert (m["entries"], m["complete"], m["open"], m["toil_numeric"]) == (1, 0, 1, True)
    assert not ctx.warnings


def test_malformed_register_warns(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ops-debt-register.yaml": "entries: [\n  - id: 1\n", "operational-debt.yml": "owner: me\n"})
    ev, ctx = collect_with(DocsCollector(), tmp_path)
    regs = _by(ev, "doc.debt_register")
    assert regs["ops-debt-register.yaml"].get("entries") == 0 and not regs["ops-debt-register.yaml"].get("parsed")
    assert any(w.path == "ops-debt-register.yaml" and "MALFORMED" in w.message.upper() for w in ctx.tree.warnings)
    assert any(w.path == "operational-debt.yml" and "debt register" in w.message for w in ctx.warnings)


def test_register_history_from_git(tmp_path: Path) -> None:
    r = Repo(tmp_path / "svc")

    def reg(entries: list[tuple[str, float, str]]) -> str:
        return "entries:\n" + "".join(
            f"  - id: D{i}\n    toil_hours_per_week: {h}\n    status: {s}\n" for i, h, s in entries
        )

    r.commit({"ops-debt-register.yml": reg([("1", 10, "open"), ("2", 8, "open")])}, "q-3", 250)
    r.commit({"ops-debt-register.yml": reg([("1", 10, "open"), ("2", 8, "resolved"), ("3", 2, "open")])}, "q-2", 160)
    r.commit({"ops-debt-register.yml": reg([("1", 10, "resolved"), ("2", 8, "resolved"), ("3", 2, "open")])}, "q-1", 70)
    r.commit({"ops-debt-register.yml": reg([("1", 10, "resolved"), ("2", 8, "resolved"), ("3", 1, "resolved"),
                                            ("4", 1, "open")])}, "now", 5)
    ev, _ = collect_with(DocsCollector(), r.root)
    (e,) = [x for x in ev if x.kind == "doc.debt_register"]
    # snapshots at quarter ends (now-182, now-91, now): the versions of 250, 160 and 5 days ago
    assert [p["toil_open"] for p in e.get("history")] == [18.0, 12.0, 1.0]
    assert e.get("quarters")[-2:] == [{"end": "2026-08-23", "created": 1, "resolved": 1},
                                      {"end": "2026-11-22", "created": 1, "resolved": 2}]
    assert e.get("last_changed") == "2026-11-17"


def test_adr_debt_docs_policies_automation(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "ops-debt-register.yml": REGISTER,
        "docs/adr/0001-use-postgres.md": "# Use Postgres\n",
        "docs/adr/0002-retire-cron.md": "# Retire cron\nPays down OPS-DEBT-001.\n",
        "docs/adr/template.md": "# Title\n",
        "TECH_DEBT.md": "# Tech debt\n- old ORM\n",
        "docs/oncall.md": "# On-call\n",
        "docs/incident-response.md": "# Incident response\n",
        "docs/dora-metrics-review.md": "# DORA review\n",
        "ssm/restart-service.yaml": "schemaVersion: '0.3'\nmainSteps:\n  - name: restart\n    action: aws:runCommand\n",
        "infra/ssm.tf": 'resource "aws_ssm_document" "restart" {\n  name = "restart"\n  document_type = "Automation"\n'
                        '  content = "{}"\n}\n',
        "runbooks/api.md": "# API down\n## Remediation\nRun the `restart-api.yml` workflow.\n",
        ".github/workflows/restart-api.yml": "on:\n  workflow_dispatch: {}\njobs: {}\n",
        ".github/workflows/ci.yml": "on:\n  workflow_dispatch: {}\n  push: {}\njobs: {}\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    (adr,) = [e for e in ev if e.kind == "doc.adr"]
    assert adr.locator.path == "docs/adr" and adr.get("count") == 2 and adr.get("mentions_debt") == 1
    assert [e.locator.path for e in ev if e.kind == "doc.debt_doc"] == ["TECH_DEBT.md"]
    topics = {e.get("topic") for e in ev if e.kind == "doc.policy"}
    assert topics == {"oncall", "incident-process", "dora-review"}
    auto = {(e.locator.path, e.get("tool")) for e in ev if e.kind == "doc.automation"}
    assert auto == {("ssm/restart-service.yaml", "ssm-automation"), ("infra/ssm.tf", "ssm-automation"),
                    (".github/workflows/restart-api.yml", "workflow-dispatch")}


def test_shallow_clone_gives_no_git_dates(tmp_path: Path) -> None:
    import os
    import subprocess

    r = Repo(tmp_path / "svc")
    r.commit({"runbooks/db.md": "# DB\n## Diagnosis\n"}, "old runbook", 200)
    r.commit({"x.txt": "1"}, "later", 1)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{r.root}", str(clone)], check=True, capture_output=True,
                   env={**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "GIT_CONFIG_GLOBAL": os.devnull})
    ev, _ = collect_with(DocsCollector(), clone)
    (rb,) = [e for e in ev if e.kind == "doc.runbook"]
    assert rb.get("dates_from") == "none" and rb.get("last_changed") is None


def test_real_world_shapes(tmp_path: Path) -> None:
    """prometheus-operator/runbooks style (inline commands), setext headings, reviews filed beside runbooks."""
    write_tree(tmp_path, {
        "content/runbooks/kubernetes/KubePodCrashLooping.md": "---\ntitle: Kube Pod Crash Looping\nweight: 20\n---\n"
            "# KubePodCrashLooping\n## Meaning\nPod restarts.\n## Impact\nDegraded.\n## Diagnosis\n"
            "- Check via `kubectl -n $NS get pod $POD`.\n- Events via `kubectl -n $NS describe pod $POD`.\n## Mitigation\nFix.\n",
        "content/runbooks/kubernetes/_index.md": "---\ntitle: Kubernetes\n---\n",
        "docs/runbooks/postmortems/2026-10-01-db.md": "DB outage\n=========\n\nImpact\n------\nx\n\nTimeline\n--------\n"
            "x\n\nRoot Cause\n----------\nx\n\nCorrective Actions\n------------------\n- x\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    rb = _by(ev, "doc.runbook")
    assert set(rb) == {"content/runbooks/kubernetes/KubePodCrashLooping.md", "content/runbooks/kubernetes/_index.md"}
    a = rb["content/runbooks/kubernetes/KubePodCrashLooping.md"].attributes
    assert a["sections"] == ["symptoms", "diagnosis", "remediation"] and a["inline_commands"] == 2
    assert a["code_blocks"] == 0 and a["service"] == "kubernetes"
    assert rb["content/runbooks/kubernetes/_index.md"].get("index")
    (pm,) = _by(ev, "doc.postmortem").values()
    assert pm.get("sections") == ["impact", "timeline", "root_cause", "action_items"]


def test_ansible_playbooks_and_stray_debt_files_are_not_ops_docs(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "playbooks/README.md": "# Playbooks\nRun with ansible-playbook.\n",
        "playbooks/roles/web/README.md": "# Web role\n## Troubleshooting\n## Fix\n",
        "playbooks/db-failover.md": "# DB failover\n## Symptoms\nx\n## Remediation\nx\n",
        "src/finance/debt.md": "# Debt\nCustomer debt calculation.\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    assert set(_by(ev, "doc.runbook")) == {"playbooks/db-failover.md"}
    assert not _by(ev, "doc.debt_doc")


def test_alert_linked_service_readmes_and_alert_playbooks_are_runbooks(tmp_path: Path) -> None:
    """GitLab runbooks shape: alerts name `docs/<service>/README.md` as their runbook; per-alert playbooks sit in
    `docs/<service>/alerts/`; a product doc about an alerting feature is not a runbook."""
    write_tree(tmp_path, {
        "mimir-rules/gprd/api/alerts.yml": "groups:\n- name: g\n  rules:\n  - alert: ApiErrors\n    expr: x > 1\n"
            "    annotations:\n      runbook: docs/api/README.md\n  - alert: Web\n    expr: y\n"
            "    annotations:\n      runbook_url: https://gitlab.com/acme/runbooks/-/blob/master/docs/web/\n"
            "  - alert: T\n    expr: z\n    annotations:\n      runbook: docs/{{ $labels.type }}/README.md\n",
        "docs/api/README.md": "# API Service\n\n## Logging\n\n* [Rails](https://logs/x)\n\n## Troubleshooting Pointers\n\n"
            "* [Helm stuck](../kube/helm.md)\n\n## Architecture\n\nText.\n",
        "docs/web/README.md": "# Web\n\n## Summary\n\nThe web fleet.\n",
        "docs/redis/README.md": "# Redis\n\n## Troubleshooting\n\nx\n",  # not linked, not in a runbook folder
        "docs/alerts/ErrorSLOViolation.md": "# ErrorSLOViolation\n## Overview\n### What does this alert mean?\nx\n"
            "### General Troubleshooting Steps\n- check logs\n# Escalation\nteam\n",
        "docs/product/alerts/creating-alerts.md": "# Creating alerts\n## Alert conditions\nClick New.\n",
        "docs/template-alert-playbook.md": "# AlertName\n## Overview\n### What does this alert mean?\n## Troubleshooting\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    rb = _by(ev, "doc.runbook")
    assert set(rb) == {"docs/api/README.md", "docs/web/README.md", "docs/alerts/ErrorSLOViolation.md",
                       "docs/template-alert-playbook.md"}
    assert rb["docs/api/README.md"].get("index") is False and "diagnosis" in rb["docs/api/README.md"].get("sections")
    assert rb["docs/api/README.md"].strength.value == "direct"
    assert rb["docs/alerts/ErrorSLOViolation.md"].get("sections") == ["symptoms", "diagnosis", "remediation", "escalation"]
    assert rb["docs/template-alert-playbook.md"].get("template") is True


def test_dated_incident_reviews_outside_a_postmortem_folder(tmp_path: Path) -> None:
    """A postmortem repository's dated files at the root count when they have the full review shape; a list of
    other companies' postmortems (README) and dated posts without the shape do not."""
    review = ("# Flags outage - September 29\n\n## Summary\nx\n\n## Timeline\n- 16:58 start\n\n## Root Cause Analysis\nx\n\n"
              "## Impact\nx\n\n## Remediation\n### Short-term Improvements ([issue #39133](https://github.com/o/r/issues/39133))\n"
              "- circuit breaker\n\n## Lessons Learned\nx\n")
    write_tree(tmp_path, {
        "2025-09-29-flags-is-down.md": review,
        "2025-11-15-persons-db.md": review.replace("## Impact", "Incident Impact\n---------------"),
        "README.md": "A collection of postmortems.\n\n## Config Errors\n\n[Allegro](https://x/postmortem). Root cause and "
                     "timeline of the incident; impact.\n",
        "blog/2025-01-10-release-notes.md": "# Release 2.0\n## Timeline\nQ1\n## Impact on users\nfaster\n",
        "docs/adr/2024-03-01-use-postgres.md": "# Use Postgres\n## Context\n## Decision\n## Consequences\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    pms = _by(ev, "doc.postmortem")
    assert set(pms) == {"2025-09-29-flags-is-down.md", "2025-11-15-persons-db.md"}
    pm = pms["2025-09-29-flags-is-down.md"]
    assert pm.get("sections") == ["impact", "timeline", "root_cause", "action_items", "lessons"]
    assert pm.get("date") == "2025-09-29" and pm.get("date_from") == "filename" and pm.get("action_item_links") >= 1


def test_per_alert_manual_pages_and_incident_report_guidance(tmp_path: Path) -> None:
    """GOV.UK developer-docs shape: `manual/alerts/<alert>.html.md` pages that say what the alert means and what to
    do are runbooks even with one standard heading; an alerts page about a product feature is not. A page titled
    "Write an incident report" with `Date: YYYY-MM-DD` fields is the report's template, not a write-up."""
    fm = '---\ntitle: {}\nlayout: manual_layout\nsection: Alerts\n---\n\n'
    write_tree(tmp_path, {
        "source/manual/alerts/router-errors.html.md": fm.format("Router errors") + "This alert will fire when the error "
            "ratio is above 1 in 10.\n\n## Description\n\nx\n\n## Impact\n\nUsers see errors.\n\n## Potential resolution steps\n\n- roll back\n",
        "source/manual/alerts/healthcheck.html.md": fm.format("Healthcheck not ok") + "The alert works by requesting the "
            "endpoint.\n\n## Test the healthcheck endpoint manually\n\n```\ncurl localhost:3221/healthcheck\n```\n",
        "source/manual/alerts/disk.html.md": fm.format("Disk") + "Placeholder text only.\n",
        "docs/alerts/email-alerts.md": "# Email alerts\n\nSubscribers get alerts by email.\n\n## Description\n\nx\n\n## Steps\n\n1. sign up\n",
        "source/manual/incident-reports.html.md": fm.format("Write an incident report") + "## Info\n\nDate: YYYY-MM-DD\n\n"
            "## User impact\n\nx\n\n## Timeline\n\nx\n",
        "docs/incident-report-2024-03-02.md": "# Checkout outage\n\n## Impact\n\nx\n\n## Timeline\n\nx\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    assert set(_by(ev, "doc.runbook")) == {"source/manual/alerts/router-errors.html.md", "source/manual/alerts/healthcheck.html.md"}
    pm = _by(ev, "doc.postmortem")
    assert pm["source/manual/incident-reports.html.md"].get("template") is True
    assert pm["docs/incident-report-2024-03-02.md"].get("template") is False


def test_register_entries_naming_a_postmortem_in_free_text(tmp_path: Path) -> None:
    """Registers often cite the postmortem in the title/description rather than a `source` column; a bare
    "incident" word there describes the debt, not its origin."""
    write_tree(tmp_path, {"docs/ops-debt-register.md": (
        "# Operational debt register\n\n| id | title | description | status |\n|---|---|---|---|\n"
        "| OD-1 | Flaky deploy retries | From postmortem 2025-11-02 | open |\n"
        "| OD-2 | Manual failover | see INC-4711 | open |\n"
        "| OD-3 | Incident tooling is manual | paging by phone | open |\n")})
    ev, _ = collect_with(DocsCollector(), tmp_path)
    assert _by(ev, "doc.debt_register")["docs/ops-debt-register.md"].get("postmortem_links") == 2


INCIDENT_LOG = """---
title: Incident Log
---

# Incident Log

## Q3 2024 (July-September)

- **Mean Time to Repair**: 3h 8m

### Incident on 2024-07-25 - Logs stopped arriving

- **Key events**
  - First detected: 2024-07-25 12:10
  - Resolved 2024-07-25 16:19

- **Impact**: the logging cluster did not receive logs

- **Resolution**:
  - Disk space increased

- **Review actions**:
  - [Alert on index write blocks](https://github.com/acme/platform/issues/5928)

### Incident on 2024-04-15 - Prometheus restarts

- **Key events**
  - First detected: 2024-04-15 12:32

- **Impact**: no metrics for two hours

- **Review actions**:
  - Create a test setup that recreates the live WAL size
"""


def test_incident_log_page_yields_one_postmortem_per_dated_entry(tmp_path: Path) -> None:
    """MoJ Cloud Platform shape: a tech-docs site (`.html.md.erb`) whose incident log holds every incident as a
    dated section with bold field labels; dated pages under incidents/ are incident records, not runbooks."""
    root = write_tree(tmp_path, {
        "runbooks/source/incident-log.html.md.erb": INCIDENT_LOG,
        "runbooks/source/incidents/2020-08-14-ingress-crashlooping.html.md.erb":
            "# Incident on 2020-08-14 - Ingress crashlooping\n\n- **Key events**\n  - Resolved 11:38\n\n"
            "- **Impact**:\n  - Increased risk for all ingresses\n",
        "runbooks/source/cert-manager-errors.html.md.erb":
            "---\ntitle: Investigate cert-manager errors\nlast_reviewed_on: 2025-11-14\nreview_in: 6 months\n---\n\n"
            "# <%= current_page.data.title %>\n\n## Troubleshooting\n\n```\nkubectl get events -n x\n```\n\n## Fix\n\nDelete the record.\n",
    })
    ev, _ = collect_with(DocsCollector(), root)
    pms = [e for e in ev if e.kind == "doc.postmortem"]
    log = sorted((e for e in pms if e.locator.path.endswith("incident-log.html.md.erb")), key=lambda e: e.get("date"))
    assert [e.get("date") for e in log] == ["2024-04-15", "2024-07-25"]
    assert set(log[1].get("sections")) >= {"impact", "timeline", "action_items"} and log[1].get("action_item_links") >= 1
    assert log[1].locator.line == 11  # the entry heading
    assert any(e.locator.path.endswith("2020-08-14-ingress-crashlooping.html.md.erb") for e in pms)
    rbs = [e for e in ev if e.kind == "doc.runbook"]
    assert [e.locator.path for e in rbs] == ["runbooks/source/cert-manager-errors.html.md.erb"]
    assert rbs[0].get("last_reviewed") == "2025-11-14" and set(rbs[0].get("sections")) >= {"diagnosis", "remediation"}


def test_operations_page_deep_in_product_docs_is_not_a_runbook(tmp_path):
    from wafops.collectors.repo.docs import DocsCollector

    from tests.helpers import collect_with, write_tree

    page = "Operations\n==========\n\nTroubleshooting\n---------------\n\n.. code-block:: bash\n\n    salt '*' test.ping\n"
    root = write_tree(tmp_path / "r", {"doc/topics/resources/operations.rst": page, "docs/OPERATIONS.md": (
        "# Operations\n\n## Troubleshooting\n\nRestart with `systemctl restart app`.\n\n## Escalation\n\nPage the on-call.\n")})
    evidence, _ = collect_with(DocsCollector(), root)
    runbooks = [e.locator.path for e in evidence if e.kind == "doc.runbook"]
    assert runbooks == ["docs/OPERATIONS.md"]


def test_underscored_postmortem_names_and_folders(tmp_path) -> None:
    """Calibration (PagerDuty incident-response-docs shape): `post_mortem_template.md` and `post_mortems/` are
    postmortem names like their hyphenated forms; a guide about writing postmortems stays out."""
    pm = "# DB failover\n\n## Impact\nCheckout down 20 min.\n\n## Timeline\n- 10:00 page\n\n## Root Cause\nDisk.\n\n## Action Items\n- OPS-1\n"
    write_tree(tmp_path, {
        "docs/after/post_mortem_template.md": "## Overview\n## Impact\n## Timeline\n## Contributing Factors\n## Action Items\n",
        "docs/after/effective_post_mortems.md": "Writing an effective post-mortem.\n\n## Do's\n## Suggestions\n## Reviewing\n",
        "ops/post_mortems/2024-03-02-db-failover.md": pm,
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    pms = {e.locator.path: e for e in ev if e.kind == "doc.postmortem"}
    assert set(pms) == {"docs/after/post_mortem_template.md", "ops/post_mortems/2024-03-02-db-failover.md"}
    assert pms["docs/after/post_mortem_template.md"].get("template") is True
    assert pms["ops/post_mortems/2024-03-02-db-failover.md"].get("template") is False
    assert pms["ops/post_mortems/2024-03-02-db-failover.md"].get("date") == "2024-03-02"


def test_informal_debt_signals(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".github/changelog_config.json": '{"categories": [{"title": "## Fixes", "labels": ["bug"]},\n'
                                         ' {"title": "## \\ud83d\\udcb8 Tech Debt", "labels": ["tech-debt"]}]}\n',
        ".github/release.yml": "changelog:\n  categories:\n    - title: Features\n      labels: [feature]\n",
        ".github/ISSUE_TEMPLATE/maintenance.md": "---\nname: Maintenance\n---\nWhat needs upkeep?\n",
        ".github/ISSUE_TEMPLATE/bug_report.md": "---\nname: Bug\n---\n",
        ".rubocop_todo.yml": "# auto-generated\nMetrics/AbcSize:\n  Max: 40\n",
        "app/models/user.rb": "class User\n  # TODO: drop the legacy column after the backfill\n  def x; end\n  # FIXME(ana) n+1\nend\n",
        "lib/deploy.sh": "#!/bin/sh\n# HACK: wait for DNS\nsleep 5\necho TODO is a word here, not a marker\n",
        "cluster/config.yaml": "{{/* TODO: remove after the migration */}}\nkey: 1\n",
        "spec/user_spec.rb": "# TODO: a test-only marker is not counted\n",
        "vendor/lib.js": "// TODO vendored\n",
        "app/assets/app.min.js": "// TODO minified\n",
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    labels = _by(ev, "doc.debt_label")
    rn = labels[".github/changelog_config.json"]
    assert rn.get("via") == "release-notes" and rn.get("labels") == ["tech-debt"] and rn.get("debt") is True
    assert rn.locator.line == 2 and rn.strength.value == "strong"
    assert ".github/release.yml" not in labels  # no debt category there
    tpl = labels[".github/ISSUE_TEMPLATE/maintenance.md"]
    assert tpl.get("via") == "issue-template" and tpl.get("debt") is False and tpl.strength.value == "weak"
    assert ".github/ISSUE_TEMPLATE/bug_report.md" not in labels
    (lint,) = [e for e in ev if e.kind == "doc.lint_debt"]
    assert lint.get("tool") == "rubocop" and lint.get("lines") == 2
    (marker,) = [e for e in ev if e.kind == "doc.debt_marker"]
    assert marker.get("count") == 4 and marker.get("files") == 3 and not marker.get("capped")
    assert marker.strength.value == "weak"


def test_no_debt_markers_means_no_marker_evidence(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": "print('TODO list app')\n", "README.md": "# TODO: docs are not code\n"})
    ev, _ = collect_with(DocsCollector(), tmp_path)
    assert not [e for e in ev if e.kind in ("doc.debt_marker", "doc.debt_label", "doc.lint_debt")]


DR_PAGE = """# Disaster recovery

This document covers the most critical scenarios and should be used in case of an incident.

## Steps to follow
1. Freeze the pipeline
2. Enable maintenance mode
3. Restore the database

### Restore the database
```
az postgres flexible-server restore --name x --source-server y
kubectl -n app scale deployment web --replicas=0
make production db-restore
```

## Validate the app
Check the health endpoint.
"""


def test_procedure_pages_without_runbook_in_the_path(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "documentation/disaster-recovery.md": DR_PAGE,
        "documentation/aks-upgrade.md": "# AKS upgrade\n```\naz aks upgrade -n c\nkubectl get nodes\nterraform plan\n```\n",
        # named like a procedure but gives no steps: a pointer to a wiki
        "docs/disaster-recovery.md": "# Disaster recovery\nSee the plan on Confluence.\n",
        # a product's generic upgrade guide for its users, and a library's troubleshooting page
        "docs/upgrading.md": "# Upgrading\n```\npip install -U lib\n```\n",
        "docs/troubleshooting.md": "# Troubleshooting\n```\nkubectl get pods\nkubectl logs x\nkubectl describe pod x\n```\n",
        # source code folders are not documentation
        "app/rollback.md": DR_PAGE,
    })
    ev, _ = collect_with(DocsCollector(), tmp_path)
    rbs = _by(ev, "doc.runbook")
    assert set(rbs) == {"documentation/disaster-recovery.md", "documentation/aks-upgrade.md"}
    dr = rbs["documentation/disaster-recovery.md"]
    assert dr.strength.value == "strong" and dr.summary.startswith("operational procedure")
    assert {"remediation", "verification"} <= set(dr.get("sections"))


def test_scheduled_workflows_filing_upkeep_work(tmp_path: Path) -> None:
    upgrade = """name: Monthly AKS upgrade check
on:
  schedule:
    - cron: "0 6 1 * *"
jobs:
  file:
    runs-on: ubuntu-latest
    steps:
      - run: gh issue create --title "Upgrade AKS to the next minor version" --label maintenance
"""
    digest = upgrade.replace("Monthly AKS upgrade check", "Weekly digest").replace(
        "Upgrade AKS to the next minor version", "Team digest").replace("--label maintenance", "")
    on_push = upgrade.replace('schedule:\n    - cron: "0 6 1 * *"', "push:")
    # a drift job that opens an issue (mentioning the terraform version in passing) is drift alerting, not upkeep
    drift = ("name: Drift detection\non:\n  schedule:\n    - cron: '0 5 * * *'\njobs:\n  plan:\n    runs-on: ubuntu-latest\n"
             "    steps:\n      - uses: hashicorp/setup-terraform@v3\n        with: {terraform_version: 1.9.0}\n"
             "      - run: gh issue create --title \"Drift: $ROOT\" --label drift\n")
    write_tree(tmp_path, {".github/workflows/upgrade.yml": upgrade, ".github/workflows/digest.yml": digest,
                          ".github/workflows/push.yml": on_push, ".github/workflows/drift.yml": drift})
    ev, _ = collect_with(DocsCollector(), tmp_path)
    (filing,) = [e for e in ev if e.kind == "doc.upkeep_filing"]
    assert filing.locator.path == ".github/workflows/upgrade.yml" and filing.locator.line == 9
    assert filing.get("files_to") == "issues" and filing.get("name") == "Monthly AKS upgrade check"


def test_git_failing_while_dates_are_read_falls_back_like_a_failed_load(tmp_path: Path, monkeypatch) -> None:
    """Dates are read lazily; a git failure on that read must not lose the documents, only their git dates."""
    from wafops.scanner.core import gitinfo

    r = Repo(tmp_path / "svc")
    r.commit({"runbooks/db.md": "---\nlast_reviewed: 2026-10-01\n---\n# DB\n## Diagnosis\n"}, "runbook", 20)
    clear_cache()

    def broken(self, paths):
        raise gitinfo.GitError("git log timed out after 120 s")

    monkeypatch.setattr(gitinfo._FileIndex, "_walk", broken)
    ev, ctx = collect_with(DocsCollector(), r.root)
    (rb,) = [e for e in ev if e.kind == "doc.runbook"]
    assert rb.get("dates_from") != "git"
    assert not [w for w in ctx.warnings if "failed" in w.message]
    clear_cache()
