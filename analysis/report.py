"""Deprecated: the report batch now lives in :mod:`analysis.reports` (one module per concern).

This module re-exports the names it had so that existing scripts keep working for one
release (hipflex 0.1.x); it will be removed after that. Use instead::

    from analysis.reports import build_reports, plan_reports, run_jobs
"""

from __future__ import annotations

import sys

from .reports.build import build_reports
from .reports.export import error_summary
from .reports.index import write_index
from .reports.jobs import (
    DEFAULT_WINDOW,
    KERNEL_NAME,
    MANIFEST,
    NOT_REPORTS,
    NOTEBOOKS,
    STATE_DIR,
    BatchResult,
    ReportJob,
    ReportStatus,
    default_notebooks_dir,
)
from .reports.manifest import code_digest, reference_files
from .reports.plan import plan_reports
from .reports.runner import run_jobs
from .reports.worker import _worker_main, run_one

__all__ = [
    "DEFAULT_WINDOW",
    "KERNEL_NAME",
    "MANIFEST",
    "NOTEBOOKS",
    "NOT_REPORTS",
    "STATE_DIR",
    "BatchResult",
    "ReportJob",
    "ReportStatus",
    "build_reports",
    "code_digest",
    "default_notebooks_dir",
    "error_summary",
    "plan_reports",
    "reference_files",
    "run_jobs",
    "run_one",
    "write_index",
]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(_worker_main())
