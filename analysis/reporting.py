"""What the report notebooks show: tables, numbers and sentences, built from the package.

The notebooks in ``notebooks/`` hold prose, parameters and calls to this module only, so
that every number a coach reads is computed (and tested) here. Every text that comes from
the data (names, notes, file names, exercise spellings) is HTML-escaped before display,
and every block of it is marked ``tex2jax_ignore`` so that MathJax (JupyterLab, or an HTML
export that loads it) never typesets a ``$...$`` in a name as maths; figures get the same
treatment through :func:`analysis.plots._style.literal`.

Each report also records its key numbers with :func:`record` as a machine-readable output
(``application/vnd.hipflex.results+json``) that tests read from the executed notebook; the
cell is removed from the HTML export.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from .dataset import Dataset, load_dataset
from .errors import DataError
from .fatigue import load_elite_splits, segment_table
from .relate import race_table

RESULTS_MIME = "application/vnd.hipflex.results+json"

#: Roster columns that are identifiers or personal details, never cohorts.
NOT_COHORTS = frozenset({"athlete_id", "name", "aliases", "birth_date", "name_key", "notes"})

#: Class that tells MathJax (2 and 3, JupyterLab included) to leave a block alone.
NO_MATHS = "tex2jax_ignore"

#: Readable names of the columns and metrics the reports show.
LABELS = {
    "hf_reps_per_week": "hip-flexor reps per week",
    "differential_s": "second-half fade (s)",
    "velocity_loss_pct": "velocity loss (%)",
    "hf_reps_window": "hip-flexor reps before races",
}
_SEX = {"F": "female", "M": "male", "X": "X"}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten")  # fmt: skip


# ------------------------------------------------------------------ display helpers


def esc(value: object) -> str:
    """HTML-escape any value for display (``None``/NA as an empty string)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def paragraph(text: str, *, css: str = "") -> object:
    """An escaped paragraph for display in a notebook (never typeset as maths)."""
    style = f' style="{css}"' if css else ""
    return _html(f'<p class="{NO_MATHS}"{style}>{esc(text)}</p>')


def column_label(column: object) -> str:
    """A roster or table column as a coach reads it: ``age_category`` -> ``Age category``."""
    text = " ".join(str(column).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def exercise_names() -> dict[str, str]:
    """Exercise id -> display name, from the catalog in use (``$HIPFLEX_CATALOG`` or
    ``data/reference/exercises.csv``)."""
    from .catalog import default_catalog_path, load_catalog

    cat = load_catalog(default_catalog_path())
    return {
        str(k): str(v)
        for k, v in zip(cat["exercise"], cat["name"], strict=True)
        if pd.notna(v) and str(v).strip()
    }


def _count(n: int, word: str, plural: str | None = None) -> str:
    """``1 race``, ``3 races``, ``1 training entry``, ``2 training entries``."""
    if n == 1:
        return f"1 {word}"
    if plural is None:
        plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n} {plural}"


def races_phrase(n: int, event: int) -> str:
    """``one 400 m race``, ``five 400 m races``, ``12 races over 400 m``.

    Numbers up to ten are written in words so that the count and the distance never run
    together ("5 400 m races" reads as 5400 m).
    """
    n = int(n)
    if n <= 10:
        return f"{_NUMBER_WORDS[n]} {event} m race{'s' * (n != 1)}"
    return f"{n} races over {event} m"


def _format_column(col: pd.Series, float_format: str) -> pd.Series:
    """Display text of one column: integers without decimals, floats rounded, NA as a dash."""
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        return col.astype("object").map(lambda v: "–" if v is None or pd.isna(v) else str(v))
    values = col.astype("Float64")
    whole = values.dropna()
    integral = pd.api.types.is_integer_dtype(col) or (
        len(whole) > 0 and bool((whole % 1 == 0).all()) and bool((whole.abs() >= 100).all())
    )
    fmt = "{:.0f}" if integral else float_format
    return values.astype("object").map(lambda v: "–" if pd.isna(v) else fmt.format(v))


def table_html(df: pd.DataFrame, *, caption: str = "", float_format: str = "{:.2f}") -> object:
    """A DataFrame as an HTML table: every cell escaped, numbers rounded, NA shown as a dash."""
    shown = pd.DataFrame(
        {c: _format_column(df[c], float_format) for c in df.columns}, index=df.index
    )
    body = shown.to_html(index=False, escape=True, border=0)
    cap = f"<p><b>{esc(caption)}</b></p>" if caption else ""
    return _html(f'<div class="{NO_MATHS}">{cap}{body}</div>')


def record(results: dict) -> None:
    """Display ``results`` as machine-readable output (read by tests; hidden in HTML)."""
    from IPython.display import display

    clean = {k: _jsonable(v) for k, v in results.items()}
    display({RESULTS_MIME: clean, "text/plain": "hipflex results recorded"}, raw=True)


def _jsonable(v: object) -> object:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, np.integer | int) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, np.floating | float):
        return float(v)
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return v if isinstance(v, str | bool) else str(v)


def synthetic_banner(ds: Dataset) -> object:
    """A prominent notice when the data are synthetic (``hipflex sample``), else nothing."""
    if not ds.synthetic:
        return _html("")
    return _html(
        '<div style="border:2px solid #d1495b;padding:6px 10px;margin:6px 0;'
        'background:#fff3f3"><b>SYNTHETIC DATA.</b> These athletes, logs and races were '
        "generated by <code>hipflex sample</code> to demonstrate the reports; they are not "
        "real people and the effects in them were built in.</div>"
    )


# ------------------------------------------------------------------ exploring (explore.ipynb)


def load_or_sample(data_dir: str | os.PathLike[str]) -> Dataset:
    """Load a data folder; a missing folder named ``sample`` is generated first (synthetic).

    So that ``notebooks/explore.ipynb`` runs on a fresh clone before any data exist.
    """
    path = Path(data_dir)
    if not path.exists() and path.name == "sample":
        from .sample import write_sample

        write_sample(path)
        print(f"generated the synthetic sample data set in {path}")
    return load_dataset(path)


def hf_reps_per_week(log: pd.DataFrame) -> pd.Series:
    """Hip-flexor reps per week of logging per athlete (first to last logged day)."""
    span = log.groupby("athlete_id")["date"].agg(["min", "max"])
    weeks = ((span["max"] - span["min"]).dt.days + 1) / 7.0
    total = log.groupby("athlete_id")["hf_reps"].sum().astype("float64")
    return (total / weeks).rename("hf_reps_per_week")


def who_trained_what(ds: Dataset) -> pd.DataFrame:
    """One row per athlete: entries, hip-flexor reps (total and per week), top exercise, races."""
    log = ds.log
    hf_log = log[log["family"] == "hip_flexor"]
    total = hf_log.groupby("athlete_id")["hf_reps"].sum().astype("float64")
    top = (
        hf_log.groupby(["athlete_id", "exercise"])["hf_reps"].sum().astype("float64")
        .reset_index().sort_values("hf_reps", ascending=False, kind="stable")
        .drop_duplicates("athlete_id").set_index("athlete_id")["exercise"]
    )  # fmt: skip
    out = ds.athletes[["athlete_id", "name"]].set_index("athlete_id")
    out["entries"] = log.groupby("athlete_id").size()
    out["hip-flexor reps"] = total
    out["per week"] = hf_reps_per_week(log)
    out["most reps from"] = top
    out["races"] = ds.races.groupby("athlete_id").size()
    out["entries"] = out["entries"].fillna(0).astype("int64")
    out["races"] = out["races"].fillna(0).astype("int64")
    return out.reset_index()


# ------------------------------------------------------------------ estimates in words

#: Fewer within-athlete degrees of freedom (races − 2) than this: a rough indication only.
SMALL_DOF = 10
#: A 95 % interval wider than this (s of differential per 100 reps) is called wide: it
#: spans changes of 0.1 s either way, the size a coach would act on in a 400 m.
WIDE_CI_S = 0.2


@dataclass(frozen=True)
class Estimate:
    """A slope of a fatigue metric on volume (per 100 hip-flexor reps) with its 95 % CI."""

    slope_per_100: float
    ci_low: float
    ci_high: float
    n: int
    r: float
    pvalue: float
    note: str = ""

    @property
    def dof(self) -> int:
        """Degrees of freedom of the slope: races − 2."""
        return max(self.n - 2, 0)


def within_athlete_estimate(table: pd.DataFrame, x: str, y: str) -> Estimate:
    """Least-squares slope of ``y`` on ``x`` across one athlete's races, per 100 reps.

    With one athlete, every comparison is within that athlete: the slope says how the
    metric differed between this athlete's races preceded by more or less hip-flexor work.
    The 95 % CI uses the t distribution with n − 2 degrees of freedom. Fewer than 3 races
    with both values, or no spread in volume, give NaN with a note; otherwise ``note``
    is the caveat of :func:`estimate_caveat` (empty when the estimate is precise enough).
    """
    d = table[[x, y]].apply(pd.to_numeric, errors="coerce").astype("float64").dropna()
    n = len(d)
    if n < 3:
        return Estimate(math.nan, math.nan, math.nan, n, math.nan, math.nan,
                        "at least three are needed")  # fmt: skip
    if d[x].nunique() < 2:
        return Estimate(math.nan, math.nan, math.nan, n, math.nan, math.nan,
                        "the same volume before every race")  # fmt: skip
    res = sps.linregress(d[x], d[y])
    t = sps.t.ppf(0.975, n - 2)
    s = 100.0
    est = Estimate(
        slope_per_100=float(res.slope * s),
        ci_low=float((res.slope - t * res.stderr) * s),
        ci_high=float((res.slope + t * res.stderr) * s),
        n=n,
        r=float(res.rvalue),
        pvalue=float(res.pvalue),
    )
    return dataclasses.replace(est, note=estimate_caveat(est))


def estimate_caveat(est: Estimate) -> str:
    """Why an estimate is only a rough indication, or ``""``.

    Said whenever the within-athlete degrees of freedom are fewer than
    :data:`SMALL_DOF` or the 95 % interval is wider than :data:`WIDE_CI_S` s per 100 reps.
    """
    if math.isnan(est.slope_per_100):
        return est.note
    reasons = []
    if est.dof < SMALL_DOF:
        reasons.append(
            f"it rests on {est.n} races ({est.dof} degrees of freedom, fewer than {SMALL_DOF})"
        )
    width = est.ci_high - est.ci_low
    if not width <= WIDE_CI_S:
        reasons.append(
            f"the interval is {width:.2f} s wide, more than the {WIDE_CI_S:.1f} s that "
            "would tell a useful change from none"
        )
    if not reasons:
        return ""
    return "a rough indication only: " + " and ".join(reasons)


def _change(value: float) -> str:
    """A change of the differential in words: ``0.06 s smaller``, ``0.11 s larger``."""
    return f"{abs(value):.2f} s {'smaller' if value < 0 else 'larger'}"


def estimate_in_words(est: Estimate, *, event: int, window_days: int, who: str = "you") -> str:
    """A coach-readable sentence for a within-athlete estimate of the differential.

    One convention throughout: the change of the second-half fade (second half − first
    half, s) that went with 100 more hip-flexor reps, said as "smaller" (less fade) or
    "larger" (more fade), for the estimate and for both ends of its 95 % interval. The
    number of races is always stated; the caveat of :func:`estimate_caveat` is added
    whenever it applies.
    """
    races = races_phrase(est.n, event)
    if math.isnan(est.slope_per_100):
        return (
            f"Not enough {event} m races to estimate anything yet: {races} with a half-way "
            f"split and a logged {window_days}-day build-up ({est.note})."
        )
    text = (
        f"Across {races}, a race that followed 100 more hip-flexor reps in "
        f"the {window_days} days before it had a second-half fade "
        f"{_change(est.slope_per_100)} on average. The 95 % confidence interval runs from "
        f"{_change(est.ci_low)} to {_change(est.ci_high)} per 100 reps. "
    )
    if est.ci_low <= 0 <= est.ci_high:
        text += (
            "The interval includes zero (no change): these races cannot tell a real link "
            "from chance. "
        )
    else:
        text += "The interval excludes zero, so the link is unlikely to be chance alone. "
    text += (
        "This compares races of the same athlete, so talent and training age do not explain "
        "it, but other things that changed with the training (rest, racing schedule, "
        "weather) might: it is an association, not proof."
    )
    caveat = estimate_caveat(est)
    if caveat:
        text += f" Note: {caveat}."
    return text


# ------------------------------------------------------------------ the athlete report


@dataclass
class AthleteReport:
    """Everything the athlete notebook shows, for one athlete only."""

    ds: Dataset
    athlete_id: str
    event: int
    window_days: int
    races: pd.DataFrame = field(repr=False)
    segments: pd.DataFrame = field(repr=False)

    @classmethod
    def build(
        cls, data_dir: str, athlete_id: str, *, event: int = 400, window_days: int = 28
    ) -> AthleteReport:
        """Load ``data_dir`` and keep only ``athlete_id``'s rows (privacy by construction)."""
        ds = load_dataset(data_dir).athlete(str(athlete_id))
        table = race_table(ds.log, ds.races, ds.fatigue, windows=(int(window_days),))
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
        extras = [f"{esc(k)}: {esc(v)}" for k, v in self.details()]
        log = self.ds.log["date"].dropna()
        span = (
            f"Training log {log.min():%Y-%m-%d} to {log.max():%Y-%m-%d}: {len(self.ds.log)} entries"
            if len(log)
            else "No training-log entries"
        )
        n = len(self.ds.races)
        return _html(
            f'<div class="{NO_MATHS}">'
            f"<h2>{esc(self.name)} <small>({esc(self.athlete_id)})</small></h2>"
            f"<p>{' · '.join(extras)}</p>"
            f"<p>{span}; {n} race{'s' * (n != 1)} of any distance. Focus: {self.event} m, "
            f"hip-flexor volume over the {self.window_days} days before each race.</p></div>"
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
            "first_half_s": "1st half (s)",
            "second_half_s": "2nd half (s)",
            "differential_s": "differential (s)",
            "velocity_loss_pct": "velocity loss (%)",
            self.volume_column: f"HF reps, {self.window_days} d before",
        }
        out = t[[c for c in cols if c in t.columns]].rename(columns=cols)
        out["date"] = pd.to_datetime(out["date"]).dt.date.astype("string")
        return out

    def estimate(self) -> Estimate:
        return within_athlete_estimate(self.event_races(), self.volume_column, "differential_s")

    def estimate_text(self) -> str:
        return estimate_in_words(self.estimate(), event=self.event, window_days=self.window_days)

    def reference(self) -> pd.DataFrame:
        """World-class segment profiles of the report's event (public, published splits).

        Of the athlete's sex when the roster gives ``F`` or ``M`` (none when the reference
        table has no race of that sex and event); both sexes otherwise.
        """
        races, splits = load_elite_splits()
        keep = races["event_m"] == self.event
        if self.sex in ("F", "M"):
            keep &= races["sex"] == self.sex
        return segment_table(races[keep.fillna(False)], splits)

    def reference_text(self) -> str:
        """Which world-class races the velocity profile shows, and why."""
        races, _ = load_elite_splits()
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
        from .plots import plot_weekly_volume

        return plot_weekly_volume(
            self.ds.log,
            athlete_id=self.athlete_id,
            exercise_names=exercise_names(),
            who=self.name,
        )

    def plot_fade(self):
        from .plots import plot_fatigue_trend

        fat = self.ds.fatigue
        return plot_fatigue_trend(fat[fat["event_m"] == self.event])

    def plot_profile(self):
        from .plots import plot_velocity_profile

        seg = self.segments[self.segments["event_m"] == self.event]
        return plot_velocity_profile(
            seg, race_ids=self.profile_races(), reference=self.reference(), show_athlete=False
        )

    def plot_volume_vs_fade(self):
        from .plots import plot_volume_vs_fatigue

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
        }


# ------------------------------------------------------------------ the cohort report


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

    The report batch (:func:`analysis.report.plan_reports`) runs one cohort report per
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
    ev = table[(table["event_m"] == event) & (table["status"] == "ok")]
    per_race = ev.groupby("athlete_id").agg(
        races=("race_id", "size"),
        differential_s=("differential_s", "mean"),
        velocity_loss_pct=("velocity_loss_pct", "mean"),
        hf_reps_window=(f"hf_reps_{window_days}d", "mean"),
    )
    weekly = hf_reps_per_week(ds.log)
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
    for c in ("differential_s", "velocity_loss_pct", "hf_reps_window", "hf_reps_per_week"):
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
    ).reset_index()
    return out


def cohort_tests(means: pd.DataFrame) -> pd.DataFrame:
    """Welch t, Mann-Whitney U and Hedges g (bootstrap CI) between cohorts, per metric.

    Uses :func:`analysis.stats.compare_groups` on athlete means; p-values are BH-adjusted
    within each metric. Cohorts with fewer than 2 athletes are left out (noted).
    """
    from .stats import compare_groups

    frames = []
    for metric in ("hf_reps_per_week", "differential_s", "velocity_loss_pct"):
        d = means.dropna(subset=[metric, "cohort"])
        sizes = d.groupby("cohort").size()
        d = d[d["cohort"].isin(sizes[sizes >= 2].index)]
        if d["cohort"].nunique() < 2:
            continue
        res = compare_groups(d, metric, "cohort")
        frames.append(res.assign(metric=metric))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    first = ["metric", "group_a", "group_b", "n_a", "n_b", "mean_a", "mean_b"]
    return out[first + [c for c in out.columns if c not in first]]


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


def tests_table(tests: pd.DataFrame) -> pd.DataFrame:
    """:func:`cohort_tests` for display: the columns a coach reads, readable headers."""
    if tests.empty:
        return pd.DataFrame(columns=list(TEST_HEADERS.values()))
    out = tests[[c for c in TEST_HEADERS if c in tests.columns]]
    out = out.assign(metric=out["metric"].map(lambda m: LABELS.get(m, m)))
    return out.rename(columns=TEST_HEADERS)


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
    }
    out = summary[[c for c in headers if c in summary.columns]]
    out = out.assign(cohort=out["cohort"].astype("string").fillna("(none)"))
    return out.rename(columns=headers)


def cohort_words(tests: pd.DataFrame, column: str) -> str:
    """Plain-language reading of :func:`cohort_tests`.

    The closing caveat matches what was computed: intervals are called wide only when
    there is one; without any, the sentence says no interval could be computed.
    """
    label = column_label(column).lower()
    if tests.empty:
        return f"Too few athletes per {label} group (at least 2 per group with data) to compare."
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
        f"not evidence that hip-flexor work caused it; {caveat}."
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
        cls, data_dir: str, column: str, *, event: int = 400, window_days: int = 28
    ) -> CohortReport:
        """Load ``data_dir`` and group its athletes by ``column``.

        Raises
        ------
        DataError
            ``column`` is not a cohort column of the roster (:func:`not_a_cohort`); the
            message names the columns that are.
        """
        ds = load_dataset(data_dir)
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
        """:func:`cohort_tests` of the report (computed once: the bootstrap is slow)."""
        if self._tests is None:
            self._tests = cohort_tests(self.means)
        return self._tests

    def tests_table(self) -> pd.DataFrame:
        """The tests with readable headers (what the notebook shows)."""
        return tests_table(self.tests())

    def words(self) -> str:
        return cohort_words(self.tests(), self.column)

    def plot_metric(self, metric: str):
        from .plots.cohorts import plot_cohort_metric

        return plot_cohort_metric(self.means, metric, cohort_label=self.label.lower())

    def plot_profiles(self):
        from .plots.cohorts import plot_cohort_profiles

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


# ------------------------------------------------------------------ the data-quality report


def rejects_by_reason(ds: Dataset) -> pd.DataFrame:
    r = ds.rejects
    if r.empty:
        return pd.DataFrame(columns=["table", "kind", "reason", "rows"])
    return (
        r.groupby(["table", "kind", "reason"], dropna=False)
        .size()
        .rename("rows")
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def unmapped_exercises(ds: Dataset) -> pd.DataFrame:
    log = ds.log
    u = log.loc[log["family"] == "unmapped"]
    if u.empty:
        return pd.DataFrame(columns=["exercise_raw", "entries", "athletes", "files"])
    return (
        u.groupby("exercise_raw")
        .agg(
            entries=("athlete_id", "size"),
            athletes=("athlete_id", "nunique"),
            files=("source", lambda s: ", ".join(sorted(set(s)))),
        )
        .reset_index()
        .sort_values("entries", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def unknown_names(ds: Dataset) -> pd.DataFrame:
    r = ds.rejects
    u = r[r["reason"].isin(["unknown athlete", "ambiguous athlete"])]
    if u.empty:
        return pd.DataFrame(columns=["value", "reason", "rows", "files"])
    return (
        u.groupby(["value", "reason"])
        .agg(rows=("source", "size"), files=("source", lambda s: ", ".join(sorted(set(s)))))
        .reset_index()
        .sort_values("rows", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def quality_results(ds: Dataset) -> dict:
    rec = ds.reconciliation
    return {
        "files": len(rec),
        "rows_read": int(rec["rows_read"].sum()),
        "clean": int(rec["clean"].sum()),
        "rejected": int(rec["rejected"].sum()),
        "duplicates": int(rec["duplicates"].sum()),
        "balanced": bool(rec["balanced"].all()),
        "unmapped": unmapped_exercises(ds)["exercise_raw"].tolist(),
        "reasons": rejects_by_reason(ds).set_index("reason")["rows"].to_dict()
        if len(ds.rejects)
        else {},
        "skipped": ds.skipped["source"].tolist(),
    }


__all__ = [
    "RESULTS_MIME",
    "AthleteReport",
    "CohortReport",
    "Estimate",
    "athlete_means",
    "cohort_columns",
    "cohort_summary",
    "cohort_tests",
    "cohort_words",
    "column_label",
    "esc",
    "estimate_caveat",
    "estimate_in_words",
    "exercise_names",
    "hf_reps_per_week",
    "load_or_sample",
    "not_a_cohort",
    "paragraph",
    "quality_results",
    "races_phrase",
    "record",
    "rejects_by_reason",
    "summary_table",
    "synthetic_banner",
    "table_html",
    "tests_table",
    "unknown_names",
    "unmapped_exercises",
    "who_trained_what",
    "within_athlete_estimate",
]
