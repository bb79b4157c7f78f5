"""Planning a batch: which reports a dataset has, their pinned paths and parameters, and the
digest of each one's inputs (:func:`plan_reports`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from ... import fingerprint as fp  # by module: one fingerprint function, also when replaced
from ...config import PRIMARY_WINDOW_DAYS
from ...dataset import TABLES
from ...errors import DataError
from ...fingerprint import sha
from ...io import write_text_atomic
from ..outputs import page_names, slug
from ..pages.cohort import cohort_columns
from ..pages.squad import takeaway_lines
from ..pages.words import column_label
from .jobs import NOT_REPORTS, NOTEBOOKS, ReportJob, default_notebooks_dir
from .manifest import TableHasher, row_hashes, table_schema
from .state import discarded, plan_digest, valid_plan

#: The old name of :func:`analysis.reports.outputs.slug` (tests and scripts use it).
_slug = slug


_REQUIRED = ("athlete", "cohort", "data_quality")


def check_notebooks(notebooks_dir: str | os.PathLike[str] | None = None) -> Path:
    """The notebooks folder, checked before any work starts; raises one :class:`DataError`
    naming the folder or the notebook that is missing or not a valid notebook.

    A notebook is valid when it is JSON that nbformat's own JSON schema for its version
    accepts (:func:`_validate`).
    """
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    if not nb_dir.is_dir():
        raise DataError("notebooks folder not found", file=str(nb_dir))
    for kind in _REQUIRED:
        if not (nb_dir / NOTEBOOKS[kind]).is_file():
            raise DataError(f"report notebook {NOTEBOOKS[kind]} not found", file=str(nb_dir))
    for nb in sorted(nb_dir.glob("*.ipynb")):
        if nb.name.startswith(".") or nb.name == "explore.ipynb":  # never run as reports
            continue
        try:
            _validate(nb)
        except Exception as exc:
            what = " ".join(str(exc).split())[:120] or type(exc).__name__
            raise DataError(f"not a valid notebook ({what})", file=str(nb)) from None
    return nb_dir


_SCHEMAS: dict[Path, object] = {}


def _validate(path: Path) -> None:
    """Raise unless ``path`` is a notebook nbformat would read and accept.

    A version-4 notebook is checked against nbformat's schema file for its minor version
    with fastjsonschema (a dependency of nbformat), read from nbformat's folder *without
    importing nbformat*: ``import nbformat`` imports jsonschema, whose format checkers build
    38 grammars (~1 s) — most of an unchanged nightly re-run. Any other version goes through
    ``nbformat.read`` (which converts it) and ``nbformat.validate``.
    """
    import importlib.util
    import json

    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    if not isinstance(nb, dict):
        raise ValueError("not a JSON object")
    spec = importlib.util.find_spec("nbformat")
    folder = Path(next(iter(spec.submodule_search_locations or []), "")) / "v4" if spec else None
    if nb.get("nbformat") == 4 and folder is not None and folder.is_dir():
        minor = nb.get("nbformat_minor")
        schema = folder / f"nbformat.v4.{minor}.schema.json"
        if not isinstance(minor, int) or not schema.is_file():
            schema = folder / "nbformat.v4.schema.json"  # the newest, as nbformat does
        check = _SCHEMAS.get(schema)
        if check is None:
            import fastjsonschema

            check = _SCHEMAS[schema] = fastjsonschema.compile(
                json.loads(schema.read_text(encoding="utf-8"))
            )
        check(nb)
        return
    import nbformat  # pragma: no cover - old notebook versions: the slow, converting path

    nbformat.validate(nbformat.read(str(path), as_version=4))


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
    window_days: int = PRIMARY_WINDOW_DAYS,
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
    athlete's rows of the roster, log, races, splits, rejects and injuries (exactly what
    ``ds.athlete(id)`` shows the notebook) and the text of its opening takeaway (which
    uses the squad's estimate); of the squad and a
    cohort report the roster, log, races, splits and injury log; of the data-quality report and of
    your own notebooks every table.
    """
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    data_dir = str(Path(data_dir).resolve())
    inputs = _inputs(ds)
    make = _JobMaker(inputs.code)
    event = _main_event(ds.fatigue)
    window = int(window_days)
    jobs = _squad_jobs(ds, nb_dir, data_dir, event, window, inputs, make)
    jobs += _athlete_jobs(ds, nb_dir, data_dir, event, window, inputs, make)
    extras = [
        p
        for p in sorted(nb_dir.glob("*.ipynb"))
        if p.name not in NOT_REPORTS and not p.name.startswith(".")
    ]
    extra_pages = page_names(p.stem for p in extras)
    for extra in extras:
        title = extra.stem.replace("_", " ")
        target = f"extra/{extra_pages[extra.stem]}"
        params = {"data_dir": data_dir}
        jobs.append(make("extra", extra.stem, title, extra, target, params, inputs.everything))
    return jobs


@dataclass(frozen=True)
class _Inputs:
    """What the digests of a plan are made of: the code and settings (:attr:`code`), the
    rows of every table (:attr:`hasher`) and the data parts shared by several reports."""

    code: str
    hasher: TableHasher
    #: Every table: the data-quality report and notebooks of your own.
    everything: str
    #: Roster, log, races, splits and injury log: the squad and cohort reports.
    squad: str
    synthetic: str


def _inputs(ds) -> _Inputs:
    """Hash the dataset's tables once for the whole plan."""
    # the fingerprint that keys the dataset cache, without the files (each report hashes
    # the rows it reads) and without the run's date (it reaches a report through the
    # tables: a row no longer in the future is a changed row)
    code = fp.fingerprint(settings=fp.effective_settings(ds.data_dir or None, run_date=False)).key
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
        "injuries": ds.injuries,
    }
    owner = {
        "athletes": athletes["athlete_id"].astype("string").fillna(""),
        "log": ds.log["athlete_id"].astype("string").fillna(""),
        "races": ds.races["athlete_id"].astype("string").fillna(""),
        "splits": ds.splits["race_id"].map(race_owner).astype("string").fillna(""),
        "rejects": ds.rejects["athlete_id"].astype("string").fillna(""),
        "injuries": ds.injuries["athlete_id"].astype("string").fillna(""),
    }
    hasher = TableHasher(tables, owner)
    synthetic = f"synthetic={bool(ds.synthetic)}"
    return _Inputs(
        code=code,
        hasher=hasher,
        everything=hasher.whole(*tables) + synthetic,
        # the squad's injury section reads the injury log: a new injury reruns it
        squad=hasher.whole("athletes", "log", "races", "splits", "injuries") + synthetic,
        synthetic=synthetic,
    )


class _JobMaker:
    """Makes a :class:`ReportJob` with its digest; each notebook read and hashed once."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.nb_digests: dict[Path, str] = {}

    def __call__(
        self, kind: str, key: str, title: str, nb: Path, target: str, params: dict, data: str
    ) -> ReportJob:
        if nb not in self.nb_digests:
            self.nb_digests[nb] = sha(nb.read_bytes())
        digest = sha(
            self.nb_digests[nb],
            self.code,
            json.dumps(params, sort_keys=True, default=str),
            data,
            target,
        )
        return ReportJob(kind, key, title, str(nb), target, params, digest)


def _squad_jobs(
    ds, nb_dir: Path, data_dir: str, event: int, window: int, inputs: _Inputs, make: _JobMaker
) -> list[ReportJob]:
    """The squad's answer (first: linked first on the index), data quality, the cohorts."""
    jobs: list[ReportJob] = []
    nb = nb_dir / NOTEBOOKS["squad"]
    if nb.exists():
        params = {"data_dir": data_dir, "event": event, "window_days": window}
        jobs.append(make("squad", "", "The squad's answer", nb, "squad", params, inputs.squad))
    nb = nb_dir / NOTEBOOKS["data_quality"]
    params = {"data_dir": data_dir}
    jobs.append(
        make("data_quality", "", "Data quality", nb, "data_quality", params, inputs.everything)
    )
    nb = nb_dir / NOTEBOOKS["cohort"]
    cols = cohort_columns(ds.athletes)
    col_pages = page_names(cols)
    for col in cols:
        params = {
            "data_dir": data_dir,
            "cohort_column": col,
            "event": event,
            "window_days": window,
        }
        title = f"Cohorts by {column_label(col).lower()}"
        target = f"cohorts/{col_pages[str(col)]}"
        jobs.append(make("cohort", col, title, nb, target, params, inputs.squad))
    return jobs


def _athlete_jobs(
    ds, nb_dir: Path, data_dir: str, event: int, window: int, inputs: _Inputs, make: _JobMaker
) -> list[ReportJob]:
    """One report per athlete of the roster, in roster order."""
    athletes = ds.athletes
    fat = ds.fatigue
    by_athlete = {k: g for k, g in fat.groupby("athlete_id", sort=False)} if len(fat) else {}
    nb = nb_dir / NOTEBOOKS["athlete"]
    names = dict(zip(athletes["athlete_id"], athletes["name"], strict=True))
    memo: dict = {}
    pages = page_names(athletes["athlete_id"])
    jobs = []
    for aid in athletes["athlete_id"]:
        aid = str(aid)
        ev = _main_event(by_athlete[aid]) if aid in by_athlete else event
        # the takeaway opening the report uses the squad's estimate: its text is part of
        # the inputs (a change elsewhere in the squad reruns the report only if it moves it);
        # the kernel gets the lines as a parameter, so it never loads or fits the squad
        lines = takeaway_lines(ds, aid, event=ev, window_days=window, _memo=memo)
        params = {
            "data_dir": data_dir,
            "athlete_id": aid,
            "event": ev,
            "window_days": window,
            "takeaway": [str(x) for x in lines],
        }
        data = (
            inputs.hasher.athlete(aid, "athletes", "log", "races", "splits", "rejects", "injuries")
            + inputs.synthetic
            + sha("\n".join(lines))
        )
        title = f"{names.get(aid, aid)} ({aid})"
        jobs.append(make("athlete", aid, title, nb, f"athletes/{pages[aid]}", params, data))
    return jobs


#: ``OUT/.hipflex/plan.json``: the last run's plan and the key it was made under.
PLAN_FILE = "plan.json"


def content_key(ds) -> str:
    """A digest of what a dataset *is*: every cleaned table (names, types, each row), the
    synthetic flag, and the code and every setting that does not change with the day
    (:func:`analysis.fingerprint.fingerprint`).

    Two runs on different days whose cleaning gives the same tables have the same key (a
    nightly run with nothing new), and any change of a row changes it, also one made in
    memory. It keys the reused plan (:func:`plan_reports_cached`) and the exports.
    """
    code = fp.fingerprint(settings=fp.effective_settings(ds.data_dir or None, run_date=False))
    parts: list[bytes | str] = [code.key, f"synthetic={bool(ds.synthetic)}"]
    for name in TABLES:
        table = getattr(ds, name)
        parts += [name, table_schema(table), row_hashes(table).tobytes()]
    return sha(*parts)


def _plan_key(content: str, data_dir, nb_dir: Path, window_days: int) -> str:
    """What a plan depends on: the dataset's content (:func:`content_key`), the folders,
    the window and the bytes of every notebook of the folder."""
    notebooks = [(p.name, sha(p.read_bytes())) for p in sorted(nb_dir.glob("*.ipynb"))]
    return sha(
        content,
        str(Path(data_dir).resolve()),
        str(nb_dir.resolve()),
        str(int(window_days)),
        json.dumps(notebooks),
    )


def plan_reports_cached(
    ds,
    data_dir: str | os.PathLike[str],
    notebooks_dir: str | os.PathLike[str] | None,
    *,
    window_days: int = PRIMARY_WINDOW_DAYS,
    state: str | os.PathLike[str],
    content: str | None = None,
) -> list[ReportJob]:
    """:func:`plan_reports`, or the plan the last run made under the same key
    (:func:`_plan_key`), kept in ``state/plan.json``. ``content``: ``content_key(ds)`` when
    the caller has it already (the batch keys its exports by it too).

    Planning fits the squad's estimate for each athlete's takeaway (importing
    scipy.stats): ~1.3 s on 12 athletes, most of a nightly run in which nothing changed.
    The key covers everything the plan is computed from (the tables, not the files: a new
    day whose cleaning gives the same tables reuses it), so a reused plan is the plan
    :func:`plan_reports` would make; an unreadable or stale file is simply replanned.
    """
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else default_notebooks_dir()
    path = Path(state) / PLAN_FILE
    key = _plan_key(content or content_key(ds), data_dir, nb_dir, window_days)

    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        saved = None
    except (OSError, ValueError) as exc:
        saved = None
        discarded(path, f"unreadable: {type(exc).__name__}")
    if saved is not None:
        # never trusted: notebooks of this folder only, pages inside OUT only, the digest
        # bound to the content (an edited plan is discarded and made again)
        why = valid_plan(saved, nb_dir, str(Path(data_dir).resolve()))
        if why:
            discarded(path, why)
        elif saved.get("key") == key:
            try:
                return [ReportJob(**j) for j in saved["jobs"]]
            except TypeError:
                discarded(path, "a job of another shape")
    jobs = plan_reports(ds, data_dir, nb_dir, window_days=window_days)
    try:
        plan = [asdict(j) for j in jobs]
        text = json.dumps({"key": key, "jobs": plan, "digest": plan_digest(key, plan)})
    except (TypeError, ValueError):  # a parameter JSON cannot hold: plan again next time
        return jobs
    try:
        write_text_atomic(path, text)
    except OSError:
        pass  # a read-only OUT fails later, with its own clear message
    return jobs
