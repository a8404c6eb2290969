"""Issue 8, secrets: one redaction pass over everything that leaves the process, in linear time.

The corpus holds one value of each secret shape the issue lists; each is checked against every
output format (json, table, markdown, sarif, html, gitlab-codequality), stderr and error messages.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from wafops.scanner.cli import FORMATS, main
from wafops.scanner.core.redaction import Stats, mask, redact

from tests.helpers import write_tree

# the part that must never appear -> the text it appears in
CORPUS = {
    "AKIA" + "Z7Q2WERTYUIOPASD": "AWS_ACCESS_KEY_ID: {s}",
    "ASIA" + "Y4K9MNBVCXZLKJHG": "aws configure set aws_access_key_id {s}",
    "FwoGZXIvYXdzEJr//////////wEaDH" + "q8sK2mW5xY7zA3bC9dE1fG4hJ6kL0nP": "export AWS_SESSION=\"{s}\"",
    "IQoJb3JpZ2luX2VjEJr" + "vYXdzEJr//wEaDHq8sK2mW5xY7zA3bC9dE1fG4h": "session {s}",
    "ghp_" + "Zq9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa": "token {s} in a log",
    "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH": "GH={s}",
    "ghs_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789": "installation {s}",
    "glpat-" + "xYz12AbC34dEf56GhI78": "CI_JOB={s}",
    "T0AAAAAAA/B0BBBBBBB/" + "xXyYzZ0123456789aAbBcCdD": "runbook: https://hooks.slack.com/services/{s}",
    "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx": "SLACK {s}",
    "xoxp-" + "123456789012-123456789012-123456789012-abcdef0123456789abcdef0123456789": "user {s}",
    "sk_live_" + "51HqLyjWDarjtT1zdp7dcXYZabc": "STRIPE {s}",
    "MIIEpAIBAAKCAQEA" + "7bq98xYz0123456789abcdefghijkl": "-----BEGIN RSA PRIVATE KEY-----\n{s}\nQWE=\n-----END RSA PRIVATE KEY-----",
    "Sup3rS3cretPw": "see https://deploy:{s}@wiki.example.com/runbooks/5xx",
    "N0Scheme-Pw99": "git clone ops:{s}@git.example.com/infra.git",
    "MyDbPassw0rd": "mysql -h db -u root -p{s} shop < dump.sql",
    "H0rse-Battery": "DB_PASSWORD: {s}",
    "Curl-Pw-42x": "curl -u admin:{s} https://api.example.com",
    ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
     ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"): "Authorization header {s}",
}
SECRETS = list(CORPUS)


@pytest.mark.parametrize("secret", SECRETS)
def test_every_corpus_secret_is_masked(secret):
    text = CORPUS[secret].format(s=secret)
    masked = mask(text)
    assert secret not in masked and "redacted" in masked
    assert mask(masked) == masked  # masking twice changes nothing


def test_plain_text_is_left_alone():
    for text in ("cp -pr a b", "mkdir -p out", "git@github.com:acme/shop.git", "ops@example.com",
                 "tokens: 5", "uses: actions/checkout@v4", "https://github.com/acme/shop/blob/abc/x.yml#L3"):
        assert mask(text) == text


def _doc_with_secrets_in_every_field() -> dict:
    """A ScanResult whose every free-text field carries a secret, rendered to the JSON contract."""
    from wafops.rules.catalog import load_catalog
    from wafops.rules.probes import EvidenceSet
    from wafops.scanner.assess.levels import evaluate_control
    from wafops.scanner.core.model import (
        Evidence,
        Locator,
        ScanWarning,
        SourceState,
        SourceStatus,
        Subject,
        SubjectResult,
    )
    from wafops.scanner.engine import ScanResult
    from wafops.scanner.reports import json_report

    now = datetime(2026, 11, 22, tzinfo=UTC)
    blob = " | ".join(CORPUS[s].format(s=s) for s in SECRETS)
    subject = Subject(id="local:svc", workdir=None, commit="0" * 40)
    ev = [Evidence("ci.job", subject.id, "repo", Locator(path="ci.yml", line=1), {"name": "deploy", "run": blob,
                   "nested": [{"cmd": blob}]}, summary=blob),
          Evidence("runbook.link", subject.id, "repo", Locator(url=f"https://hooks.slack.com/services/{SECRETS[8]}"),
                   {"url": blob}, summary=blob)]
    sources = {"repo": SourceStatus("repo", SourceState.OK),
               "github": SourceStatus("github", SourceState.ERROR, f"GitHub answered 401 Bad credentials: {blob}")}
    es = EvidenceSet(ev, sources, now)
    controls = [evaluate_control(c, es) for c in load_catalog()]
    for c in controls:
        for cr in c.criteria:
            cr.reason += " " + blob
    warnings = [ScanWarning(subject.id, "repo", f"malformed YAML: {blob}", path=f"docs/{CORPUS[SECRETS[16]].format(s=SECRETS[16])}")]
    sr = SubjectResult(subject, controls, sources, ev, warnings)
    result = ScanResult(now, now, [sr], [f"plugin x failed: {blob}"], [ScanWarning("*", "github", blob)])
    return json_report.to_dict(result)


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_no_corpus_secret_in_any_report_field(tmp_path):
    doc = _doc_with_secrets_in_every_field()
    assert _leaks(json.dumps(doc)) == []
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    runner = CliRunner()
    for fmt in FORMATS:
        r = runner.invoke(main, ["report", str(path), "--format", fmt, "--details"])
        assert r.exit_code == 0, (fmt, r.output)
        assert _leaks(r.output) == [], fmt


def test_a_saved_result_with_secrets_is_masked_when_rendered(tmp_path):
    """A result written by an older version (unmasked fields) is masked by `report` and `diff`."""
    doc = _doc_with_secrets_in_every_field()
    doc["sources"][0]["reason"] = "token " + SECRETS[4]
    doc["subjects"][0]["sources"][0]["reason"] = CORPUS[SECRETS[13]].format(s=SECRETS[13])
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    for fmt in FORMATS:
        r = CliRunner().invoke(main, ["report", str(path), "--format", fmt])
        assert _leaks(r.output) == [], fmt


def test_local_scan_with_the_corpus_leaks_nothing(tmp_path):
    lines = "\n".join(CORPUS[s].format(s=s) for s in SECRETS)
    indented = "\n".join("        # " + x for x in lines.splitlines())
    repo = write_tree(tmp_path / "svc", {
        "README.md": f"# svc\n\n{lines}\n",
        ".github/workflows/deploy.yml": (
            "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n"
            f"    env:\n      AWS_ACCESS_KEY_ID: {SECRETS[0]}\n      AWS_SESSION_TOKEN: {SECRETS[2]}\n"
            f"    steps:\n      - run: |\n          {CORPUS[SECRETS[15]].format(s=SECRETS[15])}\n{indented}\n"
            f"      - run: curl -X POST https://hooks.slack.com/services/{SECRETS[8]} -d ok\n"
        ),
        "alerts/rules.yml": (
            "groups:\n- name: svc\n  rules:\n  - alert: HighErrorRate\n    expr: sum(rate(x[5m])) > 1\n"
            f"    annotations:\n      runbook_url: https://hooks.slack.com/services/{SECRETS[8]}\n"
            f"      summary: 'key {SECRETS[1]} stripe {SECRETS[11]} jwt {SECRETS[18]}'\n"
        ),
        "docs/runbooks/db.md": f"# DB runbook\n\n{lines}\n",
        f"docs/runbooks/{SECRETS[4]}.md": "# named after a token\n",
        "bad.yml": f"key: [{SECRETS[9]}\n",
    })
    runner = CliRunner()
    for fmt in FORMATS:
        r = runner.invoke(main, ["scan", str(repo), "--format", fmt, "--details", "--as-of", "2026-11-22"])
        assert r.exit_code == 0, (fmt, r.output)
        assert _leaks(r.output) == [], fmt
        assert _leaks(r.stderr) == [], fmt


def test_error_messages_are_masked(tmp_path):
    r = CliRunner().invoke(main, ["scan", str(tmp_path), "--option", f"github_url=https://x:{SECRETS[13]}@bad host"])
    assert r.exit_code == 2 and SECRETS[13] not in r.output
    r = CliRunner().invoke(main, ["scan", f"nope:{SECRETS[4]}"])
    assert r.exit_code == 2 and SECRETS[4] not in r.output


# ---- linear time ---------------------------------------------------------------------------
FRAGMENTS = ["a", "Z", "0", ":", "@", ".", "/", "=", " ", "\n", "-", "_", "eyJ", "ghp_", "gl", "AKIA", "ASIA", "xox",
             "password", "token", "://", "x.com", "-u ", "--user ", "mysql ", "-p", "-----BEGIN RSA PRIVATE KEY-----",
             "-----END", "Bearer ", "authorization: ", "sk_live_", "hooks.slack.com/services/", "FwoGZXIvYXdz", "'", '"']


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, 400)), min_size=1, max_size=12))
def test_masking_work_is_linear_in_the_input(parts):
    """Counted, not timed: regex passes are bounded by the pattern count (each pass is linear by
    construction), and the characters the Python scan looks at grow at most linearly with the input."""
    text = "".join(frag * n for frag, n in parts)
    stats = Stats()
    mask(text, stats)
    assert stats.passes <= 25
    assert stats.steps <= 2 * len(text) + 1
    assert stats.at_signs <= text.count("@")


ADVERSARIAL = {
    "word run": lambda n: "a" * n,
    "colons": lambda n: "a:" * (n // 2),
    "at signs": lambda n: "x:y@" * (n // 4),
    "jwt heads": lambda n: "eyJ" * (n // 3),
    "keyword and spaces": lambda n: ("password" + " " * 40) * (n // 48),
    "curl user": lambda n: " -u " + "a" * n,
    "key header": lambda n: "-----BEGIN RSA PRIVATE KEY-----" + "A" * n,
    "mysql": lambda n: ("mysql " + "x " * 50) * (n // 106),
    "key prefixes": lambda n: "AKIAghp_xoxb-sk_live_FwoGZXIvYXdz" * (n // 33),
    "glued token run": lambda n: "0ghp_" + "A" * n,
    "workflow": lambda n: ("      - run: curl -H 'Authorization: token ghp_" + "Zq9" * 12
                           + "' https://user:pw@x.example.com/a\n") * (n // 110),
}


def _best(fn, text, reps=3):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t)
    return best


@pytest.mark.parametrize("family", sorted(ADVERSARIAL))
def test_a_133_kb_value_is_masked_fast_and_time_grows_linearly(family):
    """Wall time only as a backstop with generous bounds (quadratic work would be 256x for 16x input;
    the old masker took about 63 s on a 133 KB value)."""
    make = ADVERSARIAL[family]
    small, big = make(8 * 1024), make(133 * 1024)
    t_small, t_big = _best(mask, small), _best(mask, big)
    assert t_big < 1.0, f"{family}: {t_big:.2f}s for 133 KB"
    assert t_big < 64 * t_small + 0.05, f"{family}: {t_small * 1000:.1f} ms -> {t_big * 1000:.1f} ms"


def test_redact_walks_keys_lists_and_nested_values():
    doc = {"a": [{"b": f"token={SECRETS[4]}"}], f"password={SECRETS[16]}": 1, "n": 3, "none": None}
    out = redact(doc)
    assert _leaks(json.dumps(out)) == [] and out["n"] == 3 and out["none"] is None
