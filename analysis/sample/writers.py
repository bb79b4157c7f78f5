"""Writing the sample: :func:`write_sample` and how each kind of frame becomes a file.

Files are replaced atomically (:func:`analysis.io.atomic_path`); workbooks get fixed zip
timestamps and document dates, so a seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import os
import re
import zipfile
from pathlib import Path

import pandas as pd

from ..io import atomic_path, write_text_atomic
from .cells import Cells
from .generator import generate
from .readme import synthetic_md
from .vocabulary import FIXED_TIME

__all__ = ["write_frame", "write_sample"]


def _normalise_xlsx(path: Path) -> None:
    """Rewrite a workbook with fixed zip timestamps and document dates (same seed, same bytes)."""
    buf = _io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
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
            dst.writestr(zi, data)
    path.write_bytes(buf.getvalue())


def _write_cells_book(tmp: Path, book: dict[str, Cells]) -> None:
    import openpyxl  # writing: calamine (the workbook reader) cannot write

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, cells in book.items():
        ws = wb.create_sheet(sheet)
        for row in cells.rows:
            ws.append(list(row))
    wb.properties.creator = "hipflex sample (synthetic)"
    wb.save(tmp)


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
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                for sheet, df in frame.items():
                    df.to_excel(xw, sheet_name=sheet, index=False)
                xw.book.properties.creator = "hipflex sample (synthetic)"
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
