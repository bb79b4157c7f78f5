"""``OUT/.hipflex`` read back without trusting it: what a file there says is used only when
it has the shape hipflex writes and stays where hipflex writes.

The state folder sits beside the pages, on a disk other people may write to: an edited
``plan.json`` must not run another notebook or write a page outside ``OUT``, a manifest
entry ``../victim`` must not delete a file outside it, and JSON of the wrong shape
(``{"reports": [1, 2]}``, ``[]``) must not fail every run from then on. So:

* a **target** (a page's path without suffix) is one of hipflex's own
  (:func:`valid_target`): ``squad``, ``data_quality``, ``athletes/<name>``,
  ``cohorts/<name>``, ``extra/<name>``, a name of safe characters only — always inside
  ``OUT``;
* a **notebook** of a plan is a notebook of the notebooks folder of this run, the pinned
  one for its kind (:func:`valid_plan`);
* a **plan** carries a digest of its own content, checked on read;
* a **manifest** is a mapping of targets to entries of strings (:func:`valid_manifest`).

Anything else is discarded and rebuilt, with one line on stderr saying so
(:func:`discarded`).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from ..outputs import discarded
from .jobs import NOT_REPORTS, NOTEBOOKS

__all__ = [
    "CACHE_KEEP",
    "discarded",
    "evict_cache",
    "inside",
    "plan_digest",
    "valid_manifest",
    "valid_plan",
    "valid_target",
]

_NAME = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}"
_TARGET = re.compile(rf"(?:squad|data_quality|(?:athletes|cohorts|extra)/{_NAME})")
_KINDS = {"squad": "squad", "data_quality": "data_quality", "athlete": "athletes/",
          "cohort": "cohorts/", "extra": "extra/"}  # fmt: skip
_STATUSES = {"ok", "failed"}


def valid_target(target: object) -> bool:
    """Whether ``target`` is a page path hipflex writes (always inside ``OUT``).

    Examples
    --------
    >>> valid_target("athletes/A01"), valid_target("../victim"), valid_target("athletes/..")
    (True, False, False)
    """
    return (
        isinstance(target, str)
        and _TARGET.fullmatch(target) is not None
        and ".." not in target
        and not target.endswith(".")
    )


def inside(out: Path, target: str) -> bool:
    """Whether ``OUT/<target>`` resolves inside ``OUT`` (a last check before a file is
    written or removed)."""
    try:
        root = Path(out).resolve()
        return (root / target).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


def valid_manifest(data: object) -> tuple[dict, str]:
    """``(reports, "")`` when ``data`` is a manifest hipflex wrote, else ``({}, why)``."""
    if not isinstance(data, dict) or not isinstance(data.get("reports", {}), dict):
        return {}, "not a mapping of reports"
    reports = data.get("reports", {})
    for target, entry in reports.items():
        if not valid_target(target):
            return {}, f"a report outside the output folder: {target!r}"[:200]
        if not isinstance(entry, dict):
            return {}, f"entry of {target} is not a mapping"
        for key in ("digest", "html_sha", "status"):
            if not isinstance(entry.get(key, ""), str):
                return {}, f"entry of {target}: {key} is not text"
        if entry.get("status", "ok") not in _STATUSES:
            return {}, f"entry of {target}: unknown status"
    return reports, ""


def plan_digest(key: str, jobs: list) -> str:
    """SHA-256 binding a plan's jobs to the key they were made under."""
    text = json.dumps({"key": key, "jobs": jobs}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def valid_plan(saved: object, nb_dir: Path, data_dir: str) -> str:
    """'' when ``saved`` (``plan.json``) is a plan hipflex made for this notebooks folder
    and data folder, else why not.

    Each job's notebook must be a file of ``nb_dir`` — the pinned notebook of its kind, or
    a notebook of your own for ``extra`` —, its target one of hipflex's own
    (:func:`valid_target`) of the right kind, its parameters a mapping whose ``data_dir``
    is this data folder; the plan's digest must match its content.
    """
    if not isinstance(saved, dict) or not isinstance(saved.get("jobs"), list):
        return "not a plan"
    if saved.get("digest") != plan_digest(str(saved.get("key")), saved["jobs"]):
        return "its digest does not match its content"
    folder = nb_dir.resolve()
    in_folder_of: dict[str, bool] = {}  # each distinct notebook checked once
    for job in saved["jobs"]:
        if not isinstance(job, dict):
            return "a job is not a mapping"
        kind, target, nb = job.get("kind"), job.get("target"), job.get("notebook")
        if kind not in _KINDS or not valid_target(target) or not target.startswith(_KINDS[kind]):
            return f"a report outside the output folder: {str(target)[:80]!r}"
        if not isinstance(nb, str):
            return "a notebook that is not a path"
        path = Path(nb)
        if nb not in in_folder_of:
            try:
                in_folder_of[nb] = path.resolve().parent == folder and path.is_file()
            except (OSError, ValueError):
                in_folder_of[nb] = False
        in_folder = in_folder_of[nb]
        expected = NOTEBOOKS.get("athlete" if kind == "athlete" else kind)
        if kind == "extra":
            ok = in_folder and path.name not in NOT_REPORTS and path.suffix == ".ipynb"
        else:
            ok = in_folder and path.name == expected
        if not ok:
            return f"a notebook from outside the notebooks folder: {path.name[:80]!r}"
        params = job.get("parameters")
        if not isinstance(params, dict) or params.get("data_dir") != data_dir:
            return "parameters for another data folder"
        for key in ("key", "title", "digest", "tables"):
            if not isinstance(job.get(key, ""), str):
                return f"a job's {key} is not text"
    return ""


#: Entries the dataset cache keeps: the one the run uses and the most recent others.
CACHE_KEEP = 3

_CACHE_ENTRY = re.compile(r"[0-9a-f]{16,64}")


def evict_cache(cache_dir: Path, keep: str, n: int = CACHE_KEEP) -> list[Path]:
    """Remove old entries of the dataset cache; return what was removed.

    The rule (docs/scheduling.md): the cache keeps the entry this run uses (``keep``, its
    fingerprint) and the ``n - 1`` most recently written others; an entry that was never
    finished (no ``manifest.json``, a run killed while writing it) is removed once it is
    an hour old. Only folders named like a cache entry (a hex fingerprint) are touched.
    """
    import os
    import shutil
    import time

    cache_dir = Path(cache_dir)
    try:
        entries = [p for p in cache_dir.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    entries = [p for p in entries if _CACHE_ENTRY.fullmatch(p.name)]
    removed: list[Path] = []
    now = time.time()

    def written(p: Path) -> float:
        try:
            return (p / "manifest.json").stat().st_mtime
        except OSError:
            return -1.0

    complete = []
    for p in entries:
        if p.name == keep:
            continue
        t = written(p)
        if t < 0:
            try:
                old = now - p.stat().st_mtime > 3600
            except OSError:
                old = False
            if old:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        else:
            complete.append((t, p))
    with_keep = int(any(p.name == keep for p in entries))
    complete.sort(reverse=True)
    for _, p in complete[max(n - with_keep, 0) :]:
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    if with_keep:  # used now: the most recent
        try:
            os.utime(cache_dir / keep / "manifest.json")
        except OSError:
            pass
    return removed
