"""Issue 8, fuzzing that stays in the project: generated files through the parsers and the engine.

`benchmarks/fuzz.py` is the long mutation campaign a maintainer runs; this is its quick cousin in
the suite: every generated input must scan without an exception, follow the JSON schema, and
leave no collector failure behind.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wafops.scanner.core.files import RepoTree
from wafops.scanner.core.hcl import block_headers, parse_hcl_or_none
from wafops.scanner.core.redaction import mask
from wafops.scanner.engine import ScanOptions, scan
from wafops.scanner.plugins import discover
from wafops.scanner.reports import json_report

FRAGMENTS = ["{", "}", "[", "]", "${", "%{", "<<EOF\n", "EOF\n", "---\n", "- ", ": ", "&a ", "*a ", "!!binary ", '"', "'",
             "\\", "\t", "#", "//", "null", "1e999", "\n", "  ", "resource \"aws_cloudwatch_metric_alarm\" \"x\" {",
             "alarm_name = format(\"%s\", var.a)\n", "alert: High\n", "expr: up == 0\n", "runs-on: x\n", "on:\n",
             "jobs:\n", "steps:\n", "run: pytest\n", "environment: production\n", "groups:\n", "rules:\n",
             "backend \"s3\" {}", "terraform {", "\"panels\": [", "\"title\": \"x\"", "password: hunter2", "\u00e9", "\ufeff"]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("".join)
PATHS = [".github/workflows/ci.yml", "infra/main.tf", "dashboards/red.json", "alerts/rules.yml",
         "docs/runbooks/db.md", "docs/postmortems/2026-01-01-outage.md", "Jenkinsfile", ".gitlab-ci.yml",
         "k8s/deploy.yaml", "CODEOWNERS", "package.json", "pyproject.toml"]


@pytest.fixture(scope="module")
def plugins():
    return discover()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(PATHS), texts, min_size=1, max_size=6))
def test_generated_repositories_scan_cleanly(plugins, tmp_path_factory, files):
    root = tmp_path_factory.mktemp("fz")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    result = scan([str(root)], ScanOptions(jobs=1, layout="single"), plugins)
    doc = json_report.to_dict(result)
    json_report.validate(doc)
    failures = [w["message"] for w in doc["warnings"] if " failed" in w["message"]]
    assert not failures, failures


@settings(max_examples=200, deadline=None)
@given(texts)
def test_parsers_never_raise(text):
    tree = RepoTree(__import__("pathlib").Path("/nonexistent"))
    for kind in ("yaml", "json"):
        tree._text[f"f.{kind}"] = text
    tree.yaml_docs("f.yaml")
    tree.json("f.json")
    parse_hcl_or_none(text)
    block_headers(text)
    masked = mask(text)
    assert mask(masked) == masked  # masking is stable: a second pass finds nothing new
