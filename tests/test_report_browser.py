"""The HTML reports in a real browser: headless Chromium through Playwright.

Opens ``index.html`` of a small batch, follows every link, and checks that each page loads
without a script error, that every embedded figure decodes, that the athlete name made
of HTML shows as text (not as markup), and that no page asks for anything outside its own
file (every request is intercepted; the network is refused). The built pages hold no
server path and an athlete's page no other athlete. Screenshots are written beside the
reports, so a failing run leaves something to look at. Skipped where Playwright or
Chromium is absent.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import chromium

from analysis import reports as rp
from analysis.sample import write_sample

pytestmark = [pytest.mark.slow, pytest.mark.browser]

EVIL_NAME = '<b id="evil">Bold</b> Nuñez'


def test_every_report_renders_in_chromium_with_its_figures(tmp_path):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    exe = chromium()
    if exe is None:
        pytest.skip("no chromium on this machine")
    data = tmp_path / "raw"
    write_sample(data, athletes=2, seed=3, today="2026-11-01")
    roster = pd.read_csv(data / "athletes.csv", dtype=str, keep_default_na=False)
    roster = roster[["athlete_id", "name", "sex", "birth_date", "aliases"]]
    roster.loc[0, "aliases"] = ";".join(
        x for x in (roster.loc[0, "name"], roster.loc[0, "aliases"]) if x
    )
    roster.loc[0, "name"] = EVIL_NAME
    roster.to_csv(data / "athletes.csv", index=False)
    out = tmp_path / "out"
    result = rp.build_reports(data, out, jobs=2, timeout=300, progress=False)
    assert result.ok, result.summary()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        outside: list[str] = []  # every request that would leave the page's own file

        def only_files(route) -> None:
            url = route.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        page.route("**/*", only_files)
        page.goto((out / "index.html").as_uri(), wait_until="load")
        page.screenshot(path=str(out / "index.png"), full_page=True)
        assert page.locator("#evil").count() == 0  # the name is text, not markup
        assert EVIL_NAME in page.inner_text("body")
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        html_pages = list(dict.fromkeys(h for h in hrefs if h.endswith(".html")))  # no repeats
        assert len(html_pages) == len(result.reports)
        for i, href in enumerate(html_pages):
            page.goto((out / href).as_uri(), wait_until="load")
            page.screenshot(path=str(out / f"page{i}.png"), full_page=True)
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
            )
            assert all(images), href
            if href.startswith("athletes/"):
                assert images, f"{href} has no figure"
            assert page.locator("#evil").count() == 0, href
        browser.close()
    assert errors == []
    assert outside == []  # nothing loaded from a CDN: the pages work offline
    # no server path (data folder, OUT, cache, snapshot) printed into any page, and an
    # athlete's page shows no other athlete (warnings included)
    names = dict(zip(roster["athlete_id"], roster["name"], strict=True))
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert str(tmp_path) not in text and "/tmp/" not in text, html
        if html.parent.name == "athletes":
            others = [n for a, n in names.items() if html.stem != a]
            assert not [n for n in others if n in text], html
    assert Path(out / "index.png").stat().st_size > 10_000
