"""Coaches' data back as spreadsheets: ``OUT/exports/<athlete_id>.xlsx`` and a squad book.

One workbook per athlete holds that athlete's rows only: the clean training log, races
(with PB/SB and age grade), splits, fatigue metrics, the plan and its adherence, and the
athlete's own rejects. The squad workbook (``OUT/exports/squad.xlsx``) holds everyone's,
plus the roster and the reconciliation.

**Formula injection.** A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be a formula (or be turned into one) when Excel or LibreOffice opens
the file: a note such as ``=HYPERLINK("http://…")`` typed by anyone who can edit a log
must never become a live link. Every text cell is written as a string cell (data type
``s``) with Excel's quote prefix, its value unchanged; no cell is ever a formula.

Files are written to a temporary name and renamed: a failed export never leaves a
half-written workbook. A sheet longer than Excel's 1,048,576 rows continues on a second
sheet (``log (2)``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ..._version import __version__
from ...adherence import plan_adherence
from ...agegrade import age_graded
from ...config import PRIMARY_WINDOW_DAYS
from ...fingerprint import sha
from ...io import write_atomic, write_text_atomic
from ...safe_text import DANGEROUS_PREFIXES  # the prefixes every CSV hipflex neutralises too
from ...season import race_context
from ..outputs import discarded, page_names, squad_workbook_name
from .squad import squad_effect, squad_races
from .squad_scale import athlete_slopes_sheet

__all__ = [
    "DANGEROUS_PREFIXES",
    "athlete_sheets",
    "squad_sheets",
    "squad_workbook_name",
    "write_exports",
    "write_workbook",
]


#: Data rows per sheet (Excel's limit less the header row).
MAX_ROWS = 1_048_575

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML cells


def _text(value: str) -> str:
    """Cell text: XML-illegal control characters dropped; a carriage return escaped as
    OOXML's ``_x000D_`` (a raw one would be read back as a line feed)."""
    return _ILLEGAL.sub("", value).replace("\r", "_x000D_")


def _cells(df: pd.DataFrame) -> list[list]:
    """Rows of Python values (None for missing), column by column (no per-cell pandas)."""
    cols = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
            vals = np.array([None if pd.isna(v) else v.to_pydatetime() for v in s], dtype=object)
        elif pd.api.types.is_bool_dtype(s.dtype):
            vals = np.array([None if pd.isna(v) else bool(v) for v in s], dtype=object)
        elif pd.api.types.is_integer_dtype(s.dtype):
            vals = np.array([None if pd.isna(v) else int(v) for v in s], dtype=object)
        elif pd.api.types.is_float_dtype(s.dtype):
            f = s.to_numpy(dtype=np.float64, na_value=np.nan)
            vals = np.where(np.isfinite(f), f, None).astype(object)
            vals = np.array([None if v is None else float(v) for v in vals], dtype=object)
        else:
            vals = np.array(
                [None if (v is None or (not isinstance(v, str) and pd.isna(v))) else str(v)
                 for v in s.astype(object)],
                dtype=object,
            )  # fmt: skip
        cols.append(vals)
    return [list(r) for r in zip(*cols, strict=True)] if cols else []


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    out, k = base, 2
    while out.lower() in used:
        suffix = f" ({k})"
        out, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(out.lower())
    return out


def write_workbook(sheets: dict[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write ``{sheet name: frame}`` to an .xlsx atomically, text never as a formula.

    Every text cell is a string cell with the quote prefix (see the module notes); numbers,
    dates and booleans keep their types; missing values are empty cells.
    """
    # openpyxl, not calamine: calamine (the reader of analysis.ingest.workbook) only reads
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    def write(tmp: Path) -> None:
        wb = Workbook(write_only=True)
        used: set[str] = set()
        bold = Font(bold=True)
        for name, df in sheets.items():
            rows = _cells(df)
            chunks = [rows[i : i + MAX_ROWS] for i in range(0, max(len(rows), 1), MAX_ROWS)]
            for part in chunks:
                ws = wb.create_sheet(_sheet_name(name, used))
                header = []
                for c in df.columns:
                    cell = WriteOnlyCell(ws, value=None)
                    cell._value = _text(str(c))
                    cell.data_type = "s"
                    cell.font = bold
                    header.append(cell)
                ws.append(header)
                for row in part:
                    out = []
                    for v in row:
                        if isinstance(v, str):
                            cell = WriteOnlyCell(ws, value=None)
                            cell._value = _text(v)  # as text, never parsed as a formula
                            cell.data_type = "s"
                            if v.startswith(DANGEROUS_PREFIXES):
                                cell.quotePrefix = True
                            out.append(cell)
                        else:
                            out.append(v)
                    ws.append(out)
        if not sheets:
            wb.create_sheet("empty")
        wb.save(tmp)

    return write_atomic(path, write)


def _races_table(ds) -> pd.DataFrame:
    return age_graded(race_context(ds.races), ds.athletes)


def _tables(ds, *, include_health: bool = False, shared: bool = False
            ) -> dict[str, pd.DataFrame]:  # fmt: skip
    """The exported tables; the injury log only with ``include_health`` (``--include-health``),
    and a shared (squad) book's rejects without injury values unless it is asked for."""
    # pages.injuries loads matplotlib (its plots): only when a workbook is computed
    from .injuries import mask_health_rejects

    rejects = ds.rejects if include_health or not shared else mask_health_rejects(ds.rejects)
    health = {"injuries": ds.injuries} if include_health else {}
    return {
        "log": ds.log,
        "races": _races_table(ds),
        "splits": ds.splits,
        "fatigue": ds.fatigue,
        "plan": ds.plan,
        "adherence": plan_adherence(ds),
        "rejects": rejects,
        **health,
    }


def athlete_sheets(ds, athlete_id: str, *, include_health: bool = False) -> dict[str, pd.DataFrame]:
    """The sheets of one athlete's workbook: only that athlete's rows (a private export);
    their injuries only with ``include_health``."""
    one = ds.athlete(athlete_id)
    return {"athlete": one.athletes, **_tables(one, include_health=include_health)}


def squad_sheets(
    ds, *, include_health: bool = False, window_days: int | None = None
) -> dict[str, pd.DataFrame]:
    """The sheets of the squad workbook: roster, every table (injuries only with
    ``include_health``; otherwise injury-log rejects carry no value), every athlete's row
    of the squad page (``slopes``: each athlete's own slope and the same weighed with the
    squad, per event, over ``window_days``, default the primary window) and the
    reconciliation.
    """
    return {
        "athletes": ds.athletes,
        **_tables(ds, include_health=include_health, shared=True),
        "slopes": _slopes_sheet(ds, window_days),
        "reconciliation": ds.reconciliation,
    }


def _slopes_sheet(ds, window_days: int | None) -> pd.DataFrame:
    """:func:`.squad_scale.athlete_slopes_sheet` of every event with a squad estimate."""
    from ...stats import athlete_slopes

    w = int(window_days or PRIMARY_WINDOW_DAYS)
    names = dict(zip(ds.athletes["athlete_id"], ds.athletes["name"], strict=True))
    frames = []
    for ev in sorted({int(e) for e in ds.races["event_m"].dropna()}):
        t = squad_races(ds, ev, (w,))
        if t["differential_s"].notna().sum() < 2:
            continue
        res = squad_effect(t, w)
        s = athlete_slopes(t, f"_x{w}", "differential_s", "athlete_id", time="date", pooled=res)
        frames.append(athlete_slopes_sheet(s, res, names, event=ev, window_days=w))
    if not frames:
        return athlete_slopes_sheet(
            pd.DataFrame(columns=["athlete_id", "n", "slope", "se", "shrunk", "shrunk_se",
                                  "weight"]),
            None, names, event=0, window_days=w,
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def write_exports(
    ds,
    out_dir: str | os.PathLike[str],
    *,
    athletes: list[str] | None = None,
    page_name: Callable[[str], str] | None = None,
    key: str = "",
    include_health: bool = False,
    window_days: int | None = None,
) -> list[Path]:
    """Write ``OUT/exports/<athlete_id>.xlsx`` per athlete and ``OUT/exports/squad.xlsx``.

    Health data stays out unless ``include_health`` (``hipflex report --include-health``):
    then each athlete's book holds their injuries and the squad book the injury log.

    (The squad book is ``squad-all.xlsx`` should an athlete's file be named ``squad``.)

    Parameters
    ----------
    ds : Dataset
        The data set.
    out_dir : path
        The report folder ``OUT``; files go to ``OUT/exports/``.
    athletes : list of str, optional
        Athlete ids (default: the whole roster).
    page_name : callable, optional
        Athlete id -> file name without suffix; default the athlete page's name, so
        ``exports/<name>.xlsx`` sits beside ``athletes/<name>.html``.
    key : str, optional
        A key of everything the sheets are made from: :func:`~analysis.reports.build_reports`
        passes :func:`analysis.reports.batch.plan.content_key` (every table, the code, the
        settings). When it equals the last call's and every workbook is there, no sheet is
        even computed (~2 s of an unchanged 12-athlete re-run). Without it every
        workbook's sheets are computed and compared.
    window_days : int, optional
        The window of the squad page's slopes (the squad book's ``slopes`` sheet);
        default :data:`analysis.config.PRIMARY_WINDOW_DAYS`.

    Returns
    -------
    list of Path
        The workbooks (athletes, then the squad's). Incremental: a workbook whose sheets
        are unchanged since the last call (digests in ``exports/.digests.json``) is left
        as it is.
    """
    import json

    if page_name is None:  # the planner's names: unique per athlete across case and slugging
        page_name = page_names(ds.athletes["athlete_id"].astype(str)).__getitem__
    name = page_name
    root = Path(out_dir) / "exports"
    root.mkdir(parents=True, exist_ok=True)
    ids = athletes if athletes is not None else ds.athletes["athlete_id"].astype(str).tolist()
    pages = {name(aid).lower() for aid in ds.athletes["athlete_id"].astype(str)}
    squad = "squad" if "squad" not in pages else "squad-all"  # never an athlete's file
    index_path = root / ".digests.json"
    try:
        known = json.loads(index_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = {}
    except (OSError, ValueError):
        known = None
    if not isinstance(known, dict) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in known.items()
    ):  # right JSON, wrong shape ([] or {"x": 1}): rebuilt, never a failure every night
        discarded(index_path, "not a mapping of workbook digests")
        known = {}
    digests, paths = {}, []
    jobs = [(f"{name(aid)}.xlsx",
             lambda aid=aid: athlete_sheets(ds, aid, include_health=include_health))
            for aid in ids]  # fmt: skip
    jobs.append((f"{squad}.xlsx",
                 lambda: squad_sheets(ds, include_health=include_health,
                                      window_days=window_days)))  # fmt: skip
    # nothing changed since the last call under the same key and every workbook is there:
    # no workbook needs even its sheets made
    files = [file for file, _ in jobs]
    inputs = sha(key, str(window_days or ""), *files, f"health={include_health}") if key else ""
    if (
        inputs
        and known.get(_INPUTS) == inputs
        and all(f in known and (root / f).is_file() for f in files)
    ):
        return [root / f for f in files]
    if inputs:
        digests[_INPUTS] = inputs
    for file, sheets_of in jobs:
        sheets = sheets_of()
        target = root / file
        digest = _digest(sheets)
        # incremental: a nightly run rewrites only the workbooks whose rows changed
        if digest is None or known.get(file) != digest or not target.is_file():
            write_workbook(sheets, target)
        digests[file] = digest
        paths.append(target)
    write_text_atomic(index_path, json.dumps(digests, indent=1, sort_keys=True))
    return paths


#: Key of ``exports/.digests.json`` holding what the last call's exports were made from.
_INPUTS = "(inputs)"


def _digest(sheets: dict[str, pd.DataFrame]) -> str | None:
    """A digest of the sheets' names, columns, types and values (None: cannot be hashed)."""
    import hashlib

    h = hashlib.sha256(__version__.encode())
    try:
        for sheet, df in sheets.items():
            h.update(f"{sheet}|{list(df.columns)}|{list(map(str, df.dtypes))}".encode())
            h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    except (TypeError, ValueError):
        return None
    return h.hexdigest()
