"""Trailing windows of volume against the fade: one question, many windows (window_scan).

The scan asks the within-athlete question of :mod:`analysis.stats` at every window
length, on the race table of :mod:`analysis.relate`, and adjusts for asking it many
times: familywise max-T over the correlated windows (:mod:`analysis.stats.multiplicity`),
and whether a window adds anything to the pre-specified primary one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .._lazy import lazy_module
from ..config import PRIMARY_WINDOW_DAYS
from ..errors import DataError
from ..relate import race_table
from .correlation import rm_corr
from .inputs import join_notes
from .mixed import mixed_model
from .multiplicity import fdr_bh, holm, max_t_pvalues
from .within import slope_scores, within_athlete_effect

st = lazy_module("scipy.stats")  # imported on first use

__all__ = ["WINDOW_SCAN_WARNING", "window_scan"]


#: The plain-words warning every window scan carries (``DataFrame.attrs["warning"]``).
WINDOW_SCAN_WARNING = (
    "The windows overlap, so they are one question asked {n} times, not {n} findings: "
    "read the familywise p-value. The best-looking window overstates its effect (it was "
    "picked because chance flattered it); the headline is the pre-specified {primary}-day "
    "window, and the scan only shows how sensitive that answer is to the window."
)


def window_scan(
    log: pd.DataFrame,
    races: pd.DataFrame,
    fatigue: pd.DataFrame,
    windows: Iterable[int] = range(7, 57, 7),
    metric: str = "differential_s",
    event: int | None = 400,
    method: Literal["rm_corr", "mixed", "within"] = "rm_corr",
    *,
    value: Literal["hf_reps", "hf_load_kg"] = "hf_reps",
    require_coverage: bool = True,
    alpha: float = 0.05,
    primary: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Association of a fatigue metric with trailing-window volume, for many windows:
    a sensitivity analysis around the pre-specified primary window, familywise-adjusted.

    Parameters
    ----------
    log, races : DataFrame
        Clean training log and races.
    fatigue : DataFrame
        Fatigue metrics per race (``race_id``, ``metric``) or the splits table.
    windows : iterable of int, default 7, 14, ..., 56
        Window lengths in days.
    metric : str, default "differential_s"
        Fatigue metric column.
    event : int or None, default 400
        Restrict to this event (``event_m``); None keeps all races.
    method : {"rm_corr", "mixed", "within"}, default "rm_corr"
        ``rm_corr``: repeated-measures correlation (``estimate`` is r_rm). ``mixed``:
        within–between mixed model (``mixed_model(decompose=True)``), ``estimate`` is the
        *within-athlete* slope per 100 units of volume (e.g. seconds per 100 reps).
        ``within``: :func:`within_athlete_effect` adjusted for the season (race date),
        slope per 100 units, the method of the squad report.
    value : {"hf_reps", "hf_load_kg"}, default "hf_reps"
        Volume measure. With ``hf_load_kg``, races whose window holds a hip-flexor entry
        of unknown load (band work, an unstated load; see
        :func:`analysis.relate.race_features`) have no load and are left out, and
        ``note`` says how many; with ``hf_reps``, ``note`` counts the races whose window
        holds entries of unknown reps (kept, counted as 0).
    require_coverage : bool, default True
        Passed to :func:`analysis.relate.race_features`.
    alpha : float, default 0.05
        Level for the ``significant`` column (familywise).
    primary : int, optional
        The pre-specified primary window (default
        :data:`analysis.config.PRIMARY_WINDOW_DAYS`, 28 days): its row is marked
        ``primary``; it gives the headline, the other windows are the sensitivity.
    seed : int, default 0
        Seed of the Monte-Carlo max-T p-values.

    Returns
    -------
    DataFrame
        One row per window: ``window_days, x, method, estimate, ci_low, ci_high, pvalue,
        pvalue_adj`` (Benjamini–Hochberg across the windows), ``pvalue_fwer``
        (familywise, max-T over the correlated windows: is there an association at this
        window at all?), ``significant`` (``pvalue_fwer < alpha``), ``primary``,
        ``pvalue_beyond_primary`` (does this window add anything to the primary one?
        Holm-adjusted), ``finding`` (the primary window at its own p < alpha — it was
        fixed in advance, so it needs no adjustment — or another window that adds to
        it), ``n, n_subjects, note``. ``attrs``
        holds ``warning`` (:data:`WINDOW_SCAN_WARNING`, in plain words) and
        ``window_correlation`` (the estimated correlation of the windows' estimates).

    Notes
    -----
    Overlapping windows give strongly correlated tests: a 21-, 28- and 35-day window
    share most of their days, so one real effect at 28 days lights up its neighbours,
    and under no effect the chance that *some* window looks significant is well above
    α. Bonferroni would ignore the correlation and be needlessly strict; the single-step
    max-T method uses it: the windows' within-athlete estimates are jointly normal with
    a correlation estimated from their athlete-level (cluster) scores, the same CR2
    scores as :func:`within_athlete_effect`, and each window's |t| is compared with
    the distribution of the largest |t| over all windows (Hothorn, Bretz & Westfall
    2008; Westfall & Young 1993), with t on the smallest window's degrees of freedom.
    A real effect at 28 days makes every overlapping window significant (their volumes
    share days), which is one finding seen eight times: ``finding`` counts a window
    other than the primary only when its volume predicts the fade with the primary
    window's volume held fixed (a within-athlete model with both, season adjusted;
    Holm 1979 over those tests). Among the windows that pass, the best-looking one still overstates its effect
    (the winner's curse): the primary window, fixed before looking, is the estimate to
    quote. BH (``pvalue_adj``) stays for comparison; it controls the false discovery
    rate under the positive dependence (Benjamini & Yekutieli 2001), not the chance of
    any false window.

    References
    ----------
    Hothorn T, Bretz F, Westfall P (2008). Simultaneous inference in general parametric
    models. Biometrical J 50(3):346-363.
    Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat
    6(2):65-70.
    Westfall PH, Young SS (1993). Resampling-Based Multiple Testing. Wiley.
    Benjamini Y, Hochberg Y (1995). JRSS B 57(1):289-300.
    Benjamini Y, Yekutieli D (2001). Ann Stat 29(4):1165-1188.
    """
    windows = tuple(int(w) for w in windows)
    primary = PRIMARY_WINDOW_DAYS if primary is None else int(primary)
    table = _scan_table(log, races, fatigue, windows, metric, event, method, value,
                        require_coverage)  # fmt: skip
    has_metric = pd.to_numeric(table[metric]).notna().to_numpy(dtype=bool)
    out = pd.DataFrame(
        [
            _window_row(table, w, value, metric, method, _data_note(table, w, value, has_metric))
            for w in windows
        ]
    )
    fam = _familywise(out, table, [f"{value}_{w}d" for w in windows], metric, method, seed)
    out.insert(out.columns.get_loc("pvalue") + 1, "pvalue_adj", fdr_bh(out["pvalue"]))
    out.insert(out.columns.get_loc("pvalue_adj") + 1, "pvalue_fwer", fam.pvalues)
    out.insert(out.columns.get_loc("pvalue_fwer") + 1, "significant", out["pvalue_fwer"] < alpha)
    out.insert(out.columns.get_loc("significant") + 1, "primary", out["window_days"] == primary)
    beyond = np.full(len(out), np.nan)
    if primary in windows and len(windows) > 1:
        beyond = _beyond_primary(table, windows, value, metric, primary)
    prim_p = out["pvalue"].where(out["primary"])
    finding = (prim_p < alpha).fillna(False).to_numpy(dtype=bool) | (
        np.nan_to_num(beyond, nan=1.0) < alpha
    )
    out.insert(out.columns.get_loc("primary") + 1, "pvalue_beyond_primary", beyond)
    out.insert(out.columns.get_loc("pvalue_beyond_primary") + 1, "finding", finding)
    out.attrs["warning"] = WINDOW_SCAN_WARNING.format(n=len(windows), primary=primary)
    out.attrs["window_correlation"] = fam.corr
    return out


def _scan_table(
    log: pd.DataFrame,
    races: pd.DataFrame,
    fatigue: pd.DataFrame,
    windows: tuple[int, ...],
    metric: str,
    event: int | None,
    method: str,
    value: str,
    require_coverage: bool,
) -> pd.DataFrame:
    """The races of ``event`` with their window volumes and fatigue metrics; the arguments
    checked (after the table is built, as the scan always has)."""
    table = race_table(log, races, fatigue, windows, require_coverage=require_coverage)
    if event is not None and "event_m" in table.columns:
        table = table.loc[table["event_m"] == event]
    if metric not in table.columns:
        raise DataError(f"fatigue metric {metric!r} not found", column=metric)
    if method not in ("rm_corr", "mixed", "within"):
        raise ValueError("method must be 'rm_corr', 'mixed' or 'within'")
    if value not in ("hf_reps", "hf_load_kg"):
        raise ValueError("value must be 'hf_reps' or 'hf_load_kg'")
    return table


def _data_note(table: pd.DataFrame, w: int, value: str, has_metric: np.ndarray) -> str:
    """How many races with the metric have hip-flexor entries of unknown volume (or load)
    in window ``w``, in words (``""`` when none)."""
    unknown = table[f"hf_unknown_{'reps' if value == 'hf_reps' else 'load'}_{w}d"]
    n_unknown = int((unknown.fillna(0).to_numpy(dtype=np.int64) > 0)[has_metric].sum())
    if not n_unknown:
        return ""
    if value == "hf_load_kg":
        return (
            f"{n_unknown} races left out: hip-flexor load unknown in the window "
            "(band work or an unstated load)"
        )
    return (
        f"{n_unknown} races have hip-flexor entries of unknown volume in the window "
        "(counted as 0 reps)"
    )


def _window_row(
    table: pd.DataFrame, w: int, value: str, metric: str, method: str, data_note: str
) -> dict:
    """One window's estimate, interval, p-value and counts by ``method``."""
    xcol = f"{value}_{w}d"
    if method == "rm_corr":
        res = rm_corr(table, xcol, metric, "athlete_id")
        return {
            "window_days": w, "x": xcol, "method": method, "estimate": res.r,
            "ci_low": res.ci_low, "ci_high": res.ci_high, "pvalue": res.pvalue,
            "n": res.n, "n_subjects": res.n_subjects, "note": join_notes(res.note, data_note),
        }  # fmt: skip
    t = table.assign(_x100=pd.to_numeric(table[xcol]).astype("float64") / 100.0)
    if method == "within":
        res = within_athlete_effect(t, "_x100", metric, "athlete_id", time="date")
        return {
            "window_days": w, "x": xcol, "method": method, "estimate": res.estimate,
            "ci_low": res.ci_low, "ci_high": res.ci_high, "pvalue": res.pvalue,
            "n": res.n_obs, "n_subjects": res.n_subjects,
            "note": join_notes(res.note.replace("_x100", xcol), data_note),
        }  # fmt: skip
    mm = mixed_model(t, metric, "_x100", "athlete_id", decompose=True)
    row = mm.loc[mm["term"] == "_x100_within"].iloc[0]
    return {
        "window_days": w, "x": xcol, "method": method, "estimate": row["estimate"],
        "ci_low": row["ci_low"], "ci_high": row["ci_high"], "pvalue": row["pvalue"],
        "n": row["n_obs"], "n_subjects": row["n_groups"],
        "note": join_notes(row["note"].replace("_x100", xcol), data_note),
    }  # fmt: skip


@dataclass(frozen=True)
class _Familywise:
    """The windows' estimated correlation and their familywise (max-T) p-values."""

    corr: np.ndarray
    pvalues: np.ndarray


def _familywise(
    out: pd.DataFrame,
    table: pd.DataFrame,
    xcols: Sequence[str],
    metric: str,
    method: str,
    seed: int,
) -> _Familywise:
    """Max-T p-values over the windows of ``out``, their statistics jointly t (``within``:
    on the smallest window's degrees of freedom) or normal, correlated as their scores."""
    corr, dof = _window_correlation(table, xcols, metric, "date" if method == "within" else None)
    p = out["pvalue"].to_numpy(dtype=np.float64)
    if method == "within" and np.isfinite(dof):
        z = st.t.isf(p / 2, dof)
    else:
        z = st.norm.isf(p / 2)
        dof = np.nan
    fwer = max_t_pvalues(z, corr, dof, seed=seed) if len(out) > 1 else p
    return _Familywise(corr, fwer)


def _window_correlation(
    table: pd.DataFrame, xcols: Sequence[str], metric: str, time: str | None
) -> tuple[np.ndarray, float]:
    """Correlation of the within-athlete slope estimates across windows, from their
    cluster scores (the same athletes and races in every window), and the smallest dof."""
    use = [*xcols, metric] + ([time] if time else [])
    d = table.loc[table[use].notna().all(axis=1) & table["athlete_id"].notna()]
    d = d.assign(**{c: pd.to_numeric(d[c], errors="coerce") for c in [*xcols, metric]})
    psi, dofs = [], []
    for xc in xcols:
        scores = slope_scores(d, xc, metric, "athlete_id", time)
        if scores is None:
            return np.eye(len(xcols)), np.nan
        psi.append(scores[0])
        dofs.append(scores[1])
    if len({len(p) for p in psi}) != 1:  # athletes dropped differently: no joint scores
        return np.eye(len(xcols)), float(np.nanmin(dofs))
    m = np.column_stack(psi)
    cov = m.T @ m
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    corr = np.where(np.isfinite(corr), corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    return corr, float(np.nanmin(dofs))


def _beyond_primary(
    table: pd.DataFrame, windows: tuple[int, ...], value: str, metric: str, primary: int
) -> np.ndarray:
    """Does window w say anything the primary window does not? Its volume with the
    primary window's volume held fixed, within athlete, season adjusted; Holm over those
    tests keeps the chance of any false extra window at alpha (NaN for the primary)."""
    t = table.assign(
        **{f"_w{w}": pd.to_numeric(table[f"{value}_{w}d"]).astype("float64") / 100.0
           for w in windows}
    )  # fmt: skip
    raw = []
    for w in windows:
        if w == primary:
            raw.append(np.nan)
            continue
        res = within_athlete_effect(
            t, f"_w{w}", metric, "athlete_id", time="date", covariates=[f"_w{primary}"]
        )
        raw.append(res.pvalue)
    return holm(np.asarray(raw, dtype=np.float64))
