"""Load a coach's data folder into clean tables: :func:`load_dataset`.

A data folder holds ``athletes.csv`` (the roster) and any number of training-log and
sprint-result files, CSV or Excel, classified by their headers. Every data row ends in a
clean table or in ``rejects``; :attr:`Dataset.reconciliation` shows the counts per file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import __version__, config
from .errors import DataError
from .exit_status import NOT_DATA_NOTE, all_rejected, looks_like_data
from .ingest.injury_headers import is_injury_file, is_injury_frame
from .injuries import clean_injuries, empty_injuries
from .io import (
    LOG_SYNONYMS,
    RESULT_SYNONYMS,
    as_text,
    canonicalize_columns,
    classify,
    concat_raw,
    read_raw,
    write_parquet_atomic,
    write_text_atomic,
)
from .names import load_roster
from .schema import concat_rejects, rejects_frame

TABLES = (
    "athletes", "log", "races", "splits", "rejects", "reconciliation", "skipped", "plan",
    "not_data", "injuries",
)  # fmt: skip

#: Environment variable naming a folder where cleaned datasets are cached as Parquet,
#: keyed by :func:`analysis.fingerprint.fingerprint` (file contents, code, settings, date).
CACHE_ENV = "HIPFLEX_CACHE_DIR"

#: A report kernel reads exactly the cleaned tables its run wrote here and never cleans
#: (:func:`read_snapshot`; ``hipflex report`` sets it for every kernel).
SNAPSHOT_ENV = "HIPFLEX_SNAPSHOT"

#: A data folder holding this file is synthetic (``hipflex sample`` writes it).
SYNTHETIC_MARKER = "SYNTHETIC.md"


@dataclass
class Dataset:
    """The clean tables of one data folder.

    Attributes
    ----------
    athletes, log, races, splits, rejects
        The pinned clean tables (see docs/architecture.md).
    reconciliation
        One row per raw file/sheet: ``rows_read = clean + rejected + duplicates``
        (``partial`` rows are counted in ``clean`` and named in ``rejects``).
    skipped
        Files or sheets not read, with their row count (``rows``, NA when the file could
        not be opened) and the reason: no roster, log or result columns, no header row,
        or a file that cannot be read (an unreadable file never stops the folder).
    not_data
        Rows of the files read that are not data, with the reason: title, header, units
        and summary rows, headings of block files, grid rows without entries, blank rows
        (``rows`` counts a run of them).
    """

    athletes: pd.DataFrame
    log: pd.DataFrame
    races: pd.DataFrame
    splits: pd.DataFrame
    rejects: pd.DataFrame
    reconciliation: pd.DataFrame
    skipped: pd.DataFrame
    not_data: pd.DataFrame = field(default_factory=lambda: _empty_not_data())
    data_dir: str = ""
    fingerprint: str = ""
    #: True when the folder holds a ``SYNTHETIC.md`` marker (written by ``hipflex sample``):
    #: every report then says, prominently, that the data are synthetic.
    synthetic: bool = False
    #: The coach's plan (``plan.csv`` / ``plan.xlsx``) expanded per athlete and week
    #: (:func:`analysis.plan.load_plan`); empty when the folder has no plan.
    plan: pd.DataFrame = field(default_factory=lambda: _empty_plan())
    #: The injury log (``injuries.csv`` / ``injuries.xlsx`` or any sheet whose header reads
    #: as one; :func:`analysis.injuries.clean_injuries`); empty when the folder has none.
    #: Health data: an athlete's own page and aggregates only.
    injuries: pd.DataFrame = field(default_factory=lambda: _empty_injuries())
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def fatigue(self) -> pd.DataFrame:
        """Per-race fatigue metrics (:func:`analysis.fatigue_metrics`)."""
        from .fatigue import fatigue_metrics

        return fatigue_metrics(self.races, self.splits, rejects=self.rejects)

    def athlete(self, athlete_id: str) -> Dataset:
        """A dataset holding one athlete's rows only (for a private per-athlete report)."""
        aid = str(athlete_id)
        if aid not in set(self.athletes["athlete_id"]):
            raise DataError(f"athlete_id {aid!r} is not in the roster", file="athletes.csv")
        races = self.races[self.races["athlete_id"] == aid]
        # a grid entry's source names its cell's column (``file.xlsx#Week 1!C``): its line
        # of the reconciliation is the sheet's
        log_sources = self.log.loc[self.log["athlete_id"] == aid, "source"].astype("string")
        own_sources = set(log_sources.str.replace(r"![A-Z]{1,3}$", "", regex=True)) | set(
            races["source"]
        )
        # Rejects whose athlete could be resolved carry its id; unresolved ones belong to
        # nobody and stay out of a per-athlete view.
        one = Dataset(
            athletes=self.athletes[self.athletes["athlete_id"] == aid].reset_index(drop=True),
            log=self.log[self.log["athlete_id"] == aid].reset_index(drop=True),
            races=races.reset_index(drop=True),
            splits=self.splits[self.splits["race_id"].isin(races["race_id"])].reset_index(
                drop=True
            ),
            rejects=self.rejects[self.rejects["athlete_id"] == aid].reset_index(drop=True),
            reconciliation=self.reconciliation[
                self.reconciliation["source"].isin(own_sources)
            ].reset_index(drop=True),
            skipped=self.skipped.iloc[0:0],
            not_data=self.not_data.iloc[0:0],
            data_dir=self.data_dir,
            fingerprint=self.fingerprint,
            synthetic=self.synthetic,
            plan=self.plan[self.plan["athlete_id"] == aid].reset_index(drop=True),
            injuries=self.injuries[self.injuries["athlete_id"] == aid].reset_index(drop=True),
        )
        if "fatigue" in self.__dict__:  # per race: the athlete's rows are its own metrics
            fat = self.__dict__["fatigue"]
            one.__dict__["fatigue"] = fat[fat["athlete_id"] == aid].reset_index(drop=True)
        return one

    # ------------------------------------------------------------------ display
    def summary(self) -> dict:
        """Key counts, machine-readable."""
        log = self.log
        dates = pd.concat([log["date"], self.races["date"]]).dropna()
        rec = self.reconciliation
        return {
            "athletes": len(self.athletes),
            "log_rows": len(log),
            "races": len(self.races),
            "splits": len(self.splits),
            "rows_read": int(rec["rows_read"].sum()) if len(rec) else 0,
            "rejected": int(rec["rejected"].sum()) if len(rec) else 0,
            "duplicates": int(rec["duplicates"].sum()) if len(rec) else 0,
            "unmapped_entries": int((log["family"] == "unmapped").sum()),
            "unmapped_spellings": int(
                log.loc[log["family"] == "unmapped", "exercise_raw"].nunique()
            ),
            "first_date": None if dates.empty else dates.min().date().isoformat(),
            "last_date": None if dates.empty else dates.max().date().isoformat(),
        }

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"<Dataset {self.data_dir!s}: {s['athletes']} athletes, {s['log_rows']} log rows, "
            f"{s['races']} races, {s['rejected']} rejected, {s['duplicates']} duplicates, "
            f"{s['first_date']}..{s['last_date']}>"
        )

    def _repr_html_(self) -> str:
        from .templating import render

        s = self.summary()
        unmapped = (
            self.log.loc[self.log["family"] == "unmapped", "exercise_raw"].value_counts().head(5)
        )
        unm = ", ".join(f"{k} ({v})" for k, v in unmapped.items()) or "none"
        rows = [
            ("Data folder", str(self.data_dir), self.synthetic),
            ("Athletes", s["athletes"], False),
            ("Dates", f"{s['first_date']} to {s['last_date']}", False),
            ("Training-log rows (clean)", s["log_rows"], False),
            ("Races / split marks", f"{s['races']} / {s['splits']}", False),
            (
                "Rows read / rejected / duplicates",
                f"{s['rows_read']} / {s['rejected']} / {s['duplicates']}",
                False,
            ),
            ("Unmapped exercises", f"{s['unmapped_entries']} entries; top: {unm}", False),
        ]
        return render("dataset_summary.html.j2", rows=rows)


def _empty_injuries() -> pd.DataFrame:

    return empty_injuries()


def _empty_plan() -> pd.DataFrame:
    from .plan import empty_plan

    return empty_plan()


# ---------------------------------------------------------------------- loading


def _reconcile(
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

    def to_sheet(src: pd.Series) -> pd.Series:
        if not entry_sources:
            return src
        return src.map(lambda s: entry_sources.get(s, s)).astype("string")

    rec = raw_counts.copy()
    n_clean = (
        pd.concat(
            [to_sheet(df["source"]).value_counts() for df in clean.values() if len(df)]
            or [pd.Series(dtype="Int64")]
        )
        .groupby(level=0)
        .sum()
    )
    rej = rejects.drop_duplicates(["source", "source_row", "kind"])
    rej = rej.assign(source=to_sheet(rej["source"]))
    counts = rej.groupby(["source", "kind"]).size().unstack(fill_value=0)
    rec["clean"] = rec["source"].map(n_clean).fillna(0).astype("int64")
    for kind, col in (
        ("rejected", "rejected"),
        ("duplicate", "duplicates"),
        ("partial", "partial"),
    ):
        rec[col] = (
            rec["source"].map(counts[kind]).fillna(0).astype("int64") if kind in counts else 0
        )
    rec["balanced"] = rec["rows_read"] == rec["clean"] + rec["rejected"] + rec["duplicates"]
    return rec


def load_dataset(
    data_dir: str | os.PathLike[str],
    *,
    catalog: pd.DataFrame | str | os.PathLike[str] | None = None,
    dayfirst: bool | None = None,
    today=None,
    cache_dir: str | os.PathLike[str] | None = None,
    hand_to_fat: Mapping[int, float] | None = None,
    exclude: Sequence[str | os.PathLike[str]] = (),
) -> Dataset:
    """Read and clean every file of a data folder.

    Parameters
    ----------
    data_dir
        Folder with ``athletes.csv`` and the training-log and result files (searched
        recursively; hidden files and Excel lock files are ignored).
    catalog
        The exercise catalog (a DataFrame or a CSV path); default: the project's
        ``data/reference/exercises.csv``.
    dayfirst
        Force day/month order; default: inferred per file.
    today
        Reject dates after this (default: today).
    cache_dir
        Cache cleaned tables as Parquet here, keyed by :func:`analysis.fingerprint.fingerprint`
        of the inputs (file contents, package code, every effective setting and the run's
        date); a second call with unchanged inputs on the same day reads the cache. Default: ``$HIPFLEX_CACHE_DIR`` if set,
        else no cache.
    hand_to_fat
        Seconds added to hand times per event (``{200: 0.24, 400: 0.14}``); events left
        out keep the setting in effect (:func:`analysis.config.hand_to_fat`).
    exclude
        Folders under ``data_dir`` never read (the ``OUT`` of a report run). A folder
        holding hipflex's marker (``.hipflex/``) is never read either; each is listed in
        ``skipped`` (:func:`analysis.ingest.files.scan_folder`).

    Raises
    ------
    DataError
        No roster, a malformed roster, an unreadable file, or a file whose dates contradict
        each other.

    Examples
    --------
    >>> import analysis as hf
    >>> ds = hf.load_dataset("tests/data/mini")  # doctest: +SKIP
    >>> ds.reconciliation[["source", "rows_read", "clean", "rejected"]]  # doctest: +SKIP
    """
    from .catalog import default_catalog_path, load_catalog

    if snapshot := os.environ.get(SNAPSHOT_ENV):
        return read_snapshot(snapshot)  # a report kernel: the run's tables, never a re-clean
    root = Path(data_dir)
    if not root.is_dir():
        raise DataError("data folder not found", file=str(root))
    from .ingest.files import scan_folder

    walk = scan_folder(root, exclude=exclude)
    files = walk.files
    catalog_path = None
    if catalog is None or isinstance(catalog, str | os.PathLike):
        catalog_path = Path(catalog) if catalog is not None else default_catalog_path()
        catalog = load_catalog(catalog_path)

    cache_dir = cache_dir if cache_dir is not None else os.environ.get(CACHE_ENV) or None
    offsets = config.hand_to_fat(hand_to_fat)
    # one date for the whole run: the cleaners reject rows after it, the cache key holds it
    today = today if today is not None else config.today()
    # the one fingerprint of every cache (analysis.fingerprint): contents, code, settings
    from . import fingerprint as _fp

    settings = _fp.effective_settings(
        root,
        catalog=catalog_path if catalog_path is not None else catalog,
        hand_to_fat=offsets,
        dayfirst=dayfirst,
        today=today,
    )
    fp = _fp.fingerprint(files, root=root, settings=settings).key
    if cache_dir is not None:
        cached = _read_cache(Path(cache_dir) / fp, root, fp)
        if cached is not None:
            return cached

    roster_files = [p for p in files if p.stem.lower() in ("athletes", "roster")]
    if not roster_files:
        raise DataError("no roster: the folder needs an athletes.csv", file=str(root))
    roster_tables = read_raw(roster_files[0], root=root)
    if not roster_tables:
        raise DataError("roster has no data rows", file=roster_files[0].name)
    athletes = load_roster(roster_tables[0].frame, source=roster_tables[0].source)

    from .plan import load_plan

    tables = read_folder(root, files, roster_files[0], athletes, dayfirst=dayfirst)
    tables.skipped.extend(walk.skipped)
    kw = {"dayfirst": dayfirst, "today": today}
    log, races, splits, rejects, tables = _clean_tables(tables, athletes, catalog, offsets, kw)
    plan, plan_rej = load_plan(tables.plan_tables, athletes, catalog, dayfirst=dayfirst)
    rejects = concat_rejects(rejects, plan_rej)
    plan_rows = plan.drop_duplicates(["source", "source_row"])

    injuries, inj_rej = clean_injuries(tables.injuries, athletes, **kw)
    rejects = concat_rejects(rejects, inj_rej)
    reconciliation = _reconcile(
        tables.counts(),
        {"log": log, "races": races, "plan": plan_rows, "injuries": injuries},
        rejects,
        tables.entry_sources,
    )
    ds = Dataset(
        athletes=athletes,
        log=log,
        races=races,
        splits=splits,
        rejects=rejects,
        reconciliation=reconciliation,
        skipped=tables.skipped_frame(),
        not_data=tables.not_data_frame(),
        data_dir=str(root),
        fingerprint=fp,
        synthetic=(root / SYNTHETIC_MARKER).is_file(),
        plan=plan,
        injuries=injuries,
    )
    if cache_dir is not None:
        save_dataset(ds, Path(cache_dir) / fp)
    return ds


def data_warnings(ds: Dataset) -> list[str]:
    """What a coach must know before trusting reports: files not read, athletes without logs.

    One plain sentence each (the terminal and the index page show them).
    """
    out = []
    not_read = ds.skipped
    if "rows" in not_read.columns:
        not_read = not_read[not_read["rows"].fillna(1) > 0]
    for r in not_read.itertuples(index=False):
        out.append(f"not read: {r.source}: {r.reason}")
    for source, reason in all_rejected(ds):
        out.append(f"not read: {source}: {reason}")
    if len(ds.athletes) and len(ds.log):
        with_log = set(ds.log["athlete_id"].dropna())
        missing = [a for a in ds.athletes["athlete_id"] if a not in with_log]
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            out.append(f"{len(missing)} athlete(s) have no training-log entries: {shown}")
    return out


def _empty_not_data() -> pd.DataFrame:
    return pd.DataFrame(
        {"source": pd.Series(dtype="string"), "source_row": pd.Series(dtype="Int64"),
         "rows": pd.Series(dtype="Int64"), "reason": pd.Series(dtype="string")}
    )  # fmt: skip


@dataclass
class _Tables:
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
            return _empty_not_data()
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


def _not_data_reason(reason: str, sheet) -> str:
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
) -> _Tables:
    """Every file of a folder through the ingest stage: raw tables, not-data rows, skips.

    A file that cannot be read is listed in ``skipped`` with its reason; it never stops
    the others.
    """
    from .ingest import load_hints, one_line, read_sheets, roster_matcher
    from .plan import is_plan_file

    out = _Tables()
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
                                    "reason": _not_data_reason(lay.reason, sheet)})  # fmt: skip
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
                "reason": _not_data_reason("no training-log or result columns (need athlete "
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


def _clean_tables(tables: _Tables, athletes, catalog, offsets, kw):
    """Clean the raw tables; a file whose rows break a file-wide rule is skipped, not fatal.

    A :class:`DataError` a cleaner raises names its file (dates that contradict each
    other): that file moves to ``skipped`` with the message and the rest is cleaned again.
    """
    from .logs import clean_training_log
    from .sprints import clean_sprints

    for _attempt in range(len(tables.logs) + len(tables.results) + 1):
        try:
            raw_log = concat_raw([f for _, f in tables.logs]) if tables.logs else None
            raw_res = (
                pd.concat([f for _, f in tables.results], ignore_index=True)
                if tables.results else None
            )  # fmt: skip
            log, log_rej = clean_training_log(raw_log, athletes, catalog, **kw)
            races, splits, res_rej = clean_sprints(raw_res, athletes, hand_to_fat=offsets, **kw)
        except DataError as exc:
            source = _source_of(exc, tables)
            if source is None:
                raise
            tables.drop(source, str(exc))
            continue
        rejects = concat_rejects(log_rej, res_rej, *tables.ragged)
        return log, races, splits, rejects, tables
    raise AssertionError("unreachable")  # pragma: no cover


def _source_of(exc: DataError, tables: _Tables) -> str | None:
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


def save_dataset(ds: Dataset, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write every table of ``ds`` as Parquet into ``out_dir`` (each file atomically)."""
    out = Path(out_dir)
    written = []
    for name in TABLES:
        written.append(write_parquet_atomic(getattr(ds, name), out / f"{name}.parquet"))
    written.append(write_parquet_atomic(ds.fatigue, out / "fatigue.parquet"))
    meta = {"data_dir": ds.data_dir, "fingerprint": ds.fingerprint, "version": __version__,
            "synthetic": bool(ds.synthetic)}  # fmt: skip
    # manifest last: its presence marks a complete cache entry
    written.append(write_text_atomic(out / "manifest.json", json.dumps(meta, indent=2)))
    return written


def read_snapshot(path: str | os.PathLike[str]) -> Dataset:
    """The cleaned tables a report run wrote with :func:`save_dataset` (``$HIPFLEX_SNAPSHOT``).

    The dataset's ``data_dir`` is the data folder's name only (what a report shows).

    Raises
    ------
    DataError
        One line when the snapshot is missing or unreadable (it names the snapshot folder
        by its name only: no server path reaches a report).
    """
    snap = Path(path)
    try:
        meta = json.loads((snap / "manifest.json").read_text(encoding="utf-8"))
        tables = {name: pd.read_parquet(snap / f"{name}.parquet") for name in TABLES}
        fatigue = pd.read_parquet(snap / "fatigue.parquet")
    except (OSError, ValueError, TypeError) as exc:
        why = "missing" if not snap.is_dir() else f"unreadable ({type(exc).__name__})"
        raise DataError(
            f"the cleaned tables of this report run are {why}; run hipflex report again",
            file=snap.name,
        ) from None
    ds = Dataset(
        **tables,
        # the folder by its name: a report shows no server path
        data_dir=Path(str(meta.get("data_dir") or "")).name,
        fingerprint=str(meta.get("fingerprint") or ""),
        synthetic=bool(meta.get("synthetic", False)),
    )
    ds.__dict__["fatigue"] = fatigue
    return ds


def _read_cache(path: Path, root: Path, fp: str) -> Dataset | None:
    if not (path / "manifest.json").is_file():
        return None
    try:
        tables = {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES}
    except (OSError, ValueError):
        return None
    ds = Dataset(
        **tables, data_dir=str(root), fingerprint=fp, synthetic=(root / SYNTHETIC_MARKER).is_file()
    )
    try:
        ds.__dict__["fatigue"] = pd.read_parquet(path / "fatigue.parquet")
    except (OSError, ValueError):
        pass
    return ds


__all__ = [
    "CACHE_ENV",
    "SNAPSHOT_ENV",
    "Dataset",
    "all_rejected",
    "data_warnings",
    "load_dataset",
    "read_snapshot",
    "rejects_frame",
    "save_dataset",
]
