"""The athlete report (``athlete_report.ipynb``): one athlete's data only, by construction."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..adherence import plan_adherence
from ..agegrade import age_graded
from ..dataset import Dataset
from ..fatigue import load_elite_splits, segment_table
from ..relate import race_table
from ..season import race_context
from ..stats import Estimate, within_athlete_estimate
from .cohort import NOT_COHORTS
from .display import _html
from .words import _count, column_label, estimate_in_words, exercise_names, races_phrase

_SEX = {"F": "female", "M": "male", "X": "X"}


@dataclass
class AthleteReport:
    """Everything the athlete notebook shows, for one athlete only."""

    ds: Dataset
    athlete_id: str
    event: int
    window_days: int
    races: pd.DataFrame = field(repr=False)
    segments: pd.DataFrame = field(repr=False)
    #: What several sections use, computed once per report (the notebook draws the plan,
    #: the ramp, the reference races and the estimate in more than one place).
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _once(self, key: str, make):
        """``make()``, computed on the first call only (callers copy what they hand out)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @classmethod
    def build(
        cls, data_dir: str, athlete_id: str, *, event: int = 400, window_days: int = 28
    ) -> AthleteReport:
        """Load ``data_dir`` and keep only ``athlete_id``'s rows (privacy by construction)."""
        from .explore import load_or_sample  # the sample is made on first use

        return cls.from_dataset(
            load_or_sample(data_dir), athlete_id, event=event, window_days=window_days
        )

    @classmethod
    def from_dataset(
        cls, ds: Dataset, athlete_id: str, *, event: int = 400, window_days: int = 28
    ) -> AthleteReport:
        """The report of ``athlete_id`` from a loaded dataset (no folder read again).

        Only that athlete's rows are kept (:meth:`Dataset.athlete`), whatever ``ds`` holds.
        """
        ds = ds.athlete(str(athlete_id))
        table = race_table(ds.log, ds.races, ds.fatigue, windows=(int(window_days),))
        table = age_graded(race_context(table), ds.athletes)  # PB/SB, WMA age grade
        seg = segment_table(ds.races, ds.splits)
        return cls(ds, str(athlete_id), int(event), int(window_days), table, seg)

    @property
    def name(self) -> str:
        return str(self.ds.athletes["name"].iloc[0])

    @property
    def volume_column(self) -> str:
        return f"hf_reps_{self.window_days}d"

    @property
    def sex(self) -> str | None:
        """``F``, ``M`` or ``X`` from the roster; None when not given."""
        v = self.ds.athletes["sex"].iloc[0] if "sex" in self.ds.athletes.columns else None
        return None if v is None or pd.isna(v) else str(v)

    def details(self) -> list[tuple[str, str]]:
        """The roster's other columns for this athlete as (readable label, value)."""
        a = self.ds.athletes.iloc[0]
        out = []
        for c in self.ds.athletes.columns:
            if c in NOT_COHORTS or pd.isna(a[c]) or not str(a[c]).strip():
                continue
            value = _SEX.get(str(a[c]), str(a[c])) if c == "sex" else str(a[c])
            out.append((column_label(c), value))
        return out

    def header(self) -> object:
        from ..templating import render

        log = self.ds.log["date"].dropna()
        span = (
            f"Training log {log.min():%Y-%m-%d} to {log.max():%Y-%m-%d}: {len(self.ds.log)} entries"
            if len(log)
            else "No training-log entries"
        )
        return _html(
            render(
                "athlete_header.html.j2",
                name=self.name,
                athlete_id=self.athlete_id,
                details=self.details(),
                span=span,
                n_races=len(self.ds.races),
                event=self.event,
                window_days=self.window_days,
            )
        )

    def event_races(self) -> pd.DataFrame:
        t = self.races
        return t[(t["event_m"] == self.event) & (t["status"] == "ok")]

    def race_list(self) -> pd.DataFrame:
        """The athlete's races, newest first, with the fatigue metrics and window volume."""
        t = self.races[self.races["status"].notna()].sort_values("date", ascending=False)
        cols = {
            "date": "date",
            "event_m": "event (m)",
            "meet": "meet",
            "round": "round",
            "timing": "timing",
            "status": "status",
            "final_s": "final (s)",
            "best": "PB / SB",
            "age_grade_pct": "age grade (WMA %)",
            "first_half_s": "1st half (s)",
            "second_half_s": "2nd half (s)",
            "differential_s": "differential (s)",
            "velocity_loss_pct": "velocity loss (%)",
            self.volume_column: f"HF reps, {self.window_days} d before",
        }
        if "is_pb" in t.columns:
            t = t.assign(
                best=pd.Series("", index=t.index, dtype="string")
                .mask(t["is_sb"].fillna(False).astype(bool), "SB")
                .mask(t["is_pb"].fillna(False).astype(bool), "PB"),
                age_grade_pct=t["age_grade_pct"].round(1),
            )
        out = t[[c for c in cols if c in t.columns]].rename(columns=cols)
        out["date"] = pd.to_datetime(out["date"]).dt.date.astype("string")
        return out

    def estimate(self) -> Estimate:
        return self._once(
            "estimate",
            lambda: within_athlete_estimate(
                self.event_races(), self.volume_column, "differential_s"
            ),
        )

    def estimate_text(self) -> str:
        return estimate_in_words(self.estimate(), event=self.event, window_days=self.window_days)

    def reference(self) -> pd.DataFrame:
        """World-class segment profiles of the report's event (public, published splits).

        Of the athlete's sex when the roster gives ``F`` or ``M`` (none when the reference
        table has no race of that sex and event); both sexes otherwise.
        """

        def make() -> pd.DataFrame:
            races, splits = self._elite()
            keep = races["event_m"] == self.event
            if self.sex in ("F", "M"):
                keep &= races["sex"] == self.sex
            return segment_table(races[keep.fillna(False)], splits)

        return self._once("reference", make).copy()

    def _elite(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self._once("elite", load_elite_splits)

    def _names(self) -> dict[str, str]:
        return self._once("names", exercise_names)

    def reference_text(self) -> str:
        """Which world-class races the velocity profile shows, and why."""
        races, _ = self._elite()
        ids = set(self.reference()["race_id"])
        shown = races[races["race_id"].isin(ids)].sort_values("date")
        who = {"F": "women's", "M": "men's"}.get(self.sex or "", "")
        if shown.empty:
            return (
                f"The reference table holds no world-class {who} {self.event} m race with "
                "splits, so none is drawn."
            ).replace("  ", " ")
        listed = "; ".join(
            f"{r.athlete}, {r.date:%Y} ({r.final_s:.2f} s)" for r in shown.itertuples()
        )
        if who:
            return f"Grey dashed lines: world-class {who} {self.event} m races — {listed}."
        return (
            f"Grey dashed lines: world-class {self.event} m races of both sexes (the roster "
            f"gives no sex for this athlete) — {listed}."
        )

    def profile_races(self, k: int = 4) -> list[str]:
        """The latest ``k`` races of the event with splits (two segments or more).

        A race with only a finish time has one segment: a lone dot, not a profile.
        """
        seg = self.segments[self.segments["event_m"] == self.event]
        seg = seg.dropna(subset=["velocity_ms"])
        counts = seg.groupby("race_id").size()
        with_splits = seg[seg["race_id"].isin(counts[counts >= 2].index)]
        first = with_splits.drop_duplicates("race_id").sort_values(["date", "race_id"])
        return first.tail(k)["race_id"].tolist()

    def quality_footnote(self) -> str:
        rej = self.ds.rejects
        n_rej = int((rej["kind"] == "rejected").sum())
        n_dup = int((rej["kind"] == "duplicate").sum())
        n_part = int((rej["kind"] == "partial").sum())
        unm = self.ds.log.loc[self.ds.log["family"] == "unmapped", "exercise_raw"]
        text = (
            f"Data quality for {self.name}: {_count(len(self.ds.log), 'training entry')} and "
            f"{_count(len(self.ds.races), 'race')} were used; "
            f"{_count(n_rej, 'row')} naming this athlete could not be used, "
            f"{_count(n_dup, 'duplicate')} counted once, and {_count(n_part, 'row')} kept "
            "with one doubtful value."
        )
        if len(unm):
            text += (
                f" {_count(len(unm), 'entry', 'entries')} of exercises not in the catalog "
                f"({', '.join(sorted(unm.unique())[:5])}) count as 0 hip-flexor reps."
            )
        no_split = int(self.event_races()["differential_s"].isna().sum())
        if no_split:
            text += (
                f" {races_phrase(no_split, self.event).capitalize()} had no usable half-way split."
            )
        return text

    def rejects_table(self) -> pd.DataFrame:
        """This athlete's rows not taken whole, with readable headers."""
        r = self.ds.rejects
        cols = {"source": "file", "source_row": "row", "column": "column", "value": "value",
                "reason": "reason", "kind": "what happened"}  # fmt: skip
        return r[list(cols)].rename(columns=cols)

    # -- figures (each returns the Axes; empty data draw a labelled empty panel)
    def plot_weekly_volume(self):
        from ..plots import plot_weekly_volume

        ax = plot_weekly_volume(
            self.ds.log,
            athlete_id=self.athlete_id,
            exercise_names=self._names(),
            who=self.name,
        )
        from .injuries import mark_athlete_time_loss  # the athlete's own days lost

        return mark_athlete_time_loss(ax, self.ds, self.athlete_id)

    def plot_fade(self):
        from ..plots import plot_fatigue_trend

        fat = self.ds.fatigue
        return plot_fatigue_trend(
            fat[fat["event_m"] == self.event], bests=self.races, names={self.athlete_id: self.name}
        )

    # -- the plan and its adherence (analysis.plan)
    def adherence(self) -> pd.DataFrame:
        """Planned against done, per week, for this athlete (empty without a plan)."""
        return self._once("adherence", lambda: plan_adherence(self.ds)).copy()

    def plan_text(self) -> str:
        """The plan in words: weeks planned, done, and what the % means."""
        ad = self.adherence()
        if ad.empty:
            return (
                "No plan for this athlete: put a plan.csv or plan.xlsx (week, squad or "
                "athlete, exercise, prescription) in the data folder to compare planned with "
                "done work."
            )
        planned = float(ad["planned_hf_reps"].sum())
        done = float(ad["done_hf_reps"].sum())
        quiet = int((ad["days_logged"] == 0).sum())
        last4 = ad.tail(4)
        p4, d4 = float(last4["planned_hf_reps"].sum()), float(last4["done_hf_reps"].sum())
        text = (
            f"Over {_count(len(ad), 'planned week')} {self.name} logged "
            f"{done:,.0f} of {planned:,.0f} planned hip-flexion reps "
            f"({done / planned * 100:.0f}%)"
            if planned > 0
            else f"Over {_count(len(ad), 'planned week')} no hip-flexor reps were planned"
        )
        if p4 > 0:
            text += f"; in the last four planned weeks {d4 / p4 * 100:.0f}%"
        text += (
            ". Done counts every hip-flexor entry of the week, planned or not, so more "
            "than 100% means extra work."
        )
        if quiet:
            text += (
                f" In {_count(quiet, 'week')} nothing at all was logged (×): the log cannot "
                "tell a week off from a week not written down."
            )
        return text

    def plot_plan_adherence(self):
        from ..plots import plot_plan_adherence

        return plot_plan_adherence(self.adherence(), self.athlete_id, who=self.name)

    def plot_progression(self):
        from ..plots import plot_progression

        return plot_progression(
            self.ds.log, self.athlete_id, exercise_names=self._names(), who=self.name
        )

    # -- progression: the week-to-week ramp of the athlete's hip-flexor volume
    def ramp_table(self) -> pd.DataFrame:
        """Weekly hip-flexion reps and the change on the week before (``ramp_pct``, %).

        One row per calendar week (Monday) of the athlete's logged span; ``ramp_pct`` is NA
        in the first week and after a week at 0 (a rise from nothing has no percentage).
        """
        from ..volume import weekly_volume

        def make() -> pd.DataFrame:
            w = weekly_volume(self.ds.log).groupby("week", sort=True)["hf_reps"].sum()
            reps = w.astype("float64")
            prev = reps.shift(1)
            ramp = ((reps - prev) / prev * 100).where(prev > 0)
            return pd.DataFrame(
                {"week": w.index, "hf_reps": reps.to_numpy(),
                 "ramp_pct": pd.array(ramp.to_numpy(), dtype="Float64")}
            )  # fmt: skip

        return self._once("ramp", make).copy()

    def ramp_text(self) -> str:
        """The ramp in words: the largest rise and drop, and the weeks past the threshold
        of the attention list (``ATTENTION_VOLUME_CHANGE_PCT``)."""
        from .. import config

        t = self.ramp_table().dropna(subset=["ramp_pct"])
        if t.empty:
            return (
                f"Fewer than two weeks of hip-flexor work are logged for {self.name}: "
                "no week-to-week ramp yet."
            )
        limit = config.ATTENTION_VOLUME_CHANGE_PCT
        up = t.loc[t["ramp_pct"].astype("float64").idxmax()]
        down = t.loc[t["ramp_pct"].astype("float64").idxmin()]
        big = int((t["ramp_pct"].abs() > limit).sum())
        prev = self.ramp_table().set_index("week")["hf_reps"].shift(1)
        return (
            f"Biggest rise on the week before: {float(up['ramp_pct']):+.0f}% (week of "
            f"{up['week']:%d %b %Y}, {prev[up['week']]:,.0f} to {up['hf_reps']:,.0f} reps); "
            f"biggest drop: {float(down['ramp_pct']):+.0f}% (week of {down['week']:%d %b %Y}). "
            f"{_count(big, 'week')} of {len(t)} changed by more than {limit:g}% on the week "
            "before (the size of change the attention list flags). A week after one with no hip-flexor "
            "work has no percentage."
        )

    def plot_ramp(self):
        from ..plots import plot_ramp

        return plot_ramp(self.ds.log, self.athlete_id, who=self.name)

    def plot_profile(self):
        from ..plots import plot_velocity_profile

        seg = self.segments[self.segments["event_m"] == self.event]
        return plot_velocity_profile(
            seg, race_ids=self.profile_races(), reference=self.reference(), show_athlete=False
        )

    def plot_volume_vs_fade(self):
        from ..plots import plot_volume_vs_fatigue

        n = self.estimate().n
        return plot_volume_vs_fatigue(
            self.event_races(),
            self.volume_column,
            "differential_s",
            title=(
                f"Second-half fade against hip-flexor reps in the {self.window_days} days "
                f"before each race ({races_phrase(n, self.event)})"
            ),
        )

    def results(self) -> dict:
        est = self.estimate()
        ev = self.event_races()
        return {
            "athlete_id": self.athlete_id,
            "event": self.event,
            "window_days": self.window_days,
            "log_rows": len(self.ds.log),
            "hf_reps_total": float(self.ds.log["hf_reps"].astype("Float64").sum()),
            "races": len(self.ds.races),
            "event_races": len(ev),
            "event_races_with_differential": int(ev["differential_s"].notna().sum()),
            # NaN (recorded as null) when no race of the event has a half-way split
            "mean_differential_s": float(
                pd.to_numeric(ev["differential_s"], errors="coerce").astype("float64").mean()
            ),
            "slope_per_100": est.slope_per_100,
            "ci_low": est.ci_low,
            "ci_high": est.ci_high,
            "n": est.n,
            "athletes_in_data": sorted(
                set(self.ds.log["athlete_id"]) | set(self.ds.races["athlete_id"])
            ),
            "rejects": len(self.ds.rejects),
            "planned_weeks": len(self.adherence()),
            "pbs": int(self.races["is_pb"].fillna(False).sum()) if "is_pb" in self.races else 0,
            "sbs": int(self.races["is_sb"].fillna(False).sum()) if "is_sb" in self.races else 0,
        }
