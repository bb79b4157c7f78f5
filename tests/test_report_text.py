"""What the reports say, computed in the package: words, labels, tables and choices.

In-process (no kernels): :mod:`analysis.reports` on the seeded sample
(``write_sample(athletes=3, seed=1)``: A01 and A03 are women racing 400 m, A02 a man
racing 200 m; A01's race of 2026-07-28 has a finish time only) and on hand-made tables.
"""

from __future__ import annotations

import dataclasses
import math
import shutil

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from helpers import SAMPLE_TODAY as TODAY

import analysis as hf
from analysis import reports as rp
from analysis.errors import DataError


@pytest.fixture(scope="module")
def data(sample_folder):
    return sample_folder(athletes=3, seed=1, today=TODAY)


@pytest.fixture(scope="module")
def a01(data):
    return rp.AthleteReport.build(str(data), "A01", event=400, window_days=28)


# ---------------------------------------------------------------- counts and estimates


def test_races_phrase_never_runs_the_count_into_the_distance():
    assert rp.races_phrase(1, 400) == "one 400 m race"
    assert rp.races_phrase(5, 400) == "five 400 m races"
    assert rp.races_phrase(10, 200) == "ten 200 m races"
    assert rp.races_phrase(12, 400) == "12 races over 400 m"
    for n in range(0, 30):
        assert f"{n} 400" not in rp.races_phrase(n, 400)


def _est(slope, lo, hi, n):
    e = rp.Estimate(slope, lo, hi, n, 0.1, 0.5)
    return rp.Estimate(slope, lo, hi, n, 0.1, 0.5, rp.estimate_caveat(e))


def test_estimate_sentence_states_slope_and_interval_in_one_convention():
    text = rp.estimate_in_words(_est(-0.06, -0.22, 0.11, 5), event=400, window_days=28)
    assert text.startswith("Across five 400 m races,")
    assert "fade 0.06 s smaller on average" in text
    assert "runs from 0.22 s smaller to 0.11 s larger per 100 reps" in text
    # no signed numbers mixed with words
    assert "-0." not in text and "+0." not in text
    assert "includes zero" in text


def test_small_sample_caveat_whenever_few_degrees_of_freedom_or_a_wide_interval():
    # 12 races (10 dof) with a narrow interval: no caveat
    assert rp.estimate_caveat(_est(-0.05, -0.09, -0.01, 12)) == ""
    # 9 races (7 dof), narrow: the old rule (< 8 races) said nothing; now it does
    few = rp.estimate_in_words(_est(-0.05, -0.09, -0.01, 9), event=400, window_days=28)
    assert "rough indication" in few and "9 races (7 degrees of freedom" in few
    # 30 races, but an interval 0.4 s wide
    wide = rp.estimate_in_words(_est(0.1, -0.1, 0.3, 30), event=400, window_days=28)
    assert wide.startswith("Across 30 races over 400 m,")
    assert "rough indication" in wide and "0.40 s wide" in wide


def test_no_estimate_says_how_many_races_there_are():
    est = rp.within_athlete_estimate(pd.DataFrame({"x": [100.0, 200.0], "y": [1.0, 1.2]}), "x", "y")
    assert math.isnan(est.slope_per_100) and est.n == 2
    text = rp.estimate_in_words(est, event=400, window_days=28)
    assert "two 400 m races" in text and "at least three" in text


def test_within_athlete_estimate_notes_the_caveat_of_a_real_fit():
    t = pd.DataFrame({"x": [100.0, 200.0, 300.0, 400.0], "y": [1.0, 1.2, 1.1, 1.4]})
    est = rp.within_athlete_estimate(t, "x", "y")
    assert est.dof == 2 and "2 degrees of freedom" in est.note


# ---------------------------------------------------------------- the athlete report


def test_athlete_header_uses_readable_labels(a01):
    details = dict(a01.details())
    assert details["Sex"] == "female"
    assert details["Age category"] == "U20"
    html = a01.header().data
    assert "age_category" not in html and "Age category: U20" in html


def test_profile_shows_the_latest_races_with_splits_not_a_finish_time_alone(a01):
    races = a01.profile_races()
    assert len(races) == 4
    assert "A01-20260728-400-1" not in races  # finish time only: one segment
    seg = a01.segments[(a01.segments["event_m"] == 400) & a01.segments["velocity_ms"].notna()]
    counts = seg.groupby("race_id").size()
    latest = seg[seg["race_id"].isin(counts[counts >= 2].index)].sort_values("date")
    assert races[-1] == latest["race_id"].iloc[-1]  # the sample's latest 400 m with splits
    ax = a01.plot_profile()
    mine = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-"]
    assert len(mine) == 4 and all(len(ln.get_xdata()) == 4 for ln in mine)
    plt.close(ax.figure)


REFERENCE = """race,athlete,sex,event_m,date,at_m,cum_s,source
w400,Woman Four,F,400,2020-01-01,200,23.0,test
w400,Woman Four,F,400,2020-01-01,400,48.0,test
m400,Man Four,M,400,2020-01-01,200,21.0,test
m400,Man Four,M,400,2020-01-01,400,44.0,test
m200,Man Two,M,200,2020-01-01,100,10.0,test
m200,Man Two,M,200,2020-01-01,200,19.5,test
"""


@pytest.mark.slow  # long-running
def test_world_class_reference_is_of_the_athletes_sex(data, tmp_path, monkeypatch):
    from analysis import fatigue

    ref = tmp_path / "elite.csv"
    ref.write_text(REFERENCE, encoding="utf-8")
    monkeypatch.setattr(fatigue, "ELITE_SPLITS_PATH", ref)
    a01 = rp.AthleteReport.build(str(data), "A01", event=400, window_days=28)  # F
    assert set(a01.reference()["race_id"]) == {"w400"}
    assert a01.reference_text().startswith("Grey dashed lines: world-class women's 400 m")
    assert "Woman Four, 2020 (48.00 s)" in a01.reference_text()
    a02 = rp.AthleteReport.build(str(data), "A02", event=400, window_days=28)  # M
    assert set(a02.reference()["race_id"]) == {"m400"}
    # a woman's 200 m: the reference has no women's 200 m, so no man is drawn instead
    a03 = rp.AthleteReport.build(str(data), "A03", event=200, window_days=28)
    assert a03.reference().empty
    assert "no world-class women's 200 m" in a03.reference_text()
    # sex not given: both sexes, and the text says so
    nosex = dataclasses.replace(
        a01, ds=dataclasses.replace(a01.ds, athletes=a01.ds.athletes.assign(sex=pd.NA))
    )
    assert set(nosex.reference()["race_id"]) == {"w400", "m400"}
    assert "both sexes" in nosex.reference_text()


def test_athlete_figures_use_words_and_catalog_names(a01):
    ax = a01.plot_volume_vs_fade()
    assert "hf_reps" not in ax.get_title() and "differential_s" not in ax.get_title()
    assert "Second-half fade" in ax.get_title() and "six 400 m races" in ax.get_title()
    plt.close(ax.figure)
    ax = a01.plot_weekly_volume()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "High knees" in labels and "high_knees" not in labels
    assert all("_" not in label for label in labels)
    plt.close(ax.figure)
    ax = a01.plot_fade()  # the line is the athlete's, by name (a coach reads no ids)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert a01.name in labels and a01.athlete_id not in labels
    plt.close(ax.figure)


def test_quality_footnote_counts_in_words(a01):
    text = a01.quality_footnote()
    assert "(s)" not in text
    assert "One 400 m race had no usable half-way split." in text


def test_athlete_whose_races_have_finish_times_only_gets_a_report(tmp_path):
    # found by fuzzing: results() raised TypeError on the NA mean of no differential
    d = tmp_path / "raw"
    d.mkdir()
    (d / "athletes.csv").write_text("athlete_id,name,sex\ne1,Finish Only,M\n")
    (d / "results.csv").write_text(
        "Athlete,Date,Event,Time\nFinish Only,2026-03-07,400,50.0\n"
        "Finish Only,2026-03-14,400,51.0\n"
    )
    (d / "log.csv").write_text(
        "Athlete,Date,Exercise,Prescription\nFinish Only,2026-03-01,A's,3x20m\n"
    )
    rep = rp.AthleteReport.build(str(d), "e1", event=400)
    res = rep.results()
    assert math.isnan(res["mean_differential_s"]) and res["event_races"] == 2
    assert rep.profile_races() == []
    assert "two 400 m races had no usable half-way split" in rep.quality_footnote().lower()


# ---------------------------------------------------------------- cohorts


def _roster(**cols) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"athlete_id": [f"a{i}" for i in range(n)], "name": [f"N{i}" for i in range(n)]}
    return pd.DataFrame({**base, **cols})


def test_a_cohort_column_has_two_values_and_a_group_of_two_or_more():
    roster = _roster(
        sex=["F", "M", "F", "M"],
        squad=["x", "x", "x", "x"],  # one value for all: nothing to compare
        bib=["1", "2", "3", "4"],  # a value per athlete: groups of one
        program=["a", "b", None, ""],  # two athletes with a value, each alone
        blank=[None, None, None, None],
        notes=["a", "a", "b", "b"],  # personal details are never cohorts
        group=["a", "a", "b", None],
    )
    assert rp.cohort_columns(roster) == ["sex", "group"]
    assert "same 'squad'" in rp.not_a_cohort(roster, "squad")
    assert "different 'bib'" in rp.not_a_cohort(roster, "bib")


@pytest.mark.slow  # long-running
def test_report_planning_and_the_cohort_notebook_agree(data, tmp_path):
    roster = pd.read_csv(data / "athletes.csv", dtype=str, keep_default_na=False)
    roster["squad"] = "all"  # one value: no longer a cohort
    roster["bib"] = ["7", "8", "9"]  # one per athlete: never a cohort
    d = tmp_path / "raw"
    shutil.copytree(data, d)
    roster.to_csv(d / "athletes.csv", index=False)
    ds = hf.load_dataset(d)
    planned = [j.key for j in rp.plan_reports(ds, d) if j.kind == "cohort"]
    assert planned == rp.cohort_columns(ds.athletes) == ["sex", "program", "age_category"]
    assert [j.title for j in rp.plan_reports(ds, d) if j.kind == "cohort"][-1] == (
        "Cohorts by age category"
    )
    for col in planned:
        assert rp.CohortReport.build(str(d), col).column == col
    for col in ("squad", "bib", "name", "nope"):
        with pytest.raises(DataError, match="not a cohort column"):
            rp.CohortReport.build(str(d), col)


def test_a_roster_column_named_like_a_metric_is_still_a_cohort(data, tmp_path):
    d = tmp_path / "raw"
    shutil.copytree(data, d)
    roster = pd.read_csv(d / "athletes.csv", dtype=str, keep_default_na=False)
    roster["hf_reps_per_week"] = ["lo", "lo", "hi"]
    roster.to_csv(d / "athletes.csv", index=False)
    rep = rp.CohortReport.build(str(d), "hf_reps_per_week")
    # before: the merge with the metric of the same name raised (pandas suffixes _x/_y)
    cohorts = rep.results()["cohorts"]
    assert {k: v["athletes"] for k, v in cohorts.items()} == {"hi": 1, "lo": 2}
    assert rep.means["hf_reps_per_week"].notna().all()


def test_cohort_tables_have_readable_headers(data):
    rep = rp.CohortReport.build(str(data), "age_category", event=400)
    summary = rep.summary_table()
    assert list(summary.columns)[:3] == ["Age category", "athletes", "400 m races"]
    assert not any("_" in c for c in summary.columns)
    tests = rp.tests_table(
        pd.DataFrame(
            [
                {
                    "metric": "hf_reps_per_week",
                    "group_a": "b",
                    "group_b": "a",
                    "n_a": 3,
                    "n_b": 3,
                    "mean_a": 1.0,
                    "mean_b": 2.0,
                    "sd_a": 1.0,
                    "hedges_g": -0.5,
                    "g_ci_low": -1.0,
                    "g_ci_high": 0.2,
                    "pvalue_welch": 0.3,
                    "pvalue_welch_adj": 0.3,
                    "pvalue_mwu_adj": 0.4,
                    "note": "",
                }
            ]
        )
    )
    assert "Hedges g" in tests.columns and "p, Welch t (adjusted)" in tests.columns
    assert not any("_" in c for c in tests.columns)
    assert "sd_a" not in tests.columns and "pvalue_welch" not in tests.columns
    assert tests["measure"].tolist() == ["hip-flexor reps per week"]
    assert list(rp.tests_table(pd.DataFrame()).columns) == list(rp.TEST_HEADERS.values())


def _tests(lo, hi):
    return pd.DataFrame(
        [
            {
                "metric": "differential_s",
                "group_a": "M",
                "group_b": "F",
                "n_a": 2,
                "n_b": 2,
                "hedges_g": -0.02,
                "g_ci_low": lo,
                "g_ci_high": hi,
            }
        ]
    )


def test_cohort_words_call_intervals_wide_only_when_there_are_intervals():
    none = rp.cohort_words(_tests(float("nan"), float("nan")), "sex")
    assert "too few athletes for an interval" in none
    assert "intervals are wide" not in none
    assert "no group is large enough for a confidence interval" in none
    some = rp.cohort_words(_tests(-0.9, 0.8), "sex")
    assert "intervals are wide" in some and "95 % CI -0.90 to +0.80" in some
    assert "second-half fade (s): M (n=2) vs F (n=2)" in some


# ---------------------------------------------------------------- HTML


def test_html_helpers_escape_and_keep_mathjax_off_data():
    t = rp.table_html(pd.DataFrame({"meet": ["<script>x</script> & $\\frac$"]})).data
    assert "<script>" not in t and "&lt;script&gt;x&lt;/script&gt; &amp; $\\frac$" in t
    assert 'class="tex2jax_ignore"' in t
    p = rp.paragraph("$x$").data
    assert 'class="tex2jax_ignore"' in p


# ---------------------------------------------------------------- views from a dataset


@pytest.mark.slow  # long-running
def test_views_from_a_loaded_dataset_match_those_built_from_the_folder(data, a01, monkeypatch):
    ds = hf.load_dataset(data)
    # no folder is read again: from_dataset works from the tables it is given
    import analysis.dataset

    def no_reading(*a, **k):
        raise AssertionError("from_dataset read the folder")

    monkeypatch.setattr(analysis.dataset, "load_dataset", no_reading)
    monkeypatch.setattr(rp.AthleteReport, "build", no_reading)
    rep = rp.AthleteReport.from_dataset(ds, "A01", event=400, window_days=28)
    assert rep.results() == a01.results()
    assert set(rep.ds.athletes["athlete_id"]) == {"A01"}  # one athlete's data only
    assert set(rep.ds.log["athlete_id"]) == {"A01"}
    col = rp.cohort_columns(ds.athletes)[0]
    cohort = rp.CohortReport.from_dataset(ds, col, event=400, window_days=28)
    assert cohort.means["athlete_id"].tolist() == ds.athletes["athlete_id"].tolist()
    with pytest.raises(DataError, match="not a cohort column"):
        rp.CohortReport.from_dataset(ds, "name")


def test_a_p_value_near_the_line_is_never_printed_as_the_line():
    # the demo's 200 m headline read "p = 0.05" beside "the interval excludes no change"
    from analysis.reports.pages.squad_words import format_p

    assert format_p(0.0484) == "p = 0.048" and format_p(0.0521) == "p = 0.052"
    assert format_p(0.0499) == "p = 0.050" and format_p(0.31) == "p = 0.31"
    assert format_p(0.0042) == "p = 0.004" and format_p(0.0004) == "p < 0.001"
