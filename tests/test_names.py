"""Roster validation and athlete name resolution."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import DataError, DataWarning
from analysis.names import load_roster, name_key, resolve_athletes


def roster_frame(rows, columns=("athlete_id", "name", "sex", "birth_date", "squad", "aliases")):
    df = pd.DataFrame(rows, columns=list(columns)).astype("string")
    return df.assign(source="athletes.csv", source_row=range(2, len(df) + 2))


@pytest.fixture
def roster():
    return load_roster(
        roster_frame(
            [
                ("A01", "Deirdre Nuñez", "F", "2004-05-01", "400", "Dee Nunez; DN"),
                ("A02", "Tom O'Brien", "m", "2003-01-09", "200", None),
                ("A03", "Ana María López García", "female", "2005-07-30", "400", None),
                ("A04", "Sam Lee", "M", "2002-02-02", "200", None),
                ("A05", "Sam Lee-Park", "F", "2002-02-02", "200", "Sam Lee"),
            ]
        )
    )


def test_roster_keeps_cohort_columns_and_normalises_sex(roster):
    assert list(roster.columns) == ["athlete_id", "name", "sex", "birth_date", "squad", "aliases"]
    assert list(roster["sex"]) == ["F", "M", "F", "M", "F"]
    assert roster["birth_date"].iloc[0] == pd.Timestamp("2004-05-01")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Nuñez, Deirdre", "deirdre nunez"),
        ("  DEIRDRE   NUNEZ ", "deirdre nunez"),
        ("Tom O'Brien", "tom obrien"),
        ("Jean-Luc Picard", "jean luc picard"),
    ],
)
def test_name_key_ignores_case_accents_spaces_and_order(raw, key):
    assert name_key(raw) == key


def test_resolution_by_id_name_last_first_alias_and_accents(roster):
    raw = pd.Series(
        [
            "A01",
            "a01",
            "Deirdre Nunez",
            "NUÑEZ, DEIRDRE",
            "Dee Nunez",
            "dn",
            "tom obrien",
            "Ana López",
            "López García, Ana María",
            "Nobody",
            None,
            "Sam Lee",
        ],
        dtype="string",
    )
    ids, reasons = resolve_athletes(raw, roster)
    assert list(ids.fillna("-")) == [
        "A01",
        "A01",
        "A01",
        "A01",
        "A01",
        "A01",
        "A02",
        "A03",
        "A03",
        "-",
        "-",
        "-",
    ]
    assert list(reasons.fillna("-")) == ["-"] * 9 + [
        "unknown athlete",
        "missing athlete",
        "ambiguous athlete: A04 (Sam Lee) or A05 (Sam Lee-Park)",
    ]


def _birth_dates(values):
    frame = roster_frame(
        [(f"A{i}", f"Runner {i}", None, v, None, None) for i, v in enumerate(values)]
    )
    return [None if pd.isna(d) else d.date().isoformat() for d in load_roster(frame)["birth_date"]]


def test_birth_dates_all_ambiguous_are_day_first_by_default():
    # 04/03/2004 is 4 March (DAYFIRST_DEFAULT), not 3 April
    assert _birth_dates(["04/03/2004", "2003-01-09"]) == ["2004-03-04", "2003-01-09"]


def test_birth_date_order_is_inferred_from_the_rosters_unambiguous_values():
    # 25/12/2003 can only be day-first, so 04/03/2004 is 4 March
    assert _birth_dates(["04/03/2004", "25/12/2003"]) == ["2004-03-04", "2003-12-25"]
    # 12/25/2003 can only be month-first, so 04/03/2004 is 3 April
    assert _birth_dates(["04/03/2004", "12/25/2003"]) == ["2004-04-03", "2003-12-25"]


def test_birth_dates_of_masters_athletes_and_unreadable_ones():
    with pytest.warns(DataWarning, match=r"athletes.csv.*row 3 \('soon'"):
        got = _birth_dates(["1948-07-01", "soon", None, "4 Mar 1961"])
    assert got == ["1948-07-01", None, None, "1961-03-04"]


def test_birth_dates_contradicting_each_other_are_an_error_naming_the_column():
    with pytest.raises(DataError, match=r"athletes.csv, column 'birth_date'.*row 2.*row 3"):
        _birth_dates(["25/03/2004", "03/25/2004"])


def test_roster_without_required_column_is_a_one_line_error():
    with pytest.raises(DataError, match=r"athletes.csv.*'athlete_id'"):
        load_roster(roster_frame([("Ann",)], columns=("name",)))


def test_roster_with_repeated_id_names_the_row():
    frame = roster_frame(
        [("A1", "Ann", None, None, None, None), ("A1", "Bo", None, None, None, None)]
    )
    with pytest.raises(DataError, match=r"athletes.csv, row 3, column 'athlete_id'"):
        load_roster(frame)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=20))
def test_name_key_of_ascii_text_takes_the_short_path_to_the_same_key(text: str) -> None:
    # ASCII names skip the Unicode normalisation; the key must be the one it would give
    import re
    import unicodedata

    s = unicodedata.normalize("NFKD", text).casefold()
    if "," in s:
        last, _, first = s.partition(",")
        s = f"{first} {last}"
    s = re.sub(r"[^\w]+", " ", re.sub(r"['’`.]", "", s))
    assert name_key(text) == " ".join(s.split())


def test_a_roster_name_without_a_letter_or_digit_is_refused_in_one_line():
    raw = pd.DataFrame(
        {"athlete_id": ["A1", "A2"], "name": ["Ada Okafor", ":"], "sex": ["F", "M"],
         "birth_date": ["2004-01-01", "2003-02-02"]},
        dtype="string",
    )  # fmt: skip
    with pytest.raises(DataError, match="no letter or digit") as err:
        load_roster(raw)
    assert "\n" not in str(err.value) and "name" in str(err.value)


def test_one_roster_index_is_shared_by_content_and_a_changed_roster_gets_its_own() -> None:
    """The index is kept by the roster's content: the layouts and the log's athlete
    column share one per load, and a roster edited in place never meets a stale index."""
    from analysis.names import roster_index

    roster = pd.DataFrame(
        {
            "athlete_id": ["A01", "A02"],
            "name": ["Maya Lindqvist", "Ivo Okafor"],
            "aliases": ["Maya L", pd.NA],
        }
    )
    first = roster_index(roster)
    assert roster_index(roster.copy()) is first  # same cells: the same index
    assert first.athlete("okafor, ivo") == "A02"
    roster.loc[1, "name"] = "Ivo Okafor-Berg"  # edited in place
    changed = roster_index(roster)
    assert changed is not first
    assert changed.athlete("Ivo Okafor-Berg") == "A02"
    assert first.athlete("Ivo Okafor-Berg") is None
    # the same words in other columns are another roster
    swapped = roster.assign(name=roster["aliases"], aliases=roster["name"])
    assert roster_index(swapped) is not changed
