"""Name resolution: an exact spelling beats a derived form; ambiguity names its candidates."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.logs import clean_training_log
from analysis.names import load_roster, resolve_athletes
from analysis.sprints import clean_sprints


def roster_of(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    return load_roster(
        pd.DataFrame(rows, columns=["athlete_id", "name", "aliases"]).astype("string")
    )


NEAR_DUPLICATES = roster_of([
    ("A012", "Ivo Okafor", None),
    ("A148", "Ivo Okafor 148", None),        # a second Ivo Okafor, told apart by a number
    ("A020", "Ana María López García", None),
    ("A021", "Ana López", None),             # an exact name, also a derived form of A020
    ("A030", "Sam Lee", "Sammy"),
    ("A031", "Sam Lee-Park", "Sammy"),       # the same alias twice: really ambiguous
    ("A040", "Jo Smith", None),
    ("A041", "Jo Smith-Jones", None),
])  # fmt: skip


def test_exact_names_beat_derived_forms() -> None:
    raw = pd.Series(
        ["Ivo Okafor", "ivo okafor 148", "Okafor, Ivo", "Ana López", "Ana García",
         "Ana María López García", "Jo Smith", "Jo Smith-Jones", "jo smith jones"],
        dtype="string",
    )  # fmt: skip
    ids, reasons = resolve_athletes(raw, NEAR_DUPLICATES)
    assert ids.tolist() == ["A012", "A148", "A012", "A021", "A020", "A020", "A040", "A041",
                            "A041"]  # fmt: skip
    assert reasons.isna().all()


def test_an_ambiguous_spelling_names_its_candidates() -> None:
    ids, reasons = resolve_athletes(pd.Series(["Sammy", "Ivo", "Nobody"]), NEAR_DUPLICATES)
    assert ids.isna().all()
    assert reasons.tolist() == [
        "ambiguous athlete: A030 (Sam Lee) or A031 (Sam Lee-Park)",
        "unknown athlete",
        "unknown athlete",
    ]


def test_a_derived_form_shared_by_two_longer_names_is_ambiguous() -> None:
    roster = roster_of([("B1", "Mia Rose Kent", None), ("B2", "Mia Jane Kent", None)])
    ids, reasons = resolve_athletes(pd.Series(["Mia Kent", "Mia Rose Kent"]), roster)
    assert ids.tolist()[1] == "B1"
    assert reasons.tolist()[0] == "ambiguous athlete: B1 (Mia Rose Kent) or B2 (Mia Jane Kent)"


def test_two_hundred_athlete_log_with_numbered_namesakes_loses_no_rows() -> None:
    """The issue's case: 30 % of rows rejected as ambiguous on a 200-athlete roster."""
    rows = []
    for i in range(100):
        rows.append((f"A{i:03d}", f"Runner{i} Okafor", None))
        rows.append((f"B{i:03d}", f"Runner{i} Okafor {i + 100}", None))
    roster = roster_of(rows)
    names = [r[1] for r in rows]
    log = pd.DataFrame({
        "athlete": names * 3, "date": ["2026-03-02"] * 600,
        "exercise": ["cable knee drive"] * 600, "prescription": ["3x10"] * 600,
    }).astype("string").assign(source="log.csv", source_row=range(2, 602))  # fmt: skip
    clean, rejects = clean_training_log(log, roster, today=dt.date(2026, 6, 1))
    assert len(clean) == 600 and rejects.empty
    assert clean.groupby("athlete_id").size().eq(3).all() and clean["athlete_id"].nunique() == 200


def test_ambiguous_athlete_in_results_names_the_candidates() -> None:
    raw = pd.DataFrame({"athlete": ["Sammy", "Ivo Okafor"], "date": ["2026-05-01"] * 2,
                        "event": ["400"] * 2, "final": ["50.1", "49.2 PB"]})  # fmt: skip
    raw = raw.astype("string").assign(source="res.csv", source_row=[2, 3])
    races, _, rejects = clean_sprints(raw, NEAR_DUPLICATES, today=dt.date(2026, 6, 1))
    assert races["athlete_id"].tolist() == ["A012"]
    assert rejects[["source_row", "column", "value", "reason"]].to_numpy().tolist() == [
        [2, "athlete", "Sammy", "ambiguous athlete: A030 (Sam Lee) or A031 (Sam Lee-Park)"]
    ]


def test_meet_result_spellings_surname_first_and_initials() -> None:
    raw = pd.Series(
        ["OKAFOR Ivo", "okafor ivo 148", "LÓPEZ GARCÍA Ana María", "A. López", "SMITH Jo",
         "J. Smith-Jones", "I. Okafor", "Okafor I"],
        dtype="string",
    )  # fmt: skip
    ids, reasons = resolve_athletes(raw, NEAR_DUPLICATES)
    got = list(zip(ids.fillna("-"), reasons.fillna("-"), strict=True))
    two_ivos = "ambiguous athlete: A012 (Ivo Okafor) or A148 (Ivo Okafor 148)"
    two_anas = "ambiguous athlete: A020 (Ana María López García) or A021 (Ana López)"
    assert got == [
        ("A012", "-"), ("A148", "-"), ("A020", "-"), ("-", two_anas), ("A040", "-"),
        ("A041", "-"), ("-", two_ivos), ("-", two_ivos),
    ]  # fmt: skip
