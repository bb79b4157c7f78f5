"""Running reports on long-lived worker processes (:func:`run_jobs`): one report at a time per
worker, a time limit per report, every worker and kernel killed on a timeout, Ctrl-C or
SIGTERM, progress on a terminal or one line per report.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import queue
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .export import _finalize, _tmp_notebook
from .jobs import KERNEL_NAME, START_RETRIES, START_TIMEOUT, STATE_DIR, ReportJob, ReportStatus


def _descendants(pid: int) -> list[int]:
    """Every descendant of ``pid`` (children first), from /proc or psutil."""
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except Exception:
        return []


class _Worker:
    """A worker process in its own session, with its jobs on stdin and results on stdout."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from analysis.reports.worker import _worker_main; _worker_main()",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            start_new_session=True,
        )
        self.buf = b""

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
        victims = _descendants(pid)
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
        self.log.close()


def _worker_env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HIPFLEX_CACHE_DIR"] = str(cache_dir)
    # one thread per kernel: the parallelism is across reports
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class _Progress:
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
                self.bar.set_postfix_str(f"{st.html_path} {st.status}", refresh=False)
                self.bar.update(1)
                if st.status == "failed":
                    self.bar.write(f"FAILED {st.html_path}: {st.error}")
            elif self.lines:
                extra = f" ({st.error})" if st.status == "failed" else ""
                print(
                    f"[{self.done}/{self.total}] {st.html_path} {st.status} "
                    f"{st.seconds:.1f}s{extra}",
                    file=sys.stderr,
                    flush=True,
                )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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
        Called with each :class:`ReportStatus` as it completes (from a worker thread).
    """
    out = Path(out)
    state = out / STATE_DIR
    (state / "logs").mkdir(parents=True, exist_ok=True)
    env = _worker_env(Path(cache_dir) if cache_dir else state / "cache")
    todo: queue.Queue[tuple[int, ReportJob]] = queue.Queue()
    for i, j in enumerate(jobs):
        todo.put((i, j))
    results: list[ReportStatus | None] = [None] * len(jobs)
    limit = float(timeout) if timeout else None

    def slot(n: int) -> None:
        worker: _Worker | None = None
        try:
            while True:
                try:
                    i, job = todo.get_nowait()
                except queue.Empty:
                    return
                spec = {
                    "title": job.title,
                    "notebook": job.notebook,
                    "out": str(out),
                    "target": job.target,
                    "parameters": job.parameters,
                    "kernel_name": kernel_name,
                    "timeout": limit,
                    "start_timeout": START_TIMEOUT,
                    "retries": retries,
                    "maths": job.kind == "extra",
                }
                t0 = time.perf_counter()
                if worker is None:
                    worker = _Worker(env, state / "logs" / f"worker-{n}.log")
                try:
                    worker.send(spec)
                    res = worker.receive(time.monotonic() + limit if limit else float("inf"))
                except (EOFError, BrokenPipeError, OSError, ValueError) as exc:
                    res = {"status": "failed", "error": f"worker died ({exc})", "attempts": 1}
                    worker.kill()
                    worker = None
                    _salvage(out, job, spec, res["error"])
                if res is None:
                    worker.kill()
                    worker = None
                    msg = f"stopped after the time limit of {limit:g} s"
                    res = {"status": "failed", "error": msg, "attempts": 1}
                    _salvage(out, job, spec, msg)
                st = ReportStatus(
                    job,
                    res["status"],
                    seconds=round(time.perf_counter() - t0, 3),
                    error=res.get("error", ""),
                    attempts=int(res.get("attempts", 1)),
                )
                results[i] = st
                if on_done is not None:
                    on_done(st)
        finally:
            if worker is not None:
                worker.close()

    n = max(1, min(int(workers), len(jobs)))
    threads = [threading.Thread(target=slot, args=(k,), daemon=True) for k in range(n)]
    previous = None
    if threading.current_thread() is threading.main_thread():
        # cron/systemd stop a job with SIGTERM: end like Ctrl-C, workers and kernels killed
        previous = signal.signal(signal.SIGTERM, _terminate)
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)
    except BaseException:
        _kill_all_workers()
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return [r for r in results if r is not None]


def _terminate(signum: int, frame: Any) -> None:  # pragma: no cover - signal handler
    raise SystemExit(128 + signum)


def _kill_all_workers() -> None:
    """Kill every process this one started (workers and their kernels)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(Exception):
            child.kill()


def _salvage(out: Path, job: ReportJob, spec: dict, message: str) -> None:
    """Keep what a killed worker left (its partial notebook) at the pinned path."""
    try:
        _finalize(_tmp_notebook(out, job.target), out, job.target, spec, message)
    except Exception as exc:
        print(f"hipflex: could not keep the notebook of {job.target}: {exc}", file=sys.stderr)
