"""Files in and out: atomic writes, and the reading names kept where they always were.

Writing: :func:`write_atomic` and its kin write to a temporary file beside the target and
rename it into place, so nothing half-written is ever visible.

Reading lives in :mod:`analysis.ingest` (the bottom of the data path): :func:`read_raw`
(:mod:`analysis.ingest.raw`), the header synonyms (:mod:`analysis.ingest.headers`), the
raw frames (:mod:`analysis.ingest.frames`). Their public names are re-exported here, so
``analysis.io.read_raw`` and the synonym tables keep working where notebooks, benchmarks
and docs use them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .atomic import (
    atomic_path,
    current_umask,
    write_atomic,
    write_parquet_atomic,
    write_text_atomic,
)
from .ingest.csvfile import RaggedRowsError, ragged_error, sniff_csv
from .ingest.files import scan_folder
from .ingest.frames import RawTable, as_text, concat_raw, frame_from_rows
from .ingest.headers import (
    LOG_SYNONYMS,
    RESULT_SYNONYMS,
    ROSTER_SYNONYMS,
    canonicalize_columns,
    classify,
    header_key,
)
from .ingest.raw import RAW_SUFFIXES, read_raw


def iter_raw_files(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """Raw data files below ``directory`` in a stable order.

    The files :func:`analysis.ingest.files.scan_folder` reads: hidden files, lock files,
    hipflex's own output folders, links, names that are not UTF-8 and endings hipflex
    does not read are left out (``scan_folder`` lists each with why).
    """
    yield from scan_folder(directory).files


__all__ = [
    "LOG_SYNONYMS",
    "RAW_SUFFIXES",
    "RESULT_SYNONYMS",
    "ROSTER_SYNONYMS",
    "RaggedRowsError",
    "RawTable",
    "as_text",
    "atomic_path",
    "canonicalize_columns",
    "classify",
    "concat_raw",
    "current_umask",
    "frame_from_rows",
    "header_key",
    "iter_raw_files",
    "ragged_error",
    "read_raw",
    "sniff_csv",
    "write_atomic",
    "write_parquet_atomic",
    "write_text_atomic",
]
