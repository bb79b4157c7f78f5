"""Digests of a report's inputs and the manifest that stores them (``OUT/.hipflex/manifest.json``).

An unchanged report is one whose digest equals the one in the manifest: see
:func:`analysis.reports.plan.plan_reports` for what goes into it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from .._version import __version__
from ..io import write_text_atomic


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def reference_files() -> list[Path]:
    """The reference tables every report may read: the world-class splits drawn in each
    athlete report and the exercise catalog in use (``$HIPFLEX_CATALOG`` or
    ``data/reference/exercises.csv``: its display names label the volume charts)."""
    from .. import fatigue
    from ..catalog import default_catalog_path

    return [Path(fatigue.ELITE_SPLITS_PATH), Path(default_catalog_path())]


def code_digest() -> str:
    """Hash of the package version, every source and data file of the package, and the
    reference tables of :func:`reference_files` (a missing one hashes as missing)."""
    root = Path(__file__).resolve().parents[1]
    parts: list[bytes | str] = [__version__]
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in {".py", ".csv", ".mplstyle", ".json"}:
            parts += [str(p.relative_to(root)), p.read_bytes()]
    for p in reference_files():
        try:
            parts += [str(p), p.read_bytes()]
        except OSError:
            parts += [str(p), b"missing"]
    return _sha(*parts)


def _row_hashes(df: pd.DataFrame) -> Any:
    """uint64 hash per row (column names and dtypes hashed separately)."""
    if len(df) == 0:
        return pd.util.hash_array(pd.Series([], dtype="int64").to_numpy())
    return pd.util.hash_pandas_object(df, index=False).to_numpy()


def _schema(df: pd.DataFrame) -> str:
    return json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()])


class _TableHasher:
    """Digests of whole tables, and of the rows of one athlete, from one hashing pass."""

    def __init__(self, tables: dict[str, pd.DataFrame], owner: dict[str, pd.Series]) -> None:
        self.tables = tables
        self.hashes = {k: _row_hashes(v) for k, v in tables.items()}
        self.schema = {k: _schema(v) for k, v in tables.items()}
        self.groups = {
            k: pd.Series(range(len(o)), dtype="int64").groupby(o.to_numpy(), sort=False).indices
            for k, o in owner.items()
        }

    def whole(self, *names: str) -> str:
        return _sha(*[x for n in names for x in (n, self.schema[n], self.hashes[n].tobytes())])

    def athlete(self, athlete_id: str, *names: str) -> str:
        parts: list[bytes | str] = [athlete_id]
        for n in names:
            idx = self.groups[n].get(athlete_id)
            rows = self.hashes[n][idx] if idx is not None else self.hashes[n][:0]
            parts += [n, self.schema[n], rows.tobytes()]
        return _sha(*parts)


# --------------------------------------------------------------------------- manifest


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data.get("reports", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(path: Path, reports: dict) -> None:
    write_text_atomic(
        path, json.dumps({"version": 1, "reports": reports}, indent=1, sort_keys=True)
    )
