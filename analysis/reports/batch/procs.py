"""The processes of a batch: the descendants of a worker (psutil, else ``/proc``, never
silently nothing) and how many reports fit this machine at once (:func:`default_workers`).
"""

from __future__ import annotations

import os
import sys

from .jobs import JOB_MEMORY


def _proc_children() -> dict[int, list[int]]:
    """Parent pid -> child pids, read from ``/proc/<pid>/stat`` (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces or parentheses
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """Every descendant of ``pid`` (children first), from psutil or else ``/proc``.

    Never silently empty: when neither can be read, a warning line says so (the caller
    still kills the process groups it knows).
    """
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except Exception as exc:
        first = exc
    try:
        tree = _proc_children()
    except OSError as exc:
        print(
            f"hipflex: warning: cannot list the processes of worker {pid} "
            f"(psutil: {type(first).__name__}; /proc: {type(exc).__name__}); "
            "only its process group is killed",
            file=sys.stderr,
        )
        return []
    found, todo = [], list(tree.get(pid, []))
    while todo:
        child = todo.pop(0)
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def _available_memory() -> int | None:
    """Bytes of memory available now (psutil, else ``/proc/meminfo``), None if unknown."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_workers(
    *, cores: int | None = None, available: int | None = None, per_job: int | None = None
) -> tuple[int, str]:
    """Reports to run at once: the cores, bounded by available memory ÷ memory per report.

    Parameters
    ----------
    cores, available, per_job : int, optional
        CPU count, bytes available and bytes one report takes at its peak; default: this
        machine's, and :data:`analysis.reports.batch.jobs.JOB_MEMORY` (or
        ``$HIPFLEX_JOB_MEMORY_MB``).

    Returns
    -------
    (int, str)
        The number (at least 1) and one plain line saying how it was chosen.
    """
    cores = cores if cores is not None else _cores()
    if per_job is None:
        try:
            per_job = int(float(os.environ["HIPFLEX_JOB_MEMORY_MB"]) * 2**20)
        except (KeyError, ValueError):
            per_job = JOB_MEMORY
    per_job = max(1, int(per_job))
    available = available if available is not None else _available_memory()
    if available is None:
        return cores, f"{cores} at a time ({cores} cores; available memory unknown)"
    by_memory = max(1, int(available // per_job))
    n = max(1, min(cores, by_memory))
    why = (
        f"{n} at a time ({cores} cores, {available / 2**30:.1f} GB available "
        f"at ~{per_job / 2**30:.2f} GB per report)"
    )
    return n, why
