"""The report layer: plan a batch of reports, run the notebooks, export them, index them; and
the views the notebooks call.

Modules, one concern each, in the order a batch uses them:

- :mod:`~analysis.reports.jobs` — the pinned notebooks, :class:`ReportJob`,
  :class:`ReportStatus`, :class:`BatchResult`;
- :mod:`~analysis.reports.manifest` — digests of a report's inputs and the manifest;
- :mod:`~analysis.reports.plan` — which reports a dataset has (:func:`plan_reports`);
- :mod:`~analysis.reports.kernels` — the IPC kernel manager, start failures;
- :mod:`~analysis.reports.worker` — one report run in a worker (:func:`run_one`);
- :mod:`~analysis.reports.runner` — the worker processes (:func:`run_jobs`);
- :mod:`~analysis.reports.procs` — a worker's descendants, the ``--jobs`` default;
- :mod:`~analysis.reports.cluster` — the same batch as tasks on a Dask cluster
  (``--scheduler``; the ``hipflex[dask]`` extra), and
  :mod:`~analysis.reports.cluster_worker`, what runs on a Dask worker;
- :mod:`~analysis.reports.export` — HTML export, failure pages, atomic renames;
- :mod:`~analysis.reports.index` — ``OUT/index.html``;
- :mod:`~analysis.reports.build` — the whole batch (:func:`build_reports`, ``hipflex report``);

and what the notebooks show:

- :mod:`~analysis.reports.display` — escaped paragraphs and tables, recorded results, the
  synthetic-data banner;
- :mod:`~analysis.reports.words` — labels, counts and estimates in words;
- :mod:`~analysis.reports.athlete` — :class:`AthleteReport`;
- :mod:`~analysis.reports.cohort` — :class:`CohortReport` and the cohort rule;
- :mod:`~analysis.reports.squad` — :class:`SquadReport` (the squad's answer) and the
  takeaway that opens each athlete report;
- :mod:`~analysis.reports.quality` — the data-quality tables;
- :mod:`~analysis.reports.explore` — helpers of ``explore.ipynb``.

Notebooks use ``from analysis import reports as rp`` and the names listed in ``__all__``;
they are imported on first use, so a worker process that only runs notebooks does not load
the views.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> module of this package (or ``analysis.stats``) that defines it.
_NAMES = {
    "BatchResult": "jobs",
    "NOTEBOOKS": "jobs",
    "ReportJob": "jobs",
    "ReportStatus": "jobs",
    "default_notebooks_dir": "jobs",
    "code_digest": "manifest",
    "reference_files": "manifest",
    "plan_reports": "plan",
    "run_one": "worker",
    "run_jobs": "runner",
    "error_summary": "export",
    "write_index": "index",
    "build_reports": "build",
    "NO_MATHS": "display",
    "RESULTS_MIME": "display",
    "esc": "display",
    "paragraph": "display",
    "record": "display",
    "synthetic_banner": "display",
    "table_html": "display",
    "LABELS": "words",
    "column_label": "words",
    "estimate_in_words": "words",
    "exercise_names": "words",
    "races_phrase": "words",
    "AthleteReport": "athlete",
    "NOT_COHORTS": "cohort",
    "TEST_HEADERS": "cohort",
    "CohortReport": "cohort",
    "athlete_means": "cohort",
    "cohort_columns": "cohort",
    "cohort_summary": "cohort",
    "cohort_tests": "cohort",
    "cohort_terms": "cohort",
    "cohort_words": "cohort",
    "hf_reps_per_week": "cohort",
    "not_a_cohort": "cohort",
    "summary_table": "cohort",
    "tests_table": "cohort",
    "quality_results": "quality",
    "formats_read": "quality",
    "not_in_roster": "quality",
    "reconciliation_table": "quality",
    "roll_up_sheets": "quality",
    "rejects_by_reason": "quality",
    "unknown_names": "quality",
    "unmapped_exercises": "quality",
    "mask_health_rejects": "injuries",
    "load_or_sample": "explore",
    "who_trained_what": "explore",
    "SquadReport": "squad",
    "athlete_takeaway": "squad",
    "format_p": "squad",
    "takeaway_html": "squad",
    "Estimate": "..stats",
    "estimate_caveat": "..stats",
    "within_athlete_estimate": "..stats",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    relative = module if module.startswith(".") else "." + module
    value = getattr(importlib.import_module(relative, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
