"""A collector from outside the core is discovered through its entry point and used in a scan."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.plugins import discover

from tests.helpers import install_plugin, write_tree

PLUGIN = '''
from wafops.collectors.base import Collector
from wafops.scanner.core.model import Strength


class PagerCollector(Collector):
    """A third party's collector: reads an on-call rota file and reports it as evidence."""

    name = "oncall-rota"
    source = "rota"
    description = "on-call rotas from rota.yml"
    needs = "a directory tree"
    controls = ("WAF-OPS-060",)

    def collect(self, subject, ctx):
        for path in ctx.tree.named("rota.yml"):
            data = ctx.tree.yaml(path) or {}
            yield ctx.file_evidence("thirdparty.rota", path, line=1, source="rota",
                                    attributes={"people": len(data.get("people", []))},
                                    strength=Strength.STRONG, summary="on-call rota")


class Broken:
    def __init__(self):
        raise RuntimeError("cannot start")
'''


@pytest.fixture
def third_party(tmp_path, monkeypatch):
    """Install a plugin the way pip would leave it: a module plus a dist-info with entry_points.txt."""
    site = install_plugin(tmp_path / "site", "rota_plugin", PLUGIN, textwrap.dedent("""\
        [wafops.collectors]
        oncall-rota = rota_plugin:PagerCollector
        broken = rota_plugin:Broken
        missing = rota_plugin_nowhere:Nothing
        """))
    monkeypatch.syspath_prepend(str(site))
    yield
    sys.modules.pop("rota_plugin", None)


def test_third_party_collector_is_discovered(third_party):
    plugins = discover()
    names = [c.name for c in plugins.collectors]
    assert "oncall-rota" in names
    assert "ci" in names  # the core's own collectors come through the same door
    assert plugins.origins["oncall-rota"] == "rota-plugin"
    # broken plugins are reported, not fatal
    assert any("broken" in e for e in plugins.errors)
    assert any("missing" in e for e in plugins.errors)


def test_third_party_collector_runs_in_a_scan(third_party, tmp_path):
    repo = write_tree(tmp_path / "svc", {"README.md": "svc\n", "ops/rota.yml": "people: [ann, bob, cid]\n"})
    result = CliRunner().invoke(main, ["scan", str(repo), "--format", "json", "--all-evidence"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    rota = [e for e in doc["evidence"] if e["kind"] == "thirdparty.rota"]
    assert rota and rota[0]["attributes"] == {"people": 3}
    assert rota[0]["locator"].startswith("ops/rota.yml:1")
    sources = {s["source"]: s["status"] for s in doc["subjects"][0]["sources"]}
    assert sources["rota"] == "ok"
    assert any("broken" in e for e in doc["plugin_errors"])


def test_collectors_command_lists_the_plugin(third_party):
    result = CliRunner().invoke(main, ["collectors"])
    assert result.exit_code == 0
    assert "oncall-rota" in result.output and "rota-plugin" in result.output
