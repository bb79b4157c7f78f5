"""Nothing lost in the coach layouts, as CSV and as XLSX (hypothesis).

Meet-manager block files (a title line, an ``Event`` heading per event, a header per event
of its own width, blank lines, marks after the times) and training logs (titles, a units
row, a ``Total`` row, weekly grids) are generated at random, written as a CSV or a
workbook and read by :func:`analysis.load_dataset`. For every file:

    rows in = clean + rejected + duplicates         (entries handed to the cleaners)
    raw rows = data rows + not-data rows            (every row of the sheet somewhere)

and every row written as data is read as data: none of them becomes a title or heading.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from helpers import TODAY, examples
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import analysis as hf

ROSTER = "athlete_id,name\nA1,Ada Okafor\nA2,Ben Li\n"
NAMES = ["Ada Okafor", "Ben Li", "Nobody Known", "OKAFOR Ada"]
TIMES = ["48.23", "48.23 PB", "54.87 SB", "56.02 =PB", "DNS", "DNF", "DQ R163.3", "abc", "",
         "-25.40", "1:02.45"]  # fmt: skip
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
CELLS = ["3x10", "2x20m", "3x10 L/R", "2x(10+10)", "EMOM 10 min x 6", "lots", "", "", ""]


@st.composite
def block_file(draw) -> tuple[list[list[str]], int]:
    """A meet-manager export and the number of data rows written in it."""
    rows: list[list[str]] = [["Harriers Spring Open - 25/04/2026"]]
    n_data = 0
    for k in range(draw(st.integers(1, 3))):
        if k and draw(st.booleans()):
            rows.append([])
        event_m = draw(st.sampled_from([200, 400]))
        rnd = draw(st.sampled_from(["Final", "Heat 1", "A Final"]))
        rows.append([f"Event {k + 1}  Men {event_m}m {rnd}"])
        splits = draw(st.integers(0, 3))  # this event's header has its own width
        header = [
            "Pos",
            "Name",
            "Club",
            "Time",
            *[f"{100 * (i + 1)}m split" for i in range(splits)],
        ]
        rows.append(header)
        for pos in range(draw(st.integers(1, 3))):
            marks = [f"{11.5 * (i + 1) + pos:.2f}" for i in range(splits)]
            rows.append([str(pos + 1), draw(st.sampled_from(NAMES)), "Harriers",
                         draw(st.sampled_from(TIMES)), *marks])  # fmt: skip
            n_data += 1
    return rows, n_data


@st.composite
def log_file(draw) -> tuple[list[list[str]], int]:
    """A titled log or a weekly grid, and the number of entries written in it."""
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 2))):
        rows.append([draw(st.sampled_from(["Gym log - exported from Google Sheets", "Squad"]))])
    if draw(st.booleans()):
        rows.append([])
    entries = 0
    if draw(st.booleans()):  # a grid of one athlete's week
        rows[0:0] = [["Athlete: " + draw(st.sampled_from(NAMES))]]
        rows.append(["Week commencing", "02/03/2026"])
        rows.append(["Exercise", *WEEKDAYS])
        for _ in range(draw(st.integers(1, 4))):
            cells = [draw(st.sampled_from(CELLS)) for _ in WEEKDAYS]
            if not any(cells):
                cells[0] = "3x10"
            rows.append([draw(st.sampled_from(["Box knee drives", "A's", "stir the pot"])), *cells])
            entries += sum(bool(c) for c in cells)
    else:
        rows.append(["Athlete", "Date", "Exercise", "Sets x Reps", "Load"])
        if draw(st.booleans()):
            rows.append(["", "", "", "", "kg"])
        for _ in range(draw(st.integers(1, 5))):
            rows.append([draw(st.sampled_from(NAMES)), "03/03/2026",
                         draw(st.sampled_from(["cable knee drives", "HLR", "stir the pot"])),
                         draw(st.sampled_from(CELLS[:6])), draw(st.sampled_from(["", "20", "BW"]))])  # fmt: skip
            entries += 1
        if draw(st.booleans()):
            rows.append(["Total", "", "", "", "40"])
    return rows, entries


def _write(root: Path, rows: list[list[str]], as_xlsx: bool, sep: str) -> str:
    if as_xlsx:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Sheet1"
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row, start=1):
                if v != "":
                    ws.cell(i, j, v)
        wb.save(root / "file.xlsx")
        return "file.xlsx#Sheet1"
    text = "\n".join(sep.join(c.replace(sep, " ") for c in r) for r in rows) + "\n"
    (root / "file.csv").write_text(text, encoding="utf-8")
    return "file.csv"


def _check(root: Path, rows: list[list[str]], source: str, written: int) -> None:
    (root / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    ds = hf.load_dataset(root, today=TODAY)
    assert ds.skipped.empty, ds.skipped.to_dict("records")
    (rec,) = ds.reconciliation.to_dict("records")
    assert rec["source"] == source
    assert rec["raw_rows"] == len(rows) == rec["data_rows"] + rec["not_data"]
    assert rec["rows_read"] == rec["clean"] + rec["rejected"] + rec["duplicates"] == written
    assert int(ds.not_data["rows"].sum()) == rec["not_data"]
    clean = len(ds.log) + len(ds.races)
    dropped = ds.rejects[ds.rejects["kind"].isin(["rejected", "duplicate"])]
    assert clean + len(dropped) == written
    event(f"{rec['layout']}, {'xlsx' if source.endswith('Sheet1') else 'csv'}")


SETTINGS = settings(
    max_examples=examples(15), deadline=None, suppress_health_check=list(HealthCheck)
)


@SETTINGS
@given(f=block_file(), as_xlsx=st.booleans(), sep=st.sampled_from([",", ";"]))
def test_every_row_of_a_block_file_is_a_race_a_reject_or_listed_not_data(
    tmp_path_factory, f, as_xlsx, sep
):
    rows, n_data = f
    root = tmp_path_factory.mktemp("blocks")
    _check(root, rows, _write(root, rows, as_xlsx, sep), n_data)


@SETTINGS
@given(f=log_file(), as_xlsx=st.booleans(), sep=st.sampled_from([",", ";"]))
def test_every_entry_of_a_titled_log_or_grid_is_clean_or_rejected_as_csv_and_xlsx(
    tmp_path_factory, f, as_xlsx, sep
):
    rows, entries = f
    root = tmp_path_factory.mktemp("logs")
    _check(root, rows, _write(root, rows, as_xlsx, sep), entries)


def test_a_first_event_narrower_than_the_next_keeps_its_rows(tmp_path):
    """``Pos, Name, Club, Time`` above a wider ``..., 100m split`` header: both events read."""
    rows = [
        ["Harriers Spring Open - 25/04/2026"],
        ["Event 14  Women 200m Heat 1"],
        ["Pos", "Name", "Club", "Time"],
        ["1", "Ada Okafor", "Harriers", "24.10"],
        [],
        ["Event 12  Men 400m Final"],
        ["Pos", "Name", "Club", "Time", "100m split", "200m split", "300m split"],
        ["1", "Ben Li", "Harriers", "48.23 PB", "11.4", "23.1", "35.2"],
    ]
    for as_xlsx in (False, True):
        root = tmp_path / ("xlsx" if as_xlsx else "csv")
        root.mkdir()
        source = _write(root, rows, as_xlsx, ",")
        (root / "athletes.csv").write_text(ROSTER, encoding="utf-8")
        ds = hf.load_dataset(root, today=TODAY)
        races = ds.races.sort_values("source_row")
        assert [(r.athlete_id, int(r.event_m), float(r.final_s), r.round, int(r.source_row))
                for r in races.itertuples()] == [
            ("A1", 200, 24.10, "Heat 1", 4), ("A2", 400, 48.23, "Final", 8)
        ]  # fmt: skip
        nd = ds.not_data.sort_values("source_row")
        assert [(int(r.source_row), r.reason) for r in nd.itertuples()] == [
            (1, "title row"), (2, "title row"), (3, "header row"), (5, "blank row"),
            (6, "heading: Event 12  Men 400m Final"), (7, "header row (repeated)"),
        ]  # fmt: skip
        assert ds.reconciliation.set_index("source").loc[source, "layout"] == "blocks"
