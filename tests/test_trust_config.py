"""Issue 8, configuration: unknown keys and wrong types are errors (exit 2) naming the nearest valid key."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from wafops.scanner.cli import main

from tests.helpers import write_tree

REPO = {"README.md": "# svc\n"}


@pytest.fixture
def repo(tmp_path):
    return write_tree(tmp_path / "svc", REPO)


def _run(repo, tmp_path, config: str | None = None, *args: str):
    cmd = ["scan", str(repo), "--format", "json"]
    if config is not None:
        cfg = tmp_path / "wafops.yml"
        cfg.write_text(config)
        cmd += ["--config", str(cfg)]
    return CliRunner().invoke(main, [*cmd, *args])


@pytest.mark.parametrize(("config", "expected"), [
    ("treshold: {}\n", "did you mean 'thresholds'"),
    ("thresholds:\n  runbook_freshnes: {max_age_days: 120}\n", "did you mean 'runbook_freshness'"),
    ("thresholds:\n  runbook_freshness: {max_age_day: 120}\n", "did you mean 'max_age_days'"),
    ("thresholds:\n  runbook_freshness: {max_age_days: '120'}\n", "is not a whole number"),
    ("thresholds:\n  runbook_freshness: 120\n", "runbook_freshness"),
    ("options:\n  production_patern: '^prod$'\n", "did you mean 'production_pattern'"),
    ("options:\n  github_retries: many\n", "github_retries: 'many' is not a whole number"),
    ("options:\n  include_forks: maybe\n", "true or false"),
    ("options:\n  github_depth: ful\n", "did you mean 'full'"),
])
def test_config_typos_and_wrong_types_are_errors(repo, tmp_path, config, expected):
    r = _run(repo, tmp_path, config)
    assert r.exit_code == 2, r.output
    assert expected in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize(("option", "expected"), [
    ("github_timout=5", "did you mean 'github_timeout'"),
    ("github_timeout=soon", "is not a number"),
    ("github_retries=2.5", "is not a whole number"),
    ("github_max_pages=x", "is not a whole number"),
    ("github_url=ftp//nowhere", "not an http(s) URL"),
])
def test_bad_option_values_exit_2_before_the_scan(repo, tmp_path, option, expected):
    r = _run(repo, tmp_path, None, "--option", option)
    assert r.exit_code == 2, r.output
    assert expected in r.output


def test_valid_settings_pass_and_keep_their_types(repo, tmp_path):
    r = _run(repo, tmp_path, "as_of: 2026-11-22\noptions:\n  production_pattern: '^live$'\n  github_retries: 2\n"
             "thresholds:\n  runbook_freshness: {max_age_days: 90}\n", "--option", "github_timeout=12.5")
    assert r.exit_code == 0, r.output


def test_option_types_convert_strings():
    from wafops.scanner.core.options import ConfigError, check_options

    assert check_options({"github_retries": "3", "include_forks": "yes", "include": "a*,b"}) == {
        "github_retries": 3, "include_forks": True, "include": ["a*", "b"]}
    with pytest.raises(ConfigError, match="github_max_wait"):
        check_options({"github_max_wait": "nan"})


def test_plugins_declare_their_options():
    from types import SimpleNamespace

    from wafops.scanner.core.options import ConfigError, check_options

    class MyCollector:
        option_types = {"mytool_url": "url"}

    plugins = SimpleNamespace(collectors=[MyCollector()], resolvers={})
    assert check_options({"mytool_url": "https://x.example/"}, plugins) == {"mytool_url": "https://x.example"}
    with pytest.raises(ConfigError, match="mytool_url"):
        check_options({"mytool_url": "nope"}, plugins)
