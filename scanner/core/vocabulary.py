"""Small helpers several collectors share: production names, redaction, front matter, globs."""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml
from wafops.scanner.core.redaction import mask

DEFAULT_PRODUCTION_PATTERN = r"(?i)^(prod|production|prd|live)([-_ ].*)?$"

def is_production(name: str | None, pattern: str | None = None) -> bool:
    """D-PROD: whether an environment name means production (configurable pattern)."""
    if not name:
        return False
    return re.search(pattern or DEFAULT_PRODUCTION_PATTERN, str(name).strip()) is not None


def redact(text: str | None, limit: int = 300) -> str:
    """Text safe to put in a report: secret-looking values masked, length capped."""
    if not text:
        return ""
    out = mask(str(text))  # one masker for collectors and reports (scanner/core/redaction.py), linear time
    return out if len(out) <= limit else out[: limit - 1] + "…"


FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", re.S)


def front_matter(text: str) -> dict[str, Any]:
    """YAML front matter of a Markdown document ({} when absent or malformed)."""
    m = FRONT_MATTER.match(text or "")
    if not m:
        return {}
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


# Directories that hold samples, tests and fixtures rather than the team's own, running configuration.
# One vocabulary for every collector and probe; callers add context-specific names (e.g. docs/).
SAMPLE_DIRS = frozenset({
    "example", "examples", "sample", "samples", "demo", "demos", "test", "tests", "testdata", "test-data",
    "test-fixtures", "test_fixtures", "fixture", "fixtures", "__tests__", "__fixtures__", "__snapshots__", "e2e",
    "testing", "tutorial", "tutorials", "playground", "sandbox", "quickstart", "molecule", "testcases",
    "integration-tests", "integration_tests", "benchmark", "benchmarks",
})
DOC_DIRS = frozenset({"doc", "docs", "website"})
# IaC under these is not an estate anyone runs (samples, docs, dev tooling)
IAC_EXAMPLE_DIRS = SAMPLE_DIRS | DOC_DIRS | {"hack", "devenv", "contrib", "third_party", "third-party", "qa"}


def is_iac_example_dir(dir_: str) -> bool:
    """Whether IaC in this directory is a sample rather than an estate anyone runs.

    `qa` marks a test suite only at the top level (GitLab's `qa/`); nested under an account, region
    or `envs/` folder (`non-prod/us-east-1/qa/mysql`) it is an environment of a live repository.
    """
    parts = [s.lower() for s in str(dir_).strip("/").split("/")]
    segments = set(parts)
    if parts and parts[0] != "qa":
        segments.discard("qa")
    return bool(segments & IAC_EXAMPLE_DIRS)


def _folders(path: str, is_dir: bool) -> list[str]:
    parts = str(path).lower().strip("/").split("/")
    return parts if is_dir else parts[:-1]


def dir_segments(path: str, is_dir: bool = False) -> set[str]:
    """Lower-cased directory names of a repo-relative path (the file name itself excluded)."""
    return set(_folders(path, is_dir))


def is_sample_path(path: str, also: frozenset[str] | set[str] = frozenset(), is_dir: bool = False) -> bool:
    """Whether `path` lies under a sample/test/fixture directory (or one of the `also` names).

    Collectors ask this for every path of a tree, several times (~70,000 times on a 20,000-file tree): the
    answer is remembered for the recent paths, and the folders are tested against each vocabulary as
    they are, without building their set and the union of the vocabularies per call."""
    if isinstance(also, frozenset):
        return _is_sample_path(path, also, is_dir)
    return _is_sample_path.__wrapped__(path, also, is_dir)


@functools.lru_cache(maxsize=1 << 16)
def _is_sample_path(path: str, also: frozenset[str] | set[str], is_dir: bool) -> bool:
    folders = _folders(path, is_dir)
    return not SAMPLE_DIRS.isdisjoint(folders) or (bool(also) and not also.isdisjoint(folders))
