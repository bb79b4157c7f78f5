"""Exit codes of ``hipflex clean`` for folders from which nothing, or nothing good, is read
(issue 21): files that look like data but are not read give 1 (each named on stderr), a
file whose rows were all rejected counts as not read, and a folder from which no training
entry and no race comes in, and where no such file is, gives 2 naming every file."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main

ROSTER = "athlete_id,name\nA1,Ada Okafor\nA2,Maya Lindqvist\n"


def _folder(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    for name, content in files.items():
        p = data / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return data


def _clean(tmp_path: Path, data: Path, capsys) -> tuple[int, str]:
    code = main(["clean", str(data), "--out", str(tmp_path / "out")])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    return code, cap.err


def test_a_folder_of_files_no_reader_knows_exits_1_naming_each(tmp_path, capsys):
    data = _folder(tmp_path, {
        "notes.txt": "Coach's notes\nGood session on Tuesday\nRain on Thursday\n",
        "export.csv": "foo,bar,baz\n1,2,3\n4,5,6\n",
        "results/heat.lif": "this is not a FinishLynx file\nnor a table\n",
    })  # fmt: skip
    code, err = _clean(tmp_path, data, capsys)
    assert code == 1
    for name in ("notes.txt", "export.csv", "results/heat.lif"):
        assert f"not read: {name}:" in err


def test_a_folder_whose_rows_are_all_rejected_exits_1_naming_each_file(tmp_path, capsys):
    data = _folder(tmp_path, {
        "results.csv": "athlete,date,event,time\nZed Unknown,2026-03-01,400,55.1\n"
                       "Ada Okafor,2026-03-01,400,fast\n",
        # a heat whose folder and name give no day: rejected "missing date"
        "results/lynx/012-1-01.lif": b"12,1,1,Women 400m,,,,,,400\r\n"
                                     b"1,211,4,Okafor,Ada,HC,54.31,,,\r\n",
    })  # fmt: skip
    code, err = _clean(tmp_path, data, capsys)
    assert code == 1
    assert "not read: results.csv: all 2 rows rejected" in err
    assert "not read: results/lynx/012-1-01.lif: all 1 rows rejected: missing date (1)" in err


def test_one_all_rejected_file_beside_good_ones_still_exits_1(tmp_path, capsys):
    data = _folder(tmp_path, {
        "good.csv": "athlete,date,event,time\nAda Okafor,2026-03-01,400,55.1\n",
        "bad.csv": "athlete,date,event,time\nZed Unknown,2026-03-01,400,55.1\n",
    })  # fmt: skip
    code, err = _clean(tmp_path, data, capsys)
    assert code == 1
    assert "not read: bad.csv: all 1 rows rejected: unknown athlete (1)" in err
    assert "good.csv" not in err


def test_a_folder_with_no_usable_rows_exits_2_naming_every_file(tmp_path, capsys):
    data = _folder(tmp_path, {
        # heats in which no roster athlete ran: every line is not data
        "results/2026-06-13 Open/012-1-01.lif": b"12,1,1,Women 400m,,,,,,400\r\n"
                                                b"1,305,5,Jones,Sam,Eastside,55.02,,,\r\n",
        "results/2026-06-13 Open/020-1-01.lif": b"20,1,1,Women 4x400m Relay,,,,,,1600\r\n"
                                                b"1,900,4,Harbour City AC,A,HC,3:48.20,,,\r\n",
    })  # fmt: skip
    code, err = _clean(tmp_path, data, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("hipflex: error: nothing usable in")
    assert "results/2026-06-13 Open/012-1-01.lif: no data rows (2 lines not data)" in err
    assert "results/2026-06-13 Open/020-1-01.lif: no data rows (2 lines not data)" in err


def test_a_good_folder_still_exits_0(tmp_path, capsys):
    data = _folder(tmp_path, {
        "results/2026-06-13 Open/012-1-01.lif": b"12,1,1,Women 400m,,,,,,400\r\n"
                                                b"1,211,4,Okafor,Ada,HC,54.31,,,\r\n"
                                                b"2,305,5,Jones,Sam,Eastside,55.02,,,\r\n",
    })  # fmt: skip
    code, err = _clean(tmp_path, data, capsys)
    assert code == 0, err


@pytest.mark.parametrize("name", ["results.csv", "log.csv"])
def test_a_roster_only_folder_exits_2(tmp_path, capsys, name):
    data = _folder(tmp_path, {})
    code, err = _clean(tmp_path, data, capsys)
    assert code == 2
    assert "no training-log or result file in it" in err
