"""WAF-OPS-080 level pins on small synthetic repositories (real files through the collectors)."""

from __future__ import annotations

from wafops.collectors.repo.ci import CiCollector
from wafops.collectors.repo.deploy import DeployCollector
from wafops.scanner.core.model import ControlStatus, Evidence, Locator, Outcome, Strength

from tests.helpers import collect_with, evaluate, write_tree

ROLLOUT = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api}
spec:
  strategy:
    canary:
      analysis: {templates: [{templateName: errors}]}
      steps: [{setWeight: 10}, {pause: {duration: 2m}}, {setWeight: 50}]
"""
FLAGS_TF = """resource "aws_appconfig_configuration_profile" "flags" {
  application_id = "x"
  name           = "flags"
  location_uri   = "hosted"
  type           = "AWS.AppConfig.FeatureFlags"
}
"""
LIFECYCLE_WF = """on: push
jobs:
  refs:
    runs-on: ubuntu-latest
    steps:
      - uses: launchdarkly/find-code-references@v2
"""


def repo_evidence(tmp_path, files):
    write_tree(tmp_path, files)
    ev = []
    for c in (CiCollector(), DeployCollector()):
        ev += collect_with(c, tmp_path)[0]
    return ev


def item(ev_kind, path="x", source="repo", strength=Strength.DIRECT, **attrs):
    return Evidence(ev_kind, "local:test", source, Locator(path=path, line=1), attrs, strength)


def crit(result, cid):
    return next(c for c in result.criteria if c.id == cid)


def dora(cfr, n=120):
    return Evidence("dora.metrics", "local:test", "github", Locator(url="https://api.github.com/x"),
                    {"window_days": 90, "deploys": n, "deploys_per_working_day": 2.0, "change_failure_rate": cfr,
                     "sample": {"change_failure_rate": n, "deployment_frequency": n}, "insufficient": []})


def test_empty_repo_is_level_1(tmp_path):
    r = evaluate("WAF-OPS-080", repo_evidence(tmp_path, {"README.md": "# lib\n"}))
    assert (r.level, r.status) == (1, ControlStatus.ASSESSED)


def test_default_rolling_update_is_not_safer(tmp_path):
    ev = [item("k8s.workload", "k8s/web.yaml", kind="Deployment", name="web", strategy="RollingUpdate",
               readiness_probe=False)]
    r = evaluate("WAF-OPS-080", ev)
    assert r.level == 1 and crit(r, "ops080-safer-rollout").status is Outcome.NOT_MET


def test_readiness_gated_rolling_with_rollback_runbook_is_level_2(tmp_path):
    ev = repo_evidence(tmp_path, {"docs/runbooks/rollback.md": "# Roll back a release\n\n1. Run\n```\nhelm rollback web\n```\n"})
    ev.append(item("k8s.workload", "k8s/web.yaml", kind="Deployment", name="web", strategy="RollingUpdate",
                   readiness_probe=True))
    ev.append(item("k8s.workload", "examples/demo.yaml", kind="Deployment", name="demo", strategy="RollingUpdate",
                   readiness_probe=True))
    r = evaluate("WAF-OPS-080", ev)
    assert (r.level, r.status) == (2, ControlStatus.ASSESSED)
    assert crit(r, "ops080-progressive").status is Outcome.NOT_MET
    assert len(crit(r, "ops080-safer-rollout").evidence) == 1  # the example workload does not count


def test_canary_with_analysis_and_flag_service_without_platform(tmp_path):
    ev = repo_evidence(tmp_path, {"deploy/rollout.yaml": ROLLOUT, "infra/flags.tf": FLAGS_TF})
    r = evaluate("WAF-OPS-080", ev)
    # v2: analysis-driven automatic rollback is the WAF++ level-4 cell ("Auto-rollback"); the unverified change
    # failure rate is left out of level 4's supporting share, so the estimate is 4; the strict floor is 1 (no
    # pre-production stage in this fixture)
    assert r.level == 4 and r.confirmed_level == 1 and r.status is ControlStatus.ASSESSED
    assert crit(r, "ops080-auto-rollback").status is Outcome.MET
    assert crit(r, "ops080-metric-analysis").status is Outcome.MET
    cfr = crit(r, "ops080-cfr-tracked")
    assert cfr.status is Outcome.NOT_ASSESSED and "github" in cfr.reason
    assert r.ceiling == 4  # level 5 is ruled out: no experimentation, no flag lifecycle


def test_full_progressive_delivery_reaches_level_5(tmp_path):
    ev = repo_evidence(tmp_path, {"deploy/rollout.yaml": ROLLOUT, "infra/flags.tf": FLAGS_TF,
                                  ".github/workflows/refs.yml": LIFECYCLE_WF})
    ev += [dora(0.02), item("dep.package", "package.json", categories=["experimentation"], package="@growthbook/growthbook")]
    r = evaluate("WAF-OPS-080", ev, repo="ok", git="ok", github="ok")
    assert (r.level, r.status) == (5, ControlStatus.ASSESSED)


def test_manual_pause_and_high_cfr_block_level_5(tmp_path):
    paused = ROLLOUT.replace("{pause: {duration: 2m}}", "{pause: {}}")
    ev = repo_evidence(tmp_path, {"deploy/rollout.yaml": paused, "infra/flags.tf": FLAGS_TF,
                                  ".github/workflows/refs.yml": LIFECYCLE_WF})
    ev += [dora(0.12), item("dep.package", "package.json", categories=["experimentation"], package="statsig-node")]
    r = evaluate("WAF-OPS-080", ev, repo="ok", git="ok", github="ok")
    assert r.level == 4
    assert crit(r, "ops080-automated-promotion").status is Outcome.NOT_MET
    assert crit(r, "ops080-cfr-low").status is Outcome.NOT_MET


def test_small_sample_cfr_is_not_assessed(tmp_path):
    ev = repo_evidence(tmp_path, {"deploy/rollout.yaml": ROLLOUT, "infra/flags.tf": FLAGS_TF})
    d = Evidence("dora.metrics", "local:test", "github", Locator(url="https://api.github.com/x"),
                 {"window_days": 90, "deploys": 3, "change_failure_rate": None, "sample": {"change_failure_rate": 3},
                  "insufficient": ["change_failure_rate"]})
    r = evaluate("WAF-OPS-080", ev + [d], repo="ok", git="ok", github="ok")
    c = crit(r, "ops080-cfr-tracked")
    assert c.status is Outcome.NOT_ASSESSED and "too small" in c.reason
    assert r.level == 4 and r.confirmed_level == 1  # v2: the unassessable rate never lowers the estimate


def test_mostly_rolling_estate_fails_progressive_coverage(tmp_path):
    tf = "\n".join(f'resource "aws_ecs_service" "s{i}" {{\n  name = "s{i}"\n  deployment_circuit_breaker {{\n'
                   f'    enable = true\n    rollback = true\n  }}\n}}\n' for i in range(3))
    ev = repo_evidence(tmp_path, {"deploy/rollout.yaml": ROLLOUT, "infra/ecs.tf": tf, "infra/flags.tf": FLAGS_TF})
    r = evaluate("WAF-OPS-080", ev)
    assert r.level == 2 and crit(r, "ops080-progressive").status is Outcome.NOT_MET
    assert "25 %" in crit(r, "ops080-progressive").reason


def test_inhouse_flag_module_is_a_backout_but_not_a_confirmed_flag_service(tmp_path):
    write_tree(tmp_path, {"packages/features/flags/config.ts": "export type AppFlags = { insights: boolean };\n"})
    ev, _ = collect_with(DeployCollector(), tmp_path)
    r = evaluate("WAF-OPS-080", ev)
    backout = next(c for c in r.criteria if c.id == "ops080-backout")
    assert backout.status is Outcome.MET and backout.strength is Strength.WEAK
    # flags for new behaviour are WAF++ level-2 "Basic safety"; the flag *service* of level 3 stays unconfirmed
    assert r.level == 2 and crit(r, "ops080-flag-service").status is Outcome.NOT_ASSESSED


def test_config_repo_without_application_code_cannot_judge_flags(tmp_path):
    """gitops-istio shape: Flagger canaries in a cluster config repo; flag SDKs would live in the app repos."""
    canary = """apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: backend}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: backend}
  analysis:
    interval: 15s
    threshold: 10
    metrics:
      - name: error-rate
        thresholdRange: {max: 1}
"""
    ev = repo_evidence(tmp_path, {"apps/backend/canary.yaml": canary})
    r = evaluate("WAF-OPS-080", ev)
    assert crit(r, "ops080-progressive").status is Outcome.MET
    assert crit(r, "ops080-flag-service").status is Outcome.NOT_ASSESSED
    # v2: the unjudgeable flag service is left out of level 3's share; the estimate climbs on the canary's analysis
    # and automatic rollback, while the strict floor is 1 (no pre-production stage in this repository)
    assert (r.level, r.confirmed_level, r.status) == (4, 1, ControlStatus.ASSESSED)
    # the same rollout next to the application's own manifest: no flags there is a real gap
    app = item("dep.manifest", path="package.json", ecosystem="node", service=".", runtime_packages=3, deployable=True)
    r2 = evaluate("WAF-OPS-080", ev + [app])
    assert crit(r2, "ops080-flag-service").status is Outcome.NOT_MET


def _flag_pkg(name: str) -> Evidence:
    return item("dep.package", path="go.mod", package=name, categories=["feature_flag"])


def test_flag_provider_package_outranks_a_weak_inhouse_flag_module():
    """grafana shape: an in-house featuremgmt module (weak) and the OpenFeature GO Feature Flag provider."""
    inhouse = item("deploy.flag_service", path="pkg/services/featuremgmt", strength=Strength.WEAK, tool="in-house")
    ev = [inhouse, _flag_pkg("github.com/open-feature/go-sdk"),
          _flag_pkg("github.com/open-feature/go-sdk-contrib/providers/go-feature-flag")]
    c = crit(evaluate("WAF-OPS-080", ev), "ops080-flag-service")
    assert c.status is Outcome.MET and "go-feature-flag" in c.reason


def test_openfeature_sdks_without_a_provider_are_not_a_confirmed_flag_service():
    ev = [_flag_pkg("@openfeature/web-sdk"), _flag_pkg("@openfeature/react-sdk")]
    c = crit(evaluate("WAF-OPS-080", ev), "ops080-flag-service")
    assert c.status is Outcome.NOT_ASSESSED and "cannot confirm" in c.reason


PROMOTE_WF = """name: Deploy Cluster
on: {push: {branches: [main]}}
jobs:
  deploy:
    environment: {name: "${{ matrix.environment }}"}
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 1
      matrix:
        environment: [platform-test, test, production]
    steps:
      - uses: ./.github/actions/deploy-environment
        with: {environment_name: "${{ matrix.environment }}"}
      - name: Smoke test
        run: make smoke-test
"""


def test_sequential_environment_matrix_is_staged_promotion(tmp_path):
    r = evaluate("WAF-OPS-080", repo_evidence(tmp_path, {".github/workflows/deploy-cluster.yml": PROMOTE_WF}))
    assert r.level == 2 and crit(r, "ops080-staged").status is Outcome.MET
    assert "platform-test -> test -> production" in crit(r, "ops080-safer-rollout").reason
    # in parallel, every environment changes at once: no promotion
    parallel = PROMOTE_WF.replace("max-parallel: 1", "max-parallel: 3")
    r = evaluate("WAF-OPS-080", repo_evidence(tmp_path / "p", {".github/workflows/deploy-cluster.yml": parallel}))
    assert r.level == 1 and crit(r, "ops080-staged").status is Outcome.NOT_MET


def test_production_waiting_for_a_test_deploy_and_a_redeploy_workflow(tmp_path):
    build = """name: Build
on: {push: {branches: [main]}}
jobs:
  test:
    environment: test
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install web chart --set image.tag=${{ github.sha }}
  integration:
    needs: [test]
    runs-on: ubuntu-latest
    steps:
      - run: npm run integration
  production:
    needs: [integration]
    environment: production
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install web chart --set image.tag=${{ github.sha }}
"""
    sha = """name: SHA Release
on:
  workflow_dispatch:
    inputs:
      environment: {type: environment, required: true}
      sha: {description: docker tag, required: true}
jobs:
  manual:
    environment: ${{ inputs.environment }}
    runs-on: ubuntu-latest
    steps:
      - run: helm upgrade --install web chart --set image.tag=${{ github.event.inputs.sha }}
"""
    ev = repo_evidence(tmp_path, {".github/workflows/build.yml": build, ".github/workflows/sha.yml": sha})
    r = evaluate("WAF-OPS-080", ev)
    assert r.level == 2 and r.confirmed_level == 2
    assert "waits for a deploy to test" in crit(r, "ops080-staged").reason
    assert any(e.kind == "deploy.redeploy" for e in ev) and crit(r, "ops080-backout").status is Outcome.MET
    # production deployed straight from the build: nothing staged, nothing to back out with
    alone = build.replace("needs: [integration]", "needs: []")
    r = evaluate("WAF-OPS-080", repo_evidence(tmp_path / "b", {".github/workflows/build.yml": alone}))
    assert r.level == 1


def test_preview_feature_gates_in_a_library_are_basic_safety(tmp_path):
    mode = """from enum import Enum


class Preview(Enum):
    \"\"\"Individual preview style features.\"\"\"

    hug_parens = auto()


UNSTABLE_FEATURES: set[Preview] = {Preview.hug_parens}
"""
    ev = repo_evidence(tmp_path, {"src/lib/mode.py": mode, "tests/test_mode.py": "class Preview(Enum):\n    x = 1\n"})
    gates = [e for e in ev if e.kind == "deploy.feature_gate"]
    assert [g.locator.path for g in gates] == ["src/lib/mode.py"] and gates[0].locator.line == 4
    r = evaluate("WAF-OPS-080", ev)
    assert r.level == 2 and crit(r, "ops080-flag-service").status is Outcome.NOT_MET  # gates are no flag service
    plain = {"src/lib/mode.py": "class Mode:\n    preview = False\n",
             "app/models.py": "class Preview(models.Model):\n    image = models.ImageField()\n"}  # a thumbnail
    r = evaluate("WAF-OPS-080", repo_evidence(tmp_path / "plain", plain))
    assert r.level == 1


def test_release_channel_branches_are_staged_promotion():
    deploy = item("ci.job", "delivery.yaml", name="deploy-event", pipeline="delivery.yaml", environment="stable",
                  production=True, steps=["deploy"], needs=[], triggers=["push"], branches=["dev", "alpha", "beta", "stable"])
    r = evaluate("WAF-OPS-080", [deploy])
    c = crit(r, "ops080-staged")
    assert c.status is Outcome.MET and "dev, alpha, beta, stable" in c.reason and r.level == 2
    only_main = item("ci.job", "ci.yml", name="deploy", pipeline="ci.yml", environment="production", production=True,
                     steps=["deploy"], needs=[], triggers=["push"], branches=["main", "hotfix"])
    assert evaluate("WAF-OPS-080", [only_main]).level == 1
