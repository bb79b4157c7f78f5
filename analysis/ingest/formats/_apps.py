"""What the training apps' exports have in common (Strong, Hevy, FitNotes, JEFIT).

Not a format of its own (its name starts with ``_``: the registry does not import it as
one). The product modules read their files into one row per set (or per packed row, for
JEFIT) and hand the columns here, where they become the raw text columns the log cleaner
reads:

* ``sets`` is ``1`` for a set row: sets whose reps differ (10, 8, 8) count exactly;
* weights carry their unit (``60 kg``, ``135 lb``: the cleaner converts pounds), distances
  are written in metres (``km``, ``mi``, ``ft``, ``yd`` converted here), timed sets in
  seconds; a ``0`` distance or duration is the apps' "not used" and is left empty;
* a warm-up, drop or failure set is kept and flagged in ``notes`` (``warm-up set``);
* the workout's length and RPE go to the session columns ``session_min`` and ``rpe``
  (:mod:`analysis.srpe`), written on the workout's first set row only, so that a day with
  two workouts counts two sessions and a day with one counts one;
* dates in every form the apps write (ISO with seconds, 12-hour clocks with the narrow
  no-break space some phones put before ``pm``, ``2 Mar 2026, 19:59``, unix seconds)
  become the day (``2026-03-02``); a numeric day/month date keeps its order for the
  cleaner to infer per file;
* the athlete comes from the file's folder, its name or ``hipflex.toml``
  (:meth:`FormatContext.athlete_from_path`); a file whose athlete cannot be found has
  every row rejected, the athlete cell saying why.

Every distinct raw value is parsed once; rows take the result by code.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import DataError
from ..layout import Layout, Parsed
from . import FormatContext, Head

#: the athlete cell of a file whose athlete cannot be found (the reject's value says why)
NO_ATHLETE = (
    "(no athlete: {file} names none; put it in a folder named for the athlete, "
    "e.g. logs/<name>/{name}, name the file for the athlete, or set athlete in hipflex.toml)"
)

# ------------------------------------------------------------------ reading


def header_line(head: Head) -> str:
    """The first non-blank line of a file's head (BOM dropped), for a signature test."""
    for line in head.lines(5):
        if line.strip():
            return line.lstrip("\ufeff")
    return ""


def header_cells(line: str) -> list[str]:
    """The cells of a header line, split on its most frequent separator, unquoted, lower."""
    sep = max((",", ";", "\t"), key=line.count)
    cells = next(csv.reader([line], delimiter=sep), [])
    return [c.strip().strip('"').strip().casefold() for c in cells]


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass
class Records:
    """A CSV file as records: ``(first line, fields)``, blank ones included."""

    label: str
    rows: list[tuple[int, list[str]]]
    last_line: int
    sep: str

    def line_gaps(self) -> list[tuple[int, int, str]]:
        """Lines inside a record that runs over several lines (a note with a line break)."""
        out = []
        starts = [r for r, _ in self.rows] + [self.last_line + 1]
        for (r, _), nxt in zip(self.rows, starts[1:], strict=True):
            if nxt - r > 1:
                out.append((r + 1, nxt - r - 1, f"line break inside a quoted cell of row {r}"))
        return out


def read_records(path: Path, label: str, sep: str | None = None) -> Records:
    """Every record of a CSV export (UTF-8 with or without BOM, else Windows-1252).

    Raises
    ------
    DataError
        The file is larger than the configured limits, or a quote opened in a row is
        never closed (one line naming the file and row).
    """
    from ... import config
    from ..cells import check_line_limit

    check_line_limit(path, label)
    text = _decode(path.read_bytes()).replace("\x00", "")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if sep is None:
        sep = max((",", ";", "\t"), key=lambda c: (first.count(c), c == ","))
    csv.field_size_limit(config.MAX_LINE_BYTES)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            if len(fields) > config.MAX_FIELDS:
                raise DataError(
                    f"a row has more than {config.MAX_FIELDS} fields", file=label, row=start
                )
            rows.append((start, fields))
            start = reader.line_num + 1
            if start > config.MAX_ROWS:
                raise DataError(f"more than {config.MAX_ROWS} rows", file=label)
    except csv.Error as exc:
        raise DataError(f"not a readable CSV file ({exc})", file=label, row=start) from None
    last = rows[-1][0] if rows else 0
    if rows:  # a record over several lines ends where the reader stopped
        last = max(last, reader.line_num)
    return Records(label, rows, last, sep)


@dataclass
class Sheet:
    """An export with one header: its rows under the header, and what is not data."""

    header_row: int
    header: list[str]
    frame: pd.DataFrame  # stripped text by header name, NA when empty
    rows: np.ndarray  # the line each row starts on
    not_data: list[tuple[int, int, str]]
    last_line: int
    #: ``(row, fields, extra values)`` of rows wider than the header (rejected, not read)
    ragged: list[tuple[int, int, list[str]]] = field(default_factory=list)


_EOL = re.compile(r"\r\n|\r|\n")


def _sep_of(text: str) -> str:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return max((",", ";", "\t"), key=lambda c: (first.count(c), c == ","))


def read_sheet(path: Path, label: str, product: str) -> Sheet:
    """A one-header export (Strong, Hevy, FitNotes): its header, rows and not-data rows.

    Read by pandas' C parser when every record is one line (the usual export: a large one
    costs a fraction of a second), else record by record (:func:`read_records`: a note
    with a line break, a ragged row), so that rows keep the line numbers a coach sees.

    Raises
    ------
    DataError
        An empty file, one beyond the limits, or a quote never closed.
    """
    from ... import config
    from ..cells import check_line_limit

    check_line_limit(path, label)
    text = _decode(path.read_bytes()).replace("\x00", "")
    sep = _sep_of(text)
    n_lines = len(_EOL.findall(text)) + (0 if not text or text[-1] in "\r\n" else 1)
    frame = None
    if n_lines <= config.MAX_ROWS:
        try:
            frame = pd.read_csv(_io.StringIO(text), sep=sep, header=None, dtype=str,
                                na_filter=False, skip_blank_lines=False, engine="c",
                                quotechar='"')  # fmt: skip
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OverflowError):
            frame = None
    if frame is not None and len(frame) == n_lines and frame.shape[1] <= config.MAX_FIELDS:
        starts = np.arange(1, n_lines + 1, dtype=np.int64)
        cells = frame.astype("string").fillna("")
        gaps: list[tuple[int, int, str]] = []
        last = n_lines
    else:
        rec = read_records(path, label, sep)
        width = max((len(f) for _, f in rec.rows), default=0)
        cells = pd.DataFrame(
            [(f + [""] * width)[:width] for _, f in rec.rows], dtype="string"
        ).fillna("")
        starts = np.array([r for r, _ in rec.rows], dtype=np.int64)
        gaps, last = rec.line_gaps(), rec.last_line
    stripped = {c: cells[c].str.strip() for c in cells.columns}
    blank = np.ones(len(cells), dtype=bool)
    for col in stripped.values():
        blank &= (col == "").to_numpy(dtype=bool)
    filled = np.flatnonzero(~blank)
    if not len(filled):
        raise DataError(f"empty {product} export", file=label)
    h = int(filled[0])
    header = [str(v).strip().lstrip("\ufeff").strip() for v in cells.iloc[h]]
    while header and not header[-1] and len(header) > 1:  # a trailing separator
        header.pop()
    header = [c or f"column {j + 1}" for j, c in enumerate(header)]
    keep = filled[1:]
    ragged = []
    if len(cells.columns) > len(header):
        extra = np.zeros(len(cells), dtype=bool)
        for c in list(stripped)[len(header) :]:
            extra |= (stripped[c] != "").to_numpy(dtype=bool)
        wide = keep[extra[keep]]
        for i in wide:
            vals = [str(v) for v in cells.iloc[i]]
            while vals and not vals[-1].strip():
                vals.pop()
            ragged.append((int(starts[i]), len(vals), vals[len(header) :]))
        keep = keep[~extra[keep]]
    out = {}
    for j, name in enumerate(header):
        if name in out:
            continue
        col = stripped[cells.columns[j]].take(keep).reset_index(drop=True)
        out[name] = col.mask(col == "")
    not_data = [(int(starts[h]), 1, "header row")]
    not_data += [(int(r), 1, "blank row") for r in starts[blank]]
    return Sheet(int(starts[h]), header, pd.DataFrame(out), starts[keep], not_data + gaps, last,
                 ragged)  # fmt: skip


def table(records: list[tuple[int, list[str]]], header: list[str]) -> pd.DataFrame:
    """Records under ``header`` as a frame of stripped text (``NA`` when empty), by name.

    A short row's missing cells are empty; a long row's extra cells are dropped here and
    its reader decides (the apps write none).
    """
    width = len(header)
    cells = [(f + [""] * width)[:width] for _, f in records]
    arr = np.array(cells, dtype=object).reshape(len(cells), width) if cells else None
    out = {}
    for j, name in enumerate(header):
        col = pd.Series(arr[:, j] if arr is not None else [], dtype="string").str.strip()
        out[name] = col.mask(col == "")
    return pd.DataFrame(out)


def guarded(name: str, read: Callable) -> Callable:
    """``read`` whose unexpected failure is one :class:`DataError` naming the file.

    A reader's defect on bytes nobody foresaw lists the file as not read, with the
    reason (``could not read this ... (internal error ...)``), never a traceback that
    stops the folder; the property tests look for that reason to find such defects.
    """

    def safe(path: Path, ctx: FormatContext) -> list:
        try:
            return read(path, ctx)
        except DataError:
            raise
        except Exception as exc:
            raise DataError(
                f"could not read this {name} (internal error {type(exc).__name__}: {exc}); "
                "please report it with the file",
                file=ctx.label,
            ) from exc

    safe.__doc__ = read.__doc__
    return safe


# ------------------------------------------------------------------ values


def per_distinct(values: pd.Series, fn: Callable[[str], object], dtype: str) -> pd.Series:
    """``fn`` applied to each distinct non-empty value once, mapped back to the rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [fn(str(u)) for u in uniques]
    table_ = pd.Series([*parsed, None], dtype=dtype)
    return pd.Series(
        table_.to_numpy()[np.where(codes < 0, len(uniques), codes)], index=values.index, dtype=dtype
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


# ------------------------------------------------------------------ dates

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ],
        start=1,
    )
    for m in names.split()
}
_CLOCK = re.compile(
    r"[\sT,]*(?:at\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?\s?m\.?)?"
    r"\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?\s*$",
    re.I,
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_D_MON_Y = re.compile(r"^(\d{1,2})\.?\s+([a-z]+)\.?,?\s+(\d{4})$")
_MON_D_Y = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
#: unix seconds from 2001-09-09 to 2286: the apps' timestamps
_UNIX = re.compile(r"^\d{10}(?:\.\d+)?$")


def app_date(text: str) -> str:
    """The day of an app's timestamp as ISO text, or the date part for the cleaner.

    >>> app_date("2 Mar 2026, 19:59"), app_date("2026-03-02 07:59:12\u202fpm")
    ('2026-03-02', '2026-03-02')
    """
    t = unicodedata.normalize("NFKC", text).replace("\u202f", " ").strip()
    if _UNIX.match(t):
        return _dt.datetime.fromtimestamp(float(t), _dt.UTC).date().isoformat()
    t = t.casefold()
    t = re.sub(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", t)
    t = _CLOCK.sub("", t).strip().rstrip(",")
    for pat, order in ((_ISO, "ymd"), (_D_MON_Y, "dmy"), (_MON_D_Y, "mdy")):
        m = pat.match(t)
        if not m:
            continue
        a, b, c = m.groups()
        if order == "ymd":
            y, mo, d = int(a), int(b), int(c)
        elif order == "dmy":
            y, mo, d = int(c), _MONTHS.get(b, 0), int(a)
        else:
            y, mo, d = int(c), _MONTHS.get(a, 0), int(b)
        try:
            return _dt.date(y, mo, d).isoformat()
        except ValueError:
            return text  # the cleaner names it
    return t or text


_TIME = re.compile(
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[.,]\d+)?\s*([ap])?\.?\s?(?:m\.?)?\s*"
    r"(?:z|utc|gmt|[+-]\d{2}:?\d{2})?\s*$",
    re.I,
)


def app_datetime(text: str, dayfirst: bool = True) -> _dt.datetime | None:
    """An app's timestamp (every form :func:`app_date` reads) as a naive datetime, or None.

    A numeric day/month date is read in ``dayfirst`` order (only differences of two
    timestamps of one workout are taken from it).
    """
    t = unicodedata.normalize("NFKC", text).replace("\u202f", " ").strip()
    if _UNIX.match(t):
        return _dt.datetime.fromtimestamp(float(t), _dt.UTC).replace(tzinfo=None)
    day = app_date(t)
    m = _ISO.match(day)
    if not m:
        n = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", day)
        if not n:
            return None
        a, b, y = int(n.group(1)), int(n.group(2)), int(n.group(3))
        d, mo = (a, b) if dayfirst else (b, a)
    else:
        y, mo, d = (int(g) for g in m.groups())
    clock = _TIME.search(t.casefold().split("t", 1)[-1] if "t" in t[8:11].casefold() else t)
    h = mi = sec = 0
    if clock:
        h, mi, sec = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        ap = (clock.group(4) or "").casefold()
        if ap == "p" and h < 12:
            h += 12
        elif ap == "a" and h == 12:
            h = 0
    try:
        return _dt.datetime(y, mo, d, h, mi, sec)
    except ValueError:
        return None


def span_minutes(start: pd.Series, end: pd.Series, dayfirst: bool = True) -> pd.Series:
    """Minutes from ``start`` to ``end`` per row (each distinct pair once); NA if unreadable,
    negative or longer than a session can be."""
    from ...config import MAX_SESSION_MIN

    pair = start.fillna("").astype("string") + "\x1f" + end.fillna("").astype("string")

    def one(p: str) -> float | None:
        a, b = p.split("\x1f")
        ta, tb = app_datetime(a, dayfirst), app_datetime(b, dayfirst)
        if ta is None or tb is None:
            return None
        v = (tb - ta).total_seconds() / 60
        return v if 0 < v <= MAX_SESSION_MIN else None

    return per_distinct(pair, one, "Float64")


def app_dates(values: pd.Series) -> pd.Series:
    """:func:`app_date` of each distinct value."""
    return per_distinct(values, app_date, "string")


# ------------------------------------------------------------------ flags

#: set-type words of the apps -> the flag written in ``notes``
SET_TYPES = {
    "w": "warm-up set",
    "warmup": "warm-up set",
    "warm up": "warm-up set",
    "warm-up": "warm-up set",
    "d": "drop set",
    "dropset": "drop set",
    "drop set": "drop set",
    "drop": "drop set",
    "f": "failure set",
    "failure": "failure set",
    "failed": "failure set",
}


def join_notes(*parts: pd.Series) -> pd.Series:
    """Note parts joined with ``; `` (empty parts skipped), ``NA`` when all are empty."""
    out = None
    for p in parts:
        p = p.astype("string")
        if out is None:
            out = p
            continue
        both = out.notna() & p.notna()
        out = out.where(~both, out + "; " + p).fillna(p)
    return out


# ------------------------------------------------------------------ the parsed sheet


@dataclass
class SetRows:
    """A product reader's rows before they become a :class:`Parsed` (one per set)."""

    rows: np.ndarray  # source row of each set
    columns: dict[str, pd.Series]  # raw text columns named as the cleaner reads them
    workout: pd.Series | None = None  # a key per workout: session values on its first set
    session_min: pd.Series | None = None  # minutes per row (Float64)
    set_rpe: pd.Series | None = None  # each set's RPE (Float64), averaged per workout
    not_data: list[tuple[int, int, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what was set aside, for the note


def session_columns(sr: SetRows) -> dict[str, pd.Series]:
    """``session_min`` and ``rpe`` on each workout's first set row, empty elsewhere."""
    n = len(sr.rows)
    out: dict[str, pd.Series] = {}
    if sr.workout is None or n == 0:
        return out
    first = ~pd.Series(sr.workout.to_numpy(), dtype="string").fillna("").duplicated().to_numpy()
    if sr.session_min is not None and sr.session_min.notna().any():
        mins = pd.Series(sr.session_min.to_numpy(), dtype="Float64").round(2)
        mins = mins.where(mins > 0)  # a workout logged after the fact has no length
        out["session_min"] = fmt_number(mins.where(first, pd.NA))
    if sr.set_rpe is not None and sr.set_rpe.notna().any():
        key = pd.Series(sr.workout.to_numpy(), dtype="string").fillna("")
        rpe = pd.Series(sr.set_rpe.to_numpy(), dtype="Float64")
        mean = rpe.groupby(key.to_numpy()).transform("mean").round(1)
        out["rpe"] = fmt_number(mean.where(first, pd.NA))
    return out


def build(
    ctx: FormatContext,
    fmt_name: str,
    sr: SetRows,
    *,
    header_row: int,
    header: Iterable[str],
    roles: dict[str, str],
    rows_total: int,
    describe: str,
    units: dict[str, str] | None = None,
    kind: str = "table",
    ragged: list[tuple[int, int, list[str]]] | None = None,
) -> Parsed:
    """The :class:`Parsed` of an app export: athlete, session columns, layout and note."""
    n = len(sr.rows)
    found = ctx.athlete_from_path()
    if found is None:
        name = Path(ctx.label).name
        athlete = NO_ATHLETE.format(file=ctx.label, name=name)
    else:
        athlete = found[0]
    frame = pd.DataFrame({"athlete": pd.Series([athlete] * n, dtype="string")})
    for col, values in {**sr.columns, **session_columns(sr)}.items():
        frame[col] = pd.Series(values.to_numpy(), dtype="string")
    frame["source"] = pd.Series([ctx.label] * n, dtype="string")
    frame["source_row"] = pd.array(sr.rows, dtype="Int64")
    bits = [describe]
    aside = [plural(k, v) for k, v in sr.counts.items() if v]
    if aside:
        bits.append("; ".join(aside))
    if found is None:
        bits.append(
            "no athlete found in the folder or file name or hipflex.toml: every row is "
            "rejected (put the file in a folder named for the athlete, e.g. "
            f"logs/<name>/{Path(ctx.label).name})"
        )
    lay = Layout(
        ctx.label,
        kind=kind,
        header_row=header_row,
        columns={h: roles.get(h, "ignored") for h in header},
        athlete=found[0] if found else None,
        athlete_from=found[1] if found else "column",
        units=units or {},
        reason=": ".join(bits[:2]) + ("; " + "; ".join(bits[2:]) if len(bits) > 2 else ""),
        format=fmt_name,
        table="log",
    )
    parsed = Parsed(lay, frame, not_data=sorted(sr.not_data), ragged=list(ragged or []),
                    rows_total=rows_total)  # fmt: skip
    return parsed


def plural(template: str, n: int) -> str:
    """``"{n} rest-timer row{s} {are} not sets"`` with ``n`` filled in, singular or plural."""
    one = n == 1
    return template.format(
        n=n, s="" if one else "s", are="is" if one else "are", a="a " if one else ""
    )
