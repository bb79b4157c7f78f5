"""Raw split marks checked against the event and the final: distances, order, speeds.

:func:`resolve_marks` gives each mark its distance (a string form's interval from the
event and the count) and its cumulative time; :func:`validate_marks` checks the marks
with the finish. A row with one bad mark loses all its splits (one bad mark makes the
others suspect); its first reason becomes a ``partial`` reject. The pinned accepted raw
forms are listed in :mod:`analysis.sprints` (docs/architecture.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .limits import SEGMENT_SPEED_MS
from .splits import BAD_COLUMNS

__all__ = ["CheckedMarks", "ResolvedMarks", "fmt_seconds", "resolve_marks", "validate_marks"]


def fmt_seconds(x: pd.Series) -> pd.Series:
    """Seconds as short text (``31.0`` -> ``31``, ``43.03``) for reject values.

    Parameters
    ----------
    x : Series
        Seconds (NA becomes an empty string).

    Returns
    -------
    Series of string
    """
    arr = x.to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(
        [("" if math.isnan(v) else f"{v:.2f}".rstrip("0").rstrip(".")) for v in arr],
        index=x.index,
        dtype="string",
    )


@dataclass(frozen=True)
class ResolvedMarks:
    """Marks with their distance and cumulative time, and the rows whose splits are bad.

    Attributes
    ----------
    marks : DataFrame
        ``row, at_m, cum, column, event, final`` (raw timing), without the bad rows.
    bad : DataFrame
        :data:`~analysis.sprints.splits.BAD_COLUMNS`.
    """

    marks: pd.DataFrame
    bad: pd.DataFrame


@dataclass(frozen=True)
class _FormPlacement:
    """Where the marks of one string form fall: ``at_m`` (-1: no fit) and ``cum`` per mark."""

    at_m: np.ndarray
    cum: pd.Series
    bad: tuple[pd.DataFrame, ...]


def _bad_rows(sel: pd.DataFrame, column: str, value: pd.Series, reason: str) -> pd.DataFrame:
    return pd.DataFrame({"row": sel["row"], "column": column, "value": value, "reason": reason})


@dataclass(frozen=True)
class _OrderCheck:
    """The ``splits`` rows out of order (``bad``, ``flagged``); whether the last is the final."""

    bad: tuple[pd.DataFrame, ...]
    flagged: pd.Index
    last_is_final: pd.Series


def _splits_order(ms: pd.DataFrame, tol: float) -> _OrderCheck:
    """Rows whose ``splits`` values do not increase, or reach the finish too early.

    The checks that need no distances come first, so the specific reason wins over "do
    not fit": values that do not increase, then a value at or after the finish (the last
    one may equal it).
    """
    g = ms.groupby("row", sort=False)["value"]
    prev = g.shift()
    last = g.transform("last")
    incl = (last - ms["final"]).abs() <= tol + 1e-6
    nonincr = prev.notna() & (ms["value"] <= prev)
    after = (ms["value"] >= ms["final"]) & ~((ms["k"] == ms["n"]) & incl)
    flagged = pd.Index([])
    bad = []
    for cond, reason, describe in (
        (
            nonincr,
            "splits do not increase",
            lambda d: (
                "values "
                + (d["k"] - 1).astype("string")
                + "-"
                + d["k"].astype("string")
                + ": "
                + fmt_seconds(prev.loc[d.index])
                + " then "
                + fmt_seconds(d["value"])
            ),
        ),
        (
            after,
            "split after the finish",
            lambda d: (
                "value "
                + d["k"].astype("string")
                + "="
                + fmt_seconds(d["value"])
                + " >= final "
                + fmt_seconds(d["final"])
            ),
        ),
    ):
        sel = ms.loc[cond & ~ms["row"].isin(flagged)].drop_duplicates("row")
        if len(sel):
            bad.append(_bad_rows(sel, "splits", describe(sel), reason))
            flagged = flagged.append(pd.Index(sel["row"]))
    return _OrderCheck(tuple(bad), flagged, incl)


def _place_splits(ms: pd.DataFrame, tol: float) -> _FormPlacement:
    """A cumulative ``splits`` string: interval = event/n when the last value is the final,
    else event/(n+1) (the final is the last, implied mark)."""
    order = _splits_order(ms, tol)
    div = np.where(order.last_is_final, ms["n"], ms["n"] + 1)
    interval = ms["event"] / div
    fits = (interval == np.floor(interval)) & (interval >= 10)
    at_m = np.where(fits, ms["k"] * interval, -1).astype("int64")
    bad = list(order.bad)
    nofit = ms.loc[~fits & ~ms["row"].isin(order.flagged)].drop_duplicates("row")
    if len(nofit):
        value = (
            nofit["n"].astype("string")
            + " splits cannot split "
            + nofit["event"].astype("int64").astype("string")
            + " m evenly"
        )
        bad.append(_bad_rows(nofit, "splits", value, "splits do not fit event"))
    return _FormPlacement(at_m, ms["value"], tuple(bad))


def _place_segments(mg: pd.DataFrame, tol: float) -> _FormPlacement:
    """A ``segments`` string: equal segments of event/n, cumulative = running sum; their sum
    must equal the final."""
    interval = mg["event"] / mg["n"]
    cum = mg.groupby("row")["value"].cumsum()
    total = mg.groupby("row")["value"].transform("sum")
    fits = (interval == np.floor(interval)) & (interval >= 10)
    adds = (total - mg["final"]).abs() <= tol + 1e-6
    at_m = np.where(fits, mg["k"] * interval, -1).astype("int64")
    nofit = mg.loc[~fits].drop_duplicates("row")
    noadd = mg.loc[fits & ~adds].drop_duplicates("row")
    bad = []
    for sel, reason, value in (
        (
            nofit,
            "segments do not fit event",
            nofit["n"].astype("string")
            + " segments cannot split "
            + nofit["event"].astype("int64").astype("string")
            + " m evenly",
        ),
        (
            noadd,
            "segments do not add up",
            "sum "
            + fmt_seconds(total.loc[noadd.index])
            + " s vs final "
            + fmt_seconds(noadd["final"]),
        ),
    ):
        if len(sel):
            bad.append(_bad_rows(sel, "segments", value, reason))
    return _FormPlacement(at_m, cum, tuple(bad))


def resolve_marks(
    marks: pd.DataFrame, event: pd.Series, final_raw: pd.Series, tol: float
) -> ResolvedMarks:
    """Turn raw marks into ``row, at_m, cum`` (raw timing) and a table of bad rows.

    Parameters
    ----------
    marks : DataFrame
        :attr:`analysis.sprints.splits.SplitMarks.marks` (segment columns already made
        cumulative by :func:`analysis.sprints.splits.segment_columns`).
    event, final_raw : Series
        Each row's event (m) and final time as written (s), by the frame's index.
    tol : float
        Seconds within which the last value equals the final, or segments add up to it.

    Returns
    -------
    ResolvedMarks
    """
    if marks.empty:
        return ResolvedMarks(
            pd.DataFrame(columns=["row", "at_m", "cum", "column"]),
            pd.DataFrame(columns=BAD_COLUMNS),
        )
    m = marks.assign(
        event=event.reindex(marks["row"]).to_numpy(dtype="float64"),
        final=final_raw.reindex(marks["row"]).to_numpy(dtype="float64"),
    )
    bad: list[pd.DataFrame] = []
    for form, place in (("splits", _place_splits), ("segments", _place_segments)):
        sel = m["form"] == form
        if sel.any():
            placed = place(m.loc[sel], tol)
            m.loc[sel, "at_m"] = placed.at_m
            m.loc[sel, "cum"] = placed.cum
            bad.extend(placed.bad)
    c = m["form"] == "columns"
    if c.any():
        m.loc[c, "cum"] = m.loc[c, "value"]
    badf = pd.concat(bad, ignore_index=True) if bad else pd.DataFrame(columns=BAD_COLUMNS)
    m = m.loc[~m["row"].isin(badf["row"])]
    return ResolvedMarks(m[["row", "at_m", "cum", "column", "event", "final"]], badf)


@dataclass(frozen=True)
class CheckedMarks:
    """Marks that pass every check, and the rows that fail one (first reason).

    Attributes
    ----------
    good : DataFrame
        ``row, at_m, cum`` (raw timing): the intermediate marks, the finish folded out.
    bad : DataFrame
        :data:`~analysis.sprints.splits.BAD_COLUMNS`.
    """

    good: pd.DataFrame
    bad: pd.DataFrame


#: One check of :func:`validate_marks`: the frame checked, the failing rows of it, the
#: reason, and how to describe a failing mark (called on the failing marks only).
_Check = tuple[pd.DataFrame, pd.Series, str, Callable[[pd.DataFrame], pd.Series]]


def _label(d: pd.DataFrame) -> pd.Series:
    """A mark as a reject names it: its column (``split_100``), or ``splits@100m``."""
    lab = d["column"].astype("string")
    return lab.where(
        lab.str.startswith(("split_", "seg_")), lab + "@" + d["at_m"].astype("string") + "m"
    )


def _mark_checks(m: pd.DataFrame, at: pd.Series, ev: pd.Series) -> list[_Check]:
    """Checks of each mark against the finish: past it, at it but not the final, after it."""
    return [
        (
            m,
            at > ev,
            "split beyond the finish",
            lambda d: _label(d) + " is past " + d["event"].astype("int64").astype("string") + " m",
        ),
        (
            m,
            at == ev,
            "finish split differs from final",
            lambda d: (
                _label(d) + "=" + fmt_seconds(d["cum"]) + " vs final " + fmt_seconds(d["final"])
            ),
        ),
        (
            m,
            m["cum"] >= m["final"],
            "split after the finish",
            lambda d: (
                _label(d) + "=" + fmt_seconds(d["cum"]) + " >= final " + fmt_seconds(d["final"])
            ),
        ),
    ]


def _sequence_checks(m: pd.DataFrame) -> list[_Check]:
    """Checks of each segment, the one to the finish included: order, then speed."""
    fin = m.drop_duplicates("row").assign(
        at_m=lambda d: d["event"].astype("int64"), cum=lambda d: d["final"], column="final"
    )
    seq = pd.concat([m, fin], ignore_index=True).sort_values(["row", "at_m"], kind="stable")
    g = seq.groupby("row", sort=False)
    seq = seq.assign(prev_cum=g["cum"].shift(fill_value=0.0), prev_at=g["at_m"].shift(fill_value=0))
    dt = seq["cum"] - seq["prev_cum"]
    dx = seq["at_m"] - seq["prev_at"]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = dx / dt
    lo, hi = SEGMENT_SPEED_MS
    nonincr = (dt <= 0) | (dx == 0)
    fast_slow = ~nonincr & ((v > hi) | (v < lo))
    return [
        (
            seq,
            nonincr,
            "splits do not increase",
            lambda d: (
                "at "
                + d["at_m"].astype("string")
                + " m: "
                + fmt_seconds(d["prev_cum"])
                + " then "
                + fmt_seconds(d["cum"])
            ),
        ),
        (
            seq,
            fast_slow,
            "implausible segment velocity",
            lambda d: (
                d["prev_at"].astype("string")
                + "-"
                + d["at_m"].astype("string")
                + " m in "
                + fmt_seconds(d["cum"] - d["prev_cum"])
                + " s = "
                + fmt_seconds((d["at_m"] - d["prev_at"]) / (d["cum"] - d["prev_cum"]))
                + " m/s"
            ),
        ),
    ]


def validate_marks(m: pd.DataFrame, tol: float) -> CheckedMarks:
    """Check the marks (plus the finish) of each row.

    A mark past the finish, a mark at the finish that differs from the final, a mark at
    or after the final time, times that do not increase, a segment run outside
    :data:`~analysis.sprints.limits.SEGMENT_SPEED_MS`: the first that fails is the row's
    reason. Reject values are formatted only for the failing marks (few), never for all
    marks.

    Parameters
    ----------
    m : DataFrame
        :attr:`ResolvedMarks.marks` (not empty).
    tol : float
        Seconds within which a mark at the finish equals the final.

    Returns
    -------
    CheckedMarks
    """
    at = m["at_m"].astype("int64")
    ev = m["event"].astype("int64")
    # a mark AT the finish that equals the final is the finish itself: fold it in
    is_finish = (at == ev) & ((m["cum"] - m["final"]).abs() <= tol + 1e-6)
    m = m.loc[~is_finish].assign(at_m=at.loc[~is_finish])
    ev = ev.loc[m.index]
    checks = [*_mark_checks(m, at.loc[m.index], ev), *_sequence_checks(m)]
    bad = []
    for frame, cond, reason, describe in checks:
        sel = frame.loc[cond.fillna(False)].drop_duplicates("row")
        if len(sel):
            bad.append(
                pd.DataFrame(
                    {
                        "row": sel["row"],
                        "column": sel["column"].astype("string"),
                        "value": describe(sel),
                        "reason": reason,
                    }
                )
            )
    badf = (
        pd.concat(bad, ignore_index=True).drop_duplicates("row")
        if bad
        else pd.DataFrame(columns=BAD_COLUMNS)
    )
    good = m.loc[~m["row"].isin(badf["row"])]
    return CheckedMarks(good[["row", "at_m", "cum"]], badf)
