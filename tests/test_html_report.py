"""The HTML report in a real headless browser: it renders offline, logs no console error, and a click
on a cell opens that control's criteria with their evidence.

Uses Debian's chromium through Playwright. Skipped when no browser is installed, unless
WAFOPS_REQUIRE_BROWSER=1 (CI installs chromium and sets it, so there it must run).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from wafops.scanner.cli import main
from wafops.scanner.reports import html

EXAMPLES = Path(__file__).parent.parent / "examples" / "repos"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def example_doc(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("html") / "r.json"
    res = CliRunner().invoke(main, ["scan", str(EXAMPLES), "--format", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


def test_html_is_self_contained_and_escaped(example_doc):
    doc = json.loads(json.dumps(example_doc))
    doc["subjects"][0]["id"] = "<script>alert(1)</script>"
    page = html.render(doc)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for remote in ("src=\"http", "href=\"//", "<link ", "@import", "cdn."):
        assert remote not in page, f"the report must need no network: found {remote!r}"
    assert page.count("<template id=\"d-") == sum(len(s["controls"]) for s in doc["subjects"])


def test_report_command_writes_html(example_doc, tmp_path):
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(example_doc))
    res = CliRunner().invoke(main, ["report", str(saved), "--format", "html"])
    assert res.exit_code == 0 and res.output.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("WAFOPS_REQUIRE_BROWSER") != "1",
                    reason="no chromium installed (apt-get install chromium); CI sets WAFOPS_REQUIRE_BROWSER=1")
def test_html_report_in_headless_chromium(example_doc, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api") if os.environ.get("WAFOPS_REQUIRE_BROWSER") != "1" \
        else __import__("playwright.sync_api", fromlist=["sync_playwright"])
    assert CHROMIUM, "WAFOPS_REQUIRE_BROWSER=1 but no chromium on PATH"
    page_file = tmp_path / "report.html"
    page_file.write_text(html.render(example_doc))
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
            page.goto(page_file.as_uri())
            rows = page.locator("#matrix tbody tr")
            assert rows.count() == len(example_doc["subjects"])
            subject, control = example_doc["subjects"][-1], example_doc["subjects"][-1]["controls"][0]
            page.locator(f"tr[data-subject='{subject['id']}'] td.cell").first.click()
            details = page.locator("#details")
            assert control["id"] in details.inner_text()
            assert details.locator(".crit").count() == len(control["criteria"])
            page.fill("#filter", subject["id"])
            assert page.locator("#matrix tbody tr:not([hidden])").count() == 1
            page.fill("#filter", "")
            page.locator("#matrix th[data-col='1']").click()  # sorting must not throw
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            if os.environ.get("WAFOPS_SCREENSHOT"):
                shutil.copy(shot, os.environ["WAFOPS_SCREENSHOT"])
        finally:
            browser.close()
    assert not errors, errors
