"""One fingerprint of what a result depends on: :func:`fingerprint`.

Every cache of hipflex is keyed by it — the cleaned dataset (``$HIPFLEX_CACHE_DIR``, see
:func:`analysis.load_dataset`) and the report manifest (``OUT/.hipflex/manifest.json``,
see :func:`analysis.reports.batch.plan.plan_reports`) — so that the two can never disagree on
what "unchanged" means. A fingerprint covers

- the **contents** of the input files (not their modification times: a file copied or
  touched without a change keeps its fingerprint, an edit that keeps the time does not);
- the **code**: the package version, every source and data file of the package and the
  reference tables (:func:`code_digest`), so a fix at the same version re-cleans and
  re-runs;
- every **effective setting** (:func:`effective_settings`): the hand-to-FAT offsets in
  effect (argument, ``$HIPFLEX_HAND_TO_FAT`` or default), the catalog in use and its
  contents, the layout file ``hipflex.toml`` of the data folder if present, the day/month
  order asked for, every project setting of :mod:`analysis.config`, and the **run's
  date** (future-dated rows are rejected relative to it: an entry dated 5 December,
  rejected on 4 December, is accepted on 10 December).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._version import __version__

#: Name of the layout file of a data folder (pinned in docs/architecture.md).
LAYOUT_FILE = "hipflex.toml"


def sha(*parts: bytes | str) -> str:
    """SHA-256 of length-prefixed parts (so that ``("ab", "c")`` differs from ``("a", "bc")``).

    Parameters
    ----------
    *parts : bytes or str
        The parts (text is UTF-8 encoded).

    Returns
    -------
    str
        The hex digest.
    """
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's contents (``"missing"`` when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return "missing"


def reference_files() -> list[Path]:
    """The reference tables every report may read: the world-class splits drawn in each
    athlete report and the exercise catalog in use (``$HIPFLEX_CATALOG`` or
    ``data/reference/exercises.csv``: its display names label the volume charts)."""
    from . import fatigue
    from .catalog import default_catalog_path

    return [Path(fatigue.ELITE_SPLITS_PATH), Path(default_catalog_path())]


def code_digest() -> str:
    """Hash of the package version, every source and data file of the package, and the
    reference tables of :func:`reference_files` (a missing one hashes as missing)."""
    root = Path(__file__).resolve().parent
    parts: list[bytes | str] = [__version__]
    for rel in _package_files(str(root)):
        with open(os.path.join(root, *rel), "rb") as fh:
            parts += [os.path.join(*rel), fh.read()]
    for p in reference_files():
        parts += [str(p), file_digest(p)]
    return sha(*parts)


#: The endings of the package's files that :func:`code_digest` hashes.
_CODE_SUFFIXES = frozenset({".py", ".csv", ".mplstyle", ".json", ".j2"})


def _package_files(root: str) -> list[tuple[str, ...]]:
    """The package's source and data files, as path parts under ``root``, in the order of
    ``sorted(Path(root).rglob("*"))``. Walked with ``os.scandir``, ``__pycache__`` not
    entered: a third of ``rglob``'s time on the package's ~200 files and its bytecode."""
    out: list[tuple[str, ...]] = []
    stack: list[tuple[str, ...]] = [()]
    while stack:
        here = stack.pop()
        with os.scandir(os.path.join(root, *here)) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):  # as rglob: links not entered
                    if entry.name != "__pycache__":
                        stack.append((*here, entry.name))
                elif entry.is_file() and os.path.splitext(entry.name)[1] in _CODE_SUFFIXES:
                    out.append((*here, entry.name))
    return sorted(out)


def _catalog_part(catalog: Any) -> str:
    if catalog is None:
        from .catalog import default_catalog_path

        catalog = default_catalog_path()
    if isinstance(catalog, str | os.PathLike):
        return f"{Path(catalog).resolve()}:{file_digest(catalog)}"
    import pandas as pd  # a catalog given as a table: its rows, columns and types

    rows = pd.util.hash_pandas_object(catalog, index=False).to_numpy().tobytes()
    return "table:" + sha(json.dumps([[str(c), str(t)] for c, t in catalog.dtypes.items()]), rows)


def effective_settings(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    catalog: Any = None,
    hand_to_fat: Mapping[int, float] | None = None,
    dayfirst: bool | None = None,
    today: _dt.date | None = None,
    run_date: bool = True,
) -> dict[str, str]:
    """Every setting that changes what hipflex makes of a data folder, as text.

    Parameters
    ----------
    data_dir : path, optional
        The data folder: its ``hipflex.toml`` (contents) when present.
    catalog : path or DataFrame, optional
        The catalog in use (default: ``$HIPFLEX_CATALOG`` or the project's).
    hand_to_fat : mapping, optional
        Overrides of the hand-to-FAT offsets (:func:`analysis.config.hand_to_fat`).
    dayfirst : bool, optional
        The day/month order asked for.
    today : date, optional
        The run's date (default :func:`analysis.config.today`).
    run_date : bool
        Include the run's date (False: settings that do not change with the day).
    """
    from . import config

    offsets = config.hand_to_fat(hand_to_fat)
    project = {
        k: repr(v) for k, v in sorted(vars(config).items()) if k.isupper() and not callable(v)
    }
    out = {
        "hand_to_fat": ",".join(f"{k}={v:g}" for k, v in sorted(offsets.items())),
        "catalog": _catalog_part(catalog),
        "layout": file_digest(Path(data_dir) / LAYOUT_FILE)
        if data_dir is not None and (Path(data_dir) / LAYOUT_FILE).is_file()
        else "none",
        "dayfirst": repr(dayfirst),
        "config": json.dumps(project, sort_keys=True),
    }
    if run_date:
        day = today if today is not None else config.today()
        out["run_date"] = str(day.isoformat() if hasattr(day, "isoformat") else day)
    return out


@dataclass(frozen=True)
class Fingerprint:
    """What a result depends on: file contents, code and settings (:func:`fingerprint`)."""

    files: str
    code: str
    settings: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The short key of a cache entry (20 hex digits)."""
        return sha(self.files, self.code, json.dumps(dict(self.settings), sort_keys=True))[:20]


def fingerprint(
    files: Iterable[str | os.PathLike[str]] = (),
    *,
    root: str | os.PathLike[str] | None = None,
    settings: Mapping[str, str] | None = None,
) -> Fingerprint:
    """The fingerprint of input files (by contents), the code and the effective settings.

    Parameters
    ----------
    files : iterable of paths
        Input files, hashed by name (relative to ``root`` when inside it) and contents.
    root : path, optional
        The data folder the files are named relative to.
    settings : mapping, optional
        :func:`effective_settings` (default: those of ``root`` with nothing overridden).

    Returns
    -------
    Fingerprint
        ``.key`` keys the dataset cache; the report manifest's digests include it.
    """
    base = Path(root) if root is not None else None
    parts: list[bytes | str] = []
    for p in map(Path, files):
        name = p.relative_to(base) if base is not None and p.is_relative_to(base) else p
        parts += [str(name), file_digest(p)]
    if settings is None:
        settings = effective_settings(root)
    return Fingerprint(files=sha(*parts), code=code_digest(), settings=dict(settings))


__all__ = [
    "LAYOUT_FILE",
    "Fingerprint",
    "code_digest",
    "effective_settings",
    "file_digest",
    "fingerprint",
    "reference_files",
]
