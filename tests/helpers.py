"""What several test modules share: the days the tests call "today", and small helpers.

Test modules import from here (``from helpers import TODAY``), never from each other; the
fixtures (the synthetic sample, written once per session) are in ``conftest.py``. pytest puts
this folder on ``sys.path`` (its default ``prepend`` import mode), as it does for conftest.

The days: the cleaners reject a date after "today", so each test module's assertions hold
for its day. Each day is named once here for what it is the end of.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from hypothesis import settings

#: "today" of the fixture folders under tests/data/ (their seasons end in November 2026)
TODAY = dt.date(2026, 12, 1)
#: "today" of the synthetic sample (``write_sample(today=...)``), fixed so that where its
#: season lies never depends on the real clock; a string, as the CLI's ``--today`` takes it
SAMPLE_TODAY = "2026-11-01"
#: "today" of the spring rows the log and sprint cleaner unit tests write by hand
TODAY_SPRING = dt.date(2026, 6, 1)
#: "today" of the date-parser tests: near the season's end, so that day-month dates without
#: a year fall in this season or the last
TODAY_SEASON_END = dt.date(2026, 11, 24)


def examples(n: int) -> int:
    """``n`` hypothesis examples, or a tenth of them (5 at least) under the ``fast`` profile.

    ``make test-fast`` runs with ``--hypothesis-profile=fast``; a property test that is slow
    for its example count asks for ``max_examples=examples(n)``, so that the whole suite
    (``make test``, CI's derandomized profile) still draws all ``n``.
    """
    return max(5, n // 10) if settings.get_current_profile_name() == "fast" else n


def bar_heights(ax) -> list[float]:
    """Heights of the bars of a chart (each series of bars is one collection)."""
    from matplotlib.collections import PolyCollection

    return [
        float(path.vertices[1, 1] - path.vertices[0, 1])
        for c in ax.collections
        if isinstance(c, PolyCollection)
        for path in c.get_paths()
    ]


def write_notebook(path: Path, params: str, body: str) -> Path:
    """A two-cell notebook at ``path``: ``params`` (tagged ``parameters``), then ``body``."""
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[p, nbformat.v4.new_code_cell(body)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def tiny_report_notebooks(folder: Path, marker: str, seconds: float = 0.0) -> Path:
    """The pinned report notebooks as tiny ones: sleep ``seconds``, then show ``marker``."""
    from analysis.reports import NOTEBOOKS

    folder.mkdir(parents=True, exist_ok=True)
    params = 'data_dir = ""\nathlete_id = ""\ncohort_column = ""\nevent = 400\nwindow_days = 28'
    body = (
        f"import time\ntime.sleep({seconds})\n"
        "from IPython.display import HTML, display\n"
        f"display(HTML('<p>{marker}</p>'))"
    )
    for name in NOTEBOOKS.values():
        write_notebook(folder / name, params, body)
    return folder


def chromium() -> str | None:
    """The path of a Chromium on this machine, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (another process may still take it first)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, seconds: float, proc: subprocess.Popen | None = None) -> bool:
    """Wait until ``url`` answers 200: True; False when ``proc`` (the server) has exited.

    Anything else on the port (a kernel's ZeroMQ socket answers ``0xff``, not HTTP) is
    waited through like a refused connection.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    raise TimeoutError(f"no answer at {url} within {seconds:.0f} s")


def jupyterlab_argv(port: int, token: str, root: Path) -> list[str]:
    """JupyterLab on ``127.0.0.1:port`` with ``token``, serving ``root``: no browser, no
    news, no other port if this one is taken (:func:`start_server` chooses again)."""
    return [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=", "--ServerApp.port_retries=0",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]  # fmt: skip


def start_server(
    argv: Callable[[int], list[str]],
    ready: Callable[[int], str],
    *,
    seconds: float = 90,
    attempts: int = 3,
    **popen: Any,
) -> tuple[subprocess.Popen, int]:
    """Start ``argv(port)`` on a free port and wait until ``ready(port)`` answers 200.

    A port free when chosen may be taken before the server binds it (a kernel started
    meanwhile): the server, started without port retries, then exits, and is started
    again on another port, ``attempts`` times at most.
    """
    for _ in range(attempts):
        port = free_port()
        proc = subprocess.Popen(argv(port), **popen)
        if wait_for_http(ready(port), seconds, proc):
            return proc, port
        proc.wait(timeout=15)
    raise RuntimeError(f"the server did not start on a free port in {attempts} attempts")


def stop_server(proc: subprocess.Popen) -> list:
    """Stop a server started in its own session and every process it started (a kernel);
    the processes still alive afterwards, zombies aside (none, normally)."""
    import psutil

    try:
        kids = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kids = []
    for k in kids:
        with contextlib.suppress(psutil.NoSuchProcess):
            k.kill()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=15)
    _, alive = psutil.wait_procs(kids, timeout=10)  # SIGKILL is delivered asynchronously

    def lingering(p: psutil.Process) -> bool:
        try:
            return p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    return [k for k in alive if lingering(k)]
