"""hipflex works installed from a wheel, outside a checkout, and the report notebooks run
on a fresh clone with their defaults (issue 13).

The wheel test builds the wheel, installs it with ``--no-deps`` into a fresh virtual
environment in ``tmp_path`` that borrows the project venv's dependencies through a ``.pth``
line (no download: fast and offline), and runs ``hipflex demo`` there from a folder that is
not the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

import analysis

pytestmark = pytest.mark.slow

REPO = Path(analysis.__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HIPFLEX_CATALOG")}
    env.pop("HIPFLEX_CACHE_DIR", None)
    env["MPLBACKEND"] = "Agg"
    # the borrowed dependencies' data files (nbconvert's templates): a real `pip install`
    # puts them under the new environment's share/jupyter, borrowing leaves them here
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (REPO / "pyproject.toml").is_file():
        pytest.skip("not a source checkout")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        env=_env(),
        cwd=out,
    )
    (whl,) = out.glob("hipflex-*.whl")
    return whl


def test_the_wheel_holds_the_package_data_as_real_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for f in (
            "analysis/data/reference/exercises.csv",
            "analysis/data/reference/elite_splits.csv",
            "analysis/notebooks/athlete_report.ipynb",
            "analysis/notebooks/cohort_comparison.ipynb",
            "analysis/notebooks/data_quality.ipynb",
            "analysis/plots/hipflex.mplstyle",
            "analysis/templates/index.html.j2",
        ):
            assert f in names, f
            info = z.getinfo(f)
            assert (info.external_attr >> 16) & 0o170000 != 0o120000, f"{f} is a link"
        shipped = z.read("analysis/data/reference/exercises.csv")
    assert shipped == (REPO / "data" / "reference" / "exercises.csv").read_bytes()


def test_hipflex_demo_runs_from_the_wheel_outside_the_checkout(wheel: Path, tmp_path) -> None:
    t0 = time.perf_counter()
    venv = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # the project's dependencies, without its editable hipflex (a .pth line adds a folder,
    # it does not run the .pth files inside it)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True, env=_env(),
    )  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [py, "-c", "import analysis, analysis.resources as r; print(analysis.__file__); "
         "print(r.notebooks_dir()); print(r.reference_path('exercises.csv').is_file())"],
        check=True, capture_output=True, text=True, cwd=work, env=_env(),
    ).stdout.split()  # fmt: skip
    assert Path(where[0]).is_relative_to(venv) and not Path(where[0]).is_relative_to(REPO)
    assert Path(where[1]).is_relative_to(venv) and where[2] == "True"
    run = subprocess.run(
        [venv / "bin" / "hipflex", "demo", "--athletes", "2", "--out", "out", "--data",
         "raw/sample", "--processed", "processed", "--jobs", "2"],
        capture_output=True, text=True, cwd=work, env=_env(), timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    out = work / "out"
    assert (out / "index.html").is_file() and (out / "data_quality.html").is_file()
    assert len(list((out / "athletes").glob("*.html"))) == 2
    seconds = time.perf_counter() - t0
    print(f"wheel install + hipflex demo (2 athletes) outside the checkout: {seconds:.1f} s")


NOTEBOOKS = ["athlete_report.ipynb", "cohort_comparison.ipynb", "data_quality.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_report_notebooks_run_on_a_fresh_clone_with_their_defaults(name: str, tmp_path) -> None:
    import papermill as pm

    clone = tmp_path / "clone"
    shutil.copytree(REPO / "notebooks", clone / "notebooks")
    (clone / "data" / "raw").mkdir(parents=True)  # a fresh clone: no sample yet
    pm.execute_notebook(
        str(clone / "notebooks" / name),
        str(tmp_path / "out.ipynb"),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(clone / "notebooks"),
    )
    assert (clone / "data" / "raw" / "sample" / "athletes.csv").is_file()
