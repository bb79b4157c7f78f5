"""The coach's season in a real browser (headless Chromium through Playwright).

On the hand-built season fixture (the article's program as ``plan.csv``, a masters athlete,
session RPE): the index opens with what needs a look, each item linking to the athlete's
page; the athlete page shows the plan-adherence chart, the PB in the race table and the
fade chart's PB/SB marks. Screenshots are written beside the reports (``index.png``,
``athlete.png``) to be looked at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import chromium

from analysis import reports as rp

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DATA = Path(__file__).parent / "data" / "season"


def test_index_attention_list_and_athlete_plan_pb_in_chromium(tmp_path):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    exe = chromium()
    if exe is None:
        pytest.skip("no chromium on this machine")
    data = tmp_path / "raw"
    shutil.copytree(DATA, data)
    out = tmp_path / "out"
    result = rp.build_reports(data, out, jobs=2, timeout=300, progress=False)
    assert result.ok, result.summary()
    assert (out / "attention.csv").is_file()
    assert sorted(p.name for p in (out / "exports").glob("*.xlsx")) == [
        "M1.xlsx", "S1.xlsx", "S2.xlsx", "squad.xlsx"]  # fmt: skip

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((out / "index.html").as_uri(), wait_until="load")
        page.screenshot(path=str(out / "index.png"), full_page=True)
        box = page.locator("#attention")
        assert box.count() == 1
        text = box.inner_text()
        assert "Needs a look" in text
        assert "New PB" in text and "Ana Silva" in text and "55.20 s" in text
        assert "Not logging" in text and "Ben Okafor" in text
        # the attention list comes before the report tables
        body = page.inner_text("body")
        assert body.index("Needs a look") < body.index("Athletes")
        assert "Plan adherence" in body
        links = box.locator("a[href^='athletes/']")
        assert links.count() == 4
        href = box.locator("a", has_text="Ana Silva").first.get_attribute("href")
        assert href == "athletes/S1.html"
        page.goto((out / href).as_uri(), wait_until="load")
        page.screenshot(path=str(out / "athlete.png"), full_page=True)
        athlete = page.inner_text("body")
        assert "Plan against done" in athlete
        assert "planned hip-flexion reps" in athlete
        assert "PB / SB" in athlete and "age grade" in athlete.lower()
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
        )
        assert len(images) >= 5 and all(images)
        browser.close()
    assert errors == []
    assert (out / "index.png").stat().st_size > 10_000
    assert (out / "athlete.png").stat().st_size > 50_000
