"""The report layer: plan a batch of reports, run the notebooks, export them, index them; and
the pages the notebooks show. Two subpackages, one concern each:

:mod:`analysis.reports.batch` — the machinery, in the order a batch uses it:

- :mod:`~analysis.reports.batch.settings` — :class:`ReportSettings`, the batch's settings;
- :mod:`~analysis.reports.batch.jobs` — the pinned notebooks, :class:`ReportJob`,
  :class:`ReportStatus`, :class:`BatchResult`, a kernel's parameters;
- :mod:`~analysis.reports.batch.manifest` — digests of a report's inputs and the manifest;
- :mod:`~analysis.reports.batch.plan` — which reports a dataset has (:func:`plan_reports`);
- :mod:`~analysis.reports.batch.state` — everything read back from ``OUT/.hipflex``
  validated;
- :mod:`~analysis.reports.batch.kernels` — the IPC kernel manager, start failures;
- :mod:`~analysis.reports.batch.worker` — one report run in a worker (:func:`run_one`);
- :mod:`~analysis.reports.batch.runner` — the worker processes (:func:`run_jobs`);
- :mod:`~analysis.reports.batch.procs` — a worker's descendants, the ``--jobs`` default;
- :mod:`~analysis.reports.batch.cluster` — the same batch as tasks on a Dask cluster
  (``--scheduler``; the ``hipflex[dask]`` extra), and
  :mod:`~analysis.reports.batch.cluster_worker`, what runs on a Dask worker;
- :mod:`~analysis.reports.batch.export` — HTML export, failure pages, atomic renames;
- :mod:`~analysis.reports.batch.index` — ``OUT/index.html``;
- :mod:`~analysis.reports.batch.build` — the whole batch (:func:`build_reports`,
  ``hipflex report``).

:mod:`analysis.reports.pages` — what the notebooks show:

- :mod:`~analysis.reports.pages.load` — how every page loads its data (a kernel's
  ``tables`` parameter, or the folder; the sample made on first use);
- :mod:`~analysis.reports.pages.display` — escaped paragraphs and tables, recorded results,
  the synthetic-data banner; :mod:`~analysis.reports.pages.html` — the HTML helpers of the
  pages hipflex writes itself (index, failure page);
- :mod:`~analysis.reports.pages.words` — labels, counts and estimates in words;
- :mod:`~analysis.reports.pages.athlete` — :class:`AthleteReport`;
- :mod:`~analysis.reports.pages.cohort` — :class:`CohortReport` and the cohort rule;
- :mod:`~analysis.reports.pages.squad` — :class:`SquadReport` (the squad's answer) and the
  takeaway that opens each athlete report (its words: ``squad_words``; past
  ``SQUAD_SUMMARY_ATHLETES``: ``squad_scale``);
- :mod:`~analysis.reports.pages.quality` — the data-quality tables;
- :mod:`~analysis.reports.pages.injuries` — the injury sections;
- :mod:`~analysis.reports.pages.season` and :mod:`~analysis.reports.pages.workbooks` — the
  attention list, plan adherence and the exports;
- :mod:`~analysis.reports.pages.explore` — helpers of ``explore.ipynb``.

:mod:`analysis.reports.outputs` holds what both share about ``OUT``: page names.
The pages never import the batch.

Notebooks use ``from analysis import reports as rp`` and the names listed in ``__all__``;
they are imported on first use, so a worker process that only runs notebooks does not load
the pages.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> module of this package (or ``analysis.stats``) that defines it.
_NAMES = {
    "BatchResult": "batch.jobs",
    "NOTEBOOKS": "batch.jobs",
    "ReportJob": "batch.jobs",
    "ReportStatus": "batch.jobs",
    "default_notebooks_dir": "batch.jobs",
    "code_digest": "batch.manifest",
    "reference_files": "batch.manifest",
    "plan_reports": "batch.plan",
    "run_one": "batch.worker",
    "run_jobs": "batch.runner",
    "error_summary": "batch.export",
    "write_index": "batch.index",
    "build_reports": "batch.build",
    "ReportSettings": "batch.settings",
    "NO_MATHS": "pages.display",
    "RESULTS_MIME": "pages.display",
    "esc": "pages.display",
    "paragraph": "pages.display",
    "record": "pages.display",
    "synthetic_banner": "pages.display",
    "table_html": "pages.display",
    "LABELS": "pages.words",
    "column_label": "pages.words",
    "estimate_in_words": "pages.words",
    "exercise_names": "pages.words",
    "races_phrase": "pages.words",
    "AthleteReport": "pages.athlete",
    "NOT_COHORTS": "pages.cohort",
    "TEST_HEADERS": "pages.cohort",
    "CohortReport": "pages.cohort",
    "athlete_means": "pages.cohort",
    "cohort_columns": "pages.cohort",
    "cohort_summary": "pages.cohort",
    "cohort_tests": "pages.cohort",
    "cohort_terms": "pages.cohort",
    "cohort_words": "pages.cohort",
    "hf_reps_per_week": "..volume_weekly",
    "not_a_cohort": "pages.cohort",
    "summary_table": "pages.cohort",
    "tests_table": "pages.cohort",
    "quality_results": "pages.quality",
    "formats_read": "pages.quality",
    "not_in_roster": "pages.quality",
    "reconciliation_table": "pages.quality",
    "roll_up_sheets": "pages.quality",
    "rejects_by_reason": "pages.quality",
    "unknown_names": "pages.quality",
    "unmapped_exercises": "pages.quality",
    "mask_health_rejects": "pages.injuries",
    "load_or_sample": "pages.load",
    "who_trained_what": "pages.explore",
    "SquadReport": "pages.squad",
    "athlete_takeaway": "pages.squad",
    "format_p": "pages.squad_words",
    "takeaway_html": "pages.squad",
    "Estimate": "..stats",
    "estimate_caveat": "..stats",
    "within_athlete_estimate": "..stats",
}

__all__ = sorted(_NAMES)

#: The modules by their names before ``batch/`` and ``pages/`` (``rp.squad.headline_words``).
_MODULES = {
    **{m: "batch." + m for m in ("build", "cluster", "cluster_worker", "export", "index",
                                  "jobs", "kernels", "manifest", "plan", "procs", "runner",
                                  "settings", "state", "worker")},
    **{m: "pages." + m for m in ("athlete", "cohort", "display", "explore", "html", "injuries",
                                  "load", "quality", "season", "squad", "squad_scale",
                                  "squad_words", "words", "workbooks")},
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module("." + _MODULES[name], __name__)
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    relative = module if module.startswith(".") else "." + module
    value = getattr(importlib.import_module(relative, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
