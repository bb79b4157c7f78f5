"""Hy-Tek Meet Manager results reports as text and as HTML (analysis.ingest.formats.hytek).

The fixture ``tests/data/formats/hytek`` is built by hand in the layout the public grammars
of Meet Manager's text results describe — github.com/afmorris/HyTekGrammar ``HyTek.g4``
(licence banner, ``HY-TEK's Meet Manager`` with the print date, ``meet name - date``,
``Results``, ``Event`` number and name, ``=`` rules around the column header, individual
results ``place name year school seed performance wind heat points``, ``--`` as the place of
a DQ, relay legs ``1) name``) and github.com/afmorris/OhioTrackStats ``Grammar/HyTek.g4``
(``Q``/``q`` after a mark, ``NWI``, ``FS``, ``NT``, ``DNF``, ``SCR``) — and the lines quoted
from public reports (header ``Name Year School Seed Finals Wind H# Points``; banner
``HY-TEK's MEET MANAGER 7:15 PM 5/21/2026``; an Australian banner with a day-first date
``4:41 PM 26/08/2026``). Three versions: a two-page text report (prelims and finals, heat
winds, splits lines, a hurdles event, a relay), the HTML save of another meet (``<pre>``,
tags, entities) and an Australian report (``Name Age Team``, day-first dates).
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

DATA = Path(__file__).parent / "data" / "formats" / "hytek"
TXT = "harbour_city_open_results.txt"


@pytest.fixture(scope="module")
def ds() -> hf.Dataset:
    return hf.load_dataset(DATA, today=TODAY)


def _rows(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in r)
            for r in df[cols].astype(object).itertuples(index=False)]  # fmt: skip


def test_every_report_is_read_whole_prelims_finals_heats_wind_and_marks(ds):
    cols = ["race_id", "event_m", "final_s", "status", "wind_ms", "meet", "round", "flags",
            "notes", "source_row"]  # fmt: skip
    assert _rows(ds.races, cols) == [
        ("A1-20260613-200-1", 200, None, "DQ", -0.4, "Harbour City Open", "Final", None, "false start (FS)", 50),
        ("A1-20260613-400-1", 400, 53.95, "ok", None, "Harbour City Open", "Final", None, None, 24),
        ("A1-20260613-400-2", 400, 54.31, "ok", None, "Harbour City Open", "Prelims, heat 2", "Q", "Q", 11),
        ("A1-20260704-400-1", 400, 53.88, "ok", None, "Midsummer Games", "Final", None, None, 13),
        ("A2-20260613-200-1", 200, 25.71, "ok", 0.6, "Harbour City Open", "Final", None, None, 52),
        ("A2-20260613-400-1", 400, 56.1, "ok", None, "Harbour City Open", "Final", None, None, 28),
        ("A2-20260613-400-2", 400, 56.87, "ok", None, "Harbour City Open", "Prelims, heat 2", "q", "q", 13),
        ("A2-20260627-400-1", 400, 56.44, "ok", None, "Coastal Winter Series Round 3", "Final", None, None, 10),
        ("A2-20260704-400-1", 400, 56.02, "ok", None, "Midsummer Games", "Final", None, None, 15),
        ("A3-20260613-200-1", 200, 21.87, "ok", 1.2, "Harbour City Open", "Final", None, None, 39),
        ("A3-20260704-400-1", 400, 49.35, "ok", None, "Midsummer Games", "Final", None, None, 23),
        ("A4-20260613-200-1", 200, 24.93, "ok", -0.4, "Harbour City Open", "Final", None, None, 48),
        ("A4-20260613-400-1", 400, None, "DNS", None, "Harbour City Open", "Prelims", None, "scratched (SCR)", 17),
        ("A4-20260627-400-1", 400, 55.12, "ok", None, "Coastal Winter Series Round 3", "Final", None, None, 9),
        ("A4-20260704-400-1", 400, None, "DNS", None, "Midsummer Games", "Final", None, None, 16),
    ]  # fmt: skip
    # 6/13/2026 month first; 7/4/2026 month first (Meet Manager's US default, said in the
    # note); 27/06/2026 day first
    days = ds.races.groupby("meet")["date"].first().dt.date.astype(str).to_dict()
    assert days == {"Harbour City Open": "2026-06-13", "Midsummer Games": "2026-07-04",
                    "Coastal Winter Series Round 3": "2026-06-27"}  # fmt: skip
    assert ds.log.empty


def test_a_splits_line_under_an_athlete_is_kept_with_the_race(ds):
    inner = ds.splits[(ds.splits["at_m"] < 400) & ds.splits["race_id"].str.contains("-400-")]
    assert _rows(inner, ["race_id", "at_m", "cum_s"]) == [("A1-20260613-400-1", 200, 25.61)]


def test_hurdles_and_the_relay_are_set_aside_not_rejected(ds):
    assert ds.rejects.empty
    hurdles = ds.not_data[ds.not_data["reason"].str.startswith("other event")]
    assert hurdles["source_row"].tolist() == [59, 60]
    assert set(hurdles["reason"]) == {
        "other event (hipflex reads flat 200 m and 400 m races): Women 100 Meter Hurdles"
    }
    relay = ds.not_data[ds.not_data["reason"].str.startswith("relay")]
    assert relay["source_row"].tolist() == [66, 67, 68, 69, 70, 71]


def test_reconciliation_balances_for_text_and_html(ds):
    rec = ds.reconciliation.set_index("source")
    got = {s: tuple(int(v) for v in r) for s, r in
           rec[["rows_read", "clean", "rejected", "duplicates", "raw_rows", "not_data"]].iterrows()}  # fmt: skip
    assert got == {
        "coastal_winter_r3.txt": (2, 2, 0, 0, 12, 10),
        TXT: (9, 9, 0, 0, 72, 63),
        "midsummer_games.htm": (4, 4, 0, 0, 25, 21),
    }
    assert (rec["raw_rows"] == rec["data_rows"] + rec["not_data"]).all()
    assert rec["balanced"].all()
    assert rec["format"].to_dict() == {
        "coastal_winter_r3.txt": "Hy-Tek Meet Manager results (text)",
        TXT: "Hy-Tek Meet Manager results (text)",
        "midsummer_games.htm": "Hy-Tek Meet Manager results (HTML)",
    }
    kind = ds.not_data.groupby(ds.not_data["reason"].str.split(":").str[0])["rows"].sum()
    assert kind.to_dict() == {
        "separator line": 18, "blank row": 13, "not in the roster": 12, "title": 10,
        "event heading": 9, "column header": 9, "page banner": 4, "section heading": 4,
        "relay legs (a team's time, not one athlete's)": 4,
        "relay (a team's time, not one athlete's)": 2,
        "other event (hipflex reads flat 200 m and 400 m races)": 2,
        "HTML page (outside the report's <pre> text)": 5,
        "splits line (kept with the race above)": 1,
        "splits line of an athlete not in the roster": 1,
    }  # fmt: skip


def test_html_entities_and_tags_are_read_as_the_text_shows_them(ds):
    listed = set(ds.not_data["reason"])
    assert "not in the roster: Moreau, Élise (Lycée Sportif & Co)" in listed


def test_inspect_names_the_format_and_the_not_in_roster_count(capsys):
    assert main(["inspect", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert "format: Hy-Tek Meet Manager results (text)" in out
    assert "format: Hy-Tek Meet Manager results (HTML)" in out
    assert "9 not in the roster" in out
    assert "date 2026-06-27 from the report's title, read day first" in out


def test_signature_needs_the_banner_or_events_with_a_column_header():
    by = {f.name: f for f in formats.all()}
    text = by["Hy-Tek Meet Manager results (text)"]
    banner = Head(Path("r.txt"), "r.txt", b"Club - Site License   HY-TEK's MEET MANAGER 8:12 PM\n")
    notes = Head(Path("n.txt"), "n.txt", b"Event 1 was great\nsee you next week\n")
    bare = Head(Path("b.txt"), "b.txt",
                b"Event 3  Women 400 Meter Dash\n=========\n    Name  Year School  Finals\n")  # fmt: skip
    assert text.sniff(banner) and text.sniff(bare) and not text.sniff(notes)
    page = Head(Path("p.htm"), "p.htm", b"<html><pre>Event 3  Women 400 Meter Dash\n"
                b"==========\n    Name  Year School   Finals\n</pre>")  # fmt: skip
    assert by["Hy-Tek Meet Manager results (HTML)"].sniff(page)
    assert not by["Hy-Tek Meet Manager results (HTML)"].sniff(
        Head(Path("i.html"), "i.html", b"<html><body>index</body></html>"))  # fmt: skip


_word = st.text(alphabet=st.sampled_from(list("0123456789.:-+ QqDNFSCTaZé=()#<>&;")), max_size=14)


@settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(lines=st.lists(_word, max_size=12), html=st.booleans())
def test_no_generated_report_gives_a_traceback_and_rows_are_conserved(tmp_path, lines, html):
    body = ["Club - Site License   HY-TEK's MEET MANAGER 8:12 PM  6/13/2026  Page 1",
            "Open - 6/13/2026", "Event 3  Women 400 Meter Dash", "=" * 30,
            "    Name                    Year School     Seed    Finals  Points", "=" * 30,
            *[f"  {i} Okafor, Ada  SR Club  {w}" for i, w in enumerate(lines)], *lines]  # fmt: skip
    text = "\r\n".join(body)
    name = "r.htm" if html else "r.txt"
    if html:
        text = "<html>\r\n<pre>" + text + "</pre>\r\n</html>"
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252", errors="replace"))
    sheets = read_file(path, tmp_path, is_athlete=lambda n: "Ada" in n)
    (sheet,) = sheets
    assert sheet.layout.format is not None
    p = sheet.parse()
    assert len(p.frame) + sum(n for _, n, _ in p.not_data) == p.rows_total
    assert p.frame["source_row"].is_unique


def test_a_tied_place_and_a_competitor_number_are_read(tmp_path):
    (tmp_path / "athletes.csv").write_text("athlete_id,name\nA1,Ada Okafor\n")
    lines = [
        "Club - Site License      HY-TEK's MEET MANAGER 8:12 PM  6/13/2026  Page 1",
        "Harbour Open - 6/13/2026",
        "Event 3  Women 400 Meter Dash",
        "=" * 70,
        "    Name                    Year School                  Finals  Points",
        "=" * 70,
        " T3 #412 Okafor, Ada          SR Harbour City AC          55.10       5",
    ]
    (tmp_path / "r.txt").write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    ds = hf.load_dataset(tmp_path, today=TODAY)
    assert _rows(ds.races, ["athlete_id", "final_s", "round"]) == [("A1", 55.1, "Final")]
