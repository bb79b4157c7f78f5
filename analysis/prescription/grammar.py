"""The prescription grammar: one cell of text (``3x10 each leg @ 20kg``) read into a
:class:`Prescription`. The accepted forms are listed in :mod:`analysis.prescription`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..config import LB_TO_KG

__all__ = [
    "NO_REPS",
    "NUMBER",
    "UNPARSEABLE",
    "UNREADABLE_LOAD",
    "UNREAD_WORDS",
    "Prescription",
    "normalize",
    "parse_load",
    "parse_prescription",
    "to_number",
]

#: A number as coaches write it (``10``, ``2.5``, ``2,5``).
NUMBER = r"\d+(?:[.,]\d+)?"
_UNIT = (
    r"(?P<unit>reps?|repetitions?|m|mtrs?|meters?|metres?|s|secs?|seconds?|\"|''|"
    r"mins?|minutes?)"
)
_SETS = r"(?P<sets>\d+)\s*(?:x|sets?\s*(?:of|x)?)\s*"
_RANGE = rf"(?P<a>{NUMBER})(?:\s*(?:-|to)\s*(?P<b>{NUMBER}))?"
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


def normalize(text: str) -> str:
    """A cell as the grammar reads it: NFKC, casefolded, one spelling of x and of minus."""
    t = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    t = t.replace("×", "x").replace("*", "x").replace("–", "-").replace("—", "-")
    t = t.replace("−", "-")
    t = re.sub(r"(?<=\d)\s*x\s*(?=\d)", "x", t)
    return t


def to_number(s: str) -> float:
    """A number written with a decimal point or a decimal comma."""
    return float(s.replace(",", "."))


def parse_load(text: object, *, bare_unit: str = "kg") -> Prescription:
    """Parse a load on its own (a ``Load`` column): ``20``, ``20kg``, ``45 lb``, ``BW``, ``band``.

    A bare number is read in ``bare_unit``. Returns a :class:`Prescription` with only the
    load fields (or ``error="unparseable load"``).
    """
    t = normalize(text)
    if not t:
        return Prescription()
    if re.fullmatch(rf"[-+−]?\s*{NUMBER}", t):
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
        v = to_number(m.group("v"))
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
    t = normalize(text)
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
        a = to_number(m.group("a"))
        b = to_number(m.group("b")) if m.group("b") else None
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
