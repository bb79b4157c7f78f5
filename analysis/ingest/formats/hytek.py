"""Hy-Tek Meet Manager (track & field) result reports, saved as text or as HTML.

Meet Manager prints a results report as fixed-width text: a banner (the licensee and
``HY-TEK's MEET MANAGER`` with the print time, repeated on every page), a title block
(``Harbour City Open - 6/13/2026``, the venue, ``Results``), then per event a heading
(``Event 13  Men 400 Meter Dash``), a column header between ``====`` rules
(``Name  Year School  Seed  Prelims  Wind H# Points``), section lines (``Preliminaries``,
``Finals``, ``Heat 1  Wind: +1.2``) and one line per athlete::

      1 Okafor, Ada            SR Harbour City AC       55.10    54.31Q  2

``Q``/``q`` after a time (qualified on place / on time) become the race's flags; ``DNF``,
``DQ``, ``DNS`` its status, ``SCR`` (scratched) ``DNS`` and ``FS`` (false start) ``DQ``;
``NT`` (no time) is handed on and rejected as an unparseable time. A line of cumulative
splits under an athlete (``25.90 (25.90)  54.31 (28.41)``) is kept as the race's splits.
The same report saved as HTML holds the text in ``<pre>`` blocks: those are read the same
way (tags dropped, entities decoded) and the page's other lines are not data.

The meet and date come from the title block (``hipflex.toml``'s ``meet``/``date`` win; the
folder or file name when the report has no title block). Only the roster's athletes are
handed to the sprint cleaner; every other athlete's line is a not-data row "not in the
roster: name (school)". Relay events are set aside (a team's time, not one athlete's) with
their leg lines. Columns are found by the header's labels: each value is taken for the
label whose right edge is nearest its own (values are printed right-aligned).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..layout import Layout, Parsed, find_date
from . import FileFormat, FormatContext, Head, register
from ._text import decode
from ._timing import (
    HeatRows,
    MeetInfo,
    lines_of,
    meet_from_path,
    other_event,
    read_bytes,
    status_of,
)

EVIDENCE = (
    "ANTLR grammars of Hy-Tek Meet Manager text results: github.com/afmorris/HyTekGrammar "
    "(HyTek.g4: 'Licensed to' licensee, 'HY-TEK's Meet Manager' date, meetName '-' meetDate, "
    "'Results', 'Event' number gender name, '=' separators, individualResult = place "
    "athleteName athleteYear? schoolName seed? performance wind? heatNumber? points?, relay "
    "legs '1) name'; DQ place '--') and github.com/afmorris/OhioTrackStats Grammar/HyTek.g4 "
    "(Q/q after a mark, wind 'NWI' or a signed number, FS/NH/DQ/NT/DNF/SCR); result text "
    "quoted from public Hy-Tek reports: header 'Name Year School Seed Finals Wind H# Points', "
    "'  1 Ethan Laux  12 Creighton Prep  14.28  14.05  1.4 10', banner 'HY-TEK's MEET "
    "MANAGER 7:15 PM 5/21/2026'; an HTML save sniffed by the words HY-TEK's Meet Manager in its text and "
    "read from its <pre> block"
)

MAX_BYTES = 20_000_000

_BANNER = re.compile(r"hy-?tek'?s?\s+meet\s+manager|licensed to|site license|contractor license",
                     re.I)  # fmt: skip
_EVENT = re.compile(r"^\s*(?:\(?Event\s+(\d+)\)?\s+)(\S.*?)\s*$", re.I)
_EVENT_BARE = re.compile(
    r"^\s*((?:Girls|Boys|Men|Women|Mens|Womens|Men's|Women's|Mixed|Open|Male|Female)\s+.*?"
    r"(?:Dash|Run|Hurdles|Relay|Meters?|Metres?|Jump|Put|Throw|Vault|Walk|Steeplechase|\d\s*m))"
    r"\s*$",
    re.I,
)
_RULE = re.compile(r"^\s*[=\-_]{8,}\s*$")
_RESULT_LABELS = ("finals", "final", "prelims", "prelim", "semis", "semifinals", "quarters",
                  "time", "mark", "result", "results")  # fmt: skip
_HEADER_WORDS = {"name", "year", "yr", "age", "grade", "gr", "school", "team", "club",
                 "affiliation", "seed", "finals", "final", "prelims", "prelim", "semis",
                 "semifinals", "quarters", "wind", "h#", "heat", "points", "pts", "time",
                 "mark", "result", "results", "tiebreaker", "lane", "#", "comp#", "bib",
                 "reac", "reaction", "place", "pl"}  # fmt: skip
_SECTION = re.compile(
    r"^\s*(preliminaries|prelims|finals?|semi-?finals?|semis|quarter-?finals?|"
    r"(?:heat|section|flight)\s+\d+)\b(.*)$",
    re.I,
)
_WIND_IN = re.compile(r"wind\s*:?\s*([+\-−]?\d{1,2}(?:[.,]\d+)?|nwi)", re.I)
_PLACE = re.compile(r"^(t?\d{1,4}|--|-|x)$", re.I)  # "T3": a tie for third
_RELAY = re.compile(r"relay|\b\d\s*[x×]\s*\d{2,4}", re.I)
_LEG = re.compile(r"^\s*\d\)\s*\S")
_SPLIT_TOKEN = re.compile(r"^\(?\d{1,2}(?::\d{2})?[.,]\d{1,3}\)?$")
_TIME_LIKE = re.compile(r"^\d{1,2}(?::\d{2})?[.,]\d{1,3}")
_PRE = re.compile(r"(?is)<pre\b[^>]*>(.*?)(?:</pre\s*>|\Z)")
_TAG = re.compile(r"<[^>]*>")


# ------------------------------------------------------------------ signature


def _sig_text(text: str) -> bool:
    lines = text.splitlines()[:400]
    if any(_BANNER.search(ln) and re.search(r"meet\s+manager", ln, re.I) for ln in lines[:60]):
        return True
    has_event = any(_EVENT.match(ln) for ln in lines)
    has_rule = any(_RULE.match(ln) for ln in lines)
    has_header = any(_header_labels(ln) is not None for ln in lines)
    return has_event and has_rule and has_header


def _sniff_text(head: Head) -> bool:
    return _sig_text(head.text())


def _sniff_html(head: Head) -> bool:
    text = head.text()
    if not re.search(r"<pre\b", text, re.I):
        return False
    inner = "\n".join(_TAG.sub("", html.unescape(m.group(1))) for m in _PRE.finditer(text))
    return _sig_text(inner) or bool(re.search(r"hy-?tek'?s\s+meet\s+manager", text, re.I))


# ------------------------------------------------------------------ reading


@dataclass
class _Label:
    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return self.text.casefold()


def _header_labels(line: str) -> list[_Label] | None:
    """The labels of a column-header line (``Name  Year School  Prelims  H# Points``)."""
    toks = [_Label(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", line)]
    if not toks:
        return None
    keys = [t.key for t in toks]
    if "name" not in keys and "school" not in keys and "team" not in keys:
        return None
    if not any(k in _RESULT_LABELS or k == "seed" for k in keys):
        return None
    if sum(k in _HEADER_WORDS for k in keys) < 0.8 * len(keys):
        return None
    return toks


@dataclass
class _Columns:
    labels: list[_Label]
    name: _Label | None = None
    year: _Label | None = None
    school: _Label | None = None
    tail: list[_Label] = field(default_factory=list)
    result: _Label | None = None

    @classmethod
    def of(cls, labels: list[_Label]) -> _Columns:
        c = cls(labels)
        left_done = -1
        for i, lab in enumerate(labels):
            k = lab.key
            if k == "name" and c.name is None:
                c.name, left_done = lab, i
            elif k in ("year", "yr", "age", "grade", "gr") and c.year is None:
                c.year, left_done = lab, i
            elif k in ("school", "team", "club", "affiliation") and c.school is None:
                c.school, left_done = lab, i
        c.tail = labels[left_done + 1 :]
        results = [t for t in c.tail if t.key in _RESULT_LABELS]
        c.result = results[-1] if results else None
        return c


def _round_of(label: str | None) -> str | None:
    if label is None:
        return None
    k = label.casefold()
    if k.startswith("final"):
        return "Final"
    if k.startswith("prelim"):
        return "Prelims"
    if k.startswith("semi"):
        return "Semi-final"
    if k.startswith("quarter"):
        return "Quarter-final"
    return None


def _assign(tokens: list[tuple[int, int, str]], labels: list[_Label]) -> dict[str, str]:
    """Tail values to labels: in order, each to the label whose right edge is nearest."""
    out: dict[str, str] = {}
    j = 0
    for n, (_, end, text) in enumerate(tokens):
        left = len(tokens) - n - 1  # values still to place after this one
        best, best_d = None, None
        for k in range(j, len(labels) - left):
            d = abs(end - labels[k].end)
            if best_d is None or d < best_d:
                best, best_d = k, d
        if best is None:
            break
        out[labels[best].key] = text
        j = best + 1
    return out


@dataclass
class _State:
    event: str | None = None
    relay: bool = False
    cols: _Columns | None = None
    round: str | None = None
    heat: str | None = None
    wind: str | None = None
    last: dict | None = None  # the last roster athlete's record (for a splits line)
    last_row_other: bool = False


def _lines(
    text: str, is_html: bool
) -> tuple[list[tuple[int, str]], list[tuple[int, int, str]], int]:
    """``(file line, report text)`` of the report's lines, the page's other lines, n lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    all_lines = lines_of(text)
    n_lines = len(all_lines)
    if not is_html:
        return list(enumerate(all_lines, start=1)), [], n_lines
    out: list[tuple[int, str]] = []
    covered: set[int] = set()
    for m in _PRE.finditer(text):
        first = text.count("\n", 0, m.start(1)) + 1
        for k, raw in enumerate(m.group(1).split("\n")):
            ln = first + k
            if ln > n_lines:
                break
            out.append((ln, html.unescape(_TAG.sub("", raw)).replace("\xa0", " ")))
            covered.add(ln)
    other = []
    run_start = None
    for ln in range(1, n_lines + 2):
        outside = ln <= n_lines and ln not in covered
        if outside and run_start is None:
            run_start = ln
        elif not outside and run_start is not None:
            other.append((run_start, ln - run_start, "HTML page (outside the report's <pre> text)"))
            run_start = None
    # a line holding both markup and the report's first line counts once, as the report's
    return out, other, n_lines


def _title_meet(title: list[str], banner: list[str], ctx: FormatContext) -> MeetInfo:
    """Meet and date from the title block (hipflex.toml wins; else the path)."""
    info = meet_from_path(ctx)
    from_toml_meet = info.meet_from == "hipflex.toml"
    from_toml_date = info.date_from == "hipflex.toml"
    dates = [m.groups() for t in [*title, *banner]
             for m in re.finditer(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)", t)]  # fmt: skip
    # a value above 12 in any date of the banner or title decides the order; else
    # month first, as Meet Manager prints dates in the US (the note says so)
    dayfirst, order = False, "month first: no date of the report says"
    if any(int(a) > 12 for a, _, _ in dates):
        dayfirst, order = True, "day first"
    elif any(int(b) > 12 for _, b, _ in dates):
        order = "month first"
    for t in title:
        day = find_date(t, dayfirst=dayfirst)
        if day is None or not day.year:
            continue
        if not from_toml_date:
            info.date, info.date_from = day.text(), f"report's title, read {order}"
        name = re.split(r"\s+[-–]\s+|\s{2,}", t.strip())[0].strip(" -–,")
        if not from_toml_meet and name and find_date(name) is None:
            info.meet, info.meet_from = name, "report's title"
        break
    else:
        if not from_toml_meet and title and info.meet is None:
            info.meet, info.meet_from = title[0].strip(), "report's title"
    return info


@dataclass(frozen=True)
class _TitleBlock:
    """The report's title block (the lines before the first event): its meet and titles."""

    meet: MeetInfo
    titles: set[str]  # casefolded, as a page break repeats them


def _title_block(lines: list[tuple[int, str]], ctx: FormatContext) -> _TitleBlock:
    first_event = next((i for i, (_, t) in enumerate(lines)
                        if _EVENT.match(t) or _EVENT_BARE.match(t)), len(lines))  # fmt: skip
    banner = [t for _, t in lines[:first_event] if _BANNER.search(t)]
    title = [t.strip() for _, t in lines[:first_event]
             if t.strip() and not _BANNER.search(t) and not _RULE.match(t)
             and t.strip().casefold() not in ("results", "results - all events")]  # fmt: skip
    return _TitleBlock(_title_meet(title, banner, ctx), {t.casefold() for t in title} | {"results"})


def _page_line(t: str, s: str, st: _State, titles: set[str]) -> str | None:
    """The not-data reason of a page's furniture (blank, banner, title, rule), else None."""
    if not s:
        return "blank row"
    if _BANNER.search(t):
        return "page banner"
    if s.casefold() in titles:  # the title block, again after a page break
        return "title"
    if st.event is None and st.cols is None and not (_EVENT.match(t) or _EVENT_BARE.match(t)):
        return "title"
    if _RULE.match(t):
        return "separator line"
    return None


class _Heats:
    """The report read line by line: the event, round and heat each result line is under."""

    def __init__(self, ctx: FormatContext, block: _TitleBlock) -> None:
        self.ctx, self.block = ctx, block
        self.st = _State()
        self.rows = HeatRows()
        self.not_data: list[tuple[int, int, str]] = []
        self.header_row: int | None = None

    def line(self, ln: int, t: str) -> None:
        s = t.strip()
        reason = (_page_line(t, s, self.st, self.block.titles) or self.heading(ln, t, s)
                  or self.result(ln, t))  # fmt: skip
        if reason is not None:
            self.not_data.append((ln, 1, reason))

    def heading(self, ln: int, t: str, s: str) -> str | None:
        """An event heading, a column header or a section (heat, round) heading, else None."""
        m = _EVENT.match(t) or _EVENT_BARE.match(t)
        if m and not _PLACE.match(s.split()[0]):
            ev = m.group(m.lastindex)
            # a page break repeats the heading: the round and heat carry on
            if ev != self.st.event:
                self.st = _State(event=ev, relay=bool(_RELAY.search(ev)))
            return f"event heading: {ev}"
        st = self.st
        labels = _header_labels(t)
        if labels is not None:
            st.cols = _Columns.of(labels)
            self.header_row = self.header_row or ln
            if st.round is None:
                st.round = _round_of(st.cols.result.text if st.cols.result else None)
            return "column header"
        sec = _SECTION.match(t)
        if not sec or _PLACE.match(s.split()[0]):
            return None
        word = sec.group(1)
        if re.match(r"(heat|section|flight)", word, re.I):
            st.heat = re.sub(r"\D", "", word)
            rest = sec.group(2)
            r2 = _round_of(rest.split()[0]) if rest.split() else None
            st.round = r2 or st.round
        else:
            st.round, st.heat = _round_of(word) or word, None
        w = _WIND_IN.search(t)
        st.wind = w.group(1) if w else (None if st.heat is None else st.wind)
        return f"section heading: {s}"

    def result(self, ln: int, t: str) -> str | None:
        """A result line (None: read) or a relay, other event, splits or other line."""
        st = self.st
        if st.relay:
            what = "relay legs" if _LEG.match(t) else "relay"
            return f"{what} (a team's time, not one athlete's): {st.event}"
        if (other := other_event(st.event)) is not None:
            return other
        toks = [(mm.start(), mm.end(), mm.group()) for mm in re.finditer(r"\S+", t)]
        if all(_SPLIT_TOKEN.match(x) for _, _, x in toks):
            cums = [x for _, _, x in toks if not x.startswith("(")]
            if st.last is not None and cums:
                st.last["splits"] = "/".join(cums)
                return "splits line (kept with the race above)"
            if st.last_row_other:
                return "splits line of an athlete not in the roster"
            return "splits line without a race above"
        if st.cols is None or not _PLACE.match(toks[0][2]) or len(toks) < 3:
            st.last = None
            return "other line (record, standard or note)"
        _row(ln, t, toks, st, self.block.meet, self.rows, self.ctx)
        return None


def _read(path: Path, ctx: FormatContext, *, is_html: bool) -> list[Parsed]:
    name = HTML.name if is_html else TEXT.name
    data = read_bytes(path, ctx.label, name, MAX_BYTES)
    lines, page_other, n_lines = _lines(decode(data), is_html)
    block = _title_block(lines, ctx)
    heats = _Heats(ctx, block)
    for ln, t in lines:
        heats.line(ln, t)
    rows = heats.rows
    rows.not_data.extend([*page_other, *heats.not_data])
    rows.not_data.sort()
    note = block.meet.note()
    if rows.others:
        note += f"; {rows.others} result line(s) of athletes not in the roster (listed as not data)"
    lay = Layout(ctx.label, kind="blocks", header_row=heats.header_row, format=name,
                 table="results",
                 columns={"event heading": "event", "Name": "athlete", "Finals/Prelims": "final",
                          "Wind": "wind", "H#": "round"},
                 reason=note)  # fmt: skip
    return [Parsed(lay, rows.frame(ctx.label), not_data=rows.not_data, rows_total=n_lines)]


def _row(ln: int, t: str, toks: list[tuple[int, int, str]], st: _State, meet: MeetInfo,
         rows: HeatRows, ctx: FormatContext) -> None:  # fmt: skip
    """One athlete's line under a column header."""
    cols = st.cols
    assert cols is not None
    tail_from = cols.tail[0].start if cols.tail else len(t)
    body = toks[1:] if (cols.name is None or toks[0][1] <= cols.name.start + 1) else toks
    tail = [x for x in body if x[1] > tail_from and (_TIME_LIKE.match(x[2]) or len(x[2]) <= 8)]
    # the tail is the run of values at the line's end
    while tail and tail[0][0] < tail_from - 12:
        tail = tail[1:]
    left_end = tail[0][0] if tail else len(t)
    left_start = body[0][0] if body else len(t)
    left = t[left_start:left_end]
    off = left_start
    name = year = school = None
    if cols.year is not None and cols.school is not None:
        y0 = max(cols.year.start - off, 0)
        s0 = max(cols.school.start - off, 0)
        name, year, school = left[:y0], left[y0:s0], left[s0:]
        if year.strip() and " " in year.strip():  # a long name ran into the year column
            name, school = left[:s0], left[s0:]
            year = None
    elif cols.school is not None:
        s0 = max(cols.school.start - off, 0)
        name, school = left[:s0], left[s0:]
    else:
        name = left
    if (name is None or not name.strip()) and left.strip():
        name = left
    if name:  # a competitor number before the name ("#412 Okafor, Ada")
        name = re.sub(r"^\s*#\d+\s+", "", name)
    values = _assign(tail, cols.tail) if cols.tail else {}
    result = values.get(cols.result.key) if cols.result else None
    if result is None and tail:
        result = tail[-1][2]
    wind = values.get("wind") or st.wind
    heat = values.get("h#") or values.get("heat") or st.heat
    rnd = st.round
    if heat and rnd not in ("Final",) and heat.isdigit():
        rnd = f"{rnd}, heat {heat}" if rnd else f"heat {heat}"
    final, note = _mark(result)
    before = len(rows.records)
    rows.add(ln, name, school, ctx, date=meet.date, event=st.event, final=final, wind=wind,
             meet=meet.meet, round=rnd, notes=note)  # fmt: skip
    if len(rows.records) > before:
        st.last, st.last_row_other = rows.records[-1], False
    else:
        st.last, st.last_row_other = None, True


def _mark(cell: str | None) -> tuple[str | None, str | None]:
    """A result cell as the sprint cleaner reads it, and a note."""
    if cell is None:
        return None, None
    st = status_of(cell)
    if st:
        return st
    c = cell.strip()
    c = re.sub(r"^J(?=\d)", "", c)  # "J48.21": a judges' decision on a tie
    c = re.sub(r"[#@]+$", "", c)  # record and qualifying-standard marks
    return c, None


def read_text(path: Path, ctx: FormatContext) -> list[Parsed]:
    """A Hy-Tek Meet Manager results report saved as text (see the module's docstring)."""
    return _read(path, ctx, is_html=False)


def read_html(path: Path, ctx: FormatContext) -> list[Parsed]:
    """The same report saved as HTML: its ``<pre>`` text, read as the text report."""
    return _read(path, ctx, is_html=True)


TEXT = register(FileFormat(
    name="Hy-Tek Meet Manager results (text)", table="results", suffixes=(".txt",),
    sniff=_sniff_text, read=read_text, evidence=EVIDENCE,
))  # fmt: skip
HTML = register(FileFormat(
    name="Hy-Tek Meet Manager results (HTML)", table="results", suffixes=(".htm", ".html"),
    sniff=_sniff_html, read=read_html, evidence=EVIDENCE,
))  # fmt: skip
