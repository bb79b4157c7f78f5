"""Pinned clean-table schemas and the rejects table.

Schemas are checked at the boundary (when a cleaner returns), not everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .errors import DataError

LOG_COLUMNS: dict[str, str] = {
    "athlete_id": "string",
    "date": "datetime64[ns]",
    "exercise": "string",
    "family": "string",
    "sets": "Int64",
    "reps": "Float64",
    "distance_m": "Float64",
    "duration_s": "Float64",
    "load_kg": "Float64",
    "per_leg": "boolean",
    "hf_reps": "Float64",
    "hf_load_kg": "Float64",
    "source": "string",
    "source_row": "Int64",
    "exercise_raw": "string",
    "notes": "string",
}

#: Optional training-log columns the cleaner always writes (NA when the log lacks them):
#: session RPE and session minutes (analysis.srpe).
LOG_OPTIONAL_COLUMNS: dict[str, str] = {"rpe": "Float64", "session_min": "Float64"}

RACE_COLUMNS: dict[str, str] = {
    "race_id": "string",
    "athlete_id": "string",
    "date": "datetime64[ns]",
    "event_m": "Int64",
    "final_s": "Float64",
    "timing": "string",
    "status": "string",
    "wind_ms": "Float64",
    "meet": "string",
    "round": "string",
    "source": "string",
    "source_row": "Int64",
}

SPLIT_COLUMNS: dict[str, str] = {"race_id": "string", "at_m": "Int64", "cum_s": "Float64"}

#: ``kind`` is "rejected" (row dropped), "duplicate" (row merged into an earlier copy) or
#: "partial" (row kept, one doubtful cell dropped: counted as clean in the reconciliation).
#: ``athlete_id`` (not pinned) is the resolved athlete where the name could be resolved, so
#: a per-athlete report can show that athlete's own rejects and nobody else's.
REJECT_COLUMNS: dict[str, str] = {
    "source": "string",
    "source_row": "Int64",
    "column": "string",
    "value": "string",
    "reason": "string",
    "table": "string",
    "kind": "string",
    "athlete_id": "string",
}

REJECT_KINDS = ("rejected", "duplicate", "partial")


def empty(columns: Mapping[str, str]) -> pd.DataFrame:
    """An empty frame with the given schema (a new frame each call: the caller may change it).

    Each schema's frame is built once and copied (building a frame of typed Series costs
    a millisecond; a load builds a dozen of them).
    """
    # keyed by each type's class and repr: types that compare equal may still differ
    key = tuple((c, type(t), repr(t)) for c, t in columns.items())
    frame = _EMPTY.get(key)
    if frame is None:
        frame = _EMPTY[key] = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return frame.copy()


#: The empty frame of each schema :func:`empty` was asked for (copied, never handed out).
_EMPTY: dict[tuple, pd.DataFrame] = {}


def conform(df: pd.DataFrame, columns: Mapping[str, str], *, name: str = "table") -> pd.DataFrame:
    """Cast ``df`` to the schema: pinned columns first and typed, extra columns kept after.

    Raises
    ------
    DataError
        A pinned column is missing or a value cannot take the pinned type.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{name} lacks pinned column(s) {missing}")
    try:
        typed = df.astype(dict(columns))
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} breaks its schema: {exc}") from None
    extra = [c for c in df.columns if c not in columns]
    return typed[[*columns, *extra]].reset_index(drop=True)


def rejects_frame(
    rows: pd.DataFrame | None = None,
    *,
    source: pd.Series | str | None = None,
    source_row: pd.Series | int | None = None,
    column: pd.Series | str | None = None,
    value: pd.Series | str | None = None,
    reason: pd.Series | str | None = None,
    table: str = "log",
    kind: str = "rejected",
    athlete_id: pd.Series | str | None = None,
) -> pd.DataFrame:
    """Build a rejects table.

    Either pass ``rows`` (a frame with ``source`` and ``source_row``) plus scalar or aligned
    ``column``/``value``/``reason``, or pass every field explicitly.
    """
    if kind not in REJECT_KINDS:
        raise ValueError(f"kind must be one of {REJECT_KINDS}")
    if rows is not None:
        source = rows["source"] if source is None else source
        source_row = rows["source_row"] if source_row is None else source_row
        index = rows.index
    else:
        index = None
    df = pd.DataFrame(
        {
            "source": source,
            "source_row": source_row,
            "column": column,
            "value": value,
            "reason": reason,
            "table": table,
            "kind": kind,
            "athlete_id": athlete_id,
        },
        index=index,
    )
    if rows is not None and len(rows) == 0:
        return empty(REJECT_COLUMNS)
    return conform(df, REJECT_COLUMNS, name="rejects")


def text_rank(values) -> np.ndarray:
    """The place of each value when the values are sorted as text (ties in given order)."""
    return np.argsort(np.argsort(np.asarray(values, dtype=str), kind="stable"))


def concat_rejects(*frames: pd.DataFrame) -> pd.DataFrame:
    """Concatenate rejects tables, sorted by source and row."""
    frames = tuple(f for f in frames if f is not None and len(f))
    if not frames:
        return empty(REJECT_COLUMNS)
    parts = [conform(f, REJECT_COLUMNS, name="rejects") for f in frames]
    out = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    # sorted by source and row (stable): files ranked once, then one integer lexsort
    src_codes, src_names = pd.factorize(out["source"], use_na_sentinel=True)
    rank = text_rank(src_names)
    src_rank = np.where(src_codes < 0, len(rank), np.append(rank, 0)[src_codes])
    row = out["source_row"].to_numpy(dtype=np.float64, na_value=np.inf)
    order = np.lexsort((row, src_rank))
    if (order == np.arange(len(order))).all():
        return out  # in order already (a cleaner's rejects, alone): no copy by take
    return out.take(order).reset_index(drop=True)
