"""Digests of a report's inputs and the manifest that stores them (``OUT/.hipflex/manifest.json``).

Digests build on :func:`analysis.fingerprint.fingerprint`, the key of the dataset cache too.
An unchanged report is one whose digest equals the one in the manifest: see
:func:`analysis.reports.batch.plan.plan_reports` for what goes into it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ...fingerprint import code_digest, reference_files, sha
from ...io import write_text_atomic
from .state import discarded, valid_manifest


def row_hashes(df: pd.DataFrame) -> Any:
    """uint64 hash per row (column names and dtypes hashed separately: :func:`table_schema`)."""
    if len(df) == 0:
        return pd.util.hash_array(pd.Series([], dtype="int64").to_numpy())
    return pd.util.hash_pandas_object(df, index=False).to_numpy()


def table_schema(df: pd.DataFrame) -> str:
    """The column names and dtypes of ``df``, as JSON."""
    return json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()])


class TableHasher:
    """Digests of whole tables, and of the rows of one athlete, from one hashing pass."""

    def __init__(self, tables: dict[str, pd.DataFrame], owner: dict[str, pd.Series]) -> None:
        self.tables = tables
        self.hashes = {k: row_hashes(v) for k, v in tables.items()}
        self.schema = {k: table_schema(v) for k, v in tables.items()}
        self.groups = {
            k: pd.Series(range(len(o)), dtype="int64").groupby(o.to_numpy(), sort=False).indices
            for k, o in owner.items()
        }

    def whole(self, *names: str) -> str:
        """Digest of the tables ``names``, whole."""
        return sha(*[x for n in names for x in (n, self.schema[n], self.hashes[n].tobytes())])

    def athlete(self, athlete_id: str, *names: str) -> str:
        """Digest of ``athlete_id``'s rows of the tables ``names``."""
        parts: list[bytes | str] = [athlete_id]
        for n in names:
            idx = self.groups[n].get(athlete_id)
            rows = self.hashes[n][idx] if idx is not None else self.hashes[n][:0]
            parts += [n, self.schema[n], rows.tobytes()]
        return sha(*parts)


# --------------------------------------------------------------------------- manifest


def read_manifest(path: Path) -> dict:
    """The reports of the manifest at ``path``; ``{}`` when there is none, or when it is not
    one hipflex wrote (:func:`analysis.reports.batch.state.valid_manifest`: then one line says
    it is rebuilt)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        discarded(path, f"unreadable: {type(exc).__name__}")
        return {}
    reports, why = valid_manifest(data)
    if why:
        discarded(path, why)
    return reports


def write_manifest(path: Path, reports: dict) -> None:
    """Write the manifest (``{"version": 1, "reports": reports}``) atomically to ``path``."""
    write_text_atomic(
        path, json.dumps({"version": 1, "reports": reports}, indent=1, sort_keys=True)
    )


__all__ = [
    "TableHasher",
    "code_digest",
    "read_manifest",
    "reference_files",
    "row_hashes",
    "table_schema",
    "write_manifest",
]


#: The old names (scripts and tests use them).
_read_manifest = read_manifest
_write_manifest = write_manifest
