"""The training-prescription grammar of docs/architecture.md, parsed once per distinct spelling.

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
``bands: green``, ``band (green)``
``2x(10+10)``                         a pair per set: 2 sets of 20 reps (10 + 10,
                                      e.g. left then right: 20 hip flexions a set)
``3x10 L/R``, ``L+R``, ``left & right`` the reps are per leg (as ``each leg``)
``3x10 +5kg``, ``BW+10kg``            the external load (5 kg, 10 kg)
``@ 2x10kg``                          two implements: 20 kg in all
``10kg DB``                           one dumbbell, as written: 10 kg
``10kg DBs``, ``10kg each hand``      a dumbbell in each hand: 20 kg in all
``@ 20``                              a bare number after ``@``: kg
``EMOM 10 min``                       10 sets (one a minute); ``EMOM 10 min x 6``:
                                      6 reps each; without reps: ``partial``
``3 x 30 sec``, ``3 x 30 s``          timed sets
====================================  ==============================================

A bare number (``12``) is one set. A minus before a count, a distance or a duration
(``-3x10``, ``3x-10``, ``-3 sets of 10``, ``-30s``) is rejected as ``negative sets`` /
``negative reps`` / ``negative distance`` / ``negative duration``, never read as its
absolute value. Text whose reps are readable but whose load is not (``3x10 @ heavy``,
``4x8 @ 20kg/15kg``) keeps the reps and says ``warning="unreadable load"`` (the
cleaner keeps the row as ``partial``); so does a readable volume followed by words
(``2x30m build-ups``, ``3x10 slow``: ``warning="unread words in prescription"``).
Anything else is ``unparseable prescription``.
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

_MASS_UNIT = r"(?P<u>kgs?|kilos?|kilograms?|lbs?|pounds?)(?![a-z])"
#: ``2x10kg``: two implements of 10 kg (a dumbbell in each hand): 20 kg in all.
_LOAD_MULTI = re.compile(
    rf"(?:@\s*)?(?<![\dx.,])(?P<n>[1-4])\s*x\s*(?P<v>\d+(?:[.,]\d+)?)\s*{_MASS_UNIT}"
)
_LOAD_MASS = re.compile(rf"(?:@\s*)?(?P<sign>[-+−])?\s*(?P<v>\d+(?:[.,]\d+)?)\s*{_MASS_UNIT}")
#: What the load is held in, after the mass (``10kg DB``). Plural or ``each hand``: two.
_IMPLEMENT = re.compile(
    r"\s*(?:(?P<two>(?:in\s+)?(?:each|per|ea\.?|/)\s*(?:hand|arm)s?|(?:db|kb)s\b|dumbbells\b|"
    r"kettlebells\b|pair)|(?:db|kb|dumbbell|kettlebell|plate|ankle\s*weights?|vest|"
    r"weight\s*vest|med(?:icine)?\s*ball|mb|sandbag)\b)"
)
_LOAD_BW = re.compile(r"(?:@\s*)?\b(?:bw|body\s*-?\s*weight)\b")
_BAND_COLOUR = (
    r"light|medium|heavy|strong|extra\s*heavy|x-?heavy|red|green|blue|black|yellow|purple|"
    r"orange|grey|gray|pink|white|brown|mini|resistance|long|loop|small|large|thin|thick"
)
_LOAD_BAND = re.compile(
    rf"(?:@\s*)?(?:\b(?:{_BAND_COLOUR})\s+)*\b(?:thera-?|mini-?|power-?)?bands?\b"
    rf"(?:\s*[:=(\-]\s*(?:(?:{_BAND_COLOUR})\b\s*)+\)?|\s+\((?:(?:{_BAND_COLOUR})\b\s*)+\))?"
    r"|\bbanded\b"
)
_PER_LEG = re.compile(
    r"(?:\b(?:each|per|ea\.?)\s*(?:leg|side)s?\b|/\s*(?:leg|side)s?\b|\be\s*/\s*s\b|"
    r"\bper\s+l(?:eg)?\b|\beach\b|\b(?:l\s*[/+&]\s*r|r\s*[/+&]\s*l|l\s+and\s+r|r\s+and\s+l)\b|"
    r"\bleft\s*(?:and|&|/|\+)\s*right\b|\bboth\s+(?:legs|sides)\b)"
)
#: A minus before a count: at the start, after ``x``, ``of`` or a list separator.
_NEGATIVE = re.compile(r"(?:^|(?<=[x(,/;:]))\s*-\s*(?=\d)|\bof\s*-\s*(?=\d)")
_NEG_START = re.compile(r"^\s*-\s*(?=\d)")
#: ``EMOM 10 min`` (every minute on the minute): one set a minute, the reps if given.
_EMOM = re.compile(
    r"^(?:(?P<r1>\d+)\s*(?:reps?)?\s*)?e(?:very\s*)?m(?:inute\s*)?o(?:n\s*)?(?:the\s*)?m"
    r"(?:inute)?\s*[:x]?\s*(?P<min>\d+)\s*(?:mins?|minutes?|')?"
    r"(?:\s*[:x,]?\s*(?P<r2>\d+)\s*(?:reps?)?)?$"
)
#: A pair per set, ``2x(10+10)`` (read after the parentheses are gone: ``2x10+10``).
_PAIR = re.compile(r"^(?:(?P<sets>\d+)\s*x\s*)?(?P<pair>\d+(?:\s*\+\s*\d+)+)\s*(?:reps?)?$")
#: Words of a load the grammar cannot read (``@ heavy``, ``2 plates``): the reps are kept.
_LOADISH = re.compile(
    r"@|\b(?:kgs?|lbs?|kilos?|pounds?|db|kb|dumbbells?|kettlebells?|plates?|weights?|vest|"
    r"heavy|light|medium|moderate|bands?|cable|stack|pin|bw|load(?:ed)?)\b"
)

#: Reasons (fixed phrases) this module can give.
UNPARSEABLE = "unparseable prescription"
UNREADABLE_LOAD = "unreadable load"
NO_REPS = "reps per set not given"
UNREAD_WORDS = "unread words in prescription"


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
    warning: str | None = None  # kept, one part unread: the row is ``partial``


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    t = t.replace("×", "x").replace("*", "x").replace("–", "-").replace("—", "-")
    t = t.replace("−", "-")
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
    """Extract the load from text; return it and the remaining text.

    ``2x10kg`` is two implements, 20 kg in all; ``10kg DB`` one dumbbell, 10 kg; ``10kg
    DBs`` or ``10kg each hand`` a dumbbell in each hand, 20 kg. ``BW + 10kg``: the 10 kg.
    """
    kg, kind = None, None
    multi = list(_LOAD_MULTI.finditer(t))
    masses = multi or list(_LOAD_MASS.finditer(t))
    if len(masses) > 1:
        return Prescription(error="unparseable load"), t
    if masses:
        m = masses[0]
        v = _num(m.group("v"))
        if m.group("u").startswith(("lb", "pound")):
            v *= LB_TO_KG
        if multi:
            v *= int(m.group("n"))
        elif m.group("sign") in ("-", "−"):
            v = -v
        end = m.end()
        if imp := _IMPLEMENT.match(t, end):
            end = imp.end()
            if imp.group("two") and not multi:
                v *= 2
        kg, kind = round(v, 9), "kg"
        t = t[: m.start()] + " " + t[end:]
    if _LOAD_BW.search(t):
        t = _LOAD_BW.sub(" ", t)
        if kind is None:  # "BW + 10 kg": the external 10 kg is the load
            kg, kind = 0.0, "bodyweight"
    if _LOAD_BAND.search(t):
        t = _LOAD_BAND.sub(" ", t)
        if kind is None:
            kind = "band"
    return Prescription(load_kg=kg, load_kind=kind), t


def _amount_kind(p: Prescription) -> str:
    if p.distance_m is not None:
        return "distance"
    if p.duration_s is not None:
        return "duration"
    return "reps"


def parse_prescription(text: object) -> Prescription:
    """Parse one prescription string (see the module docstring for the grammar).

    Never raises: text it cannot read gives ``error`` (the row is rejected); text whose
    reps it reads but whose load it cannot (``3x10 @ heavy``) gives the reps, no load and
    ``warning="unreadable load"`` (the row is kept as ``partial``).

    >>> parse_prescription("3x25-30 each leg @ 45lb")
    ... # doctest: +NORMALIZE_WHITESPACE
    Prescription(sets=3, reps=27.5, distance_m=None, duration_s=None,
                 load_kg=20.41165665, load_kind='kg', per_leg=True, sets_given=True,
                 error=None, warning=None)
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return Prescription(error="missing prescription")
    t = _norm(text)
    if not t:
        return Prescription(error="missing prescription")
    t = re.sub(r"@\s*(\d+(?:[.,]\d+)?)\s*$", r"@ \1kg", t)  # "3x10 @ 20": kg
    load, rest = _take_load(t)
    p = Prescription(error=UNPARSEABLE) if load.error else _parse_volume(rest, load)
    if p.error != UNPARSEABLE:
        return p
    if _LOADISH.search(rest):
        # the reps are readable, the load is not ("3x10 @ heavy", "3x10 2 plates")
        q = _readable_head(rest, Prescription())
        if q is not None:
            return q._replace(warning=UNREADABLE_LOAD) if q.error is None else q
    elif re.search(r"[a-z]{3,}", rest):
        # the volume is readable, words after it are not ("2x30m build-ups", "3x10 slow")
        q = _readable_head(rest, load)
        if q is not None:
            return q._replace(warning=UNREAD_WORDS) if q.error is None else q
    return p


def _readable_head(rest: str, load: Prescription) -> Prescription | None:
    """The longest run of leading words that reads as a volume (or a negative one)."""
    words = rest.replace("@", " @ ").split()
    for k in range(len(words) - 1, 0, -1):
        tail = " ".join(words[k:])
        if not re.search(r"[a-z@?]", tail):
            continue  # the unread part must be words, not more numbers ("3x10 2x5")
        q = _parse_volume(" ".join(words[:k]), load)
        if q.error is None or q.error.startswith("negative"):
            return q
    return None


def _parse_volume(t: str, load: Prescription) -> Prescription:
    """The sets and reps / distance / duration of text whose load is taken out."""
    per_leg = bool(_PER_LEG.search(t))
    t = _PER_LEG.sub(" ", t)
    negative = bool(_NEGATIVE.search(t))
    neg_start = bool(_NEG_START.match(t))
    t = re.sub(r"[()\[\]]", " ", t)
    t = re.sub(r"\s+", " ", t).strip(" @,;:+-.")
    t = re.sub(r"(?<=\d)\s*x\s*-?\s*(?=\d)", "x", t)
    t = re.sub(r"\bof\s*-\s*(?=\d)", "of ", t)
    t = re.sub(r"(?<=[,/;])\s*-\s*(?=\d)", "", t)
    if not t:
        return Prescription(error=UNPARSEABLE)
    kw: dict = {}
    warning = None
    if m := _EMOM.match(t):
        sets, sets_given = int(m.group("min")), True
        reps = m.group("r1") or m.group("r2")
        if reps is not None:
            kw["reps"] = float(reps)
        else:
            warning = NO_REPS
    elif m := _PAIR.match(t):
        sets_given = m.group("sets") is not None
        sets = int(m.group("sets")) if sets_given else 1
        kw["reps"] = float(sum(int(v) for v in m.group("pair").split("+")))
    elif m := _LIST.match(t):
        values = [float(v) for v in re.split(r"\s*[,/;]\s*", m.group("list"))]
        sets = len(values)
        if m.group("sets") is not None and int(m.group("sets")) != sets:
            return Prescription(error="sets do not match reps list")
        kw = _amount(float(np.mean(values)), m.group("unit"))
        sets_given = True
    else:
        m = _FULL.match(t)
        if not m:
            return Prescription(error=UNPARSEABLE)
        a = _num(m.group("a"))
        b = _num(m.group("b")) if m.group("b") else None
        if b is not None and b < a:
            return Prescription(error=UNPARSEABLE)
        sets_given = m.group("sets") is not None
        sets = int(m.group("sets")) if sets_given else 1
        kw = _amount((a + b) / 2 if b is not None else a, m.group("unit"))
    p = Prescription(
        sets=sets,
        per_leg=per_leg,
        sets_given=sets_given,
        load_kg=load.load_kg,
        load_kind=load.load_kind,
        warning=warning,
        **kw,
    )
    if negative:
        what = "sets" if neg_start and sets_given and not _LIST.match(t) else _amount_kind(p)
        return Prescription(error=f"negative {what}")
    return p


def _amount(amount: float, unit: str | None) -> dict:
    if unit is None or unit.startswith("rep"):
        return {"reps": amount}
    if unit in ("m",) or unit.startswith(("mtr", "met")):
        return {"distance_m": amount}
    if unit.startswith("min"):
        return {"duration_s": amount * 60}
    return {"duration_s": amount}  # s, sec, seconds, "


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
        t = _norm(sets)
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
        if present(v) and re.match(r"-\s*\d", _norm(v)):
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
    table = pd.DataFrame.from_records(
        records,
        columns=["sets", "reps", "distance_m", "duration_s", "load_kg", "load_kind", "per_leg",
                 "error", "error_column", "error_value", "warning", "warning_column"],
    )  # fmt: skip
    for c in ("sets", "reps", "distance_m", "duration_s", "load_kg"):
        table[c] = pd.to_numeric(table[c], errors="coerce").astype("float64")
    table["per_leg"] = table["per_leg"].astype(bool)
    for c in ("load_kind", "error", "error_column", "error_value", "warning", "warning_column"):
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
         "error_column": "string", "error_value": "string", "warning": "string",
         "warning_column": "string"}
    )  # fmt: skip


__all__ = [
    "Prescription",
    "combine",
    "parse_entries",
    "parse_entry_codes",
    "parse_load",
    "parse_prescription",
]
