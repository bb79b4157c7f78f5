"""Training exposure per athlete and day, and over the window before each day.

The daily sums of a training-log column (or the flexor and extensor reps of the
flexor : extensor balance) on a dense athlete × day grid, and their trailing windows with
the days out injured taken out (:func:`exposure_panel`); the athlete-days at risk of an
injury and the injuries that count as events (:func:`risk_data`), from which
:func:`analysis.injury_stats.injury_hazard` builds its Cox model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = [
    "DailyExposure",
    "RiskData",
    "daily_exposure",
    "exposure_panel",
    "require_columns",
    "risk_data",
    "trailing_exposure",
]


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a :class:`~analysis.errors.DataError` naming the first of ``columns`` that
    ``frame`` (the ``what``: "training log", "injury log") lacks.

    Parameters
    ----------
    frame : DataFrame
        The table.
    columns : iterable of str
        The columns it needs.
    what : str
        Its name in the message.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"the {what} lacks column {missing[0]!r}", file=what, column=missing[0])


def _entry_reps(log: pd.DataFrame) -> pd.Series:
    """Repetitions of each log entry: sets × reps, doubled when logged per leg; the
    entry's ``hf_reps`` where sets or reps are not given (distance or timed work)."""
    sets = pd.to_numeric(log.get("sets"), errors="coerce") if "sets" in log else None
    reps = pd.to_numeric(log.get("reps"), errors="coerce") if "reps" in log else None
    hf = pd.to_numeric(log["hf_reps"], errors="coerce").astype("float64")
    if sets is None or reps is None:
        return hf.fillna(0.0)
    legs = 1.0
    if "per_leg" in log:
        legs = np.where(log["per_leg"].astype("boolean").fillna(False).to_numpy(bool), 2.0, 1.0)
    work = (sets.astype("float64") * reps.astype("float64") * legs).astype("float64")
    return work.fillna(hf).fillna(0.0)


@dataclass(frozen=True)
class DailyExposure:
    """Each athlete's daily sums (G × T arrays) from the squad's first log date
    (see :func:`daily_exposure`)."""

    athletes: np.ndarray
    day0: pd.Timestamp
    series: tuple[np.ndarray, ...]  # (exposure,) or (flexor reps, extensor reps)
    first: np.ndarray  # first and last log day of each athlete
    last: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(athletes, days)."""
        return self.series[0].shape

    def observed(self) -> np.ndarray:
        """Days from each athlete's first to last log date (G × T bool)."""
        t = np.arange(self.shape[1])[None, :]
        return (t >= self.first[:, None]) & (t <= self.last[:, None])


def daily_exposure(log: pd.DataFrame, exposure: str) -> DailyExposure | None:
    """Each athlete's daily exposure from the squad's first log date.

    Parameters
    ----------
    log : DataFrame
        The clean training log.
    exposure : str
        ``"balance"`` (the series are flexor and extensor reps) or a numeric log column.

    Returns
    -------
    DailyExposure or None
        The athletes (sorted), the first day, the daily sums and each athlete's first
        and last log day; None when the log has no dated entry of a known athlete.
    """
    need = ["athlete_id", "date"] + (["family", "hf_reps"] if exposure == "balance" else [exposure])
    require_columns(log, need, "training log")
    dates = pd.to_datetime(log["date"], errors="coerce")
    ok = (dates.notna() & log["athlete_id"].notna()).to_numpy(bool)
    if not ok.any():
        return None
    sub = log.loc[ok]
    day0 = dates[ok].min().normalize()
    day = ((dates[ok].dt.normalize() - day0).dt.days).to_numpy("int64")
    codes, athletes = pd.factorize(sub["athlete_id"].astype("string"), sort=True)
    G, T = len(athletes), int(day.max()) + 1
    if exposure == "balance":
        family = sub["family"].astype("string").fillna("").to_numpy(object)
        hf = pd.to_numeric(sub["hf_reps"], errors="coerce").astype("float64").to_numpy()
        flex = np.where(family == "hip_flexor", hf, 0.0)
        ext = np.where(family == "hip_extensor", _entry_reps(sub).to_numpy("float64"), 0.0)
        values = [flex, ext]
    else:
        values = [pd.to_numeric(sub[exposure], errors="coerce").astype("float64").to_numpy()]
    series = []
    for v in values:
        daily = np.zeros((G, T))
        np.add.at(daily, (codes, day), np.nan_to_num(v))
        series.append(daily)
    first = np.full(G, T)
    last = np.full(G, -1)
    np.minimum.at(first, codes, day)
    np.maximum.at(last, codes, day)
    return DailyExposure(np.asarray(athletes, dtype=object), day0, tuple(series), first, last)


def trailing_exposure(
    d: DailyExposure, window_days: int, available: np.ndarray, balance: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Exposure over the ``window_days`` days before each day.

    Parameters
    ----------
    d : DailyExposure
        The daily sums.
    window_days : int
        The window W: days t − W … t − 1.
    available : ndarray
        G × T bool: the days the athlete was available (observed, not out injured).
    balance : bool
        The exposure is flexor reps per 100 extensor reps (not scaled).

    Returns
    -------
    (ndarray, ndarray)
        The exposure (G × T) and the number of the window's days the athlete was
        available. A sum is scaled to the whole window (sum × W / available days): days
        out injured are not days without work.
    """
    G, T = d.shape
    t = np.arange(T)
    lo = np.clip(t - window_days, 0, None)

    def window_sum(a: np.ndarray) -> np.ndarray:
        cum = np.concatenate([np.zeros((G, 1)), np.cumsum(a, axis=1)], axis=1)
        return cum[:, t] - cum[:, lo]  # days t-W .. t-1

    n_avail = window_sum(available.astype("float64"))
    sums = [window_sum(np.where(available, s, 0.0)) for s in d.series]
    with np.errstate(divide="ignore", invalid="ignore"):
        if balance:
            x = np.where(sums[1] > 0, 100.0 * sums[0] / sums[1], np.nan)
        else:
            x = np.where(n_avail > 0, sums[0] * window_days / n_avail, np.nan)
    return x, n_avail


def exposure_panel(
    log: pd.DataFrame,
    *,
    exposure: str = "hf_reps",
    window_days: int = 28,
) -> pd.DataFrame:
    """Each athlete's trailing-window exposure on every day of their observed period.

    Parameters
    ----------
    log : DataFrame
        The clean training log (``athlete_id, date, family, hf_reps``, … — docs/architecture.md).
    exposure : str, default "hf_reps"
        ``"balance"`` (hip-flexor reps per 100 hip-extensor reps in the window), or a
        numeric log column summed per day (``hf_reps``, ``hf_load_kg``).
    window_days : int, default 28
        The window: the ``window_days`` days before the day (the day itself excluded, as
        in :func:`analysis.race_features`).

    Returns
    -------
    DataFrame
        One row per athlete and day from the athlete's first to last log date (the
        observed period): ``athlete_id, date, day`` (days since the squad's first log
        date), ``full_window`` (the window lies wholly inside the observed period) and
        ``exposure`` (NaN for ``"balance"`` when the window holds no hip-extensor work).
        Days without a log entry inside the observed period count as days without that
        work (0); a window reaching before the first log date is scaled up from the days
        it has.
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    d = daily_exposure(log, exposure)
    if d is None:
        return pd.DataFrame(
            {
                "athlete_id": pd.Series([], dtype="string"),
                "date": pd.Series([], dtype="datetime64[ns]"),
                "day": pd.Series([], dtype="int64"),
                "full_window": pd.Series([], dtype="bool"),
                "exposure": pd.Series([], dtype="float64"),
            }
        )
    observed = d.observed()
    x, _ = trailing_exposure(d, window_days, observed, exposure == "balance")
    gg, tt = np.nonzero(observed)
    return pd.DataFrame(
        {
            "athlete_id": pd.array(d.athletes[gg], dtype="string"),
            "date": d.day0 + pd.to_timedelta(tt, unit="D"),
            "day": tt.astype("int64"),
            "full_window": tt - window_days >= d.first[gg],
            "exposure": x[gg, tt],
        }
    )


def _injuries(n: int) -> str:
    return f"{n} injury" if n == 1 else f"{n} injuries"


def _days_out(injuries: pd.DataFrame, day0: pd.Timestamp) -> tuple[np.ndarray, ...]:
    onset = pd.to_datetime(injuries["onset_date"], errors="coerce").dt.normalize()
    back = pd.to_datetime(injuries["return_date"], errors="coerce").dt.normalize()
    lost = pd.to_numeric(injuries["days_lost"], errors="coerce")
    back = back.fillna(onset + pd.to_timedelta(lost, unit="D"))
    o = ((onset - day0).dt.days).to_numpy("float64")
    b = ((back - day0).dt.days).to_numpy("float64")
    return o, b


@dataclass(frozen=True)
class RiskData:
    """Athlete × day arrays of the time at risk (see :func:`risk_data`)."""

    athletes: np.ndarray
    day0: pd.Timestamp
    x: np.ndarray  # exposure over the window before each day (G × T)
    at_risk: np.ndarray  # G × T bool
    available: np.ndarray  # observed and not out injured (G × T bool)
    daily: np.ndarray  # the daily exposure (G × T; flexor reps for "balance")
    ev_g: np.ndarray  # athlete and day of each injury that counts as an event
    ev_t: np.ndarray
    notes: tuple[str, ...]


def risk_data(
    log: pd.DataFrame,
    injuries: pd.DataFrame,
    exposure: str,
    window_days: int,
    locs: Sequence[str] | None,
) -> RiskData | None:
    """The athlete-days at risk, their exposure and the injuries that count as events.

    Parameters
    ----------
    log : DataFrame
        The clean training log.
    injuries : DataFrame
        The injury log (``athlete_id, onset_date, location, days_lost, return_date``).
    exposure : str
        ``"balance"`` or a numeric log column (see :func:`daily_exposure`).
    window_days : int
        The window of the exposure.
    locs : sequence of str, optional
        The injury locations that count as events (all by default).

    Returns
    -------
    RiskData or None
        None when the log has no dated entries. The time at risk, the exposure and the
        rules that leave days and injuries out are those of the Notes of
        :func:`analysis.injury_stats.injury_hazard`; ``notes`` counts what was left out.
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    d = daily_exposure(log, exposure)
    if d is None:
        return None
    athletes = pd.Index(d.athletes)
    G, T = d.shape
    observed = d.observed()
    full = np.arange(T)[None, :] - window_days >= d.first[:, None]

    inj_g = athletes.get_indexer(injuries["athlete_id"].astype("string").astype(object))
    onset, back = _days_out(injuries, d.day0)
    notes: list[str] = []
    unknown = int((inj_g < 0).sum())
    if unknown:
        notes.append(f"{_injuries(unknown)} of athletes without a training log left out")
    bad_onset = int(((inj_g >= 0) & np.isnan(onset)).sum())
    if bad_onset:
        notes.append(f"{_injuries(bad_onset)} without an onset date left out")
    known = (inj_g >= 0) & ~np.isnan(onset)
    no_loss = int((known & np.isnan(back)).sum())
    if no_loss:
        notes.append(f"{_injuries(no_loss)} without days lost or a return date: no time taken out")
    # days out: onset + 1 .. return − 1, as +1/−1 marks summed along the days
    span = known & ~np.isnan(back)
    lo = np.clip(onset[span] + 1, 0, T).astype("int64")
    hi = np.clip(back[span], 0, T).astype("int64")
    ok = hi > lo
    marks = np.zeros((G, T + 1))
    np.add.at(marks, (inj_g[span][ok], lo[ok]), 1.0)
    np.add.at(marks, (inj_g[span][ok], hi[ok]), -1.0)
    out = np.cumsum(marks, axis=1)[:, :T] > 0
    available = observed & ~out
    x, n_avail = trailing_exposure(d, window_days, available, exposure == "balance")
    at_risk = available & full
    thin = int((at_risk & (n_avail < window_days / 2)).sum())
    if thin:
        notes.append(
            f"{thin} athlete-days within {window_days // 2} days of a return from injury"
            " (half the window out) left out"
        )
    at_risk &= n_avail >= window_days / 2
    undefined = int((at_risk & np.isnan(x)).sum())
    if undefined:
        notes.append(
            f"{undefined} athlete-days whose window holds no hip-extensor work"
            " (balance undefined) left out"
        )
    at_risk &= ~np.isnan(x)

    counted = (inj_g >= 0) & ~np.isnan(onset)
    if locs is not None:
        loc = injuries["location"].astype("string").str.strip().str.lower()
        counted &= loc.isin([str(v).lower() for v in locs]).fillna(False).to_numpy(bool)
    ev_g = inj_g[counted]
    ev_t = onset[counted].astype("int64")
    inside = (ev_t >= 0) & (ev_t < T)
    risk_ok = np.zeros(len(ev_g), bool)
    risk_ok[inside] = at_risk[ev_g[inside], ev_t[inside]]
    not_at_risk = int((~risk_ok).sum())
    if not_at_risk:
        notes.append(
            f"{_injuries(not_at_risk)} outside the time at risk"
            f" (the first {window_days} days of an athlete's log, time lost to an earlier injury,"
            " or after the last log date) not counted"
        )
    ev_g, ev_t = ev_g[risk_ok], ev_t[risk_ok]
    return RiskData(
        d.athletes, d.day0, x, at_risk, available, d.series[0], ev_g, ev_t, tuple(notes)
    )
