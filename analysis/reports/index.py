"""``OUT/index.html``: every report of the batch, its run time, the freshness of the data and
the failures (:func:`write_index`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from pathlib import Path

from .._version import __version__
from ..io import write_text_atomic
from .jobs import ReportStatus
from .season import SEASON_CSS


def _fmt_time(ts: float | None) -> str:
    if ts is None:
        return "—"
    return _dt.datetime.fromtimestamp(ts, tz=_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _href(path: str) -> str:
    """A relative link, URL-quoted (the template escapes it for the attribute)."""
    from urllib.parse import quote

    return quote(path)


INDEX_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} .meta{color:#555} table{border-collapse:collapse;width:100%}
td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.ok{color:#2e7d32}.failed{color:#b00020;font-weight:bold}.skipped{color:#555}
.synthetic{background:#fff3cd;border:2px solid #d39e00;padding:.5rem 1rem;font-weight:bold}
.failures{background:#fdecea;border:2px solid #b00020;padding:.5rem 1rem}
.listed{border:1px solid #ccc;padding:.25rem 1rem;color:#444}.listed h2{font-size:1rem}
"""


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
    list and plan adherence of :func:`analysis.reports.season.season_outputs`.
    ``not_attempted`` (jobs a stopped batch never started) are listed only where an older
    page of theirs exists, marked as such: the index never links a file that is not there.
    """
    from markupsafe import Markup

    from ..templating import render
    from .export import error_summary

    statuses = list(statuses)
    n_run = sum(r.status in ("ok", "failed") for r in statuses)
    statuses += [
        ReportStatus(j, "not_attempted")
        for j in not_attempted
        if (out / (j.target + ".html")).is_file() and (out / (j.target + ".ipynb")).is_file()
    ]
    s = ds.summary()
    from ..io import iter_raw_files

    mtimes = [p.stat().st_mtime for p in iter_raw_files(data_dir)]
    newest = max(mtimes) if mtimes else None
    failed = [r for r in statuses if r.status == "failed"]
    from ..dataset import data_warnings
    from ..exit_status import NOT_DATA_NOTE

    notes = data_warnings(ds)  # files not read, athletes without log entries
    # a sheet without data (a notes tab) is listed, never shown as a problem
    listed = [w for w in notes if NOT_DATA_NOTE in w]
    notes = [w for w in notes if NOT_DATA_NOTE not in w]

    def row(r: ReportStatus) -> dict:
        return {
            "title": r.job.title,
            "error": error_summary(r.error),
            "html_href": _href(r.html_path),
            "ipynb_href": _href(r.ipynb_path),
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
