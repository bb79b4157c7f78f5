"""JupyterLab as a coach meets it: explore.ipynb run top to bottom, headless and in a real browser.

``test_explore_runs_under_papermill`` executes the notebook like the reports are executed.
``test_explore_runs_in_jupyterlab_in_chromium`` starts JupyterLab on a free localhost port
with a token, opens ``explore.ipynb`` in Debian's Chromium (driven by Playwright, no browser
download), runs all cells from the Run menu and checks that figures rendered and no cell
raised. Screenshots go to a temporary folder and are copied to ``/tmp/hipflex-screens``.
Skipped, saying why, where Chromium or Playwright is missing (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from helpers import jupyterlab_argv, start_server, stop_server

from analysis.sample import write_sample

ROOT = Path(__file__).resolve().parent.parent
EXPLORE = ROOT / "notebooks" / "explore.ipynb"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENS = Path("/tmp/hipflex-screens")
CHROME_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of notebooks/explore.ipynb with a small synthetic sample where it looks."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(EXPLORE, root / "notebooks" / "explore.ipynb")
    write_sample(root / "data" / "raw" / "sample", athletes=4, seed=1, today="2026-11-01")
    return root


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return "hipflex" if "hipflex" in KernelSpecManager().find_kernel_specs() else "python3"


def test_explore_is_committed_without_outputs_and_uses_the_hipflex_kernel():
    nb = nbformat.read(EXPLORE, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "hipflex"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert [c for c in code if "parameters" in c.metadata.get("tags", [])]


@pytest.mark.slow
def test_explore_runs_under_papermill(workspace, tmp_path):
    import papermill as pm

    out = tmp_path / "explore.out.ipynb"
    pm.execute_notebook(
        str(workspace / "notebooks" / "explore.ipynb"),
        str(out),
        kernel_name=_kernel_name(),
        cwd=str(workspace / "notebooks"),
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) >= 4  # group volume, one athlete, fades, volume vs fade
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "hipflex Dataset" in html and "SYNTHETIC" in html.upper()


@pytest.mark.browser
def test_explore_runs_in_jupyterlab_in_chromium(workspace, tmp_path):
    if CHROMIUM is None:
        pytest.skip("browser test skipped: no chromium on PATH (apt-get install chromium)")
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser test skipped: playwright is not installed")
    token = uuid.uuid4().hex
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    # render every cell (JupyterLab 4 virtualises long notebooks), no update/news pop-ups
    tracker = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    notes = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    notes.mkdir(parents=True)
    (notes / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    shots = tmp_path / "screens"
    shots.mkdir()
    lab, port = start_server(
        lambda port: jupyterlab_argv(port, token, workspace / "notebooks"),
        lambda port: f"http://127.0.0.1:{port}/api/status?token={token}",
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
            # wait until the hipflex kernel is idle, then Run > Run All Cells
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=90_000)  # fmt: skip
            # "idle" can show before the kernel's channels are connected, and a Run All sent
            # then is lost: run again until the first code cell has started (at most 4x).
            started = "() => /\\[(\\*|\\d+)\\]/.test(document.querySelector('.jp-CodeCell .jp-InputPrompt').textContent)"
            for _attempt in range(4):
                time.sleep(3)
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
                try:
                    page.wait_for_function(started, timeout=20_000)
                    break
                except PlaywrightTimeout:
                    continue
            n_code = sum(c.cell_type == "code" for c in nbformat.read(EXPLORE, as_version=4).cells)
            try:
                page.wait_for_function(
                    """(n) => {
                    const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                        .map(e => e.textContent);
                    return p.length === n && p.every(t => /\\[\\d+\\]/.test(t));
                }""",
                    arg=n_code,
                    timeout=180_000,
                )
            except Exception:
                page.screenshot(path=str(shots / "explore-timeout.png"), full_page=True)
                raise
            page.locator(".jp-NotebookPanel .jp-Cell").nth(2).scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explore-1-summary.png"))
            figures = page.locator(".jp-OutputArea-output img")
            figures.first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explore-2-volume.png"))
            page.locator(".jp-NotebookPanel .jp-Cell").last.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explore-3-end.png"))
            assert figures.count() >= 4
            widths = figures.evaluate_all("els => els.map(e => e.naturalWidth)")
            assert all(w > 0 for w in widths), widths
            errors = page.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            ).all_inner_texts()
            assert not [e for e in errors if "Traceback" in e or "Error" in e], errors
            assert page.locator("table.hipflex-dataset").count() == 1  # the Dataset summary
            browser.close()
    finally:
        with_shots = list(shots.glob("*.png"))
        if with_shots:
            SCREENS.mkdir(exist_ok=True)
            for p in with_shots:
                shutil.copy(p, SCREENS / p.name)
            print(f"screenshots: {shots} (copied to {SCREENS})")
        left = stop_server(lab)
        assert not left, f"processes left behind: {left}"
