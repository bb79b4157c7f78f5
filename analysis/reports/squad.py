"""The squad report (``squad_report.ipynb``, ``OUT/squad.html``): the squad's answer first.

Per event: the pooled within-athlete estimate in words and numbers
(:func:`analysis.stats.within_athlete_effect`, season adjusted, CR2 errors), a forest plot
of the athletes' own slopes around it (partially pooled, :func:`analysis.stats.athlete_slopes`),
the other windows as a sensitivity analysis (:func:`analysis.stats.window_scan`) and what
the data cannot say. :func:`athlete_takeaway` gives the two lines that open each athlete
report: the squad's estimate and that athlete's own, pooled toward the squad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import PRIMARY_WINDOW_DAYS
from ..dataset import Dataset, load_dataset
from ..relate import race_table
from ..stats import (
    AdjustedEffect,
    CorrResult,
    EffectResult,
    adjusted_effect,
    athlete_slopes,
    rm_corr,
    window_scan,
    within_athlete_effect,
)
from .display import _html


def render(name: str, /, **context) -> str:
    """:func:`analysis.templating.render`, looked up at call time."""
    from .. import templating

    return templating.render(name, **context)


def bullets(items: list[str]) -> object:
    """A bulleted list of sentences for display in a notebook (escaped, never maths)."""
    return _html(render("bullets.html.j2", items=[str(x) for x in items]))


def headline_html(words: str, verdict: str) -> object:
    """The squad's answer as the box that opens the squad report (escaped, never maths)."""
    return _html(render("squad_headline.html.j2", words=str(words), verdict=str(verdict)))


def exploratory_html(words: str, caveats: list[str]) -> object:
    """An exploratory analysis as a box of its own, marked so, with its caveats listed."""
    return _html(render("exploratory.html.j2", words=str(words), caveats=[str(c) for c in caveats]))


#: Windows of the sensitivity analysis (days), the primary one among them.
SCAN_WINDOWS = (7, 14, 21, 28, 35, 42, 49, 56)

#: Reps per unit of the headline ("per 100 more reps").
PER = 100


def format_p(p: float) -> str:
    """A p-value as a coach should read it: ``p < 0.001``, ``p = 0.004``, ``p = 0.31``.

    Examples
    --------
    >>> format_p(0.0000012), format_p(0.0042), format_p(0.3149), format_p(float("nan"))
    ('p < 0.001', 'p = 0.004', 'p = 0.31', 'p not available')
    """
    if p is None or not np.isfinite(p):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _faster(value: float) -> str:
    """A change of the differential per 100 reps: ``0.05 s faster`` (less fade) or slower."""
    if not np.isfinite(value):
        return "unknown"
    digits = 3 if abs(value) < 0.01 else 2
    if round(abs(value), digits) == 0:
        return "0.000 s (no change)"
    return f"{abs(value):.{digits}f} s {'faster' if value < 0 else 'slower'}"


def headline_words(res: EffectResult, *, event: int, window_days: int) -> str:
    """The squad's answer in one sentence, with its interval, athletes and races."""
    if not np.isfinite(res.estimate):
        return (
            f"No squad estimate for the {event} m yet: {res.n_subjects} athletes with two or "
            f"more {event} m races and a logged {window_days}-day build-up ({res.note})."
        )
    if not np.isfinite(res.ci_low):
        return (
            f"Per {PER} more hip-flexor reps in the {window_days} days before a {event} m race, "
            f"the second half was {_faster(res.estimate)} relative to the first, but with "
            f"{res.n_subjects} athlete(s) there is no interval ({res.note})."
        )
    return (
        f"Per {PER} more hip-flexor reps in the {window_days} days before a race, the second "
        f"half of the {event} m was {_faster(res.estimate)} relative to the first "
        f"(95 % CI {_faster(res.ci_low)} to {_faster(res.ci_high)}; {format_p(res.pvalue)}), "
        f"{res.n_subjects} athletes, {res.n_obs} races."
    )


def verdict_words(res: EffectResult) -> str:
    """What the interval means, in plain words."""
    if not np.isfinite(res.ci_low):
        return "The data cannot yet say whether more hip-flexor work goes with less fade."
    if res.ci_low <= 0 <= res.ci_high:
        return (
            "The interval includes no change: these races cannot tell a link of this size "
            "from chance. More races (or more athletes) would narrow it."
        )
    less = res.estimate < 0
    return (
        "The interval excludes no change: in this squad, races after more hip-flexor work "
        f"came with {'less' if less else 'more'} fade, comparing each athlete with "
        "themselves and allowing for the season."
    )


#: Units of session load in the model (arbitrary units, RPE x minutes; per 1000 AU).
SRPE_PER = 1000

_ANSWER = {
    "negative": "the interval points to less fade",
    "positive": "the interval points to more fade",
    "unclear": "the interval includes no change",
    "none": "there is no interval",
}


def _interval(res: EffectResult) -> str:
    return f"95 % CI {_faster(res.ci_low)} to {_faster(res.ci_high)}"


def adjustment_words(adj: AdjustedEffect, *, window_days: int) -> str:
    """Whether adjusting for overall session load (sRPE) changes the squad's answer.

    Both estimates with their intervals and the races they rest on, then a verdict read
    from the intervals; when the adjustment could not be made, why, in plain words.
    """
    what = "overall session load (sRPE: session RPE × minutes)"
    n, k = adj.n_rows, adj.n_known
    days = f"logged day of the {window_days} days before"
    if not np.isfinite(adj.unadjusted.ci_low):
        return f"No squad interval yet, so no adjustment for {what} either."
    if not adj.made:
        if k == 0:
            why = (
                f"none of the {n} races has a session RPE and minutes for every {days}. "
                "Logging RPE (0–10) and Minutes for every session would allow it"
            )
        elif k < adj.min_share * n:
            why = (
                f"only {k} of the {n} races have a session RPE and minutes for every {days} "
                "(fewer than half); an answer from so few races would be about other races "
                "than the headline's"
            )
        elif "never changes" in adj.why:
            why = f"the session load of the {window_days} days before a race never changes "
            why += "within an athlete"
        else:
            why = f"the adjusted model cannot be fitted ({adj.why})"
        return f"The estimate could not be adjusted for {what}: {why}."
    a, b = adj.same_rows, adj.adjusted
    move = (
        f"leaves the estimate at {_faster(b.estimate)}"
        if _faster(a.estimate) == _faster(b.estimate)
        else f"moves the estimate from {_faster(a.estimate)} to {_faster(b.estimate)}"
    )
    text = f"Adjusting for overall session load (sRPE) {move} per {PER} more hip-flexor reps"
    if not adj.changes_answer:
        text += f"; the answer does not change: with and without it {_ANSWER[adj.answer_after]}."
    else:
        text += (
            f"; the answer changes: without the adjustment {_ANSWER[adj.answer_before]}, "
            f"with it {_ANSWER[adj.answer_after]}."
        )
    text += (
        f" Without the adjustment: {_interval(a)}; with it: {_interval(b)} "
        f"({b.n_subjects} athletes, {b.n_obs} races)."
    )
    if adj.changes_answer:
        if abs(b.estimate - a.estimate) > 0.5 * a.se:
            text += (
                " Session load moved with the hip-flexor work, so part of the unadjusted "
                "link belongs to the overall load (unless the load is itself raised by the "
                "hip-flexor work, when the adjustment takes away part of the effect asked "
                "about)."
            )
        else:
            wider = (b.ci_high - b.ci_low) > (a.ci_high - a.ci_low)
            text += " The estimate itself hardly moves; the interval is " + (
                "wider with the adjustment (session load and hip-flexor work move "
                "together, which leaves less to tell them apart), so read the answer as "
                "borderline."
                if wider
                else "narrower with the adjustment (the load explains part of the "
                "race-to-race noise), so read the answer as borderline."
            )
    if k < n:
        text += (
            f" The headline uses all {n} races; {n - k} had a day without RPE or minutes "
            f"in the {window_days} days before, so this comparison uses the {k} with it."
        )
    return text


def variety_words(res: EffectResult, held: EffectResult, *, event: int, window_days: int) -> str:
    """The exploratory variety estimate in one or two sentences."""
    if not np.isfinite(res.estimate):
        return f"No estimate of exercise variety against the {event} m fade: {res.note}."
    what = (
        f"Per one more distinct hip-flexor exercise per session (averaged over the "
        f"{window_days} days before a race), the second half of the {event} m was "
        f"{_faster(res.estimate)} relative to the first"
    )
    if np.isfinite(res.ci_low):
        what += f" ({_interval(res)}; {format_p(res.pvalue)})"
    what += f", {res.n_subjects} athletes, {res.n_obs} races."
    if np.isfinite(held.ci_low):
        what += (
            f" With the hip-flexor volume held fixed: {_faster(held.estimate)} ({_interval(held)})."
        )
    else:
        what += f" With the volume held fixed there is no estimate ({held.note})."
    return what


def variety_caveats(
    res: EffectResult, corr: CorrResult, spread: float, *, window_days: int
) -> list[str]:
    """What the exploratory variety analysis cannot carry, in plain words."""
    out = [
        "Not planned in advance: this report was set up to answer one question (hip-flexor "
        "volume and the fade). Variety is looked at besides it, after the data were in; its p-value "
        "is not corrected for the other looks; a clear-looking link here is a question to "
        "test next season, not a finding.",
    ]
    if not np.isfinite(res.estimate):
        return out
    if np.isfinite(corr.r):
        strength = (
            "strongly" if abs(corr.r) >= 0.5 else "somewhat" if abs(corr.r) >= 0.2 else "a little"
        )
        out.append(
            f"Variety moves {strength} with volume: within an athlete, build-ups with more "
            f"different exercises had {'more' if corr.r > 0 else 'fewer'} hip-flexor reps "
            f"(a within-athlete correlation of r = {corr.r:.2f} on a scale from −1 to 1, "
            f"95 % CI {corr.ci_low:.2f} to {corr.ci_high:.2f}, {corr.n} races). A link "
            "with variety may be the volume's; the second estimate holds volume fixed, which "
            "leaves less to go on."
        )
    if np.isfinite(spread):
        out.append(
            f"It rests on {res.n_subjects} athletes and {res.n_obs} races, and variety "
            f"changes little within an athlete (typically by ±{spread:.1f} exercises per "
            f'session around their own average over {window_days} days): "one more '
            'exercise per session" goes beyond what most of these athletes changed, and '
            "the interval is wide."
        )
    if res.n_subjects < 5:
        out.append(f"Only {res.n_subjects} athletes: too few for the squad.")
    out.append(
        "Variety counts different hip-flexor exercises per session; it says nothing about "
        "which exercises, their order, or their intensity."
    )
    return out


def _table(ds: Dataset, event: int, windows: tuple[int, ...]) -> pd.DataFrame:
    t = race_table(ds.log, ds.races, ds.fatigue, windows)
    t = t[(t["event_m"] == event) & (t["status"].fillna("ok") == "ok")]
    return t.assign(**{f"_x{w}": pd.to_numeric(t[f"hf_reps_{w}d"]).astype("float64") / PER
                       for w in windows})  # fmt: skip


def squad_effect(table: pd.DataFrame, window_days: int) -> EffectResult:
    """The headline: :func:`within_athlete_effect` of the differential on volume / 100
    in the ``window_days`` window, within athlete, adjusted for the season (race date)."""
    return within_athlete_effect(
        table, f"_x{window_days}", "differential_s", "athlete_id", time="date"
    )


@dataclass
class SquadReport:
    """Everything the squad notebook shows."""

    ds: Dataset
    event: int
    window_days: int
    tables: dict[int, pd.DataFrame] = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls, data_dir: str, *, event: int = 400, window_days: int = PRIMARY_WINDOW_DAYS
    ) -> SquadReport:
        """Load ``data_dir``; one race table per event with the scan windows."""
        ds = load_dataset(data_dir)
        windows = tuple(sorted({*SCAN_WINDOWS, int(window_days)}))
        events = sorted({int(e) for e in ds.races["event_m"].dropna()} | {int(event)})
        tables = {ev: _table(ds, ev, windows) for ev in events}
        return cls(ds, int(event), int(window_days), tables)

    @property
    def windows(self) -> tuple[int, ...]:
        return tuple(sorted({*SCAN_WINDOWS, self.window_days}))

    def events(self) -> list[int]:
        """The report's event first, then every other event with races with a fade metric."""
        others = [
            e for e, t in self.tables.items()
            if e != self.event and t["differential_s"].notna().sum() >= 2
        ]  # fmt: skip
        return [self.event, *others]

    def effect(self, event: int | None = None) -> EffectResult:
        ev = event or self.event
        if ("effect", ev) not in self._cache:
            self._cache[("effect", ev)] = squad_effect(self.tables[ev], self.window_days)
        return self._cache[("effect", ev)]

    def headline(self, event: int | None = None) -> object:
        ev = event or self.event
        res = self.effect(ev)
        return headline_html(
            headline_words(res, event=ev, window_days=self.window_days), verdict_words(res)
        )

    def slopes(self, event: int | None = None) -> pd.DataFrame:
        ev = event or self.event
        t = self.tables[ev]
        return athlete_slopes(
            t, f"_x{self.window_days}", "differential_s", "athlete_id", time="date",
            pooled=self.effect(ev),
        )  # fmt: skip

    def slopes_table(self, event: int | None = None) -> pd.DataFrame:
        names = dict(zip(self.ds.athletes["athlete_id"], self.ds.athletes["name"], strict=True))
        s = self.slopes(event)
        return pd.DataFrame(
            {
                "athlete": [f"{names.get(a, a)} ({a})" for a in s["athlete_id"]],
                "races": s["n"],
                "own slope (s per 100 reps)": s["slope"],
                "pooled toward the squad": s["shrunk"],
                "weight of own races (%)": (100 * s["weight"]).round(0).astype("Int64"),
            }
        )

    def plot_forest(self, event: int | None = None, ax=None):
        from ..plots import plot_athlete_slopes

        ev = event or self.event
        names = dict(zip(self.ds.athletes["athlete_id"], self.ds.athletes["name"], strict=True))
        return plot_athlete_slopes(
            self.slopes(ev), self.effect(ev), labels=names, ax=ax,
            title=f"{ev} m: each athlete's link between hip-flexor work and fade, "
            f"around the squad's ({self.window_days}-day window)",
        )  # fmt: skip

    def scan(self, event: int | None = None) -> pd.DataFrame:
        ev = event or self.event
        if ("scan", ev) not in self._cache:
            self._cache[("scan", ev)] = self._scan(ev)
        return self._cache[("scan", ev)]

    def _scan(self, ev: int) -> pd.DataFrame:
        return window_scan(
            self.ds.log, self.ds.races, self.ds.fatigue, windows=self.windows, event=ev,
            method="within", primary=self.window_days,
        )  # fmt: skip

    def scan_table(self, event: int | None = None) -> pd.DataFrame:
        s = self.scan(event)
        return pd.DataFrame(
            {
                "window (days before the race)": s["window_days"].astype(str)
                + np.where(s["primary"], " (headline)", ""),
                "change per 100 reps": [_faster(v) for v in s["estimate"]],
                "95 % CI": [
                    f"{_faster(lo)} to {_faster(hi)}"
                    for lo, hi in zip(s["ci_low"], s["ci_high"], strict=True)
                ],
                "p (this window)": [format_p(p) for p in s["pvalue"]],
                "p (all windows, familywise)": [format_p(p) for p in s["pvalue_fwer"]],
                "adds to the headline window?": [
                    "—" if prim else ("yes" if f else "no")
                    for prim, f in zip(s["primary"], s["finding"], strict=True)
                ],
            }
        )

    def scan_words(self, event: int | None = None) -> str:
        s = self.scan(event)
        extra = int((s["finding"] & ~s["primary"]).sum())
        text = s.attrs["warning"] + (
            f" {len(s)} windows were compared. "
            + (
                f"{extra} window(s) add to the {self.window_days}-day one."
                if extra
                else f"No other window adds anything to the {self.window_days}-day one."
            )
        )
        return text

    def cannot_say(self, event: int | None = None) -> list[str]:
        """What these data cannot show, in plain words (bullets)."""
        ev = event or self.event
        res = self.effect(ev)
        t = self.tables[ev]
        x = pd.to_numeric(t[f"hf_reps_{self.window_days}d"], errors="coerce")
        out = [
            "It is an association, not proof. Each athlete is compared with themselves and "
            "the season's general trend is allowed for, but anything else that changed with "
            "the hip-flexor work in the same weeks (sprint sessions, rest, racing schedule, "
            "weather) could be the cause.",
            "It is the squad's average link. Athletes may differ (the forest plot); with a "
            "handful of races each, an athlete's own slope is mostly noise, so each athlete's "
            "best guess is pulled toward the squad's.",
        ]
        if len(x.dropna()):
            out.append(
                f"It says nothing about volumes outside those logged: {x.min():.0f} to "
                f"{x.max():.0f} hip-flexor reps in the {self.window_days} days before a race."
            )
        if res.n_subjects < 5:
            out.append(
                f"Only {res.n_subjects} athletes have two or more {ev} m races with splits: "
                "too few for a squad answer to generalise."
            )
        n_nodiff = int(t["differential_s"].isna().sum())
        if n_nodiff:
            out.append(
                f"{n_nodiff} {ev} m race(s) had no half-way split and are not in the estimate."
            )
        if ev == 200:
            out.append(
                "In a 200 m the second half is normally faster than the first (the first "
                "holds the start), so the differential is read against the athlete's usual "
                "one, not against zero; velocity loss needs three or more splits."
            )
        return out

    def cannot_say_html(self, event: int | None = None) -> object:
        return bullets(self.cannot_say(event))

    # -- does adjusting for overall session load (sRPE) change the answer?
    def srpe_adjustment(self, event: int | None = None) -> AdjustedEffect:
        """The headline with and without session load (``srpe_load_{W}d``, per 1000 AU)."""
        ev = event or self.event
        if ("srpe", ev) not in self._cache:
            t = self.tables[ev]
            w = self.window_days
            t = t.assign(_srpe=pd.to_numeric(t[f"srpe_load_{w}d"]).astype("float64") / SRPE_PER)
            self._cache[("srpe", ev)] = adjusted_effect(
                t, f"_x{w}", "differential_s", "athlete_id", "_srpe", time="date"
            )
        return self._cache[("srpe", ev)]

    def srpe_words(self, event: int | None = None) -> str:
        return adjustment_words(self.srpe_adjustment(event), window_days=self.window_days)

    def srpe_table(self, event: int | None = None) -> pd.DataFrame:
        """The estimates side by side (empty when the adjustment could not be made)."""
        adj = self.srpe_adjustment(event)
        if not adj.made:
            return pd.DataFrame()
        rows = [("not adjusted (the headline, all races)", adj.unadjusted)]
        if adj.n_known < adj.n_rows:
            rows.append(("not adjusted, races with session load known", adj.same_rows))
        rows.append(("adjusted for session load (sRPE)", adj.adjusted))
        return pd.DataFrame(
            {
                "which estimate": [label for label, _ in rows],
                f"change per {PER} reps": [_faster(r.estimate) for _, r in rows],
                "95 % CI": [f"{_faster(r.ci_low)} to {_faster(r.ci_high)}" for _, r in rows],
                "p": [format_p(r.pvalue) for _, r in rows],
                "athletes": [r.n_subjects for _, r in rows],
                "races": [r.n_obs for _, r in rows],
            }
        )

    def srpe_html(self, event: int | None = None) -> object:
        """The sentence, then the estimates side by side when the adjustment was made."""
        from .display import table_html

        t = self.srpe_table(event)
        table = table_html(t, caption="With and without session load").data if len(t) else ""
        return _html(render("paragraph.html.j2", text=self.srpe_words(event), css="") + table)

    # -- exploratory: variety of hip-flexor exercises against the fade
    @property
    def variety_column(self) -> str:
        return f"hf_variety_{self.window_days}d"

    def _variety_table(self, ev: int) -> pd.DataFrame:
        t = self.tables[ev]
        return t.assign(_v=pd.to_numeric(t[self.variety_column]).astype("float64"))

    def variety_effect(self, event: int | None = None) -> EffectResult:
        """Differential per one more distinct exercise per session, within athlete."""
        ev = event or self.event
        t = self._variety_table(ev)
        return within_athlete_effect(t, "_v", "differential_s", "athlete_id", time="date")

    def variety_held(self, event: int | None = None) -> EffectResult:
        """The same with the window's hip-flexor volume as a covariate."""
        ev = event or self.event
        t = self._variety_table(ev)
        return within_athlete_effect(
            t, "_v", "differential_s", "athlete_id", time="date",
            covariates=[f"_x{self.window_days}"],
        )  # fmt: skip

    def variety_volume_corr(self, event: int | None = None) -> CorrResult:
        """Within-athlete correlation of variety with volume (the races with a fade)."""
        ev = event or self.event
        t = self._variety_table(ev)
        t = t[pd.to_numeric(t["differential_s"], errors="coerce").notna()]
        return rm_corr(t, "_v", f"_x{self.window_days}", "athlete_id")

    def variety_spread(self, event: int | None = None) -> float:
        """Typical within-athlete deviation of variety (SD around each athlete's mean)."""
        ev = event or self.event
        t = self._variety_table(ev)
        t = t[pd.to_numeric(t["differential_s"], errors="coerce").notna() & t["_v"].notna()]
        if len(t) < 2:
            return float("nan")
        dev = t["_v"] - t.groupby("athlete_id", observed=True)["_v"].transform("mean")
        return float(np.sqrt((dev**2).sum() / max(len(t) - t["athlete_id"].nunique(), 1)))

    def variety_html(self, event: int | None = None) -> object:
        """The exploratory box: the estimate in words and its caveats."""
        ev = event or self.event
        res = self.variety_effect(ev)
        words = variety_words(res, self.variety_held(ev), event=ev, window_days=self.window_days)
        caveats = variety_caveats(
            res, self.variety_volume_corr(ev), self.variety_spread(ev),
            window_days=self.window_days,
        )  # fmt: skip
        return exploratory_html(words, caveats)

    def _srpe_record(self, ev: int) -> dict:
        adj = self.srpe_adjustment(ev)
        return {
            "made": adj.made, "why": adj.why, "changes_answer": adj.changes_answer,
            "n_rows": adj.n_rows, "n_known": adj.n_known,
            "unadjusted": _effect_record(adj.same_rows),
            "adjusted": _effect_record(adj.adjusted),
            "words": adjustment_words(adj, window_days=self.window_days),
        }  # fmt: skip

    def results(self) -> dict:
        out: dict = {"event": self.event, "window_days": self.window_days, "events": {}}
        for ev in self.events():
            r = self.effect(ev)
            out["events"][str(ev)] = {
                "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low, "ci_high": r.ci_high,
                "pvalue": r.pvalue, "dof": r.dof, "n_subjects": r.n_subjects,
                "n_obs": r.n_obs, "method": r.method,
                "headline": headline_words(r, event=ev, window_days=self.window_days),
                "srpe": self._srpe_record(ev),
                "variety": _effect_record(self.variety_effect(ev)),
                "variety_volume_held": _effect_record(self.variety_held(ev)),
            }  # fmt: skip
        head = out["events"][str(self.event)]
        out.update({k: head[k] for k in ("estimate", "ci_low", "ci_high", "n_subjects", "n_obs")})
        return out


def _effect_record(r: EffectResult) -> dict:
    return {"estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
            "pvalue": r.pvalue, "n_subjects": r.n_subjects, "n_obs": r.n_obs}  # fmt: skip


def athlete_takeaway(
    data_dir: str, athlete_id: str, *, event: int = 400, window_days: int = PRIMARY_WINDOW_DAYS
) -> list[str]:
    """The two lines that open an athlete report: the squad's answer, then the athlete's own.

    The athlete's line uses their own races weighed with the squad's (empirical Bayes,
    :func:`analysis.stats.athlete_slopes`), so a handful of races does not speak alone.
    Only squad-level numbers of other athletes enter (no other athlete's data).
    """
    return takeaway_lines(load_dataset(data_dir), athlete_id, event=event, window_days=window_days)


def takeaway_lines(
    ds: Dataset,
    athlete_id: str,
    *,
    event: int = 400,
    window_days: int = PRIMARY_WINDOW_DAYS,
    _memo: dict | None = None,
) -> list[str]:
    """:func:`athlete_takeaway` from a loaded (whole-squad) dataset. ``_memo`` (a dict)
    keeps the squad fit per event across athletes when planning a batch."""
    memo = {} if _memo is None else _memo
    key = (int(event), int(window_days))
    if key not in memo:
        t = _table(ds, int(event), (int(window_days),))
        res = squad_effect(t, int(window_days))
        slopes = (
            athlete_slopes(t, f"_x{window_days}", "differential_s", "athlete_id",
                           time="date", pooled=res).set_index("athlete_id")
            if np.isfinite(res.estimate) else None
        )  # fmt: skip
        memo[key] = (res, slopes)
    res, s = memo[key]
    words = headline_words(res, event=int(event), window_days=int(window_days))
    first = "The squad: " + words[:1].lower() + words[1:]
    if not np.isfinite(res.estimate):
        return [first, "You: no squad estimate yet, so no estimate for you either."]
    aid = str(athlete_id)
    if aid not in s.index or not np.isfinite(s.loc[aid, "slope"]):
        n = int(s.loc[aid, "n"]) if aid in s.index else 0
        second = (
            f"You: {n} {event} m race(s) with splits are too few for an estimate of your own; "
            f"the squad's ({_faster(res.estimate)} per {PER} reps) is the best guess for you."
        )
        return [first, second]
    r = s.loc[aid]
    lo, hi = r["shrunk"] - 1.96 * r["shrunk_se"], r["shrunk"] + 1.96 * r["shrunk_se"]
    second = (
        f"You: your own {int(r['n'])} races alone suggest {_faster(r['slope'])} per {PER} reps; "
        f"weighed with the squad's (your races count for {100 * r['weight']:.0f} %), the best "
        f"guess for you is {_faster(r['shrunk'])} (roughly {_faster(lo)} to {_faster(hi)})."
    )
    return [first, second]


def takeaway_html(lines: list[str]) -> object:
    """The takeaway as the box that opens an athlete report."""
    return _html(render("takeaway.html.j2", lines=[str(x) for x in lines]))


__all__ = [
    "SCAN_WINDOWS",
    "SquadReport",
    "adjustment_words",
    "athlete_takeaway",
    "bullets",
    "exploratory_html",
    "format_p",
    "headline_html",
    "headline_words",
    "squad_effect",
    "takeaway_html",
    "takeaway_lines",
    "variety_caveats",
    "variety_words",
    "verdict_words",
]
