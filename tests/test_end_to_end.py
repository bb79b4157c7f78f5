"""End to end: a synthetic data set with a known effect, cleaned and analysed by the public API.

The generator (:mod:`analysis.sample`) writes raw files in the coaches' messy forms and a
``truth.json``; these tests clean the files with :func:`analysis.load_dataset`, build the
race table with :func:`analysis.race_features` and :func:`analysis.fatigue_metrics`, and
check that the within-athlete effect per 100 hip-flexor reps is recovered (and that the
window scan finds nothing when there is nothing to find).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import SAMPLE_TODAY as TODAY

import analysis as hf
from analysis.sample import write_sample

WINDOW = 28


def _load(tmp_path, **kw):
    d = tmp_path / "raw"
    write_sample(d, today=TODAY, **kw)
    try:
        ds = hf.load_dataset(d, today=pd.Timestamp(TODAY).date())
    except NotImplementedError as exc:  # a cleaner still a placeholder
        pytest.skip(f"cleaner not landed yet: {exc!r}")
    truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
    return ds, truth


def _race_table(ds) -> pd.DataFrame:
    feats = hf.race_features(ds.log, ds.races, windows=(WINDOW,), require_coverage=False)
    fat = hf.fatigue_metrics(ds.races, ds.splits)
    table = feats.merge(fat[["race_id", "differential_s"]], on="race_id", how="inner")
    return table.assign(
        x=pd.to_numeric(table[f"hf_reps_{WINDOW}d"]).astype("float64") / 100.0,
        differential_s=pd.to_numeric(table["differential_s"]).astype("float64"),
    ).dropna(subset=["x", "differential_s"])


@pytest.fixture(scope="module")
def known_effect(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    return _load(tmp, athletes=12, seed=7, effect_per_100_reps=-0.08, window_days=WINDOW)


def test_sample_loads_with_expected_rejects_and_a_balanced_reconciliation(known_effect):
    ds, truth = known_effect
    rec = ds.reconciliation
    assert rec["balanced"].all(), rec.to_string()
    assert len(ds.athletes) == 12
    rej = ds.rejects
    coach_a = rej[(rej["source"] == "logs/coach_a_2026.csv") & (rej["kind"] == "rejected")]
    assert sorted(coach_a["source_row"].astype(int)) == sorted(
        r["source_row"] for r in truth["faults"]["rejected"]
    )
    dup = rej[rej["kind"] == "duplicate"]
    assert list(zip(dup["source"], dup["source_row"].astype(int), strict=True)) == [
        (d["source"], d["source_row"]) for d in truth["faults"]["duplicate"]
    ]
    assert "logs/gym_sessions.xlsx#Notes" in set(ds.skipped["source"])
    # every generated entry is clean, once
    assert len(ds.log) == truth["faults"]["log_entries"]
    unmapped = set(ds.log.loc[ds.log["family"] == "unmapped", "exercise_raw"])
    assert unmapped <= {"stir the pot", "hurdle walkovers"} and unmapped
    assert ds.synthetic


def test_cleaned_volume_and_differential_match_the_truth(known_effect):
    ds, truth = known_effect
    table = _race_table(ds)
    t = pd.DataFrame(truth["races"]).assign(date=lambda d: pd.to_datetime(d["date"]))
    both = table.merge(t, on=["athlete_id", "date", "event_m"], how="inner")
    assert len(both) == len(t)  # every true race comes out of the cleaner with a metric
    # hf_reps as the cleaner counts them = the volume the generator used
    np.testing.assert_allclose(both["x"] * 100, both["volume"], atol=1e-6)
    # differentials: FAT to 0.01 s; hand-timed trials rounded to 0.1 s at each mark
    err = (both["differential_s_x"] - both["differential_s_y"]).abs()
    assert (err[~both["hand"]] < 0.03).all()
    assert (err[both["hand"]] < 0.25).all()


def test_mixed_model_ci_covers_the_true_within_athlete_effect(known_effect):
    ds, truth = known_effect
    t400 = _race_table(ds).query("event_m == 400")
    mm = hf.stats.mixed_model(t400, "differential_s", "x", "athlete_id", decompose=True)
    row = mm.set_index("term").loc["x_within"]
    beta = truth["effect_per_100_reps"]
    assert row["ci_low"] <= beta <= row["ci_high"], row.to_dict()
    assert row["ci_high"] < 0  # and the effect is detected


def test_pooled_correlation_is_confounded_by_design(known_effect):
    ds, _ = known_effect
    t400 = _race_table(ds).query("event_m == 400")
    wb = hf.stats.within_between(t400, "x", "differential_s", "athlete_id")
    assert wb is not None
    within = hf.stats.rm_corr(t400, "x", "differential_s", "athlete_id")
    pooled = np.corrcoef(t400["x"], t400["differential_s"])[0, 1]
    assert within.r < -0.3
    assert pooled > within.r + 0.2  # the naive pooled r understates the within-athlete one


def null_seed_significant(tmp_path, seed: int) -> bool:
    """True if the familywise window scan finds anything on a null (effect 0) data set.

    The sample is a season (volume built up while the fade improves for other reasons),
    so the scan has to adjust for the season: ``method="within"``; the repeated-measures
    correlation takes the season trend for an effect in most null seeds."""
    ds, _ = _load(tmp_path / f"s{seed}", athletes=12, seed=seed, effect_per_100_reps=0.0)
    scan = hf.stats.window_scan(
        ds.log, ds.races, ds.fatigue, windows=range(7, 57, 7), method="within"
    )
    return bool(scan["significant"].any())


@pytest.mark.slow
def test_window_scan_finds_nothing_under_the_null_in_18_of_20_seeds(tmp_path):
    # a familywise 5 % procedure finds something in Binomial(20, 0.05) seeds: at most 1
    # in 74 % of runs, at most 2 in 92 %, at most 3 in 98 %. The seeds are fixed, so
    # this is deterministic; 2 of 20 (seeds 0 and 8) is what a calibrated scan gives
    # here (the benchmark stats_calibration.py shows 4.5-5.9 % per test over 1000 seeds;
    # rm_corr without the season adjustment, 60-100 % under a season trend).
    hits = [seed for seed in range(20) if null_seed_significant(tmp_path, seed)]
    assert len(hits) <= 2, hits
