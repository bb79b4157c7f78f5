"""Layout detection: where a sheet's table is, and how its rows become raw data rows.

A coach's sheet is rarely a table with its header on row 1. This stage looks at the
first rows of each CSV or workbook sheet (:data:`analysis.config.LAYOUT_SCAN_ROWS`) and
finds:

* the **header row** anywhere in those rows (the row naming the most known columns, in
  any of the languages of :mod:`analysis.io`'s synonyms); the rows above it are
  **titles**, read for what they say (``Athlete: Ada Okafor``, ``Week commencing
  05/01/2026``, ``Harriers Spring Open - 25/04/2026``, ``Event 12  Men 400m Final``);
* a **units row** under the header (``kg``, ``lb``, ``m``, ``s``: applied to the bare
  numbers of its column) and **summary rows** (``Total``, ``Sum``, ``Average``, formulas);
* a **weekly grid** (three or more weekday or date columns), reshaped to one row per
  filled cell: athlete x exercise (or exercise only) x day;
* **block files** (meet-manager exports): heading lines carry meet, date, event and round
  for the rows under them, and the header may come again for each event;
* the **athlete** when no column names one: a title cell, the sheet name or the file
  name, matched against the roster like any other spelling.

Every row of the sheet ends somewhere: in the data handed to the cleaners, or in
:attr:`Parsed.not_data` with its reason (title, header, units, summary, heading, a grid
row with no entries), or (a row with more fields than the header) in
:attr:`Parsed.rejects`.

A plain table (header on row 1, nothing else to see in its first rows) is recognised as
such and read by the fast path of :func:`analysis.io.read_raw`; only its summary rows are
looked for afterwards, among the distinct values of its first columns.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .headers import LOG_SYNONYMS, RESULT_SYNONYMS, ROSTER_SYNONYMS, header_key
from .injury_headers import HEADER_WORDS as _INJURY_WORDS

Row = tuple[int, list]

# ------------------------------------------------------------------ vocabulary


def _keys(*tables: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in tables:
        for canon, spellings in table.items():
            for s in (canon, *spellings):
                out.setdefault(s.replace("_", " "), canon)
    return out


#: normalised header -> a role, for scoring header rows
_KNOWN = _keys(LOG_SYNONYMS, RESULT_SYNONYMS, ROSTER_SYNONYMS)
#: columns of meet exports that the cleaners keep aside, by what they hold
_SIDE = {**dict.fromkeys(("pos", "place", "rank", "pl", "platz", "rang", "puesto", "posizione",
                          "plaats", "plats"), "place"),
         **dict.fromkeys(("club", "team", "verein"), "club"),
         **dict.fromkeys(("lane", "bib", "no"), "lane or bib")}  # fmt: skip
_KNOWN.update(_SIDE)
# an injury log's header row is found like any other (generic words such as "what", "back"
# or "type" left out so they never make a log's title row a header)
for _w in _INJURY_WORDS:
    _KNOWN.setdefault(_w, "injury")
#: the same with the result files' meaning first (``Time`` is a race's final time there)
_KNOWN_RESULTS = {**_keys(RESULT_SYNONYMS, LOG_SYNONYMS, ROSTER_SYNONYMS), **_SIDE}

_WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "mon monday montag mo lun lundi lunes lunedi maandag man mandag",
        "tue tues tuesday dienstag di mardi martes martedi dinsdag tis tisdag",
        "wed weds wednesday mittwoch mi mer mercredi miercoles mercoledi woensdag wo ons onsdag",
        "thu thur thurs thursday donnerstag do jeu jeudi jueves giovedi gio donderdag tor tors torsdag",
        "fri friday freitag fr ven vendredi viernes venerdi vrijdag vr fre fredag",
        "sat saturday samstag sa sam samedi sabado sabato sab zaterdag za lor lordag",
        "sun sunday sonntag so dim dimanche domingo dom domenica zondag zo son sondag",
    ]
):
    for _n in _names.split():
        _WEEKDAYS.setdefault(_n, _i)

_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        "jan january januar janvier enero ene gennaio gen januari",
        "feb february februar fevrier febrero febbraio februari",
        "mar march marz maerz mars marzo maart",
        "apr april avril abril aprile",
        "may mai mayo maggio mag mei maj",
        "jun june juni juin junio giugno giu",
        "jul july juli juillet julio luglio lug",
        "aug august aout agosto ago augusti augustus",
        "sep sept september septembre septiembre settembre set",
        "oct october oktober okt octobre octubre ottobre ott",
        "nov november novembre noviembre",
        "dec december dezember dez decembre diciembre dicembre dic",
    ],
    start=1,
):
    for _n in _names.split():
        _MONTHS.setdefault(_n, _i)

_SUMMARY = re.compile(
    r"^(grand total|sub ?total|totals?|sums?|average|averages|avg|mean|summe|gesamt|insgesamt|"
    r"durchschnitt|mittelwert|somme|moyenne|suma|promedio|media|totale|somma|totaal|som|"
    r"gemiddelde|summa|medel|medelvarde|genomsnitt)\b"
)
#: A summary label: the summary word alone, or followed by what it sums (``Total``,
#: ``Totals:``, ``Grand total``, ``Sum week 3``, ``Average kg``) -- never a word that merely
#: starts a name (``Suma Nuñez``, ``Mean Green``, ``Media Pérez``).
_SUMMARY_LABEL = re.compile(
    _SUMMARY.pattern[:-3]
    + r")(?:\s+(?:of|for|per|in|all|the|this|week|weeks|wk|wks|w|kw|woche|semaine|semana|"
    r"settimana|vecka|month|monat|mois|mes|season|block|phase|cycle|squad|team|group|day|days|"
    r"session|sessions|reps|sets|volume|load|distance|time|kg|lb|lbs|m|s|hf|\d+)\b.*)?$"
)
#: A spreadsheet formula as text (``=SUM(D2:D9)``).
_FORMULA = re.compile(r"^=\s*[A-Za-z]+\(")
#: A formula that sums up the rows above (``=SUM(...)``, ``=SUBTOTAL(...)``, in the
#: languages of the synonyms); ``=HYPERLINK(...)`` and the like are not summaries.
_AGGREGATE = re.compile(
    r"^=\s*(?:_xlfn\.)?(?:sum|sumif|sumifs|sumproduct|subtotal|aggregate|average|averagea|"
    r"averageif|averageifs|avg|mean|median|count|counta|countif|countifs|min|max|"
    r"summe|summewenn|teilergebnis|mittelwert|anzahl|anzahl2|somme|somme\.si|sous\.total|"
    r"moyenne|nb|suma|sumar\.si|subtotales|promedio|contar|somma|somma\.se|subtotale|"
    r"media|conta|som|subtotaal|gemiddelde|aantal|summa|delsumma|medel|antal)\s*\(",
    re.I,
)
_UNITS = {"kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "lb": "lb", "lbs": "lb",
          "pounds": "lb", "m": "m", "metres": "m", "meters": "m", "meter": "m", "s": "s",
          "sec": "s", "secs": "s", "seconds": "s", "sek": "s", "reps": None, "sets": None,
          "x": None, "min": None, "mins": None, "%": None, "wdh": None, "n": None,
          "date": None, "text": None}  # fmt: skip
_BARE_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")

_ATHLETE_LABEL = re.compile(
    r"^(athlete|athlet|athletin|name|runner|sportler|sportlerin|nom|nombre|atleta|nome|naam|"
    r"atleet|namn|idrottare)\s*[:\-=]\s*(.+)$"
)
_ATHLETE_WORD = re.compile(
    r"^(athlete|athlet|athletin|name|runner|sportler|nom|nombre|atleta|nome|naam|atleet|namn)"
    r"\s*:?$"
)
_WEEK_LABEL = re.compile(
    r"^(week commencing|week beginning|week starting|week of|w/c|wc|w c|woche ab|woche vom|"
    r"woche|kw|semaine du|semaine|semana del|semana|settimana del|settimana|week van|week|"
    r"vecka|veckan)\b\s*[:\-=]?\s*(.*)$"
)
_EVENT = re.compile(r"(?<![\d.:])(\d{2,3})\s?(?:m|metres|meters|meter|metros|metri)\b", re.I)
_ROUND = re.compile(
    r"\b(final|finals|a final|b final|heat\s*\d*|semi(?:[- ]?final)?\s*\d*|prelim\w*|"
    r"round\s*\d+|r\d|finale|vorlauf|zwischenlauf|lauf\s*\d*|serie\s*\d*|s[eé]rie\s*\d*|"
    r"final[ae]?|eliminatoria|batteria|halve finale|series\s*\d*)\b",
    re.I,
)
_GENERIC_SHEET = re.compile(
    r"^(sheet|tabelle|feuil|feuille|hoja|foglio|blad|planilha|ark|tabell|data|log|logs|"
    r"training|results?|week|woche|semaine|semana|settimana|vecka|kw|wk|w)\s*\d*$",
    re.I,
)

_DATE_PATTERNS = [
    # ISO 2026-01-05
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    # 05/01/2026, 05.01.2026, 5-1-26
    (re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)"), "dmy"),
    # 5 Jan 2026, 5. Januar 2026, 5th January
    (
        re.compile(
            r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|\.)?\s*(?:de\s+)?([a-z]{3,9})\.?,?"
            r"(?:\s+(?:de\s+)?(\d{4}))?(?![a-z])"
        ),
        "d_mon_y",
    ),
    # Jan 5 2026, January 5th
    (
        re.compile(r"(?<![a-z])([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?(?!\d)"),
        "mon_d_y",
    ),
    # 05/01, 05.01. (no year)
    (re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})\.?(?![\d./])"), "dm"),
]


@dataclass(frozen=True)
class Day:
    """A calendar day whose year may be unknown (``05 Jan``)."""

    year: int | None
    month: int
    day: int

    def on(self, year: int) -> _dt.date | None:
        try:
            return _dt.date(year, self.month, self.day)
        except ValueError:
            return None

    def text(self) -> str:
        return (
            f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
            if self.year
            else (f"--{self.month:02d}-{self.day:02d}")
        )


def find_date(text: object, *, dayfirst: bool = True, date_format: str | None = None) -> Day | None:
    """The first calendar date written in ``text`` (a title, a header, a sheet name)."""
    if text is None:
        return None
    s = str(text).strip()
    if date_format:
        try:
            d = _dt.datetime.strptime(s, date_format).date()
            return Day(d.year, d.month, d.day)
        except ValueError:
            pass
    low = header_key_keep_digits(s)
    for pattern, form in _DATE_PATTERNS:
        for m in pattern.finditer(low):
            g = m.groups()
            if form == "ymd":
                y, mo, d = int(g[0]), int(g[1]), int(g[2])
            elif form == "dmy":
                a, b, y = int(g[0]), int(g[1]), int(g[2])
                y += 2000 if y < 100 else 0
                # the order given, unless a value says otherwise ("6/13/2026": month first)
                d, mo = (a, b) if (dayfirst and b <= 12) or a > 12 else (b, a)
            elif form == "d_mon_y":
                mo = _MONTHS.get(g[1]) or _MONTHS.get(g[1][:3])
                if mo is None:
                    continue
                d, y = int(g[0]), int(g[2]) if g[2] else None
            elif form == "mon_d_y":
                mo = _MONTHS.get(g[0]) or _MONTHS.get(g[0][:3])
                if mo is None:
                    continue
                d, y = int(g[1]), int(g[2]) if g[2] else None
            else:
                a, b = int(g[0]), int(g[1])
                d, mo = (a, b) if (dayfirst and b <= 12) or a > 12 else (b, a)
                y = None
            if not (1 <= mo <= 12 and 1 <= d <= 31) or (y is not None and not 1950 <= y <= 2100):
                continue
            day = Day(y, mo, d)
            if y is not None and day.on(y) is None:
                continue
            return day
    return None


def header_key_keep_digits(text: str) -> str:
    """Lower-case text without accents, keeping the digits and date separators."""
    import unicodedata

    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    return " ".join(t.split())


def weekday_of(text: object) -> int | None:
    """0 (Monday) .. 6 (Sunday) when the header names a weekday, in any of the languages."""
    if text is None:
        return None
    key = header_key(text)
    words = key.split()
    if not words:
        return None
    return _WEEKDAYS.get(words[0])


@lru_cache(maxsize=65536)
def day_header(text: object, dayfirst: bool = True) -> tuple[int | None, Day | None] | None:
    """A grid's day column: ``(weekday, date)`` (either may be None), or None if not one."""
    if text is None:
        return None
    wd = weekday_of(text)
    s = str(text)
    if wd is not None:
        rest = " ".join(header_key_keep_digits(s).split()[1:])
        return wd, find_date(rest, dayfirst=dayfirst) if rest else None
    if re.search(r"[a-z]{4,}", header_key_keep_digits(s)) and not any(
        w in _MONTHS for w in header_key(s).split()
    ):
        return None
    day = find_date(s, dayfirst=dayfirst)
    if day is None or len(s) > 24:
        return None
    return None, day


@lru_cache(maxsize=65536)
def _role(cell: object) -> str | None:
    if cell is None:
        return None
    key = header_key(cell).replace("_", " ")
    if key in _KNOWN:
        return _KNOWN[key]
    if re.fullmatch(r"(?:split|cum|at|r\d)?\s?\d{2,3}\s?m?(?: split)?|split \d{2,3}", key):
        return "split"
    return None


def result_roles(columns: dict[str, str]) -> dict[str, str]:
    """``Layout.columns`` as a results file reads them (``Time`` -> ``final``, not duration)."""
    return {
        c: _KNOWN_RESULTS.get(header_key(c).replace("_", " "), r) if r != "split" else r
        for c, r in columns.items()
    }


def is_summary(
    cells: list,
    *,
    is_athlete: Callable[[str], bool] | None = None,
    text_cols: Collection[int] = (),
    athlete_cols: Collection[int] = (),
) -> str | None:
    """The reason a row is a summary row (a ``Total`` label, sum formulas), else None.

    Only the right cells are looked at:

    * the **label**: the row's first non-empty cell among its first three, when it is a
      summary word alone or followed by what it sums (``Total``, ``Sum week 3``,
      ``Average kg``); a word that only starts a name (``Suma Nuñez``) is not a label;
    * **formulas**: cells outside the free-text columns (``text_cols``: notes, comments)
      holding a formula that sums up rows (``=SUM(…)``, ``=SUBTOTAL(…)``, …), half the
      row's other cells or more; ``=HYPERLINK(…)`` in a note never makes a summary row.

    A roster name always wins: a row whose label, or whose cell in an athlete column
    (``athlete_cols``), resolves to an athlete (``is_athlete``) is never a summary row.
    """
    filled = [c for j, c in enumerate(cells) if c is not None and j not in text_cols]
    if not filled:
        return None
    label = next((c for c in cells[:3] if c is not None), None)
    why = None
    if label is not None and _summary_label(str(label)):
        why = f"summary row ({label})"
    else:
        formulas = sum(bool(_AGGREGATE.match(str(c))) for c in filled)
        if formulas and formulas >= max(1, len(filled) // 2):
            why = "summary row (formulas)"
    if why is None or is_athlete is None:
        return why
    names = [label, *(cells[j] for j in athlete_cols if j < len(cells))]
    if any(n is not None and is_athlete(str(n)) for n in names):
        return None  # a roster name always wins over a summary word
    return why


@lru_cache(maxsize=4096)
def _summary_label(text: str) -> bool:
    """``text`` reads as a summary label (``Total``, ``Grand total``, ``Sum week 3``)."""
    return bool(_SUMMARY_LABEL.match(header_key(text)))


def is_aggregate_formula(text: str) -> bool:
    """``text`` is a formula summing up rows (``=SUM(D2:D9)``), not ``=HYPERLINK(...)``."""
    return bool(_AGGREGATE.match(str(text)))


def is_summary_label(text: str) -> bool:
    """``text`` is a summary label where a label belongs (``Total``), not a name."""
    return _summary_label(str(text))


def _number(text: object) -> float | None:
    """A bare number cell as a float (``12``, ``12,5``), else None."""
    if text is None or not _BARE_NUMBER.match(str(text)):
        return None
    return float(str(text).replace(",", "."))


class ColumnSums:
    """Running sums of each column's bare numbers since the last summary row.

    A row whose every filled cell (free text left out) is a number equal to its column's
    sum over the two or more data rows above it (since the last summary row) is a summary
    row without a label (``, , , 30, 120`` under the rows it adds up).
    """

    def __init__(self) -> None:
        self.sums: dict[int, float] = {}
        self.rows = 0

    def reset(self) -> None:
        """A summary or header row: the sums start again below it."""
        self.sums, self.rows = {}, 0

    def add(self, cells: list) -> None:
        """Count a data row."""
        self.rows += 1
        for j, c in enumerate(cells):
            if (v := _number(c)) is not None:
                self.sums[j] = self.sums.get(j, 0.0) + v

    def is_sum_row(self, cells: list, text_cols: Collection[int] = ()) -> bool:
        """The row's numbers are the sums of the rows above (and it holds nothing else)."""
        if self.rows < 2:
            return False
        values = {j: c for j, c in enumerate(cells) if c is not None and j not in text_cols}
        if not values:
            return False
        for j, c in values.items():
            v = _number(c)
            if v is None or j not in self.sums:
                return False
            if abs(self.sums[j] - v) > 1e-9 * max(1.0, abs(v)):
                return False
        return True


def _text_and_athlete_cols(header: list) -> tuple[frozenset[int], frozenset[int]]:
    """Columns of free text (notes) and of athlete names, by their headers' roles."""
    roles = [_role(c) if c is not None else None for c in header]
    return (
        frozenset(j for j, r in enumerate(roles) if r == "notes"),
        frozenset(j for j, r in enumerate(roles) if r in ("athlete", "name")),
    )


def units_of(cells: list, width: int) -> dict[int, str | None] | None:
    """``{column: unit}`` when the row is a units row, else None."""
    filled = {i: c for i, c in enumerate(cells[:width]) if c is not None}
    if not filled:
        return None
    out: dict[int, str | None] = {}
    for i, c in filled.items():
        key = str(c).strip().strip("()[]").strip().casefold()
        if key not in _UNITS:
            return None
        out[i] = _UNITS[key]
    return out


def _label_value(cells: list, pattern: re.Pattern, word: re.Pattern | None = None):
    """``(label cell index, value)`` of ``Label: value`` in one cell or two cells."""
    filled = [(i, c) for i, c in enumerate(cells) if c is not None]
    for k, (i, c) in enumerate(filled):
        key = header_key_keep_digits(str(c))
        m = pattern.match(key)
        if m and m.group(2).strip():
            return i, _tail(c, m)
        if (m or (word is not None and word.match(key))) and k + 1 < len(filled):
            return i, filled[k + 1][1]
    return None


def _tail(cell: object, m: re.Match) -> str:
    """The value after ``Label:`` in a cell, in its original spelling."""
    text = str(cell)
    parts = re.split(r"[:=]", text, maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        return parts[1].strip()
    n = len(m.group(2))
    return text[-n:].strip() if n else ""


# ------------------------------------------------------------------ the layout


@dataclass
class Hints:
    """What a ``hipflex.toml`` says about one file or sheet (see :mod:`.hints`)."""

    header_row: int | None = None
    athlete: str | None = None
    week_start: str | None = None
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    skip: bool = False
    meet: str | None = None  # a timing file's meet (its folder or name may not say)
    date: str | None = None  # a timing file's race day


@dataclass
class Layout:
    """How one file or sheet is read (what ``hipflex inspect`` shows)."""

    source: str
    kind: str = "table"  # "table", "grid", "blocks" or "none"
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # header -> role
    athlete: str | None = None
    athlete_from: str = "column"
    week_start: str | None = None
    week_from: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # why nothing is read (kind "none")
    plain: bool = False
    #: the product whose file this is (:mod:`analysis.ingest.formats`), None for a sheet
    #: read by layout detection
    format: str | None = None
    #: ``"log"`` or ``"results"`` when the reader knows it (a format), else from the columns
    table: str | None = None

    def describe(self) -> str:
        if self.kind == "none":
            return f"skipped: {self.reason}"
        bits = [f"{self.kind}"]
        if self.header_row is not None or not self.format:  # a headerless timing file
            bits.append(f"header row {self.header_row}")
        if self.format:
            bits.insert(0, f"format: {self.format}")
        if self.athlete_from != "column":
            bits.append(f"athlete {self.athlete!r} from the {self.athlete_from}")
        if self.week_start:
            bits.append(f"week starting {self.week_start} (from the {self.week_from})")
        if self.units:
            bits.append("units " + ", ".join(f"{k}={v}" for k, v in self.units.items()))
        return "; ".join(bits)


@dataclass
class Parsed:
    """One sheet read through its layout."""

    layout: Layout
    frame: pd.DataFrame | None  # raw text columns + source + source_row
    #: ``(first row, number of rows, reason)`` of every row that is not data
    not_data: list[tuple[int, int, str]] = field(default_factory=list)
    ragged: list[tuple[int, int, list[str]]] = field(default_factory=list)
    #: entry source (``file#sheet!D`` for a grid cell) -> this sheet's source
    entry_sources: dict[str, str] = field(default_factory=dict)
    rows_total: int = 0


def _score(cells: list) -> tuple[int, int]:
    """(known header cells, day columns) of a candidate header row."""
    known = sum(_role(c) is not None for c in cells)
    days = sum(day_header(c) is not None for c in cells)
    return known, days


def find_header(rows: list[Row], hints: Hints) -> int | None:
    """Index (in ``rows``) of the header row among the first rows, or None."""
    if hints.header_row is not None:
        for i, (r, _) in enumerate(rows):
            if r == hints.header_row:
                return i
        return None
    best, best_score, first = None, 0, None
    for i, (_, cells) in enumerate(rows[:40]):
        if hints.columns:
            named = sum(c is not None and (c in hints.columns) for c in cells)
        else:
            named = 0
        known, days = _score(cells)
        score = known + named + (days if days >= 3 else 0)
        if days >= 3 and known + named == 0:
            score += 1  # a grid whose label column has no header
        if score > best_score and (score >= 2):
            best, best_score = i, score
        filled = sum(c is not None for c in cells)
        if first is None and score >= 2 and (days >= 3 or known + named >= 0.6 * filled):
            first = i
    # the first row that reads as a header: a block file's first event may have fewer
    # columns than a later one (``Pos, Name, Time`` before ``..., 100m split``), and its
    # rows must not become titles above the wider header
    return first if first is not None else best


def _athlete_candidates(text: str) -> list[str]:
    t = text.strip()
    out = [t, re.sub(r"[_]+", " ", t).strip()]
    for sep in (" - ", " – ", "_-_", " (", ","):
        if sep in t:
            out.append(t.split(sep)[0].strip())
    return [c for c in dict.fromkeys(out) if c]


def choose_athlete(
    title: str | None,
    sheet: str | None,
    file_stem: str,
    is_athlete: Callable[[str], bool],
    hint: str | None = None,
) -> tuple[str, str]:
    """``(athlete, where from)`` for a sheet without an athlete column."""
    if hint:
        return hint, "hipflex.toml"
    if title:
        return title, "title cell"
    for name, where in ((sheet, "sheet name"), (file_stem, "file name")):
        if name:
            for cand in _athlete_candidates(name):
                if is_athlete(cand):
                    return cand, where
    if sheet and not _GENERIC_SHEET.match(sheet.strip()) and find_date(sheet) is None:
        return _athlete_candidates(sheet)[-1], "sheet name (not in the roster)"
    return _athlete_candidates(file_stem)[-1], "file name (not in the roster)"


def _renamed(cell: object, columns: dict[str, str]) -> object:
    """A header cell renamed to the role hipflex.toml gives it (``ignore``: kept aside)."""
    if cell is None or cell not in columns:
        return cell
    role = columns[cell]
    return f"(ignored) {cell}" if role == "ignore" else role


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _heading(cells: list, dayfirst: bool) -> dict | None:
    """What a heading line of a block file says (meet, date, event, round), or None."""
    filled = [str(c) for c in cells if c is not None]
    if len(filled) != 1:
        return None
    text = filled[0]
    out: dict = {}
    ev = _EVENT.search(text)
    day = find_date(text, dayfirst=dayfirst)
    if ev and not day:
        out["event"] = f"{ev.group(1)}m"
        rnd = _ROUND.search(text[ev.end() :]) or _ROUND.search(text)
        if rnd:
            out["round"] = rnd.group(0).strip().title()
        return out
    if day:
        meet = re.split(r"\s+[-–|,]\s+|\s*[-–|]\s*(?=\d)", text)[0].strip(" -–|,")
        if meet and find_date(meet) is None:
            out["meet"] = meet
        out["date"] = day
        return out
    return None


class SheetReader:
    """Detects the layout of one sheet's rows and turns them into raw data rows."""

    def __init__(
        self,
        source: str,
        rows: list[Row],
        *,
        file_stem: str,
        sheet: str | None,
        hints: Hints | None = None,
        is_athlete: Callable[[str], bool] = lambda _: False,
        dayfirst: bool = True,
    ) -> None:
        self.source = source
        self.rows = rows
        self.file_stem = file_stem
        self.sheet = sheet
        self.hints = hints or Hints()
        self.is_athlete = is_athlete
        self.dayfirst = dayfirst
        self.layout = self._detect()

    # -------------------------------------------------------------- detection
    def _detect(self) -> Layout:
        lay = Layout(self.source)
        if self.hints.skip:
            lay.kind, lay.reason = "none", "skipped by hipflex.toml"
            return lay
        rows = self.rows
        if not rows:
            lay.kind, lay.reason = "none", "no rows"
            return lay
        h = find_header(rows, self.hints)
        if h is None:
            lay.kind = "none"
            lay.reason = (
                f"no header row found in the first {min(len(rows), 40)} rows (need columns "
                "such as athlete, date, exercise or event, time; or weekday columns)"
            )
            return lay
        self.h = h
        header_row, header = rows[h]
        lay.header_row = header_row
        header = [_renamed(c, self.hints.columns) for c in header]
        self.header = header
        days = {j: d for j, c in enumerate(header) if (d := day_header(c, self.dayfirst))}
        self.titles = [cells for _, cells in rows[:h]]
        ctx = self._context(self.titles)
        self.ctx = ctx
        roles = {c: (_role(c) or "") for c in header if c is not None}
        lay.columns = {c: r or "?" for c, r in roles.items()}
        has_athlete = any(r in ("athlete", "athlete_id", "name") for r in roles.values())
        if len(days) >= 3:
            lay.kind = "grid"
            self.days = days
            for j, (_wd, day) in days.items():
                lay.columns[header[j]] = "day" if day is None else f"day {day.text()}"
            ws = self._week_start(ctx)
            if ws is not None:
                lay.week_start, lay.week_from = ws[0].text(), ws[1]
            self.week = ws[0] if ws else None
        elif any(self._is_heading_row(cells) for _, cells in rows[h + 1 :]) or ctx.get("event"):
            lay.kind = "blocks"
        units = units_of(rows[h + 1][1], len(header)) if h + 1 < len(rows) else None
        self.units = {}
        if units and lay.kind != "grid":
            for j, u in units.items():
                if u and j < len(header) and header[j] is not None:
                    self.units[j] = u
                    lay.units[header[j]] = u
        for col, u in self.hints.units.items():
            if col in header:
                self.units[header.index(col)] = u
                lay.units[col] = u
        self.units_row = units is not None
        grid_label = lay.kind == "grid" and not any(
            roles.get(header[j]) in ("athlete", "name") for j in self._label_cols()
        )
        if not has_athlete or grid_label:
            if lay.kind == "grid" and self._grid_athlete_col() is not None:
                pass
            else:
                lay.athlete, lay.athlete_from = choose_athlete(
                    ctx.get("athlete"), self.sheet, self.file_stem, self.is_athlete,
                    self.hints.athlete,
                )  # fmt: skip
        lay.plain = (
            h == 0
            and header_row == 1
            and lay.kind == "table"
            and not self.units_row
            and not self.hints.units
            and not self.hints.columns
            and not self.hints.date_format
            and has_athlete
        )
        return lay

    def _context(self, titles: list[list]) -> dict:
        ctx: dict = {}
        for cells in titles:
            self._read_context(cells, ctx)
        return ctx

    def _read_context(self, cells: list, ctx: dict) -> bool:
        """Update ``ctx`` from a title or heading line; True if it said anything."""
        said = False
        if (a := _label_value(cells, _ATHLETE_LABEL, _ATHLETE_WORD)) is not None:
            ctx["athlete"] = str(a[1]).strip()
            said = True
        if (w := _label_value(cells, _WEEK_LABEL)) is not None:
            day = find_date(w[1], dayfirst=self.dayfirst, date_format=self.hints.date_format)
            if day is not None:
                ctx["week"] = (day, "week-commencing cell")
                said = True
        if not said and (hd := _heading(cells, self.dayfirst)) is not None:
            if "event" in hd:
                ctx.pop("round", None)
            ctx.update(hd)
            said = True
        return said

    def _is_heading_row(self, cells: list) -> bool:
        hd = _heading(cells, self.dayfirst)
        return bool(hd and "event" in hd)

    def _week_start(self, ctx: dict) -> tuple[Day, str] | None:
        if self.hints.week_start:
            d = find_date(self.hints.week_start, date_format=self.hints.date_format)
            if d:
                return d, "hipflex.toml"
        if "week" in ctx:
            return ctx["week"]
        dated = [(j, d) for j, (wd, d) in self.days.items() if d is not None]
        if dated:
            return None  # the columns carry their own dates
        if self.sheet and (d := find_date(self.sheet, dayfirst=self.dayfirst)) is not None:
            return d, "sheet name"
        if "date" in ctx:
            return ctx["date"], "title cell"
        return None

    def _label_cols(self) -> list[int]:
        first_day = min(self.days)
        return [j for j in range(first_day) if j < len(self.header)]

    def _grid_athlete_col(self) -> int | None:
        labels = self._label_cols()
        for j in labels:
            if _role(self.header[j]) in ("athlete", "name"):
                return j
        if len(labels) >= 2 and all(_role(self.header[j]) is None for j in labels[:2]):
            return labels[0]
        return None

    def _grid_exercise_col(self) -> int | None:
        labels = self._label_cols()
        ath = self._grid_athlete_col()
        for j in labels:
            if _role(self.header[j]) == "exercise":
                return j
        rest = [j for j in labels if j != ath and _role(self.header[j]) not in ("notes",)]
        return rest[0] if rest else None

    # -------------------------------------------------------------- reading
    def parse(self, year_of: Callable[[Day, bool], int] | None = None) -> Parsed:
        """The sheet's data rows as a raw frame, and every other row with its reason."""
        lay = self.layout
        out = Parsed(lay, None, rows_total=len(self.rows))
        if lay.kind == "none":
            return out
        year_of = year_of or _default_year
        for r, _ in self.rows[: self.h]:
            out.not_data.append((r, 1, "title row"))
        out.not_data.append((self.rows[self.h][0], 1, "header row"))
        start = self.h + 1
        if self.units_row and start < len(self.rows):
            out.not_data.append((self.rows[start][0], 1, "units row"))
            start += 1
        if lay.kind == "grid":
            out.frame = self._grid(self.rows[start:], out, year_of)
        else:
            out.frame = self._table(self.rows[start:], out, year_of)
        from . import _blank_runs

        numbers = [r for r, _ in self.rows]
        out.rows_total = numbers[-1]
        out.not_data.extend(_blank_runs(np.asarray(numbers, dtype=np.int64), numbers[-1]))
        out.not_data.sort()
        return out

    def _table(self, rows: list[Row], out: Parsed, year_of) -> pd.DataFrame:
        header = list(self.header)
        names = _names(header)
        ctx = dict(self.ctx)
        records: list[dict] = []
        numbers: list[int] = []
        contexts: list[dict] = []
        units = dict(self.units)
        text_cols, athlete_cols = _text_and_athlete_cols(header)
        sums = ColumnSums()
        for r, cells in rows:
            if _looks_like_header(cells):
                header, names, units = list(cells), _names(cells), {}
                text_cols, athlete_cols = _text_and_athlete_cols(header)
                out.not_data.append((r, 1, "header row (repeated)"))
                sums.reset()
                continue
            if (why := is_summary(cells, is_athlete=self.is_athlete, text_cols=text_cols,
                                  athlete_cols=athlete_cols)) is not None:  # fmt: skip
                out.not_data.append((r, 1, why))
                sums.reset()
                continue
            if sums.is_sum_row(cells, text_cols) and not any(
                cells[j] is not None and self.is_athlete(str(cells[j]))
                for j in athlete_cols if j < len(cells)
            ):  # fmt: skip
                out.not_data.append((r, 1, "summary row (sums of the rows above)"))
                sums.reset()
                continue
            filled = sum(c is not None for c in cells)
            if filled <= 2 and self._read_context(cells, ctx):
                out.not_data.append((r, 1, "heading: " + " ".join(str(c) for c in cells if c)))
                continue
            width = len(header)
            extra = [c for c in cells[width:] if c is not None]
            if extra:
                out.ragged.append((r, len(cells), [str(c) for c in extra]))
                continue
            row = (cells + [None] * width)[:width]
            for j, u in units.items():
                v = row[j]
                if v is not None and _BARE_NUMBER.match(v):
                    row[j] = f"{v} {u}"
            sums.add(cells)
            records.append(dict(zip(names, row, strict=True)))
            numbers.append(r)
            contexts.append(dict(ctx))
        columns = list(dict.fromkeys([*_names(self.header), *(k for d in records for k in d)]))
        df = (
            pd.DataFrame.from_records(records, columns=columns)
            if records
            else pd.DataFrame(columns=columns, dtype=object)
        )
        roles = {_role(c) for c in columns}
        add: dict[str, list] = {}
        if self.layout.athlete_from != "column":
            add["athlete"] = [self.layout.athlete] * len(df)
        for key in ("meet", "round", "event"):
            if key not in roles and any(key in c for c in contexts):
                add[key] = [c.get(key) for c in contexts]
        if "date" not in roles and any("date" in c for c in contexts):
            add["date"] = [_day_text(c["date"], year_of) if "date" in c else None for c in contexts]
        for k, v in add.items():
            df[k] = v
        if self.hints.date_format:
            df = _reformat_dates(df, self.hints.date_format)
        df = _strings(df)
        df["source"] = pd.Series([self.source] * len(df), dtype="string")
        df["source_row"] = pd.array(numbers, dtype="Int64")
        return df

    def _grid(self, rows: list[Row], out: Parsed, year_of) -> pd.DataFrame:
        header = self.header
        ath_col = self._grid_athlete_col()
        ex_col = self._grid_exercise_col()
        label_cols = set(self._label_cols())
        notes_col = next(
            (j for j, c in enumerate(header) if _role(c) == "notes" and j not in self.days), None
        )
        ignored = [
            header[j] for j in range(len(header))
            if j not in self.days and j not in label_cols and j != notes_col and header[j]
        ]  # fmt: skip
        for c in ignored:
            self.layout.columns[c] = "ignored (summary column)" if _SUMMARY.match(
                header_key(c)) else "ignored"  # fmt: skip
        week = self.week
        if week is not None and week.year is None:
            start = _as_date(week, year_of, monday=True)
            if start is not None:
                self.layout.week_start = start.isoformat()
                self.layout.week_from += "; year from the folder's other dates"
        days = dict(self.days)
        athlete = self.layout.athlete
        current_athlete = None
        recs: dict[str, list] = {k: [] for k in ("athlete", "date", "exercise", "prescription",
                                                 "notes", "source", "source_row")}  # fmt: skip
        ctx = dict(self.ctx)
        for r, cells in rows:
            cells = cells + [None] * max(0, len(header) - len(cells))
            if (why := is_summary(cells, is_athlete=self.is_athlete,
                                  text_cols=() if notes_col is None else (notes_col,),
                                  athlete_cols=() if ath_col is None else (ath_col,),
                                  )) is not None:  # fmt: skip
                out.not_data.append((r, 1, why))
                continue
            day_cells = {j: cells[j] for j in days if j < len(cells) and cells[j] is not None}
            if sum(day_header(c, self.dayfirst) is not None for c in cells) >= 3:
                days = {j: d for j, c in enumerate(cells) if (d := day_header(c, self.dayfirst))}
                out.not_data.append((r, 1, "header row (repeated)"))
                continue
            filled = [c for c in cells if c is not None]
            if not day_cells:
                if len(filled) <= 2 and self._read_context(cells, ctx):
                    if "week" in ctx:
                        week = ctx["week"][0]
                    if "athlete" in ctx:
                        athlete = ctx["athlete"]
                    out.not_data.append((r, 1, "heading: " + " ".join(map(str, filled))))
                    continue
                if ath_col is None and len(filled) == 1 and self.is_athlete(str(filled[0])):
                    current_athlete = str(filled[0])
                    out.not_data.append((r, 1, "athlete heading"))
                    continue
                if ath_col is not None and cells[ath_col] is not None:
                    current_athlete = cells[ath_col]
                out.not_data.append((r, 1, "grid row with no entries"))
                continue
            if ath_col is not None and cells[ath_col] is not None:
                current_athlete = cells[ath_col]
            who = current_athlete if (ath_col is not None or current_athlete) else athlete
            exercise = cells[ex_col] if ex_col is not None else None
            note = cells[notes_col] if notes_col is not None else None
            for j, text in day_cells.items():
                wd, day = days[j]
                date = None
                if day is not None:
                    date = _day_text(day, year_of)
                elif week is not None:
                    start = _as_date(week, year_of, monday=True)
                    if start is not None:
                        date = (start + _dt.timedelta(days=(wd - start.weekday()) % 7)).isoformat()
                entry_source = f"{self.source}!{_col_letter(j)}"
                out.entry_sources[entry_source] = self.source
                recs["athlete"].append(who)
                recs["date"].append(date)
                recs["exercise"].append(exercise)
                recs["prescription"].append(text)
                recs["notes"].append(note)
                recs["source"].append(entry_source)
                recs["source_row"].append(r)
        if any(d is None for wd, d in days.values()) and week is None and recs["date"]:
            self.layout.reason = (
                "weekly grid without a week start: add a 'Week commencing' cell, a date in "
                "the sheet name, or week_start in hipflex.toml"
            )
        df = pd.DataFrame({k: v for k, v in recs.items() if k != "source_row"}, dtype=object)
        if notes_col is None:
            df = df.drop(columns="notes")
        df = _strings(df)
        df["source_row"] = pd.array(recs["source_row"], dtype="Int64")
        return df


def _names(header: list) -> list[str]:
    """Column names of a header row (an empty header cell: ``column_<n>``)."""
    names, seen = [], set()
    for j, c in enumerate(header):
        name = str(c) if c is not None else f"column_{j + 1}"
        while name in seen:
            name += "_"
        seen.add(name)
        names.append(name)
    return names


def _looks_like_header(cells: list) -> bool:
    """A header row again (block files repeat theirs per event, often with other columns)."""
    filled = [c for c in cells if c is not None]
    known = sum(_role(c) is not None for c in filled)
    return known >= 2 and known >= 0.6 * len(filled)


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype({c: "string" for c in df.columns if c not in ("source_row",)})


def _reformat_dates(df: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Dates written in the hipflex.toml ``date_format`` rewritten as ISO (others kept)."""
    for col in df.columns:
        if _role(col) != "date":
            continue
        s = df[col].astype("string")
        uniq = s.dropna().unique()
        parsed = pd.to_datetime(pd.Series(uniq, dtype=object), format=fmt, errors="coerce")
        table = {
            u: (p.date().isoformat() if pd.notna(p) else u)
            for u, p in zip(uniq, parsed, strict=True)
        }
        df[col] = s.map(table)
    return df


def _default_year(day: Day, monday: bool) -> int:
    return _dt.date.today().year


def _as_date(day: Day, year_of, monday: bool = False) -> _dt.date | None:
    if day.year is not None:
        return day.on(day.year)
    return day.on(year_of(day, monday))


def _day_text(day: Day, year_of) -> str | None:
    d = _as_date(day, year_of)
    return d.isoformat() if d else None


def year_chooser(reference_years: Counter) -> Callable[[Day, bool], int]:
    """How a date written without its year (``05 Jan``) gets one.

    The year is the folder's most common year among its other dates; a week start is
    moved to the year before or after when only that makes it a Monday (a week
    commencing is one).
    """
    ref = reference_years.most_common(1)[0][0] if reference_years else _dt.date.today().year

    def year_of(day: Day, monday: bool) -> int:
        if monday:
            for y in (ref, ref - 1, ref + 1):
                d = day.on(y)
                if d is not None and d.weekday() == 0:
                    return y
        return ref

    return year_of


def years_in(texts) -> Counter:
    """Four-digit years (1950-2100) written in some texts."""
    out: Counter = Counter()
    for t in texts:
        for m in re.finditer(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)", str(t)):
            out[int(m.group(1))] += 1
    return out


__all__ = [
    "ColumnSums",
    "Day",
    "Hints",
    "Layout",
    "Parsed",
    "SheetReader",
    "choose_athlete",
    "day_header",
    "find_date",
    "find_header",
    "is_aggregate_formula",
    "is_summary",
    "is_summary_label",
    "result_roles",
    "units_of",
    "weekday_of",
    "year_chooser",
    "years_in",
]
