"""Defects of issue 13 found by reading, each pinned by a test that failed before its fix."""

from __future__ import annotations

import ast
import importlib
import json
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis as hf
from analysis import reports as rp
from analysis.reports.pages.cohort import cohort_tests, cohort_words, hf_reps_per_week

ROOT = Path(hf.__file__).resolve().parent


# ------------------------------------------------------------------ small cohorts


def _means(sizes: dict[str, int], seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for cohort, n in sizes.items():
        for i in range(n):
            rows.append(
                {
                    "athlete_id": f"{cohort}{i}",
                    "cohort": cohort,
                    "races": 4,
                    "hf_reps_per_week": float(rng.normal(300, 40)),
                    "differential_s": float(rng.normal(1.2, 0.3)),
                    "velocity_loss_pct": float(rng.normal(10, 2)),
                    "hf_reps_window": float(rng.normal(900, 100)),
                }
            )
    return pd.DataFrame(rows).astype({"cohort": "string"})


def test_a_cohort_under_two_athletes_is_named_as_left_out() -> None:
    means = _means({"400 squad": 4, "200 squad": 3, "hurdles": 1})
    tests = cohort_tests(means)
    assert len(tests) == 3  # one comparison per metric between the two real groups
    assert set(tests["group_a"]) | set(tests["group_b"]) == {"400 squad", "200 squad"}
    assert tests["note"].str.contains("hurdles").all(), tests["note"].tolist()
    assert tests["note"].str.contains("1 athlete").all()
    words = cohort_words(tests, "squad")
    assert "hurdles" in words and "left out" in words


def test_too_few_athletes_everywhere_still_names_the_groups_left_out() -> None:
    means = _means({"400 squad": 3, "hurdles": 1})
    tests = cohort_tests(means)
    assert tests.empty
    words = cohort_words(tests, "squad", means=means)
    assert "hurdles" in words and "1 athlete" in words


# ------------------------------------------------------------------ compare_groups pairs


def test_compare_groups_refuses_an_unknown_pairs_with_two_groups() -> None:
    d = pd.DataFrame({"v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "g": list("aaabbb")})
    with pytest.raises(ValueError, match="pairs"):
        hf.stats.compare_groups(d, "v", "g", pairs="bogus", n_resamples=50)
    assert len(hf.stats.compare_groups(d, "v", "g", pairs="all", n_resamples=50)) == 1


# ------------------------------------------------------------------ weekly volume


def _log(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "athlete_id": [r[0] for r in rows],
            "date": pd.to_datetime([r[1] for r in rows]),
            "hf_reps": pd.array([r[2] for r in rows], dtype="Float64"),
        }
    )


def test_one_logged_day_is_one_week_of_volume_not_seven() -> None:
    weekly = hf_reps_per_week(_log([("A", "2026-03-04", 120.0)]))
    assert weekly["A"] == pytest.approx(120.0)


def test_weekly_volume_counts_calendar_weeks_of_the_athletes_season() -> None:
    log = _log(
        [
            ("mon_sun", "2026-03-02", 100.0),  # Monday ...
            ("mon_sun", "2026-03-08", 100.0),  # ... and Sunday of the same week
            ("sun_mon", "2026-03-08", 100.0),  # a Sunday and the next Monday: two weeks
            ("sun_mon", "2026-03-09", 100.0),
            ("ten", "2026-01-05", 500.0),  # ten calendar weeks, logged on two days
            ("ten", "2026-03-15", 500.0),
        ]
    )
    weekly = hf_reps_per_week(log)
    assert weekly["mon_sun"] == pytest.approx(200.0)
    assert weekly["sun_mon"] == pytest.approx(100.0)
    assert weekly["ten"] == pytest.approx(100.0)


def test_weekly_volume_spans_the_races_of_the_season_too() -> None:
    log = _log([("A", "2026-03-02", 300.0)])
    races = pd.DataFrame(
        {"athlete_id": ["A", "A"], "date": pd.to_datetime(["2026-03-04", "2026-03-20"])}
    )
    # the season runs from the week of 2 March to the week of 20 March: three weeks
    assert hf_reps_per_week(log, races)["A"] == pytest.approx(100.0)


# ------------------------------------------------------------------ umask


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_io_reads_the_umask_without_changing_it(tmp_path: Path) -> None:
    # a spy on os.umask, installed before hipflex is imported: importing analysis.io and
    # writing a file must never set the process umask (other threads may be creating files)
    code = (
        "import os, sys\n"
        "calls = []\n"
        "real = os.umask\n"
        "os.umask = lambda m: (calls.append(m), real(m))[1]\n"
        "import analysis.io as io\n"
        "io.write_text_atomic(sys.argv[1], 'x')\n"
        "print(calls)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "f.txt")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_atomic_files_get_the_umask_in_effect_when_written(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        "from analysis.io import write_text_atomic\n"
        "os.umask(0o027)\n"
        "p = write_text_atomic(sys.argv[1], 'x')\n"
        "print(oct(os.stat(p).st_mode & 0o777))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "f.txt")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == oct(0o640)
    assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == 0o640


# ------------------------------------------------------------------ asserts on input

#: Modules that read what users give: they raise DataError (or ValueError), never assert
#: (``python -O`` strips asserts, and an AssertionError is a traceback, not a message).
INPUT_MODULES = (
    "io",
    "dates",
    "names",
    "catalog",
    "prescription",
    "logs",
    "sprints",
    "dataset",
    "config",
    "schema",
)


@pytest.mark.parametrize("name", INPUT_MODULES)
def test_input_modules_never_assert(name: str) -> None:
    # a module, or a package of modules (analysis/sprints/): every file of it
    paths = [ROOT / f"{name}.py"] if (ROOT / f"{name}.py").exists() else (ROOT / name).rglob("*.py")
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert not lines, f"{path.name}: assert on lines {lines}"


# ------------------------------------------------------------------ truth.json reasons


def test_sample_truth_uses_the_cleaners_reason_words(tmp_path: Path) -> None:
    from analysis.reasons import REASONS
    from analysis.sample import write_sample

    write_sample(tmp_path / "s")
    truth = json.loads((tmp_path / "s" / "truth.json").read_text(encoding="utf-8"))
    faults = [
        f for group in ("rejected", "results") for f in truth["faults"][group] if "reason" in f
    ]
    assert faults and {f["reason"] for f in faults} <= set(REASONS)
    ds = hf.load_dataset(tmp_path / "s", today=pd.Timestamp("2026-12-01").date())
    rej = ds.rejects.astype({"source_row": "int64"})
    for f in faults:
        said = rej.loc[
            (rej["source"] == f["source"]) & (rej["source_row"] == f["source_row"]), "reason"
        ]
        assert f["reason"] in set(said), (f, said.tolist())


def test_reason_words_are_one_list_the_cleaners_use() -> None:
    from analysis import reasons

    assert len(set(reasons.REASONS)) == len(reasons.REASONS)
    assert (
        reasons.UNPARSEABLE_PRESCRIPTION
        == importlib.import_module("analysis.prescription").UNPARSEABLE
    )
    assert rp is not None
