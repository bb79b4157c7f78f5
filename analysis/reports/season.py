"""The coach's season in the nightly batch: ``OUT/attention.csv``, ``OUT/exports/`` and the
index's first sections (what needs a look, plan adherence per athlete).

:func:`season_outputs` runs once per ``hipflex report``, after the notebooks: it writes the
attention list (:mod:`analysis.attention`) atomically and the workbooks
(:mod:`analysis.reports.workbooks`, incremental), and returns the HTML the index opens with
and the plain paragraph printed at the end of the command. A failure here never stops the
reports: it is named in the index and in the command's output, and the exit code is 1.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["SEASON_CSS", "SeasonOutputs", "season_outputs"]

SEASON_CSS = """
.attention{background:#eef4fb;border:2px solid #1f5fa8;padding:.5rem 1rem;margin:1rem 0}
.attention h2{margin-top:.2rem} .attention li{margin:.2rem 0}
.kind{display:inline-block;min-width:8.5rem;font-weight:bold}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.low{color:#b00020;font-weight:bold}
"""

_KIND_LABEL = {
    "fade_worse": "Fade worse lately",
    "volume_change": "Volume change",
    "no_log": "Not logging",
    "new_pb": "New PB",
    "new_sb": "New SB",
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
    from urllib.parse import quote

    return html.escape(quote(path), quote=True)


def _attention_html(att: pd.DataFrame, pages: dict[str, str], csv_name: str) -> str:
    e = html.escape
    if att.empty:
        body = "<p>Nothing needs a look tonight.</p>"
    else:
        items = []
        for r in att.itertuples(index=False):
            who = e(str(r.name if pd.notna(r.name) else r.athlete_id))
            page = pages.get(str(r.athlete_id))
            link = f"<a href='{_href(page)}'>{who}</a>" if page else who
            items.append(
                f"<li><span class='kind'>{e(_KIND_LABEL.get(r.kind, r.kind))}</span> "
                f"{link}: {e(str(r.what))}</li>"
            )
        body = f"<ul>{''.join(items)}</ul>"
    return (
        "<div class='attention' id='attention'><h2>Needs a look</h2>"
        f"{body}<p class='meta'>Thresholds are settings (<code>analysis/config.py</code>, "
        f"ATTENTION_*). The same list for other tools: <a href='{_href(csv_name)}'>"
        f"{e(csv_name)}</a>.</p></div>"
    )


def _adherence_html(ad: pd.DataFrame, ds, pages: dict[str, str]) -> str:
    """Per athlete: the last four planned weeks, planned against done."""
    if ad.empty:
        return ""
    e = html.escape
    names = ds.athletes.set_index("athlete_id")["name"]
    rows = []
    for aid, g in ad.groupby("athlete_id", sort=True):
        last = g.sort_values("week").tail(4)
        planned = float(last["planned_hf_reps"].sum())
        done = float(last["done_hf_reps"].sum())
        pct = done / planned * 100 if planned > 0 else float("nan")
        quiet = int((last["days_logged"] == 0).sum())
        who = e(str(names.get(aid, aid)))
        page = pages.get(str(aid))
        link = f"<a href='{_href(page)}'>{who}</a>" if page else who
        cls = " low" if pct == pct and pct < 50 else ""
        rows.append(
            f"<tr><td>{link}</td><td>{last['week'].min():%d %b} – {last['week'].max():%d %b}"
            f"</td><td class='num'>{planned:,.0f}</td><td class='num'>{done:,.0f}</td>"
            f"<td class='num{cls}'>{'—' if pct != pct else f'{pct:.0f}%'}</td>"
            f"<td class='num'>{quiet}</td></tr>"
        )
    return (
        "<h2>Plan adherence (last four planned weeks)</h2>"
        "<p class='meta'>Hip-flexion reps planned in <code>plan.csv</code> against those "
        "logged (every hip-flexor entry counts, planned or not; over 100% is extra work). "
        "Weeks with nothing logged at all are counted: the log cannot tell a week off from "
        "a week not written down.</p><table><tr><th>athlete</th><th>weeks</th>"
        "<th>planned reps</th><th>done reps</th><th>done ÷ planned</th>"
        f"<th>weeks with nothing logged</th></tr>{''.join(rows)}</table>"
    )


def season_outputs(ds, out: str | Path, pages: dict[str, str]) -> SeasonOutputs:
    """Write ``OUT/attention.csv`` and ``OUT/exports/``; the index sections and summary.

    Parameters
    ----------
    ds : Dataset
        The batch's data set.
    out : path
        The report folder.
    pages : dict
        Athlete id -> its page (``athletes/<name>.html``, relative to ``out``).
    """
    from ..attention import attention_list, attention_summary, write_attention_csv
    from ..plan import plan_adherence
    from .workbooks import write_exports

    out = Path(out)
    res = SeasonOutputs(attention=pd.DataFrame())
    parts = []
    try:
        res.attention = attention_list(ds)
        res.attention_csv = write_attention_csv(res.attention, out / "attention.csv")
        res.summary = attention_summary(res.attention, res.attention_csv)
        parts.append(_attention_html(res.attention, pages, "attention.csv"))
    except Exception as exc:  # the reports stand; the failure is named
        res.problems.append(f"attention list not written: {type(exc).__name__}: {exc}")
    try:
        parts.append(_adherence_html(plan_adherence(ds), ds, pages))
    except Exception as exc:
        res.problems.append(f"plan adherence not shown: {type(exc).__name__}: {exc}")
    try:
        res.exports = write_exports(ds, out)
        parts.append(
            f"<p class='meta'>Spreadsheets of the data: one per athlete in the "
            f"<code>exports</code> folder beside this page, and the whole squad in "
            f"<a href='{_href('exports/' + res.exports[-1].name)}'>"
            f"exports/{html.escape(res.exports[-1].name)}</a>.</p>"
        )
    except Exception as exc:
        res.problems.append(f"exports not written: {type(exc).__name__}: {exc}")
    if res.problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in res.problems)
        parts.insert(0, f"<div class='failures'><h2>Not written</h2><ul>{items}</ul></div>")
    res.html = "".join(parts)
    return res
