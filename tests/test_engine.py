"""Engine behaviour a user relies on: subjects from paths, source statuses, interrupted scans."""

from __future__ import annotations

from wafops.collectors.base import Collector
from wafops.scanner.engine import ScanOptions, scan
from wafops.scanner.plugins import Plugins, discover
from wafops.scanner.reports.json_report import to_dict, validate

from tests.helpers import NOW, write_tree


class _StopOnSecond(Collector):
    """Behaves like a user pressing Ctrl-C while the second repository is being read."""

    name = "stopper"
    source = "repo"

    def collect(self, subject, ctx):
        if subject.id.endswith("b"):
            raise KeyboardInterrupt
        yield ctx.file_evidence("test.seen", "README.md", line=1)


def test_interrupted_scan_keeps_what_was_collected(tmp_path):
    for name in ("a", "b", "c"):
        write_tree(tmp_path / "all" / name, {"README.md": f"{name}\n", "main.py": "print(1)\n"})
    plugins = Plugins(collectors=[_StopOnSecond()])
    result = scan([str(tmp_path / "all")], ScanOptions(jobs=1, now=NOW), plugins)
    assert result.complete is False
    assert [s.subject.id for s in result.subjects] == ["local:a"]
    assert [e.kind for e in result.subjects[0].evidence] == ["test.seen"]
    assert any("interrupted: 2 of 3" in w.message for w in result.warnings)
    doc = to_dict(result)
    validate(doc)
    assert doc["complete"] is False


def test_parallel_scan_keeps_target_order(tmp_path):
    for name in ("z", "m", "a"):
        write_tree(tmp_path / "all" / name, {"README.md": f"{name}\n"})
    result = scan([str(tmp_path / "all" / n) for n in ("z", "m", "a")], ScanOptions(jobs=3, now=NOW), discover())
    assert result.complete
    assert [s.subject.id for s in result.subjects] == ["local:z", "local:m", "local:a"]


def test_unscanned_sources_are_named_with_a_reason(tmp_path):
    repo = write_tree(tmp_path / "svc", {"README.md": "svc\n"})
    result = scan([str(repo)], ScanOptions(now=NOW), discover())
    sources = result.subjects[0].sources
    assert sources["repo"].status.value == "ok"
    for name in ("github", "gitlab", "aws", "azure", "git"):
        assert sources[name].status.value == "not_configured" and sources[name].reason, name


def test_a_failing_detector_costs_a_warning_not_the_evidence(tmp_path):
    from wafops.collectors.base import CollectContext
    from wafops.scanner.core.model import Subject

    ctx = CollectContext(subject=Subject("local:x"))

    def good():
        return [ctx.file_evidence("t.good", "a.yml", line=1)]

    def half():
        yield ctx.file_evidence("t.half", "b.yml", line=2)
        raise ValueError("odd file")

    out = ctx.run_detectors("demo", (good, half, lambda: None))
    assert [e.kind for e in out] == ["t.good", "t.half"]
    assert [w.message for w in ctx.warnings] == ["demo collector: half failed: ValueError: odd file"]


def test_a_github_checkout_says_which_repository_to_scan(tmp_path):
    import subprocess

    repo = write_tree(tmp_path / "svc", {"README.md": "svc\n"})
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
           "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(tmp_path)}
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "init"],
                ["remote", "add", "origin", "git@github.com:acme/payments.git"]):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True, env=env)
    result = scan([str(repo)], ScanOptions(now=NOW), discover())
    github = result.subjects[0].sources["github"]
    assert github.status.value == "not_configured"
    assert "scan github:acme/payments with a token" in github.reason
    assert "gitlab:" not in result.subjects[0].sources["gitlab"].reason
