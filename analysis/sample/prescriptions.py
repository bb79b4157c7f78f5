"""Written prescriptions of the sample's training entries and the hip-flexion reps they hold.

Each entry's ``hf_reps`` is counted *from its written prescription*, exactly as
docs/architecture.md defines ``hf_reps``: sets × reps (mean reps when sets differ, midpoint
of a range), doubled for ``each leg``, distance sets × metres × the catalog's ``reps_per_m``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..catalog import default_catalog_path
from .draws import pick
from .vocabulary import DEFAULT_REPS_PER_M, EXERCISES

__all__ = ["catalog_reps_per_m", "write_prescription"]


def catalog_reps_per_m() -> dict[str, float]:
    """reps_per_m of the distance drills from the project catalog, where it can be read."""
    out = dict(DEFAULT_REPS_PER_M)
    try:
        path = Path(default_catalog_path())
        cat = pd.read_csv(path, dtype="string")
    except Exception:  # the catalog is optional here
        return out
    cols = {c.lower(): c for c in cat.columns}
    idc = cols.get("exercise") or cols.get("id") or cols.get("exercise_id")
    rpm = cols.get("reps_per_m") or cols.get("reps_per_metre")
    if idc is None or rpm is None:
        return out
    table = dict(zip(cat[idc].str.strip(), pd.to_numeric(cat[rpm], errors="coerce"), strict=True))
    for key in out:
        value = table.get(key)
        if value is not None and not pd.isna(value) and value > 0:
            out[key] = float(value)
    return out


def write_prescription(
    key: str, target: float, rpm: dict[str, float], rng: np.random.Generator
) -> tuple[dict, float]:
    """A written prescription for about ``target`` hip-flexion reps, and its exact hf_reps."""
    ex = EXERCISES[key]
    sets = int(rng.integers(2, 5))
    if ex["kind"] == "distance":
        dist = pick(rng, (20, 30, 40, 50))
        sets = min(max(round(target / (dist * rpm[key])), 2), 6)
        form = rng.integers(0, 3)
        text = (f"{sets} x {dist} m", f"{sets}x{dist}m", f"{sets} sets of {dist} metres")[form]
        return {"text": text, "sets": sets, "reps": None, "distance": dist, "per_leg": False,
                "load": ""}, sets * dist * rpm[key]  # fmt: skip
    per_leg = ex["per_leg"]
    reps = min(max(round(target / (sets * (2 if per_leg else 1))), 5), 25)
    load = pick(rng, ex["loads"])
    style = int(rng.integers(0, 10))
    reps_list = [reps] * sets
    if style == 0 and sets == 3:
        reps_list = [reps, reps, max(reps - 2, 3)]
        body = "/".join(map(str, reps_list))
    elif style == 1 and reps >= 8:
        body = f"{sets}x{reps - 2}-{reps + 2}"  # a range: midpoint = reps
    else:
        body = (
            f"{sets}x{reps}", f"{sets} x {reps}", f"{sets}X{reps}", f"{sets}×{reps}",
            f"{sets}*{reps}", f"{sets} sets of {reps}", f"{sets} sets of {reps} reps",
            f"{sets}x{reps}", f"{sets}x{reps}", f"{sets} x {reps}",
        )[style]  # fmt: skip
    leg = pick(rng, (" each leg", " per leg", "/leg", " e/s")) if per_leg else ""
    if ex["where"] == "track" and load and rng.random() < 0.5 and "band" not in load:
        load = ""
    text = body + leg + (load if ex["where"] == "track" else "")
    hf = float(sum(reps_list)) * (2 if per_leg else 1)
    return {"text": text, "sets": sets, "reps": reps_list, "distance": None,
            "per_leg": per_leg, "load": load}, hf  # fmt: skip
