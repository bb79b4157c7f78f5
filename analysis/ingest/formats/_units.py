"""The values of the apps' set rows: numbers, weights and distances with their units, times.

Not a product module (its name starts with ``_``: the registry does not import it as
one). Weights carry their unit (``60 kg``, ``135 lb``: the log cleaner converts pounds),
distances are written in metres (``km``, ``mi``, ``ft``, ``yd`` converted here), timed
sets in seconds; a ``0`` distance or duration is the apps' "not used" and is left empty;
text that is not a number passes as written, for the cleaner to name. Every distinct raw
value is parsed once (:func:`analysis.distinct.map_distinct`); rows take the result by
code.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from ...distinct import map_distinct


def per_distinct(values: pd.Series, fn: Callable[[str], object], dtype: str) -> pd.Series:
    """``fn`` applied to each distinct non-empty value once, mapped back to the rows as a
    column of ``dtype`` (:func:`analysis.distinct.map_distinct`)."""
    codes, parsed = map_distinct(values, fn)
    return pd.Series(
        pd.Series(parsed, dtype=dtype).to_numpy()[codes], index=values.index, dtype=dtype
    )


def numbers(values: pd.Series) -> pd.Series:
    """Text cells as numbers (decimal comma accepted), NaN when empty or not a number."""
    return per_distinct(values, _number, "Float64")


def _number(text: str) -> float | None:
    t = text.strip().replace("\u2212", "-")
    if re.fullmatch(r"[+-]?\d+,\d+", t):
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def fmt_number(values: pd.Series | np.ndarray) -> pd.Series:
    """Numbers as short text (``60``, ``62.5``), ``NA`` for missing."""
    s = pd.Series(values, dtype="Float64")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = [format(float(u), ".10g") for u in uniques]
    return pd.Series(
        np.array([*texts, None], dtype=object)[np.where(codes < 0, len(texts), codes)],
        index=s.index,
        dtype="string",
    )


#: distance unit word -> metres
DISTANCE_UNITS = {
    "m": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "km": 1000.0,
    "kms": 1000.0,
    "kilometer": 1000.0,
    "kilometers": 1000.0,
    "kilometre": 1000.0,
    "kilometres": 1000.0,
    "mi": 1609.344,
    "mile": 1609.344,
    "miles": 1609.344,
    "ft": 0.3048,
    "feet": 0.3048,
    "foot": 0.3048,
    "yd": 0.9144,
    "yds": 0.9144,
    "yard": 0.9144,
    "yards": 0.9144,
}
#: weight unit word -> what the log grammar writes
WEIGHT_UNITS = {
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilograms": "kg",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
}


def unit_word(text: object) -> str:
    """A unit cell or a header's parenthesis, normalised (``"(KGS)"`` -> ``"kgs"``)."""
    if text is None or text is pd.NA:
        return ""
    return re.sub(r"[^a-z]", "", str(text).casefold())


def header_unit(header: str) -> str:
    """The unit a header names: ``Weight (kg)`` -> ``kg``, ``weight_lbs`` -> ``lb``."""
    m = re.search(r"\(([^)]*)\)", header)
    if not m:
        m = re.search(r"_([a-z]+)$", header.casefold())
    if not m:
        return ""
    w = unit_word(m.group(1))
    if w in WEIGHT_UNITS:
        return WEIGHT_UNITS[w]
    return {1.0: "m", 1000.0: "km", 1609.344: "mi", 0.3048: "ft", 0.9144: "yd"}.get(
        DISTANCE_UNITS.get(w, -1.0), w
    )


def weights(values: pd.Series, unit: pd.Series | str) -> pd.Series:
    """Load cells with their unit (``60 kg``, ``135 lb``); unreadable text passes as written.

    An empty cell is ``BW``: the app's weight field left empty is a set without added
    weight (a hanging leg raise, an A-skip).

    ``unit`` is one unit word for the file (its header) or a per-row unit column; an
    unknown unit word leaves the number bare (read as kg by the cleaner) only when the
    unit is empty, else writes the word so the cleaner names it.
    """
    num = numbers(values)
    if isinstance(unit, str):
        u = pd.Series(
            WEIGHT_UNITS.get(unit_word(unit), unit_word(unit) or "kg"),
            index=values.index,
            dtype="string",
        )
    else:
        u = per_distinct(unit, lambda w: WEIGHT_UNITS.get(unit_word(w), unit_word(w)), "string")
        u = u.fillna("kg")
    text = fmt_number(num) + " " + u
    # the app's weight field left empty: no weight added (body weight)
    return text.where(num.notna(), values.astype("string")).fillna("BW")


def metres(values: pd.Series, unit: pd.Series | str) -> pd.Series:
    """Distance cells in metres as text; ``0`` and empty are empty; unreadable passes."""
    num = numbers(values)
    if isinstance(unit, str):
        factor = pd.Series(
            DISTANCE_UNITS.get(unit_word(unit), np.nan) if unit_word(unit) else 1.0,
            index=values.index,
            dtype="Float64",
        )
    else:
        factor = per_distinct(
            unit, lambda w: DISTANCE_UNITS.get(unit_word(w), np.nan), "Float64"
        ).fillna(1.0)
    m = num * factor
    text = fmt_number(m)
    unknown = num.notna() & m.isna()
    text = text.where(~unknown, values.astype("string") + " " + _unit_text(unit, values.index))
    text = text.where(num.isna() | (num != 0) | unknown, pd.NA)
    return text.where(num.notna() | unknown, values.astype("string"))


def _unit_text(unit: pd.Series | str, index: pd.Index) -> pd.Series:
    if isinstance(unit, str):
        return pd.Series(unit, index=index, dtype="string")
    return unit.astype("string").fillna("")


def seconds(values: pd.Series) -> pd.Series:
    """Timed-set cells in seconds as text (``60``, ``0:01:00``, ``1:30``); ``0`` is empty."""
    secs = per_distinct(values, _seconds, "Float64")
    text = fmt_number(secs).where(secs != 0, pd.NA)
    return text.where(secs.notna(), values.astype("string"))


def _seconds(text: str) -> float | None:
    t = text.strip()
    v = _number(t)
    if v is not None:
        return v
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)", t)
    if m:
        h = int(m.group(1) or 0)
        return h * 3600 + int(m.group(2)) * 60 + float(m.group(3).replace(",", "."))
    return None


def minutes(text: str) -> float | None:
    """A workout's length in minutes: ``1h 2m``, ``45m``, ``1h``, ``62 min``, ``1:02:00``."""
    t = text.strip().casefold()
    parts = re.findall(
        r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\b", t
    )
    if parts and re.fullmatch(r"(?:\s*\d+(?:[.,]\d+)?\s*[a-z]+)+\s*", t):
        total = 0.0
        for num, unit in parts:
            v = float(num.replace(",", "."))
            total += v * 60 if unit.startswith("h") else v / 60 if unit.startswith("s") else v
        return total
    s = _seconds(t)
    if s is not None and ":" in t:
        return s / 60 if t.count(":") == 2 else s  # 1:02:00 (h:mm:ss), 62:00 (m:ss)
    return None


__all__ = [
    "DISTANCE_UNITS",
    "WEIGHT_UNITS",
    "fmt_number",
    "header_unit",
    "metres",
    "minutes",
    "numbers",
    "per_distinct",
    "seconds",
    "unit_word",
    "weights",
]
