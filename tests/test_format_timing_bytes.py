"""No timing or meet-software file, whatever its bytes, gives a traceback (issue 21).

Each case starts with a real signature (so the product's reader, not the spreadsheet
reader, gets the file) and continues with arbitrary bytes; the reader either reads it,
with every line accounted for, or raises one :class:`analysis.DataError`.
"""

from __future__ import annotations

from helpers import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis as hf
from analysis.ingest import read_file

_SIGNATURES = {
    "results/2026-06-13 Open/001-1-01.lif": b"1,1,1,Women 400m,,,,,,400\r\n1,2,3,Okafor,Ada,HC,54.3\r\n",
    "results/2026-06-13 Open/lynx.evt": b"1,1,1,Women 400m\r\n,2,3,Okafor,Ada,HC,54.3\r\n",
    "results/report.txt": b"Club - Site License  HY-TEK's MEET MANAGER 8:12 PM 6/13/2026 Page 1\r\n",
    "results/report.htm": b"<html><pre>Club  HY-TEK's MEET MANAGER 6/13/2026\r\n",
}


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(which=st.sampled_from(sorted(_SIGNATURES)), tail=st.binary(max_size=600))
def test_any_bytes_after_a_signature_read_or_give_one_data_error(tmp_path, which, tail):
    path = tmp_path / which
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_SIGNATURES[which] + tail)
    try:
        sheets = read_file(path, tmp_path, is_athlete=lambda n: "Ada" in n)
    except hf.DataError as exc:
        assert "\n" not in str(exc)
        return
    for sheet in sheets:
        p = sheet.parse()
        if p.frame is None or sheet.layout.format is None:
            continue
        assert len(p.frame) + sum(n for _, n, _ in p.not_data) == p.rows_total
        assert p.frame["source_row"].is_unique
        assert not (set(p.frame["source_row"]) & {r for r, _, _ in p.not_data})
