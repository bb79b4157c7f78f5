"""A log entry's prescription cells combined (:func:`combine`), and each distinct
combination of cells parsed once (:func:`parse_entry_codes`, :func:`parse_entries`).
"""

from __future__ import annotations

import numbers
import re

import numpy as np
import pandas as pd

from .grammar import (
    NUMBER,
    UNPARSEABLE,
    UNREADABLE_LOAD,
    Prescription,
    normalize,
    parse_load,
    parse_prescription,
    to_number,
)

__all__ = ["combine", "parse_entries", "parse_entry_codes"]


def _parse_number(text: object, units: dict[str, float], default: float) -> float | None:
    t = normalize(text)
    m = re.fullmatch(rf"({NUMBER})\s*([a-z\"']*)", t)
    if m:
        unit = m.group(2)
        if not unit:
            return to_number(m.group(1)) * default
        for u, f in units.items():
            if unit == u:
                return to_number(m.group(1)) * f
        return None
    m = re.fullmatch(r"(\d+):([0-5]\d)", t)  # m:ss in a duration column
    if m and "min" in units:
        return int(m.group(1)) * 60 + int(m.group(2))
    return None


_DIST_UNITS = {u: 1.0 for u in ("m", "mtr", "mtrs", "meter", "meters", "metre", "metres")}
_DUR_UNITS = {
    **{u: 1.0 for u in ("s", "sec", "secs", "second", "seconds", '"')},
    **{u: 60.0 for u in ("min", "mins", "minute", "minutes")},
}


def combine(
    prescription: object = None,
    sets: object = None,
    reps: object = None,
    distance: object = None,
    duration: object = None,
    load: object = None,
) -> tuple[Prescription, str | None]:
    """Parse one entry given as a text prescription and/or separate columns.

    Returns the parsed entry and, on error, the column to blame (``error`` set), or, when
    the entry is kept with one part unread (``warning`` set: an unreadable load), that
    part's column.

    Rules: the ``prescription`` text wins where it speaks; a ``sets`` column fills the
    number of sets the text leaves out (``Sets 3`` + ``Reps 10 each leg``); a ``load``
    column fills a load the text does not name. A list of reps must agree with ``sets``.
    """

    def present(v: object) -> bool:
        return (
            v is not None and not (not isinstance(v, str) and pd.isna(v)) and bool(str(v).strip())
        )

    n_sets = None
    if present(sets):
        t = normalize(sets)
        if re.fullmatch(r"-\s*\d+(?:[.,]\d+)?", t):
            return Prescription(error="negative sets"), "sets"
        if not re.fullmatch(r"\d+(?:\.0+)?", t):
            return Prescription(error="unparseable sets"), "sets"
        n_sets = int(float(t))
    load_p = Prescription()
    load_unread = False
    if present(load):
        load_p = parse_load(load)
        if load_p.error:  # the reps are kept; the row is partial
            load_p, load_unread = Prescription(), True
    for col, v in (("distance", distance), ("duration", duration)):
        if present(v) and re.match(r"-\s*\d", normalize(v)):
            return Prescription(error=f"negative {col}"), col

    if present(prescription):
        p, col = parse_prescription(prescription), "prescription"
    elif present(reps):
        p, col = parse_prescription(reps), "reps"
    elif present(distance):
        d = _parse_number(distance, _DIST_UNITS, 1.0)
        if d is None:
            return Prescription(error="unparseable distance"), "distance"
        p, col = Prescription(sets=1, distance_m=d), "distance"
    elif present(duration):
        d = _parse_number(duration, _DUR_UNITS, 1.0)
        if d is None:
            return Prescription(error="unparseable duration"), "duration"
        p, col = Prescription(sets=1, duration_s=d), "duration"
    else:
        return Prescription(error="missing prescription"), "prescription"
    if p.error:
        if p.error == UNPARSEABLE and col != "prescription":
            p = p._replace(error=f"unparseable {col}")
        return p, col
    if col == "reps" and (p.distance_m is not None or p.duration_s is not None):
        pass  # "30s" or "20m" in a reps column: taken as written
    if col in ("prescription", "reps") and p.distance_m is None and present(distance):
        d = _parse_number(distance, _DIST_UNITS, 1.0)
        if d is None:
            return Prescription(error="unparseable distance"), "distance"
        if p.reps is not None and not p.sets_given and n_sets is None:
            # "Reps 3" + "Distance 30": 3 runs of 30 m
            p = p._replace(sets=int(p.reps), reps=None, sets_given=True)
        p = p._replace(distance_m=d)
    if n_sets is not None:
        if p.sets_given and p.sets != n_sets:
            return Prescription(error="sets do not match reps list"), "sets"
        p = p._replace(sets=n_sets, sets_given=True)
    if p.load_kind is None and load_p.load_kind is not None:
        p = p._replace(load_kg=load_p.load_kg, load_kind=load_p.load_kind)
    if load_unread and p.load_kind is None:
        return p._replace(warning=UNREADABLE_LOAD), "load"
    if p.warning is not None:
        return p, col
    return p, None


_TABLE_COLUMNS = ("sets", "reps", "distance_m", "duration_s", "load_kg", "load_kind", "per_leg",
                  "error", "error_column", "error_value", "warning", "warning_column")  # fmt: skip
_NUMBERS = frozenset(("sets", "reps", "distance_m", "duration_s", "load_kg"))


def _floats(values: tuple) -> np.ndarray:
    """Numbers (NumPy's too) as float64, anything else (None) NaN."""
    return np.array(
        [float(v) if isinstance(v, numbers.Real) and not isinstance(v, bool) else np.nan
         for v in values],
        dtype=np.float64,
    )  # fmt: skip


def _objects(values: tuple) -> pd.Series:
    """Texts as an object column (not inferred as ``str``), missing values as None."""
    out = np.empty(len(values), dtype=object)
    out[:] = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
              for v in values]  # fmt: skip
    return pd.Series(out, dtype=object, copy=False)


def parse_entry_codes(columns: dict[str, pd.Series]) -> tuple[np.ndarray, pd.DataFrame]:
    """Parse each distinct combination of prescription cells once.

    Parameters
    ----------
    columns
        Any of ``prescription, sets, reps, distance, duration, load`` -> aligned raw text
        Series.

    Returns
    -------
    codes, table
        ``codes[i]`` (an integer array) is the row of ``table`` that holds row ``i``'s parse.
        ``table`` has ``sets, reps, distance_m, duration_s, load_kg`` (float64, NaN where
        the text does not say), ``load_kind`` (object), ``per_leg`` (bool), ``error``, ``error_column``,
        ``error_value`` (object, None when parsed), ``warning`` and ``warning_column`` (what
        a kept entry could not read, e.g. ``unreadable load`` in ``load``; None when whole).
    """
    names = [c for c in ("prescription", "sets", "reps", "distance", "duration", "load")
             if c in columns]  # fmt: skip
    n = len(next(iter(columns.values()))) if columns else 0
    if len(names) == 1:  # the usual text column: its codes, NA as one more value
        col = columns[names[0]]
        if isinstance(col.dtype, pd.CategoricalDtype):  # already coded: number the used codes
            codes = col.cat.codes.to_numpy().astype(np.int32) + 1  # NA -> 0
            used = np.zeros(len(col.cat.categories) + 1, dtype=bool)
            used[codes] = True
            combined = (np.cumsum(used) - 1).astype(np.int32)[codes]
        else:
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            combined = codes.astype(np.int64, copy=False)
            if len(codes) and codes.min() < 0:
                combined = np.where(codes < 0, len(uniques), combined)
    else:
        combined = np.zeros(n, dtype=np.int64)
        for c in names:
            codes, uniques = pd.factorize(columns[c], use_na_sentinel=True)
            combined = combined * (len(uniques) + 1) + (codes + 1)
            combined, _ = pd.factorize(combined)
            combined = combined.astype(np.int64)
    inverse = combined
    first = np.empty(int(combined.max()) + 1 if n else 0, dtype=np.int64)
    first[combined[::-1]] = np.arange(n, dtype=np.int64)[::-1]  # first row of each combination
    raw = {c: columns[c].iloc[first].to_numpy(dtype=object, na_value=None) for c in names}
    records = []
    for j in range(len(first)):
        args = {c: raw[c][j] for c in names}
        p, col = combine(**args)
        err_col = col if p.error is not None else None
        warn_col = col if p.error is None and p.warning is not None else None
        records.append(
            (p.sets, p.reps, p.distance_m, p.duration_s, p.load_kg, p.load_kind, p.per_leg,
             p.error, err_col, None if err_col is None else args.get(err_col),
             p.warning, warn_col)
        )  # fmt: skip
    # the columns built from the records directly (a frame from records, then a cast per
    # column, cost ~2 ms whatever the number of combinations)
    fields = list(zip(*records, strict=True)) if records else [()] * len(_TABLE_COLUMNS)
    table = pd.DataFrame(
        {
            name: _floats(values) if name in _NUMBERS
            else np.array([bool(v) for v in values], dtype=bool) if name == "per_leg"
            else _objects(values)
            for name, values in zip(_TABLE_COLUMNS, fields, strict=True)
        },
        copy=False,
    )  # fmt: skip
    return inverse, table


def parse_entries(columns: dict[str, pd.Series], index: pd.Index) -> pd.DataFrame:
    """Vectorised :func:`combine` over aligned raw columns: each distinct combination once.

    Returns a frame aligned with ``index``: ``sets, reps, distance_m, duration_s, load_kg,
    load_kind, per_leg, error, error_column, error_value`` (nullable dtypes).
    """
    codes, table = parse_entry_codes(columns)
    out = table.iloc[codes].set_axis(index)
    return out.astype(
        {"sets": "Int64", "reps": "Float64", "distance_m": "Float64", "duration_s": "Float64",
         "load_kg": "Float64", "load_kind": "string", "per_leg": "boolean", "error": "string",
         "error_column": "string", "error_value": "string", "warning": "string",
         "warning_column": "string"}
    )  # fmt: skip
