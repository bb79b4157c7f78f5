"""Atomic writes: a temporary file beside the target, then a rename, so nothing half-written
is ever visible (and a new file gets the mode the umask gives, as ``open`` would).

A bottom utility: every layer that writes a file uses it; it imports nothing from the
package (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd


def _proc_umask() -> int | None:
    """The umask as Linux reports it in ``/proc/self/status`` (4.7+), or None."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _toggled_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Where ``/proc`` does not report the umask (macOS, old kernels), the only portable read
#: sets and restores it: done once here, at import, which runs before hipflex starts any
#: thread. On Linux the umask is never touched.
_FALLBACK_UMASK = _toggled_umask() if _proc_umask() is None else None


def current_umask() -> int:
    """The process umask, read without changing it.

    On Linux it is read from ``/proc/self/status`` at every call, so a file gets the umask
    in effect when it is written and no other thread ever sees a changed umask (setting it
    to read it, as ``os.umask`` requires, races with threads creating files). Elsewhere it
    is the umask at import (:data:`_FALLBACK_UMASK`).
    """
    mask = _proc_umask()
    return mask if mask is not None else int(_FALLBACK_UMASK or 0)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success.

    Nothing half-written is ever visible at ``target``: a failure removes the temporary file
    and leaves any previous version of ``target`` untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    # mkstemp makes the file private (0600); a report or table gets the usual permissions
    os.fchmod(fd, 0o666 & ~current_umask())
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_atomic(target: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and atomically move the result to ``target``."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    return write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet_atomic(df: pd.DataFrame, target: str | os.PathLike[str]) -> Path:
    """Write ``df`` as Parquet to ``target`` atomically."""
    return write_atomic(target, lambda p: df.to_parquet(p, index=False))


__all__ = [
    "atomic_path",
    "current_umask",
    "write_atomic",
    "write_parquet_atomic",
    "write_text_atomic",
]
