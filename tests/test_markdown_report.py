"""The Markdown summary: control names in the header, and under GitHub's 1 MiB job-summary limit for a
large organisation (weakest and strongest subjects shown, the rest named as being in the artifact)."""

from __future__ import annotations

import copy
import json

from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.reports import markdown

from tests.test_decisions import LEGACY


def _doc(tmp_path) -> dict:
    out = tmp_path / "r.json"
    assert CliRunner().invoke(main, ["scan", str(LEGACY), "--format", "json", "-o", str(out)]).exit_code == 0
    return json.loads(out.read_text())


def test_header_names_the_controls(tmp_path):
    text = markdown.render(_doc(tmp_path))
    assert "010 CI/CD" in text and "100 Ops debt" in text


def test_a_large_organisation_stays_under_one_mib(tmp_path):
    one = _doc(tmp_path)
    subject = one["subjects"][0]
    big = dict(one, subjects=[])
    for n in range(3000):
        s = copy.deepcopy(subject)
        s["id"] = f"github:acme/service-{n:04d}"
        for c in s["controls"]:
            c["next_level"] = [g + " " + "x" * 400 for g in c["next_level"]] or ["y" * 400]
            if c["level"] is not None:
                c["level"] = 1 + n % 5
        big["subjects"].append(s)
    text = markdown.render(big)
    assert len(text.encode()) < 1024 * 1024
    assert "3000 subjects" in text and "github:acme/service-" in text
    shown = [line for line in text.splitlines() if line.startswith("| github:acme/")]
    assert len(shown) == 2 * markdown.SHOWN_EACH_END


def test_json_is_compact_unless_pretty(tmp_path):
    compact = CliRunner().invoke(main, ["scan", str(LEGACY), "--format", "json"]).output
    pretty = CliRunner().invoke(main, ["scan", str(LEGACY), "--format", "json", "--pretty"]).output
    assert "\n  " not in compact.strip() and "\n  " in pretty
    strip = lambda d: {k: v for k, v in d.items() if k not in ("started_at", "finished_at")}  # noqa: E731
    a, b = json.loads(compact), json.loads(pretty)
    for d in (a, b):
        for e in d["evidence"]:
            e.pop("collected_at", None)
    assert strip(a) == strip(b)
    assert len(compact) < 0.8 * len(pretty)
