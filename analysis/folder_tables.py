"""The raw tables of a data folder and their first cleaning, for :func:`analysis.load_dataset`:
every file through the ingest stage (:func:`read_folder`: raw tables, not-data rows, files
skipped), the training log and the results cleaned with a file that breaks a file-wide rule
moved to ``skipped`` (:func:`clean_folder_tables`), and the count per file
(:func:`reconcile`: ``rows_read = clean + rejected + duplicates``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .athlete_match import roster_matcher
from .errors import DataError
from .exit_status import NOT_DATA_NOTE, looks_like_data
from .ingest import load_hints, one_line, read_sheets
from .ingest.injury_headers import is_injury_file, is_injury_frame
from .ingest.plan_file import is_plan_file
from .io import (
    LOG_SYNONYMS,
    RESULT_SYNONYMS,
    as_text,
    canonicalize_columns,
    classify,
    concat_raw,
    read_raw,
)
from .logs import clean_training_log
from .schema import concat_rejects, rejects_frame
from .sprints import clean_sprints


def reconcile(
    raw_counts: pd.DataFrame,
    clean: dict[str, pd.DataFrame],
    rejects: pd.DataFrame,
    entry_sources: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Counts per file or sheet: ``rows_read = clean + rejected + duplicates``.

    ``entry_sources`` maps the sources of grid entries (``file#sheet!D``, the cell's
    column) to their sheet, whose line counts them. ``rows_read`` counts the entries
    handed to the cleaner (a grid row gives one per filled day cell); ``data_rows`` the
    sheet rows they come from and ``not_data`` the rows listed in
    :attr:`Dataset.not_data`, so that ``raw_rows = data_rows + not_data`` for every file
    read (``raw_rows``: the sheet's rows up to its last non-blank one).
    """
    entry_sources = dict(entry_sources or {})

    rec = raw_counts.copy()
    n_clean: dict[str, int] = {}  # a sheet's clean rows, over the clean tables
    for df in clean.values():
        codes, uniques = pd.factorize(df["source"], use_na_sentinel=True)
        per = np.bincount(codes[codes >= 0], minlength=len(uniques))
        for u, k in zip(uniques, per.tolist(), strict=True):
            sheet = entry_sources.get(u, u)
            n_clean[sheet] = n_clean.get(sheet, 0) + k
    counts = _reject_counts(rejects, entry_sources)
    if counts is None:  # rows that are not whole numbers: counted by pandas
        rej = rejects.drop_duplicates(["source", "source_row", "kind"])
        rej = rej.assign(source=_to_sheet(rej["source"], entry_sources))
        counts = rej.groupby(["source", "kind"]).size().unstack(fill_value=0)
    sources = rec["source"].tolist()

    def per_source(found: Mapping) -> np.ndarray:
        return np.array([int(found.get(s, 0)) for s in sources], dtype=np.int64)

    rec["clean"] = per_source(n_clean)
    for kind, col in (
        ("rejected", "rejected"),
        ("duplicate", "duplicates"),
        ("partial", "partial"),
    ):
        rec[col] = per_source(counts[kind].to_dict()) if kind in counts else 0
    rec["balanced"] = rec["rows_read"] == rec["clean"] + rec["rejected"] + rec["duplicates"]
    return rec


def _to_sheet(src: pd.Series, entry_sources: Mapping[str, str]) -> pd.Series:
    """Each source's sheet: a grid entry's source (``file#sheet!D``) mapped to its sheet,
    once per distinct source (a grid log has a source per row and column)."""
    if not entry_sources:
        return src
    codes, uniques = pd.factorize(src, use_na_sentinel=True)
    sheets = np.array([entry_sources.get(u, u) for u in uniques] + [None], dtype=object)
    return pd.Series(sheets[codes], index=src.index, dtype="string")


def _reject_counts(
    rejects: pd.DataFrame, entry_sources: Mapping[str, str]
) -> dict[str, pd.Series] | None:
    """Per kind, the rejects of each sheet, one per ``(source, source_row, kind)``.

    A reject without a source or a kind is not counted; a source is mapped to its sheet
    once per distinct source. The triples are numbered by one integer each (the rejects of
    a large log are many); None when ``source_row`` is not a column of whole numbers from
    0 (the caller then counts with pandas).
    """
    row_col = rejects["source_row"]
    if not pd.api.types.is_integer_dtype(row_col.dtype):
        return None
    row = row_col.to_numpy(dtype=np.int64, na_value=-1)
    if len(row) and (row.min() < -1 or ((row == -1) & row_col.notna().to_numpy()).any()):
        return None
    s_code, sources = pd.factorize(rejects["source"], use_na_sentinel=True)
    k_code, kinds = pd.factorize(rejects["kind"], use_na_sentinel=True)
    n_rows = int(row.max(initial=0)) + 2
    if (len(sources) + 1) * n_rows * (len(kinds) + 1) >= 2**62:
        return None
    key = ((s_code + 1) * n_rows + (row + 1)) * (len(kinds) + 1) + (k_code + 1)
    first = ~pd.Series(key).duplicated().to_numpy()
    counted = first & (s_code >= 0) & (k_code >= 0)
    sheet_code, sheets = pd.factorize(_to_sheet(pd.Series(sources, dtype="string"), entry_sources))
    s_sheet = sheet_code[s_code[counted]]
    n = np.bincount(
        k_code[counted] * len(sheets) + s_sheet, minlength=len(kinds) * len(sheets)
    ).reshape(len(kinds), len(sheets))
    index = pd.Index(sheets, name="source")
    return {str(kind): pd.Series(n[i], index=index) for i, kind in enumerate(kinds)}


def empty_not_data() -> pd.DataFrame:
    return pd.DataFrame(
        {"source": pd.Series(dtype="string"), "source_row": pd.Series(dtype="Int64"),
         "rows": pd.Series(dtype="Int64"), "reason": pd.Series(dtype="string")}
    )  # fmt: skip


@dataclass
class FolderTables:
    """What the ingest stage read from a folder, before cleaning."""

    logs: list = field(default_factory=list)  # (source, frame)
    results: list = field(default_factory=list)
    read: list = field(default_factory=list)  # counts per file/sheet read (dicts)
    skipped: list = field(default_factory=list)  # dicts: source, rows, reason
    not_data: list = field(default_factory=list)  # (source, row, n, reason)
    ragged: list = field(default_factory=list)  # rejects frames
    entry_sources: dict = field(default_factory=dict)
    plan_tables: list = field(default_factory=list)  # RawTables of plan.csv / plan.xlsx
    injuries: list = field(default_factory=list)  # (source, frame) of injury logs

    def counts(self) -> pd.DataFrame:
        return pd.DataFrame(
            self.read,
            columns=[
                "source",
                "table",
                "layout",
                "rows_read",
                "raw_rows",
                "data_rows",
                "not_data",
                "format",
            ],
        )

    def skipped_frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.skipped, columns=["source", "rows", "reason"])
        return df.astype({"source": "string", "rows": "Int64", "reason": "string"})

    def not_data_frame(self) -> pd.DataFrame:
        if not self.not_data:
            return empty_not_data()
        df = pd.DataFrame(self.not_data, columns=["source", "source_row", "rows", "reason"])
        return df.astype({"source": "string", "source_row": "Int64", "rows": "Int64",
                          "reason": "string"})  # fmt: skip

    def drop(self, source: str, reason: str) -> None:
        """Move a file (all its sheets) from the tables read to the skipped ones."""

        def of(src: str) -> bool:
            return src == source or src.startswith(source + "#")

        for name in ("logs", "results", "injuries"):
            setattr(self, name, [(s, f) for s, f in getattr(self, name) if not of(s)])
        rows = sum(c["raw_rows"] for c in self.read if of(c["source"]))
        self.read = [c for c in self.read if not of(c["source"])]
        self.not_data = [n for n in self.not_data if not of(n[0])]
        self.ragged = [r for r in self.ragged if not of(str(r["source"].iloc[0]))]
        self.skipped.append({"source": source, "rows": rows, "reason": reason})


def not_data_reason(reason: str, sheet) -> str:
    """``reason`` with :data:`analysis.exit_status.NOT_DATA_NOTE` added when the sheet's
    cells hold no data (a notes tab: listed, never a failure of the exit code)."""

    rows = sheet.reader.rows if getattr(sheet, "reader", None) is not None else []
    if not rows or looks_like_data(rows) or reason.startswith("skipped by"):
        return reason
    return f"{reason}; {NOT_DATA_NOTE}"


def read_folder(
    root: Path,
    files: list[Path],
    roster_file: Path | None,
    athletes: pd.DataFrame,
    *,
    dayfirst: bool | None = None,
) -> FolderTables:
    """Every file of a folder through the ingest stage: raw tables, not-data rows, skips.

    A file that cannot be read is listed in ``skipped`` with its reason; it never stops
    the others.
    """

    out = FolderTables()
    failed: dict[Path, dict] = {}
    to_read = []
    for path in files:
        if path == roster_file:
            continue
        if not is_plan_file(path):
            to_read.append(path)
            continue
        # the coach's plan, never a training log
        label = str(path.relative_to(root))
        try:
            plan = read_raw(path, root=root)
        except DataError as exc:
            failed[path] = {"source": label, "rows": None, "reason": one_line(exc, label)}
            continue
        for t in plan:
            out.plan_tables.append(t)
            n = len(t.frame)
            out.read.append({"source": t.source, "table": "plan", "layout": "table",
                             "rows_read": n, "raw_rows": n + 1, "data_rows": n,
                             "not_data": 1})  # fmt: skip
            out.not_data.append((t.source, 1, 1, "header row"))
    folder = read_sheets(root, to_read, hints=load_hints(root),
                         is_athlete=roster_matcher(athletes), dayfirst=dayfirst)  # fmt: skip
    for path, label, rows, reason in folder.failed:
        failed[path] = {"source": label, "rows": rows, "reason": reason}
    out.skipped.extend(failed[p] for p in files if p in failed)  # in the folder's order
    reads, year_of = folder.sheets, folder.year_of
    for sheet in reads:
        parsed = sheet.parse(year_of)
        lay = parsed.layout
        frame = parsed.frame
        if lay.kind == "none" or frame is None:
            rows = parsed.rows_total or (sheet.reader.rows[-1][0] if sheet.reader and
                                         sheet.reader.rows else 0)  # fmt: skip
            if rows:
                out.skipped.append({"source": lay.source, "rows": rows,
                                    "reason": not_data_reason(lay.reason, sheet)})  # fmt: skip
            else:
                out.skipped.append({"source": lay.source, "rows": 0,
                                    "reason": "empty sheet (no data rows)"})  # fmt: skip
            continue
        n_data = len(frame) if lay.kind != "grid" else frame["source_row"].nunique()
        if len(frame) == 0 and not parsed.ragged and not lay.format:
            out.skipped.append({"source": lay.source, "rows": parsed.rows_total,
                                "reason": lay.reason or "empty sheet (no data rows)"})  # fmt: skip
            continue
        kind = lay.table or classify(frame)
        if lay.table is None and is_injury_frame(
            frame, named=is_injury_file(lay.source.split("#", 1)[0])
        ):
            kind = "injuries"  # health data: its own table, never a log
        if kind == "injuries":
            out.injuries.append((lay.source, frame))
        elif kind == "log":
            out.logs.append((lay.source, canonicalize_columns(frame, LOG_SYNONYMS)))
        elif kind == "results":
            out.results.append((lay.source, canonicalize_columns(
                as_text(frame), RESULT_SYNONYMS, keep_split_columns=True)))  # fmt: skip
        else:
            out.skipped.append({
                "source": lay.source, "rows": parsed.rows_total,
                "reason": not_data_reason("no training-log or result columns (need athlete "
                                           "+ exercise, or athlete + event + time)", sheet),
            })  # fmt: skip
            continue
        table = {"log": "log", "injuries": "injuries"}.get(kind, "races")
        out.entry_sources.update(parsed.entry_sources)
        for row, n, reason in parsed.not_data:
            out.not_data.append((lay.source, row, n, reason))
        if parsed.ragged:
            out.ragged.append(rejects_frame(
                source=pd.Series([lay.source] * len(parsed.ragged), dtype="string"),
                source_row=pd.Series([r for r, _, _ in parsed.ragged], dtype="Int64"),
                column=pd.Series([None] * len(parsed.ragged), dtype="string"),
                value=pd.Series([", ".join(x) for _, _, x in parsed.ragged], dtype="string"),
                reason=pd.Series(
                    [f"row has {n} fields, more than the header's columns (extra values kept "
                     "here, row not read)" for _, n, _ in parsed.ragged], dtype="string"),
                table=table,
            ))  # fmt: skip
        out.read.append({
            "source": lay.source, "table": table, "layout": lay.kind,
            "rows_read": len(frame) + len(parsed.ragged),
            "raw_rows": parsed.rows_total,
            "data_rows": n_data + len(parsed.ragged),
            "not_data": sum(n for _, n, _ in parsed.not_data),
            "format": lay.format,  # the product whose file it is (None: a coach's sheet)
        })  # fmt: skip
    return out


def clean_folder_tables(tables: FolderTables, athletes, catalog, offsets, kw):
    """Clean the raw tables; a file whose rows break a file-wide rule is skipped, not fatal.

    A :class:`DataError` a cleaner raises names its file (dates that contradict each
    other): that file moves to ``skipped`` with the message and the rest is cleaned again.
    """

    for _attempt in range(len(tables.logs) + len(tables.results) + 1):
        try:
            raw_log = concat_raw([f for _, f in tables.logs]) if tables.logs else None
            raw_res = stack_results([f for _, f in tables.results])
            log, log_rej = clean_training_log(raw_log, athletes, catalog, **kw)
            races, splits, res_rej = clean_sprints(raw_res, athletes, hand_to_fat=offsets, **kw)
        except DataError as exc:
            source = source_of(exc, tables)
            if source is None:
                raise
            tables.drop(source, str(exc))
            continue
        rejects = concat_rejects(log_rej, res_rej, *tables.ragged)
        return log, races, splits, rejects, tables
    raise AssertionError("unreachable")  # pragma: no cover


def stack_results(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    """The folder's result frames as one raw table, in order, every text column ``string``.

    Readers that make many small frames (a timing system writes a file per heat) hand on
    ``object`` text columns. ``pandas.concat`` of thousands of small frames whose columns
    differ costs seconds (measured: 7.8 s for 5,016 heat files); runs of small frames are
    stacked here as one block of cells instead (1.2 s, the same table), large frames are
    concatenated as they are, and text is made ``string`` once at the end.
    """
    if not frames:
        return None
    pieces: list[pd.DataFrame] = []
    run: list[pd.DataFrame] = []
    for frame in frames:
        if len(frame) <= SMALL_FRAME_ROWS:
            run.append(frame)
            continue
        if run:
            pieces.append(_stack_small(run))
            run = []
        pieces.append(frame)
    if run:
        pieces.append(_stack_small(run))
    raw = (
        pieces[0].reset_index(drop=True) if len(pieces) == 1
        else pd.concat(pieces, ignore_index=True)
    )  # fmt: skip
    text = [c for c in raw.columns if raw[c].dtype == object]
    return raw.astype(dict.fromkeys(text, "string")) if text else raw


#: A result frame of at most this many rows is stacked as cells (:func:`stack_results`).
SMALL_FRAME_ROWS = 1000


def _stack_small(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Small frames as one: their cells in one object block, each column's type kept when
    every frame agrees on a type that is not text (``source_row``: ``Int64``)."""
    if len(frames) == 1:
        return frames[0]
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    where = {c: i for i, c in enumerate(columns)}
    cells = np.full((sum(len(f) for f in frames), len(columns)), None, dtype=object)
    kinds: dict[str, set[str]] = {c: set() for c in columns}
    row = 0
    for f in frames:
        if len(f):
            cells[row : row + len(f), [where[c] for c in f.columns]] = f.to_numpy(
                dtype=object, na_value=None
            )
        for c, dtype in zip(f.columns, f.dtypes, strict=True):
            kinds[c].add(str(dtype))
        row += len(f)
    text = {"object", "string", "str"}
    types = {
        c: next(iter(k)) if len(k) == 1 and not (k & text) else "string" for c, k in kinds.items()
    }
    return pd.DataFrame(cells, columns=columns).astype(types)


def source_of(exc: DataError, tables: FolderTables) -> str | None:
    """The file (as listed) a cleaner's error names, if it is one of the tables read."""
    if not exc.file:
        return None
    name = str(exc.file)
    sources = [s for s, _ in tables.logs] + [s for s, _ in tables.results]
    for s in sources:
        file_part = s.split("#", 1)[0]
        if name in (s, file_part) or name.split("#", 1)[0].split("!", 1)[0] == file_part:
            return file_part
    return None
