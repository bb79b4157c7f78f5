"""The squad page past a few dozen athletes (issue 25, "pages that scale").

Up to ``config.SQUAD_SUMMARY_ATHLETES`` athletes the squad page is today's (a forest-plot
row and a table row per athlete, the same text); past it, a funnel plot of each athlete's
slope against their races, its reading in words, the farthest athletes named, and every
athlete's row in the squad workbook; the cohort figures draw boxes instead of dots.

The data: :func:`federation_folder` writes a season the way coaches keep it (a roster, one
training log, one meet results file with cumulative splits) for hundreds of athletes,
vectorised so that 500 athletes take about a second to write; two athletes with many races
are planted far from the squad on either side.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import analysis as hf
from analysis import config
from analysis import reports as rp
from analysis.plots._style import literal
from analysis.reports.pages.squad_scale import FOREST_INTRO, summarises

#: Planted athletes: (index, own slope in s per 100 reps); the squad's is -0.05.
PLANTED = ((7, -0.4), (11, 0.4))
#: Names drawn and written as they are (markup, maths, quotes): the planted ones.
ODD_NAMES = {7: "Zoë <b>O'Neil</b> & $co$", 11: "Ülle Tamm-Saar"}


def federation_folder(root: Path, *, athletes: int = 500, seed: int = 25) -> Path:
    """A season of ``athletes`` athletes: 3 sessions a week of hanging knee raises whose
    volume builds over the season, 4-12 400 m races each with ``/``-separated cumulative
    splits; each athlete's fade follows -0.05 s per 100 reps in the 28 days before a race
    (± 0.02 between athletes), but for :data:`PLANTED`, who race 12 times."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    days = 240
    ids = np.array([f"F{i:04d}" for i in range(athletes)])
    names = np.array([ODD_NAMES.get(i, f"Athlete {i:04d}") for i in range(athletes)], dtype=object)
    pd.DataFrame(
        {
            "athlete_id": ids,
            "name": names,
            "sex": np.where(np.arange(athletes) % 2, "M", "F"),
            "birth_date": "2003-03-14",
            "club": [f"Club {i % 4 + 1}" for i in range(athletes)],
        }
    ).to_csv(root / "athletes.csv", index=False)
    start = dt.date(2026, 1, 5)
    # training: days 1, 3, 5 of each week, 85 % of them; reps per set grow over the season
    day = np.arange(days)
    trains = (np.isin(day % 7, (1, 3, 5))[None, :]) & (rng.random((athletes, days)) < 0.85)
    base = rng.uniform(10, 20, athletes)[:, None] * (1 + day / days)[None, :]
    reps = np.clip(np.round(base * rng.lognormal(0, 0.35, (athletes, days))), 5, 60)
    reps = np.where(trains, reps, 0).astype(int)
    a, d = np.nonzero(reps)
    dates = pd.to_datetime(start) + pd.to_timedelta(d, unit="D")
    (root / "logs").mkdir(exist_ok=True)
    pd.DataFrame(
        {
            "Athlete": names[a],
            "Date": dates.strftime("%Y-%m-%d"),
            "Exercise": "Hanging knee raise",
            "Sets x Reps": [f"3 x {r}" for r in reps[a, d]],
        }
    ).to_csv(root / "logs" / "log.csv", index=False)
    # races: from day 60-80, every 7-21 days, 4-12 of them
    n = rng.integers(4, 13, athletes)
    slope = -0.05 + rng.normal(0, 0.02, athletes)
    for i, s in PLANTED:
        n[i], slope[i] = 12, s
    who = np.repeat(np.arange(athletes), n)
    k = np.concatenate([np.arange(m) for m in n])
    gaps = rng.integers(7, 22, len(who))
    first = rng.integers(60, 81, athletes)
    cum = pd.Series(np.where(k == 0, 0, gaps)).groupby(who).cumsum().to_numpy()
    race_day = first[who] + cum
    keep = race_day < days
    who, race_day = who[keep], race_day[keep]
    window = np.cumsum(3 * reps, axis=1)  # hip-flexion reps up to and including each day
    x = (window[who, race_day - 1] - window[who, race_day - 29]) / 100
    level = rng.normal(2.6, 0.4, athletes)
    fade = level[who] + slope[who] * x - 0.004 * (race_day - 60) + rng.normal(0, 0.2, len(who))
    half = 25.0 + rng.normal(0, 0.3, len(who))
    final = 2 * half + fade
    (root / "results").mkdir(exist_ok=True)
    pd.DataFrame(
        {
            "Athlete": names[who],
            "Date": (pd.to_datetime(start) + pd.to_timedelta(race_day, unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "Event": "400m",
            "Time": [f"{f:.2f}" for f in final],
            "Meet": "Club meet",
            "Splits": [
                f"{h * 0.52:.2f}/{h:.2f}/{h + (f - h) * 0.48:.2f}"
                for h, f in zip(half, final, strict=True)
            ],
        }
    ).to_csv(root / "results" / "meets.csv", index=False)
    return root


@pytest.fixture(scope="module")
def federation(tmp_path_factory) -> Path:
    return federation_folder(tmp_path_factory.mktemp("federation") / "data")


@pytest.fixture(scope="module")
def federation_ds(federation) -> hf.Dataset:
    return hf.load_dataset(federation)


@pytest.fixture(scope="module")
def big(federation_ds) -> rp.SquadReport:
    return rp.SquadReport.from_dataset(federation_ds, event=400, window_days=28)


def _text(html: str) -> str:
    import html as h
    import re

    return " ".join(h.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_switch_is_the_documented_setting():
    assert config.SQUAD_SUMMARY_ATHLETES == 40
    assert not summarises(40) and summarises(41)
    assert summarises(12, threshold=10) and not summarises(500, threshold=500)


def test_500_athletes_are_summarised_by_a_funnel_with_the_extremes_named(big):
    assert len(big.slopes()) == 500 and big.summarised()
    ax = big.plot_slopes()
    assert ax.get_xlabel() == "races the athlete's own slope rests on"  # the funnel
    named = {t.get_text() for t in ax.texts}
    assert {literal(ODD_NAMES[i]) for i, _ in PLANTED} <= named  # drawn as written
    assert len(named) <= 10
    plt.close("all")
    shown = big.slopes_shown()
    assert 2 <= len(shown) <= 10  # no 500-row table
    assert shown["athlete"].iloc[0] == f"{ODD_NAMES[7]} (F0007)"  # farthest below first
    assert f"{ODD_NAMES[11]} (F0011)" in set(shown["athlete"])
    assert set(shown["where"]) == {
        "less fade after more work than the squad",
        "more fade after more work than the squad",
    }
    html = big.slopes_html().data
    assert html.count("<tr") == len(shown) + 1  # the header and the named athletes only
    assert "&lt;b&gt;O&#39;Neil&lt;/b&gt;" in html and "<b>O'Neil" not in html
    text = _text(html)
    assert "an athlete with few races is expected to scatter far from the squad by chance" in (text)
    assert "A dot outside the lines" in text
    assert "the athletes farthest from the squad's slope, of 500" in text
    assert "is in the squad workbook (exports/squad.xlsx, written beside this page" in text
    intro = _text(big.slopes_intro().data)
    assert intro.startswith("With 500 athletes, one row each would be a page no one can read")
    assert "Open circles" not in intro
    assert any("(the funnel plot)" in s for s in big.cannot_say())


def test_the_names_on_the_funnel_do_not_overlap(big):
    import io

    ax = big.plot_slopes()
    ax.figure.savefig(io.BytesIO(), format="png")
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) >= 4 and all(b.width > 1 for b in boxes)  # drawn where they are
    clashes = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert not clashes, [(ax.texts[i].get_text(), ax.texts[j].get_text()) for i, j in clashes]
    plt.close("all")


def test_the_words_count_athletes_outside_the_lines(big):
    from analysis.plots.funnel import Z_INNER, funnel_limits

    s = big.slopes()
    ok = s["slope"].notna() & (s["se"] > 0)
    half = funnel_limits(s, s.loc[ok, "n"].to_numpy(float), Z_INNER)
    out = int(((s.loc[ok, "slope"] - big.effect().estimate).abs() > half).sum())
    text = _text(big.slopes_html().data)
    assert f"Here {out} of the {int(ok.sum())} athletes with a slope of their own" in text
    assert out >= 2  # the planted two at least


def test_under_the_threshold_the_section_is_todays(federation_ds):
    ds = federation_ds
    keep = ds.athletes["athlete_id"].iloc[:40]
    small = rp.SquadReport.from_dataset(_only(ds, keep))
    assert len(small.slopes()) == 40 and not small.summarised()
    # the words the notebook's markdown held, as a paragraph
    assert small.slopes_intro().data == rp.paragraph(FOREST_INTRO).data
    assert FOREST_INTRO.startswith("Open circles: each athlete's own races alone")
    # the table the notebook made itself, byte for byte
    caption = "400 m: each athlete's slope (s per 100 reps; negative = less fade)"
    assert small.slopes_html().data == rp.table_html(small.slopes_table(), caption=caption).data
    assert small.slopes_shown().equals(small.slopes_table())
    ax = small.plot_slopes()
    assert len(ax.get_yticklabels()) == 40  # the forest: one row per athlete
    plt.close("all")
    assert any("(the forest plot)" in s for s in small.cannot_say())


def _only(ds, ids) -> hf.Dataset:
    """``ds`` restricted to the athletes ``ids`` (whole tables, as a smaller club's)."""
    import dataclasses

    keep = set(ids)
    races = ds.races[ds.races["athlete_id"].isin(keep)]
    return dataclasses.replace(
        ds,
        athletes=ds.athletes[ds.athletes["athlete_id"].isin(keep)].reset_index(drop=True),
        log=ds.log[ds.log["athlete_id"].isin(keep)].reset_index(drop=True),
        races=races.reset_index(drop=True),
        splits=ds.splits[ds.splits["race_id"].isin(set(races["race_id"]))].reset_index(drop=True),
        _cache={},
    )


def test_the_squad_workbook_holds_every_athletes_row(big):
    from analysis.reports.pages.workbooks import squad_sheets

    sheet = squad_sheets(big.ds)["slopes"]
    assert len(sheet) == 500 and set(sheet["event_m"]) == {400}
    s = big.slopes().set_index("athlete_id")
    row = sheet.set_index("athlete_id").loc["F0007"]
    assert row["name"] == ODD_NAMES[7] and row["races"] == s.loc["F0007", "n"]
    assert row["own_slope_s_per_100_reps"] == pytest.approx(s.loc["F0007", "slope"])
    assert row["pooled_slope_s_per_100_reps"] == pytest.approx(s.loc["F0007", "shrunk"])
    assert row["funnel"] == "outside 99.8 %"
    named = {a.rsplit(" (", 1)[1][:-1] for a in big.slopes_shown()["athlete"]}
    outside = set(sheet.loc[sheet["funnel"] != "inside", "athlete_id"])
    assert named <= outside


@pytest.mark.slow  # long-running
def test_the_exported_squad_workbook_has_the_slopes_sheet_of_the_reports_window(
    federation_ds, tmp_path
):
    from analysis.reports.pages.workbooks import write_exports

    ds = _only(federation_ds, [f"F{i:04d}" for i in range(30)])
    paths = write_exports(ds, tmp_path, athletes=[], key="k", window_days=21)
    assert [p.name for p in paths] == ["squad.xlsx"]
    sheet = pd.read_excel(paths[0], sheet_name="slopes", engine="openpyxl")
    assert len(sheet) == 30 and set(sheet["window_days"]) == {21}
    assert sheet.loc[sheet["athlete_id"] == "F0007", "name"].item() == ODD_NAMES[7]
    rep = rp.SquadReport.from_dataset(ds, window_days=21)
    assert sheet["own_slope_s_per_100_reps"].to_numpy() == pytest.approx(
        rep.slopes()["slope"].to_numpy(), nan_ok=True
    )
    # another window is another workbook, even under the same content key
    write_exports(ds, tmp_path, athletes=[], key="k", window_days=28)
    assert set(pd.read_excel(paths[0], sheet_name="slopes", engine="openpyxl")["window_days"]) == {
        28
    }


def test_the_cohort_figures_draw_boxes_past_the_threshold(federation_ds):
    rep = rp.CohortReport.from_dataset(federation_ds, "club", event=400, window_days=28)
    assert rep.means["hf_reps_per_week"].notna().sum() == 500
    ax = rep.plot_metric("hf_reps_per_week")
    assert not ax.collections or all(len(c.get_offsets()) < 10 for c in ax.collections)
    assert "n=125" in " ".join(t.get_text() for t in ax.get_xticklabels())
    plt.close("all")


# -- the page itself, run by papermill and exported as hipflex report does (slow)

#: The athletes' section of ``squad_report.ipynb`` before issue 25 (cells squad-05 and
#: squad-06): the page under the threshold must read exactly as this one did.
FORMER_CELLS = {
    "squad-05": "## Each athlete around the squad\n\n" + FOREST_INTRO,
    "squad-06": (
        "for ev in rep.events():\n"
        "    rep.plot_forest(ev)\n"
        "    plt.show()\n"
        "    display(rp.table_html(rep.slopes_table(ev), caption=f\"{ev} m: each athlete's "
        'slope (s per 100 reps; negative = less fade)"))'
    ),
}


def _page(notebook: Path, data: Path, tmp: Path, name: str) -> str:
    """``notebook`` run on ``data`` and exported to HTML the way a batch does."""
    import nbformat

    pm = pytest.importorskip("papermill")
    from analysis.reports.batch.export import _export_html

    out = tmp / f"{name}.ipynb"
    pm.execute_notebook(
        str(notebook),
        str(out),
        parameters={"data_dir": str(data), "event": 400, "window_days": 28},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp),
    )
    return _export_html(nbformat.read(out, as_version=4))


#: Tags a browser shows as blocks of their own.
BLOCKS = frozenset("p div h1 h2 h3 h4 h5 h6 li ul ol table tr td th thead tbody img".split())


def _page_text(page: str) -> str:
    """The text a reader sees (what is outside tags, scripts and styles), a line break
    where a block (paragraph, heading, table row, ...) starts or ends, as a browser shows."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")
            self.parts.append("\n" if tag in BLOCKS else "")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")
            self.parts.append("\n" if tag in BLOCKS else "")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    p = Text()
    p.feed(page)
    return "".join(p.parts)


@pytest.mark.slow
def test_under_the_threshold_the_page_reads_exactly_as_before(tmp_path):
    import nbformat

    data = federation_folder(tmp_path / "data", athletes=30)
    now = rp.default_notebooks_dir() / "squad_report.ipynb"
    nb = nbformat.read(now, as_version=4)
    cells = {c.get("id"): c for c in nb.cells}
    assert set(FORMER_CELLS) <= set(cells)
    for cid, source in FORMER_CELLS.items():
        cells[cid].source = source
    former = tmp_path / "former.ipynb"
    nbformat.write(nb, former)
    # the text as read: runs of white space between the blocks (source newlines, which a
    # browser does not show) as one space; Chromium's innerText of the two pages was
    # compared byte for byte when this was written
    before = " ".join(_page_text(_page(former, data, tmp_path, "before")).split())
    after = " ".join(_page_text(_page(now, data, tmp_path, "after")).split())
    assert "Open circles: each athlete's own races alone" in after
    assert "each athlete's slope (s per 100 reps; negative = less fade)" in after
    assert after == before


@pytest.mark.slow
def test_the_squad_page_of_500_athletes_summarises(federation, tmp_path):
    page = _page(rp.default_notebooks_dir() / "squad_report.ipynb", federation, tmp_path, "big")
    text = " ".join(_page_text(page).split())
    assert "With 500 athletes, one row each would be a page no one can read" in text
    assert "an athlete with few races is expected to scatter far from the squad by chance" in text
    assert "the athletes farthest from the squad's slope, of 500" in text
    assert f"{ODD_NAMES[7]} (F0007)" in text and f"{ODD_NAMES[11]} (F0011)" in text
    assert "Open circles" not in text and "(the funnel plot)" in text
    assert "&lt;b&gt;O'Neil&lt;/b&gt;" in page and "<b>O'Neil" not in page  # escaped
    assert page.count("<tr") < 60  # the named athletes and the other tables, not 500 rows
    assert "Athlete 0250 (F0250)" not in text


def test_a_sample_roster_of_5000_athletes_has_short_unique_names():
    # a name met again used to get one more " Jr" each time: ~70 of them at 5,000
    # athletes, and that athlete's weekly workbook's file name was too long for the disk
    from analysis.sample.roster import sample_roster as _roster

    names = _roster(5000, dt.date(2026, 1, 5), np.random.default_rng(2026))["name"]
    assert names.is_unique
    assert names.str.len().max() <= 60
    assert not names.str.contains("Jr Jr").any()
