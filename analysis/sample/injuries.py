"""The sample's injury log and strength-and-conditioning log, from a known hazard model.

Added to :func:`analysis.sample.generate` after everything else, from their own random
stream (``numpy.random.default_rng([seed, 22])``), so the rest of the sample is the same
with or without them:

``logs/strength_sc.csv``
    The S&C coach's gym and sprint sheet: posterior-chain work (Nordic curls, RDLs, hip
    thrusts, glute bridges, single-leg deadlifts, back extensions, KB swings), other
    strength (squats, split squats, cleans) and sprint work (flying 30s, block starts,
    accelerations), one gym day a week and a sprint day every other week, spelt as coaches and apps do.
``injuries.csv``
    One row per time-loss injury, drawn day by day from the hazard model below.

The hazard model (in ``truth.json`` under ``injury_model``): on each day an athlete is at
risk (not within the days lost to an earlier injury), the hazard of a **hamstring or
hip/groin** injury is ``h0 × exp(log(hr_per_100) × X / 100)``, where ``X`` is the
athlete's hip-flexion reps over the ``window_days`` days before that day (the log's
``hf_reps``); other locations occur at a constant daily hazard. Days lost are lognormal
per location. ``hr_per_100 = 1`` plants no effect; the default (0.97 per 100 reps) is a
small protective one a squad of 12 cannot detect: the demo's injury section must say so.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from .draws import pick

__all__ = ["INJURY_MODEL", "injury_extras"]

#: Default hazard model of the sample (written to ``truth.json``).
INJURY_MODEL: dict = {
    "outcome_locations": ["hamstring", "hip_groin"],
    "window_days": 28,
    "hr_per_100": 0.97,
    "h0_per_day": 0.004,  # hamstring + hip/groin at no hip-flexor work
    "other_per_day": 0.0025,  # every other location, constant
    "split": {"hamstring": 0.7, "hip_groin": 0.3},
    "other_split": {
        "calf": 0.25,
        "achilles": 0.15,
        "knee": 0.2,
        "foot_ankle": 0.2,
        "lower_back": 0.12,
        "other": 0.08,
    },
    "median_days_lost": {
        "hamstring": 18,
        "hip_groin": 12,
        "calf": 10,
        "achilles": 21,
        "knee": 14,
        "foot_ankle": 9,
        "lower_back": 7,
        "other": 5,
    },
}

_SPELL = {
    "hamstring": ["hamstring strain", "L hamstring", "R hammy", "hamstring (BF)",
                  "back of thigh", "hamstring tear gr1"],
    "hip_groin": ["groin", "adductor strain", "hip flexor", "L hip flexor (psoas)", "groin/adductor"],
    "calf": ["calf", "R calf strain", "calf (gastroc)"],
    "achilles": ["Achilles", "achilles tendinopathy"],
    "knee": ["knee", "patellar tendon", "L knee"],
    "foot_ankle": ["ankle sprain", "foot", "plantar fascia"],
    "lower_back": ["lower back", "low back pain", "lumbar"],
    "other": ["shoulder", "wrist", "neck"],
}  # fmt: skip
# notes as physios write them (HTML-looking text included: every page must escape it)
_INJURY_NOTES = ("felt it at 60 m", "<b>grade 1</b> on scan", "physio: O'Brien & Co",
                 "tight for a week before", "MRI booked", "")  # fmt: skip
_TISSUE = {"hamstring": "muscle strain", "hip_groin": "muscle", "calf": "muscle",
           "achilles": "tendon", "knee": "tendon", "foot_ankle": "ligament sprain",
           "lower_back": "", "other": ""}  # fmt: skip

# (spelling, family, prescription template) of the S&C sheet
_GYM = [
    ("Nordic Hamstring Curls", "3x{r}", (4, 6)), ("nordics", "3x{r}", (4, 6)),
    ("RDL", "3x{r} @ {kg}kg", (6, 8)), ("Romanian Deadlift (Barbell)", "3x{r} @ {kg}kg", (6, 8)),
    ("hip thrusts", "3x{r} @ {kg}kg", (8, 10)), ("Glute Bridge", "3x{r}", (10, 12)),
    ("SL RDL", "3x{r} each leg @ {kg2}kg", (6, 8)), ("back extensions", "3x{r}", (10, 12)),
    ("KB swings", "3x{r} @ 16kg", (12, 20)),
]  # fmt: skip
_OTHER = [
    ("Squat (Barbell)", "4x{r} @ {kg}kg", (4, 6)),
    ("bulgarian split squat", "3x{r} each leg @ {kg2}kg", (6, 8)),
    ("power cleans", "5x{r} @ {kg}kg", (2, 3)),
    ("copenhagens", "2x{r}s each leg", (20, 30)),
]
_SPRINT = [("flying 30s", "{n} x 30 m"), ("block starts", "{n} x 20 m"), ("accels", "{n} x 30m"),
           ("tempo 200s", "{n} x 200 m")]  # fmt: skip


def _strength_log(roster: pd.DataFrame, start: _dt.date, weeks: int,
                  rng: np.random.Generator) -> pd.DataFrame:  # fmt: skip
    rows = []
    for name in roster["name"]:
        ext_level = float(rng.uniform(0.5, 1.5))  # athletes differ in posterior-chain work
        kg = int(rng.integers(40, 90))
        for w in range(weeks):
            if rng.random() < 0.08:
                continue  # a week without the gym
            for wd in (pick(rng, (0, 2, 3)),):  # one gym day
                d = start + _dt.timedelta(days=7 * w + int(wd))
                n_ext = 1 + int(rng.random() < ext_level / 1.5)
                for k in rng.choice(len(_GYM), size=n_ext, replace=False):
                    sp, t, (lo, hi) = _GYM[int(k)]
                    rows.append((d, name, sp, t.format(r=int(rng.integers(lo, hi + 1)), kg=kg,
                                                       kg2=max(kg // 4, 8))))  # fmt: skip
                if rng.random() < 0.5:
                    continue
                sp, t, (lo, hi) = _OTHER[int(rng.integers(len(_OTHER)))]
                rows.append((d, name, sp, t.format(r=int(rng.integers(lo, hi + 1)), kg=kg + 20,
                                                   kg2=max(kg // 4, 8))))  # fmt: skip
            if w % 2:
                continue  # a sprint session every other week on this sheet
            d = start + _dt.timedelta(days=7 * w + 4)
            sp, t = _SPRINT[int(rng.integers(len(_SPRINT)))]
            rows.append((d, name, sp, t.format(n=int(rng.integers(3, 7)))))
    return pd.DataFrame(
        {"Date": [r[0].isoformat() for r in rows], "Athlete": [r[1] for r in rows],
         "Exercise": [r[2] for r in rows], "Sets x Reps": [r[3] for r in rows],
         "Notes": ""}
    ).astype("string")  # fmt: skip


def _injuries(daily_hf: pd.DataFrame, roster: pd.DataFrame, start: _dt.date, n_days: int,
              last_day: _dt.date, model: dict, rng: np.random.Generator) -> tuple[pd.DataFrame,
                                                                                  list]:  # fmt: skip
    """Draw injuries day by day; an injured athlete is not at risk during the days lost."""
    w = int(model["window_days"])
    beta = float(np.log(model["hr_per_100"]))
    locs = list(model["split"])
    other = list(model["other_split"])
    rows, truth = [], []
    names = dict(zip(roster["athlete_id"], roster["name"], strict=True))
    # each athlete's rows, in their order (a mask per athlete is quadratic in the squad)
    rows_of = daily_hf.groupby("athlete_id", sort=False).indices
    all_days, all_hf = daily_hf["day"].to_numpy(int), daily_hf["hf"].to_numpy(float)
    none = np.array([], dtype=int)
    for aid in roster["athlete_id"]:
        x = np.zeros(n_days)
        mine = rows_of.get(aid, none)
        np.add.at(x, all_days[mine], all_hf[mine])
        cum = np.concatenate([[0.0], np.cumsum(x)])
        # the window's volume and the hazard of every day, from the first full window
        vols = cum[w:n_days] - cum[: n_days - w]
        hazard = float(model["h0_per_day"]) * np.exp(beta * vols / 100.0)
        out_until = -1
        for d in range(w, n_days):  # from the first day a full window exists
            if d <= out_until:
                continue
            vol, h = vols[d - w], hazard[d - w]
            u = rng.random()
            if u < h:
                loc = str(rng.choice(locs, p=[model["split"][k] for k in locs]))
            elif u < h + float(model["other_per_day"]):
                loc = str(rng.choice(other, p=[model["other_split"][k] for k in other]))
            else:
                continue
            days = max(1, round(model["median_days_lost"][loc] * rng.lognormal(0, 0.5)))
            onset = start + _dt.timedelta(days=d)
            ret = onset + _dt.timedelta(days=days)
            out_until = d + days
            truth.append({"athlete_id": aid, "onset_date": onset.isoformat(), "location": loc,
                          "days_lost": days, "window_hf_reps": round(float(vol), 1)})  # fmt: skip
            give_return = rng.random() < 0.4 and ret <= last_day
            rows.append({
                "Athlete": names[aid], "Date of injury": onset.strftime("%d/%m/%Y"),
                "Body part": str(rng.choice(_SPELL[loc])),
                "Days lost": "" if give_return else str(days),
                "Return date": ret.strftime("%d/%m/%Y") if give_return else "",
                "Tissue": _TISSUE[loc],
                "Onset": "sudden" if loc in ("hamstring", "hip_groin", "calf", "foot_ankle")
                else "gradual",
                "Context": "competition" if rng.random() < 0.25 else "training",
                # numbered, so that each note is its own text (the privacy test finds it)
                "Notes": (f"{note} (#{len(rows) + 1})" if (note := str(rng.choice(
                    _INJURY_NOTES))) else ""),
            })  # fmt: skip
    cols = ["Athlete", "Date of injury", "Body part", "Days lost", "Return date", "Tissue",
            "Onset", "Context", "Notes"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).astype("string"), truth


def injury_extras(frames: dict, truth, clean: pd.DataFrame, *, seed: int,
                  model: dict | None = None) -> dict:  # fmt: skip
    """Add ``logs/strength_sc.csv`` and ``injuries.csv`` to the sample's frames.

    ``clean`` holds the sample's clean training entries (``athlete_id, date, hf_reps``),
    whose hip-flexion reps drive the hazard. Fills ``truth.injury_model`` and
    ``truth.injuries`` (one record per injury: athlete, onset, location, days lost and
    the window's hip-flexion reps).
    """
    model = dict(INJURY_MODEL if model is None else model)
    rng = np.random.default_rng([int(seed), 22])
    roster = frames["athletes.csv"]
    start = pd.Timestamp(truth.season_start).date()
    n_days = int(truth.weeks) * 7
    last_day = start + _dt.timedelta(days=n_days - 1)
    out = dict(frames)
    out["logs/strength_sc.csv"] = _strength_log(roster, start, int(truth.weeks), rng)
    truth.faults["log_entries"] = truth.faults.get("log_entries", 0) + len(
        out["logs/strength_sc.csv"]
    )
    day = (pd.to_datetime(clean["date"]) - pd.Timestamp(start)).dt.days
    daily = pd.DataFrame({"athlete_id": clean["athlete_id"], "day": day,
                          "hf": clean["hf_reps"].astype(float)})  # fmt: skip
    daily = daily[(daily["day"] >= 0) & (daily["day"] < n_days)]
    inj, records = _injuries(daily, roster, start, n_days, last_day, model, rng)
    out["injuries.csv"] = inj
    truth.injury_model = model
    truth.injuries = records
    return out
