"""Load a coach's data folder into clean tables: :func:`load_dataset`.

A data folder holds ``athletes.csv`` (the roster) and any number of training-log and
sprint-result files, CSV or Excel, classified by their headers. Every data row ends in a
clean table or in ``rejects``; :attr:`Dataset.reconciliation` shows the counts per file.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import config
from ._version import __version__
from .catalog import default_catalog_path, load_catalog
from .errors import DataError
from .exit_status import all_rejected
from .folder_tables import clean_folder_tables, empty_not_data, read_folder, reconcile
from .ingest.files import scan_folder
from .injuries import clean_injuries, empty_injuries
from .io import read_raw, write_parquet_atomic, write_text_atomic
from .names import load_roster
from .plan import empty_plan, load_plan
from .schema import concat_rejects, rejects_frame

TABLES = (
    "athletes", "log", "races", "splits", "rejects", "reconciliation", "skipped", "plan",
    "not_data", "injuries",
)  # fmt: skip

#: Environment variable naming a folder where cleaned datasets are cached as Parquet,
#: keyed by :func:`analysis.fingerprint.fingerprint` (file contents, code, settings, date).
#: A cache location only: an entry is found under the key of everything that makes the
#: tables, so it cannot change what :func:`load_dataset` returns.
CACHE_ENV = "HIPFLEX_CACHE_DIR"

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
    not_data: pd.DataFrame = field(default_factory=lambda: empty_not_data())
    data_dir: str = ""
    fingerprint: str = ""
    #: True when the folder holds a ``SYNTHETIC.md`` marker (written by ``hipflex sample``):
    #: every report then says, prominently, that the data are synthetic.
    synthetic: bool = False
    #: The coach's plan (``plan.csv`` / ``plan.xlsx``) expanded per athlete and week
    #: (:func:`analysis.plan.load_plan`); empty when the folder has no plan.
    plan: pd.DataFrame = field(default_factory=empty_plan)
    #: The injury log (``injuries.csv`` / ``injuries.xlsx`` or any sheet whose header reads
    #: as one; :func:`analysis.injuries.clean_injuries`); empty when the folder has none.
    #: Health data: an athlete's own page and aggregates only.
    injuries: pd.DataFrame = field(default_factory=empty_injuries)
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


# ---------------------------------------------------------------------- loading


def load_dataset(
    data_dir: str | os.PathLike[str],
    *,
    catalog: pd.DataFrame | str | os.PathLike[str] | None = None,
    dayfirst: bool | None = None,
    today=None,
    cache_dir: str | os.PathLike[str] | None = None,
    hand_to_fat: Mapping[int, float] | None = None,
    exclude: Sequence[str | os.PathLike[str]] = (),
    tables: str | os.PathLike[str] | None = None,
) -> Dataset:
    """Read and clean every file of a data folder, or read cleaned tables already written.

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
    tables
        A folder of cleaned tables written by :func:`save_dataset` (a report run's
        snapshot, which ``hipflex report`` passes to each notebook as its ``tables``
        parameter): read exactly those (:func:`read_snapshot`) and clean nothing; the
        folder and every other option are not read. No environment variable stands in
        for this argument.

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
    if tables is not None:
        return read_snapshot(tables)  # a report kernel: the run's tables, never a re-clean
    root = Path(data_dir)
    if not root.is_dir():
        raise DataError("data folder not found", file=str(root))
    walk = scan_folder(root, exclude=exclude)
    files = walk.files
    catalog_path = None
    if catalog is None or isinstance(catalog, str | os.PathLike):
        catalog_path = Path(catalog) if catalog is not None else default_catalog_path()

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

    def key() -> str:
        return _fp.fingerprint(files, root=root, settings=settings).key

    # Large files are hashed on a thread (hashlib releases the GIL) while the catalog is
    # read and, when no cache is looked up, while the files are cleaned: the key is then
    # only stored in the Dataset. Small ones are hashed on the spot: the package's ~200
    # source files hashed beside them are Python work that holds the GIL, and a thread
    # doing it cost the clean of a 20-sheet workbook more than it saved (~10-15 ms).
    threaded = sum(_size(p) for p in files) >= HASH_ON_THREAD_BYTES
    with ThreadPoolExecutor(1) if threaded else contextlib.nullcontext() as pool:
        fingerprint = pool.submit(key).result if pool else functools.partial(str, key())
        if catalog_path is not None:
            catalog = load_catalog(catalog_path)
        if cache_dir is not None:
            fp = fingerprint()
            cached = _read_cache(Path(cache_dir) / fp, root, fp)
            if cached is not None:
                return cached
        with _cycles_collected_after():
            return _clean_dataset(
                root, files, walk.skipped, catalog, offsets, dayfirst, today, fingerprint,
                cache_dir,
            )  # fmt: skip


#: Input bytes from which the files are hashed on a thread beside the clean (hashing
#: runs at ~1 GB/s: 16 MB is ~15 ms, what the thread's switching costs).
HASH_ON_THREAD_BYTES = 16 * 2**20


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a folder is cleaned, then resumed.

    Reading a workbook or a grid makes a list per row and a string per cell, all alive
    until the sheet is parsed: each automatic collection walks them all again, and did
    so often enough to take 10-12 % of a clean (benchmarks/clean_grid.py at 200,000
    cells, benchmarks/clean_workbook.py). Reference counting still frees everything
    that is not a cycle as it goes; cycles wait for the next collection after the clean.
    A collector already off (the caller's choice) is left off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _clean_dataset(
    root: Path,
    files: list[Path],
    walk_skipped: list,
    catalog: pd.DataFrame,
    offsets: Mapping[int, float],
    dayfirst: bool | None,
    today: object,
    fingerprint: Callable[[], str],
    cache_dir: str | os.PathLike[str] | None,
) -> Dataset:
    """The cleaning of :func:`load_dataset` once the settings are known (``fingerprint``
    gives the cache key when the dataset is built)."""
    roster_files = [p for p in files if p.stem.lower() in ("athletes", "roster")]
    if not roster_files:
        raise DataError("no roster: the folder needs an athletes.csv", file=str(root))
    roster_tables = read_raw(roster_files[0], root=root)
    if not roster_tables:
        raise DataError("roster has no data rows", file=roster_files[0].name)
    athletes = load_roster(roster_tables[0].frame, source=roster_tables[0].source)

    tables = read_folder(root, files, roster_files[0], athletes, dayfirst=dayfirst)
    tables.skipped.extend(walk_skipped)
    kw = {"dayfirst": dayfirst, "today": today}
    log, races, splits, rejects, tables = clean_folder_tables(
        tables, athletes, catalog, offsets, kw
    )
    plan, plan_rej = load_plan(tables.plan_tables, athletes, catalog, dayfirst=dayfirst)
    plan_rows = plan.drop_duplicates(["source", "source_row"])
    injuries, inj_rej = clean_injuries(tables.injuries, athletes, **kw)
    # the cleaners' rejects are sorted already: stacked again only when there are more
    if len(plan_rej) or len(inj_rej):
        rejects = concat_rejects(rejects, plan_rej, inj_rej)
    reconciliation = reconcile(
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
        fingerprint=fingerprint(),
        synthetic=(root / SYNTHETIC_MARKER).is_file(),
        plan=plan,
        injuries=injuries,
    )
    if cache_dir is not None:
        save_dataset(ds, Path(cache_dir) / ds.fingerprint)
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
    """The cleaned tables a report run wrote with :func:`save_dataset` (a kernel's ``tables``).

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
    "Dataset",
    "all_rejected",
    "data_warnings",
    "load_dataset",
    "read_snapshot",
    "rejects_frame",
    "save_dataset",
]
