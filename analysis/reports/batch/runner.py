"""Running reports on long-lived worker processes (:func:`run_jobs`): one report at a time per
worker, a time limit per report, the workers and their kernels (and nothing else) killed on a
timeout, Ctrl-C or SIGTERM, progress on a terminal or one line per report.

Workers and kernels die with their parent even when it is killed with ``kill -9`` (the
parent-death signal, or a watchdog: :func:`analysis.reports.batch.worker.die_with_parent`); a
batch stops scheduling when the output disk is full (:class:`StopBatch`).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from ...dataset import CACHE_ENV
from ...safe_text import one_line
from .export import finalize, tmp_notebook
from .jobs import KERNEL_NAME, START_RETRIES, STATE_DIR, ReportJob, ReportStatus
from .procs import default_workers, descendants
from .worker import DISK_FULL, PARENT_ENV

__all__ = ["StopBatch", "default_workers", "descendants", "run_jobs"]


#: The workers alive in this process (only they, and their kernels, are ever killed).
_LIVE: set[Worker] = set()
_LIVE_LOCK = threading.Lock()


class Worker:
    """A worker process in its own session, with its jobs on stdin and results on stdout."""

    #: What the process runs (the Dask engine's report processes run their own loop).
    COMMAND = "from analysis.reports.batch.worker import _worker_main; _worker_main()"

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.COMMAND],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env={**env, PARENT_ENV: str(os.getpid())},
            start_new_session=True,
        )
        self.buf = b""
        with _LIVE_LOCK:
            _LIVE.add(self)

    def send(self, spec: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(spec) + "\n").encode())
        self.proc.stdin.flush()

    def receive(self, deadline: float) -> dict | None:
        """The next result line, or None at the deadline; raises EOFError if the worker died."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise EOFError("worker exited")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def kill(self) -> None:
        """Kill the worker, its process group and every descendant (kernels included)."""
        pid = self.proc.pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGSTOP)  # no new kernels while we collect them
        victims = descendants(pid) if self.proc.poll() is None else []
        groups = {pid}
        for v in victims:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                groups.add(os.getpgid(v))
        for g in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(g, signal.SIGKILL)
        for v in [pid, *victims]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(v, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for v in victims:  # reap nothing (not our children) but make sure they are gone
            for _ in range(50):
                try:
                    os.kill(v, 0)
                except (ProcessLookupError, PermissionError):
                    break
                time.sleep(0.02)
        for f in glob.glob(os.path.join(tempfile.gettempdir(), f"hfk-{pid}-*")):
            with contextlib.suppress(OSError):
                os.unlink(f)
        self.close()

    def close(self) -> None:
        """Close the pipes; the worker exits when its stdin closes."""
        for s in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(Exception):
                s.close()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=30)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        with contextlib.suppress(Exception):
            self.log.close()
        with _LIVE_LOCK:
            _LIVE.discard(self)


#: The name the runner starts workers by (tests replace it with an in-process worker).
_Worker = Worker


class StopBatch(threading.Event):
    """Set to stop a batch from scheduling more reports; :attr:`reason` says why."""

    def __init__(self) -> None:
        super().__init__()
        self.reason = ""
        #: Stopped by Ctrl-C or SIGTERM: the reports running are not recorded.
        self.interrupted = False

    def interrupt(self) -> None:
        """Stop because the run was interrupted (whatever stopped it before)."""
        self.interrupted = True
        self.stop(INTERRUPTED)

    def stop(self, reason: str) -> None:
        """Stop scheduling (the first reason given is kept)."""
        if not self.is_set():
            self.reason = reason
            self.set()


#: :attr:`StopBatch.reason` of a batch stopped by Ctrl-C or SIGTERM: the reports running
#: then are not recorded and their old pages are kept (never a "worker died" page).
INTERRUPTED = "interrupted"


def _disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


def _worker_env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # absolute: a kernel runs in the notebook's folder, not where `--out out` was given
    env[CACHE_ENV] = str(Path(cache_dir).resolve())
    return with_report_defaults(env)


def with_report_defaults(env: dict[str, str]) -> dict[str, str]:
    """``env`` with what every report process needs (local workers and Dask children): one
    thread per kernel (the parallelism is across reports), quiet debugger and Jupyter path
    warnings, and this hipflex first on ``PYTHONPATH``."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class Progress:
    """tqdm on a terminal, plain log lines otherwise, nothing when disabled."""

    def __init__(self, total: int, mode: bool | None) -> None:
        self.total, self.done = total, 0
        self.bar = None
        self.lines = mode is not False
        self.lock = threading.Lock()
        if mode is True or (mode is None and sys.stderr.isatty()):
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", file=sys.stderr, dynamic_ncols=True)
            self.lines = False

    def update(self, st: ReportStatus) -> None:
        with self.lock:
            self.done += 1
            if self.bar is not None:
                self.bar.set_postfix_str(one_line(f"{st.html_path} {st.status}"), refresh=False)
                self.bar.update(1)
                if st.status == "failed":
                    self.bar.write(one_line(f"FAILED {st.html_path}: {st.error}"))
            elif self.lines:
                extra = f" ({st.error})" if st.status == "failed" else ""
                print(
                    one_line(
                        f"[{self.done}/{self.total}] {st.html_path} {st.status} "
                        f"{st.seconds:.1f}s{extra}"
                    ),
                    file=sys.stderr,
                    flush=True,
                )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


#: The old name (scripts and tests use it).
_Progress = Progress


def run_jobs(
    jobs: Sequence[ReportJob],
    out: str | os.PathLike[str],
    *,
    workers: int = 2,
    timeout: float | None = 600.0,
    kernel_name: str = KERNEL_NAME,
    cache_dir: str | os.PathLike[str] | None = None,
    retries: int = START_RETRIES,
    on_done: Callable[[ReportStatus], None] | None = None,
    run_id: str = "",
    snapshot: str | os.PathLike[str] | None = None,
    stop: StopBatch | None = None,
) -> list[ReportStatus]:
    """Run reports on ``workers`` worker processes; return their statuses in job order.

    Parameters
    ----------
    jobs : sequence of ReportJob
        Reports to run.
    out : path
        Output folder (pinned paths are relative to it).
    workers : int
        Parallel worker processes (each runs one kernel at a time).
    timeout : float, optional
        Seconds one report may take, from when a worker takes it; then the worker and its
        kernel are killed and the report is failed. None: no limit.
    kernel_name : str
        Kernel to run the notebooks with.
    cache_dir : path, optional
        Dataset cache the kernels read (``HIPFLEX_CACHE_DIR``).
    retries : int
        Attempts for a kernel that fails to start.
    on_done : callable, optional
        Called with each :class:`ReportStatus` as it completes (from a worker thread); an
        exception it raises stops the batch (a full disk) instead of killing the thread.
    run_id : str
        This run's id: in the temporary file names, and checked before every rename (only
        the run named in ``OUT/.hipflex/run`` writes pages). '' for no check.
    snapshot : path, optional
        The run's cleaned tables: each kernel gets its part as the notebook parameter
        ``tables`` (:func:`analysis.reports.batch.jobs.report_parameters`).
    stop : StopBatch, optional
        Set (by a full disk, or by the caller) to take no further report; the reports left
        out are missing from the returned list.
    """
    out = Path(out)
    state = out / STATE_DIR
    (state / "logs").mkdir(parents=True, exist_ok=True)
    env = _worker_env(Path(cache_dir) if cache_dir else state / "cache")
    # absolute: a kernel runs in the notebook's folder, not where `--out out` was given
    tables = str(Path(snapshot).resolve()) if snapshot else ""
    stop = stop if stop is not None else StopBatch()
    todo: queue.Queue[tuple[int, ReportJob]] = queue.Queue()
    for i, j in enumerate(jobs):
        todo.put((i, j))
    results: list[ReportStatus | None] = [None] * len(jobs)
    limit = float(timeout) if timeout else None

    def one(worker: _Worker | None, n: int, job: ReportJob) -> tuple[_Worker | None, dict]:
        spec = job.spec(
            out,
            kernel_name=kernel_name,
            timeout=limit,
            retries=retries,
            run_id=run_id,
            snapshot=tables,
        )
        if worker is None:
            worker = _Worker(env, state / "logs" / f"worker-{n}.log")
        if stop.interrupted:  # started while Ctrl-C/SIGTERM swept the workers: not swept
            worker.kill()
            return None, {"status": INTERRUPTED}
        try:
            worker.send(spec)
            res = _receive(worker, time.monotonic() + limit if limit else float("inf"), stop)
        except (EOFError, BrokenPipeError, OSError, ValueError) as exc:
            worker.kill()
            if stop.interrupted:  # killed by Ctrl-C/SIGTERM: keep the old page
                return None, {"status": INTERRUPTED}
            return None, _salvage(out, job, spec, f"worker died ({exc})", stop)
        if res is None:
            worker.kill()
            msg = f"stopped after the time limit of {limit:g} s"
            return None, _salvage(out, job, spec, msg, stop)
        return worker, res

    def slot(n: int) -> None:
        """One worker's loop: take the next report until none is left or the batch stops."""
        worker: _Worker | None = None
        try:
            while not stop.is_set():
                try:
                    i, job = todo.get_nowait()
                except queue.Empty:
                    return
                t0 = time.perf_counter()
                worker, res = one(worker, n, job)
                if res.get("status") == INTERRUPTED or stop.interrupted:
                    return  # a stopped run records nothing: pages and index stay true
                if res.get("disk_full"):
                    stop.stop(f"the output disk is full ({res.get('error', '')})")
                st = ReportStatus(
                    job,
                    res["status"],
                    seconds=round(time.perf_counter() - t0, 3),
                    error=res.get("error", ""),
                    attempts=int(res.get("attempts", 1)),
                    html_sha=str(res.get("html_sha") or ""),
                )
                results[i] = st
                if on_done is not None:
                    try:
                        on_done(st)
                    except Exception as exc:
                        what = os.strerror(exc.errno) if _disk_full(exc) else str(exc)
                        stop.stop(f"cannot record {st.html_path}: {type(exc).__name__}: {what}")
        finally:
            if worker is not None:
                worker.close()

    n = max(1, min(int(workers), len(jobs)))
    previous = None
    if threading.current_thread() is threading.main_thread():
        # cron/systemd stop a job with SIGTERM: end like Ctrl-C, workers and kernels killed
        previous = signal.signal(signal.SIGTERM, _terminate)
    pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="hipflex-slot")
    try:
        futures = [pool.submit(slot, k) for k in range(n)]
        pending = set(futures)
        while pending:  # short waits: Ctrl-C reaches this thread between them
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            for f in done:
                f.result()  # a slot's own error surfaces here, not as a dying thread
    except BaseException:
        stop.interrupt()  # first: a slot whose worker dies now writes nothing
        _kill_all_workers()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        # this run's temporary notebooks (all moved into place, or of a stopped report)
        shutil.rmtree(state / "tmp" / (run_id or "run"), ignore_errors=True)
    return [r for r in results if r is not None]


def _receive(worker: Worker, deadline: float, stop: StopBatch) -> dict | None:
    """The worker's result, or None at the deadline; a stopped batch stops waiting within a
    second (the worker is killed: its report is not recorded)."""
    while True:
        res = worker.receive(min(deadline, time.monotonic() + 1.0))
        if res is not None or time.monotonic() >= deadline:
            return res
        if stop.interrupted:
            worker.kill()
            raise EOFError("the batch was stopped")


def _terminate(signum: int, frame: Any) -> None:  # pragma: no cover - signal handler
    raise SystemExit(128 + signum)


def _kill_all_workers() -> None:
    """Kill hipflex's workers and their kernels — never another child of this process."""
    with _LIVE_LOCK:
        workers = list(_LIVE)
    for w in workers:
        with contextlib.suppress(Exception):
            w.kill()


def _salvage(out: Path, job: ReportJob, spec: dict, message: str, stop: StopBatch) -> dict:
    """Keep what a killed worker left (its partial notebook) at the pinned path; the result."""
    res = {"status": "failed", "error": message, "attempts": 1}
    try:
        tmp = tmp_notebook(out, job.target, str(spec.get("run_id") or ""))
        res["html_sha"] = finalize(tmp, out, job.target, spec, message)
    except Exception as exc:
        if _disk_full(exc):
            stop.stop(f"the output disk is full ({os.strerror(exc.errno)})")
        print(
            one_line(f"hipflex: could not keep the notebook of {job.target}: {exc}"),
            file=sys.stderr,
        )
    return res


#: The old name (tests use it).
_descendants = descendants
