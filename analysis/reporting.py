"""Deprecated: what the report notebooks show now lives in :mod:`analysis.reports`
(:mod:`~analysis.reports.display`, :mod:`~analysis.reports.words`,
:mod:`~analysis.reports.athlete`, :mod:`~analysis.reports.cohort`,
:mod:`~analysis.reports.quality`, :mod:`~analysis.reports.explore`), and the
within-athlete slope in :mod:`analysis.stats`.

This module re-exports the names it had so that notebooks of your own keep working for
one release (hipflex 0.1.x); it will be removed after that. Use instead::

    from analysis import reports as rp
"""

from __future__ import annotations

from .reports.athlete import AthleteReport
from .reports.cohort import (
    NOT_COHORTS,
    TEST_HEADERS,
    CohortReport,
    athlete_means,
    cohort_columns,
    cohort_summary,
    cohort_tests,
    cohort_words,
    hf_reps_per_week,
    not_a_cohort,
    summary_table,
    tests_table,
)
from .reports.display import (
    NO_MATHS,
    RESULTS_MIME,
    esc,
    paragraph,
    record,
    synthetic_banner,
    table_html,
)
from .reports.explore import load_or_sample, who_trained_what
from .reports.quality import quality_results, rejects_by_reason, unknown_names, unmapped_exercises
from .reports.words import LABELS, column_label, estimate_in_words, exercise_names, races_phrase
from .stats import SMALL_DOF, WIDE_CI_S, Estimate, estimate_caveat, within_athlete_estimate

__all__ = [
    "LABELS",
    "NOT_COHORTS",
    "NO_MATHS",
    "RESULTS_MIME",
    "SMALL_DOF",
    "TEST_HEADERS",
    "WIDE_CI_S",
    "AthleteReport",
    "CohortReport",
    "Estimate",
    "athlete_means",
    "cohort_columns",
    "cohort_summary",
    "cohort_tests",
    "cohort_words",
    "column_label",
    "esc",
    "estimate_caveat",
    "estimate_in_words",
    "exercise_names",
    "hf_reps_per_week",
    "load_or_sample",
    "not_a_cohort",
    "paragraph",
    "quality_results",
    "races_phrase",
    "record",
    "rejects_by_reason",
    "summary_table",
    "synthetic_banner",
    "table_html",
    "tests_table",
    "unknown_names",
    "unmapped_exercises",
    "who_trained_what",
    "within_athlete_estimate",
]
