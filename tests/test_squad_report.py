"""The squad report (``squad_report.ipynb``, ``OUT/squad.html``) and the takeaway that opens
each athlete report, on a season built by hand: not ``hipflex sample``.

The fixture (:func:`season_folder`) writes a roster, one training log per coach and a meet
results file the way coaches keep them: 9 athletes in two programs, hanging knee raises
written as ``3 x N``, whose volume is built up over the season while the fade improves for
other reasons, athletes whose slopes differ, race noise that carries over (AR(1)), races
every 1-3 weeks, 4-10 per athlete, 400 m with cumulative splits ``/``-separated.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import analysis as hf
from analysis import reports as rp
from analysis.relate import race_table
from analysis.stats import within_athlete_effect

RESULTS_MIME = "application/vnd.hipflex.results+json"
NAMES = ["Ana Silva", "Ben Okafor", "Chloé Martin", "Dev Patel", "Eva Novak", "Finn O'Hara",
         "Gia Rossi", "Hugo Lind", "Ines Duarte"]  # fmt: skip


def season_folder(
    root: Path, *, seed: int = 4, effect: float = -0.06, athletes: int = 9, sex: bool = True
) -> Path:
    """A data folder of a hand-made season (see the module docstring)."""
    rng = np.random.default_rng(seed)
    names = NAMES[:athletes]
    root.mkdir(parents=True, exist_ok=True)
    start = dt.date(2026, 1, 5)
    roster = pd.DataFrame(
        {
            "athlete_id": [f"S{i + 1}" for i in range(len(names))],
            "name": names,
            "sex": ["F", "M", "F", "M", "F", "M", "F", "M", "F"][: len(names)],
            "birth_date": "2004-05-12",
            "program": ["hf_emphasis" if i % 2 else "standard" for i in range(len(names))],
        }
    )
    if not sex:
        roster = roster.drop(columns="sex")
    roster.to_csv(root / "athletes.csv", index=False)
    (root / "logs").mkdir(exist_ok=True)
    (root / "results").mkdir(exist_ok=True)
    log_rows, race_rows = [], []
    for i, name in enumerate(names):
        base = 14 + 6 * (i % 2)  # reps per set: emphasis athletes do more
        daily = np.zeros(220)
        for day in range(0, 220):
            if day % 7 in (1, 3, 5) and rng.random() < 0.85:
                reps = int(np.clip(round(base * (1 + day / 220) * rng.lognormal(0, 0.35)), 5, 40))
                d = start + dt.timedelta(days=day)
                log_rows.append((i, f"{d:%d/%m/%Y}", name, f"3 x {reps}"))
                daily[day] += 3 * reps
        n = int(rng.integers(4, 11))
        day = 60 + int(rng.integers(0, 20))
        slope = effect + rng.normal(0, 0.04)
        level = 2.6 + rng.normal(0, 0.4)
        e = rng.normal()
        for _ in range(n):
            x = daily[day - 28 : day].sum() / 100
            fade = level + slope * x - 0.004 * (day - 60) + 0.2 * e
            e = 0.6 * e + 0.8 * rng.normal()
            half = 25.0 + rng.normal(0, 0.3)
            final = 2 * half + fade
            d = start + dt.timedelta(days=day)
            splits = f"{half * 0.52:.2f}/{half:.2f}/{half + (final - half) * 0.48:.2f}"
            race_rows.append((name, d.isoformat(), "400m", f"{final:.2f}", "Club meet", splits))
            day += int(rng.integers(7, 22))
            if day >= 220:
                break
    for coach in (0, 1):
        rows = [r[1:] for r in log_rows if r[0] % 2 == coach]
        pd.DataFrame(rows, columns=["Date", "Athlete", "Sets x Reps"]).assign(
            Exercise="Hanging knee raise"
        )[["Athlete", "Date", "Exercise", "Sets x Reps"]].to_csv(
            root / "logs" / f"coach_{coach}.csv", index=False
        )
    pd.DataFrame(race_rows, columns=["Athlete", "Date", "Event", "Time", "Meet", "Splits"]).to_csv(
        root / "results" / "meets.csv", index=False
    )
    return root


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    return season_folder(tmp_path_factory.mktemp("season") / "data")


def _reference(data: Path):
    ds = hf.load_dataset(data)
    t = race_table(ds.log, ds.races, ds.fatigue, (28,))
    t = t[(t["event_m"] == 400) & (t["status"] == "ok")]
    t = t.assign(x=pd.to_numeric(t["hf_reps_28d"]).astype("float64") / 100)
    return within_athlete_effect(t, "x", "differential_s", "athlete_id", time="date")


def test_the_fixture_is_a_season_not_the_sample(season):
    ds = hf.load_dataset(season)
    assert not ds.synthetic and len(ds.rejects) == 0
    per = ds.races.groupby("athlete_id").size()
    assert len(per) == 9 and per.min() >= 4 and per.min() < per.max()
    t = race_table(ds.log, ds.races, ds.fatigue, (28,))
    day = (t["date"] - t["date"].min()).dt.days
    assert np.corrcoef(day, t["hf_reps_28d"].astype(float))[0, 1] > 0.2  # volume built up


def test_squad_report_module_matches_within_athlete_effect(season):
    rep = rp.SquadReport.build(str(season), event=400, window_days=28)
    ref = _reference(season)
    got = rep.effect()
    assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx(
        (ref.estimate, ref.ci_low, ref.ci_high), rel=1e-12
    )
    words = rp.squad.headline_words(got, event=400, window_days=28)
    assert words.startswith("Per 100 more hip-flexor reps in the 28 days before a race")
    assert f"{ref.n_subjects} athletes, {ref.n_obs} races" in words
    assert f"{abs(ref.estimate):.2f} s" in words
    scan = rep.scan()
    assert scan.loc[scan["primary"], "estimate"].iloc[0] == pytest.approx(ref.estimate)
    assert rep.slopes()["athlete_id"].tolist() == [f"S{i + 1}" for i in range(9)]
    assert any("not proof" in s for s in rep.cannot_say())


def test_format_p_never_prints_zero():
    fp = rp.format_p
    assert fp(1e-9) == "p < 0.001" and fp(0.0004) == "p < 0.001"
    assert fp(0.004) == "p = 0.004" and fp(0.049) == "p = 0.05" and fp(0.5) == "p = 0.50"


def test_takeaway_uses_the_squad_and_the_athletes_own_pooled_estimate(season):
    lines = rp.athlete_takeaway(str(season), "S2", event=400, window_days=28)
    assert len(lines) == 2
    assert lines[0].startswith("The squad: per 100 more hip-flexor reps")
    assert lines[1].startswith("You: your own")
    assert "weighed with the squad" in lines[1]
    # only squad-level numbers: no other athlete's name
    assert not any(n in " ".join(lines) for n in NAMES)


@pytest.mark.slow
def test_squad_notebook_records_the_headline_of_within_athlete_effect(season, tmp_path):
    pm = pytest.importorskip("papermill")
    out = tmp_path / "squad.ipynb"
    pm.execute_notebook(
        str(rp.default_notebooks_dir() / "squad_report.ipynb"),
        str(out),
        parameters={"data_dir": str(season), "event": 400, "window_days": 28},
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    rec: dict = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            v = o.get("data", {}).get(RESULTS_MIME)
            if v is not None:
                rec.update(json.loads(v) if isinstance(v, str) else v)
    ref = _reference(season)
    assert rec["estimate"] == pytest.approx(ref.estimate, rel=1e-9)
    assert rec["ci_low"] == pytest.approx(ref.ci_low, rel=1e-9)
    assert rec["ci_high"] == pytest.approx(ref.ci_high, rel=1e-9)
    assert (rec["n_subjects"], rec["n_obs"]) == (ref.n_subjects, ref.n_obs)
    assert rec["events"]["400"]["dof"] == pytest.approx(ref.dof)


@pytest.mark.slow
@pytest.mark.browser
def test_squad_athlete_and_cohort_reports_in_chromium(tmp_path):
    import shutil

    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        pytest.skip("no chromium on this machine")
    # a smaller squad of the same kind (4 athletes, one cohort column): 7 reports
    data = season_folder(tmp_path / "data", athletes=4, sex=False)
    out = tmp_path / "out"
    result = rp.build_reports(data, out, jobs=2, timeout=300, progress=False)
    assert result.ok, result.summary()
    index = (out / "index.html").read_text(encoding="utf-8")
    links = [a.split("'")[0] for a in index.split("<a href='")[1:]]
    assert links[0] == "squad.html"  # the squad's answer is linked first
    ref = _reference(data)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        texts = {}
        for name in ("squad.html", "athletes/S2.html", "cohorts/program.html"):
            page.goto((out / name).as_uri(), wait_until="load")
            page.screenshot(path=str(tmp_path / f"{name.replace('/', '_')}.png"), full_page=True)
            texts[name] = page.inner_text("body")
        browser.close()
    for name, text in texts.items():
        assert "p 0.00" not in text and "p = 0.00" not in text, name
    squad = texts["squad.html"]
    assert f"{ref.n_subjects} athletes, {ref.n_obs} races" in squad
    assert "What these data cannot say" in squad and "overstates its effect" in squad
    athlete = texts["athletes/S2.html"]
    assert "In short" in athlete and "The squad: per 100 more hip-flexor reps" in athlete
    assert "You: your own" in athlete
    assert athlete.index("In short") < athlete.index("Hip-flexor volume")  # it opens the page
    cohort = texts["cohorts/program.html"]
    assert "comparisons were made" in cohort and "Hedges g is the difference" in cohort
    assert "Program, compared with" in cohort  # the roster's column name
