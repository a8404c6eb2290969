"""Local-scan benchmark: a large synthetic monorepo through the real engine.

Why: the scanner promises to handle a 20,000-file monorepo (2,000 Terraform files, 300 GitHub
workflows) in under 10 s and 500 MB. This script builds such a repository (deterministically,
from a seed), scans it with `wafops.scanner.engine.scan` exactly as `wafops scan PATH --layout single`
does, and prints wall time, files per second, peak memory, evidence and warning counts, a second
(warm) run, and the time spent in each collector. `--profile` adds the cProfile hotspots.

    python benchmarks/local_scan.py                       # generate into a temp dir, scan, delete
    python benchmarks/local_scan.py --dir /tmp/mono       # generate once (reused when present)
    python benchmarks/local_scan.py --dir /tmp/mono --profile 25
    python benchmarks/local_scan.py --files 5000 --tf 500 --workflows 80
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wafops.scanner.engine import ScanOptions, scan  # noqa: E402
from wafops.scanner.plugins import Plugins, discover  # noqa: E402

MARKER = ".wafops-bench.json"
AS_OF = datetime(2026, 11, 22, tzinfo=UTC)

# ---- generation ------------------------------------------------------------------------------

AWS_RESOURCES = [
    ("aws_s3_bucket", 'bucket = "acme-{svc}-{n}"\n  force_destroy = false'),
    ("aws_s3_bucket_versioning", 'bucket = aws_s3_bucket.b{n}.id\n  versioning_configuration {{\n    status = "Enabled"\n  }}'),
    ("aws_iam_role", 'name = "{svc}-role-{n}"\n  assume_role_policy = data.aws_iam_policy_document.assume.json'),
    ("aws_security_group", 'name = "{svc}-sg-{n}"\n  vpc_id = var.vpc_id\n  ingress {{\n    from_port = 443\n    to_port = 443\n    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }}'),
    ("aws_lambda_function", 'function_name = "{svc}-fn-{n}"\n  runtime = "python3.12"\n  handler = "app.handler"\n  role = aws_iam_role.r{n}.arn\n  tracing_config {{\n    mode = "Active"\n  }}'),
    ("aws_cloudwatch_log_group", 'name = "/aws/lambda/{svc}-fn-{n}"\n  retention_in_days = 30'),
    ("aws_cloudwatch_metric_alarm", 'alarm_name = "{svc}-5xx-{n}"\n  namespace = "AWS/ApplicationELB"\n  metric_name = "HTTPCode_Target_5XX_Count"\n  statistic = "Sum"\n  period = 60\n  evaluation_periods = 5\n  threshold = 10\n  comparison_operator = "GreaterThanThreshold"\n  alarm_actions = [var.sns_topic_arn]'),
    ("aws_db_instance", 'identifier = "{svc}-db-{n}"\n  engine = "postgres"\n  instance_class = "db.t4g.medium"\n  allocated_storage = 50\n  storage_encrypted = true'),
    ("aws_ecs_service", 'name = "{svc}-{n}"\n  cluster = var.cluster_arn\n  desired_count = 3\n  deployment_circuit_breaker {{\n    enable = true\n    rollback = true\n  }}'),
    ("aws_sqs_queue", 'name = "{svc}-queue-{n}"\n  message_retention_seconds = 345600'),
    ("aws_route53_record", 'zone_id = var.zone_id\n  name = "{svc}-{n}.acme.example"\n  type = "CNAME"\n  ttl = 300\n  records = ["lb.acme.example"]'),
]
MODULE_SOURCES = [
    'git::https://github.com/acme/terraform-modules.git//vpc?ref=v{v}',
    'git::https://github.com/acme/terraform-modules.git//ecs-service?ref=v{v}',
    'app.terraform.io/acme/rds/aws',
    'terraform-aws-modules/s3-bucket/aws',
    '../../modules/{svc}',
]
LANG_FILES = [
    (".py", "import logging\nimport os\n\nlog = logging.getLogger(__name__)\n\n\ndef handler_{n}(event, context):\n    \"\"\"Process one {svc} event.\"\"\"\n    value = event.get('value', {n})\n    log.info('processed %s', value)\n    return {{'status': 'ok', 'value': value * 2}}\n"),
    (".go", "package {pkg}\n\nimport (\n\t\"context\"\n\t\"fmt\"\n)\n\n// Handle{n} handles one request for {svc}.\nfunc Handle{n}(ctx context.Context, id string) (string, error) {{\n\tif id == \"\" {{\n\t\treturn \"\", fmt.Errorf(\"empty id\")\n\t}}\n\treturn fmt.Sprintf(\"{svc}-%s-{n}\", id), nil\n}}\n"),
    (".ts", "import {{ Request, Response }} from 'express';\n\nexport async function handler{n}(req: Request, res: Response): Promise<void> {{\n  const id = req.params.id ?? '{n}';\n  res.json({{ service: '{svc}', id }});\n}}\n"),
    (".java", "package com.acme.{pkg};\n\npublic final class Handler{n} {{\n    public String handle(String id) {{\n        return \"{svc}-\" + id + \"-{n}\";\n    }}\n}}\n"),
]


def _pad(rng: random.Random, text: str, lo: int, hi: int) -> str:
    """Grow a file with comment lines to a realistic size."""
    target = rng.randint(lo, hi)
    lines = [text]
    size = len(text)
    i = 0
    while size < target:
        line = f"# note {i}: keep in sync with the platform conventions ({rng.random():.6f})\n"
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines)


def _tf_file(rng: random.Random, svc: str, kind: str, n: int) -> str:
    if kind == "backend":
        return (
            'terraform {\n  required_version = ">= 1.10"\n  required_providers {\n    aws = {\n'
            '      source  = "hashicorp/aws"\n      version = "~> 5.80"\n    }\n  }\n\n'
            f'  backend "s3" {{\n    bucket       = "acme-tfstate"\n    key          = "{svc}/{n}.tfstate"\n'
            '    region       = "eu-central-1"\n    use_lockfile = true\n  }\n}\n'
        )
    if kind == "providers":
        region = rng.choice(["eu-central-1", "eu-west-1", "us-east-1"])
        return (
            f'provider "aws" {{\n  region = "{region}"\n  assume_role {{\n'
            f'    role_arn = "arn:aws:iam::{rng.randint(10**11, 10**12 - 1)}:role/terraform"\n  }}\n}}\n'
        )
    if kind == "variables":
        return "".join(
            f'variable "{name}" {{\n  type        = string\n  description = "{name} for {svc}"\n}}\n\n'
            for name in ("vpc_id", "cluster_arn", "zone_id", "sns_topic_arn", "environment")
        )
    if kind == "outputs":
        return "".join(f'output "out_{i}" {{\n  value = "{svc}-{i}"\n}}\n\n' for i in range(rng.randint(2, 6)))
    if kind == "modules":
        out = []
        for i in range(rng.randint(1, 4)):
            src = rng.choice(MODULE_SOURCES).format(v=f"{rng.randint(1, 5)}.{rng.randint(0, 9)}.0", svc=svc)
            version = '\n  version = "~> 4.0"' if not src.startswith(("git::", "../")) else ""
            out.append(f'module "m{n}_{i}" {{\n  source = "{src}"{version}\n  name   = "{svc}-{i}"\n}}\n\n')
        return "".join(out)
    blocks = []
    for i in range(rng.randint(2, 8)):
        rtype, body = rng.choice(AWS_RESOURCES)
        blocks.append(f'resource "{rtype}" "r{n}_{i}" {{\n  {body.format(svc=svc, n=n)}\n  tags = local.tags\n}}\n\n')
    if n % 97 == 0:
        blocks.append('resource "github_branch_protection" "main" {\n  repository_id = "mono"\n  pattern = "main"\n'
                      '  required_pull_request_reviews {\n    required_approving_review_count = 1\n  }\n}\n')
    return f"locals {{\n  tags = {{ team = \"{svc}\" }}\n}}\n\n" + "".join(blocks)


def _workflow(rng: random.Random, svc: str, n: int) -> str:
    kind = n % 6
    if kind == 0:  # CI on PR
        return (
            f"name: {svc} ci\non:\n  pull_request:\n    paths: ['services/{svc}/**']\n  push:\n    branches: [main]\n"
            "jobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ruff check .\n"
            "  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest -q\n"
            "  security:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aquasecurity/trivy-action@0.28.0\n"
        )
    if kind == 1:  # deploy
        return (
            f"name: {svc} deploy\non:\n  push:\n    branches: [main]\n    paths: ['services/{svc}/**']\njobs:\n"
            "  staging:\n    runs-on: ubuntu-latest\n    environment: staging\n    steps:\n"
            f"      - run: kubectl -n {svc} rollout status deploy/{svc}\n"
            "  production:\n    needs: staging\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n"
            f"      - run: helm upgrade --install {svc} charts/{svc} --atomic\n      - run: curl -fsS https://{svc}.acme.example/healthz\n"
        )
    if kind == 2:  # terraform plan on PR
        return (
            f"name: {svc} terraform\non:\n  pull_request:\n    paths: ['infra/{svc}/**']\njobs:\n  plan:\n    runs-on: ubuntu-latest\n"
            f"    steps:\n      - uses: hashicorp/setup-terraform@v3\n      - run: terraform -chdir=infra/{svc} plan -input=false\n"
        )
    if kind == 3:  # drift
        return (
            f"name: {svc} drift\non:\n  schedule:\n    - cron: '{rng.randint(0, 59)} 5 * * *'\njobs:\n  drift:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - id: plan\n        run: terraform plan -detailed-exitcode\n"
            "      - if: steps.plan.outputs.exitcode == '2'\n        run: gh issue create --title drift --label drift\n"
        )
    if kind == 4:  # reusable workflow call
        return (
            f"name: {svc} release\non:\n  release:\n    types: [published]\njobs:\n  release:\n"
            "    uses: acme/shared-workflows/.github/workflows/release.yml@v3\n    with:\n"
            f"      service: {svc}\n"
        )
    return (
        f"name: {svc} nightly\non:\n  schedule:\n    - cron: '0 {rng.randint(0, 23)} * * *'\n  workflow_dispatch:\njobs:\n"
        "  e2e:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx playwright test\n"
    )


def _plan(files: int, tf: int, workflows: int) -> dict[str, int]:
    rest = files - tf - workflows
    if rest < 100:
        raise SystemExit("--files must exceed --tf + --workflows by at least 100")
    return {
        "tf": tf,
        "workflows": workflows,
        "code": int(rest * 0.52),
        "md": int(rest * 0.14),
        "yaml": int(rest * 0.16),
        "json": int(rest * 0.11),
        "other": rest - int(rest * 0.52) - int(rest * 0.14) - int(rest * 0.16) - int(rest * 0.11),
    }


def generate(root: Path, files: int, tf: int, workflows: int, seed: int = 7) -> int:
    """Write the synthetic monorepo below root; returns the number of files written."""
    rng = random.Random(seed)
    plan = _plan(files, tf, workflows)
    n_services = max(10, files // 200)
    services = [f"svc-{i:03d}" for i in range(n_services)]
    plan["other"] = max(0, plan["other"] - 2 * n_services - 1)  # README + two manifests per service
    written = 0

    def put(rel: str, text: str) -> None:
        nonlocal written
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        written += 1

    put("README.md", "# acme monorepo\n\nAll services, infrastructure and docs of the ACME platform.\n")
    tf_kinds = ["backend", "providers", "variables", "outputs", "modules", "main", "main", "main"]
    for i in range(plan["tf"] - 1):
        svc = services[i % n_services]
        kind = tf_kinds[(i // n_services) % len(tf_kinds)]
        env = ["dev", "staging", "prod"][(i // (n_services * len(tf_kinds))) % 3]
        name = f"{kind}.tf" if kind != "main" else f"main_{i}.tf"
        put(f"infra/{svc}/{env}/{name}", _pad(rng, _tf_file(rng, svc, kind, i), 300, 3000))
    put("infra/modules/shared/main.tf", _tf_file(rng, "shared", "main", 0))
    for i in range(plan["workflows"]):
        svc = services[i % n_services]
        put(f".github/workflows/{svc}-{i}.yml", _workflow(rng, svc, i))
    for i in range(plan["code"]):
        svc = services[i % n_services]
        suffix, template = LANG_FILES[(i // n_services) % len(LANG_FILES)]
        pkg = svc.replace("-", "")
        put(f"services/{svc}/src/mod{i // 50}/file_{i}{suffix}",
            _pad(rng, template.format(n=i, svc=svc, pkg=pkg), 500, 6000))
    for i, svc in enumerate(services):  # manifests per service
        put(f"services/{svc}/requirements.txt", "fastapi==0.115.5\nstructlog==24.4.0\nopentelemetry-sdk==1.28.2\n"
            "prometheus-client==0.21.0\n" + ("launchdarkly-server-sdk==9.8.0\n" if i % 3 == 0 else ""))
        put(f"services/{svc}/Dockerfile", f"FROM python:3.12-slim\nCOPY . /srv\nCMD [\"python\", \"-m\", \"{svc}\"]\n")
    for i in range(plan["md"]):
        svc = services[i % n_services]
        if i % 10 == 0:
            rel = f"docs/runbooks/{svc}/runbook-{i}.md"
            body = (f"---\ntitle: {svc} runbook {i}\nlast_reviewed: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}\n---\n"
                    "# Runbook\n\n## Symptoms\n\n## Diagnosis\n\n```bash\nkubectl get pods\n```\n\n## Remediation\n\n## Escalation\n")
        elif i % 25 == 1:
            rel = f"docs/postmortems/2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}-{svc}-{i}.md"
            body = (f"---\ndate: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}\ncategory: deployment\n---\n"
                    "# Postmortem\n\n## Impact\n\n## Timeline\n\n## Root cause\n\n## Action items\n\n- #123 @owner\n")
        else:
            rel = f"docs/{svc}/page-{i}.md"
            body = f"# {svc} page {i}\n\nDesign notes and how-tos for {svc}.\n"
        put(rel, _pad(rng, body, 400, 4000))
    for i in range(plan["yaml"]):
        svc = services[i % n_services]
        if i % 4 == 0:
            rel = f"deploy/{svc}/deployment-{i}.yaml"
            body = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {svc}-{i}\nspec:\n  replicas: 3\n"
                    "  strategy:\n    type: RollingUpdate\n  template:\n    spec:\n      containers:\n"
                    f"        - name: app\n          image: acme/{svc}:1.0.{i}\n          readinessProbe:\n"
                    "            httpGet: {path: /healthz, port: 8080}\n")
        elif i % 4 == 1:
            rel = f"monitoring/{svc}/alerts-{i}.rules.yml"
            body = (f"groups:\n  - name: {svc}\n    rules:\n      - alert: {svc.title()}HighErrorRate{i}\n"
                    f"        expr: sum(rate(http_requests_total{{job=\"{svc}\",code=~\"5..\"}}[5m])) > 1\n"
                    "        labels:\n          severity: critical\n        annotations:\n"
                    f"          runbook_url: https://github.com/acme/mono/blob/main/docs/runbooks/{svc}/runbook-0.md\n")
        else:
            rel = f"config/{svc}/settings-{i}.yaml"
            body = f"service: {svc}\nreplicas: {rng.randint(1, 9)}\nfeatures:\n  - a\n  - b\nlimits:\n  cpu: 500m\n"
        put(rel, _pad(rng, body, 200, 2500))
    for i in range(plan["json"]):
        svc = services[i % n_services]
        if i % 10 == 0:
            rel = f"monitoring/{svc}/dashboards/dash-{i}.json"
            doc: Any = {"title": f"{svc} RED {i}", "schemaVersion": 39, "panels": [
                {"type": "timeseries", "title": "Requests", "targets": [{"expr": f'sum(rate(http_requests_total{{job="{svc}"}}[5m]))'}]},
                {"type": "timeseries", "title": "Errors", "targets": [{"expr": f'sum(rate(http_requests_total{{job="{svc}",code=~"5.."}}[5m]))'}]},
                {"type": "timeseries", "title": "Latency p99", "targets": [{"expr": "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))"}]},
            ]}
        else:
            rel = f"services/{svc}/fixtures/data-{i}.json"
            doc = {"id": i, "service": svc, "items": [{"sku": f"sku-{j}", "qty": rng.randint(1, 5)} for j in range(rng.randint(5, 60))]}
        put(rel, json.dumps(doc, indent=2))
    for i in range(plan["other"]):
        svc = services[i % n_services]
        if i % 3 == 0:
            put(f"scripts/{svc}/task-{i}.sh", _pad(rng, f"#!/usr/bin/env bash\nset -euo pipefail\necho {svc} {i}\n", 200, 1500))
        else:
            put(f"services/{svc}/data/sample-{i}.txt", _pad(rng, f"{svc} sample {i}\n", 100, 2000))
    return written


def ensure_tree(directory: str | None, files: int, tf: int, workflows: int) -> tuple[Path, bool, float]:
    """Generate into directory (reused when it holds a tree with the same parameters)."""
    params = {"files": files, "tf": tf, "workflows": workflows, "version": 2}
    root = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="wafops-bench-"))
    marker = root / MARKER
    if marker.exists():
        try:
            if json.loads(marker.read_text()) == params:
                return root, False, 0.0
        except ValueError:
            pass
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    generate(root, files, tf, workflows)
    marker.write_text(json.dumps(params))
    return root, True, time.perf_counter() - t0


# ---- measuring -------------------------------------------------------------------------------


class Timed:
    """Wraps a collector and records how long its collect() takes (materialising its items)."""

    def __init__(self, inner: Any, sink: dict[str, float]) -> None:
        self._inner = inner
        self._sink = sink

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def collect(self, subject: Any, ctx: Any) -> Iterable[Any]:
        t0 = time.perf_counter()
        try:
            items = list(self._inner.collect(subject, ctx))
        finally:
            self._sink[self._inner.name] = self._sink.get(self._inner.name, 0.0) + time.perf_counter() - t0
        return items


def timed_plugins(sink: dict[str, float]) -> Plugins:
    plugins = discover()
    plugins.collectors = [Timed(c, sink) for c in plugins.collectors]  # type: ignore[misc]
    return plugins


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def run_once(root: Path, jobs: int, per_collector: dict[str, float]) -> tuple[float, Any]:
    """Wall time of one scan; the CPU time it used is added to per_collector["_cpu"].

    CPU time is reported besides wall time because a single-subject scan runs on one thread:
    on a busy machine the wall time grows, the CPU time (about the idle-machine wall time) does not.
    """
    options = ScanOptions(jobs=jobs, now=AS_OF, layout="single")
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    result = scan([str(root)], options, timed_plugins(per_collector))
    wall = time.perf_counter() - t0
    per_collector["_cpu"] = cpu_seconds() - c0
    return wall, result


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def print_profile(profiler: cProfile.Profile, top: int) -> None:
    here = str(Path(__file__).resolve().parents[1])
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        stats.sort_stats(key).print_stats(top)
        print(f"\n--- cProfile top {top} by {key} ---")
        lines = buf.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
        for line in lines[start:]:
            print(line.replace(here + "/", ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=20_000, help="total files (default 20000)")
    ap.add_argument("--tf", type=int, default=2_000, help="Terraform files (default 2000)")
    ap.add_argument("--workflows", type=int, default=300, help="GitHub workflow files (default 300)")
    ap.add_argument("--dir", help="generate here (reused if it already holds the same tree); default: a temp dir, removed after")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--profile", type=int, metavar="N", default=0, help="cProfile the cold run and print the top N functions")
    ap.add_argument("--profile-out", metavar="FILE", help="with --profile: also dump the raw pstats to FILE")
    ap.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap peak (slows the scan)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    root, generated, gen_s = ensure_tree(args.dir, args.files, args.tf, args.workflows)
    n_files = sum(len(f) for _, _, f in os.walk(root)) - 1
    rss_before = maxrss_mb()
    cold: dict[str, float] = {}
    profiler = cProfile.Profile() if args.profile else None
    if args.tracemalloc:
        tracemalloc.start()
    try:
        if profiler:
            profiler.enable()
        cold_s, result = run_once(root, args.jobs, cold)
        if profiler:
            profiler.disable()
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        if args.tracemalloc:
            tracemalloc.stop()
        rss_after_cold = maxrss_mb()
        warm: dict[str, float] = {}
        warm_s, warm_result = run_once(root, args.jobs, warm)
        sr = result.subjects[0]
        cold_cpu, warm_cpu = cold.pop("_cpu"), warm.pop("_cpu")
        figures = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "root": str(root),
            "generated": generated,
            "generate_seconds": round(gen_s, 2),
            "files": n_files,
            "cold_seconds": round(cold_s, 2),
            "files_per_second": round(n_files / cold_s) if cold_s else None,
            "cold_cpu_seconds": round(cold_cpu, 2),
            "warm_seconds": round(warm_s, 2),
            "warm_cpu_seconds": round(warm_cpu, 2),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "peak_rss_mb": round(maxrss_mb(), 1),
            "rss_before_scan_mb": round(rss_before, 1),
            "peak_rss_after_cold_mb": round(rss_after_cold, 1),
            "python_heap_peak_mb": round(heap_peak, 1) if heap_peak is not None else None,
            "evidence": len(sr.evidence),
            "evidence_warm": len(warm_result.subjects[0].evidence),
            "warnings": len(sr.warnings),
            "collectors_cold_seconds": {k: round(v, 2) for k, v in sorted(cold.items(), key=lambda kv: -kv[1])},
            "collectors_warm_seconds": {k: round(v, 2) for k, v in sorted(warm.items(), key=lambda kv: -kv[1])},
            "cpus": os.cpu_count(),
        }
        kinds: dict[str, int] = {}
        for e in sr.evidence:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
        figures["evidence_by_kind"] = dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:15])
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            print(f"tree: {root} ({n_files} files{f', generated in {gen_s:.1f} s' if generated else ', reused'})")
            print(f"cold scan: {cold_s:.2f} s wall, {cold_cpu:.2f} s CPU  ({figures['files_per_second']} files/s)")
            print(f"warm scan: {warm_s:.2f} s wall, {warm_cpu:.2f} s CPU  (load average {figures['load_average_1m']})")
            print(f"peak RSS: {figures['peak_rss_mb']} MB (before scan {figures['rss_before_scan_mb']} MB)"
                  + (f", Python heap peak {figures['python_heap_peak_mb']} MB" if heap_peak is not None else ""))
            print(f"evidence: {len(sr.evidence)}  warnings: {len(sr.warnings)}")
            print("time per collector (cold): " + ", ".join(f"{k} {v:.2f}s" for k, v in figures["collectors_cold_seconds"].items()))
            print("time per collector (warm): " + ", ".join(f"{k} {v:.2f}s" for k, v in figures["collectors_warm_seconds"].items()))
            print("evidence by kind: " + ", ".join(f"{k} {v}" for k, v in figures["evidence_by_kind"].items()))
            for w in sr.warnings[:5]:
                print(f"  warning: {w.path}: {w.message}")
        if profiler:
            print_profile(profiler, args.profile)
            if args.profile_out:
                profiler.dump_stats(args.profile_out)
    finally:
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
