"""The layout probe's head of a CSV: the same rows whether the short head suffices or not."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.ingest.csvrows import head_csv_rows


def _all_rows(path: Path, n: int) -> list[tuple[int, list]]:
    out, start = [], 1
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, skipinitialspace=True)
        for fields in reader:
            if any(f.strip() for f in fields):
                out.append((start, [f.strip() or None for f in fields]))
            start = reader.line_num + 1
    return out[:n]


@pytest.mark.parametrize("width", [10, 1500, 3000, 70_000])
@pytest.mark.parametrize("n", [1, 40])
def test_head_rows_are_the_first_rows_of_the_file(tmp_path: Path, width: int, n: int) -> None:
    # rows of every width around the 64 KiB first try; a quoted field over several lines
    # and a blank line among them
    lines = ["athlete,date,exercise,notes"]
    for i in range(60):
        note = (
            '"' + ("x" * (width // 2)) + "\n" + ("y" * (width // 2)) + '"'
            if i % 7 == 3
            else "z" * width
        )
        lines.append(f"A{i:03d}, 2026-03-{i % 28 + 1:02d},KD,{note}")
        if i % 11 == 5:
            lines.append("")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert head_csv_rows(path, "log.csv", "utf-8", ",", n) == _all_rows(path, n)
