"""Cell and field sizes get the same bound as lines (issue 26, item 11, the ingest part).

A 50 KB workbook with one 50 MB cell, a 100 MB quoted CSV field split over short lines
and a 1.5 MB workbook of 2.2 M rows each end within 20 s and 1.5 GB: refused in one line
naming the file and the limit, the rest of the folder read. The fast tests shrink the
limits (:mod:`analysis.config`); the slow ones build the files of the issue at full size
and measure a fresh process.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

import analysis as hf
from analysis import config

ROSTER = "athlete_id,name\nA1,Ada Okafor\n"
LOG = "athlete,date,exercise,sets x reps\nAda Okafor,2026-03-02,hip flexor march,3x10\n"
HEADER = "athlete,date,exercise,sets x reps,notes\n"


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "d"
    d.mkdir()
    (d / "athletes.csv").write_text(ROSTER, encoding="utf-8")
    (d / "log.csv").write_text(LOG, encoding="utf-8")
    return d


def _quoted_csv(path: Path, field_bytes: int) -> None:
    """A log whose last note is one quoted field of ``field_bytes`` over short lines."""
    line = "word word word word word\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEADER + 'Ada Okafor,2026-03-03,leg raise,2x10,"')
        fh.writelines([line] * (field_bytes // len(line)))
        fh.write('"\n')


def _workbook(path: Path, *, rows: int = 0, cell_bytes: int = 0, sheets: int = 1) -> None:
    """A minimal workbook written part by part (so it can be huge inside and small on disk)."""
    ns = "http://schemas.openxmlformats.org/"
    rel = ns + "officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{ns}package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, sheets + 1)
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>'
            + "".join(
                f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{ns}package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{rel}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, sheets + 1)
            )
            + "</Relationships>"
        ),
    }
    head = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>athlete</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>exercise</t></is></c></row>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        for i in range(1, sheets + 1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as f:
                f.write(f'<worksheet xmlns="{ns}spreadsheetml/2006/main"><sheetData>'.encode())
                f.write(head.encode())
                if cell_bytes:
                    f.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>Ada Okafor</t></is></c>')
                    f.write(b'<c r="B2" t="inlineStr"><is><t>')
                    block = b"x" * (1 << 20)
                    for _ in range(cell_bytes // len(block)):
                        f.write(block)
                    f.write(b"x" * (cell_bytes % len(block)) + b"</t></is></c></row>")
                per = rows // sheets
                for start in range(0, per, 50_000):
                    f.write(
                        "".join(
                            f'<row r="{r + 3}"><c r="A{r + 3}"><v>{r}</v></c></row>'
                            for r in range(start, min(per, start + 50_000))
                        ).encode()
                    )
                f.write(b"</sheetData></worksheet>")


def _refused(ds: hf.Dataset, source: str) -> str:
    rows = ds.skipped[ds.skipped["source"] == source]
    assert len(rows) == 1, ds.skipped
    reason = str(rows["reason"].iloc[0])
    assert "\n" not in reason and "refused: " in reason
    return reason


def test_a_quoted_field_over_short_lines_gets_the_bound_of_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "MAX_LINE_BYTES", 10_000)
    d = _folder(tmp_path)
    _quoted_csv(d / "notes.csv", 200_000)
    ds = hf.load_dataset(d)
    assert "MAX_LINE_BYTES" in _refused(ds, "notes.csv")
    assert len(ds.log) == 1  # the rest of the folder is read


def test_a_stray_quote_inside_a_field_is_not_a_long_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``5'10"`` in a note opens no quoted field: the file is read whole."""
    monkeypatch.setattr(config, "MAX_LINE_BYTES", 2_000)
    d = _folder(tmp_path)
    rows = [f"Ada Okafor,2026-03-{i % 28 + 1:02d},leg raise,2x10,ok\n" for i in range(300)]
    text = HEADER + "Ada Okafor,2026-03-01,leg raise,2x10,height 5'10\"\n" + "".join(rows)
    (d / "notes.csv").write_text(text, encoding="utf-8")
    ds = hf.load_dataset(d)
    assert "notes.csv" not in set(ds.skipped["source"])
    assert int(ds.reconciliation.set_index("source").loc["notes.csv", "rows_read"]) == 301


def test_a_workbook_cell_gets_the_bound_of_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "MAX_LINE_BYTES", 10_000)
    d = _folder(tmp_path)
    _workbook(d / "big.xlsx", cell_bytes=200_000)
    assert (d / "big.xlsx").stat().st_size < 10_000
    ds = hf.load_dataset(d)
    assert "MAX_LINE_BYTES" in _refused(ds, "big.xlsx")
    assert len(ds.log) == 1


def test_a_workbook_of_more_cells_than_the_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "MAX_XLSX_CELLS", 1_000, raising=False)
    d = _folder(tmp_path)
    _workbook(d / "long.xlsx", rows=5_000, sheets=2)
    ds = hf.load_dataset(d)
    assert "MAX_XLSX_CELLS" in _refused(ds, "long.xlsx")
    assert len(ds.log) == 1


def test_a_workbook_within_the_limits_is_read_as_before(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["athlete", "date", "exercise", "sets x reps", "notes"])
    ws.append(["Ada Okafor", "2026-03-04", "leg raise", "2x10", "x" * 50_000])
    wb.save(d / "gym.xlsx")
    ds = hf.load_dataset(d)
    assert len(ds.log) == 2 and not len(ds.skipped)


# ------------------------------------------------------------------ full size, measured

_MEASURE = """
import json, resource, sys, time
t = time.perf_counter()
import analysis as hf
ds = hf.load_dataset(sys.argv[1])
print(json.dumps({"s": time.perf_counter() - t, "log": len(ds.log),
                  "skipped": ds.skipped.astype(str).to_dict("records"),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("case", ["cell_50mb", "quoted_100mb", "rows_2_2m"])
def test_the_issue_files_end_within_20_s_and_1_5_gb_refused_in_one_line(
    tmp_path: Path, case: str
) -> None:
    d = _folder(tmp_path)
    if case == "cell_50mb":
        name = "cell.xlsx"
        _workbook(d / name, cell_bytes=50_000_000)
        assert (d / name).stat().st_size < 100_000
    elif case == "quoted_100mb":
        name = "quoted.csv"
        _quoted_csv(d / name, 100_000_000)
    else:
        name = "rows.xlsx"
        _workbook(d / name, rows=2_200_000, sheets=3)
        assert (d / name).stat().st_size < 20_000_000
    env = {**os.environ, "PYTHONPATH": str(Path(hf.__file__).parents[1])}
    env.pop("HIPFLEX_CACHE_DIR", None)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(d)],
        capture_output=True, text=True, env=env, timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)),
    )  # fmt: skip
    wall = time.perf_counter() - start
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    print(case, f"{wall:.1f} s wall, {out['s']:.1f} s load, {out['rss_mb']:.0f} MB peak")
    assert wall < 20 and out["rss_mb"] < 1536
    assert out["log"] == 1
    (entry,) = [e for e in out["skipped"] if e["source"] == name]
    assert "refused: " in entry["reason"] and "\n" not in entry["reason"]
