"""The Dataset's notebook summary: short, escaped, and left alone by MathJax."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import analysis as hf

SMALL = Path(__file__).parent / "data" / "logs" / "small"


def test_dataset_html_summary_escapes_data_text_and_is_not_typeset(tmp_path: Path) -> None:
    data = tmp_path / "squad <b>$x$</b>"
    shutil.copytree(SMALL, data)
    with open(data / "coach_log.csv", "a", encoding="utf-8") as fh:
        fh.write('A1,2026-03-05,"<i>zumba</i> $\\frac$",3x10\n')
    ds = hf.load_dataset(data, today=dt.date(2026, 6, 1))
    html = ds._repr_html_()
    assert "tex2jax_ignore" in html  # MathJax (JupyterLab) leaves the table alone
    assert "<i>" not in html and "<b>" not in html
    assert "&lt;i&gt;zumba&lt;/i&gt;" in html and "&lt;b&gt;" in html
    assert html.count("<table") == 1 and len(html) < 3000  # a summary, not a wall of repr
