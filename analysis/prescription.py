"""The training-prescription grammar of DESIGN.md, parsed once per distinct spelling.

Accepted forms (case-insensitive; ``x``, ``X``, ``×`` and ``*`` are the same):

====================================  ==============================================
``3x10``, ``3 x 10``, ``3*10``         3 sets of 10 reps
``3 sets of 10``, ``3 sets of 10 reps``
``3x25-30``                           a range: the midpoint, 27.5 reps per set
``10,10,8``, ``10/10/8``              reps per set: 3 sets, 28 reps (mean 9.33)
``3x10m``, ``3 x 50 m``               3 sets of a distance (metres)
``3 sets of 10 meters`` / ``metres``
``3x30s``, ``2 x 30 sec``, ``1x1min``  timed sets (seconds)
``each leg``, ``per leg``, ``/leg``,  the reps are per leg (hip-flexion reps doubled)
``e/s``, ``each side``
``@ 20kg``, ``20 kg``, ``45lb``,      external load (pounds converted to kg)
``45 lbs``
``BW``, ``bodyweight``                no external load (``load_kg`` = 0)
``band``, ``red band``                band resistance, no kg (``load_kg`` missing)
====================================  ==============================================

A bare number (``12``) is one set. Anything else is ``unparseable prescription``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import numpy as np
import pandas as pd

from .config import LB_TO_KG

_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = (
    r"(?P<unit>reps?|repetitions?|m|mtrs?|meters?|metres?|s|secs?|seconds?|\"|''|"
    r"mins?|minutes?)"
)
_SETS = r"(?P<sets>\d+)\s*(?:x|sets?\s*(?:of|x)?)\s*"
_RANGE = rf"(?P<a>{_NUM})(?:\s*(?:-|to)\s*(?P<b>{_NUM}))?"
_FULL = re.compile(rf"^(?:{_SETS})?{_RANGE}\s*{_UNIT}?$")
_LIST = re.compile(rf"^(?:{_SETS})?(?P<list>\d+(?:\s*[,/;]\s*\d+)+)\s*{_UNIT}?$")

_LOAD_MASS = re.compile(
    r"(?:@\s*)?(?P<sign>[-+−])?\s*(?P<v>\d+(?:[.,]\d+)?)\s*"
    r"(?P<u>kgs?|kilos?|kilograms?|lbs?|pounds?)(?![a-z])"
)
_LOAD_BW = re.compile(r"(?:@\s*)?\b(?:bw|body\s*-?\s*weight)\b")
_LOAD_BAND = re.compile(
    r"(?:@\s*)?(?:\b(?:light|medium|heavy|red|green|blue|black|yellow|purple|orange|grey|gray|"
    r"mini|resistance|long|loop)\s+)*\bbands?\b|\bbanded\b"
)
_PER_LEG = re.compile(
    r"(?:\b(?:each|per|ea\.?)\s*(?:leg|side)s?\b|/\s*(?:leg|side)s?\b|\be\s*/\s*s\b|"
    r"\bper\s+l(?:eg)?\b|\beach\b)"
)

#: Reasons (fixed phrases) this module can give.
UNPARSEABLE = "unparseable prescription"


class Prescription(NamedTuple):
    """One parsed prescription. Fields are ``None`` where the text does not say."""

    sets: int | None = None
    reps: float | None = None  # reps per set (mean when the sets differ)
    distance_m: float | None = None  # per set
    duration_s: float | None = None  # per set
    load_kg: float | None = None
    load_kind: str | None = None  # "kg" | "bodyweight" | "band"
    per_leg: bool = False
    sets_given: bool = False  # the text named the number of sets
    error: str | None = None


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    t = t.replace("×", "x").replace("*", "x").replace("–", "-").replace("—", "-")
    t = re.sub(r"(?<=\d)\s*x\s*(?=\d)", "x", t)
    return t


def _num(s: str) -> float:
    return float(s.replace(",", "."))


def parse_load(text: object, *, bare_unit: str = "kg") -> Prescription:
    """Parse a load on its own (a ``Load`` column): ``20``, ``20kg``, ``45 lb``, ``BW``, ``band``.

    A bare number is read in ``bare_unit``. Returns a :class:`Prescription` with only the
    load fields (or ``error="unparseable load"``).
    """
    t = _norm(text)
    if not t:
        return Prescription()
    if re.fullmatch(rf"[-+−]?\s*{_NUM}", t):
        t = t + bare_unit
    p, rest = _take_load(t)
    if p.error or rest.strip(" @,;()+-"):
        return Prescription(error="unparseable load")
    return p


def _take_load(t: str) -> tuple[Prescription, str]:
    """Extract the load from text; return it and the remaining text."""
    kg, kind = None, None
    masses = list(_LOAD_MASS.finditer(t))
    if len(masses) > 1:
        return Prescription(error="unparseable load"), t
    if masses:
        m = masses[0]
        v = _num(m.group("v"))
        if m.group("u").startswith(("lb", "pound")):
            v *= LB_TO_KG
        if m.group("sign") in ("-", "−"):
            v = -v
        kg, kind = v, "kg"
        t = t[: m.start()] + " " + t[m.end() :]
    if _LOAD_BW.search(t):
        t = _LOAD_BW.sub(" ", t)
        if kind is None:  # "BW + 10 kg": the external 10 kg is the load
            kg, kind = 0.0, "bodyweight"
    if _LOAD_BAND.search(t):
        t = _LOAD_BAND.sub(" ", t)
        if kind is None:
            kind = "band"
    return Prescription(load_kg=kg, load_kind=kind), t


def parse_prescription(text: object) -> Prescription:
    """Parse one prescription string (see the module docstring for the grammar).

    >>> parse_prescription("3x25-30 each leg @ 45lb")
    ... # doctest: +NORMALIZE_WHITESPACE
    Prescription(sets=3, reps=27.5, distance_m=None, duration_s=None,
                 load_kg=20.41165665, load_kind='kg', per_leg=True, sets_given=True,
                 error=None)
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return Prescription(error="missing prescription")
    t = _norm(text)
    if not t:
        return Prescription(error="missing prescription")
    load, t = _take_load(t)
    if load.error:
        return load
    per_leg = bool(_PER_LEG.search(t))
    t = _PER_LEG.sub(" ", t)
    t = re.sub(r"[()\[\]]", " ", t)
    t = re.sub(r"\s+", " ", t).strip(" @,;:+-.")
    t = re.sub(r"(?<=\d)\s*x\s*(?=\d)", "x", t)
    if not t:
        return Prescription(error=UNPARSEABLE)
    m = _LIST.match(t)
    if m:
        values = [float(v) for v in re.split(r"\s*[,/;]\s*", m.group("list"))]
        sets = len(values)
        if m.group("sets") is not None and int(m.group("sets")) != sets:
            return Prescription(error="sets do not match reps list")
        amount = float(np.mean(values))
        unit = m.group("unit")
        sets_given = True
    else:
        m = _FULL.match(t)
        if not m:
            return Prescription(error=UNPARSEABLE)
        a = _num(m.group("a"))
        b = _num(m.group("b")) if m.group("b") else None
        if b is not None and b < a:
            return Prescription(error=UNPARSEABLE)
        amount = (a + b) / 2 if b is not None else a
        sets_given = m.group("sets") is not None
        sets = int(m.group("sets")) if sets_given else 1
        unit = m.group("unit")
    kw: dict = {}
    if unit is None or unit.startswith("rep"):
        kw["reps"] = amount
    elif unit in ("m",) or unit.startswith(("mtr", "met")):
        kw["distance_m"] = amount
    elif unit.startswith("min"):
        kw["duration_s"] = amount * 60
    else:  # s, sec, seconds, "
        kw["duration_s"] = amount
    return Prescription(
        sets=sets,
        per_leg=per_leg,
        sets_given=sets_given,
        load_kg=load.load_kg,
        load_kind=load.load_kind,
        **kw,
    )


def _parse_number(text: object, units: dict[str, float], default: float) -> float | None:
    t = _norm(text)
    m = re.fullmatch(rf"({_NUM})\s*([a-z\"']*)", t)
    if m:
        unit = m.group(2)
        if not unit:
            return _num(m.group(1)) * default
        for u, f in units.items():
            if unit == u:
                return _num(m.group(1)) * f
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

    Returns the parsed entry and, on error, the column to blame (``error`` set).

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
        t = _norm(sets)
        if not re.fullmatch(r"\d+(?:\.0+)?", t):
            return Prescription(error="unparseable sets"), "sets"
        n_sets = int(float(t))
    load_p = Prescription()
    if present(load):
        load_p = parse_load(load)
        if load_p.error:
            return load_p, "load"

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
    return p, None


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
        ``error_value`` (object, None when parsed).
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
        records.append(
            (p.sets, p.reps, p.distance_m, p.duration_s, p.load_kg, p.load_kind, p.per_leg,
             p.error, col, None if col is None else args.get(col))
        )  # fmt: skip
    table = pd.DataFrame.from_records(
        records,
        columns=["sets", "reps", "distance_m", "duration_s", "load_kg", "load_kind", "per_leg",
                 "error", "error_column", "error_value"],
    )  # fmt: skip
    for c in ("sets", "reps", "distance_m", "duration_s", "load_kg"):
        table[c] = pd.to_numeric(table[c], errors="coerce").astype("float64")
    table["per_leg"] = table["per_leg"].astype(bool)
    for c in ("load_kind", "error", "error_column", "error_value"):
        table[c] = table[c].astype(object).where(table[c].notna(), None)
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
         "error_column": "string", "error_value": "string"}
    )  # fmt: skip


__all__ = [
    "Prescription",
    "combine",
    "parse_entries",
    "parse_entry_codes",
    "parse_load",
    "parse_prescription",
]
