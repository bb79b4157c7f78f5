"""The plan's own cells: who a row is for, step, cap and sessions, a week's prescription.

The prescription itself is read in the log grammar (:mod:`analysis.prescription`); these
are the few columns only a plan has.
"""

from __future__ import annotations

import re

import pandas as pd

from ..names import resolve_athletes

__all__ = ["AMOUNT", "CAP", "amount", "plan_targets", "render", "whole"]

_ALL = {"all", "everyone", "squad", "whole squad", "*", "every athlete", "all athletes"}
#: A step cell (``10 m``, ``+2``).
AMOUNT = re.compile(r"^\+?\s*(\d+(?:[.,]\d+)?)\s*([a-z\"']*)$")
#: A cap cell (``50``, ``50 m``, ``3x50m``).
CAP = re.compile(r"^(?:\d+\s*x\s*)?(\d+(?:[.,]\d+)?)\s*([a-z\"']*)$")
_UNITS = {
    "": None,
    **dict.fromkeys(("rep", "reps"), "reps"),
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres", "mtr", "mtrs"), "m"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", '"'), "s"),
}


def amount(text: object, pattern: re.Pattern) -> tuple[float | None, str | None, bool]:
    """(value, unit, ok) of a step or cap cell; (None, None, True) when empty."""
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        return None, None, True
    t = re.sub(r"\s+", " ", str(text).casefold().replace("×", "x").replace("*", "x")).strip()
    m = pattern.match(t)
    if not m or m.group(2) not in _UNITS:
        return None, None, False
    return float(m.group(1).replace(",", ".")), _UNITS[m.group(2)], True


def whole(text: object, default: int) -> int | None:
    """A sessions or every cell as a whole number 1 to 14 (``default`` when empty), else None."""
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        return default
    t = str(text).strip().casefold()
    t = re.sub(r"\s*(?:x|times|sessions?|weeks?|wks?)\s*(?:per\s*week|/\s*wk|/\s*week)?$", "", t)
    if re.fullmatch(r"\d+(?:\.0+)?", t) and 1 <= float(t) <= 14:
        return int(float(t))
    return None


def _fmt(value: float) -> str:
    return f"{value:g}"


def render(p: pd.Series, amount: float, unit: str) -> str:
    """A prescription text for ``p`` (parsed) with ``amount`` per set in ``unit``."""
    suffix = {"reps": "", "m": "m", "s": "s"}[unit]
    text = f"{int(p['sets'])}x{_fmt(amount)}{suffix}"
    if p["per_leg"] is True:
        text += " each leg"
    kind = None if pd.isna(p["load_kind"]) else str(p["load_kind"])
    if kind == "kg" and pd.notna(p["load_kg"]):
        text += f" @ {_fmt(float(p['load_kg']))}kg"
    elif kind == "bodyweight":
        text += " BW"
    elif kind == "band":
        text += " band"
    return text


def plan_targets(plan: pd.DataFrame, roster: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per plan row: the list of athlete ids it applies to, and a reason where it fails."""
    n = len(plan)
    targets = pd.Series([[] for _ in range(n)], index=plan.index, dtype=object)
    reasons = pd.Series(pd.NA, index=plan.index, dtype="string")
    athlete = plan["athlete"] if "athlete" in plan else pd.Series(pd.NA, index=plan.index)
    squad = plan["squad"] if "squad" in plan else pd.Series(pd.NA, index=plan.index)
    has_ath = athlete.notna() & athlete.astype("string").str.strip().ne("")
    has_squad = squad.notna() & squad.astype("string").str.strip().ne("")
    if has_ath.any():
        ids, why = resolve_athletes(athlete.where(has_ath), roster)
        for i in plan.index[has_ath]:
            if pd.isna(ids[i]):
                reasons[i] = str(why[i])
            else:
                targets[i] = [str(ids[i])]
    roster_squad = (
        roster["squad"].astype("string").str.strip().str.casefold()
        if "squad" in roster
        else pd.Series(pd.NA, index=roster.index, dtype="string")
    )
    everyone = roster["athlete_id"].astype(str).tolist()
    for i in plan.index[has_squad & ~has_ath]:
        key = str(squad[i]).strip().casefold()
        key = key[:-1] if key.endswith("m") and key[:-1].isdigit() else key  # "400m" squad
        if key in _ALL:
            targets[i] = everyone
            continue
        hit = roster.loc[(roster_squad == key).fillna(False), "athlete_id"].astype(str).tolist()
        if not hit:
            hit = roster.loc[(roster_squad == f"{key}m").fillna(False), "athlete_id"]
            hit = hit.astype(str).tolist()
        if hit:
            targets[i] = hit
        else:
            reasons[i] = "no athlete in this squad"
    for i in plan.index[~has_squad & ~has_ath]:
        reasons[i] = "missing squad or athlete"
    return targets, reasons
