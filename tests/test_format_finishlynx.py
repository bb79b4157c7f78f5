"""FinishLynx ``.lif`` heats and ``lynx.evt`` event files (analysis.ingest.formats.finishlynx).

The fixture ``tests/data/formats/finishlynx`` is built by hand from the FinishLynx online
manual's description of the database files ("Database Files":
help.finishlynx.com/Content/OnlineManual/DatabaseFiles.htm: the event line ``Event number,
round number, heat number, event name, <wind>, <wind unit>, template, capture time, capture
duration, distance, <start time>`` and the competitor fields ``ID, lane, last name, first
name, affiliation, <time>, license, <delta time>, <ReacTime>, <splits>, ...``), the .LIF
description of github.com/basrijn/regatta_data (README: the result line starts with the
place) and a published heat and its lynx.evt in the SELTEC wiki
(wiki.seltec-sports.net "taf_zeimessung_lifrename": ``1000007,1000007,1,60m Hürden
Zeitläufe MJB,,,,,,,`` / ``1,449,4,Hommer,Nico,TuS Montabaur,8.92,,8.92,,,,,,``). Files are
Windows-1252 with CRLF line ends, as FinishLynx writes them; one meet's heats sit in a folder
named for its date and name; a second meet's lynx.evt has the times written back; a club
trial's meet and day come from ``hipflex.toml``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import TODAY, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis as hf
from analysis.cli import main
from analysis.ingest import read_file
from analysis.ingest.formats import Head, formats

DATA = Path(__file__).parent / "data" / "formats" / "finishlynx"
HCO = "results/2026-06-13 Harbour City Open/"


@pytest.fixture(scope="module")
def ds() -> hf.Dataset:
    return hf.load_dataset(DATA, today=TODAY)


def _rows(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in r)
            for r in df[cols].astype(object).itertuples(index=False)]  # fmt: skip


def test_each_heat_file_is_read_whole_with_status_wind_reaction_meet_and_round(ds):
    cols = ["race_id", "event_m", "final_s", "status", "wind_ms", "meet", "round", "reaction_s",
            "notes", "timing"]  # fmt: skip
    assert _rows(ds.races, cols) == [
        ("A1-20260502-400-1", 400, 55.2, "ok", None, "Club Trials", "round 1, heat 1", None, None, "FAT"),
        ("A1-20260613-200-1", 200, None, "DQ", -0.4, "Harbour City Open", "Final", None, "false start (FS)", "FAT"),
        ("A1-20260613-400-1", 400, 54.311, "ok", None, "Harbour City Open", "Prelims, heat 1", 0.162, None, "FAT"),
        ("A1-20260704-400-1", 400, 53.88, "ok", None, "Midsummer Games", "Final", 0.158, None, "FAT"),
        ("A2-20260613-200-1", 200, None, "DNS", -0.4, "Harbour City Open", "Final", None, "scratched (SCR)", "FAT"),
        ("A2-20260613-400-1", 400, 56.874, "ok", None, "Harbour City Open", "Prelims, heat 1", 0.188, None, "FAT"),
        ("A2-20260704-400-1", 400, 56.02, "ok", None, "Midsummer Games", "Final", 0.17, None, "FAT"),
        ("A3-20260613-200-1", 200, 21.874, "ok", 1.2, "Harbour City Open", "Final", 0.141, None, "FAT"),
        ("A4-20260502-400-1", 400, 60.25, "ok", None, "Club Trials", "round 1, heat 1", None, None, "FAT"),
        ("A4-20260613-200-1", 200, 24.93, "ok", -0.4, "Harbour City Open", "Final", 0.16, None, "FAT"),
        ("A4-20260613-400-1", 400, 55.48, "ok", None, "Harbour City Open", "Prelims, heat 2", 0.15, None, "FAT"),
    ]  # fmt: skip
    # the day from the folder name (2026-06-13 ...), the evt's folder, and hipflex.toml
    assert sorted(set(ds.races["date"].dt.date.astype(str))) == [
        "2026-05-02", "2026-06-13", "2026-07-04"]  # fmt: skip
    assert ds.log.empty  # a results format gives no training entries


def test_the_splits_field_is_kept_as_a_200_m_mark(ds):
    inner = ds.splits[ds.splits["at_m"] < 400]
    inner = inner[inner["race_id"].str.contains("-400-")]
    assert _rows(inner, ["race_id", "at_m", "cum_s"]) == [
        ("A1-20260613-400-1", 200, 25.9),
        ("A2-20260613-400-1", 200, 26.81),
    ]


def test_a_100_m_heat_is_set_aside_as_another_event_not_rejected(ds):
    assert ds.rejects.empty
    other = ds.not_data[ds.not_data["source"] == HCO + "005-1-01.lif"]
    assert other["reason"].tolist() == [
        "event line: Women 100m Heats",
        "other event (hipflex reads flat 200 m and 400 m races): Women 100m Heats",
        "other event (hipflex reads flat 200 m and 400 m races): Women 100m Heats",
    ]


def test_reconciliation_rows_in_equal_clean_rejected_duplicates_and_not_data(ds):
    rec = ds.reconciliation.set_index("source")
    got = {s: tuple(int(v) for v in r) for s, r in
           rec[["rows_read", "clean", "rejected", "duplicates", "raw_rows", "not_data"]].iterrows()}  # fmt: skip
    assert got == {
        HCO + "005-1-01.lif": (0, 0, 0, 0, 3, 3),  # another event: set aside, still read
        HCO + "012-1-01.lif": (2, 2, 0, 0, 6, 4),
        HCO + "012-1-02.lif": (1, 1, 0, 0, 5, 4),
        HCO + "014-1-01.lif": (1, 1, 0, 0, 4, 3),
        HCO + "016-1-01.lif": (3, 3, 0, 0, 5, 2),
        HCO + "020-1-01.lif": (0, 0, 0, 0, 3, 3),  # the relay: set aside, still read
        "results/2026-07-04_Midsummer Games/lynx.evt": (2, 2, 0, 0, 8, 6),
        "results/club-trials/heat1.lif": (2, 2, 0, 0, 3, 1),
    }
    assert (rec["raw_rows"] == rec["data_rows"] + rec["not_data"]).all()
    assert rec["balanced"].all()
    assert set(rec["format"]) == {"FinishLynx results (.lif)", "FinishLynx event file (.evt)"}
    assert ds.skipped.empty


def test_other_clubs_athletes_are_counted_and_listed_never_invented(ds):
    kind = ds.not_data["reason"].str.split(":").str[0]
    assert kind.value_counts().to_dict() == {
        "not in the roster": 10,
        "event line": 9,
        "other event (hipflex reads flat 200 m and 400 m races)": 2,
        "relay (a team's time, not one athlete's)": 2,
        "blank row": 1,
        "comment line": 1,
        "start-list entry (no time or status)": 1,
    }
    listed = set(ds.not_data["reason"])
    assert "not in the roster: Élise Moreau (Lycée Sportif)" in listed  # Windows-1252
    assert set(ds.races["athlete_id"]) == {"A1", "A2", "A3", "A4"}
    from analysis.reports import not_in_roster

    table = not_in_roster(ds)
    assert int(table["lines"].sum()) == 10
    assert table.head(4)["lines"].tolist() == [2, 2, 2, 1]
    assert table.iloc[0].tolist()[:2] == ["Luis Ortega (Eastside Harriers)", 2]


def test_inspect_names_the_format_and_what_was_set_aside(capsys):
    assert main(["inspect", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert "format: FinishLynx results (.lif)" in out
    assert "format: FinishLynx event file (.evt)" in out
    assert "set aside (not data): 3 not in the roster, 1 event line" in out
    assert "date 2026-05-02 from the hipflex.toml" in out
    assert "date 2026-06-13 from the folder name" in out


def test_signature_claims_heats_and_event_files_only():
    heat = Head(
        Path("h.lif"), "h.lif", b"12,1,1,Women 400m,,,,,,400\r\n1,211,4,Okafor,Ada,HC,54.31\r\n"
    )
    evt = Head(Path("lynx.evt"), "lynx.evt", b"3,1,1,Women 400m Final\r\n,211,4,Okafor,Ada,HC\r\n")
    csv = Head(Path("r.lif"), "r.lif", b"athlete,date,event,time\r\nAda,2026-06-13,400,54.3\r\n")
    lif_fmt = formats.all()
    by_name = {f.name: f for f in lif_fmt}
    assert by_name["FinishLynx results (.lif)"].sniff(heat)
    assert not by_name["FinishLynx results (.lif)"].sniff(csv)
    assert by_name["FinishLynx event file (.evt)"].sniff(evt)
    assert not by_name["FinishLynx event file (.evt)"].sniff(csv)


def test_a_meet_without_a_date_anywhere_is_rejected_missing_date_with_a_note(tmp_path):
    (tmp_path / "athletes.csv").write_text("athlete_id,name\nA1,Ada Okafor\n")
    (tmp_path / "lynx").mkdir()
    (tmp_path / "lynx" / "001-1-01.lif").write_bytes(
        b"1,1,1,Women 400m,,,,,,400\r\n1,211,4,Okafor,Ada,HC,54.31,,,\r\n")  # fmt: skip
    ds = hf.load_dataset(tmp_path, today=TODAY)
    assert ds.races.empty
    assert ds.rejects["reason"].tolist() == ["missing date"]
    (sheet,) = read_file(tmp_path / "lynx" / "001-1-01.lif", tmp_path)
    assert "no meet date" in sheet.layout.reason


_cell = st.text(alphabet=st.sampled_from(list('0123456789.,:;-+ "aZéDNFQSC\t')), max_size=12)


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    event=st.lists(_cell, min_size=0, max_size=12),
    rows=st.lists(st.lists(_cell, max_size=16), max_size=8),
    crlf=st.booleans(),
)
def test_no_generated_lif_gives_a_traceback_and_rows_are_conserved(tmp_path, event, rows, crlf):
    head = ["7", "1", "2", "Women 400m", *event]
    lines = [",".join(head)] + [",".join(r) for r in rows]
    path = tmp_path / "results" / "2026-06-13 Meet" / "007-1-02.lif"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n" if crlf else "\n").join(lines).encode("cp1252", errors="replace"))
    try:
        sheets = read_file(path, tmp_path, is_athlete=lambda n: "a" in n)
    except hf.DataError:
        return
    for sheet in sheets:
        p = sheet.parse()
        if p.frame is None:  # not claimed: read (and listed) as any other file
            assert sheet.layout.format is None
            continue
        data_rows = len(p.frame)
        assert data_rows + sum(n for _, n, _ in p.not_data) == p.rows_total
        assert p.frame["source_row"].is_unique


@pytest.mark.slow  # writes and cleans a sample
def test_the_sample_writes_a_finishlynx_meet_folder_that_reads_whole(tmp_path, capsys):
    from analysis.sample import write_sample

    write_sample(tmp_path, athletes=6, seed=5, today=TODAY)
    heats = sorted(tmp_path.glob("results/*/*.lif"))
    assert len(heats) >= 3 and heats[0].read_bytes().count(b"\r\n") == 4
    ds = hf.load_dataset(tmp_path, today=TODAY)
    rec = ds.reconciliation[ds.reconciliation["format"] == "FinishLynx results (.lif)"]
    assert len(rec) == len(heats)
    assert (rec["clean"] == 1).all() and (rec["not_data"] == 3).all()
    lynx = ds.races[ds.races["source"].str.endswith(".lif")]
    assert len(lynx) == len(heats) and set(lynx["meet"]) == {heats[0].parent.name[11:]}
    assert int((ds.not_data["reason"].str.startswith("not in the roster")).sum()) == 2 * len(heats)
    assert main(["inspect", str(tmp_path)]) in (0, 1)
    assert "format: FinishLynx results (.lif)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("label", "meet", "date"),
    [
        ("results/2026-06-13 Harbour Open/012-1-01.lif", "Harbour Open", "2026-06-13"),
        ("results/2026_06_13_Harbour_Open/012-1-01.lif", "Harbour Open", "2026-06-13"),
        ("results/13.06.2026 Harbour Open/012-1-01.lif", "Harbour Open", "2026-06-13"),
        ("results/Harbour Open 13 June 2026/012-1-01.lif", "Harbour Open", "2026-06-13"),
        ("results/June 13, 2026 - Harbour Open/1.lif", "Harbour Open", "2026-06-13"),
        ("results/heats/Harbour Open 2026-06-13.lif", "Harbour Open", "2026-06-13"),
        ("results/Juniper 2026/012-1-01.lif", None, None),  # a year is not a day
    ],
)
def test_the_meet_and_day_come_from_the_nearest_dated_folder_or_file_name(label, meet, date):
    from analysis.ingest.formats import FormatContext
    from analysis.ingest.formats._timing import meet_from_path
    from analysis.ingest.layout import Hints

    got = meet_from_path(FormatContext(label, Path("."), Hints()))
    assert (got.meet, got.date) == (meet, date)
