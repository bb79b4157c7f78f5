"""The simulation behind the sample: training entries, races and their truth (module notes
of :mod:`analysis.sample`).

:func:`simulate` runs the phases in order, each a function returning a small frozen
dataclass: the season (dates, roster), the training entries, the race days, the race
outcomes, then the rendering of the raw files (:mod:`analysis.sample.render`). All of them
draw from one ``numpy.random.Generator`` in a fixed order: a seed always gives the same
sample, and a phase may not add, drop or reorder a draw without changing every sample.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .draws import pick
from .prescriptions import catalog_reps_per_m, write_prescription
from .render import Season, plant_log_faults, render_logs, render_results
from .roster import sample_roster
from .truth import Truth
from .vocabulary import DEFAULT_SEASON_START, EXERCISES, MOBILITY, UNMAPPED

__all__ = ["Model", "simulate"]


@dataclass(frozen=True)
class Model:
    """The generator's inputs (:func:`analysis.sample.generate` documents each)."""

    athletes: int
    seed: int
    effect_per_100_reps: float
    window_days: int
    weeks: int
    confounder_per_100_reps: float
    noise_sd: float
    races_per_athlete: tuple[int, int]
    volume_ramp: float
    season_trend_per_week: float
    slope_sd: float
    noise_ar1: float


@dataclass(frozen=True)
class Training:
    """The clean training entries (one dict each) and each athlete's daily hip-flexion reps."""

    entries: list[dict]
    daily: np.ndarray  # athletes × days


@dataclass(frozen=True)
class RaceDays:
    """Who races when: ``athlete_id, i, day, event_m, volume`` (X of the module notes)."""

    races: pd.DataFrame
    first_race_day: int


@dataclass(frozen=True)
class RaceOutcomes:
    """The races with their marks (``final, s100, s200, s300, differential, hand, date``)
    and the athletes' true parameters (α, α₂₀₀, X̄_i, β₂₀₀, β_i, β₂₀₀ᵢ)."""

    races: pd.DataFrame
    alpha: np.ndarray
    alpha200: np.ndarray
    mean_x: pd.Series
    beta200: float
    slope_i: np.ndarray
    slope200_i: np.ndarray


def _season(
    model: Model,
    season_start: _dt.date | str | None,
    today: _dt.date | str | None,
    rng: np.random.Generator,
) -> Season:
    """The season's first day (moved earlier if it would end after ``today``) and roster."""
    today_d = pd.Timestamp(today).date() if today is not None else _dt.date.today()
    if season_start is None:
        start = DEFAULT_SEASON_START
        end = start + _dt.timedelta(weeks=model.weeks)
        if end >= today_d:
            start = today_d - _dt.timedelta(weeks=model.weeks, days=7 + today_d.weekday())
    else:
        start = pd.Timestamp(season_start).date()
    rpm = catalog_reps_per_m()
    roster = sample_roster(model.athletes, start, rng)
    return Season(start=start, n_days=model.weeks * 7, rpm=rpm, roster=roster,
                  ids=roster["athlete_id"].tolist())  # fmt: skip


def _training(model: Model, season: Season, rng: np.random.Generator) -> Training:
    """The training entries: weekly hip-flexor targets spread over sessions and drills."""
    weeks, volume_ramp, rpm = model.weeks, model.volume_ramp, season.rpm
    block = np.array([0.8, 1.0, 1.25, 0.5])
    squad_off = int(rng.integers(10, weeks - 4))
    track_keys = [k for k, v in EXERCISES.items() if v["where"] == "track"]
    gym_keys = [k for k, v in EXERCISES.items() if v["where"] == "gym"]
    programs = season.roster["program"].to_numpy()
    entries: list[dict] = []
    daily = np.zeros((model.athletes, season.n_days))
    for i, aid in enumerate(season.ids):
        base = (600.0 if programs[i] == "hf_emphasis" else 300.0) * float(rng.lognormal(0, 0.25))
        own_off = set(rng.choice(weeks, size=int(rng.integers(1, 3)), replace=False).tolist())
        phase = int(rng.integers(0, 4))
        for w in range(weeks):
            if w == squad_off or w in own_off:
                continue
            ramp = 1.0 + volume_ramp * w / max(weeks - 1, 1)  # built up over the season
            target = base * ramp * block[(w + phase) % 4] * float(rng.lognormal(0, 0.15))
            # more sessions as the volume is built up (2-4 a week early, up to 6 late),
            # so the build-up is not lost to the realistic caps on a written prescription
            n_sess = min(max(round(int(rng.integers(2, 5)) * ramp), 2), 6)
            days = sorted(rng.choice(6, size=n_sess, replace=False).tolist())  # Mon..Sat
            for day in days:
                d = w * 7 + day
                gym = rng.random() < 0.4
                pool = gym_keys if gym else track_keys
                # indices, not the names: the same draw, without an array of names each day
                keys = [pool[k] for k in rng.choice(
                    len(pool), size=int(rng.integers(1, 4)), replace=False).tolist()]  # fmt: skip
                for key in keys:
                    presc, hf = write_prescription(key, target / n_sess / len(keys), rpm, rng)
                    entries.append(
                        {"athlete_id": aid, "day": d, "key": key,
                         "spelling": pick(rng, EXERCISES[key]["spellings"]),
                         "where": "gym" if gym else "track", "hf": hf, **presc}
                    )  # fmt: skip
                    daily[i, d] += hf
                if not gym and rng.random() < 0.6:  # mobility after the drills
                    mob = pick(rng, list(MOBILITY))
                    entries.append(
                        {"athlete_id": aid, "day": d, "key": mob, "spelling": mob,
                         "where": "track", "hf": 0.0, "text": MOBILITY[mob]}
                    )  # fmt: skip
                if not gym and rng.random() < 0.04:
                    un = pick(rng, list(UNMAPPED))
                    entries.append(
                        {"athlete_id": aid, "day": d, "key": un, "spelling": un,
                         "where": "track", "hf": 0.0, "text": UNMAPPED[un]}
                    )  # fmt: skip

    # every unmapped spelling appears at least once, so the quality report shows it
    seen = {e["key"] for e in entries}
    for k, un in enumerate(sorted(set(UNMAPPED) - seen)):
        entries.append(
            {"athlete_id": season.ids[0], "day": 3 + 7 * k, "key": un, "spelling": un,
             "where": "track", "hf": 0.0, "text": UNMAPPED[un]}
        )  # fmt: skip
    return Training(entries=entries, daily=daily)


def _race_days(
    model: Model, season: Season, training: Training, rng: np.random.Generator
) -> RaceDays:
    """Race days and events; each race's volume X over the ``window_days`` before it."""
    athletes, window_days, n_days = model.athletes, model.window_days, season.n_days
    cum = np.concatenate([np.zeros((athletes, 1)), np.cumsum(training.daily, axis=1)], axis=1)
    first_race_day = max(8 * 7, window_days) + 1
    race_days = np.arange(first_race_day, n_days - 7)  # the faults use the last week
    squads = season.roster["squad"].to_numpy()
    race_rows: list[dict] = []
    lo, hi = model.races_per_athlete
    for i, aid in enumerate(season.ids):
        k = int(rng.integers(lo, hi + 1))
        days = np.sort(rng.choice(race_days, size=min(k, len(race_days)), replace=False))
        main = int(squads[i])
        for d in days:
            event = main if rng.random() < 0.75 else (200 if main == 400 else 400)
            x = cum[i, d] - cum[i, max(d - window_days, 0)]  # days d-W .. d-1
            race_rows.append({"athlete_id": aid, "i": i, "day": int(d), "event_m": event,
                              "volume": float(x)})  # fmt: skip
    races = pd.DataFrame(race_rows)
    # every athlete gets at least two 400 m races, so within-athlete contrasts exist
    counts = races[races["event_m"] == 400].groupby("athlete_id").size()
    for aid in season.ids:
        short = 2 - int(counts.get(aid, 0))
        if short > 0:
            idx = races.index[(races["athlete_id"] == aid) & (races["event_m"] == 200)][:short]
            races.loc[idx, "event_m"] = 400
    return RaceDays(races=races, first_race_day=first_race_day)


def _ar1(eps: np.ndarray, ii: np.ndarray, day: np.ndarray, rho: float) -> np.ndarray:
    """``eps`` made AR(1) with ``rho`` over each athlete's races in date order."""
    order = np.lexsort((day, ii))
    e_sorted = eps[order]
    i_sorted = ii[order]
    ar = e_sorted.copy()
    for k in range(1, len(ar)):
        if i_sorted[k] == i_sorted[k - 1]:
            ar[k] = rho * ar[k - 1] + np.sqrt(1 - rho**2) * e_sorted[k]
    out = np.empty_like(ar)
    out[order] = ar
    return out


def _race_outcomes(
    model: Model, season: Season, days: RaceDays, rng: np.random.Generator
) -> RaceOutcomes:
    """The true differential of every race and the marks it shows (module notes)."""
    athletes, races, beta = model.athletes, days.races, model.effect_per_100_reps
    sex_offset = np.where(season.roster["sex"] == "F", 6.5, 0.0)
    base_400 = 49.5 + sex_offset + rng.normal(0, 1.2, athletes)
    mean_x = races[races["event_m"] == 400].groupby("i")["volume"].mean()
    mean_x = mean_x.reindex(range(athletes)).fillna(races["volume"].mean())
    mean_x200 = races[races["event_m"] == 200].groupby("i")["volume"].mean()
    mean_x200 = mean_x200.reindex(range(athletes)).fillna(mean_x)
    grand = float(mean_x.mean())
    gamma = model.confounder_per_100_reps
    alpha = 3.0 + gamma * (mean_x.to_numpy() - grand) / 100 + rng.normal(0, 0.5, athletes)
    alpha200 = (
        -0.4
        + (gamma / 3) * (mean_x200.to_numpy() - float(mean_x200.mean())) / 100
        + rng.normal(0, 0.15, athletes)
    )
    beta200 = 0.4 * beta
    ii = races["i"].to_numpy()
    is400 = (races["event_m"] == 400).to_numpy()
    xc = np.where(
        is400,
        (races["volume"].to_numpy() - mean_x.to_numpy()[ii]) / 100,
        (races["volume"].to_numpy() - mean_x200.to_numpy()[ii]) / 100,
    )
    eps = rng.normal(0, 1, len(races))
    # season-like parts, from their own stream (the draws above keep their values):
    # athletes' own slopes around β, race noise autocorrelated from race to race (AR(1)
    # over each athlete's races in date order, stationary with unit variance) and a
    # squad-wide season trend in the fade (fitter and faster over the season, whatever
    # the hip-flexor work: the confounder a within-athlete correlation alone falls for)
    srng = np.random.default_rng([model.seed, 12])
    dev_slope = srng.normal(0, 1, athletes)
    slope_i = beta + model.slope_sd * dev_slope
    slope200_i = beta200 + 0.4 * model.slope_sd * dev_slope
    if model.noise_ar1:
        eps = _ar1(eps, ii, races["day"].to_numpy(), model.noise_ar1)
    weeks_in = (races["day"].to_numpy() - days.first_race_day) / 7.0
    trend = model.season_trend_per_week * weeks_in
    diff = np.where(
        is400,
        alpha[ii] + slope_i[ii] * xc + trend + model.noise_sd * eps,
        alpha200[ii] + slope200_i[ii] * xc + 0.4 * trend + 0.12 * eps,
    )
    base = np.where(is400, base_400[ii], (base_400[ii] - 2.0) * 0.455)
    dev = diff - np.where(is400, alpha[ii], alpha200[ii])
    final = base + 0.3 * dev + rng.normal(0, np.where(is400, 0.35, 0.15))
    h1 = (final - diff) / 2
    f1 = 0.515 + rng.normal(0, 0.004, len(races))
    f3 = 0.475 + rng.normal(0, 0.004, len(races))
    races = races.assign(
        final=np.round(final, 2),
        s100=np.round(np.where(is400, h1 * f1, h1), 2),
        s200=np.round(h1, 2),
        s300=np.round(h1 + (final - h1) * f3, 2),
        differential=diff,
        hand=False,
    )
    # about one race per athlete is a hand-timed trial
    trial = rng.random(len(races)) < 1.0 / 8
    races["hand"] = trial
    races["date"] = [season.start + _dt.timedelta(days=int(d)) for d in races["day"]]
    return RaceOutcomes(races=races, alpha=alpha, alpha200=alpha200, mean_x=mean_x,
                        beta200=beta200, slope_i=slope_i, slope200_i=slope200_i)  # fmt: skip


def _truth(model: Model, season: Season, out: RaceOutcomes, faults: dict) -> Truth:
    """The generating parameters and the per-race truth (``truth.json``)."""
    ids = season.ids
    return Truth(
        seed=model.seed,
        athletes=model.athletes,
        window_days=model.window_days,
        effect_per_100_reps=model.effect_per_100_reps,
        effect_200_per_100_reps=round(out.beta200, 10),
        confounder_per_100_reps=model.confounder_per_100_reps,
        noise_sd=model.noise_sd,
        season_start=season.start.isoformat(),
        weeks=model.weeks,
        intercepts={a: round(float(v), 4) for a, v in zip(ids, out.alpha, strict=True)},
        intercepts_200={a: round(float(v), 4) for a, v in zip(ids, out.alpha200, strict=True)},
        mean_volume={a: round(float(v), 2) for a, v in zip(ids, out.mean_x, strict=True)},
        volume_ramp=model.volume_ramp,
        season_trend_per_week=model.season_trend_per_week,
        slope_sd=model.slope_sd,
        noise_ar1=model.noise_ar1,
        slopes={a: round(float(v), 5) for a, v in zip(ids, out.slope_i, strict=True)},
        slopes_200={a: round(float(v), 5) for a, v in zip(ids, out.slope200_i, strict=True)},
        races=[
            {
                "athlete_id": r.athlete_id,
                "date": r.date.isoformat(),
                "event_m": int(r.event_m),
                "hand": bool(r.hand),
                "volume": round(r.volume, 2),
                "differential_s": round(float(r.differential), 4),
                "final_s": float(r.final),
            }
            for r in out.races.itertuples(index=False)
        ],
        faults=faults,
    )


def _entries_frame(season: Season, entries: list[dict]) -> pd.DataFrame:
    """The clean training entries behind the raw files: ``athlete_id, date, exercise_raw,
    family, hf_reps``."""
    days = np.array([e["day"] for e in entries], dtype="timedelta64[D]")
    return pd.DataFrame(
        {
            "athlete_id": [e["athlete_id"] for e in entries],
            "date": (np.datetime64(season.start, "D") + days).astype("datetime64[s]"),
            "exercise_raw": [e["spelling"] for e in entries],
            "family": [
                EXERCISES[e["key"]]["family"] if e["key"] in EXERCISES
                else ("mobility" if e["key"] in MOBILITY else "unmapped")
                for e in entries
            ],
            "hf_reps": [e["hf"] for e in entries],
        }
    )  # fmt: skip


def simulate(
    *,
    athletes: int,
    seed: int,
    effect_per_100_reps: float,
    window_days: int,
    season_start: _dt.date | str | None,
    weeks: int,
    today: _dt.date | str | None,
    confounder_per_100_reps: float,
    noise_sd: float,
    races_per_athlete: tuple[int, int],
    volume_ramp: float = 0.6,
    season_trend_per_week: float = -0.02,
    slope_sd: float = 0.05,
    noise_ar1: float = 0.6,
) -> tuple[dict, Truth, pd.DataFrame]:
    """:func:`analysis.sample.generate` before the coach layouts, plus the clean entries.

    Parameters
    ----------
    athletes, seed, effect_per_100_reps, window_days, season_start, weeks, today
        As in :func:`analysis.sample.generate`.
    confounder_per_100_reps, noise_sd, races_per_athlete, volume_ramp
        As in :func:`analysis.sample.generate`.
    season_trend_per_week, slope_sd, noise_ar1
        As in :func:`analysis.sample.generate`.

    Returns
    -------
    frames : dict
        Relative path -> DataFrame (CSV) or sheet name -> DataFrame (workbook).
    truth : Truth
        The generating parameters and per-race truth.
    entries : DataFrame
        The clean training entries behind the raw files (for tests and the injury log):
        ``athlete_id, date, exercise_raw, family, hf_reps``.
    """
    if athletes < 2:
        raise ValueError("athletes must be at least 2")
    model = Model(
        athletes=athletes, seed=seed, effect_per_100_reps=effect_per_100_reps,
        window_days=window_days, weeks=weeks, confounder_per_100_reps=confounder_per_100_reps,
        noise_sd=noise_sd, races_per_athlete=races_per_athlete, volume_ramp=volume_ramp,
        season_trend_per_week=season_trend_per_week, slope_sd=slope_sd, noise_ar1=noise_ar1,
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    season = _season(model, season_start, today, rng)
    training = _training(model, season, rng)
    outcomes = _race_outcomes(model, season, _race_days(model, season, training, rng), rng)
    logs = plant_log_faults(season, render_logs(season, training.entries, rng), rng)
    results = render_results(season, outcomes.races, rng)
    frames: dict[str, pd.DataFrame | dict[str, pd.DataFrame]] = {
        "athletes.csv": season.roster,
        "logs/coach_a_2026.csv": logs.coach_a,
        "logs/coach_b.csv": logs.coach_b,
        "logs/gym_sessions.xlsx": logs.gym_book,
        "results/meets_2026.csv": results.meets,
        "results/time_trials.xlsx": {"Trials": results.trials},
    }
    truth = _truth(model, season, outcomes, {**logs.faults, "results": results.faults})
    truth.faults["log_entries"] = len(training.entries)
    truth.faults["reps_per_m"] = season.rpm
    return frames, truth, _entries_frame(season, training.entries)
