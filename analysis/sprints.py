"""Clean coaches' 200 m / 400 m results into the pinned ``races`` and ``splits`` tables.

Accepted raw forms (docs/architecture.md, pinned): final times ``52.34``, ``0:52.34``, ``1:02.5``, a
trailing ``h`` for hand timing (or a ``timing`` column ``FAT``/``hand``), ``DNF``/``DNS``/
``DQ``; events ``200``, ``200m``, ``400 m``; wind ``+1.2``, ``-0.4``, ``NWI``; splits as
cumulative ``split_<m>`` columns, one ``splits`` string of cumulative times at equal
intervals, or one ``segments`` string of segment times.

Every distinct raw value is parsed once (``factorize`` then map back); the rest is
vectorised pandas.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import config
from .dates import parse_dates
from .distinct import map_distinct
from .errors import DataWarning
from .io import RESULT_SYNONYMS, canonicalize_columns
from .names import resolve_athletes
from .schema import (
    RACE_COLUMNS,
    REJECT_COLUMNS,
    SPLIT_COLUMNS,
    concat_rejects,
    conform,
    empty,
    rejects_frame,
)

__all__ = [
    "HAND_TO_FAT_S",
    "HAND_TO_FAT_SOURCE",
    "MARK_FLAGS",
    "PLAUSIBLE_FINAL_S",
    "SEGMENT_SPEED_MS",
    "SPLIT_TOLERANCE_S",
    "Mark",
    "clean_sprints",
    "parse_mark",
    "parse_time",
]

#: Seconds added to a hand time to obtain its FAT equivalent, per event (metres): the
#: project setting :data:`analysis.config.HAND_TO_FAT_S` (the same dict), with its source
#: in :data:`HAND_TO_FAT_SOURCE`. :func:`clean_sprints` reads the setting in effect through
#: :func:`analysis.config.hand_to_fat` (defaults, ``$HIPFLEX_HAND_TO_FAT``, then its
#: ``hand_to_fat`` argument).
HAND_TO_FAT_S: dict[int, float] = config.HAND_TO_FAT_S

#: Where :data:`HAND_TO_FAT_S` comes from.
HAND_TO_FAT_SOURCE = config.HAND_TO_FAT_SOURCE

#: Plausible FAT-equivalent final times (s) per event: outside them a time is a typo.
PLAUSIBLE_FINAL_S: dict[int, tuple[float, float]] = {200: (19.0, 60.0), 400: (43.0, 120.0)}

#: Segment velocities (m/s) a human runs: outside them a split is a typo or a missed mark.
SEGMENT_SPEED_MS: tuple[float, float] = (2.0, 12.5)

#: Tolerance (s) for "the last split equals the final" and "segments add up to the final".
#: Hand splits are read to 0.1 s and the final to 0.01 s, so 0.05 s is half a tenth.
SPLIT_TOLERANCE_S: float = 0.05

#: Wind readings beyond this (m/s) are not anemometer readings.
MAX_WIND_MS: float = 10.0

_STATUS = {"DNF": "DNF", "DNS": "DNS", "DQ": "DQ", "DSQ": "DQ", "DISQ": "DQ"}
_TIME = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3})(?:[.,](\d+))?\s*(h|ht)?\s*(?:s|sec)?\.?$", re.I)
#: The text Python (``0:00:52.340000``) or pandas (``0 days 00:00:52.340000``) gives for
#: a duration typed into Excel (openpyxl reads it as a ``timedelta``).
_HMS = re.compile(r"^(?:0\s+days?,?\s+)?(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?$", re.I)
#: ``DQ (lane)``, ``DQ - lane``, ``DNF: injury``, ``DQ 163.3``: a status with a remark.
_STATUS_REMARK = re.compile(r"^(DNF|DNS|DQ|DSQ|DISQ)(?:\b|(?=\d))\.?\s*(.*)$", re.I)
_EVENT = re.compile(r"^(\d{2,5})(?:\.0+)?\s*(?:m|meters?|metres?)?$", re.I)
_WIND = re.compile(r"^([+-]?\d{1,2}(?:[.,]\d+)?)\s*(?:m/?s)?$", re.I)
_NO_WIND = {"nwi", "n/a", "na", "-", "--", "?"}
_HAND = {"hand", "h", "ht", "manual", "hand timed", "hand-timed", "handheld", "stopwatch"}
_FAT = {"fat", "auto", "automatic", "electronic", "e", "photo", "photo finish", "laser", "gates"}
_BASE_COLUMNS = (
    "athlete",
    "date",
    "event",
    "final",
    "wind",
    "reaction",
    "meet",
    "round",
    "timing",
    "splits",
    "segments",
    "notes",
)
_SPLIT_COL = re.compile(r"^split_(\d+)$")
_SEG_COL = re.compile(r"^seg_(\d+)$")


# --------------------------------------------------------------------------- parsers


#: Marks meets print after a time (``48.23 PB``, ``21.05 Q``, ``47.9h``), as the race's
#: ``flags`` (in this spelling) and its ``notes``. Records: personal (``PB``/``PR``),
#: season (``SB``), national, championship, meeting, area, world, European, world lead;
#: ``=`` a record equalled; ``q``/``Q`` qualified on time / on place (case kept);
#: ``*`` the footnote mark of a ranking list; ``w`` wind-assisted; ``A`` at altitude.
#: A trailing ``h`` is hand timing (the ``timing`` column), not a flag.
MARK_FLAGS: tuple[str, ...] = (
    "PB", "PR", "SB", "NR", "CR", "MR", "AR", "WR", "ER", "WL", "NUR", "U20R", "WJR",
)  # fmt: skip
_FLAG_TOKEN = re.compile(
    r"\(\s*(?:w(?:ind)?\s*:?\s*)?(?P<wind>[-+−]?\d{1,2}[.,]\d{1,2})\s*(?:m/?s)?\s*\)"
    r"|\(?(?P<eq>=)?(?P<rec>" + "|".join(MARK_FLAGS) + r")\)?(?![a-z])"
    r"|(?P<q>[qQ])(?![a-z])|(?P<star>\*+)|\(?(?P<w>[wW])\)?(?![a-z])|(?P<alt>A)(?![a-z])"
    r"|\(?(?P<h>[hH][tT]?)\)?(?![a-z])",
    re.I,
)
_TIME_HEAD = re.compile(
    r"^(?:(\d{1,2}):)?(\d{1,3})(?:[.,](\d+))?(?:\s*(?:s|sec)(?![a-zA-Z]))?\.?(?![\d:])"
)
_NEGATIVE = re.compile(r"^[-−–]\s*\d")
_DOTTED = re.compile(r"^(\d{1,2})\.([0-5]\d)[.,](\d{1,3})(?![\d.,:])")
#: A segment time printed after a cumulative split: ``22.96 (11.55)``.
_LAP_AFTER = re.compile(r"\s*[(\[]\s*\+?\d{1,3}(?:[.,]\d+)?\s*[)\]]\s*$")
#: Events other than a flat 200/400 m that a heading-style event cell may name.
_NOT_FLAT = re.compile(r"hurdle|\bh\b|\dmh\b|\bih\b|relay|steeple|\bsc\b|walk|\bx\b", re.I)
#: A rule number after ``DQ``: ``R163.3``, ``TR17.3.1``, ``163.3(b)``, ``Rule 17.3``.
_RULE = re.compile(r"^(?:rule\s*)?((?:T?R\s*)?\d+(?:\.\d+)*(?:\s*\([a-z0-9]+\))?)$", re.I)


class Mark(NamedTuple):
    """One parsed time cell (see :func:`parse_mark`)."""

    seconds: float
    hand: bool
    status: str | None
    error: str | None
    note: str | None = None
    flags: str | None = None
    wind: float | None = None  # printed with the time: "21.05 (+1.2)"


def parse_mark(text: object) -> Mark:
    """Parse one time cell as meets print it: a time, its marks, or a status with a remark.

    ``48.23 PB`` -> 48.23 s, flags ``PB``; ``21.05 Q``, ``54.87 SB``, ``=PB``, ``47.9h``
    (hand), ``48,23`` / ``1:02,5`` (decimal comma); ``DQ R163.3`` -> status ``DQ``, note
    ``rule R163.3``; ``DNF (injury)`` -> note ``injury``. The flags (:data:`MARK_FLAGS`,
    ``q``, ``Q``, ``*``, ``w``, ``A``) are returned space-separated in ``flags`` and as
    ``note``. A wind printed in brackets after the time (``21.05 (+1.2)``, ``20.9 (w: -0.4)``)
    is returned in ``wind`` (it fills the race's wind where the wind cell is empty). A
    leading minus is the reason ``negative time``.

    Examples
    --------
    >>> parse_mark("48.23 PB")
    Mark(seconds=48.23, hand=False, status=None, error=None, note='PB', flags='PB', wind=None)
    >>> parse_mark("DQ TR17.3.1")  # doctest: +NORMALIZE_WHITESPACE
    Mark(seconds=nan, hand=False, status='DQ', error=None, note='rule TR17.3.1', flags=None,
         wind=None)
    """
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return Mark(math.nan, False, None, "missing time")
    t = " ".join(str(text).split())
    if not t:
        return Mark(math.nan, False, None, "missing time")
    status = _status_remark(t)
    if status is not None:
        return Mark(math.nan, False, status[0], None, status[1])
    if _NEGATIVE.match(t):
        return Mark(math.nan, False, None, "negative time")
    if m := _HMS.match(t):
        hours, minutes, secs, frac = m.groups()
        if int(minutes) >= 60:
            return Mark(math.nan, False, None, "unparseable time")
        s = float(f"{secs}.{frac}" if frac else secs)
        if s >= 60:
            return Mark(math.nan, False, None, "unparseable time")
        return _checked(s + 3600 * int(hours) + 60 * int(minutes), False, [])
    if d := _DOTTED.match(t):  # "1.02.45" / "1.02,45": minutes with a dot
        t = f"{d[1]}:{d[2]}.{d[3]}{t[d.end() :]}"
    m = _TIME_HEAD.match(t)
    if not m:
        return Mark(math.nan, False, None, "unparseable time")
    minutes, secs, frac = m.groups()
    s = float(f"{secs}.{frac}" if frac else secs)
    if minutes is not None and s >= 60:
        return Mark(math.nan, False, None, "unparseable time")
    hand, flags, wind, rest = False, [], None, t[m.end() :]
    while rest := rest.lstrip(" ,;/"):
        f = _FLAG_TOKEN.match(rest)
        if not f or f.end() == 0:
            return Mark(math.nan, False, None, "unparseable time")
        rest = rest[f.end() :].lstrip(".")
        if f["wind"]:
            wind = float(f["wind"].replace(",", ".").replace("−", "-"))
        elif f["h"]:
            hand = True
        elif f["rec"]:
            flags.append((f["eq"] or "") + f["rec"].upper())
        elif f["q"]:
            flags.append(f["q"])
        elif f["star"]:
            flags.append("*")
        elif f["w"]:
            flags.append("w")
        else:
            flags.append("A")
    base = 60 * int(minutes) if minutes is not None else 0
    return _checked(s + base, hand, list(dict.fromkeys(flags)), wind)


def _checked(seconds: float, hand: bool, flags: list[str], wind: float | None = None) -> Mark:
    if not seconds > 0:
        return Mark(math.nan, False, None, "unparseable time")
    joined = " ".join(flags) or None
    return Mark(round(seconds, 3), hand, None, None, joined, joined, wind)


def parse_time(text: object) -> tuple[float, bool, str | None, str | None]:
    """Parse one raw time cell: the first four fields of :func:`parse_mark`.

    Returns
    -------
    seconds, hand, status, error
        ``seconds`` (NaN without a time); ``hand`` True for a trailing ``h``; ``status``
        ``DNF``/``DNS``/``DQ`` for those words (also with a remark after them: ``DQ
        (lane)``, ``DNF - injury``, ``DQ R163.3``), else None; ``error`` a reason or None.
        A trailing period is ignored (``52.34h.``), marks after the time are accepted
        (``48.23 PB``), and the text Python or pandas gives for a duration typed into Excel
        (``0:00:52.340000``) is read too.

    Examples
    --------
    >>> parse_time("1:02.5")
    (62.5, False, None, None)
    >>> parse_time("23.4h")
    (23.4, True, None, None)
    >>> parse_time("0:01:02.500000")
    (62.5, False, None, None)
    >>> parse_time("DQ (lane)")
    (nan, False, 'DQ', None)
    >>> parse_time("1:02,5 SB")
    (62.5, False, None, None)
    """
    return parse_mark(text)[:4]


def _status_remark(text: str) -> tuple[str, str | None] | None:
    """``"DQ (lane)"`` -> ``("DQ", "lane")``; ``"DQ R163.3"`` -> ``("DQ", "rule R163.3")``.

    ``"DNF"`` -> ``("DNF", None)``; not a status -> None.
    """
    m = _STATUS_REMARK.match(" ".join(str(text).split()))
    if not m:
        return None
    remark = m[2].strip(" -–—:;,.")
    if remark.startswith(("(", "[")) and remark.endswith((")", "]")):
        remark = remark[1:-1].strip(" -–—:;,.")
    if r := _RULE.match(remark):
        remark = "rule " + " ".join(r[1].split())
    return _STATUS[m[1].upper()], remark or None


def _parse_split_cell(text: str) -> tuple[float, bool, str | None, str | None]:
    """A split cell: a time, perhaps with its segment after it (``22.96 (11.55)``)."""
    return parse_time(_LAP_AFTER.sub("", text))


def _parse_list(text: str) -> tuple[float, ...] | None:
    """``"10.9/21.3/32.1"`` -> (10.9, 21.3, 32.1); None if any element is not a time."""
    t = text.strip()
    if re.search(r"[/;|]", t):
        parts = re.split(r"[/;|]", t)
    elif re.search(r"\s", t):
        parts = re.split(r"[\s,]+", t)
    else:
        parts = t.split(",")
    parts = [p.strip().rstrip(",") for p in parts if p.strip()]
    if not parts:
        return None
    out = []
    for p in parts:
        sec, _, status, err = parse_time(p)
        if err or status:
            return None
        out.append(sec)
    return tuple(out)


def _parse_event(text: str) -> tuple[int | None, str | None]:
    """``200``, ``400 m``; also an event cell as a heading prints it (``Men 400m Final``).

    >>> _parse_event("Women's 200m Heat 2"), _parse_event("400mH"), _parse_event("4x400m")
    ((200, None), (None, 'unsupported event'), (None, 'unsupported event'))
    """
    if _NEGATIVE.match(text.strip()):
        return None, "negative event"
    t = " ".join(text.split())
    m = _EVENT.match(t)
    if not m:
        found = set(re.findall(r"(?<![\dx×.,])(\d{3})\s*(?:m|meters?|metres?)(?![a-z])", t, re.I))
        if len(found) != 1 or _NOT_FLAT.search(re.sub(r"(\d)\s*x\s*(\d)", r"\1 x \2", t)):
            return None, "unsupported event"
        ev = int(found.pop())
        return (ev, None) if ev in config.EVENTS_M else (None, "unsupported event")
    ev = int(m.group(1))
    return (ev, None) if ev in config.EVENTS_M else (None, "unsupported event")


def _parse_wind(text: str) -> tuple[float, str | None]:
    t = " ".join(text.split())
    if t.casefold() in _NO_WIND:
        return math.nan, None
    m = _WIND.match(t)
    if not m:
        return math.nan, "unparseable wind"
    w = float(m.group(1).replace(",", "."))
    return (w, None) if abs(w) <= MAX_WIND_MS else (math.nan, "implausible wind")


def _parse_timing(text: str) -> tuple[str | None, str | None]:
    k = " ".join(text.casefold().replace("_", " ").split())
    if k in _HAND:
        return "hand", None
    if k in _FAT:
        return "FAT", None
    return None, "unparseable timing"


def _parse_reaction(text: str) -> tuple[float, str | None]:
    try:
        v = float(text.replace(",", ".").replace("−", "-").rstrip("sS").strip())
    except ValueError:
        return math.nan, "unparseable reaction"
    if v < 0:
        return math.nan, "negative reaction"
    return (v, None) if 0 < v < 2 else (math.nan, "implausible reaction")


# --------------------------------------------------------------------------- helpers


def _first_failure(
    n: int, index: pd.Index, checks: list[tuple[str | pd.Series, pd.Series, pd.Series]]
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """First failing check per row: (column, reason, value), NA where all pass."""
    col = pd.Series(pd.NA, index=index, dtype="string")
    reason = pd.Series(pd.NA, index=index, dtype="string")
    value = pd.Series(pd.NA, index=index, dtype="string")
    for c, r, v in checks:
        take = reason.isna() & r.notna()
        if not take.any():
            continue
        reason = reason.mask(take, r.astype("string"))
        cser = c if isinstance(c, pd.Series) else pd.Series(c, index=index, dtype="string")
        col = col.mask(take, cser.astype("string"))
        value = value.mask(take, v.astype("string"))
    return col, reason, value


def _fmt(x: pd.Series) -> pd.Series:
    """Seconds as short text (``31.0``, ``43.03``) for reject values."""
    arr = x.to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(
        [("" if math.isnan(v) else f"{v:.2f}".rstrip("0").rstrip(".")) for v in arr],
        index=x.index,
        dtype="string",
    )


def _empty_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    races = empty(RACE_COLUMNS).assign(
        final_raw_s=pd.Series(dtype="Float64"),
        reaction_s=pd.Series(dtype="Float64"),
        notes=pd.Series(dtype="string"),
        flags=pd.Series(dtype="string"),
    )
    return races, empty(SPLIT_COLUMNS), empty(REJECT_COLUMNS)


_CUM_WORDS = (
    r"split|splits|split time|split at|cum|cumulative|at|zwischenzeit|zz|passage|"
    r"temps de passage|temps passage|parcial|paso|intermedio|tussentijd|mellantid|mellantider"
)
_SEG_WORDS = r"segment|segments|seg|section|lap|abschnitt|tramo|troncon|sezione|sectie|etapp"
_METRES = r"\s*(?:m|meters?|metres?|mtr)?"
_SECONDS_TAIL = re.compile(r"\s*[(\[]?\s*(?:s|sec|secs|seconds?|time)\s*[)\]]?$")
_RUN_PREFIX = re.compile(r"^(?:r|run|rep|lap|leg)\s?\d{1,2}\s+(?=\d)")
_CUM_HEADER = re.compile(
    rf"^(?:(?:{_CUM_WORDS})\s*@?\s*)?(\d{{2,3}}){_METRES}(?:\s*(?:{_CUM_WORDS}))?$"
)
_SEG_HEADER = re.compile(
    rf"^(?:(?:{_SEG_WORDS}|{_CUM_WORDS})\s*)?(\d{{1,3}}){_METRES}\s*(?:-|–|to)\s*(\d{{2,3}}){_METRES}"
    rf"(?:\s*(?:{_SEG_WORDS}))?$"
)
_REACTION_HEADER = re.compile(
    r"^(?:reaction|reaction time|react|rt|r t|rxn|reaktion|reaktionszeit|"
    r"temps de reaction|tiempo de reaccion|reaccion|tempo di reazione|reazione|"
    r"reactietijd|reaktionstid)$"
)
_SPLITLIKE = re.compile(rf"(?:^|\s)(?:{_CUM_WORDS}|{_SEG_WORDS}|split\w*|\d{{2,3}}\s*m)(?:\s|$)")


def split_header(header: object) -> tuple[str, int] | None:
    """What a result-file header says about splits, as meet exports spell them.

    Returns ``("cum", m)`` for a cumulative time at ``m`` metres (``100m split``, ``Split
    100``, ``100 m``, ``100``, ``R1 100m``, ``300m``, ``at 200 m``, ``Zwischenzeit 100``,
    ``passage 200m``), ``("seg", m)`` for a segment time ending at ``m`` (``100-200m``,
    ``Lap 200-300``, ``0-100 m``), ``("reaction", 0)`` (``Reaction``, ``RT``, ``R.T.``),
    ``("unusable", 0)`` for a header that looks like splits but names no distance
    (``Split 1``, ``Lap``), or None.

    >>> split_header("100m split"), split_header("R1 100m"), split_header("100-200 m")
    (('cum', 100), ('cum', 100), ('seg', 200))
    """
    t = unicodedata.normalize("NFKD", str(header))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    t = re.sub(r"[_.:#]", " ", t)
    t = " ".join(t.split())
    if _REACTION_HEADER.match(t) or _REACTION_HEADER.match(_SECONDS_TAIL.sub("", t)):
        return "reaction", 0
    t = _SECONDS_TAIL.sub("", t) if not re.fullmatch(r"\d+\s*s", t) else t
    t = _RUN_PREFIX.sub("", t)
    if m := _SEG_HEADER.match(t):
        return "seg", int(m.group(2))
    if m := _CUM_HEADER.match(t):
        return "cum", int(m.group(1))
    if _SPLITLIKE.search(t):
        return "unusable", 0
    return None


def _split_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Rename split and reaction headers that meet exports use (see :func:`split_header`).

    Cumulative columns become ``split_<m>``, segment columns ``seg_<m>``; a header that
    looks like splits but cannot be used is named in a :class:`DataWarning` (never
    silently dropped).
    """
    known = set(RESULT_SYNONYMS) | {"source", "source_row"}
    unusable: list[str] = []
    merged: dict[str, pd.Series] = {}
    drop: list[str] = []
    for col in df.columns:
        if col in known or _SPLIT_COL.match(str(col)) or _SEG_COL.match(str(col)):
            continue
        role = split_header(col)
        if role is None:
            continue
        kind, at = role
        target = {"cum": f"split_{at}", "seg": f"seg_{at}", "reaction": "reaction"}.get(kind)
        if target is None or (kind != "reaction" and at < 10):
            unusable.append(str(col))
            continue
        # sheets stacked into one frame spell one column two ways ("100 m" in one sheet,
        # "100m split" in another): each row takes the cell it has
        have = merged.get(target, df[target] if target in df.columns else None)
        cell = df[col].astype("string")
        if have is not None:
            both = have.notna() & cell.notna() & (have.astype("string") != cell)
            if both.any():
                unusable.append(str(col))
                continue
            cell = have.astype("string").fillna(cell)
        merged[target] = cell
        drop.append(col)
    if unusable:
        src = df["source"].dropna().astype(str).unique()[:3] if "source" in df else []
        where = f"{', '.join(src)}: " if len(src) else ""
        warnings.warn(
            f"{where}result column(s) {', '.join(map(repr, unusable))} look like splits but "
            "name no distance (or repeat one with other values): not used. Name them like '100m split', "
            "'split_100' or '100-200m' (a segment).",
            DataWarning,
            stacklevel=4,
        )
    if not merged:
        return df
    return df.drop(columns=drop).assign(**merged)


def _prepare(raw: pd.DataFrame) -> pd.DataFrame:
    df = canonicalize_columns(raw, RESULT_SYNONYMS, keep_split_columns=True)
    df = _split_columns(df)
    df = df.reset_index(drop=True)
    if df.columns.duplicated().any():
        df = df.loc[:, ~df.columns.duplicated()]
    if "source" not in df.columns:
        df = df.assign(source="<data>")
    if "source_row" not in df.columns:
        df = df.assign(source_row=np.arange(2, len(df) + 2))
    out = {}
    for c in df.columns:
        if c == "source_row":
            out[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
            continue
        s = df[c]
        if s.dtype != "string":
            s = s.astype("string")
        s = s.str.strip()
        out[c] = s.mask(s == "")
    df = pd.DataFrame(out, index=df.index)
    for c in _BASE_COLUMNS:
        if c not in df.columns:
            df[c] = pd.Series(pd.NA, index=df.index, dtype="string")
    return df


# --------------------------------------------------------------------------- splits


def _split_candidates(df: pd.DataFrame, rows: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long raw split marks of ``rows`` from whichever split form each row uses.

    Returns ``(marks, bad)``: ``marks`` has ``row, form, k, n, value`` (cumulative or
    segment seconds in raw timing) plus ``column``; ``bad`` lists rows whose split cells
    could not be parsed (``row, column, value``).
    """
    frames, bad = [], []
    split_cols = sorted(
        (c for c in df.columns if _SPLIT_COL.match(str(c)) or _SEG_COL.match(str(c))),
        key=lambda c: int(re.search(r"\d+$", c).group(0)),
    )
    sub = df.loc[rows]
    has_cols = pd.Series(False, index=sub.index)
    if split_cols:
        wide = sub[split_cols]
        has_cols = wide.notna().any(axis=1)
        long = wide.loc[has_cols].stack(future_stack=True).dropna()
        if len(long):
            long = long.rename("text").reset_index()
            long.columns = ["row", "column", "text"]
            codes, parsed = map_distinct(long["text"], _parse_split_cell)
            sec = np.array([p[0] if p else np.nan for p in parsed])[codes]
            ok = np.array([bool(p) and p[3] is None and p[2] is None for p in parsed])[codes]
            neg = np.array([bool(p) and p[3] == "negative time" for p in parsed])[codes]
            long = long.assign(value=sec, ok=ok, neg=neg)
            b = long.loc[~long["ok"]]
            if len(b):
                b = b.drop_duplicates("row")
                bad.append(
                    pd.DataFrame(
                        {
                            "row": b["row"],
                            "column": b["column"].astype("string"),
                            "value": b["text"].astype("string"),
                            "reason": np.where(b["neg"], "negative split", "unparseable split"),
                        }
                    )
                )
            long = long.loc[~long["row"].isin(b["row"])]
            at = long["column"].str.extract(r"(\d+)$")[0].astype("int64")
            frames.append(
                pd.DataFrame(
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
            )
    for form in ("splits", "segments"):
        use = sub[form].notna() & ~has_cols
        if form == "segments":
            use &= sub["splits"].isna()
        texts = sub.loc[use, form]
        if texts.empty:
            continue
        codes, parsed = map_distinct(texts, _parse_list)
        lens_u = np.array([len(p) if p else 0 for p in parsed], dtype="int64")
        flat_u = np.array([v for p in parsed if p for v in p], dtype="float64")
        start_u = np.cumsum(lens_u) - lens_u
        lens = lens_u[codes]
        okrow = lens > 0
        if (~okrow).any():
            bad.append(
                pd.DataFrame(
                    {
                        "row": texts.index[~okrow],
                        "column": form,
                        "value": texts[~okrow].astype("string"),
                        "reason": f"unparseable {form}",
                    }
                )
            )
        codes, lens = codes[okrow], lens[okrow]
        idx = texts.index[okrow]
        # explode without a per-row loop: position of each value in its unique's list
        within = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
        flat = flat_u[np.repeat(start_u[codes], lens) + within]
        k = within + 1
        frames.append(
            pd.DataFrame(
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
        )
    cols = ["row", "form", "k", "n", "at_m", "value", "column", "seg"]
    marks = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    marks["seg"] = (marks["seg"] if "seg" in marks else False) if len(marks) else []
    marks["seg"] = marks["seg"].astype(object).fillna(False).astype(bool)
    badf = (
        pd.concat(bad, ignore_index=True)
        if bad
        else pd.DataFrame(columns=["row", "column", "value", "reason"])
    )
    return marks, badf


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


def _segment_columns(
    marks: pd.DataFrame, event: pd.Series, final_raw: pd.Series, tol: float
) -> pd.DataFrame:
    """Split columns that hold segment times become cumulative times (running sums).

    A row's split columns are segments when their headers say so (``100-200m``), or when
    read as cumulative times they cannot be (they do not increase, or imply a segment no
    human runs) while their running sums can, ending at or before the final: a meet
    export's ``100m split, 200m split, 300m split`` of ``11.2, 11.9, 12.5`` in a 48.2 s
    400 m are the segments, 11.2 / 23.1 / 35.6 cumulative.
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


def _resolve_marks(
    marks: pd.DataFrame, event: pd.Series, final_raw: pd.Series, tol: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn raw marks into ``row, at_m, cum`` (raw timing) and a table of bad rows."""
    bad = []
    if marks.empty:
        return pd.DataFrame(columns=["row", "at_m", "cum", "column"]), pd.DataFrame(
            columns=["row", "column", "value", "reason"]
        )
    m = marks.assign(
        event=event.reindex(marks["row"]).to_numpy(dtype="float64"),
        final=final_raw.reindex(marks["row"]).to_numpy(dtype="float64"),
    )
    # -- cumulative ``splits`` string: interval = event/n when the last value is the final,
    #    else event/(n+1) (the final is the last, implied mark). The checks that need no
    #    distances come first, so the specific reason wins over "do not fit": values that
    #    do not increase, then a value at or after the finish (the last one may equal it).
    s = m["form"] == "splits"
    if s.any():
        ms = m.loc[s]
        g = ms.groupby("row", sort=False)["value"]
        prev = g.shift()
        last = g.transform("last")
        incl = (last - ms["final"]).abs() <= tol + 1e-6
        nonincr = prev.notna() & (ms["value"] <= prev)
        after = (ms["value"] >= ms["final"]) & ~((ms["k"] == ms["n"]) & incl)
        flagged = pd.Index([])
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
                    + _fmt(prev.loc[d.index])
                    + " then "
                    + _fmt(d["value"])
                ),
            ),
            (
                after,
                "split after the finish",
                lambda d: (
                    "value "
                    + d["k"].astype("string")
                    + "="
                    + _fmt(d["value"])
                    + " >= final "
                    + _fmt(d["final"])
                ),
            ),
        ):
            sel = ms.loc[cond & ~ms["row"].isin(flagged)].drop_duplicates("row")
            if len(sel):
                value = describe(sel)
                bad.append(
                    pd.DataFrame(
                        {"row": sel["row"], "column": "splits", "value": value, "reason": reason}
                    )
                )
                flagged = flagged.append(pd.Index(sel["row"]))
        div = np.where(incl, ms["n"], ms["n"] + 1)
        interval = ms["event"] / div
        fits = (interval == np.floor(interval)) & (interval >= 10)
        m.loc[s, "at_m"] = np.where(fits, ms["k"] * interval, -1).astype("int64")
        m.loc[s, "cum"] = ms["value"]
        nofit = ms.loc[~fits & ~ms["row"].isin(flagged)].drop_duplicates("row")
        if len(nofit):
            bad.append(
                pd.DataFrame(
                    {
                        "row": nofit["row"],
                        "column": "splits",
                        "value": (
                            nofit["n"].astype("string")
                            + " splits cannot split "
                            + nofit["event"].astype("int64").astype("string")
                            + " m evenly"
                        ),
                        "reason": "splits do not fit event",
                    }
                )
            )
    # -- ``segments`` string: equal segments of event/n, cumulative = running sum; their
    #    sum must equal the final.
    g = m["form"] == "segments"
    if g.any():
        mg = m.loc[g]
        interval = mg["event"] / mg["n"]
        cum = mg.groupby("row")["value"].cumsum()
        total = mg.groupby("row")["value"].transform("sum")
        fits = (interval == np.floor(interval)) & (interval >= 10)
        adds = (total - mg["final"]).abs() <= tol + 1e-6
        m.loc[g, "at_m"] = np.where(fits, mg["k"] * interval, -1).astype("int64")
        m.loc[g, "cum"] = cum
        nofit = mg.loc[~fits].drop_duplicates("row")
        noadd = mg.loc[fits & ~adds].drop_duplicates("row")
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
                "sum " + _fmt(total.loc[noadd.index]) + " s vs final " + _fmt(noadd["final"]),
            ),
        ):
            if len(sel):
                bad.append(
                    pd.DataFrame(
                        {"row": sel["row"], "column": "segments", "value": value, "reason": reason}
                    )
                )
    c = m["form"] == "columns"
    if c.any():
        m.loc[c, "cum"] = m.loc[c, "value"]
    badf = (
        pd.concat(bad, ignore_index=True)
        if bad
        else pd.DataFrame(columns=["row", "column", "value", "reason"])
    )
    m = m.loc[~m["row"].isin(badf["row"])]
    return m[["row", "at_m", "cum", "column", "event", "final"]], badf


def _validate_marks(m: pd.DataFrame, tol: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check marks (plus the finish) of each row; return (good marks, bad rows).

    Reject values are formatted only for the failing marks (few), never for all marks.
    """
    at = m["at_m"].astype("int64")
    ev = m["event"].astype("int64")
    # a mark AT the finish that equals the final is the finish itself: fold it in
    is_finish = (at == ev) & ((m["cum"] - m["final"]).abs() <= tol + 1e-6)
    m = m.loc[~is_finish].assign(at_m=at.loc[~is_finish])
    ev = ev.loc[m.index]

    def label(d: pd.DataFrame) -> pd.Series:
        lab = d["column"].astype("string")
        return lab.where(
            lab.str.startswith(("split_", "seg_")), lab + "@" + d["at_m"].astype("string") + "m"
        )

    # sequence including the finish: segment times and velocities
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

    checks = [
        (
            m,
            at.loc[m.index] > ev,
            "split beyond the finish",
            lambda d: label(d) + " is past " + d["event"].astype("int64").astype("string") + " m",
        ),
        (
            m,
            at.loc[m.index] == ev,
            "finish split differs from final",
            lambda d: label(d) + "=" + _fmt(d["cum"]) + " vs final " + _fmt(d["final"]),
        ),
        (
            m,
            m["cum"] >= m["final"],
            "split after the finish",
            lambda d: label(d) + "=" + _fmt(d["cum"]) + " >= final " + _fmt(d["final"]),
        ),
        (
            seq,
            nonincr,
            "splits do not increase",
            lambda d: (
                "at "
                + d["at_m"].astype("string")
                + " m: "
                + _fmt(d["prev_cum"])
                + " then "
                + _fmt(d["cum"])
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
                + _fmt(d["cum"] - d["prev_cum"])
                + " s = "
                + _fmt((d["at_m"] - d["prev_at"]) / (d["cum"] - d["prev_cum"]))
                + " m/s"
            ),
        ),
    ]
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
        else pd.DataFrame(columns=["row", "column", "value", "reason"])
    )
    good = m.loc[~m["row"].isin(badf["row"])]
    return good[["row", "at_m", "cum"]], badf


# --------------------------------------------------------------------------- main


def clean_sprints(
    raw: pd.DataFrame | None,
    roster: pd.DataFrame,
    *,
    dayfirst: bool | None = None,
    today=None,
    hand_to_fat: Mapping[int, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean raw sprint results into races, splits and rejects.

    Parameters
    ----------
    raw : DataFrame or None
        Result rows, all cells text, with ``source`` and ``source_row`` (as
        :func:`analysis.io.read_raw` gives them). Headers are canonicalised here too
        (idempotent), so a frame straight from a sheet works. ``None``: no result files.
    roster : DataFrame
        The athletes table (:func:`analysis.names.load_roster`).
    dayfirst : bool, optional
        Force day/month order; default inferred per file.
    today : date, optional
        Later dates are rejected (default: today).
    hand_to_fat : mapping of int to float, optional
        Seconds added to hand times per event (``{200: 0.24, 400: 0.14}``); events it
        leaves out keep the setting in effect (:func:`analysis.config.hand_to_fat`:
        :data:`analysis.config.HAND_TO_FAT_S`, or ``$HIPFLEX_HAND_TO_FAT``).

    Returns
    -------
    races : DataFrame
        Pinned ``RACE_COLUMNS`` then ``final_raw_s`` (the time as written, before the hand
        conversion), ``reaction_s``, ``notes`` (the row's notes, after any remark
        written with a status: ``DQ (lane)`` gives status ``DQ`` and notes ``lane``,
        ``DQ R163.3`` notes ``rule R163.3``; or after the marks printed with a time:
        ``48.23 PB`` notes ``PB``) and ``flags`` (those marks, space-separated, e.g.
        ``PB``, ``SB``, ``=PB``, ``Q``, ``q``, ``w``; NA without; see :func:`parse_mark`).
        One row per distinct race. ``status`` is ``ok``,
        ``DNF``, ``DNS`` or ``DQ``; ``final_s`` is NA unless ``ok``. ``timing`` is ``FAT``
        or ``hand``; for ``hand`` rows ``final_s = final_raw_s + hand_to_fat[event]``.
        ``race_id`` is ``<athlete_id>-<yyyymmdd>-<event>-<n>``, ``n`` numbering an
        athlete's races of one event on one day in order of round, time, file and row:
        readable and the same on every run over the same files.
    splits : DataFrame
        Pinned ``SPLIT_COLUMNS``: one row per timing mark of each ``ok`` race, the finish
        included (``cum_s`` at ``at_m = event_m`` equals ``final_s``), sorted by race and
        mark. A race with no usable splits has just its finish row.
    rejects : DataFrame
        ``REJECT_COLUMNS`` with ``table = "races"``.

    Notes
    -----
    **Split forms.** ``split_<m>`` columns hold cumulative times at ``m`` metres. A
    ``splits`` string (``10.9/21.3/32.1``; separators ``/ ; |`` or spaces) holds
    cumulative times at equal intervals: when its last value equals the final (within
    :data:`SPLIT_TOLERANCE_S`) the interval is ``event / n``, otherwise the final is the
    implied last mark and the interval is ``event / (n + 1)`` — ``10.9/21.3/32.1`` in a
    400 m are the 100, 200 and 300 m marks. A ``segments`` string holds ``n`` equal
    segment times of ``event / n`` metres whose sum must equal the final within the
    tolerance. A row uses the first form it fills, in that order.

    **Hand timing.** A hand timer starts the watch late (reacting to the flash/gun) and
    stops it on sight, so every cumulative reading of that watch is short by the same
    start delay. The same offset is therefore added to the final *and* to every
    cumulative split of a hand-timed race: segment times after the first are unchanged,
    and the splits stay consistent with the converted finish.

    **Rejected vs partial.** The race is dropped (``kind="rejected"``) when the athlete
    is missing, unknown or ambiguous, the date is missing/unparseable/out of range, the
    event is missing or not 200/400 m (``unsupported event``, the value names it), the
    time is missing or unparseable (``unparseable time``) or outside
    :data:`PLAUSIBLE_FINAL_S` (``implausible time``). The race is kept and the doubtful
    part dropped (``kind="partial"``, counted clean in the reconciliation) for: splits
    that cannot be parsed, do not fit the event, do not increase, lie beyond or after the
    finish, segments that do not add up, a segment velocity outside
    :data:`SEGMENT_SPEED_MS` (all of a race's splits are dropped together: one bad mark
    makes the others suspect), splits on a race without a time (DNF/DNS/DQ), and an
    unparseable wind, reaction or timing cell (that value becomes NA). One reject row per
    input row: the first failing check. Only splits on ``ok`` races are checked, after
    the race checks pass.

    **Duplicates.** The same athlete, date, event, round and final time (or status) seen
    twice — in two files or one — is kept once; the later copy becomes a ``duplicate``
    reject whose value names the kept one ("same as results.csv row 12").

    Unmarked times are taken as FAT (a ``timing`` cell or trailing ``h`` marks hand
    times). Wind ``NWI`` (no wind information) and empty cells are NA.

    Raises
    ------
    DataError
        A file's dates contradict each other's day/month order (from
        :func:`analysis.dates.parse_dates`).
    """
    if raw is None or len(raw) == 0:
        return _empty_tables()
    offsets = config.hand_to_fat(hand_to_fat)
    tol = SPLIT_TOLERANCE_S
    df = _prepare(raw)
    idx = df.index
    na_str = pd.Series(pd.NA, index=idx, dtype="string")

    # --- athlete, date, event, time: each distinct raw value parsed once
    ids, ath_reason = resolve_athletes(df["athlete"], roster)
    dates, date_reason = parse_dates(
        df["date"], sources=df["source"], rows=df["source_row"], dayfirst=dayfirst, today=today
    )
    codes, parsed = map_distinct(df["event"], _parse_event)
    event = pd.Series([p[0] if p else None for p in parsed], dtype="Int64").iloc[codes]
    event.index = idx
    ev_reason = pd.Series([p[1] if p else "missing event" for p in parsed], dtype="string").iloc[
        codes
    ]
    ev_reason.index = idx

    codes, parsed = map_distinct(df["final"], parse_mark)
    parsed[-1] = Mark(math.nan, False, None, "missing time")
    marks_u = pd.DataFrame.from_records(parsed, columns=Mark._fields)
    p_sec = marks_u["seconds"].to_numpy(dtype="float64")[codes]
    p_hand = marks_u["hand"].to_numpy(dtype=bool)[codes]
    status = pd.Series(marks_u["status"].to_numpy(object)[codes], index=idx, dtype="string")
    status = status.fillna("ok")
    time_reason = pd.Series(marks_u["error"].to_numpy(object)[codes], index=idx, dtype="string")
    flags = pd.Series(marks_u["flags"].to_numpy(object)[codes], index=idx, dtype="string")
    mark_wind = pd.Series(
        pd.to_numeric(marks_u["wind"], errors="coerce").to_numpy("float64")[codes],
        index=idx,
        dtype="Float64",
    )
    mark_wind = mark_wind.where(mark_wind.abs() <= MAX_WIND_MS)
    # a remark after a status ("DQ (lane)", "DQ R163.3") or the marks after a time
    # ("48.23 PB") go to notes, before the row's own notes
    remark = pd.Series(marks_u["note"].to_numpy(object)[codes], index=idx, dtype="string")
    notes = df["notes"].mask(remark.notna() & df["notes"].notna(), remark + "; " + df["notes"])
    notes = notes.fillna(remark)

    codes, parsed = map_distinct(df["timing"], _parse_timing)
    timing_cell = pd.Series([p[0] if p else None for p in parsed], dtype="string").iloc[codes]
    timing_cell.index = idx
    timing_reason = pd.Series([p[1] if p else None for p in parsed], dtype="string").iloc[codes]
    timing_reason.index = idx
    hand = pd.Series(p_hand, index=idx) | (timing_cell == "hand").fillna(False)
    timing = pd.Series(np.where(hand, "hand", "FAT"), index=idx, dtype="string")
    final_raw = pd.Series(p_sec, index=idx, dtype="Float64")
    offset = event.map(offsets).astype("Float64").fillna(0.0)
    final_s = (final_raw + offset.where(hand, 0.0)).round(3)

    lo = event.map({k: v[0] for k, v in PLAUSIBLE_FINAL_S.items()}).astype("Float64")
    hi = event.map({k: v[1] for k, v in PLAUSIBLE_FINAL_S.items()}).astype("Float64")
    implausible = (final_s < lo) | (final_s > hi)
    time_reason = time_reason.mask(implausible.fillna(False), "implausible time")

    checks = [
        ("athlete", ath_reason, df["athlete"].fillna("")),
        ("date", date_reason, df["date"].fillna("")),
        ("event", ev_reason, df["event"].fillna("")),
        ("final", time_reason, df["final"].fillna("")),
    ]
    col, reason, value = _first_failure(len(df), idx, checks)
    rejected = reason.notna()
    rej_frames = []
    if rejected.any():
        r = df.loc[rejected]
        rej_frames.append(
            rejects_frame(
                r,
                column=col[rejected],
                value=value[rejected],
                reason=reason[rejected],
                table="races",
                kind="rejected",
                athlete_id=ids[rejected],
            )
        )

    # --- duplicates among accepted rows (first occurrence in file/row order is kept)
    keep = ~rejected
    rnd = df["round"].fillna("").str.casefold().str.replace(r"\s+", " ", regex=True)
    key = (
        ids.fillna("")
        + "|"
        + dates.dt.strftime("%Y%m%d").astype("string").fillna("")
        + "|"
        + event.astype("string").fillna("")
        + "|"
        + rnd
        + "|"
        + final_s.round(2).astype("string").fillna(status)
    )
    order = df[["source", "source_row"]].assign(_k=key).loc[keep]
    order = order.sort_values(["source", "source_row"], kind="stable")
    dup = order["_k"].duplicated(keep="first")
    if dup.any():
        first_label = (
            ("same as " + order["source"] + " row " + order["source_row"].astype("string"))
            .groupby(order["_k"])
            .transform("first")
        )
        d = df.loc[dup[dup].index]
        rej_frames.append(
            rejects_frame(
                d,
                column=None,
                value=first_label[dup],
                reason="duplicate",
                table="races",
                kind="duplicate",
                athlete_id=ids.loc[d.index],
            )
        )
        keep = keep & ~idx.isin(dup[dup].index)

    # --- optional cells: wind, reaction, timing (partial when unparseable)
    codes, parsed = map_distinct(df["wind"], _parse_wind)
    wind = pd.Series([p[0] if p else np.nan for p in parsed], dtype="Float64").iloc[codes]
    wind.index = idx
    # a wind printed with the time ("21.05 (+1.2)") fills an empty wind cell
    wind = wind.fillna(mark_wind.where(df["wind"].isna()))
    wind_reason = pd.Series([p[1] if p else None for p in parsed], dtype="string").iloc[codes]
    wind_reason.index = idx
    codes, parsed = map_distinct(df["reaction"], _parse_reaction)
    reaction = pd.Series([p[0] if p else np.nan for p in parsed], dtype="Float64").iloc[codes]
    reaction.index = idx
    react_reason = pd.Series([p[1] if p else None for p in parsed], dtype="string").iloc[codes]
    react_reason.index = idx

    # --- splits of kept, timed races
    ok = keep & (status == "ok")
    split_cols = [c for c in df.columns if _SPLIT_COL.match(str(c)) or _SEG_COL.match(str(c))]
    any_split = df[["splits", "segments", *split_cols]].notna().any(axis=1)
    no_time_splits = keep & (status != "ok") & any_split
    marks, bad1 = _split_candidates(df, idx[ok & any_split])
    marks = _segment_columns(marks, event.astype("float64"), final_raw.astype("float64"), tol)
    event_f = event.astype("Float64")
    resolved, bad2 = _resolve_marks(marks, event_f, final_raw, tol)
    good, bad3 = _validate_marks(resolved, tol) if len(resolved) else (resolved, bad2.iloc[0:0])
    split_bad = pd.concat([b for b in (bad1, bad2, bad3) if len(b)] or [bad1], ignore_index=True)
    split_bad = split_bad.drop_duplicates("row")
    split_reason = pd.Series(pd.NA, index=idx, dtype="string")
    split_col = pd.Series(pd.NA, index=idx, dtype="string")
    split_val = pd.Series(pd.NA, index=idx, dtype="string")
    if len(split_bad):
        ridx = pd.Index(split_bad["row"].astype("int64"))
        split_reason.loc[ridx] = split_bad["reason"].astype("string").to_numpy()
        split_col.loc[ridx] = split_bad["column"].astype("string").to_numpy()
        split_val.loc[ridx] = split_bad["value"].astype("string").to_numpy()
    split_reason = split_reason.mask(no_time_splits, "splits without final time")
    split_col = split_col.mask(no_time_splits, "splits")
    split_val = split_val.mask(no_time_splits, status)

    pcol, preason, pvalue = _first_failure(
        len(df),
        idx,
        [
            (split_col, split_reason, split_val),
            ("wind", wind_reason, df["wind"].fillna("")),
            ("reaction", react_reason, df["reaction"].fillna("")),
            ("timing", timing_reason, df["timing"].fillna("")),
        ],
    )
    partial = keep & preason.notna()
    if partial.any():
        p = df.loc[partial]
        rej_frames.append(
            rejects_frame(
                p,
                column=pcol[partial],
                value=pvalue[partial],
                reason=preason[partial],
                table="races",
                kind="partial",
                athlete_id=ids[partial],
            )
        )

    # --- races table
    races = pd.DataFrame(
        {
            "race_id": na_str,
            "athlete_id": ids,
            "date": dates,
            "event_m": event,
            "final_s": final_s.where(status == "ok"),
            "timing": timing,
            "status": status,
            "wind_ms": wind,
            "meet": df["meet"],
            "round": df["round"],
            "source": df["source"],
            "source_row": df["source_row"],
            "final_raw_s": final_raw.where(status == "ok"),
            "reaction_s": reaction,
            "notes": notes,
            "flags": flags,
        },
        index=idx,
    ).loc[keep]
    races = races.assign(_rnd=rnd.loc[races.index]).sort_values(
        ["athlete_id", "date", "event_m", "_rnd", "final_s", "source", "source_row"],
        kind="stable",
        na_position="last",
    )
    n = races.groupby(["athlete_id", "date", "event_m"], sort=False).cumcount() + 1
    races["race_id"] = (
        races["athlete_id"]
        + "-"
        + races["date"].dt.strftime("%Y%m%d").astype("string")
        + "-"
        + races["event_m"].astype("string")
        + "-"
        + n.astype("string")
    )
    races = races.drop(columns="_rnd")

    # --- splits table: intermediate marks (hand offset added) + the finish
    rid = races["race_id"]
    okr = races.loc[races["status"] == "ok"]
    inter = good.loc[good["row"].isin(okr.index)] if len(good) else good
    if len(inter):
        rows = inter["row"].astype("int64")
        off = offset.where(hand, 0.0).reindex(rows).to_numpy(dtype="float64")
        inter_df = pd.DataFrame(
            {
                "race_id": rid.reindex(rows).to_numpy(),
                "at_m": inter["at_m"].to_numpy(dtype="int64"),
                "cum_s": np.round(inter["cum"].to_numpy(dtype="float64") + off, 3),
            }
        )
    else:
        inter_df = empty(SPLIT_COLUMNS)
    finish = pd.DataFrame(
        {"race_id": okr["race_id"], "at_m": okr["event_m"], "cum_s": okr["final_s"]}
    )
    splits = pd.concat(
        [conform(inter_df, SPLIT_COLUMNS), conform(finish, SPLIT_COLUMNS)], ignore_index=True
    )
    splits = splits.sort_values(["race_id", "at_m"], kind="stable").reset_index(drop=True)

    races = conform(races.reset_index(drop=True), RACE_COLUMNS, name="races")
    rejects = concat_rejects(*rej_frames)
    return races, conform(splits, SPLIT_COLUMNS, name="splits"), rejects
