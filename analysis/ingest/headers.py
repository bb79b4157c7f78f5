"""Header words: the synonyms of every column hipflex reads, and what a table is.

Headers are matched after :func:`header_key` (accents, case and punctuation ignored), in
English and the languages of coaches' clubs (German, French, Spanish, Italian, Dutch,
Swedish). :func:`canonicalize_columns` renames a raw table's headers to the canonical
names; :func:`classify` tells a roster, a training log and a results table apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import pandas as pd

#: Canonical column -> accepted header spellings (already normalised by :func:`header_key`:
#: accents, case and punctuation ignored, so ``Übung`` is ``ubung``). English first, then
#: the languages of coaches' clubs: German, French, Spanish, Italian, Dutch, Swedish.
ATHLETE_HEADERS = ("athlete", "name", "athlete name", "athlete id", "athlete_id", "runner",
            "athlet", "athletin", "sportler", "sportlerin", "nom", "athlete nom", "nombre",
            "atleta", "nome", "naam", "atleet", "namn", "idrottare", "lopare")  # fmt: skip


DATE_HEADERS = ("date", "day", "datum", "tag", "fecha", "data", "dag", "jour")


LOG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "athlete": (*ATHLETE_HEADERS, "who"),
    "date": (
        *DATE_HEADERS,
        "session date",
        "training date",
        "trainingsdatum",
        "date seance",
        "fecha sesion",
        "data allenamento",
        "trainingsdatum",
        "traningsdatum",
    ),
    "exercise": (
        "exercise",
        "drill",
        "exercise name",
        "movement",
        "activity",
        "ubung",
        "uebung",
        "ubungen",
        "exercice",
        "exercices",
        "ejercicio",
        "ejercicios",
        "esercizio",
        "esercizi",
        "oefening",
        "oefeningen",
        "ovning",
        "ovningar",
    ),
    "prescription": (
        "sets x reps",
        "setsxreps",
        "sets reps",
        "prescription",
        "volume",
        "work",
        "sets reps distance",
        "reps",
        "dosage",
        "umfang",
        "vorgabe",
        "satze x wdh",
        "serien x wdh",
        "series x reps",
        "series x repeticiones",
        "serie x ripetizioni",
        "volumen",
        "volym",
        "omfang",
    ),
    "sets": (
        "sets",
        "n sets",
        "number of sets",
        "satze",
        "saetze",
        "serien",
        "series",
        "serie",
        "set",
        "antal set",
    ),
    "reps": (
        "reps",
        "repetitions",
        "reps per set",
        "wdh",
        "wiederholungen",
        "wh",
        "repetition",
        "repeticiones",
        "ripetizioni",
        "rip",
        "herhalingen",
        "herh",
        "repetitioner",
        "upprepningar",
        "rep",
    ),
    "distance": (
        "distance",
        "distance m",
        "metres",
        "meters",
        "dist",
        "distanz",
        "strecke",
        "distancia",
        "distanza",
        "afstand",
        "stracka",
        "meter",
    ),
    "duration": (
        "duration",
        "time",
        "seconds",
        "duration s",
        "dauer",
        "zeit",
        "duree",
        "temps",
        "duracion",
        "tiempo",
        "durata",
        "tempo",
        "duur",
        "tijd",
        "tid",
        "varaktighet",
        "sekunden",
    ),
    "load": (
        "load",
        "weight",
        "resistance",
        "load kg",
        "weight kg",
        "load kgs",
        "weight kgs",
        "gewicht",
        "last",
        "zusatzlast",
        "charge",
        "poids",
        "carga",
        "peso",
        "carico",
        "belasting",
        "vikt",
        "belastning",
        "kg",
    ),
    # a load column whose header says pounds: bare numbers in it are pounds
    "load_lb": ("load lb", "load lbs", "weight lb", "weight lbs", "load pounds", "weight pounds"),
    "notes": (
        "notes",
        "note",
        "comments",
        "comment",
        "remarks",
        "notizen",
        "notiz",
        "bemerkungen",
        "bemerkung",
        "kommentar",
        "remarques",
        "remarque",
        "commentaires",
        "notas",
        "nota",
        "comentarios",
        "commenti",
        "opmerkingen",
        "opmerking",
        "anteckningar",
        "kommentarer",
    ),
    # session RPE (Foster 2001) and session length, per session or per entry (analysis.srpe)
    "rpe": ("rpe", "session rpe", "srpe", "s rpe", "rating of perceived exertion", "cr10"),
    "session_min": (
        "session min",
        "session minutes",
        "minutes",
        "mins",
        "session duration",
        "duration min",
        "duration mins",
        "duration minutes",
        "session length",
        "session time",
        "session time min",
    ),
}


RESULT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "athlete": ATHLETE_HEADERS,
    "date": (*DATE_HEADERS, "race date", "meet date", "wettkampfdatum", "date course"),
    "event": (
        "event",
        "distance",
        "race",
        "event m",
        "disziplin",
        "wettbewerb",
        "strecke",
        "epreuve",
        "prueba",
        "distancia",
        "gara",
        "specialita",
        "onderdeel",
        "afstand",
        "gren",
        "distans",
    ),
    "final": (
        "final",
        "time",
        "final time",
        "result",
        "mark",
        "final s",
        "zeit",
        "endzeit",
        "ergebnis",
        "leistung",
        "temps",
        "resultat",
        "performance",
        "marca",
        "tiempo",
        "resultado",
        "tempo",
        "risultato",
        "prestazione",
        "tijd",
        "resultaat",
        "prestatie",
        "tid",
        "sluttid",
    ),
    "wind": ("wind", "wind ms", "wind m s", "w", "vent", "viento", "vento", "vind"),
    "reaction": (
        "reaction",
        "reaction time",
        "rt",
        "reaction s",
        "reaktion",
        "reaktionszeit",
        "temps de reaction",
        "reaccion",
        "tiempo de reaccion",
        "reazione",
        "reactie",
        "reactietijd",
        "reaktionstid",
    ),
    "meet": (
        "meet",
        "competition",
        "venue",
        "meeting",
        "wettkampf",
        "veranstaltung",
        "competicion",
        "competizione",
        "wedstrijd",
        "tavling",
    ),
    "round": (
        "round",
        "heat",
        "rnd",
        "lauf",
        "runde",
        "vorlauf",
        "tour",
        "ronda",
        "turno",
        "batteria",
        "ronde",
        "omgang",
    ),
    "timing": (
        "timing",
        "timing method",
        "fat hand",
        "zeitmessung",
        "chronometrage",
        "cronometraje",
        "cronometraggio",
        "tijdwaarneming",
        "tidtagning",
    ),
    "splits": (
        "splits",
        "split times",
        "cumulative splits",
        "zwischenzeiten",
        "temps intermediaires",
        "parciales",
        "intermedi",
        "tussentijden",
        "mellantider",
    ),
    "segments": ("segments", "segment times", "section times"),
    "notes": LOG_SYNONYMS["notes"],
}


ROSTER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "athlete_id": ("athlete_id", "athlete id", "id"),
    "name": (
        "name",
        "athlete",
        "full name",
        "athlete name",
        "nom",
        "nombre",
        "nome",
        "naam",
        "namn",
        "vollstandiger name",
    ),
    "sex": ("sex", "gender", "geschlecht", "sexe", "sexo", "sesso", "geslacht", "kon"),
    "birth_date": (
        "birth_date",
        "birth date",
        "dob",
        "date of birth",
        "born",
        "geburtsdatum",
        "date de naissance",
        "fecha de nacimiento",
        "data di nascita",
        "geboortedatum",
        "fodelsedatum",
    ),
    "aliases": ("aliases", "alias", "other names", "also known as", "aka"),
}


_SPLIT_COL = re.compile(r"^(?:split|cum|at)[ _]?(\d{2,3})(?:[ _]?m)?$")


def header_key(name: object) -> str:
    """Normalise a header for matching: accents, case, punctuation and spaces ignored."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("×", "x")
    text = re.sub(r"[()\[\]{}.:#/\\]", " ", text)
    text = re.sub(r"[\s\-]+", " ", text).strip()
    return text


def canonicalize_columns(
    df: pd.DataFrame, synonyms: Mapping[str, tuple[str, ...]], *, keep_split_columns: bool = False
) -> pd.DataFrame:
    """Rename headers to canonical names using ``synonyms``; unknown headers are kept as they are.

    The first synonym list that claims a header wins, in the order of ``synonyms``. A header
    claimed twice (``Name`` and ``Athlete`` in one sheet) keeps only the first occurrence
    under the canonical name. With ``keep_split_columns``, headers such as ``Split 100``,
    ``split_100m`` or ``100`` become ``split_100``.
    """
    rename = _renames(tuple(df.columns), synonyms, keep_split_columns)
    return df.set_axis([rename.get(c, c) for c in df.columns], axis=1)


#: Rename maps already worked out, per (header, synonym table, split flag): a folder of
#: thousands of files written by one program (a FinishLynx heat per file) has one header.
_RENAMES: dict[tuple, dict[str, str]] = {}


def _renames(
    columns: tuple, synonyms: Mapping[str, tuple[str, ...]], keep_split_columns: bool
) -> dict[str, str]:
    memo = (columns, tuple((k, tuple(v)) for k, v in synonyms.items()), keep_split_columns)
    if (found := _RENAMES.get(memo)) is not None:
        return found
    if len(_RENAMES) > 4096:  # bounded: headers are few, but a hostile folder may vary them
        _RENAMES.clear()
    rename: dict[str, str] = {}
    taken: set[str] = set()
    # Exact canonical names first, so a sheet that has both `reps` (per set) and
    # `sets x reps` keeps each in its place.
    keys = {col: header_key(col).replace("_", " ") for col in columns}
    for exact_pass in (True, False):
        for canon, spellings in synonyms.items():
            wanted = {canon.replace("_", " ")}
            if not exact_pass:
                wanted |= {s.replace("_", " ") for s in spellings}
            for col, key in keys.items():
                if col in rename or canon in taken or col in ("source", "source_row"):
                    continue
                if key in wanted:
                    rename[col] = canon
                    taken.add(canon)
    if keep_split_columns:
        for col, key in keys.items():
            if col in rename:
                continue
            m = _SPLIT_COL.match(key.replace(" ", "_")) or re.fullmatch(r"(\d{2,3})\s?m?", key)
            if m:
                rename[col] = f"split_{int(m.group(1))}"
    _RENAMES[memo] = rename
    return rename


def classify(frame: pd.DataFrame) -> str | None:
    """Which kind of raw table this is: ``"athletes"``, ``"log"``, ``"results"`` or None."""
    keys = {header_key(c).replace("_", " ") for c in frame.columns}

    def has(syn: Mapping[str, tuple[str, ...]], canon: str) -> bool:
        return bool(keys & ({canon.replace("_", " ")} | {s.replace("_", " ") for s in syn[canon]}))

    if (
        has(ROSTER_SYNONYMS, "athlete_id")
        and has(ROSTER_SYNONYMS, "name")
        and not has(LOG_SYNONYMS, "exercise")
        and not has(RESULT_SYNONYMS, "final")
    ):
        return "athletes"
    if has(LOG_SYNONYMS, "athlete") and has(LOG_SYNONYMS, "exercise"):
        return "log"
    if (
        has(RESULT_SYNONYMS, "athlete")
        and has(RESULT_SYNONYMS, "event")
        and (has(RESULT_SYNONYMS, "final"))
    ):
        return "results"
    return None


__all__ = [
    "ATHLETE_HEADERS",
    "DATE_HEADERS",
    "LOG_SYNONYMS",
    "RESULT_SYNONYMS",
    "ROSTER_SYNONYMS",
    "canonicalize_columns",
    "classify",
    "header_key",
]
