"""The Cox model behind hf.stats.injury_hazard, pinned to R survival's published output,
and the injury hazard's time at risk, events, exposure and too-few-events rule.

Reference outputs: the saved outputs of R survival's own test suite
(github.com/therneau/survival, R 2024, survival 3.x): ``tests/bladder.Rout.save``,
``tests/jasa.Rout.save`` and ``tests/Examples/survival-Ex.Rout.save``; the data are
survival's datasets as CSV (tests/data/survival_ref/README.md).
"""

from __future__ import annotations

import itertools
from dataclasses import FrozenInstanceError
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import analysis as hf
from analysis import DataError
from analysis.injury_stats import cox_fit, exposure_panel, injury_hazard

REF = Path(__file__).parent / "data" / "survival_ref"


# --------------------------------------------------------------------------- R survival


def test_andersen_gill_robust_se_matches_r_bladder2() -> None:
    """Recurrent events in counting-process form with errors clustered by patient.

    R (survival tests/bladder.Rout.save, "Anderson-Gill fit"):
    coxph(Surv(start, stop, event) ~ rx + size + number, cluster = id, bladder2,
          ties = 'breslow')
               coef exp(coef) se(coef) robust se      z Pr(>|z|)
    rx     -0.45979   0.63142  0.19996   0.25801 -1.782  0.07474
    size   -0.04256   0.95833  0.06903   0.07555 -0.563  0.57317
    number  0.17164   1.18726  0.04733   0.06131  2.799  0.00512
    n= 178, number of events= 112
    (Also Therneau & Grambsch 2000, section 8.2.)
    """
    d = pd.read_csv(REF / "bladder2.csv")
    fit = cox_fit(
        d["start"],
        d["stop"],
        d["event"],
        d[["rx", "size", "number"]],
        cluster=d["id"],
        ties="breslow",
    )
    assert fit.n == 178 and fit.n_events == 112
    np.testing.assert_allclose(fit.coef, [-0.45979, -0.04256, 0.17164], atol=5e-6)
    np.testing.assert_allclose(fit.se, [0.19996, 0.06903, 0.04733], atol=5e-6)
    np.testing.assert_allclose(fit.robust_se, [0.25801, 0.07555, 0.06131], atol=5e-6)


def test_efron_ties_and_robust_se_match_r_diabetic() -> None:
    """R's default ties (Efron) with a cluster: two eyes per patient.

    R (survival tests/Examples/survival-Ex.Rout.save, example of ``diabetic``):
    juvenile <- 1*(diabetic$age < 20)
    coxph(Surv(time, status) ~ trt + juvenile, cluster = id, data = diabetic)
                 coef exp(coef) se(coef) robust se      z        p
    trt      -0.77893   0.45890  0.16893   0.14851 -5.245 1.56e-07
    juvenile -0.05388   0.94754  0.16211   0.17864 -0.302    0.763
    """
    d = pd.read_csv(REF / "diabetic.csv")
    X = np.column_stack([d["trt"], (d["age"] < 20).astype(float)])
    fit = cox_fit(np.zeros(len(d)), d["time"], d["status"], X, cluster=d["id"])
    assert fit.ties == "efron" and fit.n_clusters == 197
    np.testing.assert_allclose(fit.coef, [-0.77893, -0.05388], atol=5e-6)
    np.testing.assert_allclose(fit.se, [0.16893, 0.16211], atol=5e-6)
    np.testing.assert_allclose(fit.robust_se, [0.14851, 0.17864], atol=5e-6)
    breslow = cox_fit(np.zeros(len(d)), d["time"], d["status"], X, ties="breslow")
    assert abs(breslow.coef[0] - fit.coef[0]) > 1e-4  # the data have ties: Efron matters


@pytest.mark.parametrize(
    ("terms", "coef", "se"),
    [
        # summary(sfit.3): (age + year) * transplant
        (
            ["age", "year", "transplant", "age:transplant", "year:transplant"],
            [0.01558, -0.27413, -0.59388, 0.03380, 0.20228],
            [0.01734, 0.10588, 0.54222, 0.02795, 0.14247],
        ),
        # sfit.5: (age + surgery) * transplant + year
        (
            ["age", "surgery", "transplant", "year", "age:transplant", "surgery:transplant"],
            [0.01504, -0.42025, 0.07412, -0.13631, 0.02691, -0.29656],
            [0.01760, 0.61564, 0.33113, 0.07097, 0.02712, 0.75800],
        ),
    ],
)
def test_time_varying_covariate_matches_r_stanford_heart_transplant(
    terms: list[str], coef: list[float], se: list[float]
) -> None:
    """Transplant as a time-varying covariate (Crowley & Hu 1977), the models of
    Kalbfleisch & Prentice (1980) p. 139 as R fits them (survival tests/jasa.Rout.save:
    coxph(Surv(start, stop, event) ~ ..., jasa1, method = 'breslow'); n = 170, 75 events).
    """
    d = pd.read_csv(REF / "jasa1.csv")
    cols = {t: d[t.split(":")[0]] * d[t.split(":")[1]] if ":" in t else d[t] for t in terms}
    fit = cox_fit(d["start"], d["stop"], d["event"], pd.DataFrame(cols), ties="breslow")
    assert fit.n == 170 and fit.n_events == 75
    np.testing.assert_allclose(fit.coef, coef, atol=6e-6)
    np.testing.assert_allclose(fit.se, se, atol=6e-6)


def test_contiguous_day_rows_are_counted_once_in_a_risk_set() -> None:
    """(t−1, t] rows: a subject split into day rows gives the same fit as one row per
    interval (statsmodels' PHReg counts an entry time as inside, double-counting)."""
    d = pd.read_csv(REF / "jasa1.csv")
    whole = cox_fit(d["start"], d["stop"], d["event"], d[["age", "transplant"]])
    rows = []
    for r in d.itertuples():
        cuts = np.unique(np.r_[r.start, np.arange(np.ceil(r.start), r.stop), r.stop])
        for a, b in itertools.pairwise(cuts):
            rows.append((a, b, r.event if b == r.stop else 0, r.age, r.transplant, r.id))
    split = pd.DataFrame(rows, columns=["start", "stop", "event", "age", "transplant", "id"])
    assert len(split) > 10 * len(d)
    fit = cox_fit(
        split["start"],
        split["stop"],
        split["event"],
        split[["age", "transplant"]],
        cluster=split["id"],
    )
    np.testing.assert_allclose(fit.coef, whole.coef, atol=1e-8)
    np.testing.assert_allclose(fit.se, whole.se, atol=1e-8)
    by_id = cox_fit(d["start"], d["stop"], d["event"], d[["age", "transplant"]], cluster=d["id"])
    np.testing.assert_allclose(fit.robust_se, by_id.robust_se, atol=1e-8)


def test_jackknife_step_is_close_to_refitting_without_each_patient() -> None:
    d = pd.read_csv(REF / "bladder2.csv")
    X = d[["rx", "size", "number"]]
    fit = cox_fit(d["start"], d["stop"], d["event"], X, cluster=d["id"], ties="breslow")
    loo = np.array(
        [
            cox_fit(
                s["start"], s["stop"], s["event"], s[["rx", "size", "number"]], ties="breslow"
            ).coef
            for _, s in ((g, d[d["id"] != g]) for g in d["id"].unique())
        ]
    )
    G = len(loo)
    exact = np.sqrt((G - 1) / G * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
    np.testing.assert_allclose(np.sqrt(np.diag(fit.jackknife_var)), exact, rtol=0.07)
    assert np.all(np.sqrt(np.diag(fit.jackknife_var)) > fit.robust_se)


# --------------------------------------------------------------------------- injury hazard

DAY0 = pd.Timestamp("2025-10-01")


def _log(athletes: int, days: int, reps: np.ndarray | float = 50.0) -> pd.DataFrame:
    """A training log with one hip-flexor entry per athlete and day."""
    g, t = np.meshgrid(np.arange(athletes), np.arange(days), indexing="ij")
    values = np.broadcast_to(np.asarray(reps, dtype=float), g.shape)
    return pd.DataFrame(
        {
            "athlete_id": [f"A{i:02d}" for i in g.ravel()],
            "date": DAY0 + pd.to_timedelta(t.ravel(), unit="D"),
            "family": "hip_flexor",
            "sets": 1.0,
            "reps": values.ravel(),
            "per_leg": False,
            "hf_reps": values.ravel(),
        }
    )


def _injuries(rows: list[tuple]) -> pd.DataFrame:
    """(athlete, onset day, days lost, location[, return day]) rows."""
    out = pd.DataFrame(
        {
            "athlete_id": [r[0] for r in rows],
            "onset_date": [DAY0 + pd.Timedelta(days=r[1]) for r in rows],
            "location": [r[3] for r in rows],
            "days_lost": pd.array([r[2] for r in rows], dtype="Int64"),
            "return_date": [DAY0 + pd.Timedelta(days=r[4]) if len(r) > 4 else pd.NaT for r in rows],
            "recurrence": False,
        }
    )
    out["return_date"] = pd.to_datetime(out["return_date"])
    return out


def _season(
    athletes: int, seed: int, hr: float, days: int = 300, block_sd: float = 0.25
) -> SimpleNamespace:
    """Blocks of heavier and lighter hip-flexor work; the daily injury hazard multiplied
    by ``hr`` per 100 reps of the 28 days before above the athlete's usual."""
    rng = np.random.default_rng(seed)
    level = 50 * np.exp(rng.normal(0, 0.3, athletes))
    blocks = np.exp(rng.normal(0, block_sd, (athletes, days // 28 + 1))).repeat(28, axis=1)[
        :, :days
    ]
    reps = np.round(level[:, None] * blocks)
    window = np.zeros((athletes, days))
    cum = np.concatenate([np.zeros((athletes, 1)), reps.cumsum(axis=1)], axis=1)
    t = np.arange(days)
    window = cum[:, t] - cum[:, np.clip(t - 28, 0, None)]
    usual = level[:, None] * 28 * np.exp(block_sd**2 / 2)
    haz = 2.0 / days * np.exp(np.log(hr) / 100 * (window - usual))
    hits = (rng.random((athletes, days)) < haz) & (t >= 28)[None, :]
    g, d = np.nonzero(hits)
    return SimpleNamespace(
        log=_log(athletes, days, reps),
        injuries=_injuries(
            [(f"A{a:02d}", int(b), 1, "hamstring") for a, b in zip(g, d, strict=True)]
        ),
    )


def test_injury_hazard_is_exported_pinned_and_frozen() -> None:
    ds = _season(12, 0, 1.0)
    res = hf.stats.injury_hazard(ds)
    assert hf.stats.injury_hazard is injury_hazard
    for field in (
        "hazard_ratio",
        "ci_low",
        "ci_high",
        "pvalue",
        "n_events",
        "n_athletes",
        "method",
        "note",
    ):
        assert hasattr(res, field)
    with pytest.raises(FrozenInstanceError):
        res.hazard_ratio = 2.0  # type: ignore[misc]


def test_injury_hazard_finds_a_planted_effect_and_covers_it() -> None:
    res = injury_hazard(_season(40, 1, 1.5))
    assert res.n_events >= 30
    assert res.pvalue < 0.01
    assert 1.0 < res.ci_low < 1.5 < res.ci_high
    assert res.ci_low < res.hazard_ratio < res.ci_high


def test_injury_hazard_under_no_effect_interval_holds_one() -> None:
    res = injury_hazard(_season(40, 2, 1.0))
    assert res.n_events >= 30 and np.isfinite(res.hazard_ratio)
    assert res.ci_low < 1.0 < res.ci_high
    assert res.pvalue > 0.05


def test_pvalue_and_interval_agree() -> None:
    for seed in range(4):
        res = injury_hazard(_season(20, 10 + seed, 1.6))
        if np.isfinite(res.pvalue):
            excludes_one = not (res.ci_low <= 1.0 <= res.ci_high)
            assert excludes_one == (res.pvalue < 0.05)


def test_too_few_events_gives_nan_with_the_reason() -> None:
    log = _log(8, 120)
    inj = _injuries(
        [("A00", 40, 3, "hamstring"), ("A01", 50, 3, "hamstring"), ("A02", 60, 3, "calf")]
    )
    res = injury_hazard(SimpleNamespace(log=log, injuries=inj))
    assert np.isnan(res.hazard_ratio) and np.isnan(res.pvalue) and np.isnan(res.ci_low)
    assert res.n_events == 3 and res.n_athletes == 8 and res.n_event_athletes == 3
    assert "too few injuries" in res.note and "at least 10" in res.note


def test_no_injury_log_is_an_answer_not_an_error() -> None:
    res = injury_hazard(SimpleNamespace(log=_log(6, 60)))
    assert np.isnan(res.hazard_ratio) and "no injury log" in res.note


def test_days_lost_are_not_at_risk_and_an_injury_inside_them_is_no_event() -> None:
    log = _log(6, 100)
    base = injury_hazard(SimpleNamespace(log=log, injuries=_injuries([])))
    assert base.athlete_days == 6 * (100 - 28)
    # out days 51..59 (return on day 60: onset + days_lost); a second onset on day 55
    # falls in them; 9 days out leave at least 19 of 28 window days available, so
    # every other day stays at risk
    inj = _injuries([("A00", 50, 10, "hamstring"), ("A00", 55, 2, "hamstring")])
    res = injury_hazard(SimpleNamespace(log=log, injuries=inj))
    assert res.athlete_days == base.athlete_days - 9
    assert res.n_events == 1
    assert "1 injury outside the time at risk" in res.note


def test_return_date_wins_over_days_lost() -> None:
    log = _log(6, 100)
    inj = _injuries([("A00", 50, 10, "hamstring", 55)])  # back on day 55: 4 days out
    res = injury_hazard(SimpleNamespace(log=log, injuries=inj))
    assert res.athlete_days == 6 * 72 - 4


def test_a_long_absence_leaves_the_thin_windows_out() -> None:
    log = _log(6, 120)
    inj = _injuries([("A00", 40, 30, "hamstring")])  # out 41..69, back on 70
    res = injury_hazard(SimpleNamespace(log=log, injuries=inj))
    # days 70..83 have fewer than 14 of their 28 window days available
    assert res.athlete_days == 6 * 92 - 29 - 14
    assert "14 athlete-days within 14 days of a return" in res.note


def test_locations_choose_the_events_every_injury_takes_its_days() -> None:
    log = _log(6, 100)
    inj = _injuries([("A00", 50, 5, "hamstring"), ("A01", 60, 5, "calf")])
    only_ham = injury_hazard(SimpleNamespace(log=log, injuries=inj), locations="hamstring")
    every = injury_hazard(SimpleNamespace(log=log, injuries=inj))
    assert only_ham.n_events == 1 and every.n_events == 2
    assert only_ham.athlete_days == every.athlete_days == 6 * 72 - 8


def test_injuries_of_athletes_without_a_log_are_named_in_the_note() -> None:
    inj = _injuries([("ZZ", 50, 5, "hamstring")])
    res = injury_hazard(SimpleNamespace(log=_log(6, 100), injuries=inj))
    assert res.n_events == 0 and "1 injury of athletes without a training log" in res.note


def test_balance_reads_families_from_the_log() -> None:
    flex = _log(2, 40, 60.0)
    ext = _log(2, 40, 30.0).assign(family="hip_extensor", hf_reps=0.0)
    ext = ext[~((ext["athlete_id"] == "A01") & (ext["date"] >= DAY0 + pd.Timedelta(days=5)))]
    panel = exposure_panel(pd.concat([flex, ext]), exposure="balance", window_days=7)
    a0 = panel[(panel["athlete_id"] == "A00") & panel["full_window"]]
    assert np.allclose(a0["exposure"], 200.0)  # 60 flexor per 30 extensor reps
    a1 = panel[(panel["athlete_id"] == "A01") & (panel["day"] >= 12)]
    assert a1["exposure"].isna().all()  # no extensor work in the window: undefined


def test_exposure_panel_sums_the_days_before() -> None:
    log = _log(1, 10, np.arange(10.0))
    panel = exposure_panel(log, window_days=3)
    assert panel["exposure"].tolist()[3:] == [3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0]
    assert panel["full_window"].tolist() == [False] * 3 + [True] * 7


def test_a_log_without_the_exposure_column_is_a_data_error() -> None:
    log = _log(6, 60).drop(columns="hf_reps")
    with pytest.raises(DataError, match="hf_reps"):
        injury_hazard(SimpleNamespace(log=log, injuries=_injuries([])))
