"""Session RPE and session minutes read from a training log (Foster 2001): the cells.

A training log may carry the athlete's rating of the session (``RPE``, ``Session RPE``,
``sRPE``: the CR-10 scale, 0 to 10) and its length (``Minutes``, ``Session minutes``,
``Duration (min)``; ``60``, ``60 min``, ``1:15`` = 75 min, ``1h30``). A bare ``Duration``
column keeps its meaning in the log grammar (seconds per timed set) and is not a session
length. The log cleaner carries both through as ``rpe`` and ``session_min`` (NA when
absent or unreadable; an unreadable cell is named in ``rejects`` as ``partial``, the entry
kept): :func:`carry_columns`. The session load computed from them is a measure
(:func:`analysis.srpe.session_load`).

References
----------
Foster C, Florhaug JA, Franklin J, et al. (2001). A new approach to monitoring exercise
training. J Strength Cond Res 15(1):109-115.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..config import MAX_SESSION_MIN
from ..distinct import strip_distinct
from ..schema import REJECT_COLUMNS, empty, rejects_frame

__all__ = ["MAX_SESSION_MIN", "SRPE_COLUMNS", "carry_columns", "parse_minutes", "parse_rpe"]

#: The clean log's optional sRPE columns (NA when the log has none).
SRPE_COLUMNS: dict[str, str] = {"rpe": "Float64", "session_min": "Float64"}

_NUM = re.compile(r"^(\d+(?:[.,]\d+)?)$")
_MIN = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(?:m|min|mins|minutes?|')?$")
_HM = re.compile(r"^(\d{1,2})\s*(?::|h|hr|hrs|hours?)\s*(\d{1,2})?\s*(?:m|min|mins)?$")


def parse_rpe(text: object) -> float:
    """An RPE cell (CR-10, 0 to 10; ``7``, ``7.5``, ``7/10``) as a number, NaN if unreadable."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return np.nan
    t = str(text).strip().casefold().removesuffix("/10").strip()
    m = _NUM.match(t)
    if not m:
        return np.nan
    v = float(m.group(1).replace(",", "."))
    return v if 0 <= v <= 10 else np.nan


def parse_minutes(text: object) -> float:
    """A session-length cell (``60``, ``60 min``, ``1:15``, ``1h30``) in minutes, NaN if not."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return np.nan
    t = str(text).strip().casefold()
    m = _MIN.match(t)
    if m:
        v = float(m.group(1).replace(",", "."))
    else:
        m = _HM.match(t)
        if not m:
            return np.nan
        v = int(m.group(1)) * 60 + int(m.group(2) or 0)
    return v if 0 < v <= MAX_SESSION_MIN else np.nan


def _parse_distinct(col: pd.Series, order: np.ndarray, parse) -> tuple[np.ndarray, np.ndarray]:
    """Parsed numbers of the rows ``order`` of ``col`` and which of them hold an unreadable cell.

    Each distinct cell is stripped and parsed once (a ``category`` column, as
    :func:`analysis.io.read_raw` gives it, is already factorised); rows take the result by
    their code, so no per-row text is built.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, uniques = col.cat.codes.to_numpy(), col.cat.categories
    else:
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
    remap, distinct = strip_distinct(uniques)
    parsed = np.array([parse(u) for u in distinct] + [np.nan], dtype=np.float64)
    remap = np.append(remap, -1)  # the slot of code -1 (an empty cell)
    filled = remap >= 0  # per code: a non-empty cell
    per_code = parsed[remap]  # remap -1 -> the NaN slot
    c = codes.take(order)
    out = per_code.take(c)  # code -1 takes the last slot: NaN
    return out, filled.take(c) & np.isnan(out)


def carry_columns(
    df: pd.DataFrame, order: np.ndarray, athlete_ids: pd.Series
) -> tuple[dict[str, pd.arrays.FloatingArray], pd.DataFrame]:
    """The clean log's ``rpe`` and ``session_min`` for the kept rows ``order`` of ``df``.

    Parameters
    ----------
    df : DataFrame
        The canonicalised raw log (``rpe`` / ``session_min`` columns where present).
    order : ndarray
        Positions of the kept rows, in clean-table order.
    athlete_ids : Series
        The clean table's ``athlete_id`` (aligned with ``order``), for the rejects.

    Returns
    -------
    columns, rejects
        ``{"rpe": ..., "session_min": ...}`` (Float64, NA where absent or unreadable) and
        ``partial`` rejects naming each unreadable cell.
    """
    columns, rejects = {}, []
    for col, parse, what in (
        ("rpe", parse_rpe, "unreadable RPE (a number from 0 to 10)"),
        (
            "session_min",
            parse_minutes,
            f"unreadable session minutes (a number up to {MAX_SESSION_MIN:g})",
        ),
    ):
        if col not in df.columns or len(order) == 0:  # all NA, built without a per-row check
            n = len(order)
            columns[col] = pd.arrays.FloatingArray(np.full(n, np.nan), np.ones(n, dtype=bool))
            continue
        values, bad = _parse_distinct(df[col], order, parse)
        columns[col] = pd.arrays.FloatingArray(values, np.isnan(values))
        if bad.any():
            rows = df.iloc[order[bad]]
            rejects.append(
                rejects_frame(
                    source=rows["source"].astype("string").to_numpy()
                    if "source" in rows
                    else "<data>",
                    source_row=rows["source_row"].to_numpy() if "source_row" in rows else None,
                    column=col,
                    value=df[col].iloc[order[bad]].astype("string").to_numpy(),
                    reason=what,
                    kind="partial",
                    athlete_id=athlete_ids.to_numpy()[bad],
                )
            )
    out = pd.concat(rejects, ignore_index=True) if rejects else empty(REJECT_COLUMNS)
    return columns, out
