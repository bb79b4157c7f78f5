"""A time cell as meets print it: ``52.34``, ``1:02,5``, ``47.9h``, ``48.23 PB``, ``DQ R163.3``.

The grammar of a mark (:func:`parse_mark`), its short form (:func:`parse_time`), and the
two split forms built on it: one split cell (:func:`parse_split_cell`) and a list of
times in one cell (:func:`parse_split_list`). The pinned accepted raw forms are listed in
:mod:`analysis.sprints` (docs/architecture.md).
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import pandas as pd

__all__ = [
    "MARK_FLAGS",
    "NEGATIVE",
    "Mark",
    "parse_mark",
    "parse_split_cell",
    "parse_split_list",
    "parse_time",
]

_STATUS = {"DNF": "DNF", "DNS": "DNS", "DQ": "DQ", "DSQ": "DQ", "DISQ": "DQ"}
#: The text Python (``0:00:52.340000``) or pandas (``0 days 00:00:52.340000``) gives for
#: a duration typed into Excel (openpyxl reads it as a ``timedelta``).
_HMS = re.compile(r"^(?:0\s+days?,?\s+)?(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?$", re.I)
#: ``DQ (lane)``, ``DQ - lane``, ``DNF: injury``, ``DQ 163.3``: a status with a remark.
_STATUS_REMARK = re.compile(r"^(DNF|DNS|DQ|DSQ|DISQ)(?:\b|(?=\d))\.?\s*(.*)$", re.I)

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
#: A leading minus: a negative number (``-23.1``, ``− 200``); an event cell uses it too.
NEGATIVE = re.compile(r"^[-−–]\s*\d")
_DOTTED = re.compile(r"^(\d{1,2})\.([0-5]\d)[.,](\d{1,3})(?![\d.,:])")
#: A segment time printed after a cumulative split: ``22.96 (11.55)``.
_LAP_AFTER = re.compile(r"\s*[(\[]\s*\+?\d{1,3}(?:[.,]\d+)?\s*[)\]]\s*$")
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
    if NEGATIVE.match(t):
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


def parse_split_cell(text: str) -> tuple[float, bool, str | None, str | None]:
    """Parse one split cell: a time, perhaps with its segment after it (``22.96 (11.55)``).

    Parameters
    ----------
    text : str
        The cell's text.

    Returns
    -------
    seconds, hand, status, error
        As :func:`parse_time` gives them for the time before the bracketed segment.

    Examples
    --------
    >>> parse_split_cell("22.96 (11.55)")
    (22.96, False, None, None)
    """
    return parse_time(_LAP_AFTER.sub("", text))


def parse_split_list(text: str) -> tuple[float, ...] | None:
    """Parse a list of times in one cell: ``"10.9/21.3/32.1"`` -> ``(10.9, 21.3, 32.1)``.

    Parameters
    ----------
    text : str
        Times separated by ``/``, ``;`` or ``|``; else by spaces (and commas); else by
        commas.

    Returns
    -------
    tuple of float or None
        The seconds in order; None when the cell holds no time or any element is not a
        time (a status or an unparseable one).

    Examples
    --------
    >>> parse_split_list("10.9/21.3/32.1")
    (10.9, 21.3, 32.1)
    >>> parse_split_list("10.9/DNF") is None
    True
    """
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
