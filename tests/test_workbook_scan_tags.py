"""The pre-check's count of a sheet's row and cell tags: the usual form read with NumPy.

:func:`analysis.ingest.workbook_scan._usual_tags` reads ``<row r="12"`` and
``<c r="AB12"`` from the bytes after each ``<``; these tests hold it to what the regular
expressions it replaced gave (the oracle below is that code), and any other form to the
general expressions.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ingest import workbook_scan as scan

# the fast path as it was (stop 30): literal counts and short expressions
_OLD_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,9})"')
_OLD_WIDE_COL = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_OLD_ROW = re.compile(rb'<row r="([0-9]{1,9})"')


def _old(text: bytes) -> tuple[int, int, int, int, int] | None:
    """cells, rows, max_row, max_col, counted of the old fast path; None: general."""
    c_attrs, c_bare, c_empty = text.count(b"<c "), text.count(b"<c>"), text.count(b"<c/>")
    row_tags = text.count(b"<row")
    cells = c_attrs + c_bare + c_empty
    if b":c" in text or b":row" in text:
        return None
    cell_rows, row_refs = _OLD_CELL_ROW.findall(text), _OLD_ROW.findall(text)
    if len(cell_rows) != cells or len(row_refs) != row_tags:
        return None
    refs = {*cell_rows, *row_refs}
    max_row = max(map(int, refs)) if refs else 0
    wide = set(_OLD_WIDE_COL.findall(text))
    max_col = max(0, 26, *map(scan._col_number, wide)) if cells else 0
    return cells, row_tags, max_row, max_col, c_attrs + c_bare + row_tags


_COL = st.text(alphabet="ABCXYZab", min_size=0, max_size=4)
_NUM = st.text(alphabet="0123456789", min_size=0, max_size=11)
_TAGS = st.one_of(
    st.builds(lambda c, n: f'<c r="{c}{n}">'.encode(), _COL, _NUM),
    st.builds(lambda c, n: f'<c r="{c}{n}" t="s"><v>1</v></c>'.encode(), _COL, _NUM),
    st.builds(lambda c, n: f'<c t="n" r="{c}{n}">'.encode(), _COL, _NUM),
    st.builds(lambda n: f'<row r="{n}">'.encode(), _NUM),
    st.builds(lambda n: f'<row r="{n}" spans="1:3">'.encode(), _NUM),
    st.builds(lambda n: f'<row spans="1:3" r="{n}">'.encode(), _NUM),
    st.sampled_from(
        [
            b"<row>",
            b"<c>",
            b"<c/>",
            b"</c>",
            b"</row>",
            b'<col min="1"/>',
            b"<cols>",
            b'<rowBreaks count="1">',
            b"<v>12</v>",
            b"<cfRule>",
            b'<x:c r="A1">',
            b"text",
            b" ",
            b"<",
            b'"',
            b"9",
        ]
    ),
)


@settings(max_examples=400)
@given(st.lists(_TAGS, max_size=30))
def test_the_usual_form_counts_as_the_expressions_counted(parts: list[bytes]) -> None:
    text = b"".join(parts)
    old = _old(text)
    part = scan.PartScan()
    counted = scan._scan_tags(text, part)
    if old is not None:  # the old fast path took it: the NumPy reading gives the same
        cells, rows, max_row, max_col, old_counted = old
        assert (part.cells, part.rows, part.max_row, part.max_col) == (
            cells, rows, max_row, max_col)  # fmt: skip
        assert counted == old_counted
        assert part.cells_without_ref == part.rows_without_ref == 0
    else:  # the general expressions count it, as before
        general = scan.PartScan()
        assert counted == scan._general_tags(text, general)
        assert general == part


def test_a_cell_whose_reference_follows_a_tab_is_measured() -> None:
    # <c\tr="XFD1048576">: no "<c " to count, so the literal counts missed the cell and
    # the rectangle calamine would fill; now any cell tag not in the usual form is left
    # to the general expressions, which measure it
    part = scan.PartScan()
    scan._scan_tags(b'<row r="1"><c r="A1"><v>1</v></c><c\tr="XFD1048576"><v>2</v></c></row>',
                    part)  # fmt: skip
    assert (part.cells, part.max_row, part.max_col) == (2, 1_048_576, 16_384)
    assert not part.for_calamine


def test_numbers_of_ten_digits_or_four_letters_are_not_the_usual_form() -> None:
    assert scan._usual_tags(b'<row r="1234567890">') is None
    assert scan._usual_tags(b'<c r="ABCD1">') is None
    assert scan._usual_tags(b'<row r="7"><c r="AB7"><v>1</v></c></row>') == (1, 1, 7, 28)
