"""strip_distinct's two ways (plain Python for a few values, Arrow for many) agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from analysis.distinct import (
    _strip_distinct_arrow,
    _strip_distinct_small,
    distinct_codes,
    strip_distinct,
)

# texts with the whitespace both ways trim (and some they do not), and missing values
_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2007\u200b\u2028\u3000\ufeff"
_TEXT = st.text(alphabet=st.sampled_from([*"aAb1é-", *_SPACES]), max_size=6)
_VALUE = st.one_of(_TEXT, st.none(), st.just(pd.NA), st.just(float("nan")))


@given(st.lists(_VALUE, max_size=40))
def test_plain_python_equals_arrow(values: list) -> None:
    arr = np.asarray(values, dtype=object)
    few = _strip_distinct_small(arr)
    assert few is not None
    codes, distinct = _strip_distinct_arrow(arr)
    np.testing.assert_array_equal(few[0], codes)
    assert few[0].dtype == codes.dtype
    assert few[1].tolist() == distinct.tolist()
    assert few[1].dtype == object


def test_python_strips_exactly_the_characters_arrow_strips() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    arrow = pc.utf8_trim_whitespace(pa.array([c + "a" + c for c in chars])).to_pylist()
    differ = [hex(ord(c)) for c, a in zip(chars, arrow, strict=True) if a != (c + "a" + c).strip()]
    assert differ == []


def test_numbers_are_left_to_pandas() -> None:
    values = np.array([" 12", 12, 1.5, None], dtype=object)
    assert _strip_distinct_small(values) is None
    remap, distinct = strip_distinct(values)
    assert remap.tolist() == [0, 0, 1, -1] and distinct.tolist() == ["12", "1.5"]


def test_many_values_take_the_arrow_way_with_the_same_answer() -> None:
    values = np.array([f" v{i % 7} " if i % 5 else "" for i in range(20_000)], dtype=object)
    remap, distinct = strip_distinct(values)
    few = _strip_distinct_small(values)
    assert few is not None
    np.testing.assert_array_equal(remap, few[0])
    assert distinct.tolist() == few[1].tolist()
    _, texts = distinct_codes(pd.Series(values, dtype="string"))
    assert texts.tolist() == distinct.tolist()
