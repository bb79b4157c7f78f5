"""The catalog maps the coaching article's spellings, finds aliases inside longer text,
and suggests what an unmapped spelling probably means (rapidfuzz)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalog import load_catalog, match_exercises, suggest, unmapped_spellings

ARTICLE = {
    "slow running A's": "a_skip",
    "Slow Running A's": "a_skip",
    "running As": "a_skip",
    "A-skips": "a_skip",
    "high knees": "high_knees",
    "High-knees": "high_knees",
    "cable knee drives": "cable_knee_drive",
    "band knee drives": "band_knee_drive",
    "Knee Drives (no weight)": "box_knee_drive",
    "knee drives without weight": "box_knee_drive",
    "knee drives onto a box": "box_knee_drive",
    "Knee drive onto box": "box_knee_drive",
    "lying cable knee drives": "lying_cable_knee_drive",
    "spread eagle sit-ups": "spread_eagle_situp",
    "Spread-Eagle Situps": "spread_eagle_situp",
    "hanging knee raises": "hanging_knee_raise",
    "hanging leg raises": "hanging_leg_raise",
    "incline bench leg raises": "incline_bench_leg_raise",
    "lunge stretch": "lunge_stretch",
    "lunge stretches": "lunge_stretch",
    "foam roller": "foam_rolling",
    "foam rolling": "foam_rolling",
    "Foam-rolling": "foam_rolling",
}

CONTAINS = {
    "foam roller hip flexors": "foam_rolling",
    "foam rolling - quads and hip flexors": "foam_rolling",
    "lying cable knee drives on the floor": "lying_cable_knee_drive",  # not the standing one
    "hanging leg raises (slow, controlled)": "hanging_leg_raise",
    "high knees 20m build-ups": "high_knees",
    "warm-up: slow running A's": "a_skip",
}


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return load_catalog()


def match(raw: list[str], catalog: pd.DataFrame) -> pd.DataFrame:
    return match_exercises(pd.Series(raw, dtype="string"), catalog)


@pytest.mark.parametrize(("raw", "expected"), [*ARTICLE.items(), *CONTAINS.items()])
def test_article_spellings_and_text_containing_them_are_mapped(catalog, raw, expected) -> None:
    m = match([raw], catalog)
    assert m["exercise"].iloc[0] == expected
    assert pd.isna(m["candidates"].iloc[0])


@pytest.mark.parametrize(
    ("raw", "candidates"),
    [
        ("band knee drive + lunge stretch", "band_knee_drive; lunge_stretch"),
        ("hanging knee raises / hanging leg raises", "hanging_knee_raise; hanging_leg_raise"),
        ("foam rolling then lunge stretch", "foam_rolling; lunge_stretch"),
    ],
)
def test_two_exercises_inside_one_spelling_stay_unmapped_with_both(catalog, raw, candidates):
    m = match([raw], catalog)
    assert pd.isna(m["exercise"].iloc[0])
    assert (m["family"].iloc[0], m["candidates"].iloc[0]) == ("unmapped", candidates)


def test_short_abbreviations_are_not_found_inside_other_words(catalog) -> None:
    # "KD" and "FR" are aliases, but only as the whole spelling
    m = match(["KD", "FR", "KD circuit", "FR drills", "stir the pot"], catalog)
    assert m["exercise"].tolist()[:2] == ["band_knee_drive", "foam_rolling"]
    assert m["exercise"].iloc[2:].isna().all()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cable knee drvies", "cable_knee_drive"),
        ("hangin leg raise", "hanging_leg_raise"),
        ("lunge strech", "lunge_stretch"),
        ("spreadeagle sit upps", "spread_eagle_situp"),
        ("incline leg rasie", "incline_bench_leg_raise"),
        ("high knes", "high_knees"),
        ("nordic hamstring curl", "nordic_curl"),  # catalogued (hip_extensor)
        ("hip thrust", "hip_thrust"),
        ("box jumps", "box_jump"),
        ("zumba", None),
        ("", None),
    ],
)
def test_suggest_offers_the_nearest_exercise_or_nothing(catalog, raw, expected) -> None:
    assert suggest(raw, catalog) == expected


def test_unmapped_spellings_table(catalog) -> None:
    log = pd.DataFrame(
        {
            "athlete_id": ["A1", "A2", "A1", "A1", "A2"],
            "family": ["unmapped", "unmapped", "unmapped", "hip_flexor", "unmapped"],
            "exercise_raw": [
                "cable knee drvies",
                "cable knee drvies",
                "band KD + lunge stretch",
                "cable knee drives",
                "stir the pot",
            ],
        }
    ).astype("string")
    t = unmapped_spellings(log, catalog)
    assert t.astype(object).where(t.notna(), None).to_numpy().tolist() == [
        ["cable knee drvies", 2, 2, None, "cable_knee_drive", "Cable knee drive (standing)"],
        ["band KD + lunge stretch", 1, 1, "band_knee_drive; lunge_stretch", "lunge_stretch",
         "Lunge (hip-flexor) stretch"],
        ["stir the pot", 1, 1, None, None, None],
    ]  # fmt: skip
    empty = unmapped_spellings(log.iloc[3:4], catalog)
    assert list(empty.columns) == ["exercise_raw", "entries", "athletes", "candidates",
                                   "suggestion", "suggestion_name"]  # fmt: skip
    assert empty.empty
