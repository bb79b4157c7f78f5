"""One report executed in a worker process (:func:`run_one`) and the worker's loop
(:func:`worker_main`: one JSON job per stdin line, one JSON result per stdout line).

A worker dies with the ``hipflex`` process that started it: the Linux parent-death signal
(``prctl(PR_SET_PDEATHSIG)``), or a watchdog thread polling ``getppid`` where that is not
available (:func:`die_with_parent`). Its kernels are started the same way
(:mod:`analysis.reports.batch.kernels`).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ...safe_text import one_line
from .export import StaleRun, finalize, tmp_notebook
from .jobs import KERNEL_NAME, START_RETRIES, START_TIMEOUT, report_parameters
from .kernels import Zygote, is_start_failure, kernel_manager_class

#: The pid a worker must die with (set by the runner: the ``hipflex`` process).
PARENT_ENV = "HIPFLEX_PARENT_PID"

#: errno values that mean the output disk cannot take more: the batch stops scheduling.
DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})

PR_SET_PDEATHSIG = 1


def _set_pdeathsig(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False if unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent: int | None = None, *, poll: float = 0.5) -> str:
    """Make this process end when ``parent`` (default: its parent now) is gone.

    Returns ``"pdeathsig"`` (Linux parent-death signal) or ``"watchdog"`` (a daemon thread
    that polls ``getppid()`` every ``poll`` s and exits the process when it changes). Either
    way, a parent already gone when this is called ends the process at once.
    """
    parent = os.getppid() if parent is None else int(parent)
    how = "pdeathsig" if _set_pdeathsig() else "watchdog"
    if os.getppid() != parent:  # died before the signal was armed
        os._exit(1)
    if how == "watchdog":

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(poll)
            os._exit(1)

        threading.Thread(target=watch, name="hipflex-watchdog", daemon=True).start()
    return how


def _execute(pm, spec: dict, tmp_nb: Path, km_class) -> None:
    """papermill with a fresh kernel, as every report runs."""
    pm.execute_notebook(
        spec["notebook"],
        str(tmp_nb),
        parameters=report_parameters(spec),
        kernel_name=spec.get("kernel_name", KERNEL_NAME),
        progress_bar=False,
        # one save at the end (and papermill's 30 s autosave in a long cell):
        # saving after every cell re-serialises the figures each time
        request_save_on_cell_execute=False,
        start_timeout=int(spec.get("start_timeout", START_TIMEOUT)),
        execution_timeout=spec.get("timeout"),
        cwd=str(Path(spec["notebook"]).parent),
        kernel_manager_class=km_class,
        extra_arguments=list(spec.get("kernel_arguments") or ()),
    )


def run_one(spec: dict, *, sleep: Callable[[float], None] = time.sleep) -> dict:
    """Execute one report in this process (called by a worker): papermill, export, rename.

    Parameters
    ----------
    spec : dict
        ``notebook, out, target, parameters, kernel_name, timeout, start_timeout,
        retries``; ``snapshot`` and ``tables``: the cleaned tables the kernel reads
        (:func:`~analysis.reports.batch.jobs.report_parameters`).
    sleep : callable
        Back-off sleep (replaceable in tests).

    Returns
    -------
    dict
        ``target, status`` (``ok``/``failed``), ``error``, ``attempts``, ``seconds``,
        ``html_sha`` (SHA-256 of the page written, '' if none), ``disk_full`` (the output
        disk is full: the runner stops scheduling) and ``stale`` (a newer run owns ``OUT``:
        nothing was written).

    Notes
    -----
    A kernel that fails to start (``ZMQError``, "Kernel died before replying to
    kernel_info", start-up timeout) is retried up to ``retries`` times, waiting 0.5, 1,
    2 … s; an error raised by a cell is not retried.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    out = Path(spec["out"])
    target = spec["target"]
    tmp_nb = tmp_notebook(out, target, str(spec.get("run_id") or ""))
    tmp_nb.parent.mkdir(parents=True, exist_ok=True)
    km_class = kernel_manager_class()
    retries = max(1, int(spec.get("retries", START_RETRIES)))
    error: str | None = None
    attempts = 0
    for attempt in range(1, retries + 1):
        attempts = attempt
        try:
            _execute(pm, spec, tmp_nb, km_class)
            error = None
            break
        except PapermillExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
            break
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if is_start_failure(exc) and attempt < retries:
                print(
                    one_line(
                        f"hipflex: {target}: kernel failed to start ({error}); retry {attempt}"
                    ),
                    file=sys.stderr,
                )
                sleep(0.5 * 2 ** (attempt - 1))
                continue
            break
    sha, disk_full, stale = "", False, False
    try:
        sha = finalize(tmp_nb, out, target, spec, error)
    except StaleRun as exc:
        stale = True
        error = str(exc)
    except Exception as exc:
        disk_full = isinstance(exc, OSError) and exc.errno in DISK_FULL
        what = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc)
        error = (error + "; " if error else "") + f"not written: {type(exc).__name__}: {what}"
    return {
        "target": target,
        "status": "failed" if error else "ok",
        "error": error or "",
        "attempts": attempts,
        "seconds": round(time.perf_counter() - t0, 3),
        "html_sha": sha,
        "disk_full": disk_full,
        "stale": stale,
    }


def kernels_cpu() -> float:
    """CPU seconds of this worker's zygote and the kernels it forked and reaped so far (they
    are not this process's children: :data:`resource.RUSAGE_CHILDREN` misses them until
    :func:`shutdown`)."""
    return Zygote.cpu()


def shutdown() -> None:
    """End this worker's zygote (kernels are forked from it ahead of need)."""
    Zygote.shutdown()


def worker_main() -> int:
    """Worker loop: one JSON job per stdin line, one JSON result per line on fd 3 → stdout."""
    if os.environ.get(PARENT_ENV):
        die_with_parent(int(os.environ[PARENT_ENV]))
    from . import kernels

    kernels.FORK_DEFAULT = True  # every report runs on this thread: kernels forked ahead
    proto = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # anything else printed (and the kernels' inherited stdout) goes to stderr
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        spec = json.loads(line)
        try:
            res = run_one(spec)
        except Exception as exc:
            res = {
                "target": spec.get("target"),
                "status": "failed",
                "error": f"{type(exc).__name__}: {exc}",
                "attempts": 0,
                "seconds": 0.0,
            }
        proto.write(json.dumps(res) + "\n")
        proto.flush()
    shutdown()
    return 0


#: The name the worker command runs (benchmarks find workers by it).
_worker_main = worker_main


if __name__ == "__main__":  # pragma: no cover
    sys.exit(worker_main())
