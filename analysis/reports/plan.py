"""Planning a batch: which reports a dataset has, their pinned paths and parameters, and the
digest of each one's inputs (:func:`plan_reports`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pandas as pd

from .jobs import DEFAULT_WINDOW, NOT_REPORTS, NOTEBOOKS, ReportJob, default_notebooks_dir
from .manifest import _sha, _TableHasher


def _slug(text: str) -> str:
    """A file name for an id or column: kept if already safe, else made safe and unique."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", text) and not text.endswith("."):
        return text
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:60] or "x"
    return f"{safe}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def _main_event(fatigue: pd.DataFrame) -> int:
    """The event with most races that have a fade metric (ties: the longer; default 400)."""
    d = fatigue.loc[fatigue["differential_s"].notna()] if len(fatigue) else fatigue
    if not len(d):
        d = fatigue
    counts = d["event_m"].dropna().astype("int64").value_counts() if len(d) else None
    if counts is None or counts.empty:
        return 400
    return int(counts[counts == counts.max()].index.max())


def plan_reports(
    ds,
    data_dir: str | os.PathLike[str],
    notebooks_dir: str | os.PathLike[str] | None = None,
    *,
    window_days: int = DEFAULT_WINDOW,
) -> list[ReportJob]:
    """The reports of a dataset, each with the digest of its inputs.

    Parameters
    ----------
    ds : Dataset
        The cleaned dataset.
    data_dir : path
        Its data folder (passed to the notebooks as ``data_dir``, made absolute).
    notebooks_dir : path, optional
        Folder holding ``athlete_report.ipynb``, ``cohort_comparison.ipynb``,
        ``data_quality.ipynb`` and any notebooks of your own; default
        :func:`default_notebooks_dir`.
    window_days : int
        ``window_days`` parameter of the athlete and cohort reports.

    Returns
    -------
    list of ReportJob
        The squad's answer (``squad``), data quality and cohorts first (they take
        longest), then athletes in roster order, then notebooks of your own.

    Notes
    -----
    ``digest`` = SHA-256 of (notebook bytes, :func:`analysis.fingerprint.fingerprint` of
    the code and the effective settings — the key of the dataset cache but for the files
    and the run's date —, parameters, data). The data part of an athlete report is that
    athlete's rows of the roster, log, races, splits and rejects (exactly what
    ``ds.athlete(id)`` shows the notebook) and the text of its opening takeaway (which
    uses the squad's estimate); of the squad and a
    cohort report the roster, log, races and splits; of the data-quality report and of
    your own notebooks every table.
    """
    from .cohort import cohort_columns
    from .words import column_label

    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    data_dir = str(Path(data_dir).resolve())
    # the fingerprint that keys the dataset cache, without the files (each report hashes
    # the rows it reads) and without the run's date (it reaches a report through the
    # tables: a row no longer in the future is a changed row)
    from .. import fingerprint as _fp

    code = _fp.fingerprint(settings=_fp.effective_settings(ds.data_dir or None, run_date=False)).key
    athletes = ds.athletes
    race_owner = ds.races.set_index("race_id")["athlete_id"]
    tables = {
        "athletes": athletes,
        "log": ds.log,
        "races": ds.races,
        "splits": ds.splits,
        "rejects": ds.rejects,
        "reconciliation": ds.reconciliation,
        "skipped": ds.skipped,
    }
    owner = {
        "athletes": athletes["athlete_id"].astype("string").fillna(""),
        "log": ds.log["athlete_id"].astype("string").fillna(""),
        "races": ds.races["athlete_id"].astype("string").fillna(""),
        "splits": ds.splits["race_id"].map(race_owner).astype("string").fillna(""),
        "rejects": ds.rejects["athlete_id"].astype("string").fillna(""),
    }
    hasher = _TableHasher(tables, owner)
    synthetic = f"synthetic={bool(ds.synthetic)}"
    everything = hasher.whole(*tables) + synthetic
    squad = hasher.whole("athletes", "log", "races", "splits") + synthetic

    def job(kind: str, key: str, title: str, nb: Path, target: str, params: dict, data: str):
        digest = _sha(
            nb.read_bytes(), code, json.dumps(params, sort_keys=True, default=str), data, target
        )
        return ReportJob(kind, key, title, str(nb), target, params, digest)

    jobs: list[ReportJob] = []
    event = _main_event(ds.fatigue)
    nb = nb_dir / NOTEBOOKS["squad"]
    if nb.exists():  # the squad's answer first (OUT/squad.html, linked first on the index)
        params = {"data_dir": data_dir, "event": event, "window_days": int(window_days)}
        jobs.append(job("squad", "", "The squad's answer", nb, "squad", params, squad))
    nb = nb_dir / NOTEBOOKS["data_quality"]
    jobs.append(
        job(
            "data_quality",
            "",
            "Data quality",
            nb,
            "data_quality",
            {"data_dir": data_dir},
            everything,
        )
    )
    nb = nb_dir / NOTEBOOKS["cohort"]
    for col in cohort_columns(athletes):
        params = {
            "data_dir": data_dir,
            "cohort_column": col,
            "event": event,
            "window_days": int(window_days),
        }
        jobs.append(
            job(
                "cohort",
                col,
                f"Cohorts by {column_label(col).lower()}",
                nb,
                f"cohorts/{_slug(col)}",
                params,
                squad,
            )
        )
    fat = ds.fatigue
    by_athlete = {k: g for k, g in fat.groupby("athlete_id", sort=False)} if len(fat) else {}
    nb = nb_dir / NOTEBOOKS["athlete"]
    names = dict(zip(athletes["athlete_id"], athletes["name"], strict=True))
    from .squad import takeaway_lines

    memo: dict = {}
    for aid in athletes["athlete_id"]:
        aid = str(aid)
        ev = _main_event(by_athlete[aid]) if aid in by_athlete else event
        params = {
            "data_dir": data_dir,
            "athlete_id": aid,
            "event": ev,
            "window_days": int(window_days),
        }
        # the takeaway opening the report uses the squad's estimate: its text is part of
        # the inputs (a change elsewhere in the squad reruns the report only if it moves it)
        lines = takeaway_lines(ds, aid, event=ev, window_days=int(window_days), _memo=memo)
        data = (
            hasher.athlete(aid, "athletes", "log", "races", "splits", "rejects")
            + synthetic
            + _sha("\n".join(lines))
        )
        title = f"{names.get(aid, aid)} ({aid})"
        jobs.append(job("athlete", aid, title, nb, f"athletes/{_slug(aid)}", params, data))
    for extra in sorted(nb_dir.glob("*.ipynb")):
        if extra.name in NOT_REPORTS or extra.name.startswith("."):
            continue
        jobs.append(
            job(
                "extra",
                extra.stem,
                extra.stem.replace("_", " "),
                extra,
                f"extra/{_slug(extra.stem)}",
                {"data_dir": data_dir},
                everything,
            )
        )
    return jobs
