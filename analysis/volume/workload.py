"""Acute:chronic workload ratios, monotony and strain on the daily volume (:func:`training_load`).

Offered because coaches ask for them, with the caveats the literature attaches (see
:func:`training_load`). The formulas follow the ``acwr`` package (PyPI, Garg 2026)
exactly — its conventions are the published ones — but are evaluated here on the whole
squad at once with grouped rolling windows, because that package's panel helper
(``acwr.by_athlete``) runs a Python loop over athletes. The tests check every column
against ``acwr`` athlete by athlete.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError
from .daily import require_columns

__all__ = ["acwr_null_check", "acwr_rescaling_check", "training_load"]


def _alpha(n: int, decay: str) -> float:
    if decay == "span":
        return 2.0 / (n + 1.0)
    if decay == "half_life":
        return float(1.0 - np.exp(-np.log(2.0) / n))
    raise ValueError(f"decay must be 'span' or 'half_life', got {decay!r}")


def training_load(
    daily: pd.DataFrame,
    value: str = "hf_reps",
    *,
    acute: int = 7,
    chronic: int = 28,
    decay: Literal["span", "half_life"] = "span",
    ddof: int = 1,
) -> pd.DataFrame:
    """Acute and chronic load, the three published ACWR forms, rolling monotony and strain.

    Parameters
    ----------
    daily : DataFrame
        Output of :func:`analysis.volume.daily_volume` (dense per-athlete calendar, sorted).
    value : str, default "hf_reps"
        The daily load column (``hf_reps`` or ``hf_load_kg``).
    acute, chronic : int, default 7 and 28
        Window lengths in days (chronic must exceed acute).
    decay : {"span", "half_life"}, default "span"
        EWMA smoothing constant: ``2/(N+1)`` (Williams et al. 2017) or
        ``1 − exp(−ln 2 / N)``.
    ddof : int, default 1
        Delta degrees of freedom of the SD in monotony.

    Returns
    -------
    DataFrame
        ``athlete_id, date, load`` and ``acute`` (rolling mean of the last ``acute`` days,
        today included), ``chronic`` (rolling mean of the last ``chronic`` days, coupled),
        ``chronic_uncoupled`` (mean of the ``chronic − acute`` days before the acute
        window), ``acwr_rac``, ``acwr_rau``, ``acute_ewma``, ``chronic_ewma``,
        ``acwr_ewma``, ``monotony`` and ``strain`` (rolling ``acute``-day window). Values
        need a full window (NaN before), as in the ``acwr`` package.

    Notes
    -----
    - Coupled rolling ACWR (Hulin et al. 2016): RAC = mean(L[t−a+1..t]) / mean(L[t−c+1..t]).
    - Uncoupled (Lolli et al. 2019; Windt & Gabbett 2019): RAU = mean(L[t−a+1..t]) /
      mean(L[t−c+1..t−a]).
    - EWMA (Williams et al. 2017): E_t = λ L_t + (1 − λ) E_{t−1}, λ = 2/(N+1), seeded
      with the first day (``adjust=False``); ACWR = E_acute / E_chronic.
    - Monotony and strain (Foster 1998) over a trailing window: mean/SD, sum × monotony.

    Known criticisms, which is why the reports never band these ratios into "risk zones":
    the coupled ratio shares its numerator with its denominator, which induces a spurious
    correlation with acute load and caps it at c/a (Lolli et al. 2019); ratios conflate
    two quantities, rescale rather than add information, depend on arbitrary window
    choices, and the injury "sweet spot" thresholds are not supported by the evidence
    (Impellizzeri et al. 2020). A zero chronic load gives ``inf``/NaN, left as is.

    References
    ----------
    Hulin BT, Gabbett TJ, Lawson DW, Caputi P, Sampson JA (2016). The acute:chronic workload
    ratio predicts injury. Br J Sports Med 50(4):231-236.
    Williams S, West S, Cross MJ, Stokes KA (2017). Better way to determine the
    acute:chronic workload ratio? Br J Sports Med 51(3):209-210.
    Foster C (1998). Med Sci Sports Exerc 30(7):1164-1168.
    Lolli L, Batterham AM, Hawkins R, et al. (2019). Mathematical coupling causes spurious
    correlation within the conventional acute-to-chronic workload ratio calculations.
    Br J Sports Med 53(15):921-922.
    Impellizzeri FM, Tenan MS, Kempton T, Novak A, Coutts AJ (2020). Acute:chronic workload
    ratio: conceptual issues and fundamental pitfalls. Int J Sports Physiol Perform
    15(6):907-913.
    """
    if not (1 <= acute < chronic):
        raise ValueError(f"need 1 <= acute < chronic, got acute={acute}, chronic={chronic}")
    if ddof not in (0, 1):
        raise ValueError("ddof must be 0 or 1")
    require_columns(daily, ("athlete_id", "date", value), name="daily volume")
    daily = daily.sort_values(["athlete_id", "date"], ignore_index=True)
    codes = pd.Series(pd.factorize(daily["athlete_id"], sort=True)[0], name="g")
    load = daily[value].astype("float64").rename("load")

    def grouped(series: pd.Series) -> pd.core.groupby.SeriesGroupBy:
        return series.groupby(codes.to_numpy(), sort=True)

    def flat(result: pd.Series) -> np.ndarray:
        # grouped window results come back indexed (group, row); rows are already sorted.
        return result.droplevel(0).sort_index().to_numpy(dtype=np.float64)

    a_roll = grouped(load).rolling(acute, min_periods=acute)
    acute_mean = flat(a_roll.mean())
    acute_sum = flat(a_roll.sum())
    acute_sd = flat(a_roll.std(ddof=ddof))
    chronic_mean = flat(grouped(load).rolling(chronic, min_periods=chronic).mean())
    shifted = grouped(load).shift(acute)
    window = chronic - acute
    uncoupled = flat(grouped(shifted).rolling(window, min_periods=window).mean())
    acute_e = flat(
        grouped(load).ewm(alpha=_alpha(acute, decay), adjust=False, min_periods=acute).mean()
    )
    chronic_e = flat(
        grouped(load).ewm(alpha=_alpha(chronic, decay), adjust=False, min_periods=chronic).mean()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        mono = acute_mean / acute_sd
        out = pd.DataFrame(
            {
                "athlete_id": daily["athlete_id"],
                "date": daily["date"],
                "load": load.to_numpy(),
                "acute": acute_mean,
                "chronic": chronic_mean,
                "chronic_uncoupled": uncoupled,
                "acwr_rac": acute_mean / chronic_mean,
                "acwr_rau": acute_mean / uncoupled,
                "acute_ewma": acute_e,
                "chronic_ewma": chronic_e,
                "acwr_ewma": acute_e / chronic_e,
                "monotony": mono,
                "strain": acute_sum * mono,
            }
        )
    return out


def acwr_rescaling_check(
    daily: pd.DataFrame,
    athlete_id: str,
    value: str = "hf_reps",
    *,
    method: Literal["rac", "rau", "ewma"] = "rac",
    seed: int = 0,
):
    """Does one athlete's ACWR carry information beyond acute load? (``acwr`` package).

    Delegates to ``acwr.rescaling_check``: the Spearman correlation (bootstrap CI) and
    Pearson correlation of the ratio with acute load alone. A Spearman near 1 means the
    ratio is its own numerator in other units (Impellizzeri et al. 2020).

    Parameters
    ----------
    daily : DataFrame
        Output of :func:`analysis.volume.daily_volume`.
    athlete_id : str
        The athlete to check.
    value : str, default "hf_reps"
        Daily load column.
    method : {"rac", "rau", "ewma"}, default "rac"
        ACWR form.
    seed : int, default 0
        Bootstrap seed.

    Returns
    -------
    acwr.RescalingResult

    References
    ----------
    Impellizzeri FM et al. (2020). Int J Sports Physiol Perform 15(6):907-913.
    """
    import acwr

    part = _athlete_days(daily, athlete_id)
    return acwr.rescaling_check(_day_series(part, value), method=method, seed=seed)


def _athlete_days(daily: pd.DataFrame, athlete_id: str) -> pd.DataFrame:
    part = daily.loc[daily["athlete_id"] == athlete_id].sort_values("date")
    if part.empty:
        raise DataError(f"no daily volume for athlete {athlete_id!r}", column="athlete_id")
    return part


def _day_series(part: pd.DataFrame, column: str) -> pd.Series:
    require_columns(part, (column,), name="daily volume")
    values = pd.to_numeric(part[column]).to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.Series(values, index=pd.DatetimeIndex(part["date"]), name=column)


def acwr_null_check(
    daily: pd.DataFrame,
    athlete_id: str,
    outcome: str | pd.Series,
    value: str = "hf_reps",
    *,
    method: Literal["rac", "rau", "ewma"] = "rac",
    kind: Literal["shuffle", "normal", "constant"] = "shuffle",
    acute: int = 7,
    chronic: int = 28,
    n_null_draws: int = 200,
    boot_draws: int = 2000,
    seed: int = 0,
):
    """Does one athlete's ACWR beat a ratio with a meaningless chronic load? (``acwr`` package).

    Delegates to ``acwr.compare_to_null``, the check of Impellizzeri et al. (2021): the
    association of the outcome with the real ratio is set beside its association with
    ratios whose chronic denominator is replaced by a contrivance (shuffled in time,
    random normal, or constant). If the real ratio sits inside that null interval, the
    chronic load added nothing on these data.

    Parameters
    ----------
    daily : DataFrame
        Output of :func:`analysis.volume.daily_volume`.
    athlete_id : str
        The athlete to check.
    outcome : str or Series
        A column of ``daily`` (e.g. a daily soreness score or 0/1 injury flag merged in
        by the caller), or a Series indexed by date. 0/1 or boolean values are scored by
        AUC, anything else by Spearman's rho.
    value : str, default "hf_reps"
        Daily load column.
    method : {"rac", "rau", "ewma"}, default "rac"
        ACWR form (see :func:`training_load`).
    kind : {"shuffle", "normal", "constant"}, default "shuffle"
        The contrivance replacing the chronic load.
    acute, chronic : int, default 7 and 28
        Window lengths in days.
    n_null_draws, boot_draws : int, default 200 and 2000
        Null ratios drawn, and bootstrap resamples of the real association.
    seed : int, default 0
        Seed of the null draws and the bootstrap.

    Returns
    -------
    acwr.NullComparison
        ``real`` and ``real_ci95``, ``null`` and ``null_ci95``, ``measure``, ``n``, and
        the flags ``real_beats_null`` / ``real_outside_null``. Descriptive, not a
        significance test.

    Raises
    ------
    DataError
        No daily volume for the athlete, or ``outcome`` is not a column of ``daily``.

    References
    ----------
    Impellizzeri FM, Woodcock S, Coutts AJ, Fanchini M, McCall A, Vigotsky AD (2021).
    What role do chronic workloads play in the acute to chronic workload ratio? Time to
    dismiss ACWR and its underlying theory. Sports Med 51(3):581-592.
    doi:10.1007/s40279-020-01378-6
    """
    import acwr

    part = _athlete_days(daily, athlete_id)
    target = _day_series(part, outcome) if isinstance(outcome, str) else outcome
    return acwr.compare_to_null(
        _day_series(part, value),
        target,
        acute=acute,
        chronic=chronic,
        method=method,
        kind=kind,
        n_null_draws=n_null_draws,
        boot_draws=boot_draws,
        seed=seed,
    )
