"""The cohort comparison (issue 13's defects, each pinned by a test that failed before its fix):
cohorts under two athletes named as left out, ``compare_groups``' pairs, and the weekly
volume each athlete's cohort row is measured by (``hf_reps_per_week``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis as hf
from analysis.reports.pages.cohort import cohort_tests, cohort_words, hf_reps_per_week

# ------------------------------------------------------------------ small cohorts


def _means(sizes: dict[str, int], seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for cohort, n in sizes.items():
        for i in range(n):
            rows.append(
                {
                    "athlete_id": f"{cohort}{i}",
                    "cohort": cohort,
                    "races": 4,
                    "hf_reps_per_week": float(rng.normal(300, 40)),
                    "differential_s": float(rng.normal(1.2, 0.3)),
                    "velocity_loss_pct": float(rng.normal(10, 2)),
                    "hf_reps_window": float(rng.normal(900, 100)),
                }
            )
    return pd.DataFrame(rows).astype({"cohort": "string"})


def test_a_cohort_under_two_athletes_is_named_as_left_out() -> None:
    means = _means({"400 squad": 4, "200 squad": 3, "hurdles": 1})
    tests = cohort_tests(means)
    assert len(tests) == 3  # one comparison per metric between the two real groups
    assert set(tests["group_a"]) | set(tests["group_b"]) == {"400 squad", "200 squad"}
    assert tests["note"].str.contains("hurdles").all(), tests["note"].tolist()
    assert tests["note"].str.contains("1 athlete").all()
    words = cohort_words(tests, "squad")
    assert "hurdles" in words and "left out" in words


def test_too_few_athletes_everywhere_still_names_the_groups_left_out() -> None:
    means = _means({"400 squad": 3, "hurdles": 1})
    tests = cohort_tests(means)
    assert tests.empty
    words = cohort_words(tests, "squad", means=means)
    assert "hurdles" in words and "1 athlete" in words


# ------------------------------------------------------------------ compare_groups pairs


def test_compare_groups_refuses_an_unknown_pairs_with_two_groups() -> None:
    d = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "g": list("aaabbb")})
    with pytest.raises(ValueError, match="pairs"):
        hf.stats.compare_groups(d, "v", "g", pairs="bogus", n_resamples=50)
    assert len(hf.stats.compare_groups(d, "v", "g", pairs="all", n_resamples=50)) == 1


# ------------------------------------------------------------------ weekly volume


def _log(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "athlete_id": [r[0] for r in rows],
            "date": pd.to_datetime([r[1] for r in rows]),
            "hf_reps": pd.array([r[2] for r in rows], dtype="Float64"),
        }
    )


def test_one_logged_day_is_one_week_of_volume_not_seven() -> None:
    weekly = hf_reps_per_week(_log([("A", "2026-03-04", 120.0)]))
    assert weekly["A"] == pytest.approx(120.0)


def test_weekly_volume_counts_calendar_weeks_of_the_athletes_season() -> None:
    log = _log(
        [
            ("mon_sun", "2026-03-02", 100.0),  # Monday ...
            ("mon_sun", "2026-03-08", 100.0),  # ... and Sunday of the same week
            ("sun_mon", "2026-03-08", 100.0),  # a Sunday and the next Monday: two weeks
            ("sun_mon", "2026-03-09", 100.0),
            ("ten", "2026-01-05", 500.0),  # ten calendar weeks, logged on two days
            ("ten", "2026-03-15", 500.0),
        ]
    )
    weekly = hf_reps_per_week(log)
    assert weekly["mon_sun"] == pytest.approx(200.0)
    assert weekly["sun_mon"] == pytest.approx(100.0)
    assert weekly["ten"] == pytest.approx(100.0)


def test_weekly_volume_spans_the_races_of_the_season_too() -> None:
    log = _log([("A", "2026-03-02", 300.0)])
    races = pd.DataFrame(
        {"athlete_id": ["A", "A"], "date": pd.to_datetime(["2026-03-04", "2026-03-20"])}
    )
    # the season runs from the week of 2 March to the week of 20 March: three weeks
    assert hf_reps_per_week(log, races)["A"] == pytest.approx(100.0)
