"""A reviewer's session in real headless Chromium (Debian's package, driven by Playwright): sign in,
claim a promoted cluster, verify it with PISS sub-scores (the page's script previews the composite
under the site's CSP), then find the incident in ``lpi export csv``. Screenshots of the main pages
go to /tmp/lpi-screens."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import LiveServer
from tests.web.test_review_pages import FIELDS, PASSWORDS, promoted  # noqa: F401 (promoted is a fixture)

CHROMIUM = Path("/usr/bin/chromium")
SCREENS = Path("/tmp/lpi-screens")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
if not CHROMIUM.exists() and shutil.which("chromium") is None:
    pytest.skip("no Chromium at /usr/bin/chromium: apt-get install -y chromium", allow_module_level=True)

SELECTS = ("category", "sector", "detection_mechanism", "piss_population", "piss_harm", "piss_detection", "piss_response")


def test_a_reviewer_verifies_an_incident_in_the_browser(promoted: list[int], live: LiveServer, tmp_path: Path) -> None:  # noqa: F811
    SCREENS.mkdir(exist_ok=True)
    problems: list[str] = []
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")))
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(f"{live.url}/review")
        assert page.url == f"{live.url}/signin?next=/review"
        page.fill("#name", "alice")
        page.fill("#password", PASSWORDS["alice"])
        page.screenshot(path=str(SCREENS / "signin.png"))
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{live.url}/review")
        page.screenshot(path=str(SCREENS / "queue.png"), full_page=True)

        page.click(f"a[href='/review/{promoted[0]}']")
        page.click("button:has-text('Claim')")
        page.locator("text=claimed by alice").wait_for()  # the claim posts, then the item page loads again
        assert page.locator("text=claimed by alice").count() == 1
        page.screenshot(path=str(SCREENS / "item.png"), full_page=True)

        page.click("a:has-text('Verify')")
        preview = page.locator("#piss-preview")
        assert preview.inner_text() == "choose all four sub-scores"
        for name, value in FIELDS.items():
            if name in SELECTS:
                page.select_option(f"#{name}", value)
            else:
                page.fill(f"#{name}", value)
        assert preview.inner_text() == "5.5 (Medium)"  # computed by the static script, in the browser
        page.select_option("#piss_harm", "3.0")
        assert preview.inner_text() == "7.0 (High)"
        page.select_option("#piss_harm", FIELDS["piss_harm"])
        page.screenshot(path=str(SCREENS / "verify.png"), full_page=True)
        page.click("button:has-text('Publish incident')")
        page.wait_for_url(f"{live.url}/incidents/LPI-*")
        incident_id = page.url.rsplit("/", 1)[1]
        assert page.locator("text=PISS 5.5 · Medium").count() == 1
        page.screenshot(path=str(SCREENS / "incident.png"), full_page=True)

        page.goto(f"{live.url}/incidents")
        page.screenshot(path=str(SCREENS / "incidents.png"), full_page=True)
        page.goto(f"{live.url}/report")
        assert page.locator("svg.bars").count() == 4  # category, sector, detection mechanism, PISS band
        page.screenshot(path=str(SCREENS / "report.png"), full_page=True)
        browser.close()

    assert problems == []  # no script error, no CSP violation
    exported = tmp_path / "incident-database.csv"
    subprocess.run([sys.executable, "-m", "lpi.cli", "export", "csv", str(exported), "--config", str(tmp_path / "lpi.yaml")],
                   check=True, capture_output=True, timeout=60)
    rows = {row["id"]: row for row in csv.DictReader(exported.open(encoding="utf-8"))}
    assert rows[incident_id]["piss_composite"] == "5.5" and rows[incident_id]["piss_band"] == "Medium"
    assert rows[incident_id]["summary"] == FIELDS["summary"] and rows[incident_id]["category"] == "Hallucination causing user harm"
