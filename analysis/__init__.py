"""hipflex: hip-flexor training volume and 200/400 m fatigue splits, for sprint coaches.

The public API (names pinned in docs/architecture.md)::

    import analysis as hf
    ds = hf.load_dataset("data/raw/sample")   # .athletes .log .races .splits .rejects
    hf.clean_training_log(raw_df, roster, catalog) -> (clean_df, rejects_df)
    hf.clean_sprints(raw_df, roster)               -> (races_df, splits_df, rejects_df)
    hf.fatigue_metrics(races, splits)              -> one row per race
    hf.daily_volume(log)                           -> athlete_id, date, hf_reps, hf_load_kg, ...
    hf.race_features(log, races, windows=(7, 14, 28, 42))
    hf.stats.rm_corr(data, x, y, subject)
    hf.stats.compare_groups(data, value, group)
    hf.plan_adherence(ds)                          -> athlete_id, week, planned/done hf reps, %
    hf.age_grade(event_m, seconds, sex, age)       -> WMA 2023 age-graded performance, percent
    hf.explore(ds_or_folder)                       -> the interactive explorer (ipywidgets)
"""

from __future__ import annotations

from ._version import __version__
from .adherence import plan_adherence
from .agegrade import age_grade
from .dataset import Dataset, load_dataset
from .errors import DataError, DataWarning
from .fatigue import fatigue_metrics
from .logs import clean_training_log
from .relate import race_features
from .sprints import clean_sprints
from .volume import daily_volume


def __getattr__(name: str):
    # ``hf.stats`` is imported on first use: it brings scipy.stats (and statsmodels for
    # a mixed model), which an athlete report does not need
    if name == "stats":
        import importlib

        return importlib.import_module(".stats", __name__)
    if name == "explore":  # the explorer brings ipywidgets (the ``hipflex[app]`` extra)
        from .explorer import explore

        return explore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DataError",
    "DataWarning",
    "Dataset",
    "__version__",
    "age_grade",
    "clean_sprints",
    "clean_training_log",
    "daily_volume",
    "explore",
    "fatigue_metrics",
    "load_dataset",
    "plan_adherence",
    "race_features",
    "stats",
]
