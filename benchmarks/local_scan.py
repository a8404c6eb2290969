"""Local-scan benchmark: a large synthetic monorepo through the whole CLI.

Why: the scanner promises to handle a 20,000-file monorepo (2,000 Terraform files, 1,800 of them
distinct files that need a full python-hcl2 parse; 300 GitHub workflows) fast (issue #13: cold
under 4 s and 200 MB over all processes, warm under 1.5 s, on 2 cores). This script builds such a
repository (deterministically, from a seed) and times `wafops scan PATH --layout single --format
json -o FILE` as a subprocess, start-up and report included: wall time, CPU time of the scan and
every process below it (the parse workers too), the peak memory summed over all those processes,
for a cold run (empty parse cache), a warm run (the same tree again: collector outcomes reused, see
wafops.scanner.reuse), an edited run (one .tf file changed since: every collector runs, the parse
cache filled but for that file) and, with `--scaling`, cold runs on 5k/10k/20k/40k-file trees. `--in-process` is the former mode: the engine in this process, with the
time per collector and `--profile`.

    python benchmarks/local_scan.py                          # generate into a temp dir, scan, delete
    python benchmarks/local_scan.py --dir /tmp/mono --scaling --repeat 3
    python benchmarks/local_scan.py --dir /tmp/mono --in-process --profile 25
    python benchmarks/local_scan.py --files 5000 --tf 500 --workflows 80 --json
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterable, Iterator
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
PARSED_RESOURCES = [r for r in AWS_RESOURCES
                    if r[0] in ("aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm", "aws_ecs_service")]
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


def _real_world(rng: random.Random, svc: str, n: int, i: int) -> str:
    """Lines real modules put in resource blocks: a conditional count, a computed name. Real Terraform
    is rarely plain: of the blocks the collectors ask for in the calibration repositories and four
    public module collections, about 5 in 6 hold a call, a conditional or a heredoc (which python-hcl2
    parses, where wafops reads plain HCL itself, see wafops.scanner.core.hcl_simple)."""
    lines = ""
    if rng.random() < 0.5:
        lines += '  count = var.enabled ? 1 : 0\n'
    if rng.random() < 0.3:
        lines += f'  description = format("%s %s managed by terraform", "{svc}", var.environment)\n'
    return lines


def _tags(rng: random.Random, svc: str, n: int, i: int) -> str:
    if rng.random() < 0.8:
        return f'tags = merge(local.tags, {{ Name = "{svc}-{n}-{i}" }})'
    return "tags = local.tags"


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
        # the first block is one whose body a collector reads (alarm, log group, ECS service): every
        # main file needs a full python-hcl2 parse, as in the monorepo the issue (#13) measured
        rtype, body = rng.choice(PARSED_RESOURCES if i == 0 else AWS_RESOURCES)
        blocks.append(f'resource "{rtype}" "r{n}_{i}" {{\n{_real_world(rng, svc, n, i)}'
                      f'  {body.format(svc=svc, n=n)}\n  {_tags(rng, svc, n, i)}\n}}\n\n')
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
    """Write the synthetic monorepo below root; returns the number of files written.

    Of the `tf` Terraform files, 9 in 10 are distinct `main_N.tf` files holding a resource whose body
    a collector reads (so they need a full parse); the rest are backends, providers, variables,
    outputs and module calls, which the block-header pass alone reads."""
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
    tf_kinds = ["backend", "providers", "variables", "outputs", "modules"]
    for i in range(plan["tf"] - 1):
        svc = services[i % n_services]
        kind = tf_kinds[(i // 10) % len(tf_kinds)] if i % 10 == 9 else "main"
        env = ["dev", "staging", "prod"][(i // n_services) % 3]
        name = f"{kind}_{i}.tf"
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
    params = {"files": files, "tf": tf, "workflows": workflows, "version": 4}
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


def in_process(args: argparse.Namespace) -> int:
    """The former benchmark: the engine called in this process, with the time per collector.

    The persistent parse cache goes to a temporary folder (the "warm" run here is the process-wide
    content cache, as a second subject with the same files would see it). Collectors run one after
    another here (WAFOPS_NO_FORK), so each one's time is its own."""
    from wafops.scanner.core import parse_cache

    os.environ["WAFOPS_NO_FORK"] = "1"

    cache_tmp = tempfile.mkdtemp(prefix="wafops-bench-cache-")
    parse_cache.configure(directory=cache_tmp)
    root, generated, gen_s = ensure_tree(str(Path(args.dir) / "main") if args.dir else None,
                                         args.files, args.tf, args.workflows)
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
        shutil.rmtree(cache_tmp, ignore_errors=True)
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)
    return 0


# ---- the whole CLI as a subprocess ------------------------------------------------------------------

WAFOPS = [sys.executable, "-c", "import sys; sys.argv[0] = 'wafops'; from wafops.scanner.cli import entry; entry()"]
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def become_subreaper() -> bool:
    """Linux: processes orphaned below us (the multiprocessing forkserver and its workers, once the
    scan's main process has ended) are re-parented to this process, so reaping them adds their CPU
    time to RUSAGE_CHILDREN."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _children(pid: int) -> list[int] | None:
    """Child pids of `pid` from /proc/PID/task/*/children (None when the kernel does not offer it)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out.extend(int(c) for c in fh.read().split())
        except FileNotFoundError:
            continue
        except OSError:
            return None
    return out


def session_pids(sid: int) -> list[int]:
    """The live processes of the measured command's session. As a child subreaper this process is
    the ancestor of all of them, so walking the tree below it is enough (a few reads per sample, not
    one per process of the machine); without /proc/PID/task/*/children every process is looked at."""
    below = _children(os.getpid())
    if below is not None:
        todo, tree = list(below), []
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(_children(pid) or [])
        candidates = [str(p) for p in tree]
    else:
        try:
            candidates = os.listdir("/proc")
        except OSError:
            return []
    out = []
    for entry in candidates:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append(int(entry))
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
            stdout_path: str | None = None, interval: float = 0.05) -> dict[str, Any]:
    """Run `cmd` as a subprocess (its own session) and measure it with everything it starts.

    CPU: RUSAGE_CHILDREN before/after (the command and every process below it, all reaped: see
    become_subreaper); memory: the sum over the session's processes, sampled every `interval`
    seconds, as RSS (pages shared between a parent and its forked workers counted more than once)
    and as PSS (shared pages split between them), and the largest single process (sampled too:
    ru_maxrss of children is a maximum over every run of this benchmark)."""
    # measured as installed tools run: with bytecode caches. A machine-wide PYTHONDONTWRITEBYTECODE (set on
    # some CI and build machines) would make every run of every tool compile its modules from source again
    env = {k: v for k, v in (env if env is not None else os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, start_new_session=True, stdout=stdout, stderr=subprocess.PIPE)
    finally:
        if stdout_path:
            stdout.close()  # type: ignore[union-attr]
    peak_rss = peak_pss = peak_one = 0
    procs_seen: set[int] = set()
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss, peak_one
        while not stop.is_set():
            pids = session_pids(proc.pid)
            procs_seen.update(pids)
            rss = [_rss_bytes(p) for p in pids]
            peak_rss = max(peak_rss, sum(rss))
            peak_one = max([peak_one, *rss])
            peak_pss = max(peak_pss, sum(_pss_kb(p) for p in pids) * 1024)
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, err = proc.communicate()
    wall = time.perf_counter() - t0
    end = time.monotonic() + 10  # a forkserver ends once its parent has: reap it (and what it reaped)
    while time.monotonic() < end:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.02)
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
        "peak_rss_all_mb": round(peak_rss / 2**20, 1),
        "peak_pss_all_mb": round(peak_pss / 2**20, 1),
        "max_single_rss_mb": round(peak_one / 2**20, 1),
        "processes": len(procs_seen),
        "returncode": proc.returncode,
        "stderr_tail": err.decode(errors="replace")[-2000:],
    }


def wafops_command(root: Path, out_file: str, no_cache: bool = False) -> list[str]:
    cmd = [*WAFOPS, "scan", str(root), "--layout", "single", "--format", "json", "-o", out_file,
           "--as-of", AS_OF.date().isoformat()]
    return [*cmd, "--no-cache"] if no_cache else cmd


def run_cli(root: Path, cache_dir: str | None, out_file: str) -> dict[str, Any]:
    """`wafops scan ROOT --layout single --format json -o FILE` as a subprocess, start-up and report
    included, with the parse cache in `cache_dir` (None: `--no-cache`)."""
    env = dict(os.environ)
    if cache_dir is not None:
        env["WAFOPS_PARSE_CACHE_DIR"] = cache_dir
    if os.path.exists(out_file):
        os.unlink(out_file)
    r = measure(wafops_command(root, out_file, no_cache=cache_dir is None), env=env)
    if r["returncode"] not in (0, 1):
        raise SystemExit(f"wafops scan failed ({r['returncode']}): {r['stderr_tail']}")
    try:
        doc = json.loads(Path(out_file).read_text())
        summary = doc.get("evidence_summary") or {}  # evidence no criterion cites is counted there by kind
        r["evidence"] = len(doc.get("evidence") or []) + sum((summary.get("uncited_by_kind") or {}).values())
    except (OSError, ValueError, AttributeError, TypeError):
        r["evidence"] = None
    r["report_mb"] = round(os.path.getsize(out_file) / 2**20, 2) if os.path.exists(out_file) else None
    del r["stderr_tail"], r["returncode"]
    return r


def settle(root: Path) -> None:
    """Wait until the newest file is older than the window in which a scan keeps no outcome (a change in
    the same clock tick would not show in the file times): as for a checkout not written this very second."""
    from wafops.scanner.reuse import RACY_NS

    newest = max(os.stat(os.path.join(d, n)).st_ctime_ns for d, _s, names in os.walk(root) for n in names)
    wait = (newest + RACY_NS - time.time_ns()) / 1e9
    if wait > 0:
        time.sleep(wait + 0.1)


@contextlib.contextmanager
def edited(root: Path) -> Iterator[None]:
    """One Terraform file changed (a line appended), as after a developer's edit; restored after."""
    path = sorted(root.rglob("*.tf"))[0]
    text = path.read_text()
    path.write_text(text + "\n# edited\n")
    try:
        yield
    finally:
        path.write_text(text)
        settle(root)


def tree_stats(root: Path) -> dict[str, int]:
    files = tf = 0
    for _d, _dirs, names in os.walk(root):
        files += len(names)
        tf += sum(1 for n in names if n.endswith(".tf"))
    return {"files": files - 1, "tf": tf}  # minus the marker


def _line(label: str, r: dict[str, Any]) -> str:
    return (f"{label:<22} {r['wall_s']:6.2f} s wall  {r['cpu_s']:6.2f} s CPU  peak {r['peak_pss_all_mb']:6.1f} MB PSS "
            f"/ {r['peak_rss_all_mb']:6.1f} MB RSS (all {r['processes']} processes; largest one {r['max_single_rss_mb']} MB)"
            f"  evidence {r['evidence']}")


def cli_figures(args: argparse.Namespace) -> int:
    reaper = become_subreaper()
    work = Path(tempfile.mkdtemp(prefix="wafops-bench-"))
    base = Path(args.dir) if args.dir else work
    figures: dict[str, Any] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
                               "load_average_1m_before": round(os.getloadavg()[0], 2), "subreaper": reaper}
    try:
        root, generated, gen_s = ensure_tree(str(base / "main") if args.dir else str(work / "tree"),
                                             args.files, args.tf, args.workflows)
        figures["tree"] = {"root": str(root), **tree_stats(root), "generated": generated, "generate_s": round(gen_s, 1)}
        out = str(work / "out.json")
        settle(root)
        runs: dict[str, list[dict[str, Any]]] = {"cold": [], "warm": [], "edited": [], "no_cache": []}
        for n in range(args.repeat):
            cache = str(work / f"cache-{n}")
            runs["cold"].append(run_cli(root, cache, out))
            runs["warm"].append(run_cli(root, cache, out))
            with edited(root):
                runs["edited"].append(run_cli(root, cache, out))
            if args.no_cache_run:
                runs["no_cache"].append(run_cli(root, None, out))
        for name, rs in runs.items():
            if rs:
                figures[name] = min(rs, key=lambda r: r["wall_s"])  # the least disturbed run of a busy machine
                figures[name + "_all_wall_s"] = [r["wall_s"] for r in rs]
        if args.scaling:
            figures["scaling"] = {}
            for n in args.scaling:
                tf, wf = max(10, n // 10), max(10, n * 3 // 200)
                sroot, _g, _s = ensure_tree(str(base / f"scale-{n}"), n, tf, wf)
                cache = str(work / f"cache-scale-{n}")
                r = run_cli(sroot, cache, out)
                r.update(tree_stats(sroot))
                figures["scaling"][n] = r
        figures["load_average_1m_after"] = round(os.getloadavg()[0], 2)
        if args.json:
            print(json.dumps(figures, indent=2))
            return 0
        t = figures["tree"]
        how = f"generated in {t['generate_s']:.1f} s" if t["generated"] else "reused"
        print(f"tree: {t['root']} ({t['files']} files, {t['tf']} .tf; {how})")
        print(f"wafops scan --layout single --format json -o FILE, a subprocess; {os.cpu_count()} CPUs, "
              f"load average {figures['load_average_1m_before']} before, {figures['load_average_1m_after']} after")
        print(_line("cold (empty cache)", figures["cold"]))
        print(_line("warm (same tree)", figures["warm"]))
        print(_line("edited (one .tf file)", figures["edited"]))
        if figures.get("no_cache"):
            print(_line("--no-cache", figures["no_cache"]))
        if args.repeat > 1:
            print("all wall times: " + "; ".join(f"{k} {figures[k + '_all_wall_s']}" for k in runs if runs[k]))
        for r in (figures.get("scaling") or {}).values():
            print(_line(f"cold {r['files']} files", r) + f"  ({r['files'] / r['wall_s']:.0f} files/s)")
        if not reaper:
            print("note: not Linux (no subreaper): the workers' CPU time may be missing from the CPU figures")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=20_000, help="total files (default 20000)")
    ap.add_argument("--tf", type=int, default=2_000, help="Terraform files (default 2000, 9 in 10 need a full parse)")
    ap.add_argument("--workflows", type=int, default=300, help="GitHub workflow files (default 300)")
    ap.add_argument("--dir", help="generate here (reused if it already holds the same trees); default: a temp dir, removed after")
    ap.add_argument("--repeat", type=int, default=1, help="cold/warm pairs to run (the fastest is reported)")
    ap.add_argument("--no-cache-run", action="store_true", help="also time a --no-cache scan")
    ap.add_argument("--scaling", type=int, nargs="*", metavar="FILES",
                    help="also cold-scan trees of these sizes (no value: 5000 10000 20000 40000)")
    ap.add_argument("--in-process", action="store_true",
                    help="the engine in this process instead, with the time per collector (main process only)")
    ap.add_argument("--jobs", type=int, default=4, help="--in-process: subjects in parallel")
    ap.add_argument("--profile", type=int, metavar="N", default=0, help="--in-process: cProfile the cold run, print the top N")
    ap.add_argument("--profile-out", metavar="FILE", help="with --profile: also dump the raw pstats to FILE")
    ap.add_argument("--tracemalloc", action="store_true", help="--in-process: also the Python heap peak (slows the scan)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if args.scaling == []:
        args.scaling = [5_000, 10_000, 20_000, 40_000]
    if args.in_process:
        return in_process(args)
    return cli_figures(args)


if __name__ == "__main__":
    raise SystemExit(main())
