"""The cohort report (``cohort_comparison.ipynb``): which roster columns are cohorts, one mean
per athlete, the tests between groups and their reading in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ...agegrade import age_graded
from ...config import PRIMARY_WINDOW_DAYS
from ...dataset import Dataset
from ...errors import DataError
from ...fatigue import segment_table
from ...relate import race_table
from ...volume_weekly import hf_reps_per_week
from .load import load_or_sample
from .squad_scale import summarises
from .squad_words import format_p
from .words import LABELS, column_label, count_of

#: Roster columns that are identifiers or personal details, never cohorts.
NOT_COHORTS = frozenset({"athlete_id", "name", "aliases", "birth_date", "name_key", "notes"})


def _cohort_values(athletes: pd.DataFrame, column: str) -> pd.Series:
    """The non-blank values of a roster column, as text (blank and NA dropped)."""
    v = athletes[column].astype("string").str.strip()
    return v[v.notna() & (v != "")]


def not_a_cohort(athletes: pd.DataFrame, column: str) -> str:
    """Why a roster column does not define cohorts, or ``""`` when it does.

    The rule a coach expects: a cohort column sorts athletes into groups to compare, so
    it needs two or more distinct values and at least one value shared by two athletes.
    A column with one value for everybody (nothing to compare), with a distinct value per
    athlete (groups of one: an id, a personal detail) or with no value at all is not a
    cohort; nor are the identifiers and personal details of :data:`NOT_COHORTS`.
    Athletes without a value are left out of the groups.
    """
    if column not in athletes.columns:
        return f"the roster has no column {column!r}"
    if column in NOT_COHORTS:
        return f"{column!r} identifies athletes or holds personal details"
    v = _cohort_values(athletes, column)
    k = v.nunique()
    if k == 0:
        return f"no athlete has a value in {column!r}"
    if k == 1:
        return f"every athlete with a value has the same {column!r} ({v.iloc[0]!r})"
    if k == len(v):
        return f"every athlete has a different {column!r}: groups of one cannot be compared"
    return ""


def cohort_columns(athletes: pd.DataFrame) -> list[str]:
    """Roster columns that define cohorts, in roster order (the rule: :func:`not_a_cohort`).

    The report batch (:func:`analysis.reports.batch.plan.plan_reports`) runs one cohort report per
    column listed here, and :meth:`CohortReport.build` refuses any other column, so the
    two always agree.
    """
    return [c for c in athletes.columns if not not_a_cohort(athletes, c)]


def athlete_means(ds: Dataset, column: str, *, event: int, window_days: int) -> pd.DataFrame:
    """One row per athlete: cohort, weekly hip-flexor reps, mean fatigue metrics, n races.

    Cohort comparisons use athlete means (n = athletes), not races, so that an athlete
    with many races does not count as many independent people. Blank cohort values are
    NA (the athlete is in no group).
    """
    if column not in ds.athletes.columns:
        raise KeyError(f"roster has no column {column!r}")
    table = race_table(ds.log, ds.races, ds.fatigue, windows=(int(window_days),))
    table = age_graded(table, ds.athletes)  # WMA age grade: athletes of any age compare
    ev = table[(table["event_m"] == event) & (table["status"] == "ok")]
    per_race = ev.groupby("athlete_id").agg(
        races=("race_id", "size"),
        age_grade_pct=("age_grade_pct", "mean"),
        differential_s=("differential_s", "mean"),
        velocity_loss_pct=("velocity_loss_pct", "mean"),
        hf_reps_window=(f"hf_reps_{window_days}d", "mean"),
    )
    weekly = hf_reps_per_week(ds.log, ds.races)
    cohort = ds.athletes[column].astype("string").str.strip()
    # built from the id column alone: a roster column named like a metric cannot collide
    out = (
        pd.DataFrame(
            {"athlete_id": ds.athletes["athlete_id"], "cohort": cohort.where(cohort != "")}
        )
        .merge(weekly, left_on="athlete_id", right_index=True, how="left")
        .merge(per_race, left_on="athlete_id", right_index=True, how="left")
    )
    out["races"] = out["races"].fillna(0).astype("int64")
    for c in ("differential_s", "velocity_loss_pct", "hf_reps_window", "hf_reps_per_week",
              "age_grade_pct"):  # fmt: skip
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out.astype({"cohort": "string"})


def cohort_summary(means: pd.DataFrame) -> pd.DataFrame:
    """Per cohort: athletes, races, mean (SD) of weekly volume and fatigue metrics."""
    g = means.groupby("cohort", dropna=False)
    out = g.agg(
        athletes=("athlete_id", "size"),
        races=("races", "sum"),
        hf_reps_per_week=("hf_reps_per_week", "mean"),
        hf_reps_per_week_sd=("hf_reps_per_week", "std"),
        differential_s=("differential_s", "mean"),
        differential_s_sd=("differential_s", "std"),
        velocity_loss_pct=("velocity_loss_pct", "mean"),
        age_grade_pct=("age_grade_pct", "mean"),
    ).reset_index()
    return out


#: The metrics compared between cohorts, in the order the report shows them.
METRICS = ("hf_reps_per_week", "differential_s", "velocity_loss_pct")


def small_cohorts(means: pd.DataFrame, metric: str | None = None) -> dict[str, int]:
    """Cohorts with fewer than 2 athletes (with a value of ``metric``, or of any metric),
    as cohort -> athletes: they cannot be compared and are left out of the tests."""
    cols = [metric] if metric is not None else [m for m in METRICS if m in means.columns]
    d = means.dropna(subset=["cohort"])
    d = d[d[cols].notna().any(axis=1)] if cols else d
    sizes = d.groupby("cohort").size()
    return {str(k): int(v) for k, v in sizes[sizes < 2].items()}


def _left_out(small: dict[str, int]) -> str:
    """``left out (fewer than 2 athletes with data): hurdles (1 athlete)``, or ``""``."""
    if not small:
        return ""
    named = ", ".join(f"{k} ({count_of(v, 'athlete')})" for k, v in sorted(small.items()))
    return f"left out (fewer than 2 athletes with data): {named}"


def cohort_tests(means: pd.DataFrame) -> pd.DataFrame:
    """Welch t, Mann-Whitney U and Hedges g (exact non-central-t CI) between cohorts, per metric.

    Uses :func:`analysis.stats.compare_groups` on athlete means; p-values are BH-adjusted
    within each metric. Cohorts with fewer than 2 athletes with a value of the metric are
    left out: each row's ``note`` names them, and ``attrs["left_out"]`` holds them
    (cohort -> athletes, over every metric) also when nothing could be compared.
    """
    from ...stats import compare_groups

    frames = []
    for metric in METRICS:
        d = means.dropna(subset=[metric, "cohort"])
        sizes = d.groupby("cohort").size()
        d = d[d["cohort"].isin(sizes[sizes >= 2].index)]
        if d["cohort"].nunique() < 2:
            continue
        res = compare_groups(d, metric, "cohort")
        left = _left_out(small_cohorts(means, metric))
        if left:
            note = res["note"].astype("string").fillna("")
            res = res.assign(note=note.where(note == "", note + "; ") + left)
        frames.append(res.assign(metric=metric))
    if not frames:
        out = pd.DataFrame()
    else:
        out = pd.concat(frames, ignore_index=True)
        first = ["metric", "group_a", "group_b", "n_a", "n_b", "mean_a", "mean_b"]
        out = out[first + [c for c in out.columns if c not in first]]
    out.attrs["left_out"] = small_cohorts(means)
    return out


#: The columns of :func:`cohort_tests` a coach reads, with their headers.
TEST_HEADERS = {
    "metric": "measure",
    "group_a": "group",
    "group_b": "compared with",
    "n_a": "athletes",
    "n_b": "athletes (compared)",
    "mean_a": "mean",
    "mean_b": "mean (compared)",
    "hedges_g": "Hedges g",
    "g_ci_low": "g, 95 % CI from",
    "g_ci_high": "g, 95 % CI to",
    "pvalue_welch_adj": "p, Welch t (adjusted)",
    "pvalue_mwu_adj": "p, Mann-Whitney (adjusted)",
    "note": "note",
}


def tests_table(tests: pd.DataFrame, column: str | None = None) -> pd.DataFrame:
    """:func:`cohort_tests` for display: the columns a coach reads, readable headers.

    With ``column`` (the roster column) the group headers use its name; p-values are
    written as a coach reads them (``p < 0.001``, never ``0.00``).
    """
    headers = dict(TEST_HEADERS)
    if column is not None:
        label = column_label(column)
        headers.update(group_a=label, group_b=f"{label}, compared with")
    if tests.empty:
        return pd.DataFrame(columns=list(headers.values()))
    out = tests[[c for c in headers if c in tests.columns]]
    out = out.assign(metric=out["metric"].map(lambda m: LABELS.get(m, m)))
    for c in ("pvalue_welch_adj", "pvalue_mwu_adj"):
        if c in out.columns:
            out = out.assign(
                **{c: [format_p(p).removeprefix("p = ").removeprefix("p ") for p in out[c]]}
            )
    return out.rename(columns=headers)


def cohort_terms(tests: pd.DataFrame, column: str) -> str:
    """What the comparison table's terms mean, and how many comparisons were made."""
    label = column_label(column).lower()
    n = len(tests)
    measures = tests["metric"].nunique() if n else 0
    pairs = n // measures if measures else 0
    return (
        f"How to read the table: each athlete counts once (their season mean). Hedges g is "
        f"the difference between two {label} groups in units of the spread between athletes "
        "(0.2 small, 0.5 medium, 0.8 large); its 95 % confidence interval is exact for "
        "small groups (non-central t) — when it includes 0 the groups cannot be told apart. "
        "Welch t and Mann-Whitney test the same difference, the second without assuming a "
        "bell-shaped spread; 'adjusted' p-values allow for the several group pairs of a "
        f"measure (Benjamini-Hochberg). {n} comparison{'s' * (n != 1)} were made "
        f"({measures} measure{'s' * (measures != 1)} × {pairs} group pair"
        f"{'s' * (pairs != 1)}), so one small p among them can be chance."
    )


def summary_table(summary: pd.DataFrame, column: str, *, event: int) -> pd.DataFrame:
    """:func:`cohort_summary` for display, with readable headers."""
    headers = {
        "cohort": column_label(column),
        "athletes": "athletes",
        "races": f"{event} m races",
        "hf_reps_per_week": "hip-flexor reps per week: mean",
        "hf_reps_per_week_sd": "hip-flexor reps per week: SD",
        "differential_s": "second-half fade (s): mean",
        "differential_s_sd": "second-half fade (s): SD",
        "velocity_loss_pct": "velocity loss (%): mean",
        "age_grade_pct": "age grade (WMA %): mean",
    }
    out = summary[[c for c in headers if c in summary.columns]]
    out = out.assign(cohort=out["cohort"].astype("string").fillna("(none)"))
    return out.rename(columns=headers)


def cohort_words(tests: pd.DataFrame, column: str, *, means: pd.DataFrame | None = None) -> str:
    """Plain-language reading of :func:`cohort_tests`.

    The closing caveat matches what was computed: intervals are called wide only when
    there is one; without any, the sentence says no interval could be computed. Groups
    left out for having fewer than 2 athletes are named (from ``means`` when given, else
    from ``tests.attrs["left_out"]``).
    """
    label = column_label(column).lower()
    small = small_cohorts(means) if means is not None else tests.attrs.get("left_out", {})
    left = _left_out(small)
    left = f" Groups {left[0].lower()}{left[1:]}." if left else ""
    if tests.empty:
        return (
            f"Too few athletes per {label} group (at least 2 per group with data) to compare.{left}"
        )
    parts = []
    n_intervals = 0
    for r in tests.itertuples(index=False):
        lo, hi = r.g_ci_low, r.g_ci_high
        what = LABELS.get(r.metric, r.metric)
        head = f"{what}: {r.group_a} (n={r.n_a}) vs {r.group_b} (n={r.n_b})"
        if pd.isna(r.hedges_g):
            parts.append(f"{head}: no effect size (no spread within the groups)")
            continue
        if pd.isna(lo) or pd.isna(hi):
            parts.append(
                f"{head}, Hedges g {r.hedges_g:+.2f} — too few athletes for an interval "
                "(3 per group are needed)"
            )
            continue
        n_intervals += 1
        sure = "clear" if (lo > 0 or hi < 0) else "not clear (the interval includes 0)"
        parts.append(
            f"{head}, Hedges g {r.hedges_g:+.2f} [95 % CI {lo:+.2f} to {hi:+.2f}] — {sure}"
        )
    if n_intervals == 0:
        caveat = (
            "no group is large enough for a confidence interval, so none of these "
            "differences can be told from chance"
        )
    elif n_intervals < len(parts):
        caveat = (
            "with a handful of athletes per group the intervals are wide, and some "
            "comparisons have none"
        )
    else:
        caveat = "with a handful of athletes per group the intervals are wide"
    return (
        "Differences between groups of athletes (one mean per athlete): "
        + "; ".join(parts)
        + ". Groups also differ in event, age and coach, so a difference between them is "
        f"not evidence that hip-flexor work caused it; {caveat}.{left}"
    )


@dataclass
class CohortReport:
    """Everything the cohort notebook shows: athletes grouped by one roster column."""

    ds: Dataset
    column: str
    event: int
    window_days: int
    means: pd.DataFrame = field(repr=False)
    _tests: pd.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        data_dir: str,
        column: str,
        *,
        event: int = 400,
        window_days: int = PRIMARY_WINDOW_DAYS,
        tables: str | None = None,
    ) -> CohortReport:
        """Load ``data_dir`` (or the cleaned tables at ``tables``, a report kernel's
        parameter) and group its athletes by ``column``.

        Raises
        ------
        DataError
            ``column`` is not a cohort column of the roster (:func:`not_a_cohort`); the
            message names the columns that are.
        """

        ds = load_or_sample(data_dir, tables=tables)
        return cls.from_dataset(ds, column, event=event, window_days=window_days)

    @classmethod
    def from_dataset(
        cls, ds: Dataset, column: str, *, event: int = 400, window_days: int = PRIMARY_WINDOW_DAYS
    ) -> CohortReport:
        """The cohort report of a loaded dataset (no folder read again); raises as
        :meth:`build` does."""
        why = not_a_cohort(ds.athletes, column)
        if why:
            cohorts = ", ".join(cohort_columns(ds.athletes)) or "none"
            raise DataError(
                f"{column!r} is not a cohort column: {why} (cohort columns: {cohorts})",
                file="athletes.csv",
                column=str(column),
            )
        means = athlete_means(ds, column, event=int(event), window_days=int(window_days))
        return cls(ds, column, int(event), int(window_days), means)

    @property
    def label(self) -> str:
        """The grouping column as a coach reads it."""
        return column_label(self.column)

    def summary(self) -> pd.DataFrame:
        return cohort_summary(self.means)

    def summary_table(self) -> pd.DataFrame:
        """The summary with readable headers (what the notebook shows)."""
        return summary_table(self.summary(), self.column, event=self.event)

    def tests(self) -> pd.DataFrame:
        """:func:`cohort_tests` of the report (computed once)."""
        if self._tests is None:
            self._tests = cohort_tests(self.means)
        return self._tests

    def tests_table(self) -> pd.DataFrame:
        """The tests with readable headers (what the notebook shows)."""
        return tests_table(self.tests(), self.column)

    def terms(self) -> str:
        """The table's terms in words and the number of comparisons made."""
        return cohort_terms(self.tests(), self.column)

    def words(self) -> str:
        return cohort_words(self.tests(), self.column, means=self.means)

    def plot_metric(self, metric: str):
        """One dot per athlete by group or, past :data:`~analysis.config.SQUAD_SUMMARY_ATHLETES`
        athletes with a value, a box per group (:func:`~analysis.plots.plot_cohort_metric`)."""
        from ...plots.cohorts import plot_cohort_metric

        many = summarises(int(self.means.dropna(subset=["cohort"])[metric].notna().sum()))
        kw = {"summarise": True} if many else {}
        return plot_cohort_metric(self.means, metric, cohort_label=self.label.lower(), **kw)

    def plot_profiles(self):
        from ...plots.cohorts import plot_cohort_profiles

        seg = segment_table(self.ds.races, self.ds.splits)
        seg = seg[seg["event_m"] == self.event]
        cohort = self.means.set_index("athlete_id")["cohort"]
        return plot_cohort_profiles(seg, cohort, cohort_label=self.label.lower())

    def results(self) -> dict:
        summ = self.summary()
        tests = self.tests()
        return {
            "column": self.column,
            "event": self.event,
            "cohorts": {
                str(r.cohort): {"athletes": int(r.athletes), "races": int(r.races)}
                for r in summ.itertuples(index=False)
            },
            "tests": tests[
                ["metric", "group_a", "group_b", "hedges_g", "g_ci_low", "g_ci_high"]
            ].to_dict("records")
            if len(tests)
            else [],
        }
