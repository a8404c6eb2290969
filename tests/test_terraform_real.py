"""The Terraform fixtures are real Terraform, and the collector reads them the way Terraform does.

Runs the real `terraform` binary (init -backend=false, validate -json) against copies of
tests/fixtures/terraform/ in tmp_path, with a CLI config that installs providers only from the
filesystem mirror (no network). Then compares what Terraform resolved (module calls recorded in
.terraform/modules/modules.json, providers in the lock file) with the collector's evidence.

Skipped when terraform or the provider mirror is missing, unless WAFOPS_REQUIRE_TERRAFORM=1 (CI),
where a missing toolchain is a failure.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from wafops.collectors.repo.iac import IacCollector

from tests.helpers import collect_with

FIXTURES = Path(__file__).parent / "fixtures" / "terraform"
MIRROR_CANDIDATES = [Path(os.environ.get("WAFOPS_TF_MIRROR", "/opt/tf-plugins"))]
ROOTS = ["live/envs/prod", "live/envs/staging", "module-lib/examples/complete", "partial-backend", "cloud-block"]


def _mirror() -> Path | None:
    for m in MIRROR_CANDIDATES:
        if (m / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return m
    return None


def _toolchain() -> tuple[str, Path]:
    exe = shutil.which("terraform") or ("/usr/local/bin/terraform" if Path("/usr/local/bin/terraform").exists() else None)
    mirror = _mirror()
    reason = None
    if not exe:
        reason = "terraform binary not found on PATH"
    elif mirror is None:
        reason = "provider mirror with hashicorp/aws not found (set WAFOPS_TF_MIRROR)"
    if reason:
        if os.environ.get("WAFOPS_REQUIRE_TERRAFORM") == "1":
            pytest.fail(f"WAFOPS_REQUIRE_TERRAFORM=1 but {reason}")
        pytest.skip(reason)
    return exe, mirror  # type: ignore[return-value]


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    """Copy the fixtures, init + validate every root once (in parallel), return results per root."""
    exe, mirror = _toolchain()
    tmp = tmp_path_factory.mktemp("tf")
    work = tmp / "fixtures"
    shutil.copytree(FIXTURES, work)
    rc = tmp / "terraform.rc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
           "TF_PLUGIN_CACHE_DIR": ""}
    env.pop("TF_PLUGIN_CACHE_DIR")

    def run(root: str) -> tuple[str, dict]:
        cwd = work / root
        init = subprocess.run([exe, "init", "-backend=false", "-input=false", "-no-color"], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=120)
        assert init.returncode == 0, f"terraform init failed in {root}:\n{init.stdout}\n{init.stderr}"
        val = subprocess.run([exe, "validate", "-json", "-no-color"], cwd=cwd, env=env, capture_output=True,
                             text=True, timeout=120)
        result = json.loads(val.stdout)
        modules = json.loads((cwd / ".terraform" / "modules" / "modules.json").read_text()) \
            if (cwd / ".terraform" / "modules" / "modules.json").exists() else {"Modules": []}
        lock = (cwd / ".terraform.lock.hcl").read_text() if (cwd / ".terraform.lock.hcl").exists() else ""
        return root, {"validate": result, "modules": modules, "lock": lock}

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(pool.map(run, ROOTS))
    return work, results


@pytest.mark.parametrize("root", ROOTS)
def test_fixture_is_valid_terraform(validated, root):
    _work, results = validated
    v = results[root]["validate"]
    assert v["valid"] is True, v["diagnostics"]
    assert v["error_count"] == 0
    assert v["warning_count"] == 0, [d["summary"] for d in v["diagnostics"]]


def test_module_calls_match_terraform(validated):
    """Every module call Terraform installed for a root is a local iac.module the collector found."""
    work, results = validated
    evidence, _ = collect_with(IacCollector(), FIXTURES)
    ours = {(e.get("dir"), e.get("name"), posixpath.normpath(e.get("source")))
            for e in evidence if e.kind == "iac.module" and e.get("source_kind") == "local"}
    for root in ROOTS:
        for m in results[root]["modules"]["Modules"]:
            if not m["Key"] or "." in m["Key"]:  # the root itself / nested calls
                continue
            assert (root, m["Key"], m["Source"]) in ours, (root, m)


def test_providers_match_lock_file(validated):
    _work, results = validated
    evidence, _ = collect_with(IacCollector(), FIXTURES)
    for root in ROOTS:
        assert 'provider "registry.terraform.io/hashicorp/aws"' in results[root]["lock"]
    provider_dirs = {e.get("dir") for e in evidence if e.kind == "iac.provider" and e.get("name") == "aws"}
    assert {"live/envs/prod", "live/envs/staging", "partial-backend", "cloud-block"} <= provider_dirs


def test_collector_reads_fixtures_without_warnings_and_writes_nothing(validated):
    before = sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*"))
    evidence, ctx = collect_with(IacCollector(), FIXTURES)
    assert ctx.warnings == []
    assert sorted(p.relative_to(FIXTURES) for p in FIXTURES.rglob("*")) == before
    assert not any(p.name == ".terraform" for p in FIXTURES.rglob("*"))
    code = {e.get("dir"): e for e in evidence if e.kind == "iac.code"}
    assert code["live/modules/service"].get("resources") == 3
    assert code["live/envs/prod"].get("role") == "root"
    assert code["module-lib"].get("role") == "module"
    assert code["module-lib/examples/complete"].get("role") == "example"
