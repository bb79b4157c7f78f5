"""``hipflex inspect DIR``: how each file and sheet of a folder would be read.

The dry run a coach uses before trusting a folder: per file and sheet, the layout found
(table, weekly grid or block file; the header row; each column's role; where the athlete
and the week start come from), the first parsed rows beside the raw cells they come
from, and what is skipped or listed as not data, and why. It ends with a proposed
``hipflex.toml`` for what had to be guessed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..athlete_match import roster_matcher
from ..errors import DataError
from .files import scan_folder
from .headers import classify
from .hints import FILE_NAME, load_hints
from .injury_headers import is_injury_file, is_injury_frame
from .layout import result_roles

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
    from ..names import load_roster
    from . import read_sheets
    from .raw import read_raw

    root = Path(data_dir)
    if not root.is_dir():
        raise DataError("data folder not found", file=str(root))
    walk = scan_folder(root)
    files = walk.files
    roster_files = [p for p in files if p.stem.lower() in ("athletes", "roster")]
    lines: list[str] = [f"hipflex inspect {root}", ""]
    athletes = None
    if roster_files:
        tables = read_raw(roster_files[0], root=root)
        if tables:
            athletes = load_roster(tables[0].frame, source=tables[0].source)
            lines.append(f"{roster_files[0].relative_to(root)}: roster, {len(athletes)} athletes")
    else:
        lines.append("no roster: the folder needs an athletes.csv")
    hints = load_hints(root)
    if hints.path:
        lines.append(f"{FILE_NAME}: layout hints read")

    others = [p for p in files if not (roster_files and p == roster_files[0])]
    folder = read_sheets(root, others, hints=hints, is_athlete=roster_matcher(athletes),
                         categorical=False)  # fmt: skip
    reads, year_of = folder.sheets, folder.year_of
    failed = [(label, n, reason) for _, label, n, reason in folder.failed]

    proposals: list[str] = []
    n_read = n_skipped = 0
    for label, n, reason in failed:
        n_skipped += 1
        lines += ["", f"{label}", f"  SKIPPED ({n if n is not None else '?'} lines): {reason}"]
    for entry in walk.skipped:  # files not read at all: hidden, links, other endings, OUT
        n_skipped += entry["rows"] is None
        lines += ["", entry["source"], f"  NOT READ: {entry['reason']}"]
    for sheet in reads:
        parsed = sheet.parse(year_of)
        lay = parsed.layout
        lines += ["", lay.source]
        frame = parsed.frame
        if lay.kind == "none" or frame is None:
            n_skipped += 1
            lines.append(f"  SKIPPED ({parsed.rows_total} rows): {lay.reason}")
            continue
        from ..plan import is_plan_file

        if is_plan_file(lay.source.split("#")[0]):  # read by analysis.plan, never as a log
            n_read += 1
            lines.append(
                f"  reads as: the coach's plan, {len(frame)} data rows (week, squad or athlete, "
                "exercise, prescription, progression; see README 'The coach's season')"
            )
            continue
        if len(frame) and is_injury_frame(frame, named=is_injury_file(lay.source.split("#")[0])):
            n_read += 1  # read by analysis.injuries, never as a log (health data)
            lines.append(f"  layout: {lay.describe()}")
            lines.append(
                f"  reads as: the injury log, {len(frame)} data rows (athlete, date of injury, "
                "body location, days lost or return; see docs/data-formats.md)"
            )
            continue
        kind = (lay.table or classify(frame)) if len(frame) else None
        what = _KIND.get(kind, "not a log or result table")
        if kind not in ("log", "results"):
            n_skipped += bool(len(frame))
            if not len(frame):
                lines.append("  SKIPPED: empty sheet (no data rows)")
                continue
        else:
            n_read += 1
        lines.append(f"  layout: {lay.describe()}")
        roles = result_roles(lay.columns) if kind == "results" else lay.columns
        lines.append("  columns: " + ", ".join(f"{c} -> {r}" for c, r in roles.items()))
        n_rows = frame["source_row"].nunique() if len(frame) else 0
        lines.append(
            f"  reads as: {what}, {len(frame)} "
            + ("entries from " + f"{n_rows} rows" if lay.kind == "grid" else "data rows")
        )
        if kind not in ("log", "results"):
            lines.append(
                "  SKIPPED: no training-log or result columns (need athlete + exercise, "
                "or athlete + event + time)"
            )
        raw = dict(sheet.reader.rows) if sheet.reader is not None else {}
        if lay.format:  # an app's or timing system's file: its own lines, as written
            with open(root / lay.source, "rb") as fh:
                head = fh.read(64 * 1024).decode("utf-8", errors="replace").lstrip("\ufeff")
            raw = {i: [line] for i, line in enumerate(head.splitlines()[:500], start=1)}
        shown = 0
        for _, row in frame.iterrows():
            if shown >= rows:
                break
            r = int(row["source_row"])
            cell = f"!{row['source'].rsplit('!', 1)[1]}" if "!" in str(row["source"]) else ""
            raw_text = (
                _cells(raw[r])
                if r in raw
                else _cells([row[c] for c in frame.columns if c not in ("source", "source_row")])
            )
            lines.append(f"  row {r}{cell}  raw: {raw_text}")
            lines.append(f"  {' ' * len(str(r))}      -> {_parsed_row(row)}")
            shown += 1
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
        proposals.extend(_propose(lay))
    lines += ["", f"{n_read} sheet(s) read, {n_skipped} skipped."]
    if proposals:
        lines += ["", f"proposed {FILE_NAME} (what was guessed; edit and save it in {root}):", ""]
        lines += proposals
    status = 2 if n_read == 0 else (1 if n_skipped else 0)
    return "\n".join(lines), status


def set_aside(not_data: list[tuple[int, int, str]]) -> str:
    """Not-data rows by kind (the words before a colon): ``3 not in the roster, 1 relay``."""
    from collections import Counter

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
