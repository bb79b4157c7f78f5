"""Unreadable files give a one-line DataError naming the file; writes are atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import DataError
from analysis.io import read_raw, write_text_atomic


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.csv", bytes(range(256)) * 4),
        ("empty.csv", b""),
        ("utf16.csv", "athlete,date\nAnn,2026-03-04\n".encode("utf-16-le")),
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
