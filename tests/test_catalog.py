"""Exercise catalog: coaches' spellings, tolerant matching, broken catalogs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.catalog import _singular, default_catalog_path, load_catalog, match_exercises
from analysis.errors import DataError

SPELLINGS = {
    "A's": "a_skip",
    "A-skips": "a_skip",
    "slow running A's": "a_skip",
    "high knees": "high_knees",
    "KD": "band_knee_drive",
    "cable KD": "cable_knee_drive",
    "box knee drives": "box_knee_drive",
    "lying cable knee drive": "lying_cable_knee_drive",
    "Spread-eagle sit-ups": "spread_eagle_situp",
    "HLR": "hanging_leg_raise",
    "hanging knee raises": "hanging_knee_raise",
    "incline bench leg raise": "incline_bench_leg_raise",
    "lunge stretch": "lunge_stretch",
    "foam rolling": "foam_rolling",
}


@pytest.fixture(scope="module")
def catalog() -> pd.DataFrame:
    return load_catalog()


@pytest.mark.parametrize(("raw", "expected"), list(SPELLINGS.items()))
def test_issue_exercises_matched_from_coach_spellings(
    catalog: pd.DataFrame, raw: str, expected: str
) -> None:
    m = match_exercises(pd.Series([raw], dtype="string"), catalog)
    assert m["exercise"].iloc[0] == expected


def test_families(catalog: pd.DataFrame) -> None:
    m = match_exercises(
        pd.Series(["A's", "lunge stretch", "zumba", pd.NA], dtype="string"), catalog
    )
    assert m["family"].tolist()[:3] == ["hip_flexor", "mobility", "unmapped"]
    assert pd.isna(m["exercise"].iloc[2])
    assert pd.isna(m["family"].iloc[3])


@pytest.mark.parametrize(
    "raw",
    ["Knee Drives, Cable", "CABLE KNEE DRIVES", "cable knee-drive", "cable  knee drive."],
)
def test_case_punctuation_plural_word_order(catalog: pd.DataFrame, raw: str) -> None:
    m = match_exercises(pd.Series([raw], dtype="string"), catalog)
    assert m["exercise"].iloc[0] == "cable_knee_drive"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hip flexor stretches", "lunge_stretch"),  # -ches: stretches -> stretch
        ("couch stretches", "lunge_stretch"),
        ("kneeling lunge stretches", "lunge_stretch"),
        ("Half-kneeling hip flexor stretches", "lunge_stretch"),
        ("psoas stretch", "lunge_stretch"),
        ("spread eagle crunches", "spread_eagle_situp"),  # -ches: crunches -> crunch
        ("running As", "a_skip"),  # a letter drill's plural: As = A's
        ("Running A's", "a_skip"),
        ("hanging knee raises", "hanging_knee_raise"),  # -ses stays -se: raise
        ("box knee drives", "box_knee_drive"),
    ],
)
def test_plural_spellings_match(catalog: pd.DataFrame, raw: str, expected: str) -> None:
    m = match_exercises(pd.Series([raw], dtype="string"), catalog)
    assert m["exercise"].iloc[0] == expected


@pytest.mark.parametrize(
    ("word", "singular"),
    [
        ("stretches", "stretch"),
        ("crunches", "crunch"),
        ("pushes", "push"),
        ("boxes", "box"),
        ("presses", "press"),
        ("press", "press"),
        ("raises", "raise"),
        ("lunges", "lunge"),
        ("situps", "situp"),
        ("bodies", "body"),
        ("as", "a"),
        ("ss", "ss"),
    ],
)
def test_singular_of_exercise_words(word: str, singular: str) -> None:
    assert _singular(word) == singular


def test_every_catalog_spelling_maps_to_its_own_exercise(catalog: pd.DataFrame) -> None:
    # the catalog is self-consistent: its ids, names and aliases (and their plurals'
    # singular keys) match their own exercise, never another one
    wrong = []
    for row in catalog.itertuples(index=False):
        spellings = [row.exercise, row.exercise.replace("_", " "), row.name]
        spellings += [a.strip() for a in str(row.aliases).split(";") if a.strip()]
        got = match_exercises(pd.Series(spellings, dtype="string"), catalog)["exercise"]
        wrong += [(s, g, row.exercise) for s, g in zip(spellings, got, strict=True)
                  if g != row.exercise]  # fmt: skip
    assert wrong == []


def _write(tmp_path: Path, rows: list[str]) -> Path:
    p = tmp_path / "exercises.csv"
    header = "exercise,name,family,unit,reps_per_m,reps_per_s,laterality,aliases,notes"
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


GOOD = "box_knee_drive,Box KD,hip_flexor,reps,,,unilateral,box kd,"


def test_duplicate_id_is_data_error(tmp_path: Path) -> None:
    p = _write(tmp_path, [GOOD, "box_knee_drive,Other,hip_flexor,reps,,,unilateral,other,"])
    with pytest.raises(DataError) as ei:
        load_catalog(p)
    assert "exercises.csv" in str(ei.value)
    assert ei.value.row == 3


def test_alias_claimed_twice_is_data_error(tmp_path: Path) -> None:
    p = _write(tmp_path, [GOOD, "cable_kd,Cable,hip_flexor,reps,,,unilateral,box kd,"])
    with pytest.raises(DataError) as ei:
        load_catalog(p)
    assert "exercises.csv" in str(ei.value)
    assert "\n" not in str(ei.value)


def test_distance_drill_without_reps_per_m_is_data_error(tmp_path: Path) -> None:
    p = _write(tmp_path, [GOOD, "a_skip,A's,hip_flexor,metres,,,unilateral,as,"])
    with pytest.raises(DataError) as ei:
        load_catalog(p)
    msg = str(ei.value)
    assert "exercises.csv" in msg
    assert "reps_per_m" in msg


def test_env_var_names_the_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = _write(tmp_path, [GOOD])
    monkeypatch.setenv("HIPFLEX_CATALOG", str(p))
    assert default_catalog_path() == p
    cat = load_catalog()
    assert cat["exercise"].tolist() == ["box_knee_drive"]


def test_error_rows_are_the_file_lines_blank_lines_counted(tmp_path: Path) -> None:
    # the row named is the line a coach sees in an editor, blank lines included
    p = _write(tmp_path, [GOOD, "", "a_skip,A's,hip_flexor,metres,,,unilateral,as,"])
    with pytest.raises(DataError) as ei:
        load_catalog(p)
    assert ei.value.row == 4
    assert ei.value.column == "reps_per_m"


def test_a_row_longer_than_the_header_is_refused_with_its_line(tmp_path: Path) -> None:
    p = _write(tmp_path, [GOOD, "x,X,sprint,metres,,,unilateral,x,,surplus"])
    with pytest.raises(DataError) as ei:
        load_catalog(p)
    assert ei.value.row == 3
    assert "10" in str(ei.value) and "\n" not in str(ei.value)


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf", "1_0", '"1,5"', "x"])
def test_a_factor_must_be_a_finite_positive_number(tmp_path: Path, bad: str) -> None:
    p = _write(tmp_path, [f"a_skip,A's,hip_flexor,metres,{bad},,unilateral,as,"])
    with pytest.raises(DataError) as ei:
        load_catalog(p)
    assert "reps_per_m must be a positive number" in str(ei.value)


def test_a_short_row_is_padded_and_a_bom_is_no_part_of_the_header(tmp_path: Path) -> None:
    p = tmp_path / "exercises.csv"
    p.write_bytes("\ufeffexercise,family,unit,aliases\nbox_kd,hip_flexor,reps\n".encode())
    cat = load_catalog(p)
    assert cat["exercise"].tolist() == ["box_kd"]
    assert cat["aliases"].tolist() == [""] and cat["name"].tolist() == ["box_kd"]


def test_each_catalog_matches_by_its_own_aliases(tmp_path: Path) -> None:
    # the alias table is remembered per catalog contents: a second catalog that gives an
    # alias to another exercise is never matched with the first one's table
    row = "box_knee_drive,Box knee drive,hip_flexor,reps,,,unilateral,{},"
    one = load_catalog(_write(tmp_path, [row.format("box kd")]))
    (tmp_path / "two").mkdir()
    two = load_catalog(_write(tmp_path / "two", [row.format("bkd")]))
    spelled = pd.Series(["box kd", "bkd"], dtype="string")
    got_one = match_exercises(spelled, one)["exercise"].fillna("-").tolist()
    got_two = match_exercises(spelled, two)["exercise"].fillna("-").tolist()
    assert got_one == ["box_knee_drive", "-"]
    assert got_two == ["-", "box_knee_drive"]
