"""``hipflex inspect DIR``: how each file and sheet of a folder would be read.

The dry run a coach uses before trusting a folder: per file and sheet, the layout found
(table, weekly grid or block file; the header row; each column's role; where the athlete
and the week start come from), the first parsed rows beside the raw cells they come
from, and what is skipped or listed as not data, and why. It ends with a proposed
``hipflex.toml`` for what had to be guessed.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..io import classify, read_raw
from ..names import load_roster
from . import SheetRead, read_sheets, roster_matcher
from .files import scan_folder
from .formats import HEAD_BYTES
from .hints import FILE_NAME, load_hints
from .injury_headers import is_injury_file, is_injury_frame
from .layout import Parsed, result_roles
from .plan_file import is_plan_file

_KIND = {"log": "training log", "results": "race results", "athletes": "roster"}


def _cells(values: list) -> str:
    return " | ".join("" if v is None or v is pd.NA else str(v) for v in values)


def _parsed_row(row: pd.Series) -> str:
    items = []
    for k, v in row.items():
        if k in ("source", "source_row") or v is None or v is pd.NA:
            continue
        if isinstance(v, float) and v != v:
            continue
        items.append(f"{k}={v}")
    return ", ".join(items)


def _toml_str(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def inspect_folder(data_dir: str | os.PathLike[str], *, rows: int = 3) -> tuple[str, int]:
    """The inspection text of a data folder and the exit code ``hipflex clean`` would give.

    Returns
    -------
    text, status
        ``status`` is 0 when every file and sheet would be read, 1 when some would be
        skipped, 2 when nothing would be.

    Raises
    ------
    DataError
        The folder or its roster cannot be read, or its ``hipflex.toml`` is invalid.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise DataError("data folder not found", file=str(root))
    walk = scan_folder(root)
    roster = _roster(root, walk.files)
    lines: list[str] = [f"hipflex inspect {root}", "", *roster.lines]
    hints = load_hints(root)
    if hints.path:
        lines.append(f"{FILE_NAME}: layout hints read")
    others = [p for p in walk.files if p != roster.file]
    folder = read_sheets(root, others, hints=hints, is_athlete=roster_matcher(roster.athletes),
                         categorical=False)  # fmt: skip
    lines += _not_read(folder.failed, walk.skipped)
    n_skipped = len(folder.failed) + sum(entry["rows"] is None for entry in walk.skipped)
    n_read, proposals = 0, []
    for sheet in folder.sheets:
        told = _sheet_text(sheet, sheet.parse(folder.year_of), root, rows)
        lines += told.lines
        n_read, n_skipped = n_read + told.read, n_skipped + told.skipped
        proposals += told.proposals
    lines += ["", f"{n_read} sheet(s) read, {n_skipped} skipped."]
    if proposals:
        lines += ["", f"proposed {FILE_NAME} (what was guessed; edit and save it in {root}):", ""]
        lines += proposals
    status = 2 if n_read == 0 else (1 if n_skipped else 0)
    return "\n".join(lines), status


@dataclass(frozen=True)
class _Roster:
    """The folder's roster file (None: there is none), its athletes and what is said of it."""

    file: Path | None
    athletes: pd.DataFrame | None
    lines: list[str]


def _roster(root: Path, files: list[Path]) -> _Roster:
    """The first ``athletes`` or ``roster`` file, read."""
    found = [p for p in files if p.stem.lower() in ("athletes", "roster")]
    if not found:
        return _Roster(None, None, ["no roster: the folder needs an athletes.csv"])
    tables = read_raw(found[0], root=root)
    if not tables:
        return _Roster(found[0], None, [])
    athletes = load_roster(tables[0].frame, source=tables[0].source)
    return _Roster(found[0], athletes,
                   [f"{found[0].relative_to(root)}: roster, {len(athletes)} athletes"])  # fmt: skip


def _not_read(failed: list[tuple], skipped: list[dict]) -> list[str]:
    """The files that could not be read, then those not read at all (hidden, links, other
    endings, OUT), each with why."""
    lines: list[str] = []
    for _, label, n, reason in failed:
        lines += ["", f"{label}", f"  SKIPPED ({n if n is not None else '?'} lines): {reason}"]
    for entry in skipped:
        lines += ["", entry["source"], f"  NOT READ: {entry['reason']}"]
    return lines


@dataclass(frozen=True)
class _SheetText:
    """What the inspection says of one file or sheet, whether it is read, the hints it
    proposes."""

    lines: list[str]
    read: int = 0
    skipped: int = 0
    proposals: list[str] = field(default_factory=list)


def _sheet_text(sheet: SheetRead, parsed: Parsed, root: Path, rows: int) -> _SheetText:
    """How one file or sheet is read: its layout, first rows, what is not data, and why."""
    lay, frame = parsed.layout, parsed.frame
    lines = ["", lay.source]
    if lay.kind == "none" or frame is None:
        lines.append(f"  SKIPPED ({parsed.rows_total} rows): {lay.reason}")
        return _SheetText(lines, skipped=1)
    if is_plan_file(lay.source.split("#")[0]):  # read by analysis.plan, never as a log
        lines.append(
            f"  reads as: the coach's plan, {len(frame)} data rows (week, squad or athlete, "
            "exercise, prescription, progression; see README 'The coach's season')"
        )
        return _SheetText(lines, read=1)
    if len(frame) and is_injury_frame(frame, named=is_injury_file(lay.source.split("#")[0])):
        lines.append(f"  layout: {lay.describe()}")  # read by analysis.injuries (health data)
        lines.append(
            f"  reads as: the injury log, {len(frame)} data rows (athlete, date of injury, "
            "body location, days lost or return; see docs/data-formats.md)"
        )
        return _SheetText(lines, read=1)
    kind = (lay.table or classify(frame)) if len(frame) else None
    if not len(frame) and kind not in ("log", "results"):
        lines.append("  SKIPPED: empty sheet (no data rows)")
        return _SheetText(lines)
    lines += _table_lines(parsed, kind)
    lines += _sample_lines(sheet, parsed, root, rows)
    lines += _aside_lines(parsed)
    read = kind in ("log", "results")
    return _SheetText(lines, read=int(read), skipped=int(not read), proposals=_propose(lay))


def _table_lines(parsed: Parsed, kind: str | None) -> list[str]:
    """The layout, each column's role and what the sheet reads as."""
    lay, frame = parsed.layout, parsed.frame
    roles = result_roles(lay.columns) if kind == "results" else lay.columns
    n_rows = frame["source_row"].nunique() if len(frame) else 0
    lines = [
        f"  layout: {lay.describe()}",
        "  columns: " + ", ".join(f"{c} -> {r}" for c, r in roles.items()),
        f"  reads as: {_KIND.get(kind, 'not a log or result table')}, {len(frame)} "
        + ("entries from " + f"{n_rows} rows" if lay.kind == "grid" else "data rows"),
    ]
    if kind not in ("log", "results"):
        lines.append(
            "  SKIPPED: no training-log or result columns (need athlete + exercise, "
            "or athlete + event + time)"
        )
    return lines


def _raw_lines(sheet: SheetRead, parsed: Parsed, root: Path) -> dict[int, list]:
    """The raw cells of each line: a sheet's cells, or an app's or timing file's lines."""
    lay = parsed.layout
    if not lay.format:
        return dict(sheet.reader.rows) if sheet.reader is not None else {}
    with open(root / lay.source, "rb") as fh:  # its own lines, as written
        head = fh.read(HEAD_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")
    return {i: [line] for i, line in enumerate(head.splitlines()[:500], start=1)}


def _sample_lines(sheet: SheetRead, parsed: Parsed, root: Path, rows: int) -> list[str]:
    """The first ``rows`` parsed rows beside the raw cells they come from."""
    frame = parsed.frame
    raw = _raw_lines(sheet, parsed, root)
    lines = []
    for _, row in frame.head(max(rows, 0)).iterrows():
        r = int(row["source_row"])
        cell = f"!{row['source'].rsplit('!', 1)[1]}" if "!" in str(row["source"]) else ""
        raw_text = (
            _cells(raw[r])
            if r in raw
            else _cells([row[c] for c in frame.columns if c not in ("source", "source_row")])
        )
        lines.append(f"  row {r}{cell}  raw: {raw_text}")
        lines.append(f"  {' ' * len(str(r))}      -> {_parsed_row(row)}")
    return lines


def _aside_lines(parsed: Parsed) -> list[str]:
    """What is not data, rows rejected for their width, and the layout's note."""
    lay = parsed.layout
    lines = []
    if parsed.not_data:
        nd = [
            f"row {a}" + (f"-{a + n - 1}" if n > 1 else "") + f" {reason}"
            for a, n, reason in parsed.not_data
        ]
        more = f" ... ({len(nd) - 12} more)" if len(nd) > 12 else ""
        lines.append("  not data: " + "; ".join(nd[:12]) + more)
    if parsed.ragged:
        lines.append(
            "  rejected (more fields than the header): "
            + "; ".join(f"row {r} extra {', '.join(x)}" for r, _, x in parsed.ragged[:5])
        )
    if lay.format and parsed.not_data:
        lines.append("  set aside (not data): " + set_aside(parsed.not_data))
    if lay.reason:
        lines.append(f"  note: {lay.reason}")
    return lines


def set_aside(not_data: list[tuple[int, int, str]]) -> str:
    """Not-data rows by kind (the words before a colon): ``3 not in the roster, 1 relay``."""
    per: Counter = Counter()
    for _, n, reason in not_data:
        per[reason.split(":", 1)[0].split(" (", 1)[0]] += n
    return ", ".join(f"{n} {kind}" for kind, n in per.most_common())


def _propose(lay) -> list[str]:
    """A ``[files."..."]`` entry writing down what this sheet's layout had to guess."""
    keys = []
    if lay.header_row and lay.header_row != 1 and not lay.format:  # a format finds its own
        keys.append(f"header_row = {lay.header_row}")
    if lay.athlete_from not in ("column", "hipflex.toml"):
        keys.append(f"athlete = {_toml_str(lay.athlete)}  # from the {lay.athlete_from}")
    if lay.week_start and lay.week_from != "hipflex.toml":
        keys.append(f"week_start = {_toml_str(lay.week_start)}  # from the {lay.week_from}")
    unknown = [c for c, r in lay.columns.items() if r == "?"]
    if unknown:
        keys.append("[files." + _toml_str(lay.source) + ".columns]  # roles of unknown columns")
        keys += [f'{_toml_str(c)} = "ignore"' for c in unknown]
    if not keys:
        return []
    head = [f"[files.{_toml_str(lay.source)}]"]
    if keys[0].startswith("[files."):
        head = []
    return [*head, *keys, ""]


__all__ = ["inspect_folder"]
