"""The squad report (``squad_report.ipynb``, ``OUT/squad.html``): the squad's answer first.

Per event: the pooled within-athlete estimate in words and numbers
(:func:`analysis.stats.within_athlete_effect`, season adjusted, CR2 errors), a forest plot
of the athletes' own slopes around it (partially pooled, :func:`analysis.stats.athlete_slopes`),
the other windows as a sensitivity analysis (:func:`analysis.stats.window_scan`) and what
the data cannot say; whether adjusting for session load (sRPE) changes the answer
(:func:`analysis.stats.adjusted_effect`) and, as an exploratory analysis, exercise variety
against the fade. The sentences and boxes are in :mod:`analysis.reports.pages.squad_words`.
:func:`athlete_takeaway` gives the two lines that open each athlete
report: the squad's estimate and that athlete's own, pooled toward the squad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...config import PRIMARY_WINDOW_DAYS
from ...dataset import Dataset, load_dataset
from ...relate import race_table
from ...stats import (
    AdjustedEffect,
    CorrResult,
    EffectResult,
    adjusted_effect,
    athlete_slopes,
    rm_corr,
    window_scan,
    within_athlete_effect,
)
from .display import html_output, table_html
from .load import load_or_sample
from .squad_scale import SlopesSection
from .squad_words import (
    PER,
    SRPE_NAME,
    SRPE_PER,
    VARIETY,
    adjustment_words,
    bullets,
    effect_record,
    exploratory_html,
    faster,
    format_p,
    headline_html,
    headline_words,
    render,
    takeaway_html,
    variety_caveats,
    variety_words,
    verdict_words,
)

#: The old name (tests use it).
_faster = faster

#: Windows of the sensitivity analysis (days), the primary one among them.
SCAN_WINDOWS = (7, 14, 21, 28, 35, 42, 49, 56)


def squad_races(ds: Dataset, event: int, windows: tuple[int, ...]) -> pd.DataFrame:
    """The squad's finished races at ``event`` with the hip-flexor reps of each window
    before them (``_x<w>``: reps / 100, the unit of the headline's slope).

    Parameters
    ----------
    ds : Dataset
        The data set.
    event : int
        Event (m).
    windows : tuple of int
        Windows (days before race day).

    Returns
    -------
    DataFrame
        :func:`analysis.relate.race_table` rows of ``event`` with status ok, plus ``_x<w>``.
    """
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
class SquadReport(SlopesSection):
    """Everything the squad notebook shows (the athletes' section past
    ``config.SQUAD_SUMMARY_ATHLETES`` athletes: :class:`~.squad_scale.SlopesSection`)."""

    ds: Dataset
    event: int
    window_days: int
    tables: dict[int, pd.DataFrame] = field(repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        data_dir: str,
        *,
        event: int = 400,
        window_days: int = PRIMARY_WINDOW_DAYS,
        tables: str | None = None,
    ) -> SquadReport:
        """Load ``data_dir`` (the sample is made on first use, as in the other reports), or
        the cleaned tables at ``tables`` (a report kernel's parameter)."""

        ds = load_or_sample(data_dir, tables=tables)
        return cls.from_dataset(ds, event=event, window_days=window_days)

    @classmethod
    def from_dataset(
        cls, ds: Dataset, *, event: int = 400, window_days: int = PRIMARY_WINDOW_DAYS
    ) -> SquadReport:
        """The report from a loaded dataset: one race table per event with the scan windows."""
        windows = tuple(sorted({*SCAN_WINDOWS, int(window_days)}))
        events = sorted({int(e) for e in ds.races["event_m"].dropna()} | {int(event)})
        tables = {ev: squad_races(ds, ev, windows) for ev in events}
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
        if ("slopes", ev) not in self._cache:
            t = self.tables[ev]
            self._cache[("slopes", ev)] = athlete_slopes(
                t, f"_x{self.window_days}", "differential_s", "athlete_id", time="date",
                pooled=self.effect(ev),
            )  # fmt: skip
        return self._cache[("slopes", ev)]

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
        from ...plots import plot_athlete_slopes

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
                "change per 100 reps": [faster(v) for v in s["estimate"]],
                "95 % CI": [
                    f"{faster(lo)} to {faster(hi)}"
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
            "It is the squad's average link. Athletes may differ (the "
            f"{'funnel' if self.summarised(ev) else 'forest'} plot); with a "
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
            t = t.assign(
                **{SRPE_NAME: pd.to_numeric(t[f"srpe_load_{w}d"]).astype("float64") / SRPE_PER}
            )
            self._cache[("srpe", ev)] = adjusted_effect(
                t, f"_x{w}", "differential_s", "athlete_id", SRPE_NAME, time="date"
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
                f"change per {PER} reps": [faster(r.estimate) for _, r in rows],
                "95 % CI": [f"{faster(r.ci_low)} to {faster(r.ci_high)}" for _, r in rows],
                "p": [format_p(r.pvalue) for _, r in rows],
                "athletes": [r.n_subjects for _, r in rows],
                "races": [r.n_obs for _, r in rows],
            }
        )

    def srpe_html(self, event: int | None = None) -> object:
        """The sentence, then the estimates side by side when the adjustment was made."""
        t = self.srpe_table(event)
        table = table_html(t, caption="With and without session load").data if len(t) else ""
        return html_output(render("paragraph.html.j2", text=self.srpe_words(event), css="") + table)

    # -- exploratory: variety of hip-flexor exercises against the fade
    @property
    def variety_column(self) -> str:
        return f"hf_variety_{self.window_days}d"

    def _variety_table(self, ev: int) -> pd.DataFrame:
        t = self.tables[ev]
        return t.assign(**{VARIETY: pd.to_numeric(t[self.variety_column]).astype("float64")})

    def variety_effect(self, event: int | None = None) -> EffectResult:
        """Differential per one more distinct exercise per session, within athlete."""
        ev = event or self.event
        t = self._variety_table(ev)
        return within_athlete_effect(t, VARIETY, "differential_s", "athlete_id", time="date")

    def variety_held(self, event: int | None = None) -> EffectResult:
        """The same with the window's hip-flexor volume as a covariate."""
        ev = event or self.event
        t = self._variety_table(ev)
        return within_athlete_effect(
            t, VARIETY, "differential_s", "athlete_id", time="date",
            covariates=[f"_x{self.window_days}"],
        )  # fmt: skip

    def variety_volume_corr(self, event: int | None = None) -> CorrResult:
        """Within-athlete correlation of variety with volume (the races with a fade)."""
        ev = event or self.event
        t = self._variety_table(ev)
        t = t[pd.to_numeric(t["differential_s"], errors="coerce").notna()]
        return rm_corr(t, VARIETY, f"_x{self.window_days}", "athlete_id")

    def variety_spread(self, event: int | None = None) -> float:
        """Typical within-athlete deviation of variety (SD around each athlete's mean)."""
        ev = event or self.event
        t = self._variety_table(ev)
        t = t[pd.to_numeric(t["differential_s"], errors="coerce").notna() & t[VARIETY].notna()]
        if len(t) < 2:
            return float("nan")
        dev = t[VARIETY] - t.groupby("athlete_id", observed=True)[VARIETY].transform("mean")
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
            "unadjusted": effect_record(adj.same_rows),
            "adjusted": effect_record(adj.adjusted),
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
                "variety": effect_record(self.variety_effect(ev)),
                "variety_volume_held": effect_record(self.variety_held(ev)),
            }  # fmt: skip
        head = out["events"][str(self.event)]
        out.update({k: head[k] for k in ("estimate", "ci_low", "ci_high", "n_subjects", "n_obs")})
        return out


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
        t = squad_races(ds, int(event), (int(window_days),))
        res = squad_effect(t, int(window_days))
        slopes = (
            athlete_slopes(t, f"_x{window_days}", "differential_s", "athlete_id",
                           time="date", pooled=res).set_index("athlete_id")
            if np.isfinite(res.estimate) else None
        )  # fmt: skip
        words = headline_words(res, event=int(event), window_days=int(window_days))
        memo[key] = (res, slopes, "The squad: " + words[:1].lower() + words[1:])
    res, s, first = memo[key]
    if not np.isfinite(res.estimate):
        return [first, "You: no squad estimate yet, so no estimate for you either."]
    aid = str(athlete_id)
    if aid not in s.index or not np.isfinite(s.loc[aid, "slope"]):
        n = int(s.loc[aid, "n"]) if aid in s.index else 0
        second = (
            f"You: {n} {event} m race(s) with splits are too few for an estimate of your own; "
            f"the squad's ({faster(res.estimate)} per {PER} reps) is the best guess for you."
        )
        return [first, second]
    r = s.loc[aid]
    lo, hi = r["shrunk"] - 1.96 * r["shrunk_se"], r["shrunk"] + 1.96 * r["shrunk_se"]
    second = (
        f"You: your own {int(r['n'])} races alone suggest {faster(r['slope'])} per {PER} reps; "
        f"weighed with the squad's (your races count for {100 * r['weight']:.0f} %), the best "
        f"guess for you is {faster(r['shrunk'])} (roughly {faster(lo)} to {faster(hi)})."
    )
    return [first, second]


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
