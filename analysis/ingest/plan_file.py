"""Which data-folder file is the coach's plan, at the bottom of the house.

File discovery and ``hipflex inspect`` need to tell the plan from a training log; the plan
itself is read by :func:`analysis.plan.load_plan`. The test lives here so that the ingest
stage never imports the clean stage.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PLAN_FILE_STEMS", "is_plan_file"]

#: File stems recognised as the plan (pinned: ``plan.csv`` / ``plan.xlsx``).
PLAN_FILE_STEMS = ("plan",)


def is_plan_file(path: str | Path) -> bool:
    """True for a data-folder file that is the coach's plan (``plan.csv``, ``plan.xlsx``, ``plan.ods``)."""
    p = Path(path)
    return p.stem.strip().lower() in PLAN_FILE_STEMS and p.suffix.lower() in (
        ".csv",
        ".xlsx",
        ".xlsm",
        ".ods",
        ".tsv",
        ".txt",
    )
