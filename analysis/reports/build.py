"""Run every report notebook with papermill into a folder of HTML reports: :func:`build_reports`.

``hipflex report DIR --out OUT`` writes, at the pinned paths,

- ``OUT/athletes/<athlete_id>.html`` — one per athlete in the roster,
- ``OUT/cohorts/<column>.html`` — one per cohort column of the roster,
- ``OUT/data_quality.html``,
- ``OUT/extra/<name>.html`` — any notebook of your own in the notebooks folder,
- ``OUT/index.html`` linking them all, opening with what needs a look,
- ``OUT/attention.csv`` (that list for other tools) and ``OUT/exports/<athlete_id>.xlsx``
  (:mod:`analysis.reports.season`),

each with the executed notebook beside it (``.ipynb``). How it is fast, safe and robust:

* **Once-only cleaning.** The parent cleans the data once (through the Parquet cache
  ``OUT/.hipflex/cache``, or ``$HIPFLEX_CACHE_DIR``) and writes a snapshot of the cleaned
  tables for the run (``OUT/.hipflex/snapshots/<run id>/``, one Parquet file per table);
  every kernel gets its path in ``$HIPFLEX_SNAPSHOT`` and its ``load_dataset`` reads exactly
  that snapshot — it never cleans again, so a file changed during the run cannot put other
  rows (or the cleaner's warnings) into a page. A missing snapshot fails the report clearly.
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
import datetime as _dt
import hashlib
import os
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

from ..safe_text import one_line
from .index import write_index
from .jobs import (
    DEFAULT_WINDOW,
    KERNEL_NAME,
    MANIFEST,
    RUN_FILE,
    SNAPSHOTS_DIR,
    START_RETRIES,
    STATE_DIR,
    BatchResult,
    ReportJob,
    ReportStatus,
)
from .manifest import _read_manifest, _write_manifest
from .plan import check_notebooks, content_key, plan_reports_cached
from .runner import StopBatch, _Progress, default_workers, run_jobs
from .season import season_outputs
from .state import evict_cache, inside, valid_target


def build_reports(
    data_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    timeout: float | None = 600.0,
    force: bool = False,
    progress: bool | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    window_days: int = DEFAULT_WINDOW,
    kernel_name: str = KERNEL_NAME,
    retries: int = START_RETRIES,
    scheduler=None,
    include_health: bool = False,
) -> BatchResult:
    """Run every report of a data folder into ``out`` and write ``out/index.html``.

    Parameters
    ----------
    data_dir : path
        The coach's data folder (``athletes.csv``, logs, results).
    out : path
        Output folder; pinned paths ``index.html``, ``athletes/<athlete_id>.html``,
        ``cohorts/<column>.html``, ``data_quality.html`` (executed ``.ipynb`` beside each).
    jobs : int, optional
        Reports run in parallel (default: the CPUs available, bounded by the available
        memory ÷ memory per report: :func:`analysis.reports.runner.default_workers`).
    timeout : float, optional
        Seconds one report may take before it is stopped and marked failed (None: no
        limit).
    force : bool
        Re-run every report even if its inputs are unchanged.
    progress : bool, optional
        True: progress bar; False: silent; None: a bar on a terminal, one line per report
        otherwise (cron).
    notebooks_dir : path, optional
        Where the notebooks are (default: the project's ``notebooks/``).
    window_days : int
        Volume window of the athlete and cohort reports.
    kernel_name : str
        Jupyter kernel (default ``python3``, started with this interpreter).
    retries : int
        Attempts for a kernel that fails to start.
    scheduler : str or distributed.Client, optional
        Run the reports as tasks on this Dask cluster (``analysis.reports.cluster``), which
        ships the run's snapshot (``$HIPFLEX_SNAPSHOT``) to its workers; default: local
        worker processes.
    include_health : bool
        Put the injury log in ``OUT/exports/`` (each athlete's own injuries in their book,
        the log in the squad book); default: health data stays out of the exports.

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
    """

    t0 = time.perf_counter()
    started = time.time()
    notebooks_dir = check_notebooks(notebooks_dir)  # named before any work starts
    out = Path(out)
    data_dir = Path(data_dir)
    state = out / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with _exclusive(state / "lock"):
        return _build(data_dir, out, state, t0, started, jobs, timeout, force, progress,
                      notebooks_dir, window_days, kernel_name, retries, scheduler,
                      include_health=include_health)  # fmt: skip


def _page_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _claim(state: Path) -> str:
    """A new run id, written to ``OUT/.hipflex/run`` (the folder's lock is held): from now
    on only this run renames pages into ``OUT``. Snapshots and temporary notebooks of
    older runs (a run killed with ``kill -9`` leaves them) are removed."""
    from ..io import write_text_atomic

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
            from ..errors import DataError

            raise DataError(
                "another hipflex report is writing into this folder; try again when it is done",
                file=str(path.parent.parent),
            ) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _build(data_dir, out, state, t0, started, jobs, timeout, force, progress,
           notebooks_dir, window_days, kernel_name, retries, scheduler=None, *,
           include_health: bool = False) -> BatchResult:  # fmt: skip
    from ..dataset import CACHE_ENV, SNAPSHOT_ENV, load_dataset

    run_id = _claim(state)
    cache_dir = Path(os.environ.get(CACHE_ENV) or state / "cache")
    with _without(SNAPSHOT_ENV):  # the parent cleans (a kernel's variable is not for it)
        ds = load_dataset(data_dir, cache_dir=cache_dir)
    evict_cache(cache_dir, keep=str(ds.fingerprint or ""))  # the stated rule: state.py
    snapshot = state / SNAPSHOTS_DIR / run_id  # written once there is a report to run
    try:
        return _run(ds, data_dir, out, state, t0, started, jobs, timeout, force, progress,
                    notebooks_dir, window_days, kernel_name, retries, run_id, cache_dir,
                    snapshot, scheduler, include_health=include_health)  # fmt: skip
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)


def _write_snapshot(ds, snapshot: Path, todo: list[ReportJob]) -> list[ReportJob]:
    """Write the run's snapshot: what every kernel of this run reads, and nothing else.

    The whole squad's tables for the squad, cohort, data-quality reports and notebooks of
    your own; for each athlete report to run, ``athletes/<page name>/`` with that athlete's
    rows only (:meth:`Dataset.athlete`), so an athlete's kernel never holds another
    athlete's data (its takeaway, which uses the squad's estimate, comes as a parameter).
    Returns ``todo`` with each athlete job pointing at its part (``ReportJob.tables``).
    """
    import dataclasses

    from ..dataset import save_dataset

    save_dataset(ds, snapshot)
    out = []
    for j in todo:
        if j.kind == "athlete":
            part = f"athletes/{Path(j.target).name}"
            save_dataset(ds.athlete(j.key), snapshot / part)
            j = dataclasses.replace(j, tables=part)
        out.append(j)
    return out


@contextlib.contextmanager
def _without(var: str):
    saved = os.environ.pop(var, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[var] = saved


def _run(ds, data_dir, out, state, t0, started, jobs, timeout, force, progress,
         notebooks_dir, window_days, kernel_name, retries, run_id, cache_dir,
         snapshot, scheduler=None, *, include_health: bool = False) -> BatchResult:  # fmt: skip
    content = content_key(ds)  # keys the reused plan and the exports: hashed once
    planned = plan_reports_cached(
        ds, data_dir, notebooks_dir, window_days=window_days, state=state, content=content
    )
    manifest_path = state / MANIFEST
    manifest = _read_manifest(manifest_path)

    # reports no longer planned (an athlete left the roster): remove what we wrote for them
    wanted = {j.target for j in planned}
    for target in [t for t in manifest if t not in wanted]:
        for suffix in (".html", ".ipynb"):
            if not valid_target(target) or not inside(out, target + suffix):
                continue  # never a file outside OUT (the manifest is validated on read too)
            with contextlib.suppress(OSError):
                (out / (target + suffix)).unlink()
        del manifest[target]

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

    statuses: dict[str, ReportStatus] = {}
    todo = []
    for j in planned:
        if unchanged(j):
            statuses[j.target] = ReportStatus(j, "skipped")
        else:
            todo.append(j)
    bar = _Progress(len(planned), progress)
    for st in statuses.values():
        bar.update(st)
    lock = threading.Lock()

    def done(st: ReportStatus) -> None:
        with lock:
            statuses[st.job.target] = st
            if not st.html_sha and scheduler is not None:  # the submitter wrote it just now
                st.html_sha = _page_sha(out / st.html_path)
            if not st.html_sha:  # this run wrote no page: keep what the manifest knew
                bar.update(st)
                return
            manifest[st.job.target] = {
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
            _write_manifest(manifest_path, manifest)
        bar.update(st)

    if scheduler is not None:  # the cluster's workers decide, unless --jobs caps the batch
        n_workers = int(jobs) if jobs else None
        why = (
            f"at most {n_workers} at a time on the Dask cluster (--jobs)"
            if n_workers
            else "on the Dask cluster (its workers decide how many at a time)"
        )
    elif jobs:
        n_workers, why = int(jobs), f"{int(jobs)} at a time (--jobs)"
    else:
        n_workers, why = default_workers()
    if progress is not False and todo:
        print(f"hipflex: {len(todo)} reports to run, {why}", file=sys.stderr, flush=True)
    stop = StopBatch()
    engine, local = run_jobs, {"run_id": run_id, "snapshot": snapshot, "stop": stop}
    if scheduler is not None:  # the same batch on a Dask cluster, with this run's snapshot
        from ..dataset import SNAPSHOT_ENV
        from .cluster import cluster_engine

        engine = cluster_engine(
            scheduler, data_dir, snapshot, tables_include=None, tables_env=SNAPSHOT_ENV
        )
        local = {}
    try:
        if todo:
            todo = _write_snapshot(ds, snapshot, todo)
            engine(
                todo,
                out,
                workers=n_workers,
                timeout=timeout,
                kernel_name=kernel_name,
                cache_dir=cache_dir,
                retries=retries,
                on_done=done,
                **local,
            )
    finally:
        bar.close()
    problems: list[str] = []
    try:
        _write_manifest(manifest_path, manifest)
    except OSError as exc:
        problems.append(f"manifest not written: {exc.strerror or exc}")
    ordered = [statuses[j.target] for j in planned if j.target in statuses]
    result = BatchResult(out=out, reports=ordered, seconds=time.perf_counter() - t0)
    result.not_attempted = [j for j in planned if j.target not in statuses]
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
                ds, out, pages, key=content, include_health=include_health, window_days=window_days
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
            manifest,
            ds,
            data_dir,
            started,
            result.seconds,
            top=season_html,
            not_attempted=result.not_attempted,
        )
    except OSError as exc:
        result.problems.append(f"index.html not rewritten: {exc.strerror or exc}")
    result.seconds = time.perf_counter() - t0
    if progress is not False or not result.ok:
        print(result.summary(), file=sys.stderr if not result.ok else sys.stdout)
    if progress is not False and not stop.is_set() and season is not None and season.summary:
        print(one_line(season.summary))  # one plain paragraph: what needs a look (cron mails it)
    return result
