"""The words and fixed values of the synthetic sample: exercises, names, meets, notes.

Everything here is invented (docs/architecture.md, the sample's ``SYNTHETIC.md``). The
tables are read by :mod:`analysis.sample.simulate` and :mod:`analysis.sample.render`;
changing one changes the sample a seed gives.
"""

from __future__ import annotations

import datetime as _dt

__all__ = [
    "DEFAULT_REPS_PER_M",
    "DEFAULT_SEASON_START",
    "EXERCISES",
    "FIRST_NAMES_F",
    "FIRST_NAMES_M",
    "FIXED_TIME",
    "HAND_OFFSET_S",
    "LAST_NAMES",
    "MEETS",
    "MOBILITY",
    "NOTES",
    "UNMAPPED",
]

#: Fixed timestamp written into workbooks so a seed gives identical bytes.
FIXED_TIME = _dt.datetime(2026, 1, 1, 0, 0, 0)
DEFAULT_SEASON_START = _dt.date(2026, 1, 5)
#: Hand timing reads this much faster than FAT (the corrections analysis.sprints adds back).
HAND_OFFSET_S = {200: 0.24, 400: 0.14}

# ---------------------------------------------------------------- exercises
# key: (family, kind, per_leg, spellings, where, load forms)
#   kind: "reps" | "distance" | "timed"; where: "track" (coach CSVs) or "gym" (workbook)
EXERCISES: dict[str, dict] = {
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
DEFAULT_REPS_PER_M = {"a_skip": 1.0, "high_knees": 1.5}

MOBILITY = {"lunge stretch": "2 x 30s", "foam rolling": "1x60s"}
# spellings the catalog does not know (squats and Nordics are catalogued now, in their
# families): the quality report shows them with what they might be
UNMAPPED = {"stir the pot": "3x30s", "hurdle walkovers": "3x8"}

FIRST_NAMES_F = (
    "Deirdre", "Zoë", "Marisol", "Inès", "Saoirse", "Annika", "Léa", "Ingrid", "Nadia",
    "Yuki", "Priya", "Freya", "Solène",
)  # fmt: skip
FIRST_NAMES_M = (
    "Björn", "Tobias", "Kwame", "Mateo", "Oluwaseun", "Rafferty", "Tomás", "Caspian",
    "Émile", "Odhran", "Jarrah", "Anselm",
)  # fmt: skip
LAST_NAMES = (
    "Nuñez", "Fairweather", "Halloway", "Quintero", "Wrenfield", "Moreau", "Asante",
    "Ní Bhriain", "Larkspur", "Østergaard", "Adeyemi", "Brightwater", "Pemberton-Vale",
    "Sandoval", "Ashgrove", "Kowalczyk", "Thistlewood", "Okonkwo", "Vantongeren", "Hadley",
    "Marchetti", "Quillfeather", "Bramblecote", "Delacroix-Finch",
)  # fmt: skip
MEETS = (
    "Harbour Open", "Valley Indoor Classic", "County Championships", "Riverside Twilight",
    "Northern Relays Meet", "Summer Series #2", "Regional Championships",
)  # fmt: skip
NOTES = (
    "<b>felt strong</b>", "tight hip & hamstring", 'coach said "easy" today',
    "sore R hip flexor <-- watch", "done in the rain", "great session!", "O'Brien cover",
)  # fmt: skip
