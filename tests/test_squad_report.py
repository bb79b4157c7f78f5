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
EXERCISES = ["Hanging knee raise", "Cable knee drive", "Box knee drive", "Spread eagle sit-up"]


def season_folder(
    root: Path,
    *,
    seed: int = 4,
    effect: float = -0.06,
    athletes: int = 9,
    sex: bool = True,
    srpe: str | None = None,
    load_effect: float = 0.0,
    slope_sd: float = 0.04,
    variety: float | None = None,
) -> Path:
    """A data folder of a hand-made season (see the module docstring).

    ``srpe`` adds ``RPE`` and ``Minutes`` to every session: ``"shared"`` — the session's
    minutes follow the same weekly load phase as its hip-flexor reps (a hard week is hard
    for both), so total load confounds volume when ``load_effect`` (s of fade per 1000 AU
    of session load in the 28 days before) is not 0; ``"independent"`` — minutes vary on
    their own; ``"sparse"`` — as ``"shared"`` but RPE is written for one athlete in three.

    ``variety`` (s of fade per one more distinct exercise per session, averaged over the 28
    days before): sessions hold 1 to 4 exercises (the number changes every three weeks);
    each added exercise is 3 x half the reps, so variety comes with more volume.
    """
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
        load = np.zeros(220)  # session RPE x minutes (AU)
        if srpe:  # hard and easy weeks (drawn only then: the plain season stays as it was)
            phase = rng.lognormal(0, 0.45, 220 // 7 + 1)
            own = rng.lognormal(0, 0.45, 220 // 7 + 1)
        kinds = np.ones(220 // 21 + 1, dtype=int)
        if variety is not None:
            kinds = rng.integers(1, 5, len(kinds))
        n_ex = np.zeros(220)
        sess = np.zeros(220)
        for day in range(0, 220):
            if day % 7 in (1, 3, 5) and rng.random() < 0.85:
                week = phase[day // 7] if srpe else 1.0
                reps = base * (1 + day / 220) * week * rng.lognormal(0, 0.35 if not srpe else 0.2)
                reps = int(np.clip(round(reps), 5, 60))
                d = start + dt.timedelta(days=day)
                extra = ()
                if srpe:
                    minutes = round(60 * (own if srpe == "independent" else phase)[day // 7])
                    minutes = int(np.clip(minutes * rng.lognormal(0, 0.1), 20, 180))
                    known = srpe != "sparse" or i % 3 == 0
                    extra = (6 if known else "", minutes if known else "")
                    load[day] = 6 * minutes
                k = int(kinds[day // 21])
                for j in range(k):
                    r_j = reps if j == 0 else max(5, reps // 2)
                    log_rows.append((i, f"{d:%d/%m/%Y}", name, f"3 x {r_j}", EXERCISES[j], *extra))
                    daily[day] += 3 * r_j
                n_ex[day], sess[day] = k, 1
        n = int(rng.integers(4, 11))
        day = 60 + int(rng.integers(0, 20))
        slope = effect + rng.normal(0, slope_sd)
        level = 2.6 + rng.normal(0, 0.4)
        e = rng.normal()
        for _ in range(n):
            x = daily[day - 28 : day].sum() / 100
            total = load[day - 28 : day].sum() / 1000
            fade = level + slope * x + load_effect * total - 0.004 * (day - 60) + 0.2 * e
            if variety is not None:
                fade += variety * n_ex[day - 28 : day].sum() / max(sess[day - 28 : day].sum(), 1)
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
        extra = ["RPE", "Minutes"] if srpe else []
        pd.DataFrame(rows, columns=["Date", "Athlete", "Sets x Reps", "Exercise", *extra])[
            ["Athlete", "Date", "Exercise", "Sets x Reps", *extra]
        ].to_csv(root / "logs" / f"coach_{coach}.csv", index=False)
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


@pytest.mark.slow  # long-running
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
    assert fp(0.004) == "p = 0.004" and fp(0.049) == "p = 0.049" and fp(0.5) == "p = 0.50"


def test_takeaway_uses_the_squad_and_the_athletes_own_pooled_estimate(season):
    lines = rp.athlete_takeaway(str(season), "S2", event=400, window_days=28)
    assert len(lines) == 2
    assert lines[0].startswith("The squad: per 100 more hip-flexor reps")
    assert lines[1].startswith("You: your own")
    assert "weighed with the squad" in lines[1]
    # only squad-level numbers: no other athlete's name
    assert not any(n in " ".join(lines) for n in NAMES)


# -- issue 16: does adjusting for overall session load (sRPE) change the answer?


def _srpe_report(tmp_path: Path, mode: str, load_effect: float) -> rp.SquadReport:
    data = season_folder(tmp_path / mode, srpe=mode, load_effect=load_effect)
    return rp.SquadReport.build(str(data), event=400, window_days=28)


def test_session_load_that_confounds_volume_is_adjusted_for_and_the_report_says_so(tmp_path):
    # hard weeks are hard for both the hip-flexor work and the whole session, and total
    # load (0.5 s of fade per 1000 AU over 28 days) worsens the fade; the true effect of
    # hip-flexor volume is -0.06 s per 100 reps (less fade)
    rep = _srpe_report(tmp_path, "shared", 0.5)
    adj = rep.srpe_adjustment()
    assert adj.made and adj.n_known == adj.n_rows == rep.effect().n_obs
    before, after = adj.same_rows, adj.adjusted
    assert before == rep.effect()  # every race has its load: the headline itself
    assert before.ci_low > 0  # unadjusted: more work looks like more fade — wrong
    assert after.ci_low < -0.06 < after.ci_high  # adjusted: the truth inside the interval
    assert abs(after.estimate + 0.06) < 0.05 < abs(before.estimate + 0.06)
    # the same as within_athlete_effect with the covariate, computed here from the tables
    ds = hf.load_dataset(tmp_path / "shared")
    t = race_table(ds.log, ds.races, ds.fatigue, (28,))
    t = t[(t["event_m"] == 400) & (t["status"] == "ok")]
    t = t.assign(x=pd.to_numeric(t["hf_reps_28d"]).astype(float) / 100,
                 z=pd.to_numeric(t["srpe_load_28d"]).astype(float))  # fmt: skip
    ref = within_athlete_effect(t, "x", "differential_s", "athlete_id", time="date",
                                covariates=["z"])  # fmt: skip
    assert (after.estimate, after.ci_low, after.ci_high) == pytest.approx(
        (ref.estimate, ref.ci_low, ref.ci_high), rel=1e-9)  # fmt: skip
    words = rep.srpe_words()
    assert words.startswith("Adjusting for overall session load (sRPE")
    assert f"moves the estimate from {abs(before.estimate):.2f} s slower to " in words
    assert f"{abs(after.estimate):.2f} s faster" in words
    assert f"{after.n_subjects} athletes, {after.n_obs} races" in words
    assert "the answer changes: without the adjustment the interval points to more fade" in words
    table = rep.srpe_table()
    assert table["which estimate"].tolist() == [
        "not adjusted (the headline, all races)", "adjusted for session load (sRPE)"]  # fmt: skip
    assert table["races"].tolist() == [before.n_obs, after.n_obs]
    rec = rep.results()["events"]["400"]["srpe"]
    assert rec["made"] and rec["changes_answer"] is True
    assert rec["adjusted"]["estimate"] == pytest.approx(after.estimate)


def test_session_load_that_is_no_confounder_leaves_the_answer(tmp_path):
    rep = _srpe_report(tmp_path, "independent", 0.0)
    adj = rep.srpe_adjustment()
    assert adj.made and adj.changes_answer is False
    assert adj.adjusted.estimate == pytest.approx(adj.same_rows.estimate, abs=0.01)
    words = rep.srpe_words()
    assert "the answer does not change: with and without it the interval points to less fade" in (
        words
    )


@pytest.mark.slow  # long-running
def test_session_load_missing_for_most_races_is_said_not_adjusted(tmp_path, season):
    rep = _srpe_report(tmp_path, "sparse", 0.5)  # RPE for one athlete in three
    adj = rep.srpe_adjustment()
    assert not adj.made and adj.n_known < adj.n_rows / 2
    words = rep.srpe_words()
    assert words.startswith("The estimate could not be adjusted for overall session load")
    assert f"only {adj.n_known} of the {adj.n_rows} races have a session RPE and minutes" in words
    assert rep.srpe_table().empty
    # a log without RPE at all
    plain = rp.SquadReport.build(str(season), event=400, window_days=28)
    words = plain.srpe_words()
    assert "none of the" in words and "Logging RPE (0–10) and Minutes" in words
    assert plain.results()["events"]["400"]["srpe"]["made"] is False


# -- issue 16: variety of hip-flexor exercises against the fade (exploratory)


def test_variety_is_exploratory_within_athlete_with_its_caveats(season):
    rep = rp.SquadReport.build(str(season), event=400, window_days=28)
    res = rep.variety_effect()
    # one exercise a session throughout: variety never changes, and the report says so
    assert not np.isfinite(res.estimate) and "never changes within an athlete" in res.note
    html = rep.variety_html().data
    assert "Exploratory — not the squad's question." in html
    assert "No estimate of exercise variety" in html
    assert "exercise variety never changes within an athlete" in html  # no column names
    assert "_v " not in html and "_x28" not in html


@pytest.mark.slow  # long-running
@pytest.mark.parametrize("effect", [0.3, 0.0])
def test_variety_against_fade_with_volume_held_finds_the_built_in_effect(tmp_path, effect):
    # sessions of 1-4 exercises; each added exercise adds volume, and volume itself goes
    # with less fade: variety alone is confounded by volume (with no effect of its own it
    # even looks protective), with volume held fixed it is right
    data = season_folder(tmp_path / "data", seed=5, variety=effect)
    rep = rp.SquadReport.build(str(data), event=400, window_days=28)
    alone, held = rep.variety_effect(), rep.variety_held()
    assert held.ci_low < effect < held.ci_high and abs(held.estimate - effect) < 0.05
    assert alone.estimate < held.estimate - 0.2  # volume's link leaks into variety alone
    ds = hf.load_dataset(data)
    t = race_table(ds.log, ds.races, ds.fatigue, (28,))
    t = t[(t["event_m"] == 400) & (t["status"] == "ok")]
    t = t.assign(v=pd.to_numeric(t["hf_variety_28d"]).astype(float),
                 x=pd.to_numeric(t["hf_reps_28d"]).astype(float) / 100)  # fmt: skip
    ref = within_athlete_effect(t, "v", "differential_s", "athlete_id", time="date",
                                covariates=["x"])  # fmt: skip
    assert held.estimate == pytest.approx(ref.estimate, rel=1e-9)
    corr = rep.variety_volume_corr()
    assert corr.r > 0.5
    html = rep.variety_html().data
    text = " ".join(html.replace("&#39;", "'").split())
    assert "Exploratory — not the squad's question." in text
    assert "Per one more distinct hip-flexor exercise per session" in text
    assert f"{held.n_subjects} athletes, {held.n_obs} races" in text
    assert f"With the hip-flexor volume held fixed: {rp.squad._faster(held.estimate)}" in text
    assert "is a question to test next season, not a finding" in text  # exploratory
    assert "Variety moves strongly with volume" in text and f"r = {corr.r:.2f}" in text
    assert f"It rests on {alone.n_subjects} athletes and {alone.n_obs} races" in text
    rec = rep.results()["events"]["400"]
    assert rec["variety_volume_held"]["estimate"] == pytest.approx(held.estimate)


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
    # a smaller squad of the same kind (4 athletes, one cohort column): 7 reports; session
    # RPE and minutes in the logs, 1-4 exercises a session
    data = season_folder(
        tmp_path / "data", athletes=4, sex=False, srpe="shared", load_effect=0.5, variety=0.0
    )
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
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        texts, images = {}, {}
        for name in ("squad.html", "athletes/S2.html", "cohorts/program.html"):
            page.goto((out / name).as_uri(), wait_until="load")
            page.screenshot(path=str(tmp_path / f"{name.replace('/', '_')}.png"), full_page=True)
            texts[name] = page.inner_text("body")
            images[name] = page.eval_on_selector_all(
                "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
            )
        page.goto((out / "squad.html").as_uri(), wait_until="load")
        n_boxes = page.locator(".exploratory").count()
        browser.close()
    # nothing from outside the page (the export template drops nbconvert's require.js)
    outside = {u for u in fetched if not u.startswith(("file:", "data:"))}
    assert not outside, outside
    assert all(imgs and all(imgs) for imgs in images.values()), images  # every figure shows
    for name, text in texts.items():
        assert "p 0.00" not in text and "p = 0.00" not in text, name
    squad = texts["squad.html"]
    assert f"{ref.n_subjects} athletes, {ref.n_obs} races" in squad
    assert "What these data cannot say" in squad and "overstates its effect" in squad
    # issue 16: the session-load adjustment, both estimates side by side, in words
    rep = rp.SquadReport.build(str(data), event=400, window_days=28)
    adj = rep.srpe_adjustment()
    assert adj.made
    assert "Does overall session load change the answer?" in squad
    assert rep.srpe_words().split(";")[0] in squad  # "Adjusting for ... moves the estimate"
    assert "With and without session load" in squad
    assert "adjusted for session load (sRPE)" in squad
    # ... and variety as an exploratory box after it, before what the data cannot say
    assert n_boxes == len(rep.events())
    assert "Exploratory: variety of exercises and the fade" in squad
    assert "Exploratory — not the squad's question." in squad and "Read it with care" in squad
    assert "Variety moves" in squad and "not a finding" in squad
    order = [squad.index(h) for h in ("The answer", "Does overall session load",
             "Exploratory: variety", "What these data cannot say")]  # fmt: skip
    assert order == sorted(order)
    athlete = texts["athletes/S2.html"]
    assert "In short" in athlete and "The squad: per 100 more hip-flexor reps" in athlete
    assert "You: your own" in athlete
    assert athlete.index("In short") < athlete.index("Hip-flexor volume")  # it opens the page
    assert "Progression: each exercise and the week-to-week ramp" in athlete
    assert "Biggest rise on the week before" in athlete
    cohort = texts["cohorts/program.html"]
    assert "comparisons were made" in cohort and "Hedges g is the difference" in cohort
    assert "Program, compared with" in cohort  # the roster's column name


@pytest.mark.slow  # writes and cleans a sample
def test_from_dataset_equals_build_and_the_sample_is_made_on_first_use(season, tmp_path):
    ds = hf.load_dataset(season)
    a = rp.SquadReport.from_dataset(ds, event=400, window_days=28)
    b = rp.SquadReport.build(str(season), event=400, window_days=28)
    assert a.effect() == b.effect() and a.srpe_adjustment() == b.srpe_adjustment()
    fresh = tmp_path / "clone" / "data" / "raw" / "sample"  # a fresh clone: no sample yet
    rep = rp.SquadReport.build(str(fresh), event=400, window_days=28)
    assert fresh.is_dir() and rep.ds.synthetic and np.isfinite(rep.effect().estimate)
