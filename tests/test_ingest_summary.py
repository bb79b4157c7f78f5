"""Summary and formula rows look at the right cells only (issue 26, item 2).

An athlete whose name starts with a summary word (``Suma Nuñez``, ``Som Chai``, ``Media
Rossi``, ``Mean Green``, ``Summa Ek``, ``Totale Bianchi``) used to lose every row as a
``summary row``, and a note ``=HYPERLINK(...)`` dropped its row as a formula. Now:

* a summary label is a summary word alone or followed by what it sums (``Total``,
  ``Sum week 3``), in the row's label cell;
* formulas count only when they sum (``=SUM``, ``=SUBTOTAL``, ...), outside notes;
* a roster name always wins over a summary word;

and, for any roster name and any cell text (hypothesis), every row written ends in the
clean table, in rejects or in the not-data rows, never as a summary row when its athlete is
on the roster.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from helpers import TODAY, examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import analysis as hf
from analysis.errors import DataError

SUMMARY_NAMES = ["Suma Nuñez", "Som Chai", "Media Rossi", "Mean Green", "Summa Ek",
                 "Totale Bianchi", "Average Joe", "Total Eclipse"]  # fmt: skip
HEADER = ["athlete", "date", "exercise", "sets x reps", "notes"]


def _write(
    d: Path,
    name: str,
    rows: list[list[str]],
    *,
    form: str,
    order: tuple[int, ...] = (0, 1, 2, 3, 4),
) -> str:
    """The roster and one log file; returns the log's source name."""
    d.mkdir(exist_ok=True)
    roster = io.StringIO()
    w = csv.writer(roster, lineterminator="\n")
    w.writerows([["athlete_id", "name"], ["A1", name], ["A2", "Ben Li"]])
    (d / "athletes.csv").write_text(roster.getvalue(), encoding="utf-8")
    body = [[r[j] for j in order] if len(r) == len(order) else r for r in [HEADER, *rows]]
    if form == "titled":  # a title above the header: the layout reader, not the fast path
        body = [["Gym log spring"], *body]
    if form == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Log"
        for r in body:
            ws.append(r)
        wb.save(d / "log.xlsx")
        return "log.xlsx#Log"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(body)
    (d / "log.csv").write_text(text.getvalue(), encoding="utf-8")
    return "log.csv"


def _rows(name: str, n: int = 3) -> list[list[str]]:
    return [[name, f"2026-03-0{i + 1}", "hip flexor march", "3x10", ""] for i in range(n)]


@pytest.mark.parametrize("form", ["csv", "titled", "xlsx"])
@pytest.mark.parametrize("name", SUMMARY_NAMES)
def test_an_athlete_whose_name_starts_with_a_summary_word_keeps_every_row(
    tmp_path: Path, name: str, form: str
) -> None:
    _write(tmp_path / "d", name, _rows(name), form=form)
    ds = hf.load_dataset(tmp_path / "d", today=TODAY)
    assert list(ds.log["athlete_id"]) == ["A1"] * 3
    assert not ds.not_data["reason"].str.startswith("summary").any()


@pytest.mark.parametrize("form", ["csv", "titled", "xlsx"])
def test_a_hyperlink_formula_in_a_notes_cell_never_drops_the_row(tmp_path: Path, form: str) -> None:
    rows = _rows("Ben Li", 2)
    rows[0][4] = '=HYPERLINK("https://example.org/video","clip")'
    rows[1][4] = "=SUM(A1:A2)"  # a formula in a note is a note, whatever it sums
    _write(tmp_path / "d", "Ada Okafor", rows, form=form)
    ds = hf.load_dataset(tmp_path / "d", today=TODAY)
    assert len(ds.log) == 2
    assert ds.log["notes"].str.startswith("=").all()


@pytest.mark.parametrize("form", ["csv", "titled", "xlsx"])
def test_a_roster_name_wins_over_a_summary_word_even_alone(tmp_path: Path, form: str) -> None:
    """An athlete listed as ``Total`` (a nickname, an alias) is an athlete."""
    _write(tmp_path / "d", "Total", _rows("Total", 2), form=form)
    ds = hf.load_dataset(tmp_path / "d", today=TODAY)
    assert list(ds.log["athlete_id"]) == ["A1", "A1"]


@pytest.mark.parametrize("form", ["csv", "titled", "xlsx"])
def test_total_labels_and_sum_formula_rows_are_still_summary_rows(
    tmp_path: Path, form: str
) -> None:
    rows = [*_rows("Ben Li", 2), ["Total", None, None, "6x20", None],
            ["Sum week 3", None, None, "6x20", None],
            [None, None, None, "=SUM(D2:D3)", None]]  # fmt: skip
    _write(tmp_path / "d", "Ada Okafor", rows, form=form)
    ds = hf.load_dataset(tmp_path / "d", today=TODAY)
    assert len(ds.log) == 2
    # a workbook holds the formula's value, not its text: without a saved value it is blank
    assert ds.not_data["reason"].str.startswith("summary").sum() == (2 if form == "xlsx" else 3)


# ------------------------------------------------------------------ the property

_WORDS = ["Total", "Sum", "Suma", "Som", "Media", "Mean", "Summa", "Totale", "Average", "Summe",
          "Gesamt", "=SUM(A1:A3)", "=HYPERLINK(\"x\")", "=AVERAGE(B2:B9)", "Grand total"]  # fmt: skip
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=16
)
_NAME = st.one_of(
    st.builds(lambda w, rest: f"{w} {rest}".strip(), st.sampled_from(_WORDS), _TEXT),
    st.sampled_from(_WORDS),
    _TEXT,
)
_CELL = st.one_of(st.sampled_from([*_WORDS, "", "3x10", "hip flexor march"]), _TEXT)


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])  # fmt: skip
@given(
    name=_NAME,
    cells=st.lists(st.tuples(st.booleans(), _CELL, _CELL, _CELL), min_size=1, max_size=6),
    form=st.sampled_from(["csv", "titled", "xlsx"]),
    # the athlete first, or after the free text (the label is then any cell text)
    order=st.sampled_from([(0, 1, 2, 3, 4), (2, 0, 1, 3, 4), (4, 3, 2, 1, 0)]),
)
def test_any_roster_name_or_cell_text_keeps_every_row_and_no_athlete_row_is_a_summary(
    tmp_path_factory: pytest.TempPathFactory, name: str, cells, form: str, order
) -> None:
    name = name.strip()
    assume(name and name.casefold() not in ("ben li", "a1", "a2"))
    assume(not name.startswith(("=", "+", "-", "@")))  # a roster name, not a formula
    rows = [
        [name if mine else "Ben Li", f"2026-03-{i % 28 + 1:02d}", ex, rx, note]
        for i, (mine, ex, rx, note) in enumerate(cells)
    ]
    d = tmp_path_factory.mktemp("p") / "d"
    source = _write(d, name, rows, form=form, order=order)
    try:
        ds = hf.load_dataset(d, today=TODAY)
    except DataError as exc:  # a roster that cannot be used is refused in one line
        assume("athletes.csv" not in str(exc))
        raise
    rec = ds.reconciliation
    rec = rec[rec["source"] == source]
    nd = ds.not_data[ds.not_data["source"] == source]
    first_data_row = 3 if form == "titled" else 2
    nd_data = nd[nd["source_row"] >= first_data_row]  # not the title or header
    assert int(rec["rows_read"].sum()) + int(nd_data["rows"].sum()) == len(rows)
    assert bool(rec["balanced"].all())
    # every row names a roster athlete: none of them is ever a summary row
    assert not nd["reason"].str.startswith("summary").any(), nd.to_dict("records")


@pytest.mark.parametrize("form", ["csv", "titled", "xlsx"])
def test_a_row_whose_numbers_add_up_the_rows_above_is_a_summary_row_without_a_label(
    tmp_path: Path, form: str
) -> None:
    header = ["athlete", "date", "exercise", "sets", "reps", "notes"]
    rows = [
        ["Ben Li", "2026-03-02", "leg raise", "3", "10", None],
        ["Ben Li", "2026-03-03", "leg raise", "2", "12", None],
        [None, None, None, "5", "22", None],  # the sums: not data
        ["Ben Li", "2026-03-04", "leg raise", "3", "10", None],
        [None, None, None, "4", "22", None],  # does not add up: a row (rejected, named)
    ]
    d = tmp_path / "d"
    source = _write(d, "Ada Okafor", [], form=form)
    body = ([["Gym log spring"]] if form == "titled" else []) + [header, *rows]
    if form == "xlsx":
        wb = openpyxl.Workbook()
        wb.active.title = "Log"
        for r in body:
            wb.active.append(r)
        wb.save(d / "log.xlsx")
    else:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(body)
        (d / "log.csv").write_text(text.getvalue(), encoding="utf-8")
    ds = hf.load_dataset(d, today=TODAY)
    first = 3 if form == "titled" else 2
    sums = ds.not_data[ds.not_data["reason"].str.startswith("summary")]
    assert list(sums["source_row"]) == [first + 2]
    assert len(ds.log) == 3
    rec = ds.reconciliation.set_index("source").loc[source]
    assert int(rec["rows_read"]) == 4 and int(rec["rejected"]) == 1
