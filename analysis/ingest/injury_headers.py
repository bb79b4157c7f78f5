"""The header words of an injury log, at the bottom of the house.

Layout detection (:mod:`analysis.ingest.layout`) needs them to find an injury log's
header row, file discovery to tell an injury log from a training log, and the injury cleaner (:mod:`analysis.injuries`) to name its columns: they
live here so that the ingest stage never imports the clean stage.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .headers import ATHLETE_HEADERS as _ATHLETE
from .headers import LOG_SYNONYMS, RESULT_SYNONYMS, header_key

#: Canonical injury column -> accepted header spellings (normalised by ``header_key``).
INJURY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "athlete": (*_ATHLETE, "who", "patient"),
    "onset_date": (
        "onset date", "date of onset", "date of injury", "injury date", "date injured",
        "injured on", "injured", "onset", "date", "day", "datum", "fecha", "verletzungsdatum",
    ),
    "location": (
        "location", "body part", "body location", "body region", "region", "site", "area",
        "injury", "injury location", "injury site", "what", "where", "body area",
        "korperteil", "lokalisation", "localisation", "zona", "localizacion",
    ),
    "tissue": ("tissue", "tissue type", "injury type", "type", "diagnosis", "pathology"),
    "onset": ("onset type", "mode of onset", "sudden gradual", "sudden or gradual", "mechanism",
              "acute overuse", "acute or overuse"),
    "context": ("context", "training competition", "training or competition", "occurred in",
                "occurred during", "during", "session type", "setting"),
    "days_lost": ("days lost", "time loss", "time lost", "days out", "days missed",
                  "time loss days", "days", "time out", "ausfalltage"),
    "return_date": ("return date", "date of return", "returned", "return", "return to play",
                    "rtp", "return to training", "back", "back on", "cleared", "rtt", "ruckkehr", "retour",
                    "regreso", "rientro"),
    "notes": ("notes", "note", "comments", "comment", "details", "description", "remarks",
              "bemerkung", "bemerkungen", "remarque", "notas", "note"),
}  # fmt: skip

#: Header words that mark an injury log's header row for layout detection (the specific
#: spellings only: ``what``, ``back``, ``type`` would make other sheets' titles headers).
HEADER_WORDS = tuple(
    w
    for canon in ("onset_date", "location", "days_lost", "return_date", "tissue", "onset")
    for w in (canon.replace("_", " "), *INJURY_SYNONYMS[canon])
    if " " in w or w in ("location", "injury", "onset", "tissue", "rtp", "injured", "returned")
)

#: file stems that name the injury log
INJURY_FILE_STEMS = ("injuries", "injury", "injury log", "injury_log", "injurylog")


def is_injury_file(path: str | Path) -> bool:
    """True for a data-folder file named as the injury log (``injuries.csv``, ...)."""
    p = Path(path)
    return p.stem.strip().lower() in INJURY_FILE_STEMS


def _keys(frame: pd.DataFrame) -> set[str]:
    return {header_key(c).replace("_", " ") for c in frame.columns}


def _has(keys: set[str], canon: str) -> bool:
    return bool(keys & {canon.replace("_", " "), *INJURY_SYNONYMS[canon]})


def is_injury_frame(frame: pd.DataFrame, *, named: bool = False) -> bool:
    """True when a table's header reads as an injury log.

    It needs an athlete column and a body-location column, and an onset date or a time
    loss (``named``: the file is called ``injuries``, so the athlete and a location or
    date are enough). A training-log or race header (an exercise, an event and time) is
    never an injury log.
    """
    keys = _keys(frame)
    exercise = keys & {"exercise", *LOG_SYNONYMS["exercise"]}
    race = keys & {"event", *RESULT_SYNONYMS.get("event", ())} and keys & {
        "final",
        *RESULT_SYNONYMS.get("final", ()),
    }
    if exercise or race or not _has(keys, "athlete"):
        return False
    if named:
        return _has(keys, "location") or _has(keys, "onset_date")
    strong = keys & (
        set(INJURY_SYNONYMS["location"]) - {"what", "where", "area", "site", "region"}
    ) or keys & {"location"}
    return bool(strong) and (_has(keys, "onset_date") or _has(keys, "days_lost"))


__all__ = [
    "HEADER_WORDS",
    "INJURY_FILE_STEMS",
    "INJURY_SYNONYMS",
    "is_injury_file",
    "is_injury_frame",
]
