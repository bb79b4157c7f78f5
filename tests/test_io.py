"""Unreadable files give a one-line DataError naming the file; writes are atomic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import DataError
from analysis.io import read_raw, write_text_atomic


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.csv", bytes(range(256)) * 4),
        ("empty.csv", b""),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook"),
    ],
)
def test_unreadable_file_is_one_line_data_error(tmp_path: Path, name: str, content: bytes) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(DataError) as ei:
        read_raw(p, root=tmp_path)
    msg = str(ei.value)
    assert name in msg
    assert "\n" not in msg


def test_latin1_csv_is_read(tmp_path: Path) -> None:
    p = tmp_path / "latin.csv"
    p.write_bytes("athlete,date\nDeirdre Nuñez,2026-03-04\n".encode("latin-1"))
    (table,) = read_raw(p, root=tmp_path)
    assert table.frame["athlete"].tolist() == ["Deirdre Nuñez"]


def test_failed_write_leaves_previous_file(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    write_text_atomic(p, "old")

    with pytest.raises(TypeError):
        write_text_atomic(p, 123)  # type: ignore[arg-type]
    assert p.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["out.txt"]


def test_trailing_comma_on_data_rows_does_not_shift_columns(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text(
        "Athlete,Date,Exercise,Prescription\nA1,2026-03-02,HLR,3x10,\nA2,2026-03-03,KD,3x8\n"
    )
    (table,) = read_raw(p, root=tmp_path)
    f = table.frame
    assert f["Athlete"].tolist() == ["A1", "A2"]
    assert f["Prescription"].tolist() == ["3x10", "3x8"]
    assert f["source_row"].tolist() == [2, 3]


def test_numeric_looking_cells_keep_their_spelling(tmp_path: Path) -> None:
    # pandas would read these columns as numbers or booleans: "007" -> 7, "4.50" -> 4.5
    p = tmp_path / "log.csv"
    p.write_text("id,sets,done,note\n007,4.50,TRUE,x\n,3,False,\n008,1e3,true,y\n")
    f = read_raw(p, root=tmp_path)[0].frame
    assert f["id"].tolist()[::2] == ["007", "008"] and pd.isna(f["id"][1])
    assert f["sets"].tolist() == ["4.50", "3", "1e3"]
    assert f["done"].tolist() == ["TRUE", "False", "true"]
    assert all(str(f[c].dtype) == "string" for c in ("id", "sets", "done", "note"))


def test_cells_are_stripped_blank_cells_na_blank_rows_dropped_row_numbers_kept(
    tmp_path: Path,
) -> None:
    p = tmp_path / "log.csv"
    p.write_text("Athlete,Exercise\n  A1  , HLR \t\n\n,\nA2,   \n")
    f = read_raw(p, root=tmp_path)[0].frame
    assert f["Athlete"].tolist() == ["A1", "A2"]
    assert f["Exercise"].tolist()[0] == "HLR" and pd.isna(f["Exercise"][1])
    assert f["source_row"].tolist() == [2, 5]


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    p = tmp_path / "u16.csv"
    p.write_text("athlete,date\nDeirdre Nuñez,2026-03-04\n", encoding="utf-16")
    assert read_raw(p, root=tmp_path)[0].frame["athlete"].tolist() == ["Deirdre Nuñez"]


def test_utf8_character_cut_by_the_encoding_sample_is_still_utf8(tmp_path: Path) -> None:
    # the encoding is sniffed on the first 64 KiB; "ñ" (2 bytes) straddles that boundary
    header = "athlete,note\n"
    filler = "x" * (65536 - len(header) - 1)
    p = tmp_path / "big.csv"
    p.write_text(f"{header}{filler}ñ,1\nDeirdre Nuñez,2\n", encoding="utf-8")
    f = read_raw(p, root=tmp_path)[0].frame
    assert f["athlete"].tolist()[-1] == "Deirdre Nuñez"


def test_excel_duration_and_time_cells_become_minutes_seconds(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["athlete", "event", "final"])
    ws.append(["A1", 400, dt.timedelta(seconds=52.34)])
    ws.append(["A1", 400, dt.timedelta(minutes=1, seconds=2.5)])
    ws["C2"].number_format = ws["C3"].number_format = "[mm]:ss.00"
    p = tmp_path / "results.xlsx"
    wb.save(p)
    f = read_raw(p, root=tmp_path)[0].frame
    assert f["final"].tolist() == ["0:52.34", "1:02.50"]


def test_atomic_write_gives_the_usual_permissions(tmp_path: Path) -> None:
    import os

    mask = os.umask(0o022)
    try:
        p = write_text_atomic(tmp_path / "index.html", "<p>hi</p>")
    finally:
        os.umask(mask)
    # a report must be readable by a web server or a colleague, not private like mkstemp's
    assert p.stat().st_mode & 0o777 == 0o666 & ~io_umask()


def io_umask() -> int:
    from analysis import io

    return io.current_umask()


# ------------------------------------------------------------------ dictionary-encoded reading

_CSV_FILES = {
    "stripped.csv": ("Athlete,Exercise\n  A1  , HLR \t\n\n,\nA2,   \nA1,HLR\n", "utf-8"),
    "numbers.csv": ("id,sets,done,note\n007,4.50,TRUE,x\n,3,False,\n008,1e3,true,y\n", "utf-8"),
    "trailing.csv": ("Athlete,Date,Exercise\nA1,2026-03-02,HLR,\nA2,2026-03-03,KD\n", "utf-8"),
    "semicolons.csv": ('Name;Day;Drill\n"Nuñez, Deirdre";03/02/2026;A\'s\nx;;y\n', "utf-8"),
    "latin1.csv": ("athlete,note\nDeirdre Nuñez,café\n", "latin-1"),
    "utf16.csv": ("athlete,date\nDeirdre Nuñez,2026-03-04\n", "utf-16"),
}


@pytest.mark.parametrize("name", sorted(_CSV_FILES))
def test_categorical_read_has_the_same_text_as_the_string_read(tmp_path: Path, name: str) -> None:
    from analysis.io import as_text

    text, encoding = _CSV_FILES[name]
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    (plain,) = read_raw(p, root=tmp_path)
    (coded,) = read_raw(p, root=tmp_path, categorical=True)
    assert all(isinstance(t, pd.CategoricalDtype) for t in coded.frame.dtypes.iloc[:-1])
    pd.testing.assert_frame_equal(as_text(coded.frame), plain.frame)


def test_categories_are_stripped_and_merged_and_blank_is_na(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text("Athlete,Exercise\nA1 ,HLR\n A1,  \nA1,HLR\n", encoding="utf-8")
    f = read_raw(p, root=tmp_path, categorical=True)[0].frame
    assert f["Athlete"].cat.categories.tolist() == ["A1"]  # "A1 " and " A1" are one value
    assert f["Exercise"].cat.codes.tolist() == [0, -1, 0]


@given(
    st.lists(
        st.lists(st.sampled_from(["", " ", "a", " a ", "007", "4.50", "TRUE", "x,y", 'q"q', "ñ"]),
                 min_size=3, max_size=3),
        min_size=1, max_size=12,
    )
)  # fmt: skip
@settings(max_examples=examples(60), deadline=None)
def test_any_small_csv_reads_the_same_text_encoded_or_not(rows: list[list[str]]) -> None:
    import csv
    import tempfile

    from analysis.io import as_text

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "t.csv"
        with open(p, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([["a", "b", "c"], *rows])
        try:
            plain = read_raw(p)
        except DataError as exc:
            with pytest.raises(DataError) as again:
                read_raw(p, categorical=True)
            assert str(again.value) == str(exc)
            return
        coded = read_raw(p, categorical=True)
        assert len(plain) == len(coded)
        for a, b in zip(plain, coded, strict=True):
            pd.testing.assert_frame_equal(as_text(b.frame), a.frame)


def test_concat_raw_unions_categories_and_fills_a_missing_column(tmp_path: Path) -> None:
    from analysis.io import as_text, concat_raw

    (tmp_path / "a.csv").write_text("Athlete,Exercise,Notes\nA1,HLR,ok\nA2,KD,\n")
    (tmp_path / "b.csv").write_text("Athlete,Exercise\nA3,HLR\n")
    frames = [read_raw(tmp_path / n, root=tmp_path, categorical=True)[0].frame
              for n in ("a.csv", "b.csv")]  # fmt: skip
    both = concat_raw(frames)
    assert all(isinstance(both[c].dtype, pd.CategoricalDtype)
               for c in ("Athlete", "Exercise", "Notes", "source"))  # fmt: skip
    expected = pd.concat([as_text(f) for f in frames], ignore_index=True)
    pd.testing.assert_frame_equal(as_text(both), expected)
    assert both["source"].tolist() == ["a.csv", "a.csv", "b.csv"]


def test_concat_raw_of_text_columns_equals_pandas_concat() -> None:
    # a workbook of grids: text columns (Arrow), one sheet without a notes column
    from analysis.io import concat_raw

    a = pd.DataFrame({"athlete": pd.Series(["Ann", None], dtype="string"),
                      "notes": pd.Series(["easy", ""], dtype="string"),
                      "source_row": pd.array([3, 4], dtype="Int64")})  # fmt: skip
    b = pd.DataFrame({"athlete": pd.Series(["Bo"], dtype="string"),
                      "source_row": pd.array([3], dtype="Int64")})  # fmt: skip
    both = concat_raw([a, b, a.iloc[:0]])
    expected = pd.concat([a, b, a.iloc[:0]], ignore_index=True)
    pd.testing.assert_frame_equal(both, expected)
    assert both["athlete"].array._pa_array.num_chunks == 3


def test_concat_raw_of_categories_of_different_types_falls_back_to_text() -> None:
    from analysis.io import concat_raw

    a = pd.DataFrame({"x": pd.Categorical(["a", "b"])})
    b = pd.DataFrame({"x": pd.Categorical([1, 2]), "y": pd.Series(["q", None], dtype="string")})
    both = concat_raw([a, b])
    assert both["x"].tolist() == ["a", "b", "1", "2"]
    assert both["y"].isna().tolist() == [True, True, False, True]
