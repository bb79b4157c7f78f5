"""What every statistic does to the columns it is given, before any model sees them.

Columns are checked by name, numbers read as float64 (text that is not a number is
missing), rows with ±inf or non-numeric values counted for the result's ``note``, a
``time`` column read as days, and the notes joined into one sentence list. Shared by the
families of :mod:`analysis.stats`; the thresholds below which a result says it rests on
too few athletes live here too.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..distinct import strip_distinct
from ..errors import DataError

__all__ = ["MIN_SUBJECTS", "as_days", "as_float", "complete_rows", "finite_rows", "join_notes"]

#: Fewer athletes than this: a result says it rests on very few people.
MIN_SUBJECTS = 5


def complete_rows(data: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """The columns ``cols`` of ``data``, rows with any NA dropped.

    Parameters
    ----------
    data : DataFrame
        The table a statistic is given.
    *cols : str
        The columns it uses.

    Returns
    -------
    DataFrame
        ``data[list(cols)]`` without the rows holding NA; a column not in ``data`` is a
        :class:`~analysis.errors.DataError`.
    """
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise DataError(f"data lacks column(s) {missing}")
    out = data[list(cols)].dropna()
    return out


def as_float(series: pd.Series) -> np.ndarray:
    """A column as a float64 array: text that is not a number is NaN.

    Parameters
    ----------
    series : Series
        Any column.

    Returns
    -------
    ndarray
        float64 values, NaN where the value is missing or not a number.
    """
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy()


def finite_rows(data: pd.DataFrame, numeric: Sequence[str], key: str) -> tuple[pd.DataFrame, str]:
    """The rows of ``data`` with ``key`` present and every ``numeric`` column finite.

    Parameters
    ----------
    data : DataFrame
        The table a statistic is given.
    numeric : sequence of str
        Columns read as float64 (:func:`as_float`).
    key : str
        The subject or group column, kept as it is.

    Returns
    -------
    (DataFrame, str)
        The rows (``numeric`` columns as float64, then ``key``; index reset) and a note
        counting the rows left out for ±inf or non-numeric text (rows with NA are dropped
        silently, as :func:`complete_rows` does).
    """
    d = complete_rows(data, *numeric, key)
    num = {c: as_float(d[c]) for c in numeric}
    finite = np.logical_and.reduce([np.isfinite(v) for v in num.values()])
    out = pd.DataFrame({**num, key: d[key].to_numpy()})[finite].reset_index(drop=True)
    n_dropped = int((~finite).sum())
    note = f"{n_dropped} rows with infinite or non-numeric values left out" if n_dropped else ""
    return out, note


def join_notes(*notes: str) -> str:
    """The non-empty ``notes`` joined by ``"; "`` (a result's ``note``).

    Parameters
    ----------
    *notes : str
        Notes, empty ones skipped.

    Returns
    -------
    str
        One line of notes, ``""`` when there is none.
    """
    return "; ".join(n for n in notes if n)


#: A text value read as a date in a ``time`` column: ISO 8601 (``yyyy-mm-dd``, with or
#: without a time), what hipflex writes and what ``read_csv`` gives back as text.
_ISO_DATE = r"^\s*\d{4}-\d{1,2}-\d{1,2}(?:[T ][0-9:.]+)?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"


def _text_days(values: pd.Series, column: str) -> np.ndarray:
    """A text time column as float days: every value a number (days), or every value an
    ISO date (days since the earliest); blank is missing. Each distinct value is parsed
    once (:func:`analysis.distinct.strip_distinct`). Anything else is a :class:`DataError` naming the first such value."""
    codes, uniques = strip_distinct(values)
    uniq = pd.Series(uniques, dtype="string")
    out = np.full(len(values), np.nan)
    if not len(uniq):
        return out
    as_num = pd.to_numeric(uniq, errors="coerce").astype("float64").to_numpy()
    if np.isfinite(as_num).all():
        return np.where(codes >= 0, as_num[np.maximum(codes, 0)], np.nan)
    looks = uniq.str.match(_ISO_DATE).fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(
        uniq.where(looks), format="ISO8601", errors="coerce", utc=True
    ).dt.tz_localize(None)
    bad = parsed.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        label = values.index[int(np.flatnonzero(codes == first)[0])]
        n_bad = int(np.isin(codes, np.flatnonzero(bad)).sum())
        raise DataError(
            f"time values must be dates (yyyy-mm-dd) or numbers of days: {uniq[first]!r} "
            f"(row labelled {label!r}) is neither ({n_bad} of the "
            f"{int((codes >= 0).sum())} values given are not)",
            column=column,
        )
    base = parsed.min()
    days = ((parsed - base).dt.total_seconds() / 86400.0).astype("float64").to_numpy()
    return np.where(codes >= 0, days[np.maximum(codes, 0)], np.nan)


def as_days(values: pd.Series, column: str = "time") -> np.ndarray:
    """A time column as float days: dates become days since the earliest date.

    Numbers are days as they are; datetimes, ``datetime.date`` objects and ISO date text
    (``2026-03-02``, what ``read_csv`` returns under pandas 3) are days since the earliest
    date; text of numbers is read as numbers. Other text raises :class:`DataError`.

    Parameters
    ----------
    values : Series
        The time column.
    column : str, default "time"
        Its name, for the error message.

    Returns
    -------
    ndarray
        float64 days (NaN where missing).
    """
    if pd.api.types.is_datetime64_any_dtype(values) or (
        values.dtype == object and len(values) and isinstance(values.dropna().iloc[0], _dt.date)
    ):
        t = pd.to_datetime(values, errors="coerce")
        base = t.min()
        return ((t - base).dt.total_seconds() / 86400.0).astype("float64").to_numpy()
    if isinstance(values.dtype, pd.api.types.CategoricalDtype):
        values = values.astype("object")
    if isinstance(values.dtype, pd.StringDtype) or (
        values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"
    ):
        return _text_days(values, column)
    return as_float(values)
