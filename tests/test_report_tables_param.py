"""A report kernel reads its tables from its ``tables`` parameter, and from nothing else.

``hipflex report`` hands each kernel the run's snapshot of the cleaned tables as the
notebook parameter ``tables``; no environment variable stands in for it (issue 23). Here a
notebook runs through papermill with ``data_dir`` pointing at one folder, ``tables`` at the
snapshot of another data set, and ``$HIPFLEX_SNAPSHOT`` (the variable kernels once read)
at a third: the page shows the parameter's tables.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

import analysis as hf
from analysis import reports as rp
from analysis.dataset import save_dataset
from analysis.reports.batch.runner import with_report_defaults
from analysis.sample import write_sample

pytestmark = pytest.mark.slow

RESULTS_MIME = "application/vnd.hipflex.results+json"


def _recorded(path: Path) -> dict:
    out: dict = {}
    for cell in nbformat.read(path, as_version=4).cells:
        for o in cell.get("outputs", []):
            value = o.get("data", {}).get(RESULTS_MIME)
            if value is not None:
                out.update(json.loads(value) if isinstance(value, str) else value)
    return out


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """A data folder, a snapshot of another data set, and a third snapshot."""
    root = tmp_path_factory.mktemp("param")
    folder = root / "folder"
    write_sample(folder, athletes=2, seed=3, today="2026-11-01")
    other = root / "other"
    write_sample(other, athletes=3, seed=5, today="2026-11-01")
    param = hf.load_dataset(other)
    save_dataset(param, root / "snapshot")
    decoy = hf.load_dataset(folder).athlete("A01")
    save_dataset(decoy, root / "decoy")
    return folder, root / "snapshot", root / "decoy", param


def _run(notebook: str, out: Path, parameters: dict, decoy: Path, monkeypatch) -> Path:
    import papermill as pm

    for k, v in with_report_defaults(dict(os.environ)).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("HIPFLEX_SNAPSHOT", str(decoy))  # read by nothing
    nb = rp.default_notebooks_dir() / notebook
    pm.execute_notebook(
        str(nb), str(out), parameters=parameters, cwd=str(nb.parent), progress_bar=False
    )
    return out


def test_a_kernel_reads_its_tables_from_its_parameter(three, tmp_path, monkeypatch):
    folder, snapshot, decoy, param = three
    out = _run(
        "data_quality.ipynb",
        tmp_path / "dq.ipynb",
        {"data_dir": str(folder), "tables": str(snapshot)},
        decoy,
        monkeypatch,
    )
    got = _recorded(out)
    assert got["rows_read"] == rp.quality_results(param)["rows_read"]
    assert got["rows_read"] != rp.quality_results(hf.load_dataset(folder))["rows_read"]


def test_an_athlete_kernel_finds_an_athlete_only_its_tables_hold(three, tmp_path, monkeypatch):
    folder, snapshot, decoy, param = three
    assert "A03" in set(param.athletes["athlete_id"])  # the folder has A01 and A02 only
    out = _run(
        "athlete_report.ipynb",
        tmp_path / "a03.ipynb",
        {"data_dir": str(folder), "athlete_id": "A03", "takeaway": [], "tables": str(snapshot)},
        decoy,
        monkeypatch,
    )
    assert _recorded(out)  # the report ran to its last cell on the parameter's tables
