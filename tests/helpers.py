"""What several test modules share: the days the tests call "today", and small helpers.

Test modules import from here (``from helpers import TODAY``), never from each other; the
fixtures (the synthetic sample, written once per session) are in ``conftest.py``. pytest puts
this folder on ``sys.path`` (its default ``prepend`` import mode), as it does for conftest.

The days: the cleaners reject a date after "today", so each test module's assertions hold
for its day. Each day is named once here for what it is the end of.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

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
