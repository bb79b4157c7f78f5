"""The explorer's state, without a browser: a selection in, the views' titles, words,
figures and tables out (:class:`Explorer`).

What is computed once per dataset (the race table with every window of 7 to 42 days, the
race context with PB/SB, the plan's adherence, the fatigue metrics) is kept on the
:class:`Explorer`; each view is cached per the part of the selection it depends on, so a
change of the window redraws the two views that use the window and nothing else.

Privacy: with an athlete chosen, every table a view draws comes from
:meth:`analysis.Dataset.athlete` (that athlete's rows only); the squad's estimate enters as
words (a squad-level number), never as another athlete's rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..dataset import Dataset

#: The windows the explorer offers (days before a race), bounds included.
WINDOW_MIN, WINDOW_MAX = 7, 42
#: The events of the reports.
EVENTS = (200, 400)
#: The label of the first athlete choice.
WHOLE_SQUAD = "Whole squad"

#: The views, in the order they are shown.
VIEWS = ("volume", "plan", "fade", "relation", "races")
#: What each view depends on (the fields of :class:`Selection` that key its cache).
DEPENDS = {
    "volume": ("athlete_id", "start", "end", "families"),
    "plan": ("athlete_id", "start", "end"),
    "fade": ("athlete_id", "event", "start", "end"),
    "relation": ("athlete_id", "event", "window_days", "start", "end"),
    "races": ("athlete_id", "event", "window_days", "start", "end"),
}

#: "What am I looking at", in the athlete report's words (notebooks/athlete_report.ipynb).
WORDS = {
    "volume": (
        "Weekly hip-flexion repetitions by exercise: sets × reps, doubled when logged per "
        "leg; distance drills (A's, high knees) converted with the catalog's reps per metre. "
        "Mobility work counts zero."
    ),
    "plan": (
        "The coach's plan (plan.csv / plan.xlsx in the data folder) against what was logged, "
        "week by week, in hip-flexion reps."
    ),
    "fade": (
        "The differential is second-half time minus first-half time: the smaller, the less "
        "the athlete slowed. A star rings a PB (faster than every earlier race in the data), "
        "a diamond an SB (fastest this season so far)."
    ),
    "relation": (
        "Each dot is one race: the second-half fade against the hip-flexor reps logged in "
        "the days before it. Each athlete is compared only with themselves (the short lines: "
        "the within-athlete relation); comparing different athletes would mix in talent, "
        "event and training age."
    ),
    "relation_athlete": (
        "Each dot is one of this athlete's races: the second-half fade against the "
        "hip-flexor reps logged in the days before it. Under it, the squad's answer (each "
        "athlete compared only with themselves, a squad-level number) and this athlete's own "
        "races weighed with the squad's."
    ),
    "races": (
        "PB / SB: faster than every earlier race in the data (PB) or this season (SB); the "
        "first race in the data is not flagged. The differential is second-half minus "
        "first-half time."
    ),
}


@dataclass(frozen=True)
class Selection:
    """What the coach chose.

    Attributes
    ----------
    athlete_id : str or None
        One athlete, or None for the whole squad.
    event : int
        200 or 400 (metres).
    window_days : int
        Hip-flexor reps counted over this many days before each race (7 to 42).
    start, end : date or None
        Races and training days shown (inclusive); None: from the first / to the last.
    families : tuple of str
        Exercise families of the volume view; empty: every family.
    """

    athlete_id: str | None = None
    event: int = 400
    window_days: int = 28
    start: dt.date | None = None
    end: dt.date | None = None
    families: tuple[str, ...] = ()

    def key(self, view: str) -> tuple:
        """The part of the selection ``view`` depends on (its cache key)."""
        return (view, *(getattr(self, f) for f in DEPENDS[view]))


@dataclass(frozen=True)
class View:
    """One view as the panel shows it (plain text fields; the panel escapes them).

    Attributes
    ----------
    name : str
        One of :data:`VIEWS`.
    title : str
        Names the athlete (or the squad), the event and the window where they apply.
    words : str
        The "what am I looking at" line.
    estimate : tuple of str
        Sentences of the estimate (the relation view), else empty.
    png : bytes or None
        The figure, or None for a table view.
    table : DataFrame or None
        The table of a table view.
    link : str or None
        A report page on disk that shows the same (absolute path), when one exists.
    """

    name: str
    title: str
    words: str
    estimate: tuple[str, ...] = ()
    png: bytes | None = None
    table: pd.DataFrame | None = field(default=None, repr=False)
    link: str | None = None


def _png(draw: Callable[..., object], figsize: tuple[float, float] = (8.0, 3.6)) -> bytes:
    """Draw on a figure of its own (no pyplot state, nothing shown twice) and return a PNG."""
    from matplotlib.figure import Figure

    from ..plots import house_style

    with house_style():
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.subplots()
    draw(ax)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


class Explorer:
    """The explorer of one dataset: selections in, :class:`View` objects out.

    Parameters
    ----------
    ds : Dataset
        The whole squad's dataset.
    reports_dir : path, optional
        A ``hipflex report`` output folder; a view links to its page there when the page
        exists. Default: ``reports/`` beside ``data/`` of the data folder, when present.

    Examples
    --------
    >>> ex = Explorer(load_dataset("data/raw/sample"))          # doctest: +SKIP
    >>> v = ex.view("relation", Selection(athlete_id="A03", window_days=21))  # doctest: +SKIP
    >>> v.title                                                  # doctest: +SKIP
    "Zoë Marchetti: 400 m fade against hip-flexor reps in the 21 days before each race"
    """

    def __init__(self, ds: Dataset, *, reports_dir: str | os.PathLike[str] | None = None):
        from ..relate import race_table
        from ..season import race_context

        self.ds = ds
        self.reports_dir = Path(reports_dir) if reports_dir else _find_reports(ds.data_dir)
        windows = tuple(range(WINDOW_MIN, WINDOW_MAX + 1))
        #: Every race with the window volumes and the fade metrics, PB/SB flagged (once).
        self.races = race_context(race_table(ds.log, ds.races, ds.fatigue, windows=windows))
        self._athletes: dict[str, Dataset] = {}
        self._views: dict[tuple, View] = {}
        self._squad_memo: dict = {}
        self._adherence: pd.DataFrame | None = None
        self._names_of_exercises: dict[str, str] | None = None

    # ------------------------------------------------------------------ choices
    def athlete_options(self) -> list[tuple[str, str]]:
        """(label, athlete_id) pairs, "Whole squad" first (id ``""``), then by name.

        Names, not ids; a name two athletes share gets the id in brackets.
        """
        a = self.ds.athletes[["athlete_id", "name"]].astype("string")
        names = a["name"].fillna(a["athlete_id"]).str.strip()
        shared = names.duplicated(keep=False)
        labels = names.where(~shared, names + " (" + a["athlete_id"] + ")")
        pairs = sorted(zip(labels.tolist(), a["athlete_id"].tolist(), strict=True),
                       key=lambda p: p[0].casefold())  # fmt: skip
        return [(WHOLE_SQUAD, ""), *pairs]

    def events(self) -> list[int]:
        """200 and 400, and any other event in the data."""
        found = {int(e) for e in self.ds.races["event_m"].dropna()}
        return sorted(set(EVENTS) | found)

    def date_span(self) -> tuple[dt.date | None, dt.date | None]:
        """First and last day of the log and the races."""
        d = pd.concat([self.ds.log["date"], self.ds.races["date"]]).dropna()
        if d.empty:
            return None, None
        return d.min().date(), d.max().date()

    def families(self) -> list[str]:
        """Exercise families present in the log."""
        return sorted(str(f) for f in self.ds.log["family"].dropna().unique())

    def name(self, athlete_id: str | None) -> str:
        """The athlete's name (the squad's label for None)."""
        if not athlete_id:
            return "the whole squad"
        a = self.ds.athletes
        hit = a.loc[a["athlete_id"] == athlete_id, "name"]
        return str(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else str(athlete_id)

    # ------------------------------------------------------------------ tables
    def _scope(self, athlete_id: str | None) -> Dataset:
        """The dataset a view may draw from: one athlete's rows only, or the squad's."""
        if not athlete_id:
            return self.ds
        if athlete_id not in self._athletes:
            one = self.ds.athlete(athlete_id)
            self._athletes[athlete_id] = one
        return self._athletes[athlete_id]

    def tables(self, sel: Selection) -> dict[str, pd.DataFrame]:
        """The rows the views of ``sel`` draw: ``log``, ``races``, ``fatigue``, ``adherence``.

        With an athlete chosen, only that athlete's rows; dates within ``start``–``end``.
        """
        ds = self._scope(sel.athlete_id)
        races = self.races
        if sel.athlete_id:
            races = races[races["athlete_id"] == sel.athlete_id]
        fat = ds.fatigue
        log = ds.log
        if sel.families:
            log = log[log["family"].isin(sel.families)]
        ad = self.adherence()
        if sel.athlete_id:
            ad = ad[ad["athlete_id"] == sel.athlete_id]
        return {
            "log": _between(log, "date", sel),
            "races": _between(races, "date", sel),
            "fatigue": _between(fat, "date", sel),
            "adherence": _between(ad, "week", sel),
        }

    def adherence(self) -> pd.DataFrame:
        """:func:`analysis.plan_adherence` of the squad, computed once."""
        if self._adherence is None:
            from ..adherence import plan_adherence

            self._adherence = plan_adherence(self.ds)
        return self._adherence

    def _exercise_names(self) -> dict[str, str]:
        if self._names_of_exercises is None:
            from ..reports.words import exercise_names

            self._names_of_exercises = exercise_names()
        return self._names_of_exercises

    # ------------------------------------------------------------------ views
    def views(self, sel: Selection) -> list[View]:
        """Every view of ``sel``, in :data:`VIEWS` order."""
        return [self.view(v, sel) for v in VIEWS]

    def view(self, name: str, sel: Selection) -> View:
        """One view of ``sel``, from the cache when its part of the selection was seen."""
        key = sel.key(name)
        if key not in self._views:
            self._views[key] = getattr(self, f"_view_{name}")(sel)
        return self._views[key]

    def stale(self, old: Selection | None, new: Selection) -> list[str]:
        """The views whose part of the selection changed from ``old`` to ``new``."""
        if old is None:
            return list(VIEWS)
        return [v for v in VIEWS if old.key(v) != new.key(v)]

    def _span_words(self, sel: Selection) -> str:
        if sel.start is None and sel.end is None:
            return ""
        lo, hi = self.date_span()
        a, b = sel.start or lo, sel.end or hi
        return f" ({a:%d %b %Y} to {b:%d %b %Y})"

    def _view_volume(self, sel: Selection) -> View:
        from ..plots import plot_weekly_volume

        t = self.tables(sel)
        who = self.name(sel.athlete_id)
        title = f"Weekly hip-flexor volume by exercise, {who}{self._span_words(sel)}"
        words = WORDS["volume"]
        if sel.families:
            words += (
                " Families shown: " + ", ".join(f.replace("_", " ") for f in sel.families) + "."
            )
        png = _png(lambda ax: plot_weekly_volume(
            t["log"], athlete_id=sel.athlete_id or None, ax=ax,
            exercise_names=self._exercise_names(), who=who,
        ))  # fmt: skip
        return View("volume", title, words, png=png, link=self._link(sel.athlete_id))

    def _view_plan(self, sel: Selection) -> View:
        from ..plots import plot_plan_adherence

        t = self.tables(sel)
        who = self.name(sel.athlete_id)
        ad = t["adherence"]
        title = f"Plan against done, {who}{self._span_words(sel)}"
        words = WORDS["plan"] + " " + _plan_words(ad, who)
        png = _png(lambda ax: plot_plan_adherence(ad, sel.athlete_id or None, ax=ax, who=who))
        return View("plan", title, words, png=png, link=self._link(sel.athlete_id))

    def _view_fade(self, sel: Selection) -> View:
        from ..plots import plot_fatigue_trend

        t = self.tables(sel)
        who = self.name(sel.athlete_id)
        fat = t["fatigue"]
        fat = fat[fat["event_m"] == sel.event]
        names = dict(zip(self._scope(sel.athlete_id).athletes["athlete_id"],
                         self._scope(sel.athlete_id).athletes["name"], strict=True))  # fmt: skip
        title = f"The fade over the season, {sel.event} m, {who}{self._span_words(sel)}"
        png = _png(lambda ax: plot_fatigue_trend(fat, ax=ax, bests=t["races"], names=names))
        return View("fade", title, WORDS["fade"], png=png, link=self._link(sel.athlete_id))

    def _view_relation(self, sel: Selection) -> View:
        from ..plots import plot_volume_vs_fatigue

        t = self.tables(sel)
        who = self.name(sel.athlete_id)
        w, ev = sel.window_days, sel.event
        col = f"hf_reps_{w}d"
        races = t["races"]
        races = races[(races["event_m"] == ev) & (races["status"].fillna("ok") == "ok")]
        n = int(pd.to_numeric(races["differential_s"], errors="coerce").notna().sum())
        title = (
            f"{who[:1].upper() + who[1:]}: {ev} m fade against hip-flexor reps in the {w} days "
            f"before each race{self._span_words(sel)}"
        )
        estimate = tuple(self.estimate_lines(sel))
        png = _png(lambda ax: plot_volume_vs_fatigue(
            races, col, "differential_s", subject="athlete_id" if not sel.athlete_id else None,
            ax=ax, title=f"{n} race(s) with a half-way split",
        ))  # fmt: skip
        link = self._link(sel.athlete_id) if sel.athlete_id else self._page("squad.html")
        words = WORDS["relation_athlete" if sel.athlete_id else "relation"]
        return View("relation", title, words, estimate, png=png, link=link)

    def _view_races(self, sel: Selection) -> View:
        t = self.tables(sel)
        who = self.name(sel.athlete_id)
        races = t["races"]
        races = races[(races["event_m"] == sel.event) & races["status"].notna()]
        races = races.sort_values("date", ascending=False, kind="stable")
        best = (
            pd.Series("", index=races.index, dtype="string")
            .mask(races["is_sb"].fillna(False).astype(bool), "SB")
            .mask(races["is_pb"].fillna(False).astype(bool), "PB")
        )
        names = dict(zip(self.ds.athletes["athlete_id"], self.ds.athletes["name"], strict=True))
        cols = {
            "date": pd.to_datetime(races["date"]).dt.date.astype("string"),
            "athlete": races["athlete_id"].map(names),
            "meet": races["meet"],
            "round": races["round"],
            "final (s)": races["final_s"],
            "PB / SB": best,
            "status": races["status"],
            "1st half (s)": races["first_half_s"],
            "2nd half (s)": races["second_half_s"],
            "differential (s)": races["differential_s"],
            f"HF reps, {sel.window_days} d before": races[f"hf_reps_{sel.window_days}d"],
        }
        if sel.athlete_id:
            del cols["athlete"]
        table = pd.DataFrame(cols).reset_index(drop=True)
        title = f"{sel.event} m races, newest first, {who}{self._span_words(sel)}"
        return View("races", title, WORDS["races"], table=table, link=self._link(sel.athlete_id))

    # ------------------------------------------------------------------ estimate
    def estimate_lines(self, sel: Selection) -> list[str]:
        """The squad's within-athlete estimate in the squad report's words, and with an
        athlete chosen, that athlete's own pooled toward it (the athlete report's opening
        lines, :func:`analysis.reports.squad.takeaway_lines`). Races in the date range only.
        """
        from ..reports.squad import _table, squad_effect, takeaway_lines
        from ..reports.squad_words import headline_words, verdict_words

        ds = self._dated(sel)
        if sel.athlete_id:
            memo = self._squad_memo.setdefault((sel.start, sel.end), {})
            return takeaway_lines(
                ds, sel.athlete_id, event=sel.event, window_days=sel.window_days, _memo=memo
            )
        res = squad_effect(_table(ds, sel.event, (sel.window_days,)), sel.window_days)
        words = headline_words(res, event=sel.event, window_days=sel.window_days)
        return ["The squad: " + words[:1].lower() + words[1:], verdict_words(res)]

    def _dated(self, sel: Selection) -> Dataset:
        """The squad's dataset with races (and their splits) within the date range; the
        log whole, so a race's window counts the days before it even before ``start``."""
        if sel.start is None and sel.end is None:
            return self.ds
        races = _between(self.ds.races, "date", sel)
        return dataclasses.replace(
            self.ds, races=races, splits=self.ds.splits[self.ds.splits["race_id"].isin(
                races["race_id"])], _cache={},
        )  # fmt: skip

    # ------------------------------------------------------------------ links
    def _page(self, rel: str) -> str | None:
        if self.reports_dir is None:
            return None
        p = self.reports_dir / rel
        return str(p.resolve()) if p.is_file() else None

    def _link(self, athlete_id: str | None) -> str | None:
        if not athlete_id:
            return self._page("squad.html")
        from ..reports.plan import page_names

        page = page_names(self.ds.athletes["athlete_id"].astype("string"))[athlete_id]
        return self._page(f"athletes/{page}.html")


def _between(df: pd.DataFrame, col: str, sel: Selection) -> pd.DataFrame:
    if sel.start is None and sel.end is None:
        return df
    d = pd.to_datetime(df[col])
    keep = pd.Series(True, index=df.index)
    if sel.start is not None:
        keep &= d >= pd.Timestamp(sel.start)
    if sel.end is not None:
        keep &= d <= pd.Timestamp(sel.end)
    return df[keep.fillna(False)]


def _plan_words(ad: pd.DataFrame, who: str) -> str:
    if ad.empty:
        return (
            f"No plan for {who} in these weeks: put a plan.csv or plan.xlsx (week, squad or "
            "athlete, exercise, prescription) in the data folder to compare planned with done."
        )
    planned = float(ad["planned_hf_reps"].sum())
    done = float(ad["done_hf_reps"].sum())
    if planned <= 0:
        return f"Over {len(ad)} planned week(s) no hip-flexor reps were planned."
    return (
        f"Over these planned weeks, {who} logged {done:,.0f} of {planned:,.0f} planned "
        f"hip-flexion reps ({done / planned * 100:.0f}%). Done counts every hip-flexor entry "
        "of the week, planned or not, so more than 100% means extra work."
    )


def _find_reports(data_dir: str) -> Path | None:
    """``reports/`` of the checkout holding ``data_dir`` (``.../data/raw/x`` -> ``.../reports``)."""
    if not data_dir:
        return None
    p = Path(data_dir).resolve()
    for parent in p.parents:
        if parent.name == "data":
            cand = parent.parent / "reports"
            return cand if (cand / "index.html").is_file() else None
    return None
