"""Sources as code: probes ask for a role ("a code host", "a cloud"), so a new platform touches no probe."""

from __future__ import annotations

import ast
import json
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner
from wafops.rules.probes import PROBES, EvidenceSet, load_all
from wafops.scanner.cli import main
from wafops.scanner.core.model import Evidence, Locator, SourceState, SourceStatus, Strength
from wafops.scanner.core.sources import REGISTRY, ROLES, SHIPPED, Source

from tests.helpers import NOW, install_plugin, write_tree

ROOT = Path(__file__).resolve().parents[1]
VENDORS = {s.name for s in SHIPPED if s.role in ("scm", "cloud")}
# a probe may name one vendor only where the practice is that vendor's own feature (say why here)
VENDOR_SPECIFIC = {
    "delivery_metrics_tracked": "GitLab shows its own DORA charts to the team; other platforms' figures are computed",
}


@pytest.fixture
def registry():
    """Put the registry back as it was: a plugin's source must not leak into other tests' reasons."""
    saved = dict(REGISTRY.sources)
    yield REGISTRY
    REGISTRY.sources.clear()
    REGISTRY.sources.update(saved)


def test_shipped_collectors_declare_the_roles_the_registry_lists():
    shipped = {s.name: s.role for s in SHIPPED}
    seen = set()
    for ep in entry_points(group="wafops.collectors"):
        if not (ep.dist and ep.dist.name == "wafops"):
            continue
        cls = ep.load()
        assert cls.source in shipped, f"{ep.name}: source {cls.source!r} missing from sources.SHIPPED"
        assert cls.role in ("", shipped[cls.source]), f"{ep.name}: role {cls.role!r} != {shipped[cls.source]!r}"
        seen.add(cls.source)
    assert seen == set(shipped)
    assert {s.role for s in SHIPPED} <= set(ROLES)


def test_a_role_stands_for_every_source_that_plays_it(registry):
    assert registry.expand("scm") == ("github", "gitlab")
    assert registry.expand("repo|cloud") == ("repo", "aws", "azure")
    registry.register(Source("bitbucket", "scm"))
    assert registry.expand("scm") == ("bitbucket", "github", "gitlab")
    with pytest.raises(ValueError, match="unknown role"):
        registry.register(Source("x", "warehouse"))


def _probe_needs() -> list[tuple[str, str, str]]:
    """(module, function, source string) for every source string a probe module passes to `needs=`,
    `sources=`, `usable(...)`, `why_not(...)` or `missing(...)`; the function is the one it stands in
    (its decorator included), "" at module level."""
    out = []
    for path in sorted((ROOT / "rules" / "probes").glob("*.py")):
        tree = ast.parse(path.read_text())
        owner = {id(n): f.name for f in tree.body if isinstance(f, ast.FunctionDef) for n in ast.walk(f)}
        for node in ast.walk(tree):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in ("usable", "why_not"):
                    values += node.args[:1]
                if name in ("missing", "verdict") and len(node.args) >= 3:
                    values += node.args[-1:]
                values += [k.value for k in node.keywords if k.arg in ("needs", "sources")]
            for v in values:
                for c in ast.walk(v):
                    if isinstance(c, ast.Constant) and isinstance(c.value, str):
                        out.append((path.name, owner.get(id(node), ""), c.value))
    return out


def test_no_probe_asks_for_a_vendor_where_a_role_would_do():
    load_all()
    needs = _probe_needs()
    assert any(v == "scm" for *_x, v in needs) and any(v == "cloud" for *_x, v in needs)  # the scan sees them
    assert all(PROBES[pid].fn.__name__ == pid for pid in VENDOR_SPECIFIC)  # the exceptions name real probes
    vendor_named = [(f, fn, v) for f, fn, v in needs if set(v.split("|")) & VENDORS and fn not in VENDOR_SPECIFIC]
    assert vendor_named == []


def _branch_rule(source: str) -> Evidence:
    return Evidence(kind="scm.branch_rules", subject="local:svc", source=source,
                    locator=Locator(url=f"https://{source}.example/acme/svc/branch-restrictions"),
                    attributes={"branch": "main", "requires_pr": True, "required_reviews": 1, "enforcement": "active"},
                    strength=Strength.DIRECT)


def _statuses(**states: str) -> dict[str, SourceStatus]:
    return {n: SourceStatus(n, SourceState(states.get(n, "not_configured")), "not in this test")
            for n in REGISTRY.names()}


def test_a_new_code_host_satisfies_probes_that_need_a_code_host(registry):
    load_all()
    probe = PROBES["default_branch_requires_pr"]
    registry.register(Source("bitbucket", "scm", "not scanned: Bitbucket was not read"))
    blind = probe.run(EvidenceSet([], _statuses(repo="ok", git="ok"), NOW))
    assert blind.outcome is None and "bitbucket: not_configured" in blind.reason
    read = probe.run(EvidenceSet([], _statuses(repo="ok", git="ok", bitbucket="ok"), NOW))
    assert read.outcome is False  # the code host was read and shows no rule: not met, not "github not scanned"
    met = probe.run(EvidenceSet([_branch_rule("bitbucket")], _statuses(repo="ok", bitbucket="ok"), NOW))
    assert met.outcome is True and met.evidence[0].source == "bitbucket"


PLUGIN = '''
from wafops.collectors.base import Collector
from wafops.scanner.core.model import Strength


class BitbucketCollector(Collector):
    """A third party's code host: no probe or engine line of wafops names it."""

    name = "bitbucket"
    source = "bitbucket"
    role = "scm"
    not_scanned = "not scanned: Bitbucket settings were not read"
    description = "Bitbucket branch restrictions"
    controls = ("WAF-OPS-010",)

    def collect(self, subject, ctx):
        yield ctx.api_evidence("scm.branch_rules", "bitbucket", "https://bitbucket.example/acme/svc/branch-restrictions",
                               strength=Strength.DIRECT, summary="main requires a PR",
                               attributes={"branch": "main", "requires_pr": True, "required_reviews": 1})
'''


@pytest.fixture
def bitbucket_plugin(tmp_path, monkeypatch, registry):
    site = install_plugin(tmp_path / "site", "bb_plugin", PLUGIN, textwrap.dedent("""\
        [wafops.collectors]
        bitbucket = bb_plugin:BitbucketCollector
        """))
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("bb_plugin", None)


def test_a_code_host_plugin_counts_in_a_scan(bitbucket_plugin, tmp_path):
    repo = write_tree(tmp_path / "svc", {"README.md": "svc\n"})
    result = CliRunner().invoke(main, ["scan", str(repo), "--format", "json", "--details"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    crit = [c for ctl in doc["subjects"][0]["controls"] for c in ctl["criteria"] if c["id"] == "ops010-default-branch-pr"]
    assert crit and crit[0]["status"] == "met", crit
    assert "bitbucket" in crit[0]["sources"]
    cited = {e["id"]: e for e in doc["evidence"]}
    assert any(cited[i]["source"] == "bitbucket" for i in crit[0]["evidence"])
