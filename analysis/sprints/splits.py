"""Split cells to long marks: ``split_<m>`` / ``seg_<m>`` columns, a ``splits`` string of
cumulative times, a ``segments`` string of segment times.

:func:`split_candidates` reads each row's split form into one long table of raw marks
(every distinct cell parsed once); :func:`segment_columns` turns split columns that hold
segment times into cumulative times. Checking the marks against the event and the final
is :mod:`analysis.sprints.split_checks`. The pinned accepted raw forms are listed in
:mod:`analysis.sprints` (docs/architecture.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..distinct import map_distinct
from .headers import split_column_names
from .limits import SEGMENT_SPEED_MS
from .marks import parse_split_cell, parse_split_list

__all__ = ["BAD_COLUMNS", "MARK_COLUMNS", "SplitMarks", "segment_columns", "split_candidates"]

#: Columns of a table of raw marks (:attr:`SplitMarks.marks`).
MARK_COLUMNS: list[str] = ["row", "form", "k", "n", "at_m", "value", "column", "seg"]

#: Columns of a table of rows whose splits are dropped, one per row: the first reason.
BAD_COLUMNS: list[str] = ["row", "column", "value", "reason"]


@dataclass(frozen=True)
class SplitMarks:
    """Raw split marks of some rows, and the rows whose split cells could not be read.

    Attributes
    ----------
    marks : DataFrame
        :data:`MARK_COLUMNS`: ``row`` (the frame's index), ``form`` (``columns``,
        ``splits`` or ``segments``), ``k`` / ``n`` (position and count in a string form),
        ``at_m`` (metres, split columns only), ``value`` (seconds as written: cumulative,
        or a segment), ``column`` and ``seg`` (a column whose header names a segment).
    bad : DataFrame
        :data:`BAD_COLUMNS`.
    """

    marks: pd.DataFrame
    bad: pd.DataFrame


@dataclass(frozen=True)
class _FormMarks:
    """The marks one split form gives (None: none) and its unreadable rows (None: none)."""

    marks: pd.DataFrame | None
    bad: pd.DataFrame | None


def _column_marks(wide: pd.DataFrame) -> _FormMarks:
    """Marks of the rows of ``wide`` (their split columns) that fill a split column."""
    long = wide.stack(future_stack=True).dropna()
    if not len(long):
        return _FormMarks(None, None)
    long = long.rename("text").reset_index()
    long.columns = ["row", "column", "text"]
    codes, parsed = map_distinct(long["text"], parse_split_cell)
    sec = np.array([p[0] if p else np.nan for p in parsed])[codes]
    ok = np.array([bool(p) and p[3] is None and p[2] is None for p in parsed])[codes]
    neg = np.array([bool(p) and p[3] == "negative time" for p in parsed])[codes]
    long = long.assign(value=sec, ok=ok, neg=neg)
    b = long.loc[~long["ok"]]
    bad = None
    if len(b):
        b = b.drop_duplicates("row")
        bad = pd.DataFrame(
            {
                "row": b["row"],
                "column": b["column"].astype("string"),
                "value": b["text"].astype("string"),
                "reason": np.where(b["neg"], "negative split", "unparseable split"),
            }
        )
    long = long.loc[~long["row"].isin(b["row"])]
    at = long["column"].str.extract(r"(\d+)$")[0].astype("int64")
    marks = pd.DataFrame(
        {
            "row": long["row"].to_numpy(),
            "form": "columns",
            "k": 0,
            "n": 0,
            "at_m": at.to_numpy(),
            "value": long["value"].to_numpy(dtype="float64"),
            "column": long["column"].astype("string").to_numpy(),
            "seg": long["column"].str.startswith("seg_").to_numpy(bool),
        }
    )
    return _FormMarks(marks, bad)


def _list_marks(texts: pd.Series, form: str) -> _FormMarks:
    """Marks of a ``splits`` or ``segments`` string per row (``texts``, not empty)."""
    codes, parsed = map_distinct(texts, parse_split_list)
    lens_u = np.array([len(p) if p else 0 for p in parsed], dtype="int64")
    flat_u = np.array([v for p in parsed if p for v in p], dtype="float64")
    start_u = np.cumsum(lens_u) - lens_u
    lens = lens_u[codes]
    okrow = lens > 0
    bad = None
    if (~okrow).any():
        bad = pd.DataFrame(
            {
                "row": texts.index[~okrow],
                "column": form,
                "value": texts[~okrow].astype("string"),
                "reason": f"unparseable {form}",
            }
        )
    codes, lens = codes[okrow], lens[okrow]
    idx = texts.index[okrow]
    # explode without a per-row loop: position of each value in its unique's list
    within = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    flat = flat_u[np.repeat(start_u[codes], lens) + within]
    k = within + 1
    marks = pd.DataFrame(
        {
            "row": np.repeat(idx.to_numpy(), lens),
            "form": form,
            "k": k.astype("int64"),
            "n": np.repeat(lens, lens).astype("int64"),
            "at_m": 0,
            "value": flat,
            "column": form,
        }
    )
    return _FormMarks(marks, bad)


def split_candidates(df: pd.DataFrame, rows: pd.Index) -> SplitMarks:
    """Long raw split marks of ``rows`` from whichever split form each row uses.

    A row uses its split columns when it fills any, else its ``splits`` string, else its
    ``segments`` string.

    Parameters
    ----------
    df : DataFrame
        A prepared result frame (:func:`analysis.sprints.headers.prepare_results`).
    rows : Index
        The rows to read (those of kept, timed races that fill a split form).

    Returns
    -------
    SplitMarks
        The marks (cumulative or segment seconds in raw timing) and the rows whose split
        cells could not be parsed.
    """
    frames, bad = [], []
    split_cols = sorted(
        split_column_names(df.columns), key=lambda c: int(re.search(r"\d+$", c).group(0))
    )
    sub = df.loc[rows]
    has_cols = pd.Series(False, index=sub.index)
    if split_cols:
        wide = sub[split_cols]
        has_cols = wide.notna().any(axis=1)
        got = _column_marks(wide.loc[has_cols])
        bad += [got.bad] if got.bad is not None else []
        frames += [got.marks] if got.marks is not None else []
    for form in ("splits", "segments"):
        use = sub[form].notna() & ~has_cols
        if form == "segments":
            use &= sub["splits"].isna()
        texts = sub.loc[use, form]
        if texts.empty:
            continue
        got = _list_marks(texts, form)
        bad += [got.bad] if got.bad is not None else []
        frames.append(got.marks)
    cols = MARK_COLUMNS
    marks = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    marks["seg"] = (marks["seg"] if "seg" in marks else False) if len(marks) else []
    marks["seg"] = marks["seg"].astype(object).fillna(False).astype(bool)
    badf = pd.concat(bad, ignore_index=True) if bad else pd.DataFrame(columns=BAD_COLUMNS)
    return SplitMarks(marks, badf)


def _plausible_cumulative(m: pd.DataFrame, cum: pd.Series, tol: float) -> pd.Series:
    """Per row of ``m`` (sorted by row, at_m): do ``cum`` read as cumulative times fit?

    They fit when they increase, end before the final (or equal it at the finish) and
    every segment, the one to the finish included, is run at a human speed
    (:data:`SEGMENT_SPEED_MS`).
    """
    g = cum.groupby(m["row"], sort=False)
    prev = g.shift(fill_value=0.0)
    prev_at = m.groupby("row", sort=False)["at_m"].shift(fill_value=0)
    dt, dx = cum - prev, m["at_m"] - prev_at
    lo, hi = SEGMENT_SPEED_MS
    with np.errstate(divide="ignore", invalid="ignore"):
        v = dx / dt
    ok = (dt > 0) & (dx > 0) & (v >= lo) & (v <= hi)
    last = ~m["row"].duplicated(keep="last")
    at_end = m["at_m"] == m["event"]
    rest_dt = m["final"] - cum
    with np.errstate(divide="ignore", invalid="ignore"):
        rest_v = (m["event"] - m["at_m"]) / rest_dt
    fin_ok = np.where(
        at_end, (rest_dt.abs() <= tol + 1e-6), (rest_dt > 0) & (rest_v >= lo) & (rest_v <= hi)
    )
    ok = ok & (~last | fin_ok)
    return ok.groupby(m["row"], sort=False).transform("all")


def segment_columns(
    marks: pd.DataFrame, event: pd.Series, final_raw: pd.Series, tol: float
) -> pd.DataFrame:
    """Split columns that hold segment times become cumulative times (running sums).

    A row's split columns are segments when their headers say so (``100-200m``), or when
    read as cumulative times they cannot be (they do not increase, or imply a segment no
    human runs) while their running sums can, ending at or before the final: a meet
    export's ``100m split, 200m split, 300m split`` of ``11.2, 11.9, 12.5`` in a 48.2 s
    400 m are the segments, 11.2 / 23.1 / 35.6 cumulative.

    Parameters
    ----------
    marks : DataFrame
        :attr:`SplitMarks.marks`.
    event, final_raw : Series
        Each row's event (m) and final time as written (s), float, by the frame's index.
    tol : float
        Seconds within which a mark at the finish equals the final.

    Returns
    -------
    DataFrame
        ``marks`` with the ``value`` of segment columns made cumulative.
    """
    c = marks["form"] == "columns"
    if not c.any():
        return marks
    m = marks.loc[c].sort_values(["row", "at_m"], kind="stable")
    m = m.assign(
        event=event.reindex(m["row"]).to_numpy(dtype="float64"),
        final=final_raw.reindex(m["row"]).to_numpy(dtype="float64"),
    )
    running = m.groupby("row", sort=False)["value"].cumsum()
    explicit = m.groupby("row", sort=False)["seg"].transform("any")
    as_cum = _plausible_cumulative(m, m["value"], tol)
    as_seg = _plausible_cumulative(m, running, tol)
    use = explicit | (~as_cum & as_seg)
    out = marks.copy()
    out.loc[m.index[use.to_numpy(bool)], "value"] = running[use].to_numpy(dtype="float64")
    return out
