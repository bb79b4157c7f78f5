"""scripts/compare_pages.py: the refactor check masks only what varies by design."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_pages.py"
spec = importlib.util.spec_from_file_location("compare_pages", SCRIPT)
compare_pages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_pages)

PAGE = (
    "<p class='meta'>Run {when} UTC in {secs} s: 18 reports ran.</p>"
    '<div class="jp-Cell jp-CodeCell celltag_injected-parameters" id="cell-id={cid}">'
    "<pre>data_dir = '{path}'</pre></div>"
    '<div class="jp-Cell jp-MarkdownCell" id="cell-id=ab12">'
    "<p>Fade {fade} s</p><img src='data:image/png;base64,{fig}'></div>"
)


def _folder(root: Path, **kw) -> Path:
    values = dict(
        when="2026-12-07 14:24", secs="23.0", cid="8b555b12", path="/tmp/a", fade="0.41", fig="AAAA"
    )
    values.update(kw)
    root.mkdir()
    (root / "index.html").write_text(PAGE.format(**values), encoding="utf-8")
    (root / "attention.csv").write_text("athlete_id,why\nA01,back from injury\n", encoding="utf-8")
    return root


def test_runs_that_differ_only_in_clock_cell_ids_and_parameters_are_equal(tmp_path, capsys):
    a = _folder(tmp_path / "a")
    b = _folder(tmp_path / "b", when="2026-12-08 09:01", secs="58.7", cid="ba2a3be6", path="/x/y")
    assert compare_pages.main([str(a), str(b)]) == 0
    assert "equal" in capsys.readouterr().out


@pytest.mark.parametrize("change", [{"fade": "0.42"}])
def test_a_changed_number_on_a_page_is_a_difference(tmp_path, capsys, change):
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b", **change)
    assert compare_pages.main([str(a), str(b)]) == 1
    assert "Fade 0.42 s" in capsys.readouterr().out


def test_a_figure_whose_bytes_differ_counts_only_with_figures(tmp_path):
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b", fig="BBBB")
    assert compare_pages.main([str(a), str(b)]) == 0
    assert compare_pages.main([str(a), str(b), "--figures"]) == 1


def test_a_changed_csv_byte_and_a_missing_page_are_differences(tmp_path, capsys):
    a, b = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    (b / "attention.csv").write_text("athlete_id,why\nA01,back from injury \n", encoding="utf-8")
    (a / "squad.html").write_text("<p>squad</p>", encoding="utf-8")
    assert compare_pages.main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "attention.csv" in out and "squad.html: only before" in out
