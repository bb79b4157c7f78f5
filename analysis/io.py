"""Reading coaches' raw files and writing outputs atomically.

Every raw table comes out of here with all cells as pandas strings (``NA`` for an empty
cell), headers canonicalised through a synonym table, and two extra columns:

``source``
    The file name relative to the data directory; for a workbook ``file.xlsx#Sheet``.
``source_row``
    The row number a coach sees in the spreadsheet: the header is row 1, so the first
    data row is row 2.

Parsing of values happens later, once per distinct raw value, in the cleaners.

``read_raw(..., categorical=True)`` gives the same text dictionary-encoded: every column a
``category`` whose categories are the stripped distinct values. That is the form the
cleaners read fastest (a large log is a few hundred spellings repeated), and the one
:func:`analysis.load_dataset` uses; :func:`as_text` turns it back into ``string`` columns
and :func:`concat_raw` stacks such frames without losing the encoding.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as _dt
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .distinct import strip_distinct
from .errors import DataError

#: The endings the base readers read (CSV-like text and workbooks); the full list, with the
#: app and timing-system formats, is :func:`analysis.ingest.files.readable_suffixes`.
RAW_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")

#: Canonical column -> accepted header spellings (already normalised by :func:`header_key`:
#: accents, case and punctuation ignored, so ``Übung`` is ``ubung``). English first, then
#: the languages of coaches' clubs: German, French, Spanish, Italian, Dutch, Swedish.
_ATHLETE = ("athlete", "name", "athlete name", "athlete id", "athlete_id", "runner",
            "athlet", "athletin", "sportler", "sportlerin", "nom", "athlete nom", "nombre",
            "atleta", "nome", "naam", "atleet", "namn", "idrottare", "lopare")  # fmt: skip
_DATE = ("date", "day", "datum", "tag", "fecha", "data", "dag", "jour")
LOG_SYNONYMS: dict[str, tuple[str, ...]] = {
    "athlete": (*_ATHLETE, "who"),
    "date": (
        *_DATE,
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
    "athlete": _ATHLETE,
    "date": (*_DATE, "race date", "meet date", "wettkampfdatum", "date course"),
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
    rename: dict[str, str] = {}
    taken: set[str] = set()
    # Exact canonical names first, so a sheet that has both `reps` (per set) and
    # `sets x reps` keeps each in its place.
    keys = {col: header_key(col).replace("_", " ") for col in df.columns}
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
    return df.rename(columns=rename)


@dataclass(frozen=True)
class RawTable:
    """One sheet of one raw file, all cells as strings."""

    source: str
    frame: pd.DataFrame


def _cell_to_text(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return pd.NA
    if isinstance(value, _dt.datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        # A duration cell ([m]:ss.00) -> m:ss.ff, like a time typed into Excel
        total = value.total_seconds()
        sign, total = ("-", -total) if total < 0 else ("", total)
        return f"{sign}{int(total // 60)}:{total % 60:05.2f}"
    if isinstance(value, _dt.time):
        # A time typed into Excel (0:52.34 read as a time of day) -> m:ss.ff
        total = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f"{int(total // 60)}:{total % 60:05.2f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text if text else pd.NA


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    """All columns to pandas ``string`` with stripped text and NA for empty cells."""
    out = {}
    for col in df.columns:
        s = df[col]
        if s.dtype == object:
            # Parse each distinct raw value once.
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            texts = np.array([_cell_to_text(v) for v in uniques] + [pd.NA], dtype=object)
            s = pd.Series(texts[codes], index=df.index)
        out[col] = _strip_to_na(s)
    return pd.DataFrame(out, index=df.index)


def _strip_to_na(s: pd.Series) -> pd.Series:
    """Strip whitespace and turn empty cells into NA, in Arrow (no Python per cell).

    A column that needs no change (the usual case) is returned as it is, without a copy.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    s = s.astype("string")
    arr = s.array.__arrow_array__()
    trimmed = pc.utf8_trim_whitespace(arr)
    changed = not pc.all(pc.equal(trimmed, arr), skip_nulls=True).as_py()
    if not changed and not pc.any(pc.equal(arr, ""), skip_nulls=True).as_py():
        return s
    arr = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=s.index)


def _clean_headers(df: pd.DataFrame, source: str) -> pd.DataFrame:
    cols = []
    for i, c in enumerate(df.columns):
        text = "" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c).strip()
        if text.startswith("Unnamed:") or text == "":
            text = f"column_{i + 1}"
        cols.append(text)
    df = df.set_axis(cols, axis=1)
    # drop columns that are entirely empty and unnamed (stray Excel formatting)
    empty_unnamed = [c for c in df.columns if c.startswith("column_") and df[c].isna().all()]
    return df.drop(columns=empty_unnamed)


def _finish(
    df: pd.DataFrame, source: str, *, categorical: bool = False, rows: np.ndarray | None = None
) -> pd.DataFrame:
    import pyarrow as pa

    df = _clean_headers(df, source)
    if categorical:
        return _finish_categories(_as_categories(df), len(df), source, rows)
    df = _as_strings(df)
    n = len(df)
    # Fully blank rows (spacer rows in spreadsheets) are not data; they are dropped here
    # and never counted, like blank lines.
    blank = df.isna().all(axis=1).to_numpy() if df.shape[1] else np.ones(n, dtype=bool)
    rows = np.arange(2, n + 2, dtype="int64") if rows is None else rows
    if blank.any():
        df, rows = df.loc[~blank].reset_index(drop=True), rows[~blank]
    # One file name repeated per row, built in Arrow (a broadcast string costs more).
    names = pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(source, type=pa.string()), len(df)))
    return df.assign(
        source=pd.Series(names, index=df.index),
        source_row=pd.arrays.IntegerArray(rows, np.zeros(len(rows), dtype=bool)),
    )


def _finish_categories(
    columns: dict[str, pd.Categorical], n: int, source: str, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """The categorical twin of :func:`_finish`: blank rows dropped, ``source`` and row added."""
    rows = np.arange(2, n + 2, dtype="int64") if rows is None else rows
    codes = [c.codes for c in columns.values()]
    # a row is blank when every column is; a column never empty rules that out at once
    if not codes or all(len(c) and c.min() < 0 for c in codes):
        blank = np.logical_and.reduce([c < 0 for c in codes]) if codes else np.ones(n, bool)
        if blank.any():
            columns = {k: c[~blank] for k, c in columns.items()}
            rows = rows[~blank]
    names = pd.Categorical.from_codes(
        np.zeros(len(rows), dtype=np.int8),
        dtype=pd.CategoricalDtype(pd.Index([source], dtype="string")),
    )
    columns = {**columns, "source": names,
               "source_row": pd.arrays.IntegerArray(rows, np.zeros(len(rows), dtype=bool))}  # fmt: skip
    return pd.DataFrame(columns, copy=False)


def _as_categories(df: pd.DataFrame) -> dict[str, pd.Categorical]:
    """Every column as a Categorical of stripped text categories (empty cells NA).

    The dictionary-encoded twin of :func:`_as_strings`: each column is encoded once (text
    columns in Arrow, on threads), and every later step works on the codes and the few
    distinct values instead of a million strings.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def encode(col: str) -> pd.Categorical:
        s = df[col]
        if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
            enc = pc.dictionary_encode(s.array.__arrow_array__())
            chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
            # one hash table encodes every chunk: they share one dictionary
            if chunks and all(c.dictionary.equals(chunks[-1].dictionary) for c in chunks):
                texts = np.asarray(chunks[-1].dictionary.to_pylist(), dtype=object)
                # a null cell is a null index: -1, the NA code
                parts = [(c.indices.fill_null(-1) if c.null_count else c.indices) for c in chunks]
                return _categorical([c.to_numpy() for c in parts], texts)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return _categorical([codes], np.array([_cell_to_text(v) for v in uniques], dtype=object))

    cols = list(df.columns)
    if len(df) >= 100_000 and len(cols) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(len(cols), os.cpu_count() or 1)) as pool:
            encoded = list(pool.map(encode, cols))
    else:
        encoded = [encode(c) for c in cols]
    return dict(zip(cols, encoded, strict=True))


def _categorical(codes: list[np.ndarray], texts: np.ndarray) -> pd.Categorical:
    """A Categorical from (chunks of) codes into raw ``texts`` (-1: NA).

    The texts are stripped, empty text becomes NA and texts equal after stripping merge.
    """
    remap, categories = strip_distinct(texts)
    k = len(categories)
    kind = np.int8 if k < 127 else np.int16 if k < 32767 else np.int32
    if k == len(texts) and (remap == np.arange(k)).all():  # the usual case: one pass
        out = np.concatenate(codes, dtype=kind, casting="same_kind") if codes else np.zeros(0, kind)
    else:
        remap = np.append(remap, -1).astype(kind)  # a null cell keeps the NA slot
        out = np.concatenate([remap[c] for c in codes]) if codes else np.zeros(0, kind)
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="string"))
    return pd.Categorical.from_codes(out, dtype=dtype, validate=False)


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """A raw frame read with ``categorical=True``, with its ``category`` columns as ``string``."""
    cats = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)]
    if not cats:
        return df
    return df.astype(dict.fromkeys(cats, "string"))


def concat_raw(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack raw frames, keeping ``category`` columns categorical (categories unioned).

    ``pandas.concat`` turns categoricals with different categories into object columns; a
    log spread over several files stays dictionary-encoded here. A column missing from a
    frame is NA there.
    """
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    out = {}
    for col in columns:
        parts = [
            f[col] if col in f.columns else pd.Series(pd.NA, f.index, dtype="string", name=col)
            for f in frames
        ]
        out[col] = _stack_categories(parts)
        if out[col] is None:
            out[col] = pd.concat([as_text(p.to_frame())[col] for p in parts], ignore_index=True)
    return pd.DataFrame(out)


def _stack_categories(parts: list[pd.Series]) -> pd.Series | None:
    """Categorical parts (or all-NA ones) stacked with their categories unioned; else None."""
    from pandas.api.types import union_categoricals

    if not all(isinstance(p.dtype, pd.CategoricalDtype) or p.isna().all() for p in parts):
        return None
    parts = [
        p
        if isinstance(p.dtype, pd.CategoricalDtype)
        else pd.Series(
            pd.Categorical.from_codes(
                np.full(len(p), -1, np.int8),
                dtype=pd.CategoricalDtype(pd.Index([], dtype="string")),
            )
        )
        for p in parts
    ]
    try:
        return pd.Series(union_categoricals(parts, ignore_order=True))
    except TypeError:  # categories of different types: stacked as text instead
        return None


def _sniff_text(path: Path, label: str) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror})", file=label) from None
    if not head.strip():
        raise DataError("file is empty", file=label)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if (bom_less := _utf16_without_bom(head)) is not None:
        return bom_less
    if b"\x00" in head:
        raise DataError("file is binary, not a CSV text file (save it as CSV or .xlsx)", file=label)
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            # incremental: a character cut in two at the end of the sample is not an error
            codecs.getincrementaldecoder(enc)().decode(head, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    raise DataError("unknown text encoding (save it as UTF-8 CSV)", file=label)  # pragma: no cover


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` for UTF-16 text saved without a byte-order mark.

    Text in a Latin script saved as UTF-16 has a zero byte in every other position (the
    high byte of each character): odd positions for little-endian, even for big-endian.
    """
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for enc, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.4 * len(zeros) and other.count(0) <= 0.05 * len(other):
            try:
                codecs.getincrementaldecoder(enc)().decode(sample, final=False)
            except UnicodeDecodeError:
                continue
            return enc
    return None


def _sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter of a CSV: the candidate most frequent in its header line.

    Coaches' CSVs come from Excel in comma or (in many European locales) semicolon form;
    sniffing the header once lets the fast C parser read the rest.
    """
    candidates = (",", ";", "\t", "|")
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        header = fh.readline(1 << 20)  # a longer line is refused by the scan anyway
        counts = {c: header.count(c) for c in candidates}
        best = max(counts, key=lambda c: (counts[c], c == ","))
        if counts[best]:
            return best
        # a title line above the header (``Gym log``): the separator the most of the next
        # non-blank lines hold (a ``;`` file's decimal commas are not in its header)
        lines = [ln for ln in (fh.readline(1 << 20) for _ in range(40)) if ln.strip()][:20]
    if not lines:
        return ","
    held = {c: (sum(c in ln for ln in lines), sum(ln.count(c) for ln in lines)) for c in candidates}
    best = max(held, key=lambda c: (*held[c], c == ","))
    return best if held[best][0] else ","


def read_raw(
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    categorical: bool = False,
    empty_sheets: list[str] | None = None,
    check: bool = True,
) -> list[RawTable]:
    """Read one raw CSV or Excel file into :class:`RawTable` s (one per non-empty sheet).

    With ``categorical``, the cells come as ``category`` columns (the same stripped text,
    dictionary-encoded) and ``source`` is categorical too: the form the cleaners read
    fastest, as :func:`analysis.load_dataset` reads a large log. :func:`as_text` turns
    such a frame back into ``string`` columns. A workbook's sheets without data rows are
    left out; their sources (``file.xlsx#Sheet``) are appended to ``empty_sheets`` when a
    list is given. ``check=False`` leaves out the CSV's check against the reading limits
    (:func:`analysis.ingest.cells.check_line_limit`), for a caller that has just made it.

    Raises
    ------
    DataError
        The file is empty, binary garbage, not decodable, or not a readable workbook.
    """
    path = Path(path)
    label = str(path.relative_to(root)) if root is not None else path.name
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from .ingest.cells import read_xlsx_rows

        tables = []
        for sheet in read_xlsx_rows(path, label):
            source = f"{label}#{sheet.name}"
            if len(sheet.rows) < 2:  # no rows, or a header alone
                if empty_sheets is not None:
                    empty_sheets.append(source)
                continue
            tables.append(RawTable(source, frame_from_rows(sheet.rows, source, categorical)))
        return tables
    from .ingest.cells import check_line_limit, scan_csv

    encoding, sep = sniff_csv(path, label)
    if check:  # False: the caller has checked the file against the limits already
        check_line_limit(path, label, encoding, sep)
    try:
        frame = _read_csv_text(path, label, encoding, sep)
    except _MaybeRagged:
        # only now the closer (NumPy) look: which rows have extra non-empty fields
        ragged = scan_csv(path, label, encoding, sep).ragged
        if ragged:
            raise ragged_error(label, ragged) from None
        frame = _read_csv_text(path, label, encoding, sep, index_col=False)
    return [RawTable(label, _finish(frame, label, categorical=categorical))]


def sniff_csv(path: Path, label: str) -> tuple[str, str]:
    """The text encoding and the field separator of a CSV file."""
    encoding = _sniff_text(path, label)
    sep = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(path, encoding)
    return encoding, sep


def ragged_error(label: str, ragged: list[tuple[int, int, list[str]]]) -> RaggedRowsError:
    """One line naming the first row with more fields than the header (and how many such)."""
    row, n, extra = ragged[0]
    more = f" ({len(ragged)} such rows)" if len(ragged) > 1 else ""
    shown = ", ".join(repr(v) for v in extra[:3])
    return RaggedRowsError(
        f"row has {n} fields, more than the header's columns: extra {shown} would be lost{more}",
        file=label,
        row=row,
    )


def frame_from_rows(rows: list[tuple[int, list]], source: str, categorical: bool = False):
    """A raw frame from ``(row, cells)`` rows: the first is the header, the rest data.

    ``source_row`` is each row's own number (rows left out as blank keep the numbers of
    the rows around them right).
    """
    header = rows[0][1]
    data = rows[1:]
    width = max([len(header), *(len(c) for _, c in data)])
    columns = [*header, *([None] * (width - len(header)))]
    body = [c + [None] * (width - len(c)) for _, c in data]
    df = (
        pd.DataFrame(body, columns=range(width), dtype=object)
        if body
        else pd.DataFrame(columns=range(width), dtype=object)
    )
    df.columns = columns
    numbers = np.fromiter((r for r, _ in data), dtype=np.int64, count=len(data))
    return _finish(df, source, categorical=categorical, rows=numbers)


class RaggedRowsError(DataError):
    """A CSV row has more non-empty fields than its header has columns."""


class _MaybeRagged(Exception):
    """The fast read saw more fields than headers somewhere: look closer."""


def _read_csv_text(
    path: Path, label: str, encoding: str, sep: str, *, index_col: bool | None = None
) -> pd.DataFrame:
    """Every cell of a CSV as text, exactly as written (NA for an empty cell).

    pandas reads text columns fastest when it infers their type itself (``dtype=str``
    costs several times more on a large log), so the file is read with inference and only
    the columns pandas took for numbers or booleans are read again as text: no cell loses
    its spelling (``007``, ``4.50``, ``TRUE``).
    """
    kw = {
        "keep_default_na": False,
        "na_values": [""],
        "encoding": encoding,
        "sep": sep,
        "engine": "c",
        "skipinitialspace": True,
        "skip_blank_lines": False,  # keep row numbers those of the file; _finish drops them
        # None first: a row with more fields than the header is then an error or a shifted
        # index, never cut off silently; False (the fields checked) for trailing commas
        "index_col": index_col,
    }
    try:
        df = pd.read_csv(path, **kw)
        if index_col is None and not isinstance(df.index, pd.RangeIndex):
            raise _MaybeRagged
        other = [i for i, dt in enumerate(df.dtypes) if not isinstance(dt, pd.StringDtype)]
        if other:
            text = pd.read_csv(path, usecols=other, dtype=str, **kw)
            for j, i in enumerate(other):
                df.isetitem(i, text.iloc[:, j].to_numpy(dtype=object))
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = " ".join(str(exc).split())[:160]
        if index_col is None and re.search(r"Expected \d+ fields in line \d+", first):
            raise _MaybeRagged from None
        if m := re.search(r"EOF inside string starting at row (\d+)", first):
            # the C parser counts data rows from 0 after the header: spreadsheet row + 1
            raise DataError(
                'not a readable CSV file: a quote (") opened in this row is never closed',
                file=label,
                row=int(m[1]) + 1,
            ) from None
        raise DataError(f"not a readable CSV file ({first})", file=label) from None
    except pd.errors.EmptyDataError:
        raise DataError("file has no header row", file=label) from None
    return df


def iter_raw_files(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """Raw data files below ``directory`` in a stable order.

    The files :func:`analysis.ingest.files.scan_folder` reads: hidden files, lock files,
    hipflex's own output folders, links, names that are not UTF-8 and endings hipflex
    does not read are left out (``scan_folder`` lists each with why).
    """
    from .ingest.files import scan_folder

    yield from scan_folder(directory).files


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


# --------------------------------------------------------------------------- writing


def _proc_umask() -> int | None:
    """The umask as Linux reports it in ``/proc/self/status`` (4.7+), or None."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _toggled_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Where ``/proc`` does not report the umask (macOS, old kernels), the only portable read
#: sets and restores it: done once here, at import, which runs before hipflex starts any
#: thread. On Linux the umask is never touched.
_FALLBACK_UMASK = _toggled_umask() if _proc_umask() is None else None


def current_umask() -> int:
    """The process umask, read without changing it.

    On Linux it is read from ``/proc/self/status`` at every call, so a file gets the umask
    in effect when it is written and no other thread ever sees a changed umask (setting it
    to read it, as ``os.umask`` requires, races with threads creating files). Elsewhere it
    is the umask at import (:data:`_FALLBACK_UMASK`).
    """
    mask = _proc_umask()
    return mask if mask is not None else int(_FALLBACK_UMASK or 0)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success.

    Nothing half-written is ever visible at ``target``: a failure removes the temporary file
    and leaves any previous version of ``target`` untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    # mkstemp makes the file private (0600); a report or table gets the usual permissions
    os.fchmod(fd, 0o666 & ~current_umask())
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_atomic(target: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and atomically move the result to ``target``."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    return write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet_atomic(df: pd.DataFrame, target: str | os.PathLike[str]) -> Path:
    """Write ``df`` as Parquet to ``target`` atomically."""
    return write_atomic(target, lambda p: df.to_parquet(p, index=False))
