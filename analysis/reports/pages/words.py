"""Numbers in words a coach reads: column labels, counts, race phrases, exercise names and the
sentence of a within-athlete estimate.
"""

from __future__ import annotations

import math

import pandas as pd

from ...stats import Estimate, estimate_caveat

#: Readable names of the columns and metrics the reports show.
LABELS = {
    "hf_reps_per_week": "hip-flexor reps per week",
    "differential_s": "second-half fade (s)",
    "velocity_loss_pct": "velocity loss (%)",
    "hf_reps_window": "hip-flexor reps before races",
}


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten")  # fmt: skip


def column_label(column: object) -> str:
    """A roster or table column as a coach reads it: ``age_category`` -> ``Age category``."""
    text = " ".join(str(column).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def exercise_names() -> dict[str, str]:
    """Exercise id -> display name, from the catalog in use (``$HIPFLEX_CATALOG`` or
    ``data/reference/exercises.csv``)."""
    from ...catalog import default_catalog_path, load_catalog

    cat = load_catalog(default_catalog_path())
    return {
        str(k): str(v)
        for k, v in zip(cat["exercise"], cat["name"], strict=True)
        if pd.notna(v) and str(v).strip()
    }


def count_of(n: int, word: str, plural: str | None = None) -> str:
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
