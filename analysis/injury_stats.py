"""Injury hazard and training exposure: a Cox model in counting-process form.

:func:`injury_hazard` answers the article's second question honestly: does the hip-flexor
work of the weeks before (or the flexor : extensor balance) relate to the hazard of an
injury, each athlete compared with themselves? It fits an Andersen–Gill Cox model with a
time-varying covariate and recurrent events, errors clustered by athlete, and says plainly
when there are too few injuries to estimate anything.

The model itself (:func:`analysis.cox.cox_fit`, pinned to R survival) and its robust
score test live in :mod:`analysis.cox`; the exposure on each athlete-day in
:mod:`analysis.injury_exposure` (with the athlete-days at risk). Both are re-exported here (``cox_fit``, ``CoxFit``,
``exposure_panel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._lazy import lazy_module
from .cox import CoxFit, cox_fit, robust_score_stat, score_interval
from .errors import DataError
from .injury_exposure import RiskData, exposure_panel, require_columns, risk_data

st = lazy_module("scipy.stats")

__all__ = [
    "MIN_ATHLETES",
    "MIN_EVENTS",
    "MIN_EVENT_ATHLETES",
    "CoxFit",
    "InjuryHazard",
    "cox_fit",
    "exposure_panel",
    "injury_hazard",
]

#: The "too few events" rule of :func:`injury_hazard` (see its Notes): at least this many
#: injuries while at risk ...
MIN_EVENTS = 10


#: ... in at least this many different athletes ...
MIN_EVENT_ATHLETES = 4


#: ... out of at least this many athletes with time at risk.
MIN_ATHLETES = 5


PER = 100.0  # the hazard ratio is per 100 units of exposure


@dataclass(frozen=True)
class InjuryHazard:
    """The squad's answer to "does this exposure relate to the hazard of an injury?"

    ``hazard_ratio`` is per 100 units of exposure within an athlete (NaN with the reason in
    ``note`` when there are too few events); see :func:`injury_hazard`.
    """

    hazard_ratio: float
    ci_low: float
    ci_high: float
    pvalue: float
    n_events: int
    n_athletes: int
    method: str
    note: str = ""
    log_hr: float = np.nan
    se: float = np.nan
    dof: float = np.nan
    n_event_athletes: int = 0
    athlete_days: int = 0
    se_sandwich: float = np.nan  # R's robust se (no small-sample correction)
    se_jackknife: float = np.nan
    exposure: str = "hf_reps"
    window_days: int = 28

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the fields."""
        return pd.DataFrame([asdict(self)])


def injury_hazard(
    ds: Any,
    *,
    exposure: str = "hf_reps",
    window_days: int = 28,
    locations: Sequence[str] | str | None = None,
    ci: float = 0.95,
    min_events: int = MIN_EVENTS,
    min_event_athletes: int = MIN_EVENT_ATHLETES,
    correction: Literal["score", "jackknife", "t", "z"] = "score",
) -> InjuryHazard:
    """Hazard ratio of injury per 100 units of trailing-window exposure, within athlete.

    Parameters
    ----------
    ds : Dataset
        Needs ``ds.log`` (the clean training log) and ``ds.injuries`` (``athlete_id,
        onset_date, location, days_lost, return_date, recurrence`` — docs/architecture.md). Without
        an injury log the answer is NaN with a note, never an error.
    exposure : str, default "hf_reps"
        ``"hf_reps"`` (hip-flexion reps), another numeric log column (``hf_load_kg``), or
        ``"balance"``: hip-flexor reps per 100 hip-extensor reps in the window (families
        read from the log's ``family`` column; an extensor entry's reps are sets × reps,
        doubled per leg). A balance of 100 means as many flexor as extensor reps; the
        hazard ratio is then per +100 (e.g. from 100 to 200: twice the extensor volume).
    window_days : int, default 28
        Exposure on a day = the sum over the ``window_days`` days before it.
    locations : str or sequence of str, optional
        Injury locations that count as events (e.g. ``("hamstring", "hip_groin")``); all
        injuries by default. Every injury, counted or not, takes its days lost out of the
        time at risk.
    ci : float, default 0.95
        Confidence level.
    min_events, min_event_athletes : int
        The "too few events" rule (defaults :data:`MIN_EVENTS`, :data:`MIN_EVENT_ATHLETES`).
    correction : {"score", "jackknife", "t", "z"}, default "score"
        Inference with G athletes: ``"score"`` — the robust score test on t with G − 1
        df and the interval of hazard ratios it does not reject (the headline);
        ``"jackknife"`` — Wald with the one-step jackknife SE on t(G − 1); ``"t"`` —
        Wald with the sandwich × G/(G−1) on t(G − 1); ``"z"`` — R's plain robust Wald z.
        The last three are for comparison: anti-conservative with 12–40 athletes
        (``benchmarks/injury_calibration.py``).

    Returns
    -------
    InjuryHazard
        ``hazard_ratio`` (per 100 units, within athlete), ``ci_low``, ``ci_high``,
        ``pvalue``, ``n_events`` (injuries while at risk that count), ``n_athletes``
        (athletes with time at risk), ``method``, ``note``; also ``log_hr``, ``se`` (the
        jackknife SE of log_hr with ``"score"``), ``dof``, ``n_event_athletes``,
        ``athlete_days``, ``se_sandwich`` (R's robust se) and ``se_jackknife``.

    Notes
    -----
    **Time at risk.** Calendar days from the day the athlete's first window is complete
    (first log date + ``window_days``) to their last log date — the observed period,
    first to last log date — minus the days lost to every injury: from the day after
    onset up to the day before the return date (``return_date``, else onset +
    ``days_lost``, the consensus definition of time loss, Bahr et al. 2020), when the
    athlete is not training or racing. Each athlete-day is a row ``(t−1, t]``; an injury
    whose onset falls on a day at risk is an event (recurrent events allowed); one
    outside it (first window, time lost to an earlier injury) is counted in ``note``.

    **Exposure.** The work of the ``window_days`` days before the day, over the days
    the athlete was available (not out injured), scaled to the whole window: days out
    are not days of light work. Without this, every injury would lower its athlete's
    exposure for the weeks after it, and centring on the athlete's season mean (below)
    would make the days before each injury look heavy — a false "effect" the simulation
    measured at 13 % false findings. Days within ``window_days / 2`` of a return (less
    than half the window available) are left out of the time at risk.

    **Model.** Andersen–Gill Cox model on the calendar-day time scale (a squad-wide
    seasonal rise in risk sits in the baseline hazard), Efron ties:
    h_i(t) = h_0(t) exp(β_W (x_it − x̄_i) + β_B x̄_i), x_it the exposure on day t / 100,
    x̄_i the athlete's mean over their days at risk. β_W compares each athlete with
    themselves (the within-athlete, "hybrid" decomposition of Allison 2009; Neuhaus &
    Kalbfleisch 1998): an athlete who always trains more and is injured more does not
    enter it. ``hazard_ratio`` = exp(β_W), a population-averaged hazard ratio: with
    athletes who differ in ways the model does not see it is somewhat closer to 1 than
    each athlete's own (about 1.45 for a true 1.5 in the simulation).

    **Inference.** Errors clustered by athlete. The Wald test with the robust sandwich
    SE (R's ``coxph(..., cluster = id)``) found an effect in 14 % of no-effect seasons of
    12 athletes and 10.5 % of 40; with a jackknife SE on t(G − 1) still 8 % and 8.5 % —
    a few injury-prone athletes carry most events. The robust score test (Lin & Wei
    1989; R's "Robust" score test) is evaluated at the null, where those athletes do not
    also inflate the fit: the athlete-summed efficient score for β_W (β_B refitted under
    H0) over the root of its athletes' sum of squares, referred to t on G − 1 df;
    ``ci_low``/``ci_high`` are the hazard ratios it does not reject (test inversion, so
    the interval and the p-value always agree). In ``benchmarks/injury_calibration.py``
    (200 seasons per cell) it found an effect in 1.1 % of no-effect seasons at 12
    athletes and 3.5 % at 40, and its 95 % interval held a planted hazard ratio of 1.25
    in 96.5 % and 93.0 % of seasons. With 12 athletes it is conservative: a p-value
    below 0.001 is out of its reach (the statistic is bounded by √G).

    **Too few events (the rule).** The answer is NaN, with the reason in ``note``, when
    fewer than ``min_events`` (10) injuries count as events, when they fall in fewer than
    ``min_event_athletes`` (4) athletes, or when fewer than :data:`MIN_ATHLETES` (5)
    athletes have time at risk — ten events per estimated coefficient is the usual floor
    for a Cox model (Peduzzi et al. 1995), and a robust variance from events in two or
    three athletes has next to no degrees of freedom. In the simulation the seasons it
    refuses (a rare injury, 12 athletes: 2–9 events) gave a Wald-z "finding" in 20 % of
    no-effect seasons; the score test found none there, so the rule is what keeps a
    less careful test in bound, and it keeps uninformative answers off the page.

    What it cannot say: a hazard ratio near 1 with a wide interval is "we cannot tell",
    not "no effect"; an association within athletes is not proof that the work prevents
    or causes injuries (coaches reduce the work of athletes who feel something coming).

    References
    ----------
    Allison PD (2009). Fixed Effects Regression Models. Sage, ch. 5.
    Andersen PK, Gill RD (1982). Ann Stat 10:1100–1120.
    Bell RM, McCaffrey DF (2002). Bias reduction in standard errors for linear
    regression with multi-stage samples. Surv Methodol 28:169–181.
    Bahr R et al. (2020). International Olympic Committee consensus statement: methods
    for recording and reporting of epidemiological data on injury and illness in sport.
    Br J Sports Med 54:372–389.
    Cameron AC, Miller DL (2015). A practitioner's guide to cluster-robust inference.
    J Hum Resour 50:317–372.
    Lin DY, Wei LJ (1989). JASA 84:1074–1078.
    Neuhaus JM, Kalbfleisch JD (1998). Between- and within-cluster covariate effects in
    the analysis of clustered data. Biometrics 54:638–645.
    Peduzzi P et al. (1995). Importance of events per independent variable in
    proportional hazards regression analysis. J Clin Epidemiol 48:1503–1510.

    Examples
    --------
    >>> import analysis as hf
    >>> res = hf.stats.injury_hazard(ds, locations=("hamstring", "hip_groin"))  # doctest: +SKIP
    >>> res.hazard_ratio, res.note  # doctest: +SKIP
    """
    locs = (locations,) if isinstance(locations, str) else locations
    method = _method(exposure, window_days, correction)

    def empty(note: str, **counts: int) -> InjuryHazard:
        return InjuryHazard(
            hazard_ratio=np.nan,
            ci_low=np.nan,
            ci_high=np.nan,
            pvalue=np.nan,
            n_events=counts.get("n_events", 0),
            n_athletes=counts.get("n_athletes", 0),
            method=method,
            note=note,
            n_event_athletes=counts.get("n_event_athletes", 0),
            athlete_days=counts.get("athlete_days", 0),
            exposure=exposure,
            window_days=window_days,
        )

    log = getattr(ds, "log", None)
    if log is None:
        raise DataError("the dataset has no training log", file="training log")
    injuries = getattr(ds, "injuries", None)
    if injuries is None:
        return empty("no injury log in the data folder: nothing to estimate")
    require_columns(
        injuries, ["athlete_id", "onset_date", "location", "days_lost", "return_date"], "injury log"
    )
    risk = risk_data(log, injuries, exposure, window_days, locs)
    if risk is None:
        return empty("the training log has no dated entries: no time at risk")
    notes = list(risk.notes)
    counts = _counts(risk)
    too_few = _too_few(counts, min_events, min_event_athletes)
    if too_few:
        return empty("; ".join([too_few, *notes]), **counts)
    rows = _event_rows(risk)
    if rows is None:
        notes.insert(
            0, "the exposure never changes within an athlete: no within-athlete comparison"
        )
        return empty("; ".join(notes), **counts)
    fit = cox_fit(rows.start, rows.stop, rows.event, rows.design, cluster=rows.cluster,
                  ties="efron")  # fmt: skip
    if not fit.converged or not np.all(np.isfinite(fit.robust_se)):
        notes.insert(
            0, "the model did not converge (the exposure separates injured days perfectly?)"
        )
        return empty("; ".join(notes), **counts)
    # the clusters are all athletes at risk (rows off event days have zero residuals)
    fit = _with_clusters(fit, counts["n_athletes"])
    inf = _inference(fit, rows, correction, ci)
    return InjuryHazard(
        hazard_ratio=float(np.exp(inf.log_hr)),
        ci_low=float(np.exp(inf.lo)),
        ci_high=float(np.exp(inf.hi)),
        pvalue=inf.pvalue,
        n_events=counts["n_events"],
        n_athletes=counts["n_athletes"],
        method=method,
        note="; ".join(notes),
        log_hr=inf.log_hr,
        se=inf.se,
        dof=inf.dof,
        n_event_athletes=counts["n_event_athletes"],
        athlete_days=counts["athlete_days"],
        se_sandwich=float(fit.robust_se[0]),
        se_jackknife=float(np.sqrt(fit.jackknife_var[0, 0])),
        exposure=exposure,
        window_days=window_days,
    )


def _method(exposure: str, window_days: int, correction: str) -> str:
    """The ``method`` of the answer, in words."""
    return (
        f"Andersen–Gill Cox model, {exposure} over the {window_days} days before each day"
        " (per 100), within athlete; Efron ties; clustered by athlete: "
        + {
            "score": "robust score test and its interval, t on G−1 df",
            "jackknife": "Wald, jackknife SE, t on G−1 df",
            "t": "Wald, sandwich SE × G/(G−1), t on G−1 df",
            "z": "Wald, sandwich SE, normal reference",
        }[correction]
    )


def _counts(risk: RiskData) -> dict[str, int]:
    """Events, athletes at risk, athletes with an event and athlete-days at risk."""
    return {
        "n_events": len(risk.ev_g),
        "n_athletes": int(risk.at_risk.any(axis=1).sum()),
        "n_event_athletes": len(np.unique(risk.ev_g)),
        "athlete_days": int(risk.at_risk.sum()),
    }


def _too_few(counts: dict[str, int], min_events: int, min_event_athletes: int) -> str:
    """Why the rule refuses to estimate (too few athletes at risk, too few injuries or
    athletes with one), or ``""``."""
    if counts["n_athletes"] < MIN_ATHLETES:
        return (
            f"too few athletes with time at risk ({counts['n_athletes']}; the rule asks for"
            f" {MIN_ATHLETES})"
        )
    if counts["n_events"] < min_events or counts["n_event_athletes"] < min_event_athletes:
        return (
            f"too few injuries to estimate anything: {counts['n_events']} in"
            f" {counts['n_event_athletes']} athlete(s); the rule asks for at least {min_events}"
            f" in {min_event_athletes} athletes"
        )
    return ""


@dataclass(frozen=True)
class _EventRows:
    """The rows of the partial likelihood: ``(start, stop]``, event, design, athlete."""

    start: np.ndarray
    stop: np.ndarray
    event: np.ndarray
    design: np.ndarray  # within-athlete exposure (/ PER), then the athlete's mean if it varies
    cluster: np.ndarray


def _event_rows(risk: RiskData) -> _EventRows | None:
    """The within / between decomposition of the exposure over each athlete's days at
    risk, and the rows of the days with an event (None when the exposure never changes
    within an athlete)."""
    at_risk, x, ev_g, ev_t = risk.at_risk, risk.x, risk.ev_g, risk.ev_t
    G, T = at_risk.shape
    risk_athletes = np.flatnonzero(at_risk.any(axis=1))
    xs = np.where(at_risk, x, 0.0) / PER
    n_days = at_risk.sum(axis=1)
    mean = np.divide(xs.sum(axis=1), n_days, out=np.zeros(G), where=n_days > 0)
    within = np.where(at_risk, xs - mean[:, None], 0.0)
    if not np.any(np.abs(within[at_risk]) > 1e-12):
        return None
    # Only event days enter the partial likelihood: rows (t−1, t] of the athletes at
    # risk on a day with an event (an athlete-day with two injuries is two rows).
    event_days = np.unique(ev_t)
    rg, rk = np.nonzero(at_risk[:, event_days])
    rt = event_days[rk]
    n_ev = np.zeros((G, T), "int64")
    np.add.at(n_ev, (ev_g, ev_t), 1)
    k = n_ev[rg, rt]
    rep = np.maximum(k, 1)
    rg, rt = np.repeat(rg, rep), np.repeat(rt, rep)
    ev = np.repeat(k > 0, rep).astype("float64")
    design = np.column_stack([within[rg, rt], mean[rg]])
    if np.ptp(mean[risk_athletes]) < 1e-12:
        design = design[:, :1]
    return _EventRows(rt - 1.0, rt.astype("float64"), ev, design, rg)


@dataclass(frozen=True)
class _Inference:
    """The within-athlete log hazard ratio with its se, interval (log scale), p and dof."""

    log_hr: float
    se: float
    lo: float
    hi: float
    pvalue: float
    dof: float


def _inference(fit: CoxFit, rows: _EventRows, correction: str, ci: float) -> _Inference:
    """The robust score test and its interval on t(G − 1) (``"score"``), or a Wald
    alternative (:func:`_small_sample`)."""
    b = float(fit.coef[0])
    if correction != "score":
        se, lo, hi, p, dof = _small_sample(fit, 0, ci, correction)
        return _Inference(b, se, lo, hi, p, dof)
    args = (rows.start, rows.stop, rows.event, rows.design, rows.cluster)
    dof = float(fit.n_clusters - 1)
    q = float(st.t.ppf(0.5 + ci / 2, dof))
    p = float(2 * st.t.sf(abs(robust_score_stat(*args, 0.0)), dof))
    se = float(np.sqrt(fit.jackknife_var[0, 0]))
    width = se if np.isfinite(se) and se > 0 else float(fit.robust_se[0])
    lo, hi = score_interval(*args, b, width, q)
    return _Inference(b, se, lo, hi, p, dof)


def _small_sample(
    fit: CoxFit, j: int, ci: float, correction: str
) -> tuple[float, float, float, float, float]:
    """se, lower, upper (log scale), p-value and dof of coefficient ``j``."""
    b = float(fit.coef[j])
    G = fit.n_clusters
    if correction == "z":  # R's coxph: robust se, normal reference
        se = float(fit.robust_se[j])
        q = float(st.norm.ppf(0.5 + ci / 2))
        p = float(2 * st.norm.sf(abs(b / se)))
        return se, b - q * se, b + q * se, p, np.inf
    if correction == "jackknife":
        se = float(np.sqrt(fit.jackknife_var[j, j]))
    else:
        se = float(fit.robust_se[j]) * np.sqrt(G / (G - 1))
    dof = float(G - 1)
    q = float(st.t.ppf(0.5 + ci / 2, dof))
    p = float(2 * st.t.sf(abs(b / se), dof))
    return se, b - q * se, b + q * se, p, dof


def _with_clusters(fit: CoxFit, G: int) -> CoxFit:
    """The fit with its cluster count set to ``G`` (athletes at risk on no event day
    contribute zero score residuals but are clusters of the design all the same)."""
    return replace(fit, n_clusters=max(G, fit.n_clusters))
