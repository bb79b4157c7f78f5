"""A synthetic raw data set that knows the truth: ``hipflex sample DIR``.

Everything written here is **synthetic**: fictional athletes, invented coaches' files. The
files are in the messy forms docs/architecture.md accepts (several coaches' CSV logs, an Excel
workbook, meet results and hand-timed trials) and carry a handful of deliberate faults
(unknown athlete, impossible date, garbage prescription, 500 reps, a duplicate entry, a
DNF, a DNS, a 100 m race, non-increasing splits) so the data-quality report has something
to show. ``truth.json`` holds the parameters the data were generated from.

Generative model
----------------
Athletes ``i = 1..N`` are assigned a squad (200/400), a program (``hf_emphasis`` or
``standard``) and a sex. Hip-flexor volume varies *within* an athlete over the season:

    target_iw = V_i × ramp_w × block_w × off_iw × LogNormal(0, 0.15)

with ``V_i`` the athlete's base weekly hip-flexor reps (about 600 for ``hf_emphasis``,
300 for ``standard``, times LogNormal(0, 0.25)), ``block_w`` a four-week periodisation
cycle (0.8, 1.0, 1.25, 0.5), ``ramp_w = 1 + volume_ramp × w / (weeks − 1)`` the build-up
over the season, and ``off_iw = 0`` in weeks off (one squad-wide week and one
or two weeks per athlete). The weekly target is spread over 2–4 sessions of 1–3
hip-flexor exercises; each entry gets a written prescription, and its hip-flexion reps
are counted *from that prescription* exactly as docs/architecture.md defines ``hf_reps``: sets ×
reps (mean reps when sets differ, midpoint of a range), doubled for ``each leg``,
distance sets × metres × the catalog's ``reps_per_m``.

For race ``j`` of athlete ``i`` on day ``d_ij``, the trailing volume is

    X_ij = Σ hf_reps of athlete i on days d_ij − W … d_ij − 1      (W = ``window_days``)

and the 400 m differential (second half − first half, seconds) is

    D_ij = α_i + β_i × (X_ij − X̄_i) / 100 + δ × t_ij + σ e_ij
    α_i  = μ + γ × (X̄_i − X̄) / 100 + u_i,             u_i ~ N(0, τ²)
    β_i  = β + N(0, ``slope_sd``²)                     (athletes differ)
    e_ij = ρ e_i,j−1 + √(1 − ρ²) N(0, 1)               (AR(1) over the athlete's races)

with t_ij the weeks into the racing season, δ = ``season_trend_per_week`` (−0.02 s: the
fade improves over the season for other reasons, while the volume is built up by
``volume_ramp`` = 60 % from the first week to the last — a season trend that a
within-athlete correlation without a time adjustment takes for an effect), ρ =
``noise_ar1`` = 0.6, and
``β`` = ``effect_per_100_reps`` (the mean within-athlete truth), ``X̄_i`` the athlete's
mean of ``X`` over their 400 m races, ``X̄`` the mean of the ``X̄_i``, μ = 3.0 s,
τ = 0.5 s, σ = 0.25 s. ``γ`` = +0.15 s per 100 reps is a between-athlete confounder
("confounding by indication": coaches give more hip-flexor work to athletes who fade),
so a naive pooled correlation of volume and fade is weaker than, or opposite to, the
within-athlete effect. The 200 m differential (second 100 − first 100) follows the same
form with μ = −0.4 s, τ = 0.15 s, σ = 0.12 s, γ = +0.05 and β₂₀₀ = 0.4 β.

Final times: T_ij = b_i + 0.3 (D_ij − α_i) + N(0, 0.35²) for 400 m, with b_i the
athlete's baseline; halves h₁ = (T − D)/2, h₂ = (T + D)/2; 100 m splits follow a
realistic profile (first 100 ≈ 51.5 % of h₁, so the 2nd 100 is the fastest; third 100
≈ 47.5 % of h₂, so the 4th 100 is the slowest). Hand-timed trials are recorded 0.24 s
(200 m) or 0.14 s (400 m) faster than FAT at every mark and rounded to 0.1 s: the
hand-to-FAT corrections :mod:`analysis.sprints` adds back, so cleaned times match the truth.

Examples
--------
>>> from analysis.sample import generate
>>> frames, truth = generate(athletes=4, seed=1)
>>> truth.effect_per_100_reps
-0.08
"""

from __future__ import annotations

import datetime as _dt
import io as _io
import json
import os
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import reasons as R
from .io import atomic_path, write_text_atomic
from .sample_layouts import Cells, app_exports, coach_layouts, file_truth

__all__ = ["Truth", "generate", "write_sample"]

#: Fixed timestamp written into workbooks so a seed gives identical bytes.
_FIXED_TIME = _dt.datetime(2026, 1, 1, 0, 0, 0)
_DEFAULT_SEASON_START = _dt.date(2026, 1, 5)
#: Hand timing reads this much faster than FAT (the corrections analysis.sprints adds back).
_HAND_OFFSET_S = {200: 0.24, 400: 0.14}

# ---------------------------------------------------------------- exercises
# key: (family, kind, per_leg, spellings, where, load forms)
#   kind: "reps" | "distance" | "timed"; where: "track" (coach CSVs) or "gym" (workbook)
_EXERCISES: dict[str, dict] = {
    "a_skip": {"family": "hip_flexor", "kind": "distance", "per_leg": False,
               "spellings": ("A's", "A-skips", "A skips"), "where": "track", "loads": ("",)},
    "high_knees": {"family": "hip_flexor", "kind": "distance", "per_leg": False,
                   "spellings": ("high knees", "High Knees"), "where": "track", "loads": ("",)},
    "box_knee_drive": {"family": "hip_flexor", "kind": "reps", "per_leg": True,
                       "spellings": ("box knee drives", "Box knee drive"), "where": "track",
                       "loads": ("", " BW")},
    "band_knee_drive": {"family": "hip_flexor", "kind": "reps", "per_leg": True,
                        "spellings": ("band knee drive", "KD"), "where": "track",
                        "loads": (" red band", " band")},
    "spread_eagle_situp": {"family": "hip_flexor", "kind": "reps", "per_leg": False,
                           "spellings": ("spread eagle situps", "Spread-eagle sit-ups"),
                           "where": "track", "loads": ("", " BW")},
    "cable_knee_drive": {"family": "hip_flexor", "kind": "reps", "per_leg": True,
                         "spellings": ("cable knee drives", "Cable Knee Drive"), "where": "gym",
                         "loads": ("10kg", "15 kg", "20kg", "25lb", "45lb")},
    "lying_cable_knee_drive": {"family": "hip_flexor", "kind": "reps", "per_leg": True,
                               "spellings": ("lying cable knee drive",), "where": "gym",
                               "loads": ("5kg", "7.5kg", "10kg")},
    "hanging_knee_raise": {"family": "hip_flexor", "kind": "reps", "per_leg": False,
                           "spellings": ("hanging knee raises", "Hanging Knee Raise"),
                           "where": "gym", "loads": ("BW", "bodyweight")},
    "hanging_leg_raise": {"family": "hip_flexor", "kind": "reps", "per_leg": False,
                          "spellings": ("HLR",), "where": "gym", "loads": ("BW",)},
    "incline_bench_leg_raise": {"family": "hip_flexor", "kind": "reps", "per_leg": False,
                                "spellings": ("incline bench leg raise",), "where": "gym",
                                "loads": ("BW", "5kg")},
}  # fmt: skip

#: Default reps per metre of distance drills (hip flexions per metre), used when the
#: project catalog cannot be read.
_DEFAULT_REPS_PER_M = {"a_skip": 1.0, "high_knees": 1.5}

_MOBILITY = {"lunge stretch": "2 x 30s", "foam rolling": "1x60s"}
# spellings the catalog does not know (squats and Nordics are catalogued now, in their
# families): the quality report shows them with what they might be
_UNMAPPED = {"stir the pot": "3x30s", "hurdle walkovers": "3x8"}

_FIRST_NAMES_F = (
    "Deirdre", "Zoë", "Marisol", "Inès", "Saoirse", "Annika", "Léa", "Ingrid", "Nadia",
    "Yuki", "Priya", "Freya", "Solène",
)  # fmt: skip
_FIRST_NAMES_M = (
    "Björn", "Tobias", "Kwame", "Mateo", "Oluwaseun", "Rafferty", "Tomás", "Caspian",
    "Émile", "Odhran", "Jarrah", "Anselm",
)  # fmt: skip
_LAST_NAMES = (
    "Nuñez", "Fairweather", "Halloway", "Quintero", "Wrenfield", "Moreau", "Asante",
    "Ní Bhriain", "Larkspur", "Østergaard", "Adeyemi", "Brightwater", "Pemberton-Vale",
    "Sandoval", "Ashgrove", "Kowalczyk", "Thistlewood", "Okonkwo", "Vantongeren", "Hadley",
    "Marchetti", "Quillfeather", "Bramblecote", "Delacroix-Finch",
)  # fmt: skip
_MEETS = (
    "Harbour Open", "Valley Indoor Classic", "County Championships", "Riverside Twilight",
    "Northern Relays Meet", "Summer Series #2", "Regional Championships",
)  # fmt: skip
_NOTES = (
    "<b>felt strong</b>", "tight hip & hamstring", 'coach said "easy" today',
    "sore R hip flexor <-- watch", "done in the rain", "great session!", "O'Brien cover",
)  # fmt: skip


@dataclass
class Truth:
    """The parameters a synthetic data set was generated from (written to ``truth.json``).

    Attributes
    ----------
    seed, athletes, window_days
        Generator inputs.
    effect_per_100_reps, effect_200_per_100_reps
        Within-athlete change of the 400 m (200 m) differential, seconds per 100 hip-flexor
        reps in the ``window_days`` days before the race.
    confounder_per_100_reps
        Between-athlete slope of the baseline differential on the athlete's mean volume.
    intercepts, intercepts_200
        Athlete baseline differential α_i (s) for 400 m and 200 m.
    mean_volume
        Athlete mean trailing volume X̄_i over their 400 m races.
    noise_sd
        σ of the race-to-race noise (400 m).
    volume_ramp
        Hip-flexor volume grows by this fraction from the first to the last week.
    season_trend_per_week
        Squad-wide change of the differential per week into the season (s; negative:
        the fade improves for reasons other than hip-flexor work). The 200 m gets 0.4 ×.
    slope_sd, slopes, slopes_200
        SD of the athletes' own slopes around β and each athlete's slope (400 m, 200 m),
        s per 100 reps.
    noise_ar1
        ρ of the AR(1) race noise over each athlete's races in date order.
    races
        One record per clean race: athlete, date, event, volume X, true differential.
    faults
        The deliberate faults: expected rejects and duplicates, by file.
    files
        What the reader must find in each file and sheet read: ``raw_rows``,
        ``data_rows``, ``not_data`` (and ``not_data_rows``: ``[first row, rows, reason]``
        of each title, header, units, summary, heading or blank row), ``rows_read``
        (entries handed to the cleaners) and their ``clean``, ``rejected`` and
        ``duplicates`` (:func:`analysis.sample_layouts.file_truth`).
    """

    seed: int
    athletes: int
    window_days: int
    effect_per_100_reps: float
    effect_200_per_100_reps: float
    confounder_per_100_reps: float
    noise_sd: float
    season_start: str
    weeks: int
    intercepts: dict[str, float] = field(default_factory=dict)
    intercepts_200: dict[str, float] = field(default_factory=dict)
    mean_volume: dict[str, float] = field(default_factory=dict)
    volume_ramp: float = 0.0
    season_trend_per_week: float = 0.0
    slope_sd: float = 0.0
    noise_ar1: float = 0.0
    slopes: dict[str, float] = field(default_factory=dict)
    slopes_200: dict[str, float] = field(default_factory=dict)
    races: list[dict] = field(default_factory=list)
    faults: dict = field(default_factory=dict)
    files: list[dict] = field(default_factory=list)
    #: The injury hazard model and the injuries drawn from it (analysis.sample_injuries).
    injury_model: dict = field(default_factory=dict)
    injuries: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        """The truth as pretty, stable JSON."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


# ------------------------------------------------------------------ helpers


def _catalog_reps_per_m() -> dict[str, float]:
    """reps_per_m of the distance drills from the project catalog, where it can be read."""
    out = dict(_DEFAULT_REPS_PER_M)
    try:
        from .catalog import default_catalog_path

        path = Path(default_catalog_path())
        cat = pd.read_csv(path, dtype="string")
    except Exception:  # the catalog is optional here
        return out
    cols = {c.lower(): c for c in cat.columns}
    idc = cols.get("exercise") or cols.get("id") or cols.get("exercise_id")
    rpm = cols.get("reps_per_m") or cols.get("reps_per_metre")
    if idc is None or rpm is None:
        return out
    table = dict(zip(cat[idc].str.strip(), pd.to_numeric(cat[rpm], errors="coerce"), strict=True))
    for key in out:
        value = table.get(key)
        if value is not None and not pd.isna(value) and value > 0:
            out[key] = float(value)
    return out


def _fmt_date(d: _dt.date, style: str) -> str:
    if style == "dmy":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "mdy":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "text":
        return f"{d.day} {d.strftime('%b')} {d.year}"
    return d.isoformat()


def _fmt_time(t: float, rng: np.random.Generator) -> str:
    """A FAT time in one of the accepted spellings (52.34, 0:52.34, 1:02.50)."""
    if t >= 60:
        m, s = divmod(round(t, 2), 60)
        return f"{int(m)}:{s:05.2f}"
    return f"0:{t:05.2f}" if rng.random() < 0.25 else f"{t:.2f}"


def _roman(k: int) -> str:
    """``k`` (1–3999) in Roman numerals: the suffix of a name met again (``III``)."""
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):  # fmt: skip
        n, k = divmod(k, value)
        out += numeral * n
    return out


def _roster(n: int, season_start: _dt.date, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    used: set[str] = set()
    order = rng.permutation(len(_LAST_NAMES))
    for i in range(n):
        if i == 0:
            first, last = "Deirdre", "Nuñez"
        else:
            pool = _FIRST_NAMES_F if i % 2 == 0 else _FIRST_NAMES_M
            first = pool[(i // 2 + int(rng.integers(0, 3))) % len(pool)]
            last = _LAST_NAMES[order[i % len(_LAST_NAMES)]]
            if f"{first} {last}" in used or last == "Nuñez":
                last = f"{last}-{_LAST_NAMES[(i * 5) % len(_LAST_NAMES)]}"
        name = base = f"{first} {last}"
        k = 1
        while name in used:  # very large rosters: Jr, then III, IV, ... (a short name)
            name, k = (f"{base} Jr" if k == 1 else f"{base} {_roman(k + 1)}"), k + 1
        used.add(name)
        sex = "F" if i % 2 == 0 else "M"
        year = int(rng.integers(1997, 2010))
        birth = _dt.date(year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        age = (
            season_start.year
            - birth.year
            - ((season_start.month, season_start.day) < (birth.month, birth.day))
        )
        aliases = ""
        if i == 0:
            aliases = "Dee Nunez"
        elif i % 5 == 3:
            aliases = f"{first[0]}. {last.split('-')[0]}"
        rows.append(
            {
                "athlete_id": f"A{i + 1:02d}",
                "name": name,
                "sex": sex,
                "birth_date": birth.isoformat(),
                "squad": "200" if i % 3 == 1 else "400",
                "program": "hf_emphasis" if i % 4 in (1, 2) else "standard",
                "age_category": "U20" if age < 20 else "senior",
                "aliases": aliases,
            }
        )
    return pd.DataFrame(rows)


def _last_first(name: str) -> str:
    first, _, last = name.partition(" ")
    return f"{last}, {first}"


def _prescription(
    key: str, target: float, rpm: dict[str, float], rng: np.random.Generator
) -> tuple[dict, float]:
    """A written prescription for about ``target`` hip-flexion reps, and its exact hf_reps."""
    ex = _EXERCISES[key]
    sets = int(rng.integers(2, 5))
    if ex["kind"] == "distance":
        dist = int(rng.choice([20, 30, 40, 50]))
        sets = int(np.clip(round(target / (dist * rpm[key])), 2, 6))
        form = rng.integers(0, 3)
        text = (f"{sets} x {dist} m", f"{sets}x{dist}m", f"{sets} sets of {dist} metres")[form]
        return {"text": text, "sets": sets, "reps": None, "distance": dist, "per_leg": False,
                "load": ""}, sets * dist * rpm[key]  # fmt: skip
    per_leg = ex["per_leg"]
    reps = int(np.clip(round(target / (sets * (2 if per_leg else 1))), 5, 25))
    load = str(rng.choice(ex["loads"]))
    style = int(rng.integers(0, 10))
    reps_list = [reps] * sets
    if style == 0 and sets == 3:
        reps_list = [reps, reps, max(reps - 2, 3)]
        body = "/".join(map(str, reps_list))
    elif style == 1 and reps >= 8:
        body = f"{sets}x{reps - 2}-{reps + 2}"  # a range: midpoint = reps
    else:
        body = (
            f"{sets}x{reps}", f"{sets} x {reps}", f"{sets}X{reps}", f"{sets}×{reps}",
            f"{sets}*{reps}", f"{sets} sets of {reps}", f"{sets} sets of {reps} reps",
            f"{sets}x{reps}", f"{sets}x{reps}", f"{sets} x {reps}",
        )[style]  # fmt: skip
    leg = str(rng.choice([" each leg", " per leg", "/leg", " e/s"])) if per_leg else ""
    if ex["where"] == "track" and load and rng.random() < 0.5 and "band" not in load:
        load = ""
    text = body + leg + (load if ex["where"] == "track" else "")
    hf = float(sum(reps_list)) * (2 if per_leg else 1)
    return {"text": text, "sets": sets, "reps": reps_list, "distance": None,
            "per_leg": per_leg, "load": load}, hf  # fmt: skip


# ------------------------------------------------------------------ generate


def generate(
    *,
    athletes: int = 12,
    seed: int = 2026,
    effect_per_100_reps: float = -0.08,
    window_days: int = 28,
    season_start: _dt.date | str | None = None,
    weeks: int = 30,
    today: _dt.date | str | None = None,
    confounder_per_100_reps: float = 0.15,
    noise_sd: float = 0.25,
    races_per_athlete: tuple[int, int] = (6, 10),
    volume_ramp: float = 0.6,
    season_trend_per_week: float = -0.02,
    slope_sd: float = 0.05,
    noise_ar1: float = 0.6,
) -> tuple[dict[str, pd.DataFrame | dict[str, pd.DataFrame]], Truth]:
    """Generate the synthetic raw files in memory (pure: no file is touched).

    Parameters
    ----------
    athletes : int, default 12
        Roster size (at least 2).
    seed : int, default 2026
        Seed of the ``numpy.random.Generator``: a seed always gives the same data.
    effect_per_100_reps : float, default -0.08
        β: change of the 400 m differential (s) per 100 hip-flexor reps in the window.
    window_days : int, default 28
        W: the days before race day whose volume drives the effect.
    season_start : date or str, optional
        First training day; default 2026-01-05, moved earlier if the season would end
        after ``today``.
    weeks : int, default 30
        Season length.
    today : date or str, optional
        No date is generated after this (default: the real today).
    confounder_per_100_reps : float, default 0.15
        γ: between-athlete slope of baseline fade on mean volume (see module notes).
    noise_sd : float, default 0.25
        σ of the race-to-race noise of the 400 m differential (s).
    races_per_athlete : (int, int), default (6, 10)
        Inclusive range of races per athlete.
    volume_ramp : float, default 0.6
        Volume is built up over the season: weekly targets grow by this fraction from
        the first week to the last.
    season_trend_per_week : float, default -0.02
        Squad-wide season trend of the 400 m differential (s per week; 0.4 × for 200 m):
        the fade improves as the season goes on, whatever the hip-flexor work.
    slope_sd : float, default 0.05
        Athletes differ: athlete i's slope is β + N(0, slope_sd²) (0.4 × for 200 m).
    noise_ar1 : float, default 0.6
        Race noise is AR(1) over each athlete's races in date order with this ρ.

    Returns
    -------
    frames : dict
        Relative path -> DataFrame of strings (CSV files) or sheet name -> DataFrame
        (workbooks).
    truth : Truth
        The generating parameters and per-race truth.

    Notes
    -----
    The model and its formulas are in the module docstring.
    """
    frames, truth, clean = _simulate(
        athletes=athletes, seed=seed, effect_per_100_reps=effect_per_100_reps,
        window_days=window_days, season_start=season_start, weeks=weeks, today=today,
        confounder_per_100_reps=confounder_per_100_reps, noise_sd=noise_sd,
        races_per_athlete=races_per_athlete, volume_ramp=volume_ramp,
        season_trend_per_week=season_trend_per_week, slope_sd=slope_sd, noise_ar1=noise_ar1,
    )  # fmt: skip
    frames = _season_extras(frames, truth)
    frames = coach_layouts(frames, frames["athletes.csv"], truth.faults)
    frames = app_exports(frames, frames["athletes.csv"], truth.faults)  # a Strong export
    from .sample_injuries import injury_extras

    frames = injury_extras(frames, truth, clean, seed=seed)
    truth.files = file_truth(frames, truth.faults)
    return frames, truth


# ------------------------------------------------------------------ the coach's season


def _session_values(athlete: pd.Series, date: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """RPE (CR-10) and minutes per row, the same for every row of one athlete-day.

    Deterministic (no random draw: the rest of the sample is unchanged): the more entries a
    session has, the longer and harder it is.
    """
    key = athlete.astype(str) + "|" + date.astype(str)
    n = key.map(key.value_counts()).to_numpy()
    code = pd.factorize(key)[0]
    rpe = np.clip(4 + n + code % 3, 3, 9)
    minutes = 30 + 10 * n + 5 * (code % 4)
    return rpe, minutes


def _sample_plan(start: _dt.date, weeks: int) -> pd.DataFrame:
    """The article's program as a coach's plan file (``plan.csv``)."""
    first = start - _dt.timedelta(days=start.weekday())
    last = first + _dt.timedelta(weeks=weeks - 1)

    def d(x: _dt.date) -> str:
        return x.strftime("%d/%m/%Y")

    rows = [
        # group, drill, prescription, per week, build by, every, up to, notes
        ("400", "Slow running A's", "3 x 10 m", 2, "10 m", 4, "3x50m",
         "start with 3 sets of 10 m, build up to 50 m through the season"),
        ("200", "high knees", "3 x 10 m", 2, "5 m", 4, "3x30m", ""),
        ("400", "box knee drives", "3x25-30", 1, "", "", "", "no weight"),
        ("All", "cable knee drives", "3x10 each leg", 1, "", "", "", ""),
        ("All", "lying cable knee drive", "3x10 each leg", 1, "", "", "", ""),
        ("All", "spread eagle situps", "3x15", 1, "", "", "", ""),
        ("All", "hanging knee raises", "3x12", 1, "", "", "", ""),
        ("All", "incline bench leg raise", "3x10", 1, "", "", "", ""),
        ("All", "lunge stretch", "2 x 30s each leg", 2, "", "", "", "after the drills"),
        ("All", "foam rolling", "1x60s", 2, "", "", "", ""),
    ]  # fmt: skip
    return pd.DataFrame(
        [
            {"Week of": d(first), "Until": d(last), "Group": g, "Drill": ex,
             "Sets x Reps": p, "Per week": n, "Build by": step, "Every (weeks)": every,
             "Up to": cap, "Notes": note}
            for g, ex, p, n, step, every, cap, note in rows
        ]
    ).astype("string")  # fmt: skip


#: Seconds a masters athlete is slower per half than the simulated club sprinter, per event:
#: both halves slow alike, so the differential (the truth) is unchanged; the 400 m comes to
#: about 61 s and the 200 m to about 27 s, an age grade near 80 % at 51.
_MASTERS_HALF_S = {200: 3.0, 400: 6.0}


def _shift_time(text: object, add: float, digits: int) -> object:
    """A written time plus ``add`` seconds, in the same spelling (``m:ss.ss``, ``h``)."""
    t = str(text).strip()
    if not t or t.upper() in ("DNF", "DNS", "DQ", "NAN"):
        return text
    suffix = "h" if t.endswith("h") else ""
    core = t.removesuffix("h")
    m, _, sec = core.rpartition(":")
    v = (int(m) * 60 if m else 0) + float(sec) + add
    if m or v >= 60:
        mm, ss = divmod(round(v, digits), 60)
        return f"{int(mm)}:{ss:0{3 + digits}.{digits}f}{suffix}"
    return f"{v:.{digits}f}{suffix}"


def _masters_times(frames: dict, truth: Truth, name: str, athlete_id: str) -> None:
    """Slow the masters athlete's marks to a masters level (differentials unchanged)."""

    def event_of(text: object) -> int:
        digits = "".join(ch for ch in str(text) if ch.isdigit())
        return int(digits) if digits else 0

    meets = frames["results/meets_2026.csv"].copy()
    mine = meets["Athlete"] == name
    for i in meets.index[mine]:
        c = _MASTERS_HALF_S.get(event_of(meets.loc[i, "Event"]))
        if c is None:
            continue
        meets.loc[i, "Time"] = _shift_time(meets.loc[i, "Time"], 2 * c, 2)
        for col, k in (("split_100", 0.5 if c == 6.0 else 1.0), ("split_200", 1.0),
                       ("split_300", 1.5)):  # fmt: skip
            v = meets.loc[i, col]
            if str(v).strip() and str(v) != "nan":
                meets.loc[i, col] = _shift_time(v, k * c, 2)
    frames["results/meets_2026.csv"] = meets
    book = dict(frames["results/time_trials.xlsx"])
    trials = book["Trials"].copy()
    for i in trials.index[trials["Athlete"] == name]:
        c = _MASTERS_HALF_S.get(event_of(trials.loc[i, "Event"]))
        if c is None:
            continue
        trials.loc[i, "Time"] = _shift_time(trials.loc[i, "Time"], 2 * c, 1)
        marks = str(trials.loc[i, "Splits"]).split("/")
        steps = (0.5, 1.0, 1.5) if len(marks) == 3 else (1.0,)
        trials.loc[i, "Splits"] = "/".join(
            str(_shift_time(m, k * c, 1)) for m, k in zip(marks, steps, strict=False)
        )
    book["Trials"] = trials
    frames["results/time_trials.xlsx"] = book
    for r in truth.races:
        if r["athlete_id"] == athlete_id and r["event_m"] in _MASTERS_HALF_S:
            r["final_s"] = round(r["final_s"] + 2 * _MASTERS_HALF_S[r["event_m"]], 2)


def _season_extras(frames: dict, truth: Truth) -> dict:
    """Add what the coach's season needs to the raw files, without a random draw.

    - ``plan.csv``: the article's program (analysis.plan);
    - session RPE and minutes (Foster 2001): coach A on the session's first row
      (``RPE``, ``Minutes``), coach B on every row (``Session RPE``, ``Duration (min)``),
      the gym workbook per row (``RPE``, ``Minutes``);
    - a masters athlete: the last athlete of a roster of six or more was born in 1975
      (``age_category`` ``masters``), for age grading; his or her marks are slower by the
      same time in each half (:data:`_MASTERS_HALF_S`), so the differential is unchanged.
    """
    out = dict(frames)
    roster = out["athletes.csv"].copy()
    if len(roster) >= 6:  # small test rosters keep their cohorts as they were
        i = roster.index[-1]
        born = pd.Timestamp(roster.loc[i, "birth_date"])
        roster.loc[i, "birth_date"] = _dt.date(1975, born.month, born.day).isoformat()
        roster.loc[i, "age_category"] = "masters"
    out["athletes.csv"] = roster
    if len(roster) >= 6:
        _masters_times(out, truth, str(roster.loc[roster.index[-1], "name"]),
                       str(roster.loc[roster.index[-1], "athlete_id"]))  # fmt: skip

    a = out["logs/coach_a_2026.csv"].copy()
    rpe, minutes = _session_values(a["Athlete"], a["Date"])
    first = ~pd.DataFrame({"a": a["Athlete"], "d": a["Date"]}).duplicated().to_numpy()
    a.insert(4, "RPE", np.where(first, rpe.astype(str), ""))
    a.insert(5, "Minutes", np.where(first, minutes.astype(str), ""))
    out["logs/coach_a_2026.csv"] = a
    b = out["logs/coach_b.csv"].copy()
    rpe, minutes = _session_values(b["Name"], b["Day"])
    b.insert(4, "Session RPE", rpe.astype(str))
    b.insert(5, "Duration (min)", minutes.astype(str))
    out["logs/coach_b.csv"] = b
    book = dict(out["logs/gym_sessions.xlsx"])
    for sheet, df in book.items():
        if "Exercise" not in df.columns:
            continue
        rpe, minutes = _session_values(df["Athlete"], df["Date"])
        df = df.copy()
        df.insert(6, "RPE", rpe.astype(int))
        df.insert(7, "Minutes", minutes.astype(int))
        book[sheet] = df
    out["logs/gym_sessions.xlsx"] = book
    out["plan.csv"] = _sample_plan(pd.Timestamp(truth.season_start).date(), truth.weeks)
    return out


def _simulate(
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
    """:func:`generate`, plus the clean training entries behind the raw files (for tests)."""
    if athletes < 2:
        raise ValueError("athletes must be at least 2")
    rng = np.random.default_rng(seed)
    today_d = pd.Timestamp(today).date() if today is not None else _dt.date.today()
    if season_start is None:
        start = _DEFAULT_SEASON_START
        end = start + _dt.timedelta(weeks=weeks)
        if end >= today_d:
            start = today_d - _dt.timedelta(weeks=weeks, days=7 + today_d.weekday())
    else:
        start = pd.Timestamp(season_start).date()
    n_days = weeks * 7
    rpm = _catalog_reps_per_m()
    roster = _roster(athletes, start, rng)
    ids = roster["athlete_id"].tolist()

    # ---- training entries (the clean truth) --------------------------------------
    block = np.array([0.8, 1.0, 1.25, 0.5])
    squad_off = int(rng.integers(10, weeks - 4))
    track_keys = [k for k, v in _EXERCISES.items() if v["where"] == "track"]
    gym_keys = [k for k, v in _EXERCISES.items() if v["where"] == "gym"]
    programs = roster["program"].to_numpy()
    squads = roster["squad"].to_numpy()
    entries: list[dict] = []
    daily = np.zeros((athletes, n_days))
    for i, aid in enumerate(ids):
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
            n_sess = int(np.clip(round(int(rng.integers(2, 5)) * ramp), 2, 6))
            days = np.sort(rng.choice(6, size=n_sess, replace=False))  # Mon..Sat
            for day in days:
                d = w * 7 + int(day)
                gym = rng.random() < 0.4
                keys = rng.choice(
                    gym_keys if gym else track_keys, size=int(rng.integers(1, 4)), replace=False
                )
                for key in keys:
                    presc, hf = _prescription(str(key), target / n_sess / len(keys), rpm, rng)
                    entries.append(
                        {"athlete_id": aid, "day": d, "key": str(key),
                         "spelling": str(rng.choice(_EXERCISES[key]["spellings"])),
                         "where": "gym" if gym else "track", "hf": hf, **presc}
                    )  # fmt: skip
                    daily[i, d] += hf
                if not gym and rng.random() < 0.6:  # mobility after the drills
                    mob = str(rng.choice(list(_MOBILITY)))
                    entries.append(
                        {"athlete_id": aid, "day": d, "key": mob, "spelling": mob,
                         "where": "track", "hf": 0.0, "text": _MOBILITY[mob]}
                    )  # fmt: skip
                if not gym and rng.random() < 0.04:
                    un = str(rng.choice(list(_UNMAPPED)))
                    entries.append(
                        {"athlete_id": aid, "day": d, "key": un, "spelling": un,
                         "where": "track", "hf": 0.0, "text": _UNMAPPED[un]}
                    )  # fmt: skip

    # every unmapped spelling appears at least once, so the quality report shows it
    seen = {e["key"] for e in entries}
    for k, un in enumerate(sorted(set(_UNMAPPED) - seen)):
        entries.append(
            {"athlete_id": ids[0], "day": 3 + 7 * k, "key": un, "spelling": un,
             "where": "track", "hf": 0.0, "text": _UNMAPPED[un]}
        )  # fmt: skip

    # ---- races ---------------------------------------------------------------------
    cum = np.concatenate([np.zeros((athletes, 1)), np.cumsum(daily, axis=1)], axis=1)
    first_race_day = max(8 * 7, window_days) + 1
    race_days = np.arange(first_race_day, n_days - 7)  # the faults use the last week
    race_rows: list[dict] = []
    for i, aid in enumerate(ids):
        k = int(rng.integers(races_per_athlete[0], races_per_athlete[1] + 1))
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
    for aid in ids:
        short = 2 - int(counts.get(aid, 0))
        if short > 0:
            idx = races.index[(races["athlete_id"] == aid) & (races["event_m"] == 200)][:short]
            races.loc[idx, "event_m"] = 400

    sex_offset = np.where(roster["sex"] == "F", 6.5, 0.0)
    base_400 = 49.5 + sex_offset + rng.normal(0, 1.2, athletes)
    mean_x = races[races["event_m"] == 400].groupby("i")["volume"].mean()
    mean_x = mean_x.reindex(range(athletes)).fillna(races["volume"].mean())
    mean_x200 = races[races["event_m"] == 200].groupby("i")["volume"].mean()
    mean_x200 = mean_x200.reindex(range(athletes)).fillna(mean_x)
    grand = float(mean_x.mean())
    alpha = (
        3.0
        + confounder_per_100_reps * (mean_x.to_numpy() - grand) / 100
        + rng.normal(0, 0.5, athletes)
    )
    alpha200 = (
        -0.4
        + (confounder_per_100_reps / 3) * (mean_x200.to_numpy() - float(mean_x200.mean())) / 100
        + rng.normal(0, 0.15, athletes)
    )
    beta200 = 0.4 * effect_per_100_reps
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
    srng = np.random.default_rng([seed, 12])
    dev_slope = srng.normal(0, 1, athletes)
    slope_i = effect_per_100_reps + slope_sd * dev_slope
    slope200_i = beta200 + 0.4 * slope_sd * dev_slope
    if noise_ar1:
        order = np.lexsort((races["day"].to_numpy(), ii))
        e_sorted = eps[order]
        i_sorted = ii[order]
        ar = e_sorted.copy()
        for k in range(1, len(ar)):
            if i_sorted[k] == i_sorted[k - 1]:
                ar[k] = noise_ar1 * ar[k - 1] + np.sqrt(1 - noise_ar1**2) * e_sorted[k]
        eps = np.empty_like(ar)
        eps[order] = ar
    weeks_in = (races["day"].to_numpy() - first_race_day) / 7.0
    trend = season_trend_per_week * weeks_in
    diff = np.where(
        is400,
        alpha[ii] + slope_i[ii] * xc + trend + noise_sd * eps,
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
    races["date"] = [start + _dt.timedelta(days=int(d)) for d in races["day"]]

    # ---- render the training-log files -----------------------------------------------
    name_of = dict(zip(roster["athlete_id"], roster["name"], strict=True))
    alias_of = {a: s for a, s in zip(roster["athlete_id"], roster["aliases"], strict=True) if s}
    squad_of = dict(zip(roster["athlete_id"], roster["squad"], strict=True))
    coach_a, coach_b, gym1, gym2 = [], [], [], []
    half = n_days // 2
    for e in entries:
        d = start + _dt.timedelta(days=e["day"])
        note = str(rng.choice(_NOTES)) if rng.random() < 0.03 else ""
        if e["where"] == "gym":
            reps = e["reps"]
            reps_txt = str(reps[0]) if len(set(reps)) == 1 else ",".join(map(str, reps))
            if e["per_leg"]:
                reps_txt += " each leg"
            row = {"Athlete": e["athlete_id"], "Date": pd.Timestamp(d),
                   "Exercise": e["spelling"], "Sets": e["sets"], "Reps": reps_txt,
                   "Load": e["load"], "Notes": note}  # fmt: skip
            (gym1 if e["day"] < half else gym2).append(row)
            continue
        aid = e["athlete_id"]
        if squad_of[aid] == "400":
            who = alias_of[aid] if aid in alias_of and rng.random() < 0.3 else name_of[aid]
            coach_a.append({"Athlete": who, "Date": _fmt_date(d, "dmy"),
                            "Exercise": e["spelling"], "Sets x Reps": e["text"],
                            "Notes": note})  # fmt: skip
        else:
            who = (
                alias_of[aid]
                if aid in alias_of and rng.random() < 0.3
                else _last_first(name_of[aid])
            )
            coach_b.append({"Name": who, "Day": _fmt_date(d, "mdy"), "Drill": e["spelling"],
                            "Prescription": e["text"], "Comments": note})  # fmt: skip

    # ---- deliberate faults ------------------------------------------------------------------
    faults: dict = {"rejected": [], "duplicate": [], "skipped": ["logs/gym_sessions.xlsx#Notes"]}
    mid = start + _dt.timedelta(days=n_days // 2)
    a_who = coach_a[0]["Athlete"] if coach_a else name_of[ids[0]]
    bad_a = [
        {"Athlete": "Zed Unknownson", "Date": _fmt_date(mid, "dmy"), "Exercise": "A's",
         "Sets x Reps": "3 x 20 m", "Notes": "visiting athlete"},
        {"Athlete": a_who, "Date": f"31/02/{start.year + (start.month > 2)}",
         "Exercise": "high knees", "Sets x Reps": "2x30m", "Notes": ""},
        {"Athlete": a_who, "Date": _fmt_date(mid, "dmy"), "Exercise": "spread eagle situps",
         "Sets x Reps": "lots", "Notes": "<i>ask coach</i>"},
        {"Athlete": a_who, "Date": _fmt_date(mid + _dt.timedelta(days=1), "dmy"),
         "Exercise": "hanging knee raises", "Sets x Reps": "1x500", "Notes": "typo?"},
    ]  # fmt: skip
    positions = sorted(rng.choice(len(coach_a) + 1, size=len(bad_a), replace=True).tolist())
    for off, (pos, row) in enumerate(zip(positions, bad_a, strict=True)):
        coach_a.insert(pos + off, row)
    reasons = (R.UNKNOWN_ATHLETE, R.INVALID_DATE, R.UNPARSEABLE_PRESCRIPTION, R.IMPLAUSIBLE_REPS)
    # The duplicate: a coach_a entry (squad 400) also typed into coach_b.
    dup_src = next(
        (r for r in coach_a if r["Athlete"] in name_of.values() and r["Notes"] == ""
         and r["Exercise"] in ("A's", "A-skips", "A skips", "box knee drives")),
        None,
    )  # fmt: skip
    if dup_src is not None:
        dd = pd.to_datetime(dup_src["Date"], format="%d/%m/%Y").date()
        coach_b.append({"Name": _last_first(dup_src["Athlete"]), "Day": _fmt_date(dd, "mdy"),
                        "Drill": dup_src["Exercise"], "Prescription": dup_src["Sets x Reps"],
                        "Comments": ""})  # fmt: skip
    coach_a_df = pd.DataFrame(
        coach_a, columns=["Athlete", "Date", "Exercise", "Sets x Reps", "Notes"]
    )
    coach_b_df = pd.DataFrame(coach_b, columns=["Name", "Day", "Drill", "Prescription", "Comments"])
    for off, (pos, reason) in enumerate(zip(positions, reasons, strict=True)):
        faults["rejected"].append(
            {"source": "logs/coach_a_2026.csv", "source_row": pos + off + 2, "reason": reason}
        )
    if dup_src is not None:
        faults["duplicate"].append(
            {"source": "logs/coach_b.csv", "source_row": len(coach_b_df) + 1,
             "same_as": "logs/coach_a_2026.csv"}
        )  # fmt: skip
    gym_cols = ["Athlete", "Date", "Exercise", "Sets", "Reps", "Load", "Notes"]
    gym_book = {
        "Jan-Apr": pd.DataFrame(gym1, columns=gym_cols),
        "May-Aug": pd.DataFrame(gym2, columns=gym_cols),
        "Notes": pd.DataFrame(
            {"Week": [1, 5, 9], "Author": ["S&C coach"] * 3,
             "Comment": ["Start of block 1: technique first", "Add load to cable KD",
                         "Deload week <b>no max efforts</b>"]}
        ),
    }  # fmt: skip

    # ---- render results ---------------------------------------------------------------------
    meets, trials = [], []
    meet_names = rng.choice(_MEETS, size=len(races))
    for r, meet in zip(races.itertuples(index=False), meet_names, strict=True):
        who = name_of[r.athlete_id]
        if r.hand:
            off = _HAND_OFFSET_S[int(r.event_m)]

            def hand(t: float, off: float = off) -> str:
                return f"{t - off:.1f}"

            splits = (
                f"{hand(r.s100)}/{hand(r.s200)}/{hand(r.s300)}"
                if r.event_m == 400
                else hand(r.s100)
            )
            marked = rng.random() < 0.5
            trials.append({"Athlete": who, "Date": pd.Timestamp(r.date), "Event": f"{r.event_m}m",
                           "Time": hand(r.final) + ("h" if marked else ""),
                           "Timing": "" if marked else "hand", "Splits": splits})  # fmt: skip
            continue
        wind = ""
        if r.event_m == 200:
            wind = "NWI" if rng.random() < 0.1 else f"{rng.normal(0.5, 1.2):+.1f}"
        meets.append({
            "Athlete": who, "Date": _fmt_date(r.date, "text" if rng.random() < 0.5 else "iso"),
            "Event": str(rng.choice([f"{r.event_m}", f"{r.event_m}m", f"{r.event_m} m"])),
            "Time": _fmt_time(r.final, rng), "Wind": wind, "Meet": str(meet),
            "Round": str(rng.choice(["heat", "final", "A final"])), "Timing": "FAT",
            "split_100": f"{r.s100:.2f}",
            "split_200": f"{r.s200:.2f}" if r.event_m == 400 else "",
            "split_300": f"{r.s300:.2f}" if r.event_m == 400 else "",
            "Notes": "",
        })  # fmt: skip
    last_day = start + _dt.timedelta(days=n_days - 5)
    bad_meets = [
        {"Athlete": name_of[ids[0]], "Date": last_day.isoformat(), "Event": "400m", "Time": "DNF",
         "Wind": "", "Meet": "Summer Series #2", "Round": "final", "Timing": "FAT",
         "split_100": "12.90", "split_200": "", "split_300": "", "Notes": "pulled up <hamstring>"},
        {"Athlete": name_of[ids[1]], "Date": last_day.isoformat(), "Event": "200m", "Time": "DNS",
         "Wind": "", "Meet": "Summer Series #2", "Round": "heat", "Timing": "FAT",
         "split_100": "", "split_200": "", "split_300": "", "Notes": "sick & resting"},
        {"Athlete": name_of[ids[1]], "Date": last_day.isoformat(), "Event": "100m", "Time": "11.42",
         "Wind": "+0.8", "Meet": "Summer Series #2", "Round": "final", "Timing": "FAT",
         "split_100": "", "split_200": "", "split_300": "", "Notes": ""},
        {"Athlete": name_of[ids[0]], "Date": (last_day - _dt.timedelta(days=1)).isoformat(),
         "Event": "400", "Time": "57.80", "Wind": "", "Meet": "Riverside Twilight",
         "Round": "final", "Timing": "FAT", "split_100": "13.20", "split_200": "27.10",
         "split_300": "26.90", "Notes": 'timer said "oops"'},
    ]  # fmt: skip
    meets.extend(bad_meets)
    meets_df = pd.DataFrame(meets)
    n = len(meets_df)
    faults["results"] = [
        {"source": "results/meets_2026.csv", "source_row": n - 2, "status": "DNF"},
        {"source": "results/meets_2026.csv", "source_row": n - 1, "status": "DNS"},
        {"source": "results/meets_2026.csv", "source_row": n, "reason": R.UNSUPPORTED_EVENT},
        {"source": "results/meets_2026.csv", "source_row": n + 1, "reason": R.SPLITS_NOT_INCREASING},
    ]  # fmt: skip
    trials_df = pd.DataFrame(
        trials, columns=["Athlete", "Date", "Event", "Time", "Timing", "Splits"]
    )

    frames: dict[str, pd.DataFrame | dict[str, pd.DataFrame]] = {
        "athletes.csv": roster,
        "logs/coach_a_2026.csv": coach_a_df,
        "logs/coach_b.csv": coach_b_df,
        "logs/gym_sessions.xlsx": gym_book,
        "results/meets_2026.csv": meets_df,
        "results/time_trials.xlsx": {"Trials": trials_df},
    }
    truth = Truth(
        seed=seed,
        athletes=athletes,
        window_days=window_days,
        effect_per_100_reps=effect_per_100_reps,
        effect_200_per_100_reps=round(beta200, 10),
        confounder_per_100_reps=confounder_per_100_reps,
        noise_sd=noise_sd,
        season_start=start.isoformat(),
        weeks=weeks,
        intercepts={a: round(float(v), 4) for a, v in zip(ids, alpha, strict=True)},
        intercepts_200={a: round(float(v), 4) for a, v in zip(ids, alpha200, strict=True)},
        mean_volume={a: round(float(v), 2) for a, v in zip(ids, mean_x, strict=True)},
        volume_ramp=volume_ramp,
        season_trend_per_week=season_trend_per_week,
        slope_sd=slope_sd,
        noise_ar1=noise_ar1,
        slopes={a: round(float(v), 5) for a, v in zip(ids, slope_i, strict=True)},
        slopes_200={a: round(float(v), 5) for a, v in zip(ids, slope200_i, strict=True)},
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
            for r in races.itertuples(index=False)
        ],
        faults=faults,
    )
    truth.faults["log_entries"] = len(entries)
    truth.faults["reps_per_m"] = rpm
    entries_df = pd.DataFrame(
        {
            "athlete_id": [e["athlete_id"] for e in entries],
            "date": [pd.Timestamp(start + _dt.timedelta(days=e["day"])) for e in entries],
            "exercise_raw": [e["spelling"] for e in entries],
            "family": [
                _EXERCISES[e["key"]]["family"] if e["key"] in _EXERCISES
                else ("mobility" if e["key"] in _MOBILITY else "unmapped")
                for e in entries
            ],
            "hf_reps": [e["hf"] for e in entries],
        }
    )  # fmt: skip
    return frames, truth, entries_df


# ------------------------------------------------------------------ writing


def _normalise_xlsx(path: Path) -> None:
    """Rewrite a workbook with fixed zip timestamps and document dates (same seed, same bytes)."""
    buf = _io.BytesIO()
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text
                )
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    path.write_bytes(buf.getvalue())


def _write_cells_book(tmp: Path, book: dict[str, Cells]) -> None:
    import openpyxl  # writing: calamine (the workbook reader) cannot write

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, cells in book.items():
        ws = wb.create_sheet(sheet)
        for row in cells.rows:
            ws.append(list(row))
    wb.properties.creator = "hipflex sample (synthetic)"
    wb.save(tmp)


def _write_cells_csv(tmp: Path, cells: Cells) -> None:
    import csv

    with open(tmp, "w", encoding=cells.encoding, newline="") as f:
        w = csv.writer(f, delimiter=cells.sep, lineterminator=cells.lineterminator)
        for row in cells.rows:
            w.writerow(["" if c is None else c for c in row])


def _write_frame(target: Path, frame: pd.DataFrame | Cells | dict) -> None:
    with atomic_path(target) as tmp:
        if isinstance(frame, Cells):
            _write_cells_csv(tmp, frame)
        elif isinstance(frame, dict) and all(isinstance(v, Cells) for v in frame.values()):
            _write_cells_book(tmp, frame)
            _normalise_xlsx(tmp)
        elif isinstance(frame, dict):
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                for sheet, df in frame.items():
                    df.to_excel(xw, sheet_name=sheet, index=False)
                xw.book.properties.creator = "hipflex sample (synthetic)"
            _normalise_xlsx(tmp)
        else:
            frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")


def _synthetic_md(truth: Truth, files: list[str]) -> str:
    listing = "\n".join(f"- `{f}`" for f in files)
    return f"""# SYNTHETIC DATA — not real athletes

Every file in this folder was generated by `hipflex sample` (`analysis.sample`) with seed
**{truth.seed}** for {truth.athletes} fictional athletes over {truth.weeks} weeks from
{truth.season_start}. Names, results and training logs are invented. Do not read anything
about real athletes into it.

## The model (the truth is in `truth.json`)

Hip-flexor volume varies within each athlete over the season (four-week blocks, weeks off;
`hf_emphasis` athletes do about twice the volume of `standard` ones). For each race,

    400 m differential (2nd half − 1st half, s) = α_i + β_i × (X − X̄_i) / 100 + δ × weeks + ε

where X is the athlete's hip-flexor reps in the {truth.window_days} days before race day
(counted as docs/architecture.md defines `hf_reps`), X̄_i the athlete's own mean, β_i the athlete's
own slope around β = **{truth.effect_per_100_reps} s per 100 reps** (the mean
within-athlete truth; athletes' slopes spread with SD {truth.slope_sd}) and ε noise of SD
{truth.noise_sd} s that carries over from race to race (AR(1), ρ = {truth.noise_ar1}).
The 200 m differential follows β₂₀₀ = {truth.effect_200_per_100_reps} s per 100 reps.

**A season, on purpose.** Volume is built up through the season ({truth.volume_ramp:.0%}
more in the last week than in the first) while the fade improves for other reasons
(δ = {truth.season_trend_per_week} s per week into the racing season): a method that does
not adjust for the season takes the trend for an effect of the hip-flexor work.

**Confounder, on purpose.** The athlete baseline α_i rises by
{truth.confounder_per_100_reps} s per 100 reps of the athlete's *mean* volume (coaches
give more hip-flexor work to athletes who fade). A naive pooled correlation across athletes
therefore differs from — and can have the opposite sign of — the within-athlete effect; a
method that separates within from between athletes (repeated-measures correlation, a mixed
model with person-mean-centred volume) recovers β.

## Deliberate faults

An unknown athlete, an impossible date, a garbage prescription, 500 reps in a set, one entry
typed into two coaches' files, a DNF, a DNS, a 100 m race (unsupported event), a race with
non-increasing splits, two exercises that are not in the catalog, and a workbook sheet
(`Notes`) without log columns. Notes contain `<b>`, `&` and quotes to check HTML escaping.

## Coach layouts

From six athletes on, some rows are written the way coaches' own files look (the same
entries and races, so the truth is unchanged): one athlete's track log as a weekly-grid
workbook (a sheet per week, `Athlete: NAME`, `Week commencing`, Mon..Sun columns), one
athlete's gym sessions as a Google-Sheets export (title, blank row, units row, `Total`
row), another's as a European CSV (`;`, `Datum`, `dd.mm.yyyy`, decimal commas) named only
by its file name, and the races of one meet as a meet-manager export (a heading per day
and event, `100m split` columns, `PB`/`SB` after the times); the races of a second meet
are FinishLynx heat files (`results/<date> <meet>/<event>-1-<heat>.lif`: headerless,
Windows-1252, the meet and day only in the folder's name, two athletes of other clubs in
each heat, who are not in the roster). `truth.json` (`files`) lists,
per file and sheet, the rows the reader must find: data, entries, clean, rejected,
duplicates, and every title, header, units, summary, heading or blank row.

## Files

{listing}
"""


def write_sample(
    directory: str | os.PathLike[str],
    *,
    athletes: int = 12,
    seed: int = 2026,
    effect_per_100_reps: float = -0.08,
    window_days: int = 28,
    season_start: _dt.date | str | None = None,
    weeks: int = 30,
    today: _dt.date | str | None = None,
    **kwargs,
) -> list[Path]:
    """Write a synthetic raw data set into ``directory`` (created if needed).

    Parameters
    ----------
    directory : path
        Target folder. Files this function owns are replaced atomically; nothing
        half-written is ever left behind. Other files in the folder are left alone.
    athletes, seed, effect_per_100_reps, window_days, season_start, weeks, today
        As in :func:`generate`.
    **kwargs
        Further keyword arguments of :func:`generate`.

    Returns
    -------
    list of Path
        The files written: the raw files, then ``SYNTHETIC.md`` and ``truth.json``.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample(tempfile.mkdtemp(), athletes=3, seed=7)
    >>> sorted(p.name for p in paths)[:2]
    ['SYNTHETIC.md', 'athletes.csv']
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    frames, truth = generate(
        athletes=athletes, seed=seed, effect_per_100_reps=effect_per_100_reps,
        window_days=window_days, season_start=season_start, weeks=weeks, today=today,
        **kwargs,
    )  # fmt: skip
    written = []
    for rel, frame in frames.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_frame(target, frame)
        written.append(target)
    written.append(write_text_atomic(root / "SYNTHETIC.md", _synthetic_md(truth, list(frames))))
    written.append(write_text_atomic(root / "truth.json", truth.to_json()))
    return written
