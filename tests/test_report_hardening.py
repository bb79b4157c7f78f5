"""Issue 26, the report layer: a stopped run keeps the previous pages (item 3), every CSV
neutralises formula prefixes (4), ``OUT/.hipflex`` state is validated on read (5, 10), data
printed to a terminal stays on one line (7), the exit-code contract (8), and the minor
items (temporary folders, cache eviction, server paths in the notebooks, device names).

Most runs use tiny notebooks of their own (no hipflex import in the kernel), so they
exercise the batch, not the reports.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from helpers import SAMPLE_TODAY as TODAY
from helpers import tiny_report_notebooks
from hypothesis import given
from hypothesis import strategies as st

import analysis as hf
from analysis import cli
from analysis.attention import write_attention_csv
from analysis.reports import build_reports
from analysis.reports.batch import plan as rp_plan
from analysis.reports.batch.jobs import NOTEBOOKS, BatchResult, ReportJob, ReportStatus
from analysis.safe_text import csv_safe, one_line
from analysis.sample import write_sample

ROOT = Path(__file__).resolve().parents[1]
HIPFLEX = [sys.executable, "-m", "analysis.cli"]


# --------------------------------------------------------------------------- helpers


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    env.pop("HIPFLEX_CACHE_DIR", None)
    return env


def _pages(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in out.rglob("*.html")
        if ".hipflex" not in p.parts
    }


def _as_from_a_terminal() -> None:
    """In the child before exec: SIGINT as a terminal gives it. A signal ignored by the
    parent stays ignored across exec, and something earlier in a full test session leaves
    pytest ignoring SIGINT: the run then never saw the test's Ctrl-C (its workers were
    found still running 120 s later)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _kernels(pid: int) -> list:
    """The report kernels running under process ``pid``."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for c in children:
        try:
            if "ipykernel" in " ".join(c.cmdline()):
                out.append(c)
        except psutil.Error:
            continue
    return out


@pytest.fixture(scope="module")
def data(sample_folder) -> Path:
    return sample_folder(athletes=2, seed=3, today=TODAY)


@pytest.fixture(scope="module")
def fast(tmp_path_factory) -> Path:
    return tiny_report_notebooks(tmp_path_factory.mktemp("nb") / "fast", "GOOD-PAGE")


# --------------------------------------------------------------------------- item 3


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stopped_run_keeps_the_previous_pages_and_leaves_the_index_true(
    data, fast, tmp_path, sig
):
    out = tmp_path / "out"
    first = subprocess.run([*HIPFLEX, "report", str(data), "--out", str(out), "--notebooks",
                            str(fast), "--quiet", "--jobs", "2"], env=_env(),
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert first.returncode in (0, 1), first.stderr  # (1 on a main that failed item 8)
    before = _pages(out)
    assert before and all(b"GOOD-PAGE" in v for k, v in before.items() if k != "index.html")
    manifest = (out / ".hipflex" / "manifest.json").read_bytes()

    slow = tiny_report_notebooks(tmp_path / "slow", "NEW-PAGE", seconds=120)
    # stderr to a file, not a pipe: a process that outlived the run and held the pipe
    # would hang the test instead of failing it with the process tree below
    log = tmp_path / "stderr.txt"
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen([*HIPFLEX, "report", str(data), "--out", str(out), "--notebooks",
                                 str(slow), "--quiet", "--jobs", "2", "--force"], env=_env(),
                                stdout=subprocess.DEVNULL, stderr=fh, text=True,
                                preexec_fn=_as_from_a_terminal)  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not _kernels(proc.pid):
        time.sleep(0.3)
    assert _kernels(proc.pid), "no report started"
    time.sleep(2)  # the kernels are running their notebooks
    proc.send_signal(sig)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        tree = [" ".join(p.cmdline())[:160] for p in psutil.Process(proc.pid).children(True)]
        proc.kill()
        pytest.fail(f"the run did not stop within 120 s of {sig!r}; its processes: {tree}; "
                    f"stderr: {log.read_text(encoding='utf-8')[-800:]}")  # fmt: skip
    err = log.read_text(encoding="utf-8")
    assert proc.returncode != 0
    after = _pages(out)
    assert after == before, "a stopped run changed a page"
    assert "worker died" not in err
    assert (out / ".hipflex" / "manifest.json").read_bytes() == manifest
    tmp = out / ".hipflex" / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir()), "temporary notebooks left behind"


# --------------------------------------------------------------------------- item 4


DANGEROUS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+1", "-1+2", "@SUM(A1)",
             "\tTAB", "\rCR"]  # fmt: skip


def test_attention_csv_neutralises_every_formula_prefix(tmp_path):
    n = len(DANGEROUS)
    attention = pd.DataFrame(
        {
            "athlete_id": pd.array(DANGEROUS, dtype="string"),
            "name": pd.array(DANGEROUS[::-1], dtype="string"),
            "kind": pd.array(["no_log"] * n, dtype="string"),
            "date": pd.to_datetime(["2026-05-01"] * n),
            "what": pd.array(["=1+1"] * n, dtype="string"),
            "value": pd.array([-3.5] * n, dtype="Float64"),
            "threshold": pd.array([None] * n, dtype="Float64"),
        }
    )
    path = write_attention_csv(attention, tmp_path / "attention.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n
    for r in rows:
        for col in ("athlete_id", "name", "what"):
            assert r[col].startswith("'"), (col, r[col])
        assert r["value"] == "-3.5"  # a number stays a number
    assert [r["athlete_id"] for r in rows] == ["'" + v for v in DANGEROUS]


@given(st.lists(st.text(max_size=12), min_size=1, max_size=8))
def test_csv_safe_leaves_no_text_cell_a_spreadsheet_would_evaluate(values):
    df = pd.DataFrame({"t": pd.array(values, dtype="string"), "o": pd.Series(values, dtype=object)})
    safe = csv_safe(df)
    for col in ("t", "o"):
        for before, after in zip(values, safe[col], strict=True):
            assert not after.startswith(("=", "+", "-", "@", "\t", "\r"))
            assert after in (before, "'" + before)


# --------------------------------------------------------------------------- item 7


@given(st.text())
def test_one_line_never_shows_a_control_character(text):
    shown = one_line(text)
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)


FORGED = "Z9\n\x1b[31mFAILED athletes/A01.html: forged\x1b[0m"


def test_a_forged_roster_value_prints_on_one_line_in_the_clean_summary(tmp_path, capsys):
    d = tmp_path / "club"
    write_sample(d, athletes=2, seed=3, today=TODAY)
    roster = pd.read_csv(d / "athletes.csv", dtype=str, keep_default_na=False)
    extra = {c: "" for c in roster.columns} | {"athlete_id": FORGED, "name": FORGED}
    pd.concat([roster, pd.DataFrame([extra])]).to_csv(d / "athletes.csv", index=False)
    cli.main(["clean", str(d), "--out", str(tmp_path / "proc")])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "\x1b" not in text
    assert not [line for line in text.splitlines() if line.startswith("FAILED")]
    assert "Z9\\n\\x1b[31mFAILED" in text  # shown, escaped


def test_the_end_of_run_summary_shows_each_failure_on_one_line(tmp_path):
    job = ReportJob("athlete", FORGED, FORGED, "nb.ipynb", "athletes/Z9", {}, "")
    result = BatchResult(out=tmp_path, reports=[ReportStatus(job, "failed", error=FORGED)])
    result.problems = [FORGED]
    lines = result.summary().splitlines()
    assert len(lines) == 3  # two failures and the totals line
    assert all("\x1b" not in line for line in lines)


def test_the_progress_lines_of_a_cron_run_are_one_line_each(capsys):
    from analysis.reports.batch.runner import _Progress

    job = ReportJob("athlete", "Z9", "Z9", "nb.ipynb", "athletes/Z9", {}, "")
    bar = _Progress(1, None)  # not a terminal: one line per report, as under cron
    bar.update(ReportStatus(job, "failed", error=FORGED))
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "\x1b" not in err


# --------------------------------------------------------------------------- item 8


@pytest.mark.slow  # long-running
def test_clean_of_the_sample_exits_0_its_notes_tab_listed(tmp_path, capsys):
    d = tmp_path / "sample"
    write_sample(d)
    assert cli.main(["clean", str(d), "--out", str(tmp_path / "proc")]) == 0
    out = capsys.readouterr().out
    assert "skipped logs/gym_sessions.xlsx#Notes (4 rows)" in out
    assert "not data" in out


def _workbook(path: Path, sheets: dict[str, list[list]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


@pytest.mark.slow  # long-running
def test_a_sheet_that_looks_like_data_and_is_not_read_exits_1(tmp_path, capsys):
    d = tmp_path / "club"
    write_sample(d, athletes=2, seed=3, today=TODAY)
    _workbook(d / "logs" / "extra.xlsx", {
        "Comments": [["Week", "Author", "Comment"], [1, "coach", "went well"],
                     [2, "coach", "rain"]],
        "Empty": [],
    })  # fmt: skip
    assert cli.main(["clean", str(d), "--out", str(tmp_path / "p1")]) == 0
    _workbook(d / "logs" / "extra.xlsx", {
        "Mystery": [["a", "b", "c", "d"], ["Ada", "12/03/2026", "3", "40"],
                    ["Ben", "13/03/2026", "4", "50"], ["Cy", "14/03/2026", "2", "30"]],
    })  # fmt: skip
    assert cli.main(["clean", str(d), "--out", str(tmp_path / "p2")]) == 1
    capsys.readouterr()


@pytest.mark.slow
def test_report_on_hipflex_sample_exits_0(tmp_path, fast):
    d = tmp_path / "sample"
    assert subprocess.run([*HIPFLEX, "sample", str(d)], env=_env(), capture_output=True,
                          timeout=120).returncode == 0  # fmt: skip
    res = subprocess.run([*HIPFLEX, "report", str(d), "--out", str(tmp_path / "out"),
                          "--notebooks", str(fast), "--quiet"], env=_env(),
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr


@pytest.mark.slow
def test_report_on_hipflex_sample_with_the_real_notebooks_exits_0(tmp_path):
    d = tmp_path / "sample"
    subprocess.run([*HIPFLEX, "sample", str(d)], env=_env(), check=True, capture_output=True)
    res = subprocess.run([*HIPFLEX, "report", str(d), "--out", str(tmp_path / "out"),
                          "--quiet"], env=_env(), capture_output=True, text=True,
                         timeout=1800)  # fmt: skip
    assert res.returncode == 0, res.stderr


# --------------------------------------------------------------------------- items 5 and 10


def _corrupt(out: Path, case: str, victim: Path, evil: Path) -> None:
    state = out / ".hipflex"
    if case == "manifest ../victim":
        m = json.loads((state / "manifest.json").read_text())
        rel = os.path.relpath(victim.with_suffix(""), out)
        m["reports"][rel] = {"digest": "x", "html_sha": "x", "status": "ok"}
        (state / "manifest.json").write_text(json.dumps(m))
    elif case == "manifest of the wrong shape":
        (state / "manifest.json").write_text('{"reports": [1, 2]}')
    elif case == "digests of the wrong shape":
        (out / "exports" / ".digests.json").write_text("[]")
    elif case == "plan.json edited":
        plan = json.loads((state / "plan.json").read_text())
        for j in plan["jobs"]:
            if j["kind"] == "athlete":
                j["notebook"] = str(evil)
                j["target"] = os.path.relpath(victim.parent / "owned", out)
        (state / "plan.json").write_text(json.dumps(plan))


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    ["manifest ../victim", "manifest of the wrong shape", "digests of the wrong shape",
     "plan.json edited"],
)  # fmt: skip
def test_state_of_out_is_validated_on_read_and_rebuilt(data, fast, tmp_path, case, capsys):
    out = tmp_path / "out"
    victim = tmp_path / "victim.html"
    victim.write_text("keep me")
    (tmp_path / "victim.ipynb").write_text("keep me too")
    evil = tiny_report_notebooks(tmp_path / "evil", "EVIL-NOTEBOOK") / NOTEBOOKS["athlete"]
    assert build_reports(data, out, notebooks_dir=fast, progress=False, jobs=2).ok
    _corrupt(out, case, victim, evil)
    capsys.readouterr()
    result = build_reports(data, out, notebooks_dir=fast, progress=False, jobs=2)
    err = capsys.readouterr().err
    assert result.ok, result.summary()
    assert victim.read_text() == "keep me" and (tmp_path / "victim.ipynb").is_file()
    assert not (tmp_path / "owned.html").exists()
    pages = _pages(out)
    assert not any(b"EVIL-NOTEBOOK" in v for v in pages.values())
    assert len([line for line in err.splitlines() if "was not valid" in line]) == 1, err
    # rebuilt: the next run is clean and silent
    again = build_reports(data, out, notebooks_dir=fast, progress=False, jobs=2)
    assert again.ok and "was not valid" not in capsys.readouterr().err


@pytest.mark.slow  # long-running
def test_an_edited_plan_is_discarded_for_a_fresh_one(data, fast, tmp_path, capsys):
    ds = hf.load_dataset(data)
    state = tmp_path / "state"
    state.mkdir()
    first = rp_plan.plan_reports_cached(ds, data, fast, state=state)
    saved = json.loads((state / rp_plan.PLAN_FILE).read_text())
    saved["jobs"][0]["notebook"] = "/tmp/anything.ipynb"
    (state / rp_plan.PLAN_FILE).write_text(json.dumps(saved))
    again = rp_plan.plan_reports_cached(ds, data, fast, state=state)
    assert again == first
    assert "plan.json was not valid" in capsys.readouterr().err


# --------------------------------------------------------------------------- minor items


def test_device_names_get_a_safe_page_name_unique_per_athlete():
    ids = ["CON", "con", "NUL", "aux", "COM1", "lpt9", "nul.txt", "A01", "CONSTANCE"]
    names = rp_plan.page_names(ids)
    reserved = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                *(f"lpt{i}" for i in range(10))}  # fmt: skip
    for i in ids[:7]:
        assert names[i].split(".")[0].casefold() not in reserved, names[i]
    assert names["A01"] == "A01" and names["CONSTANCE"] == "CONSTANCE"
    assert len({n.casefold() for n in names.values()}) == len(ids)
    assert rp_plan.page_names(ids) == names  # the same every run


@pytest.mark.slow
def test_the_executed_notebooks_carry_no_server_path(data, fast, tmp_path):
    out = tmp_path / "out"
    assert build_reports(data, out, notebooks_dir=fast, progress=False, jobs=2).ok
    server = str(Path(data).resolve())
    notebooks = [p for p in out.rglob("*.ipynb") if ".hipflex" not in p.parts]
    assert notebooks
    for p in notebooks:
        text = p.read_text(encoding="utf-8")
        assert server not in text, p
        assert f'data_dir = \\"{Path(data).name}\\"' in text or f"'{Path(data).name}'" in text


@pytest.mark.slow
def test_temporary_folders_of_earlier_runs_are_removed(data, fast, tmp_path):
    out = tmp_path / "out"
    stale = out / ".hipflex" / "tmp" / "20260101T000000-1-deadbeef"
    stale.mkdir(parents=True)
    (stale / "athletes__A01.ipynb").write_text("{}")
    assert build_reports(data, out, notebooks_dir=fast, progress=False, jobs=2).ok
    tmp = out / ".hipflex" / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())


def test_the_cache_keeps_the_entry_in_use_and_the_two_newest_others(tmp_path):
    from analysis.reports.batch.state import CACHE_KEEP, evict_cache

    cache = tmp_path / "cache"
    names = [f"{i:020x}" for i in range(6)]
    for k, name in enumerate(names):
        (cache / name).mkdir(parents=True)
        (cache / name / "manifest.json").write_text("{}")
        os.utime(cache / name / "manifest.json", (1000 + k, 1000 + k))
    unfinished = cache / ("f" * 20)
    unfinished.mkdir()
    os.utime(unfinished, (1000, 1000))
    (cache / "notes").mkdir()  # not a cache entry: never touched
    removed = evict_cache(cache, keep=names[0])
    left = sorted(p.name for p in cache.iterdir())
    assert CACHE_KEEP == 3
    assert left == sorted([names[0], names[5], names[4], "notes"])
    assert len(removed) == 4


# --------------------------------------------------------------------------- item 11 (the plan)

_BIG_PLAN = """
import resource, sys, time
from pathlib import Path
import pandas as pd
from analysis.dataset import load_roster
from analysis.io import read_raw
from analysis.plan import load_plan

folder = Path(sys.argv[1])
n = 50_000
roster = pd.DataFrame({"athlete_id": [f"X{i:05d}" for i in range(n)],
                       "name": [f"Person {i}" for i in range(n)],
                       "squad": ["400" if i % 2 else "200" for i in range(n)]})
roster.to_csv(folder / "athletes.csv", index=False)
t = read_raw(folder / "athletes.csv", root=folder)[0]
athletes = load_roster(t.frame, source=t.source)
tables = read_raw(folder / "plan.csv", root=folder)
t0 = time.perf_counter()
plan, rejects = load_plan(tables, athletes)
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
      len(plan), len(rejects), sum(len(x.frame) for x in tables), rejects["reason"].iloc[0])
"""


@pytest.mark.slow  # long-running
def test_a_squad_wide_plan_for_50000_athletes_ends_in_seconds_refused_in_one_line(tmp_path):
    sample = tmp_path / "sample"
    write_sample(sample, athletes=2, seed=3, today=TODAY)
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "plan.csv").write_bytes((sample / "plan.csv").read_bytes())
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", _BIG_PLAN, str(folder)], env=_env(),
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    wall = time.perf_counter() - t0
    assert res.returncode == 0, res.stderr[-2000:]
    seconds, mb, n_plan, n_rejects, n_rows, reason = res.stdout.split(maxsplit=5)
    assert wall < 20 and float(seconds) < 20
    assert int(mb) < 1500
    assert int(n_plan) == 0 and int(n_rejects) == int(n_rows) > 0  # every plan row named
    assert "over hipflex's limit" in reason and "\n" not in reason.strip()


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.text(alphabet="abcXYZ &<>'\"!?,;é", max_size=30)),
                 max_size=6),
        max_size=30,
    )
)  # fmt: skip
def test_rows_of_text_without_dates_or_numbers_never_look_like_data(rows):
    from analysis.exit_status import looks_like_data

    assert not looks_like_data([(i + 1, cells) for i, cells in enumerate(rows)])


def test_only_files_that_may_hold_data_count_against_the_exit_code():
    from analysis.exit_status import NOT_DATA_NOTE, looks_like_data, unread_data

    skipped = pd.DataFrame(
        {
            "source": pd.array(["a.xlsx#Empty", "b.xlsx#Notes", "c.csv", "d.xlsx#Old", "e.bin"],
                               dtype="string"),
            "rows": pd.array([0, 4, 3, 9, None], dtype="Int64"),
            "reason": pd.array(["empty sheet (no data rows)", f"no header row; {NOT_DATA_NOTE}",
                                "skipped by hipflex.toml", "no header row found",
                                "not a spreadsheet"], dtype="string"),
        }
    )  # fmt: skip
    assert unread_data(skipped)["source"].tolist() == ["d.xlsx#Old", "e.bin"]
    log_rows = [(1, ["Ada", "12/03/2026", "3", "40"]), (2, ["Ben", "2026-03-13", "4x20m"])]
    assert looks_like_data(log_rows)
    assert looks_like_data([(1, ["Ada", "400m", "52.31", "12/05/2026"])])  # one race row
    assert not looks_like_data([(1, ["1", "S&C coach", "Start of block 1"]),
                                (2, ["5", "S&C coach", "Add load"])])  # fmt: skip
