"""The coach's season in the nightly batch: ``OUT/attention.csv``, ``OUT/exports/`` and the
index's first sections (what needs a look, plan adherence per athlete).

:func:`season_outputs` runs once per ``hipflex report``, after the notebooks: it writes the
attention list (:mod:`analysis.attention`) atomically and the workbooks
(:mod:`analysis.reports.workbooks`, incremental), and returns the HTML the index opens with
and the plain paragraph printed at the end of the command. A failure here never stops the
reports: it is named in the index and in the command's output, and the exit code is 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["SEASON_CSS", "SeasonOutputs", "season_html", "season_outputs"]

SEASON_CSS = """
.attention{background:#eef4fb;border:2px solid #1f5fa8;padding:.5rem 1rem;margin:1rem 0}
.attention h2{margin-top:.2rem} .attention li{margin:.2rem 0}
.kind{display:inline-block;min-width:8.5rem;font-weight:bold}
td.num{text-align:right;font-variant-numeric:tabular-nums} td.weeks{white-space:nowrap}
.low{color:#b00020;font-weight:bold}
"""

_KIND_LABEL = {
    "fade_worse": "Fade worse lately",
    "volume_change": "Volume change",
    "no_log": "Not logging",
    "new_pb": "New PB",
    "new_sb": "New SB",
    "back_from_injury": "Back from injury",
    "balance_far": "Balance unusual",
}


@dataclass
class SeasonOutputs:
    """What :func:`season_outputs` wrote and what the index and the command show."""

    attention: pd.DataFrame
    attention_csv: Path | None = None
    exports: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    summary: str = ""
    html: str = ""


def _href(path: str) -> str:
    """A relative link, URL-quoted (the template escapes it for the attribute)."""
    from urllib.parse import quote

    return quote(path)


def _who(aid: object, name: object, pages: dict[str, str]) -> dict:
    page = pages.get(str(aid))
    return {
        "who": str(name if name is not None and pd.notna(name) else aid),
        "href": _href(page) if page else "",
    }


def _attention_rows(att: pd.DataFrame, pages: dict[str, str]) -> list[dict]:
    """One item per finding: its label, the athlete (linked to their page) and the sentence."""
    return [
        {"kind": _KIND_LABEL.get(r.kind, str(r.kind)), "what": str(r.what),
         **_who(r.athlete_id, r.name, pages)}
        for r in att.itertuples(index=False)
    ]  # fmt: skip


def _rules() -> dict:
    """The attention thresholds in force (the ``ATTENTION_*`` settings), for the index."""
    from .. import config

    return {
        "volume_change_pct": config.ATTENTION_VOLUME_CHANGE_PCT,
        "min_weekly_reps": config.ATTENTION_MIN_WEEKLY_REPS,
        "no_log_days": config.ATTENTION_NO_LOG_DAYS,
        "recent_days": config.ATTENTION_RECENT_DAYS,
        "fade_last_races": config.ATTENTION_FADE_LAST_RACES,
    }


def _adherence_rows(ad: pd.DataFrame, ds, pages: dict[str, str]) -> list[dict]:
    """Per athlete: the last four planned weeks, planned against done."""
    if ad.empty:
        return []
    names = ds.athletes.set_index("athlete_id")["name"]
    rows = []
    for aid, g in ad.groupby("athlete_id", sort=True):
        last = g.sort_values("week").tail(4)
        planned = float(last["planned_hf_reps"].sum())
        done = float(last["done_hf_reps"].sum())
        pct = done / planned * 100 if planned > 0 else float("nan")
        rows.append(
            {
                **_who(aid, names.get(aid, aid), pages),
                "weeks": f"{last['week'].min():%d %b} – {last['week'].max():%d %b}",
                "planned": f"{planned:,.0f}",
                "done": f"{done:,.0f}",
                "pct": "—" if pct != pct else f"{pct:.0f}%",
                "low": bool(pct == pct and pct < 50),
                "quiet": int((last["days_logged"] == 0).sum()),
            }
        )
    return rows


def season_html(
    *,
    attention: list[dict] | None = None,
    adherence: list[dict] | None = None,
    exports_name: str = "",
    problems: list[str] | None = None,
    csv_name: str = "attention.csv",
) -> str:
    """The index's opening sections from ``season.html.j2`` (every value escaped there).

    ``attention`` None leaves the list out (it was not made); an empty list says nothing
    needs a look.
    """
    from ..templating import render

    return render(
        "season.html.j2",
        problems=list(problems or []),
        attention=attention,
        rules=_rules(),
        csv_name=csv_name,
        csv_href=_href(csv_name),
        adherence=list(adherence or []),
        exports_name=exports_name,
        exports_href=_href(exports_name) if exports_name else "",
    )


def season_outputs(
    ds,
    out: str | Path,
    pages: dict[str, str],
    *,
    key: str = "",
    include_health: bool = False,
    window_days: int | None = None,
) -> SeasonOutputs:
    """Write ``OUT/attention.csv`` and ``OUT/exports/``; the index sections and summary.

    Parameters
    ----------
    ds : Dataset
        The batch's data set.
    out : path
        The report folder.
    pages : dict
        Athlete id -> its page (``athletes/<name>.html``, relative to ``out``).
    key : str, optional
        What ``ds`` was made from, for the exports (:func:`.workbooks.write_exports`).
    include_health : bool
        Put the injury log in the exports (``--include-health``; default: left out).
    window_days : int, optional
        The squad page's window, for the squad workbook's ``slopes`` sheet.
    """
    from ..adherence import plan_adherence
    from ..attention import attention_list, attention_summary, write_attention_csv
    from .workbooks import write_exports

    out = Path(out)
    res = SeasonOutputs(attention=pd.DataFrame())
    attention, adherence, exports_name = None, [], ""
    try:
        res.attention = attention_list(ds)
        res.attention_csv = write_attention_csv(res.attention, out / "attention.csv")
        res.summary = attention_summary(res.attention, res.attention_csv)
        attention = _attention_rows(res.attention, pages)
    except Exception as exc:  # the reports stand; the failure is named
        res.problems.append(f"attention list not written: {type(exc).__name__}: {exc}")
    try:
        adherence = _adherence_rows(plan_adherence(ds), ds, pages)
    except Exception as exc:
        res.problems.append(f"plan adherence not shown: {type(exc).__name__}: {exc}")
    try:
        res.exports = write_exports(
            ds, out, key=key, include_health=include_health, window_days=window_days
        )
        exports_name = "exports/" + res.exports[-1].name
    except Exception as exc:
        res.problems.append(f"exports not written: {type(exc).__name__}: {exc}")
    res.html = season_html(
        attention=attention,
        adherence=adherence,
        exports_name=exports_name,
        problems=res.problems,
        csv_name="attention.csv",
    )
    return res
