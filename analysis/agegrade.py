"""WMA age grading of 200 m and 400 m times: :func:`age_grade`, :func:`age_graded`.

Age-graded performance (percent) = (open standard / age factor) / time × 100: the time an
athlete of that age and sex would need to equal the open standard, as a share of the time
run. 100 % is the age-group world standard; club sprinters are typically 60-75 %, national
level masters 80-90 %.

The factors and standards are the **WMA 2023** track tables (World Masters Athletics,
Age-grading factors 2023, Appendix B of the WMA Competition Rules; standards compiled by
John Seto), as shipped by ``athlib`` (PyPI, ``athlib/wma/wma-data-2023.json``, from Howard
Grubb's calculator tables ``howardgrubb.co.uk/athletics/wmatnf23.html``). The 2015
edition (Howard Grubb's ``wmalookup15``) is available with ``edition="2015"``. The
edition is always passed explicitly: athlib's ``wma_age_factor`` and ``wma_age_grade``
default to different editions. :data:`analysis.config.WMA_EDITION` is the default here.

Open standards in the 2023 tables: men 200 m 19.19 s, 400 m 43.03 s; women 200 m
21.53 s, 400 m 48.14 s. The factors are per whole year of age (age on race day); the
tables start at age 5 and the factor is 1 for the open ages, so a 24-year-old's grade is
time against the open standard. The factors are meant for masters (35+); for juniors they
are given by the same tables.

athlib imports ``python-dateutil`` and ``jsonschema`` without declaring them: hipflex
declares both.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from . import config

__all__ = ["age_factor", "age_grade", "age_graded", "open_standard"]

EDITIONS = ("2015", "2023")
_SEX = {"m": "M", "male": "M", "man": "M", "men": "M", "f": "F", "w": "F", "female": "F",
        "woman": "F", "women": "F"}  # fmt: skip


@lru_cache(maxsize=4)
def _grader(edition: str):
    from athlib.wma.agegrader import AgeGrader

    if edition not in EDITIONS:
        raise ValueError(f"WMA edition must be one of {EDITIONS}, not {edition!r}")
    return AgeGrader(year=edition)


def _sex(sex: object) -> str | None:
    if sex is None or (not isinstance(sex, str) and pd.isna(sex)):
        return None
    return _SEX.get(str(sex).strip().casefold())


def _check(event_m: object, age: object, sex: object) -> tuple[str, int, str] | None:
    s = _sex(sex)
    try:
        ev = int(event_m)
        a = float(age)
    except (TypeError, ValueError):
        return None
    if s is None or not math.isfinite(a) or not 5 <= a <= 100 or ev not in (100, 200, 400):
        return None
    return str(ev), int(a), s


def age_factor(event_m: int, sex: str, age: float, *, edition: str | None = None) -> float:
    """The WMA age factor (≤ 1) of an event, sex and whole age; NaN outside the tables."""
    key = _check(event_m, age, sex)
    if key is None:
        return math.nan
    ev, a, s = key
    return float(_grader(edition or config.WMA_EDITION).calculate_factor(s, a, ev))


def open_standard(event_m: int, sex: str, *, edition: str | None = None) -> float:
    """The open (age-factor 1) standard of the WMA tables, seconds."""
    key = _check(event_m, 30, sex)
    if key is None:
        return math.nan
    return float(_grader(edition or config.WMA_EDITION).world_best(key[2].lower(), key[0]))


def age_grade(
    event_m: int, seconds: float, sex: str, age: float, *, edition: str | None = None
) -> float:
    """WMA age-graded performance of a time, in percent (pinned).

    Parameters
    ----------
    event_m : int
        200 or 400 (100 also works).
    seconds : float
        The time (FAT).
    sex : str
        ``M``/``F`` (``male``, ``W``, ``women`` ... accepted).
    age : float
        Age on race day in whole years (a fraction is truncated).
    edition : {"2023", "2015"}, optional
        WMA tables; default :data:`analysis.config.WMA_EDITION` (2023).

    Returns
    -------
    float
        ``open_standard / age_factor / seconds × 100``; NaN for an unknown sex, an age
        outside 5-100, another event or a time that is not positive.

    Notes
    -----
    Age-graded % = (open standard / age factor) / time × 100 (WMA).

    References
    ----------
    World Masters Athletics (2023). Age-grading factors, Appendix B of the WMA
    Competition Rules; as tabled in athlib's ``wma-data-2023.json`` (Howard Grubb).

    Examples
    --------
    >>> round(age_grade(400, 60.0, "F", 50), 2)  # 48.14 / 0.8711 / 60 × 100
    92.11
    """
    try:
        t = float(seconds)
    except (TypeError, ValueError):
        return math.nan
    if not math.isfinite(t) or t <= 0:
        return math.nan
    f = age_factor(event_m, sex, age, edition=edition)
    return open_standard(event_m, sex, edition=edition) / f / t * 100 if f == f else math.nan


def _age_on(birth: pd.Series, day: pd.Series) -> pd.Series:
    b, d = pd.to_datetime(birth), pd.to_datetime(day)
    before = (d.dt.month < b.dt.month) | ((d.dt.month == b.dt.month) & (d.dt.day < b.dt.day))
    return (d.dt.year - b.dt.year - before.astype("Int64")).astype("Int64")


def age_graded(
    races: pd.DataFrame, athletes: pd.DataFrame, *, edition: str | None = None
) -> pd.DataFrame:
    """Races plus ``age`` (on race day), ``age_factor`` and ``age_grade_pct``.

    Each distinct (event, sex, age) is looked up once. Races of athletes without a sex or
    birth date in the roster, and of other events, get NA (never a guess).
    """
    info = athletes.set_index("athlete_id")
    sex = races["athlete_id"].map(info["sex"]) if "sex" in info else pd.Series(pd.NA, races.index)
    birth = (
        races["athlete_id"].map(info["birth_date"])
        if "birth_date" in info
        else pd.Series(pd.NaT, index=races.index)
    )
    age = _age_on(birth, races["date"])
    keys = pd.DataFrame({"e": races["event_m"], "s": sex.map(_sex), "a": age})
    uniq = keys.drop_duplicates()
    factors = {
        (e, s, a): age_factor(e, s, a, edition=edition)
        if pd.notna(e) and isinstance(s, str) and pd.notna(a)
        else math.nan
        for e, s, a in uniq.itertuples(index=False)
    }
    stds = {
        (e, s): open_standard(e, s, edition=edition)
        if pd.notna(e) and isinstance(s, str)
        else math.nan
        for e, s in uniq[["e", "s"]].drop_duplicates().itertuples(index=False)
    }
    f = np.array([factors[k] for k in keys.itertuples(index=False)], dtype=np.float64)
    std = np.array([stds[(e, s)] for e, s, _ in keys.itertuples(index=False)], dtype=np.float64)
    t = pd.to_numeric(races["final_s"]).to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        grade = np.where(t > 0, std / f / t * 100, np.nan)
    return races.assign(
        age=age,
        age_factor=pd.array(f, dtype="Float64"),
        age_grade_pct=pd.array(grade, dtype="Float64"),
    )
