"""Writing the sample: :func:`write_sample` and how each kind of frame becomes a file.

Files are replaced atomically (:func:`analysis.io.atomic_path`); workbooks get fixed zip
timestamps and document dates, so a seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import numbers
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ..io import atomic_path, write_text_atomic
from .cells import Cells
from .generator import generate
from .readme import synthetic_md
from .vocabulary import FIXED_TIME

__all__ = ["write_frame", "write_sample"]


def _normalise_xlsx(path: Path) -> None:
    """Rewrite a workbook with fixed zip timestamps and document dates (same seed, same bytes).

    Compressed at level 1: the sheets of a federation-size sample are hundreds of
    megabytes of XML, and the files are read once by the tests and benchmarks.
    """
    buf = _io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text
                )
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data, compresslevel=1)
    path.write_bytes(buf.getvalue())


class _Book:
    """A workbook written by xlsxwriter, row by row in constant memory.

    xlsxwriter, not openpyxl: it writes a federation-size sample's workbooks several
    times faster, and the cells come out as openpyxl wrote them (strings, numbers, and
    dates as dates: a number with a date format); calamine, the reader, cannot write.
    Cells holding ``None``, ``NaN`` or ``""`` are left empty.
    """

    def __init__(self, path: Path, date_format: str) -> None:
        import xlsxwriter  # lazy: only the sample writes workbooks this way

        self.wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.wb.set_properties({"author": "hipflex sample (synthetic)", "created": FIXED_TIME})
        self.date = self.wb.add_format({"num_format": date_format})

    def sheet(self, name: str, rows: Iterable[Sequence[object]]) -> None:
        """Add sheet ``name`` holding ``rows`` from row 1 (an empty row: a blank row)."""
        ws = self.wb.add_worksheet(name)
        string, number, stamp, date = ws.write_string, ws.write_number, ws.write_datetime, self.date
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                kind = type(v)
                if kind is str:
                    if v:
                        string(r, c, v)
                elif kind is int or kind is float:
                    if v == v:  # not NaN
                        number(r, c, v)
                elif v is None or v is pd.NaT:
                    continue
                elif isinstance(v, _dt.datetime):
                    stamp(r, c, v, date)
                elif isinstance(v, str):
                    if v:
                        string(r, c, str(v))
                elif isinstance(v, numbers.Real) and not isinstance(v, bool):
                    if v == v:
                        number(r, c, float(v) if isinstance(v, float) else int(v))
                else:
                    raise TypeError(f"a sample workbook cell of type {kind.__name__}: {v!r}")

    def close(self) -> None:
        """Write the file."""
        self.wb.close()


def _frame_rows(df: pd.DataFrame) -> Iterable[Sequence[object]]:
    """A DataFrame as rows of Python values under its header (as ``to_excel`` writes it)."""
    yield [str(c) for c in df.columns]
    yield from zip(*(df[c].tolist() for c in df.columns), strict=True)


def _write_cells_book(tmp: Path, book: dict[str, Cells]) -> None:
    xw = _Book(tmp, "yyyy-mm-dd h:mm:ss")  # openpyxl's format for a datetime
    for sheet, cells in book.items():
        xw.sheet(sheet, cells.rows)
    xw.close()


def _write_frame_book(tmp: Path, book: dict[str, pd.DataFrame]) -> None:
    xw = _Book(tmp, "YYYY-MM-DD HH:MM:SS")  # pandas' format for a datetime
    for sheet, df in book.items():
        xw.sheet(sheet, _frame_rows(df))
    xw.close()


def _write_cells_csv(tmp: Path, cells: Cells) -> None:
    with open(tmp, "w", encoding=cells.encoding, newline="") as f:
        w = csv.writer(f, delimiter=cells.sep, lineterminator=cells.lineterminator)
        for row in cells.rows:
            w.writerow(["" if c is None else c for c in row])


def write_frame(target: Path, frame: pd.DataFrame | Cells | dict) -> None:
    """Write one frame of the sample to ``target``, atomically.

    A :class:`Cells` is a CSV written cell by cell; a dict of :class:`Cells` or of
    DataFrames is a workbook (one sheet each); a DataFrame is a CSV with a header.
    """
    with atomic_path(target) as tmp:
        if isinstance(frame, Cells):
            _write_cells_csv(tmp, frame)
        elif isinstance(frame, dict) and all(isinstance(v, Cells) for v in frame.values()):
            _write_cells_book(tmp, frame)
            _normalise_xlsx(tmp)
        elif isinstance(frame, dict):
            _write_frame_book(tmp, frame)
            _normalise_xlsx(tmp)
        else:
            frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")


def write_sample(
    directory: str | os.PathLike[str],
    *,
    athletes: int = 12,
    seed: int = 2026,
    effect_per_100_reps: float = -0.08,
    window_days: int = 28,
    season_start: _dt.date | str | None = None,
    weeks: int = 30,
    today: _dt.date | str | None = None,
    **kwargs,
) -> list[Path]:
    """Write a synthetic raw data set into ``directory`` (created if needed).

    Parameters
    ----------
    directory : path
        Target folder. Files this function owns are replaced atomically; nothing
        half-written is ever left behind. Other files in the folder are left alone.
    athletes, seed, effect_per_100_reps, window_days, season_start, weeks, today
        As in :func:`generate`.
    **kwargs
        Further keyword arguments of :func:`generate`.

    Returns
    -------
    list of Path
        The files written: the raw files, then ``SYNTHETIC.md`` and ``truth.json``.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_sample(tempfile.mkdtemp(), athletes=3, seed=7)
    >>> sorted(p.name for p in paths)[:2]
    ['SYNTHETIC.md', 'athletes.csv']
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    frames, truth = generate(
        athletes=athletes, seed=seed, effect_per_100_reps=effect_per_100_reps,
        window_days=window_days, season_start=season_start, weeks=weeks, today=today,
        **kwargs,
    )  # fmt: skip
    written = []
    for rel, frame in frames.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        write_frame(target, frame)
        written.append(target)
    written.append(write_text_atomic(root / "SYNTHETIC.md", synthetic_md(truth, list(frames))))
    written.append(write_text_atomic(root / "truth.json", truth.to_json()))
    return written
