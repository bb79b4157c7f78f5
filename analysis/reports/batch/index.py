"""``OUT/index.html``: every report of the batch, its run time, the freshness of the data and
the failures (:func:`write_index`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from pathlib import Path

from ..._version import __version__
from ...dataset import data_warnings
from ...exit_status import NOT_DATA_NOTE
from ...io import iter_raw_files, write_text_atomic
from ..pages.html import INDEX_CSS, error_summary, href
from ..pages.season import SEASON_CSS
from .jobs import ReportStatus


def _fmt_time(ts: float | None) -> str:
    if ts is None:
        return "—"
    return _dt.datetime.fromtimestamp(ts, tz=_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_index(
    out: Path,
    statuses: Iterable[ReportStatus],
    manifest: dict,
    ds,
    data_dir: Path,
    started: float,
    seconds: float,
    *,
    top: str = "",
    not_attempted: Iterable = (),
) -> Path:
    """Write ``OUT/index.html``: every report, run time, data freshness, failures.

    ``top`` (HTML, already escaped) opens the page after the squad's answer: the attention
    list and plan adherence of :func:`analysis.reports.pages.season.season_outputs`.
    ``not_attempted`` (jobs a stopped batch never started) are listed only where an older
    page of theirs exists, marked as such: the index never links a file that is not there.
    """
    from markupsafe import Markup

    from ...templating import render

    statuses = list(statuses)
    n_run = sum(r.status in ("ok", "failed") for r in statuses)
    statuses += [
        ReportStatus(j, "not_attempted")
        for j in not_attempted
        if (out / (j.target + ".html")).is_file() and (out / (j.target + ".ipynb")).is_file()
    ]
    s = ds.summary()
    mtimes = [p.stat().st_mtime for p in iter_raw_files(data_dir)]
    newest = max(mtimes) if mtimes else None
    failed = [r for r in statuses if r.status == "failed"]
    notes = data_warnings(ds)  # files not read, athletes without log entries
    # a sheet without data (a notes tab) is listed, never shown as a problem
    listed = [w for w in notes if NOT_DATA_NOTE in w]
    notes = [w for w in notes if NOT_DATA_NOTE not in w]

    def row(r: ReportStatus) -> dict:
        return {
            "title": r.job.title,
            "error": error_summary(r.error),
            "html_href": href(r.html_path),
            "ipynb_href": href(r.ipynb_path),
            "ipynb_path": r.ipynb_path,
            "failed": r.status == "failed",
            "css": "failed" if r.status in ("failed", "not_attempted") else "ok",
            "label": {
                "failed": "failed",
                "ok": "updated",
                "skipped": "unchanged",
                "not_attempted": "not attempted (an older page)",
            }[r.status],
            "when": manifest.get(r.job.target, {}).get("finished", ""),
        }

    kinds = [
        ("The squad's answer", "squad"),
        ("Data quality", "data_quality"),
        ("Cohorts", "cohort"),
        ("Athletes", "athlete"),
        ("Your notebooks", "extra"),
    ]
    sections = [
        {"title": title, "kind": kind, "rows": [row(r) for r in statuses if r.job.kind == kind]}
        for title, kind in kinds
    ]
    page = render(
        "index.html.j2",
        css=Markup(INDEX_CSS + SEASON_CSS),
        top=Markup(top),
        folder_name=data_dir.name,
        data_dir=Path(data_dir).resolve().name,  # the folder's name: no server path in a page
        synthetic=bool(ds.synthetic),
        s={k: ("None" if v is None else v) for k, v in s.items()},
        newest=_fmt_time(newest),
        started=_fmt_time(started),
        seconds=float(seconds),
        n_run=n_run,
        n_unchanged=sum(r.status == "skipped" for r in statuses),
        failed=[row(r) for r in failed],
        notes=list(notes),
        listed=listed,
        sections=sections,
        version=__version__,
    )
    return write_text_atomic(out / "index.html", page)
