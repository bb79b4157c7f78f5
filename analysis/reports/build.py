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

* **Once-only cleaning.** The parent cleans the data once into a Parquet cache
  (``OUT/.hipflex/cache``, or ``$HIPFLEX_CACHE_DIR``) and passes that cache to the kernels,
  so each notebook's ``load_dataset(data_dir)`` is a cache hit.
* **Parallel workers.** ``jobs`` long-lived worker processes (default: the cores), each in
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
* **Failures stay contained.** A failed report keeps its executed notebook, error
  included, at its pinned ``.ipynb`` path; the index names it; the command exits
  non-zero. Every pinned file is written to a temporary file in ``OUT`` and renamed.
* **Incremental.** ``OUT/.hipflex/manifest.json`` stores, per report, a digest of its
  inputs: notebook bytes, package version and source, parameters and the data the report
  reads — for an athlete report only that athlete's rows. An unchanged report is skipped.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
import threading
import time
from pathlib import Path

from .index import write_index
from .jobs import (
    DEFAULT_WINDOW,
    KERNEL_NAME,
    MANIFEST,
    START_RETRIES,
    STATE_DIR,
    BatchResult,
    ReportJob,
    ReportStatus,
)
from .manifest import _read_manifest, _write_manifest
from .plan import plan_reports
from .runner import _Progress, run_jobs
from .season import season_outputs


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
        Reports run in parallel (default: the CPUs available).
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
        Run the reports as tasks on this Dask cluster (``tcp://HOST:8786``;
        :mod:`analysis.reports.cluster`) instead of local worker processes.

    Returns
    -------
    BatchResult
        ``.ok`` is False when any report failed; ``.failures``, ``.ran``, ``.skipped``.

    Raises
    ------
    DataError
        The data folder cannot be read at all (no roster, unreadable file, ...).
    """

    t0 = time.perf_counter()
    started = time.time()
    out = Path(out)
    data_dir = Path(data_dir)
    state = out / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    with _exclusive(state / "lock"):
        return _build(data_dir, out, state, t0, started, jobs, timeout, force, progress,
                      notebooks_dir, window_days, kernel_name, retries, scheduler)  # fmt: skip


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
           notebooks_dir, window_days, kernel_name, retries, scheduler=None) -> BatchResult:  # fmt: skip
    from ..dataset import CACHE_ENV, load_dataset

    cache_dir = Path(os.environ.get(CACHE_ENV) or state / "cache")
    ds = load_dataset(data_dir, cache_dir=cache_dir)
    planned = plan_reports(ds, data_dir, notebooks_dir, window_days=window_days)
    manifest_path = state / MANIFEST
    manifest = _read_manifest(manifest_path)

    # reports no longer planned (an athlete left the roster): remove what we wrote for them
    wanted = {j.target for j in planned}
    for target in [t for t in manifest if t not in wanted]:
        for suffix in (".html", ".ipynb"):
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
            and (out / (j.target + ".html")).is_file()
            and (out / (j.target + ".ipynb")).is_file()
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
            manifest[st.job.target] = {
                "digest": st.job.digest,
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

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_workers = jobs or cpus or 1
    try:
        engine = run_jobs
        if scheduler is not None:  # the same batch on a Dask cluster
            from .cluster import cluster_engine

            engine = cluster_engine(scheduler, data_dir, cache_dir, tables_include=[ds.fingerprint])
        if todo:
            engine(
                todo,
                out,
                workers=n_workers,
                timeout=timeout,
                kernel_name=kernel_name,
                cache_dir=cache_dir,
                retries=retries,
                on_done=done,
            )
    finally:
        bar.close()
    _write_manifest(manifest_path, manifest)
    ordered = [statuses[j.target] for j in planned if j.target in statuses]
    result = BatchResult(out=out, reports=ordered, seconds=time.perf_counter() - t0)
    # the coach's season: OUT/attention.csv, OUT/exports/, the index's first sections
    pages = {str(r.job.key): r.html_path for r in ordered if r.job.kind == "athlete"}
    season = season_outputs(ds, out, pages)
    result.problems = season.problems
    result.index = write_index(
        out, ordered, manifest, ds, data_dir, started, result.seconds, top=season.html
    )
    result.seconds = time.perf_counter() - t0
    if progress is not False or not result.ok:
        print(result.summary(), file=sys.stderr if not result.ok else sys.stdout)
    if progress is not False and season.summary:
        print(season.summary)  # one plain paragraph: what needs a look (cron mails it)
    return result
