"""Load a coach's data folder into clean tables: :func:`load_dataset`.

A data folder holds ``athletes.csv`` (the roster) and any number of training-log and
sprint-result files, CSV or Excel, classified by their headers. Every data row ends in a
clean table or in ``rejects``; :attr:`Dataset.reconciliation` shows the counts per file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import __version__, config
from .errors import DataError
from .io import (
    LOG_SYNONYMS,
    RESULT_SYNONYMS,
    as_text,
    canonicalize_columns,
    classify,
    concat_raw,
    iter_raw_files,
    read_raw,
    write_parquet_atomic,
    write_text_atomic,
)
from .names import load_roster
from .schema import concat_rejects, rejects_frame

TABLES = ("athletes", "log", "races", "splits", "rejects", "reconciliation", "skipped", "plan")

#: Environment variable naming a folder where cleaned datasets are cached as Parquet,
#: keyed by :func:`analysis.fingerprint.fingerprint` (file contents, code, settings, date).
CACHE_ENV = "HIPFLEX_CACHE_DIR"

#: A data folder holding this file is synthetic (``hipflex sample`` writes it).
SYNTHETIC_MARKER = "SYNTHETIC.md"


@dataclass
class Dataset:
    """The clean tables of one data folder.

    Attributes
    ----------
    athletes, log, races, splits, rejects
        The pinned clean tables (see DESIGN.md).
    reconciliation
        One row per raw file/sheet: ``rows_read = clean + rejected + duplicates``
        (``partial`` rows are counted in ``clean`` and named in ``rejects``).
    skipped
        Files or sheets that held no roster, log or result columns, with the reason.
    """

    athletes: pd.DataFrame
    log: pd.DataFrame
    races: pd.DataFrame
    splits: pd.DataFrame
    rejects: pd.DataFrame
    reconciliation: pd.DataFrame
    skipped: pd.DataFrame
    data_dir: str = ""
    fingerprint: str = ""
    #: True when the folder holds a ``SYNTHETIC.md`` marker (written by ``hipflex sample``):
    #: every report then says, prominently, that the data are synthetic.
    synthetic: bool = False
    #: The coach's plan (``plan.csv`` / ``plan.xlsx``) expanded per athlete and week
    #: (:func:`analysis.plan.load_plan`); empty when the folder has no plan.
    plan: pd.DataFrame = field(default_factory=lambda: _empty_plan())
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
        own_sources = set(self.log.loc[self.log["athlete_id"] == aid, "source"]) | set(
            races["source"]
        )
        # Rejects whose athlete could be resolved carry its id; unresolved ones belong to
        # nobody and stay out of a per-athlete view.
        return Dataset(
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
            data_dir=self.data_dir,
            fingerprint=self.fingerprint,
            synthetic=self.synthetic,
            plan=self.plan[self.plan["athlete_id"] == aid].reset_index(drop=True),
        )

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


def _empty_plan() -> pd.DataFrame:
    from .plan import _empty_plan as empty_plan

    return empty_plan()


# ---------------------------------------------------------------------- loading


def _reconcile(
    raw_counts: pd.DataFrame, clean: dict[str, pd.DataFrame], rejects: pd.DataFrame
) -> pd.DataFrame:
    rec = raw_counts.copy()
    n_clean = (
        pd.concat(
            [df["source"].value_counts() for df in clean.values() if len(df)]
            or [pd.Series(dtype="Int64")]
        )
        .groupby(level=0)
        .sum()
    )
    rej = rejects.drop_duplicates(["source", "source_row", "kind"])
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
    from .logs import clean_training_log
    from .sprints import clean_sprints

    root = Path(data_dir)
    if not root.is_dir():
        raise DataError("data folder not found", file=str(root))
    files = list(iter_raw_files(root))
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

    from .plan import is_plan_file, load_plan

    logs, results, counts, skipped, plan_tables = [], [], [], [], []
    for path in files:
        if path == roster_files[0]:
            continue
        if is_plan_file(path):  # the coach's plan, never a training log
            for t in read_raw(path, root=root):
                plan_tables.append(t)
                counts.append({"source": t.source, "table": "plan", "rows_read": len(t.frame)})
            continue
        # dictionary-encoded: a large log is cleaned from its codes and distinct spellings
        empty_sheets: list[str] = []
        tables = read_raw(path, root=root, categorical=True, empty_sheets=empty_sheets)
        if not tables and not empty_sheets:
            skipped.append({"source": str(path.relative_to(root)), "reason": "no data rows"})
        for sheet in empty_sheets:
            skipped.append({"source": sheet, "reason": "empty sheet (no data rows)"})
        for t in tables:
            kind = classify(t.frame)
            if kind == "log":
                logs.append(canonicalize_columns(t.frame, LOG_SYNONYMS))
            elif kind == "results":
                results.append(
                    canonicalize_columns(as_text(t.frame), RESULT_SYNONYMS, keep_split_columns=True)
                )
            else:
                skipped.append(
                    {
                        "source": t.source,
                        "reason": "no training-log or result columns (need athlete + exercise, "
                        "or athlete + event + time)",
                    }
                )
                continue
            counts.append(
                {
                    "source": t.source,
                    "table": "log" if kind == "log" else "races",
                    "rows_read": len(t.frame),
                }
            )

    raw_log = concat_raw(logs) if logs else None
    raw_res = pd.concat(results, ignore_index=True) if results else None
    kw = {"dayfirst": dayfirst, "today": today}
    if raw_log is not None:
        log, log_rej = clean_training_log(raw_log, athletes, catalog, **kw)
    else:
        log, log_rej = clean_training_log(None, athletes, catalog, **kw)
    if raw_res is not None:
        races, splits, res_rej = clean_sprints(raw_res, athletes, hand_to_fat=offsets, **kw)
    else:
        races, splits, res_rej = clean_sprints(None, athletes, hand_to_fat=offsets, **kw)
    plan, plan_rej = load_plan(plan_tables, athletes, catalog, dayfirst=dayfirst)
    rejects = concat_rejects(log_rej, res_rej, plan_rej)
    raw_counts = pd.DataFrame(counts, columns=["source", "table", "rows_read"])
    plan_rows = plan.drop_duplicates(["source", "source_row"])
    reconciliation = _reconcile(
        raw_counts, {"log": log, "races": races, "plan": plan_rows}, rejects
    )
    ds = Dataset(
        athletes=athletes,
        log=log,
        races=races,
        splits=splits,
        rejects=rejects,
        reconciliation=reconciliation,
        skipped=pd.DataFrame(skipped, columns=["source", "reason"]).astype("string"),
        data_dir=str(root),
        fingerprint=fp,
        synthetic=(root / SYNTHETIC_MARKER).is_file(),
        plan=plan,
    )
    if cache_dir is not None:
        save_dataset(ds, Path(cache_dir) / fp)
    return ds


def save_dataset(ds: Dataset, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write every table of ``ds`` as Parquet into ``out_dir`` (each file atomically)."""
    out = Path(out_dir)
    written = []
    for name in TABLES:
        written.append(write_parquet_atomic(getattr(ds, name), out / f"{name}.parquet"))
    written.append(write_parquet_atomic(ds.fatigue, out / "fatigue.parquet"))
    meta = {"data_dir": ds.data_dir, "fingerprint": ds.fingerprint, "version": __version__}
    # manifest last: its presence marks a complete cache entry
    written.append(write_text_atomic(out / "manifest.json", json.dumps(meta, indent=2)))
    return written


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


__all__ = ["CACHE_ENV", "Dataset", "load_dataset", "rejects_frame", "save_dataset"]
