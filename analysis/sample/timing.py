"""The timing-system files of the synthetic sample: a FinishLynx meet folder.

:func:`analysis.sample.layouts.coach_layouts` calls :func:`finishlynx_meet` for a roster
of six or more athletes: every FAT race of the season's *second* most frequent meet moves
from ``results/meets_2026.csv`` into ``results/<yyyy-mm-dd> <meet>/`` as FinishLynx writes
it (:mod:`analysis.ingest.formats.finishlynx`): one headerless ``.lif`` per heat, named
``<event>-1-<heat>.lif``, Windows-1252 with CRLF line ends, the event line first
(``event, round, heat, name, wind, wind unit, ..., distance``), then one line per place
(``place, ID, lane, last name, first name, affiliation, time, license, delta, ReacTime,
splits``). The meet and the day are only in the folder's name. Each heat also holds two
athletes of other clubs (listed as "not in the roster", never read as athletes).

No random number is drawn: the race values are the ones the rows had (the clean tables
are unchanged), and the truth of each file (its rows, data rows and not-data rows) is
written as for the other coach layouts.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .cells import CLUB, Cells, fault_rows, parse_date, renumber, seconds, time_text

__all__ = ["finishlynx_meet"]

#: athletes of other clubs in every heat (not in any roster the sample draws)
_VISITORS = (
    ("Kerr", "Jordan", "Eastside Harriers"),
    ("Dunmore", "Priscilla", "Northern Track Club"),
)


def _heat(r, sex: str, k: int, heat: int, name: str, bib: int) -> Cells:
    """One heat's ``.lif``: our athlete first (lane 4), then two visitors behind."""
    event = int(re.search(r"\d+", str(r.Event)).group())
    rnd = str(r.Round).title()
    title = f"{'Women' if sex == 'F' else 'Men'} {event}m {rnd}"
    wind = str(r.Wind or "") if event == 200 else ""
    first, _, last = name.partition(" ")
    t = seconds(r.Time)
    marks = [r.split_100, r.split_200, r.split_300] if event == 400 else [r.split_100]
    splits = "/".join(str(m) for m in marks if m)
    rows: list[tuple] = [(str(k), "1", str(heat), title, wind, "m/s" if wind else "", "", "", "",
                          str(event), "")]  # fmt: skip
    rows.append(("1", str(bib), "4", last, first, CLUB, time_text(t), "", time_text(t), "",
                 splits))  # fmt: skip
    not_data = [(1, 1, f"event line: {title}")]
    for i, (vl, vf, club) in enumerate(_VISITORS, start=2):
        vt = t + 0.37 * i
        rows.append((str(i), str(900 + i), str(3 + 2 * (i - 2)), vl, vf, club, time_text(vt), "",
                     f"{0.37:.2f}", "", ""))  # fmt: skip
        not_data.append((i + 1, 1, f"not in the roster: {vf} {vl} ({club})"))
    return Cells(tuple(rows), not_data=tuple(not_data), entries=1, data_rows=1,
                 columns=(), layout="table", encoding="cp1252", lineterminator="\r\n")  # fmt: skip


def finishlynx_meet(out: dict, roster: pd.DataFrame, faults: dict) -> dict:
    """Move the second most frequent meet's FAT races into a FinishLynx meet folder."""
    src = "results/meets_2026.csv"
    meets = out.get(src)
    if meets is None or not len(meets):
        return out
    ok = np.ones(len(meets), dtype=bool)
    ok[list(fault_rows(faults, src))] = False
    ok &= (meets["Timing"] == "FAT").to_numpy(dtype=bool)
    counts = meets.loc[ok, "Meet"].value_counts()
    if len(counts) < 2:
        return out
    meet = str(counts.index[1])
    chosen = ok & (meets["Meet"] == meet).to_numpy()
    sex_of = dict(zip(roster["name"], roster["sex"], strict=True))
    ids = dict(zip(roster["name"], roster["athlete_id"], strict=True))
    stem = re.sub(r"[^\w ]+", "", meet).strip()
    files: dict[str, Cells] = {}
    k_of: dict[tuple, int] = {}
    heat_of: dict[tuple, int] = {}
    for r in meets.loc[chosen].itertuples(index=False):
        day = parse_date(r.Date)
        key = (day, sex_of[r.Athlete], str(r.Event), str(r.Round).title())
        k = k_of.setdefault(key, len(k_of) + 1)
        heat_of[key] = heat_of.get(key, 0) + 1
        bib = 100 + int(re.sub(r"\D", "", str(ids[r.Athlete])) or 0)
        rel = f"results/{day:%Y-%m-%d} {stem}/{k:03d}-1-{heat_of[key]:02d}.lif"
        files[rel] = _heat(r, sex_of[r.Athlete], k, heat_of[key], r.Athlete, bib)
    out = dict(out)
    out[src] = renumber(meets, chosen, src, faults)
    out.update(dict(sorted(files.items())))
    return out
