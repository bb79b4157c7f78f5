"""Run every report notebook with papermill into a folder of HTML reports: :func:`build_reports`.

``hipflex report DIR --out OUT`` writes, at the pinned paths,

- ``OUT/athletes/<athlete_id>.html`` — one per athlete in the roster,
- ``OUT/cohorts/<column>.html`` — one per cohort column of the roster,
- ``OUT/data_quality.html``,
- ``OUT/extra/<name>.html`` — any notebook of your own in the notebooks folder,
- ``OUT/index.html`` linking them all, opening with what needs a look,
- ``OUT/attention.csv`` (that list for other tools) and ``OUT/exports/<athlete_id>.xlsx``
  (:mod:`analysis.reports.pages.season`),

each with the executed notebook beside it (``.ipynb``). How it is fast, safe and robust:

* **Once-only cleaning.** ``hipflex report`` cleans the data once (through the Parquet
  cache ``OUT/.hipflex/cache``, or ``$HIPFLEX_CACHE_DIR``) and hands the
  :class:`~analysis.dataset.Dataset` to :func:`build_reports`, which writes a snapshot of
  the cleaned tables for the run (``OUT/.hipflex/snapshots/<run id>/``, one Parquet file
  per table); every kernel gets its part of it as the notebook parameter ``tables`` and
  its ``load_dataset(data_dir, tables=tables)`` reads exactly that snapshot — it never
  cleans again, so a file changed during the run cannot put other rows (or the cleaner's
  warnings) into a page. A missing snapshot fails the report clearly. No environment
  variable carries data or settings to a kernel: the batch's settings are one
  :class:`~analysis.reports.batch.settings.ReportSettings`.
* **Parallel workers.** ``jobs`` long-lived worker processes (default: the cores, bounded
  by the available memory ÷ the memory one report takes; printed at the start), each in
  its own session, run one report at a time: papermill, then the HTML export in-process
  (nbconvert, code hidden, figures embedded). A worker keeps its imports between reports;
  every report still gets a fresh kernel.
* **Kernels that cannot collide.** Kernels talk over IPC sockets (Unix domain sockets
  with unique names), not TCP ports, so parallel launches never race for a port (the
  ``ZMQError: Address already in use`` of papermill #511 / snakemake #3689). A kernel that
  still fails to start or to answer in time (papermill #239) is retried with back-off.
* **Nothing left behind.** A report that exceeds ``timeout`` seconds is stopped: its
  worker, the worker's process group and every descendant (the kernel, which jupyter
  starts in a session of its own) are killed, so no kernel outlives the command
  (papermill #478). ipykernel's parent poller is a second line: a kernel whose parent
  dies exits by itself.
  Workers and kernels also die with ``hipflex`` itself, even after ``kill -9`` (the
  parent-death signal, or a watchdog where there is none).
* **One owner of OUT.** Each run has an id, written to ``OUT/.hipflex/run`` under the
  folder's lock; temporary files carry it, and a page is renamed into place only while its
  run still owns ``OUT`` — a killed run can never overwrite a newer run's pages.
* **Failures stay contained.** A failed report keeps its executed notebook, error
  included, at its pinned ``.ipynb`` path; the index names it; the command exits
  non-zero. Every pinned file is written to a temporary file in ``OUT`` and renamed. A full
  disk stops the batch from taking more reports: old pages stay as they were, the index is
  rewritten if it can be and the summary names what was not attempted. Notebooks are
  checked before any work starts.
* **Incremental.** ``OUT/.hipflex/manifest.json`` stores, per report, a digest of its
  inputs (notebook bytes, package version and source, parameters and the data the report
  reads — for an athlete report only that athlete's rows) and the SHA-256 of the page the
  run wrote. A report whose inputs are unchanged and whose page is the one recorded is
  skipped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import hashlib
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import dataset as dataset_io  # by module: save_dataset looked up when called
from ...dataset import CACHE_ENV, Dataset, load_dataset
from ...errors import DataError
from ...io import write_text_atomic
from ...safe_text import one_line
from ..pages.season import season_outputs
from .cluster import cluster_engine
from .index import write_index
from .jobs import MANIFEST, RUN_FILE, SNAPSHOTS_DIR, STATE_DIR, BatchResult, ReportJob, ReportStatus
from .manifest import read_manifest, write_manifest
from .plan import check_notebooks, content_key, plan_reports_cached
from .runner import Progress, StopBatch, default_workers, run_jobs
from .settings import ReportSettings
from .state import evict_cache, inside, valid_target


def build_reports(
    ds: Dataset | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    settings: ReportSettings | None = None,
    **options: Any,
) -> BatchResult:
    """Run every report of a dataset into ``out`` and write ``out/index.html``.

    Parameters
    ----------
    ds : Dataset or path
        The cleaned dataset (``hipflex report`` cleans the folder once and passes it: it
        is not cleaned again). A path is the coach's data folder (``athletes.csv``, logs,
        results), cleaned here once, through the cache ``OUT/.hipflex/cache`` (or
        ``$HIPFLEX_CACHE_DIR``) with ``settings.hand_to_fat``: the convenience of scripts
        and notebooks.
    out : path
        Output folder; pinned paths ``index.html``, ``athletes/<athlete_id>.html``,
        ``cohorts/<column>.html``, ``data_quality.html`` (executed ``.ipynb`` beside each).
    settings : ReportSettings, optional
        Window, jobs, time limit, notebooks, kernel, cluster, ... (default: the defaults of
        :class:`~analysis.reports.batch.settings.ReportSettings`).
    **options
        Fields of :class:`~analysis.reports.batch.settings.ReportSettings` that replace
        those of ``settings`` (``jobs=2, progress=False``).

    Returns
    -------
    BatchResult
        ``.ok`` is False when any report failed; ``.failures``, ``.ran``, ``.skipped``.

    Raises
    ------
    DataError
        The data folder cannot be read at all (no roster, unreadable file, ...), or the
        notebooks folder or a notebook in it is missing or invalid (checked first).
    OSError
        ``out`` cannot be written (read-only, full); the CLI makes it one line.
    TypeError
        An option that is not a report setting.
    """
    clock = _Clock(time.perf_counter(), time.time())
    settings = (settings or ReportSettings()).with_options(**options)
    # named before any work starts
    settings = settings.with_options(notebooks_dir=check_notebooks(settings.notebooks_dir))
    out = Path(out)
    state = out / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with _exclusive(state / "lock"):
        run = _start_run(ds, state, settings)
        try:
            return _run(run, out, settings, clock)
        finally:
            shutil.rmtree(run.snapshot, ignore_errors=True)


@dataclass(frozen=True)
class _Clock:
    """When the batch started: ``perf`` for its duration, ``wall`` for the index."""

    perf: float
    wall: float


@dataclass(frozen=True)
class _Run:
    """One run of the batch: its id, its dataset and where its state lives."""

    run_id: str
    ds: Dataset
    data_dir: Path
    state: Path
    cache_dir: Path
    snapshot: Path  # written once there is a report to run


def _start_run(source: Dataset | str | os.PathLike[str], state: Path, settings) -> _Run:
    """Claim ``OUT`` for a new run and have its dataset (cleaned here if given a folder)."""
    run_id = _claim(state)
    cache_dir = Path(os.environ.get(CACHE_ENV) or state / "cache")
    if isinstance(source, Dataset):
        ds = source
    else:
        ds = load_dataset(source, cache_dir=cache_dir, hand_to_fat=settings.hand_to_fat)
    evict_cache(cache_dir, keep=str(ds.fingerprint or ""))  # the stated rule: state.py
    return _Run(
        run_id=run_id,
        ds=ds,
        data_dir=Path(ds.data_dir or "."),
        state=state,
        cache_dir=cache_dir,
        snapshot=state / SNAPSHOTS_DIR / run_id,
    )


def _page_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _claim(state: Path) -> str:
    """A new run id, written to ``OUT/.hipflex/run`` (the folder's lock is held): from now
    on only this run renames pages into ``OUT``. Snapshots and temporary notebooks of
    older runs (a run killed with ``kill -9`` leaves them) are removed."""
    run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    write_text_atomic(state / RUN_FILE, run_id + "\n")
    for folder in (state / SNAPSHOTS_DIR, state / "tmp"):
        if folder.is_dir():
            for old in folder.iterdir():
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink(missing_ok=True)
    return run_id


@contextlib.contextmanager
def _exclusive(path: Path):
    """Hold an exclusive lock on ``path``: two runs into one folder would trample each other."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataError(
                "another hipflex report is writing into this folder; try again when it is done",
                file=str(path.parent.parent),
            ) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _write_snapshot(ds, snapshot: Path, todo: list[ReportJob]) -> list[ReportJob]:
    """Write the run's snapshot: what every kernel of this run reads, and nothing else.

    The whole squad's tables for the squad, cohort, data-quality reports and notebooks of
    your own; for each athlete report to run, ``athletes/<page name>/`` with that athlete's
    rows only (:meth:`Dataset.athlete`), so an athlete's kernel never holds another
    athlete's data (its takeaway, which uses the squad's estimate, comes as a parameter).
    Returns ``todo`` with each athlete job pointing at its part (``ReportJob.tables``).
    """
    dataset_io.save_dataset(ds, snapshot)
    out = []
    for j in todo:
        if j.kind == "athlete":
            part = f"athletes/{Path(j.target).name}"
            dataset_io.save_dataset(ds.athlete(j.key), snapshot / part)
            j = dataclasses.replace(j, tables=part)
        out.append(j)
    return out


def _prune(manifest: dict, planned: list[ReportJob], out: Path) -> None:
    """Remove what was written for reports no longer planned (an athlete left the roster)."""
    wanted = {j.target for j in planned}
    for target in [t for t in manifest if t not in wanted]:
        for suffix in (".html", ".ipynb"):
            if not valid_target(target) or not inside(out, target + suffix):
                continue  # never a file outside OUT (the manifest is validated on read too)
            with contextlib.suppress(OSError):
                (out / (target + suffix)).unlink()
        del manifest[target]


@dataclass(frozen=True)
class _Todo:
    """The planned reports split into those to run and those whose page stands."""

    run: list[ReportJob]
    skipped: list[ReportStatus]


def _todo(planned: list[ReportJob], manifest: dict, out: Path, force: bool) -> _Todo:
    """A report is skipped when its inputs are unchanged and its page is the one recorded."""

    def unchanged(j: ReportJob) -> bool:
        m = manifest.get(j.target)
        return (
            not force
            and m is not None
            and m.get("digest") == j.digest
            and m.get("status") == "ok"
            and (out / (j.target + ".ipynb")).is_file()
            # the page is the one this manifest's run wrote (not a stale writer's)
            and bool(m.get("html_sha"))
            and _page_sha(out / (j.target + ".html")) == m.get("html_sha")
        )

    skipped = [ReportStatus(j, "skipped") for j in planned if unchanged(j)]
    done = {st.job.target for st in skipped}
    return _Todo(run=[j for j in planned if j.target not in done], skipped=skipped)


@dataclass
class _Book:
    """The statuses of the batch and its manifest, updated as each report is done (from the
    engine's threads)."""

    out: Path
    path: Path
    manifest: dict
    bar: Progress
    on_cluster: bool
    statuses: dict[str, ReportStatus] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def done(self, st: ReportStatus) -> None:
        """Record a report's status; the manifest is rewritten when the run wrote its page."""
        with self.lock:
            self.statuses[st.job.target] = st
            if not st.html_sha and self.on_cluster:  # the submitter wrote it just now
                st.html_sha = _page_sha(self.out / st.html_path)
            if not st.html_sha:  # this run wrote no page: keep what the manifest knew
                self.bar.update(st)
                return
            self.manifest[st.job.target] = {
                "digest": st.job.digest,
                "html_sha": st.html_sha,
                "status": st.status,
                "error": st.error,
                "seconds": st.seconds,
                "attempts": st.attempts,
                "kind": st.job.kind,
                "title": st.job.title,
                "finished": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            }
            write_manifest(self.path, self.manifest)
        self.bar.update(st)


@dataclass(frozen=True)
class _Engine:
    """What runs the reports: local worker processes or a Dask cluster, how many at a time
    and why (printed), and the engine's own keywords."""

    run: Callable[..., list[ReportStatus]]
    workers: int | None
    why: str
    local: dict = field(default_factory=dict)


def _engine(settings: ReportSettings, run: _Run, stop: StopBatch) -> _Engine:
    """The local runner, or the same batch on a Dask cluster with this run's snapshot."""
    jobs = settings.jobs
    if settings.scheduler is not None:  # the cluster's workers decide, unless --jobs caps it
        n_workers = int(jobs) if jobs else None
        why = (
            f"at most {n_workers} at a time on the Dask cluster (--jobs)"
            if n_workers
            else "on the Dask cluster (its workers decide how many at a time)"
        )
        engine = cluster_engine(settings.scheduler, run.data_dir, run.snapshot, tables_param=True)
        return _Engine(engine, n_workers, why)
    if jobs:
        n_workers, why = int(jobs), f"{int(jobs)} at a time (--jobs)"
    else:
        n_workers, why = default_workers()
    local = {"run_id": run.run_id, "snapshot": run.snapshot, "stop": stop}
    return _Engine(run_jobs, n_workers, why, local)


def _run(run: _Run, out: Path, settings: ReportSettings, clock: _Clock) -> BatchResult:
    """Plan, run what is out of date, then the season's outputs and the index."""
    content = content_key(run.ds)  # keys the reused plan and the exports: hashed once
    planned = plan_reports_cached(
        run.ds,
        run.data_dir,
        settings.notebooks_dir,
        window_days=settings.window_days,
        state=run.state,
        content=content,
    )
    book = _Book(
        out=out,
        path=run.state / MANIFEST,
        manifest=read_manifest(run.state / MANIFEST),
        bar=Progress(len(planned), settings.progress),
        on_cluster=settings.scheduler is not None,
    )
    _prune(book.manifest, planned, out)
    todo = _todo(planned, book.manifest, out, settings.force)
    for st in todo.skipped:
        book.statuses[st.job.target] = st
        book.bar.update(st)
    stop = StopBatch()
    engine = _engine(settings, run, stop)
    if settings.progress is not False and todo.run:
        print(f"hipflex: {len(todo.run)} reports to run, {engine.why}", file=sys.stderr, flush=True)
    try:
        if todo.run:
            engine.run(
                _write_snapshot(run.ds, run.snapshot, todo.run),
                out,
                workers=engine.workers,
                timeout=settings.timeout,
                kernel_name=settings.kernel_name,
                cache_dir=run.cache_dir,
                retries=settings.retries,
                on_done=book.done,
                **engine.local,
            )
    finally:
        book.bar.close()
    return _finish(run, out, settings, clock, planned, book, stop, content)


def _finish(
    run: _Run,
    out: Path,
    settings: ReportSettings,
    clock: _Clock,
    planned: list[ReportJob],
    book: _Book,
    stop: StopBatch,
    content: str,
) -> BatchResult:
    """The manifest, the coach's season (attention list, exports) and the index; the summary."""
    problems: list[str] = []
    try:
        write_manifest(book.path, book.manifest)
    except OSError as exc:
        problems.append(f"manifest not written: {exc.strerror or exc}")
    ordered = [book.statuses[j.target] for j in planned if j.target in book.statuses]
    result = BatchResult(out=out, reports=ordered, seconds=time.perf_counter() - clock.perf)
    result.not_attempted = [j for j in planned if j.target not in book.statuses]
    if result.not_attempted:
        result.stopped = stop.reason or "the batch stopped"
    # the coach's season: OUT/attention.csv, OUT/exports/, the index's first sections
    pages = {str(r.job.key): r.html_path for r in ordered if r.job.kind == "athlete"}
    season_html, season = "", None
    if stop.is_set():
        problems.append("attention list and exports not rewritten (the batch stopped)")
    else:
        try:
            # the exports are made from the tables: their content keys them
            season = season_outputs(
                run.ds,
                out,
                pages,
                key=content,
                include_health=settings.include_health,
                window_days=settings.window_days,
            )
            problems += season.problems
            season_html = season.html
        except OSError as exc:
            problems.append(f"attention list and exports not written: {exc.strerror or exc}")
    result.problems = problems
    try:
        result.index = write_index(
            out,
            ordered,
            book.manifest,
            run.ds,
            run.data_dir,
            clock.wall,
            result.seconds,
            top=season_html,
            not_attempted=result.not_attempted,
        )
    except OSError as exc:
        result.problems.append(f"index.html not rewritten: {exc.strerror or exc}")
    result.seconds = time.perf_counter() - clock.perf
    progress = settings.progress
    if progress is not False or not result.ok:
        print(result.summary(), file=sys.stderr if not result.ok else sys.stdout)
    if progress is not False and not stop.is_set() and season is not None and season.summary:
        print(one_line(season.summary))  # one plain paragraph: what needs a look (cron mails it)
    return result


__all__ = ["ReportSettings", "build_reports"]
