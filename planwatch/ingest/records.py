"""Record-level extracts: one row per crime, casualty, incident or person.

In: CSV, XLSX, ODS or Parquet files and the plan's
:class:`~planwatch.plan.models.RecordSourceDef` for them (``record_sources:`` in
``plan.yaml``: which columns to keep, their types, which identify a record, which is
the date to count by and which the area).
Out: a :class:`RecordBatch` whose TEMP table holds the mapped columns only, in their
declared types, for ``records_<name>`` (:func:`planwatch.store.schema.ensure_record_table`).

Data minimisation: a column the plan does not map is never read into the store — names,
addresses and free text stay in the file. A mapped column whose name or content looks
like personal data (names, dates of birth, phone numbers, emails, addresses) is kept, as
the plan says, with a warning.

Rules (each breach is reported with file, row and field; nothing is stored):

* every mapped column is in the file; a file with the columns of another record source
  of the plan is named as that source's file;
* dates parse (the column's ``format``, or ISO ``YYYY-MM-DD``); the date counted by and
  the id columns are never blank;
* integers and numbers are numbers; a flag holds only its declared true / false
  spellings (case-insensitive; a blank cell is false unless the spellings leave it out,
  then it is unknown);
* no two rows share a record id, within a file or across the files of one load
  (checked once for the whole load, :func:`_duplicate_ids`). A
  source without an id (data.police.uk: anti-social behaviour has no Crime ID) is
  revised by month and its ``revise_by`` columns instead.

A folder stands for the CSV files in it. CSV files sharing a header (a month of each
force) are read, converted and checked together in one pass; a group with any problem is
read again file by file to say where it is (see "CSV files read together" below).
"""

from __future__ import annotations

import csv
import hashlib
import mmap
import os
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from itertools import product
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from planwatch.errors import IngestError, Location, Problem
from planwatch.ingest.checks import MAX_LISTED, number_problems
from planwatch.ingest.csvscan import plain_csv
from planwatch.ingest.files import detect_type, read_first_line, sha256_of
from planwatch.ingest.source import (
    HEADER_ROW,
    Column,
    StagedTable,
    header_key,
    match_header,
    stage_table,
)
from planwatch.ingest.staged import IngestContext, StagedBatch, StagedFile
from planwatch.periods import Month
from planwatch.plan.models import Plan, RecordColumn, RecordSourceDef
from planwatch.store.schema import record_table

#: The first bytes of a Parquet file.
PARQUET_MAGIC = b"PAR1"
#: Column names or headers that suggest personal data (matched as whole words, any case).
PERSONAL_NAME = re.compile(
    r"(^|[\s_])(name|names|forename|surname|first[\s_]?name|last[\s_]?name|full[\s_]?name|"
    r"dob|d\.o\.b|birth|date[\s_]of[\s_]birth|birth[\s_]?date|phone|telephone|tel|mobile|"
    r"email|e[\s_-]?mail|address|street|postcode|post[\s_]code|ni[\s_]number|"
    r"national[\s_]insurance|nhs[\s_]number)($|[\s_])",
    re.I,
)
#: Values that look like an email address or a UK phone number.
PERSONAL_VALUE = {
    "email addresses": r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    "phone numbers": r"^(\+44\s?|0)[\d\s]{9,12}$",
}
#: Values of a text column sampled for personal data, and the share that must match.
SNIFF_VALUES = 1000
SNIFF_SHARE = 0.5


@dataclass
class RecordBatch(StagedBatch):
    """A staged records load: the batch plus the source definition its table is made from."""

    source: RecordSourceDef | None = None
    #: column -> declared type, for :func:`planwatch.store.schema.ensure_record_table`
    column_types: dict[str, str] = field(default_factory=dict)
    #: the typed TEMP table of each file, until :meth:`finish` joins them
    parts: list[str] = field(default_factory=list)
    #: each part's record ids hashed as it is staged (:func:`_id_hashes`)
    id_hashes: list[np.ndarray] = field(default_factory=list)

    @staticmethod
    def of(source: RecordSourceDef) -> RecordBatch:
        types: dict[str, str] = {c: spec.type for c, spec in source.columns.items()}
        return RecordBatch("records", source=source, column_types=types)

    def add(self, con: duckdb.DuckDBPyConnection, raw: StagedTable, display: str, sha: str) -> None:
        """Check and type one file's staged rows (text columns named as the source maps them)."""
        source = self.source
        assert source is not None
        ready = convert_records(con, raw, source, display, len(self.files))
        warnings = _personal_data(con, ready, source, display)
        # every row fetched: a result left open would stop the next Arrow table registering
        ((first, last),) = con.execute(
            f"SELECT min({source.date}), max({source.date}) FROM {ready}"
        ).fetchall()
        self.files.append(
            StagedFile(
                display,
                sha,
                raw.rows,
                first,
                last,
                _span(first, last),
                warnings,
                note=f"record source '{source.name}'",
            )
        )
        self.parts.append(ready)
        self.id_hashes.append(_id_hashes(con, ready, source, raw.rows))

    def finish(self, con: duckdb.DuckDBPyConnection) -> RecordBatch:
        """All files' records in one TEMP table for the store, with no id in two files."""
        if not self.parts:
            return self
        assert self.source is not None
        table = self.parts[0]
        if len(self.parts) > 1:  # a view: the files' rows are not copied again
            table = "records_ready"
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS "
                + " UNION ALL BY NAME ".join(f"SELECT * FROM {p}" for p in self.parts)
            )
        _duplicate_ids(con, table, self.source, self.files, self.id_hashes)
        self.tables[record_table(self.source.name)] = table
        return self


def record_source_of(plan: Plan, name: str) -> RecordSourceDef:
    """The plan's record source ``name`` (a clear error with the nearest name if absent)."""
    from planwatch.errors import NotFoundError, suggest

    try:
        return plan.record_source(name)
    except KeyError:
        known = list(plan.record_source_names())
        raise NotFoundError(
            f"the plan has no record source '{name}'",
            expected="a name under 'record_sources:' in plan.yaml"
            + (f" ({', '.join(known)})" if known else ""),
            suggestion=suggest(name, known),
        ) from None


def source_matching(plan: Plan, paths: list[Path]) -> str | None:
    """The one record source of the plan whose mapped columns all head the first CSV file
    of ``paths`` (a load named by its columns); ``None`` if not exactly one, or no CSV."""
    first = next(
        (f for p in paths for f in (sorted(p.rglob("*.csv")) if p.is_dir() else [p])), None
    )
    if first is None or not first.is_file() or detect_type(first) != "csv":
        return None
    have = {header_key(h) for h in next(csv.reader([read_first_line(first)]), [])}
    found = [
        s.name
        for s in plan.record_sources
        if all(header_key(s.header_of(c)) in have for c in s.columns)
    ]
    return found[0] if len(found) == 1 else None


def stage_records(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    plan: Plan,
    name: str,
    ctx: IngestContext,
) -> RecordBatch:
    """Read, check and stage every file of one records load into ONE TEMP table."""
    source = record_source_of(plan, name)
    batch = RecordBatch.of(source)
    for folder in (p for p in paths if p.is_dir() and not any(p.rglob("*.csv"))):
        raise IngestError(
            "the folder holds no CSV files",
            location=Location(file=str(folder)),
            expected="record extracts (CSV in a folder; XLSX, ODS or Parquet given by name)",
        )
    groups: dict[tuple[str, ...], list[_File]] = {}
    inputs = [f for p in paths for f in (sorted(p.rglob("*.csv")) if p.is_dir() else [p])]
    for path in inputs:
        display = str(path)
        header = _plain_csv_header(path, display, source)
        if header is not None:  # hashed where it is parsed, on the threads (:func:`_parse`)
            groups.setdefault(header, []).append(_File(path, display))
            continue
        sha = sha256_of(path)  # a spreadsheet, Parquet, or a header to look at closely
        if sha in ctx.known_files:
            batch.already_loaded.append((display, ctx.known_files[sha]))
        else:
            raw = _read(con, path, display, source, plan, len(batch.files), ctx)
            batch.add(con, raw, display, sha)
    chunks = [
        (_Reading.of(header, source), chunk)
        for header, files in groups.items()
        for chunk in _chunks(files)
    ]
    with ThreadPoolExecutor(READERS) as pool:
        # the next chunk is parsed on the threads while this one is converted and checked
        known = frozenset(ctx.known_files)  # read on the threads
        parsing = [_parsing(pool, chunk, reading, known) for reading, chunk in chunks[:1]]
        try:
            for i, (reading, chunk) in enumerate(chunks):
                parsing += [_parsing(pool, c, r, known) for r, c in chunks[i + 1 : i + 2]]
                parsed = [future.result() for future in parsing.pop(0)]
                batch.already_loaded += [
                    (f.display, ctx.known_files[p.sha])
                    for f, p in zip(chunk, parsed, strict=True)
                    if p.sha in ctx.known_files
                ]
                fresh = [
                    (replace(f, sha=p.sha), p.columns)
                    for f, p in zip(chunk, parsed, strict=True)
                    if p.sha not in ctx.known_files
                ]
                if fresh and not _stage_chunk(con, batch, fresh, reading):
                    # a problem somewhere in the chunk: read it file by file, which says where
                    for f, _ in fresh:
                        raw = _read(con, f.path, f.display, source, plan, len(batch.files), ctx)
                        batch.add(con, raw, f.display, f.sha)
        finally:  # an error: the chunk being parsed ahead is not waited for
            for future in (f for futures in parsing for f in futures):
                future.cancel()
    order = {str(path): i for i, path in reversed(list(enumerate(inputs)))}
    batch.already_loaded.sort(key=lambda item: order[item[0]])  # as the files were given
    return batch.finish(con)


# --- CSV files read together --------------------------------------------------------
#
# Extracts come as many files with one header (a force's month, a month of each force).
# Files sharing a header are read a chunk at a time, several files at once on threads
# (pyarrow's CSV parser, which lets go of the GIL, a block at a time), keeping only the
# mapped columns; the next chunk is parsed while this one is converted and checked:
#
# * a column of few distinct values (dates, codes, districts, flags: every type but
#   numbers and the id's text) is read as a dictionary, and only its distinct values
#   are converted and checked — by the same SQL as the file-by-file path
#   (:func:`_converted`), so a value means the same whichever path reads it;
# * a flag whose spellings are short ASCII words is read as true or false by pyarrow,
#   given every upper- and lower-case form of them: exactly the values that SQL accepts
#   untrimmed (:func:`_flag_forms`); any other value stops the parse;
# * a number, whose values are nearly all distinct, is parsed by pyarrow, which makes of
#   every number it parses what the SQL does, and is kept only if finite (:func:`_numbers`);
# * an id's text is converted by Arrow, and only where that is exactly what the SQL would
#   do (spaces trimmed, plain ASCII).
#
# The typed columns go to DuckDB as Arrow tables, without a copy. Anything the fast path
# is not sure of — a value that does not convert, a blank id or date, a NUL byte, a
# quote the CSV rules do not allow or a row longer than DuckDB reads (the byte check of
# :mod:`planwatch.ingest.csvscan`), an empty file, any parse error — makes it give the
# chunk up, and the chunk is read again file by file (:func:`_read`,
# :func:`convert_records`), whose messages name the file, row and field.
# So a clean load pays for one pass, and a bad one is told exactly as before.

#: CSV bytes read as one chunk at most (whole files): the typed columns are held in memory
#: until the load is written, and a chunk is read twice only if it is bad.
CHUNK_BYTES = 256 * 1024 * 1024
#: Bytes pyarrow parses as one block: a block's columns stay in the processor's cache while
#: they are converted (1 MB parsed 0.6 s of CPU a million rows, a whole file 0.68 s).
BLOCK_BYTES = 1 << 20
#: A flag whose spellings have at most this many letters is read as true or false by
#: pyarrow itself, given every upper- and lower-case form of them (2**5 of "false").
FLAG_LETTERS = 5
#: Files parsed at once (each on its own thread).
READERS = max(1, os.cpu_count() or 1)
#: pyarrow's dictionary of a column's distinct values (32-bit indices).
_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
_SPACE = b" "[0]
#: The first byte that is not ASCII.
_NON_ASCII = 0x80


@dataclass(frozen=True)
class _File:
    path: Path
    display: str
    #: its SHA-256, once hashed (:func:`_parse`)
    sha: str = ""


@dataclass(frozen=True)
class _Parsed:
    """What :func:`_parse` made of one file: its SHA-256 and, unless it is already loaded
    or anything about it is in doubt, its mapped columns."""

    sha: str
    columns: dict[str, pa.Array] | None = None


def _plain_csv_header(path: Path, display: str, source: RecordSourceDef) -> tuple[str, ...] | None:
    """The header of a CSV file holding every mapped column once, with no blank or repeated
    cell (such a file can be read with others); ``None`` for any other file."""
    with path.open("rb") as fh:
        if fh.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC:
            return None
    if detect_type(path, display=display) != "csv":
        return None
    header = tuple(next(csv.reader([read_first_line(path)]), []))
    keys = [header_key(h) for h in header]
    if (
        not header
        or "" in keys
        or len(set(keys)) != len(keys)
        or any(h != h.strip() or not h.isprintable() for h in header)
    ):
        return None
    if not all(header_key(source.header_of(c)) in keys for c in source.columns):
        return None
    return header


def _chunks(files: list[_File]) -> list[list[_File]]:
    """Consecutive files of at most :data:`CHUNK_BYTES` together (a larger file alone)."""
    chunks: list[list[_File]] = [[]]
    total = 0
    for f in files:
        size = f.path.stat().st_size
        if chunks[-1] and total + size > CHUNK_BYTES:
            chunks.append([])
            total = 0
        chunks[-1].append(f)
        total += size
    return chunks


def _by_value(column: str, spec: RecordColumn, source: RecordSourceDef) -> bool:
    """Whether a column is converted value by value (by Arrow), not by its distinct values."""
    return spec.type == "number" or (spec.type == "text" and column in source.id)


def _parsing(
    pool: ThreadPoolExecutor, chunk: list[_File], reading: _Reading, known: frozenset[str]
) -> list[Future[_Parsed]]:
    """Each file of ``chunk`` being hashed and parsed on the threads (:func:`_parse`)."""
    return [pool.submit(_parse, f.path, reading, known) for f in chunk]


@dataclass(frozen=True)
class _Reading:
    """How pyarrow parses the files of one header: the header of each mapped column, the
    columns converted value by value (:func:`_by_value`), and the flags it reads as true or
    false itself (:func:`_flag_forms`), with their spellings."""

    source: RecordSourceDef
    wanted: dict[str, str]
    by_value: frozenset[str]
    flags: frozenset[str]
    true: tuple[str, ...] = ()
    false: tuple[str, ...] = ()

    @property
    def numbers(self) -> frozenset[str]:
        """The columns of numbers: parsed as numbers by pyarrow itself (:func:`_numbers`)."""
        return frozenset(c for c in self.by_value if self.source.columns[c].type == "number")

    @staticmethod
    def of(header: tuple[str, ...], source: RecordSourceDef) -> _Reading:
        cell = {header_key(h): h for h in header}
        wanted = {column: cell[header_key(source.header_of(column))] for column in source.columns}
        by_value = frozenset(c for c, spec in source.columns.items() if _by_value(c, spec, source))
        forms = {
            c: _flag_forms(spec)
            for c, spec in source.columns.items()
            if spec.type == "flag" and not _required(c, source)
        }
        first = next((f for f in forms.values() if f is not None), None)
        if first is None:
            return _Reading(source, wanted, by_value, frozenset())
        flags = frozenset(c for c, f in forms.items() if f == first)  # pyarrow's are one list
        return _Reading(source, wanted, by_value, flags, *first)

    @property
    def blank(self) -> bool | None:
        """What a blank flag it reads means: true or false if a spelling says so, else
        unknown (``None``)."""
        return True if "" in self.true else False if "" in self.false else None

    def options(self) -> pa_csv.ConvertOptions:
        return pa_csv.ConvertOptions(
            include_columns=list(self.wanted.values()),
            column_types={
                h: pa.float64()
                if c in self.numbers
                else pa.string()
                if c in self.by_value
                else pa.bool_()
                if c in self.flags
                else _DICTIONARY
                for c, h in self.wanted.items()
            },
            strings_can_be_null=False,
            # checked where it is cheaper: an id's bytes are ASCII (:func:`_by_value_array`),
            # a dictionary's values once each (:func:`_convert_distinct`)
            check_utf8=False,
            true_values=list(self.true),
            false_values=list(self.false),
            # a blank number or flag is NULL (text is never NULL: strings_can_be_null), a
            # flag's then made what the spellings say of a blank (:attr:`blank`)
            null_values=[""],
        )


def _flag_forms(spec: RecordColumn) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Every upper- and lower-case form of a flag's true and false spellings, which is what
    :func:`_flag_sql` accepts once a value is trimmed: ``None`` if a spelling is not ASCII
    or longer than :data:`FLAG_LETTERS` letters, or is both true and false (then the flag's
    distinct values are converted by that SQL instead)."""
    true = {v.strip().lower() for v in spec.true}
    false = {v.strip().lower() for v in spec.false}
    words = true | false
    if true & false or not all(
        w.isascii() and sum(c.isalpha() for c in w) <= FLAG_LETTERS for w in words
    ):
        return None

    def cased(spellings: set[str]) -> tuple[str, ...]:
        return tuple(
            sorted(
                {
                    "".join(form)
                    for word in spellings
                    for form in product(*({c, c.upper()} for c in word))
                }
            )
        )

    return cased(true), cased(false)


def _stage_chunk(
    con: duckdb.DuckDBPyConnection,
    batch: RecordBatch,
    parsed: list[tuple[_File, dict[str, pa.Array] | None]],
    reading: _Reading,
) -> bool:
    """Stage the files of a chunk, parsed, in one pass (see above); ``False``, staging
    nothing, if unsure of any of it."""
    source = batch.source
    assert source is not None
    first = len(batch.files)
    chunk = [f for f, _ in parsed]
    files = [columns for _, columns in parsed if columns is not None]
    if len(files) < len(chunk):
        return False
    for column, spec in source.columns.items():
        if column in reading.by_value or column in reading.flags:
            continue
        typed = _convert_distinct(con, [f[column] for f in files], column, spec, source)
        if typed is None:
            return False
        for f, values in zip(files, typed, strict=True):
            f[column] = values
    rows = [len(f[source.date]) for f in files]
    numbers = _arrow(np.arange(HEADER_ROW + 1, HEADER_ROW + 1 + max(rows), dtype=np.int32))
    zeros = _arrow(np.zeros(max(rows), dtype=np.int8))
    tables = [
        pa.table(
            {
                "_file": pa.DictionaryArray.from_arrays(
                    zeros.slice(0, n), _arrow(np.array([first + i], np.int32)), safe=False
                ),
                "source_row": numbers.slice(0, n),
                **f,
            }
        )
        for i, (f, n) in enumerate(zip(files, rows, strict=True))
    ]
    view = f"records_part_{first}"
    con.register(view, pa.concat_tables(tables))
    warnings = _personal_data(con, view, source, chunk[0].display)
    for file, values, n in zip(chunk, files, rows, strict=True):
        dates = values[source.date]  # never blank: every value of its dictionary is used
        low, high = (v.as_py() for v in pc.min_max(dates.dictionary).values())
        batch.files.append(
            StagedFile(
                file.display, file.sha, n, low, high, _span(low, high),
                warnings if file is chunk[0] else [], note=f"record source '{source.name}'",
            )
        )  # fmt: skip
    batch.parts.append(view)
    # hashed now, while the threads parse the next chunk, not all at the end of the reading
    batch.id_hashes.append(_id_hashes(con, view, source, sum(rows)))
    # the parser's buffers, not held to the write: pyarrow's own allocator parses 20% faster
    # than the system's, and what it keeps is given back here (peak 867 MB at 10 million)
    pa.default_memory_pool().release_unused()
    return True


def _parse(path: Path, reading: _Reading, known: frozenset[str]) -> _Parsed:
    """One file hashed and, unless a file of that hash is ``known`` (loaded already), its
    mapped columns (:func:`_columns`).

    The file is hashed by the thread that then checks and parses it, one task a file, not
    in a pass over every file before any is parsed. It is mapped, not read: hashlib, the
    byte checks and pyarrow read the page cache where it is, with no copy into fresh
    memory (the kernel's time reading 2 million rows went from 0.42 to 0.30 s, median of 5
    interleaved runs). The map goes when nothing refers to it any more."""
    with path.open("rb") as fh:
        try:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file (which cannot be mapped): the file-by-file path
            return _Parsed(sha256_of(path))
    sha = hashlib.sha256(data).hexdigest()  # hashlib lets go of the GIL
    return _Parsed(sha, None if sha in known else _columns(data, reading))


def _columns(data: mmap.mmap, reading: _Reading) -> dict[str, pa.Array] | None:
    """A file's mapped columns: numbers parsed (:func:`_numbers`), id text converted
    (:func:`_by_value_array`), flags read as true or false where pyarrow can
    (:class:`_Reading`), the others as dictionaries; ``None`` if anything about the file
    is in doubt."""
    if not plain_csv(data):
        return None
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(use_threads=False, block_size=BLOCK_BYTES),
            # blank lines are skipped, as DuckDB's reader skips them
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=reading.options(),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows == 0:
        return None
    out: dict[str, pa.Array] = {}
    for column, header in reading.wanted.items():
        chunks = table[header]
        values = chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()
        required = _required(column, reading.source)
        if column in reading.flags and reading.blank is not None and values.null_count:
            values = pc.fill_null(values, reading.blank)
        elif column in reading.numbers:
            if not _numbers(values, required=required):
                return None
        elif column in reading.by_value:
            converted = _by_value_array(values, required=required)
            if converted is None:
                return None
            values = converted
        out[column] = values
    return out


def _required(column: str, source: RecordSourceDef) -> bool:
    return column in source.id or column == source.date


def _numbers(values: pa.Array, *, required: bool) -> bool:
    """Whether a column of numbers as pyarrow parsed them is what :func:`_converted`\'s SQL
    makes of the same text: every number finite (pyarrow reads "inf" and "nan" as numbers)
    and, if the column is required, none blank.

    pyarrow parses a number as DuckDB's cast does where it parses it at all (spaces and
    tabs around it, signs, exponents, "1." and ".5", the nearest double); text it does not
    parse — thousands separators, "1_000", Unicode digits or spaces — stops the parse, and
    the file goes file by file. Parsing the numbers, rather than reading them as text to
    check and cast, spares a copy of their text: the benchmark's value column alone, 80
    files, took 0.72 s of CPU against 0.77 s (best of 7; medians 0.84 and 0.93)."""
    if required and values.null_count:
        return False
    return pc.all(pc.is_finite(values)).as_py() is not False  # None: every number blank


def _by_value_array(values: pa.Array, *, required: bool) -> pa.Array | None:
    """An id's text converted by Arrow as :func:`_converted`\'s SQL would, or ``None``
    where Arrow might not do the same (non-ASCII text: DuckDB's ``trim`` takes every
    Unicode space off) or a value is blank or NUL.

    The checks look at the column's bytes and offsets at once (a value's first and last
    byte, its length), not value by value."""
    offsets = np.frombuffer(values.buffers()[1], np.int32, len(values) + 1, values.offset * 4)
    text = np.frombuffer(values.buffers()[2] or b"", np.uint8)[offsets[0] : offsets[-1]]
    if (text >= _NON_ASCII).any() or not text.all():  # not ASCII, or a NUL byte
        return None
    length = np.diff(offsets)
    filled = length > 0
    starts = offsets[:-1][filled] - offsets[0]
    ends = starts + length[filled] - 1
    # trimmed only if need be: a copy of ten million ids is 160 MB more to the write
    spaced = bool((text[starts] == _SPACE).any() or (text[ends] == _SPACE).any())
    trimmed = pc.utf8_trim(values, " ") if spaced else values
    blank = pc.equal(pc.binary_length(trimmed), _EMPTY) if spaced else None
    if (blank is not None and pc.any(blank).as_py()) or not filled.all():
        if required:
            return None
        blank = _arrow(~filled) if blank is None else blank
        trimmed = pc.if_else(blank, pa.nulls(1, pa.string())[0], trimmed)
    return trimmed


def _arrow(values: np.ndarray) -> pa.Array:
    """A numpy array of numbers or booleans as Arrow, sharing its memory where it can.

    ``pa.array`` would import pandas to see whether it was given a pandas object: 0.4 s
    of CPU, a fifth of a million rows' load, for a module a records load never uses."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    kind = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def _zero(kind: pa.DataType) -> pa.Scalar:
    """Nothing of type ``kind`` (0, the empty text, the first day) made without ``pa.scalar``
    (:func:`_arrow`)."""
    if pa.types.is_string(kind):
        empty = [None, pa.py_buffer(np.zeros(2, np.int32)), pa.py_buffer(b"")]
        return pa.Array.from_buffers(kind, 1, empty)[0]
    return pc.cast(_arrow(np.zeros(1, np.int32)), kind)[0]


#: A text's length of nothing (the empty text's).
_EMPTY = _zero(pa.int32())


def _index_type(size: int) -> pa.DataType:
    """The narrowest signed integer type indexing a dictionary of ``size`` values."""
    for width in (pa.int8(), pa.int16()):
        if size <= 2 ** (width.bit_width - 1) - 1:
            return width
    return pa.int32()


def _convert_distinct(
    con: duckdb.DuckDBPyConnection,
    columns: list[pa.DictionaryArray],
    column: str,
    spec: RecordColumn,
    source: RecordSourceDef,
) -> list[pa.Array] | None:
    """Each file's dictionary column typed, by converting the files' distinct values with
    the SQL of the file-by-file path; ``None`` if any of them fails its check."""
    values = pa.concat_arrays([c.dictionary for c in columns])
    try:  # parsed unchecked (:meth:`_Reading.options`): bytes that are not UTF-8 go file by file
        values.validate(full=True)
    except pa.ArrowInvalid:
        return None
    typed, failed = _converted("v", spec)
    bad = [failed or "contains(v, chr(0))"]
    if _required(column, source):
        bad.append(f"{_text('v')} IS NULL")
    con.register("records_distinct", pa.table({"i": _arrow(np.arange(len(values))), "v": values}))
    try:
        # read as a stream: pa.table(relation) would import pandas to look for a frame
        result = pa.RecordBatchReader.from_stream(
            con.sql(
                f"SELECT {typed} AS typed, ({' OR '.join(bad)}) AS bad "
                "FROM records_distinct ORDER BY i"
            )
        ).read_all()
    finally:
        con.unregister("records_distinct")
    if pc.any(result["bad"]).as_py():
        return None
    converted = result["typed"].combine_chunks()
    # Held until the load is written: indices as narrow as the largest dictionary allows
    # (one byte a row for a flag, date, code or district), flags as bits.
    width = _index_type(max(len(c.dictionary) for c in columns))
    out: list[pa.Array] = []
    start = 0
    for c in columns:
        own = converted.slice(start, len(c.dictionary))
        start += len(c.dictionary)
        if spec.type == "flag":
            out.append(pc.take(own, c.indices))
            continue
        # Unchecked, as every index is one of the dictionary's (pyarrow's own), which the
        # width holds. Six columns of ten million indices, timed alone: the checked cast
        # took 1.87 s of CPU against 0.82, the indices' check 0.56 s against 0.02.
        indices = pc.cast(c.indices, width, safe=False)
        gone = pc.is_null(own)
        if pc.any(gone).as_py():  # a blank value: its rows are NULL, not a NULL in the dictionary
            kept = pc.take(pc.invert(gone), indices)  # a new array: its bits start at 0
            indices = pa.Array.from_buffers(
                width, len(indices), [kept.buffers()[1], indices.buffers()[1]]
            )
            own = pc.fill_null(own, _zero(own.type))
        out.append(pa.DictionaryArray.from_arrays(indices, own, safe=False))
    return out


def _converted(raw: str, spec: RecordColumn) -> tuple[str, str | None]:
    """A column's typed SQL from its text, and the condition of a value that does not convert."""
    text = _text(raw)
    if spec.type == "text":
        return text, None
    if spec.type in ("integer", "number"):
        cast = f"TRY_CAST(replace({text}, ',', '') AS {'BIGINT' if spec.type == 'integer' else 'DOUBLE'})"
        return cast, f"({text} IS NOT NULL AND {cast} IS NULL)"
    if spec.type == "date":
        return _date_sql(raw, spec), f"({text} IS NOT NULL AND {_date_sql(raw, spec)} IS NULL)"
    return _flag_sql(raw, spec), f"({_flag_sql(raw, spec)} IS NULL AND {text} IS NOT NULL)"


def _span(first: date, last: date) -> str:
    a, b = Month(first.year, first.month), Month(last.year, last.month)
    return a.label if a == b else f"{a.label} to {b.label}"


def _read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    source: RecordSourceDef,
    plan: Plan,
    index: int,
    ctx: IngestContext,
) -> StagedTable:
    """The file's mapped columns as text in TEMP table ``records_raw_<index>``."""
    columns = [Column(source.header_of(c), c, required=False) for c in source.columns]
    table = f"records_raw_{index}"
    with path.open("rb") as fh:
        parquet = fh.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC
    if parquet:
        raw = _stage_parquet(con, path, columns, table, display)
    elif detect_type(path, display=display) == "csv":
        header = tuple(next(csv.reader([read_first_line(path)]), []))
        if not all(header_key(c.name) in {header_key(h) for h in header} for c in columns):
            _wrong_source(header, source, plan, display)
        raw = stage_table(con, path, columns, table, display=display, workdir=ctx.workdir)
    else:
        raw = stage_table(con, path, columns, table, display=display, workdir=ctx.workdir)
    if len(raw.present) < len(columns):
        _wrong_source(raw.header, source, plan, display)
        match_header(raw.header, [Column(c.name, c.key) for c in columns], display)
    return raw


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, columns: list[Column], table: str, display: str
) -> StagedTable:
    lit = "'" + str(path).replace("'", "''") + "'"
    try:
        header = [
            str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit})").fetchall()
        ]
    except duckdb.Error as exc:
        raise IngestError(
            f"the Parquet file cannot be read ({str(exc).splitlines()[0]})",
            location=Location(file=display),
            expected="a complete Parquet file",
        ) from exc
    by_key = {header_key(h): h for h in header}
    found = {c.key: by_key[header_key(c.name)] for c in columns if header_key(c.name) in by_key}
    select = ", ".join(
        "nullif(trim(" + '"' + found[c.key].replace('"', '""') + '"' + f"::VARCHAR), '') AS {c.key}"
        for c in columns
        if c.key in found
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select or 'NULL AS _none'} FROM read_parquet({lit})"
    )
    rows = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
    if rows == 0:
        raise IngestError(
            "the file has no records", location=Location(file=display), expected="at least one row"
        )
    # A Parquet file has no header row: record 1 is row 1.
    return StagedTable(table, rows, 1, frozenset(found), tuple(header))


def _wrong_source(
    header: tuple[str, ...], source: RecordSourceDef, plan: Plan, display: str
) -> None:
    """Raise if the file holds every column of another record source of the plan."""
    have = {header_key(h) for h in header}
    for other in plan.record_sources:
        if other.name == source.name:
            continue
        if all(header_key(other.header_of(c)) in have for c in other.columns):
            raise IngestError(
                f"this file has the columns of record source '{other.name}', not '{source.name}'",
                location=Location(file=display),
                expected=f"a '{source.name}' extract with "
                + ", ".join(source.header_of(c) for c in source.columns),
                suggestion=f"planwatch ingest records {other.name} {Path(display).name}",
            )


def _text(key: str) -> str:
    return f"nullif(trim({key}), '')"


def _date_sql(key: str, spec: RecordColumn) -> str:
    iso = f"coalesce(TRY_CAST({_text(key)} AS DATE), TRY_CAST({_text(key)} AS TIMESTAMP)::DATE)"
    if spec.format is None:
        return iso
    fmt = spec.format.replace("'", "''")
    return f"coalesce(try_strptime({_text(key)}, '{fmt}')::DATE, {iso})"


def _flag_sql(key: str, spec: RecordColumn) -> str:
    true = ", ".join(_lit(v.strip().lower()) for v in spec.true)
    false = ", ".join(_lit(v.strip().lower()) for v in spec.false)
    value = f"lower(trim(coalesce({key}, '')))"
    return f"CASE WHEN {value} IN ({true}) THEN TRUE WHEN {value} IN ({false}) THEN FALSE END"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def convert_records(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    source: RecordSourceDef,
    display: str,
    index: int,
) -> str:
    """Check every mapped column and write the typed rows to ``records_typed_<index>``.

    The rows are converted in ONE pass; a column with fewer values after conversion than
    before (or a blank id or date) is then looked at again to list its bad rows, so a
    clean file costs one conversion and two counts.
    """
    checks: dict[str, Callable[[], list[Problem]]] = {}
    required: dict[str, Callable[[], list[Problem]]] = {}
    select: list[str] = []
    for column, spec in source.columns.items():
        header = source.header_of(column)
        if column in source.id or column == source.date:
            required[column] = partial(
                bad_rows, con, raw, f"{_text(column)} IS NULL", column, header, display,
                "blank", "a value in every row (it identifies or dates the record)",
            )  # fmt: skip
        select.append(f"{_converted(column, spec)[0]} AS {column}")
        if spec.type in ("integer", "number"):
            whole = spec.type == "integer"
            checks[column] = partial(
                number_problems, con, raw, column, header, display,
                whole=whole, negative_ok=True, required=False,
            )  # fmt: skip
        elif spec.type == "date":
            checks[column] = partial(
                bad_rows, con, raw, f"{_text(column)} IS NOT NULL AND {_date_sql(column, spec)} IS NULL",
                column, header, display, None, f"a date like {_example(spec)}",
            )  # fmt: skip
        elif spec.type == "flag":
            forms = ", ".join(repr(v) for v in (*spec.true, *spec.false))
            checks[column] = partial(
                bad_rows, con, raw, f"{_flag_sql(column, spec)} IS NULL AND {_text(column)} IS NOT NULL",
                column, header, display, None, f"one of {forms} (declared in the plan)",
            )  # fmt: skip
    table = f"records_typed_{index}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {index} AS _file, "
        f"{raw.row_sql()}::INTEGER AS source_row, {', '.join(select)} FROM {raw.table}"
    )
    before = _counts(con, raw.table, list(checks))
    after = _counts(con, table, list(checks) + list(required))
    problems = [p for c, report in checks.items() if after[c] < before[c] for p in report()]
    problems += [p for c, report in required.items() if after[c] < raw.rows for p in report()]
    if problems:
        raise IngestError(problems=problems)
    con.execute(f"DROP TABLE {raw.table}")
    return table  # record ids are checked for the whole load (:func:`_duplicate_ids`)


def _counts(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, int]:
    """Values (not NULL) in each column, in one pass."""
    if not columns:
        return {}
    row = con.execute(
        "SELECT " + ", ".join(f"count({c})" for c in columns) + f" FROM {table}"
    ).fetchone()
    return dict(zip(columns, row or (), strict=True))


def _example(spec: RecordColumn) -> str:
    return date(2024, 3, 31).strftime(spec.format) if spec.format else "2024-03-31"


def bad_rows(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    condition: str,
    key: str,
    header: str,
    display: str,
    shown: str | None,
    expected: str,
) -> list[Problem]:
    """Rows meeting ``condition``, first ones listed with their row, then how many more."""
    rows = con.execute(
        f"SELECT {raw.row_sql()}, {key} FROM {raw.table} WHERE {condition} ORDER BY rowid LIMIT {MAX_LISTED}"
    ).fetchall()
    if not rows:
        return []
    problems = [
        Problem(
            f"'{header}' is {shown or repr(value)}",
            Location(file=display, row=row, field=header),
            expected=expected,
        )
        for row, value in rows
    ]
    if len(rows) == MAX_LISTED:
        (total,) = con.execute(  # type: ignore[misc]
            f"SELECT count(*) FROM {raw.table} WHERE {condition}"
        ).fetchone()
        if total > MAX_LISTED:
            problems.append(
                Problem(
                    f"... and {total - MAX_LISTED} more rows with the same problem",
                    Location(file=display, field=header),
                )
            )
    return problems


def _id_hashes(
    con: duckdb.DuckDBPyConnection, table: str, source: RecordSourceDef, rows: int
) -> np.ndarray:
    """Each of the ``rows`` record ids of ``table`` hashed to one 64-bit number (none if
    the source has no id), for :func:`_duplicate_ids`."""
    if not source.id:
        return np.empty(0, dtype=np.uint64)
    hashes = np.empty(rows, dtype=np.uint64)
    filled = 0  # streamed into one array: no copy of a part's hashes
    query = f"SELECT hash({', '.join(source.id)}) FROM {table}"
    for part in pa.RecordBatchReader.from_stream(con.sql(query)):
        column = part.column(0)  # never NULL; its bytes, as to_numpy() would import pandas
        hashes[filled : filled + part.num_rows] = np.frombuffer(
            column.buffers()[1], np.uint64, len(column), column.offset * 8
        )
        filled += part.num_rows
    return hashes


def _duplicate_ids(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: RecordSourceDef,
    files: list[StagedFile],
    id_hashes: list[np.ndarray],
) -> None:
    """No record id twice in a load, within a file or across its files.

    Each id was hashed to one 64-bit number as its part was staged (:func:`_id_hashes`),
    and the numbers are sorted (ten million ids: 80 MB and a second of CPU, where grouping
    them took several times the memory); a hash seen twice is confirmed on the ids
    themselves, so a hash collision alone rejects nothing. Details only for the few found.
    """
    if not source.id:
        return
    ids = ", ".join(source.id)
    hashes = np.concatenate(id_hashes)
    id_hashes.clear()  # one copy of them held, not two
    hashes.sort()
    twice = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
    del hashes
    if not len(twice):
        return
    con.register("records_twice", pa.table({"h": _arrow(twice)}))
    found = con.execute(
        f"""SELECT {ids}, list(_file ORDER BY _file, source_row), list(source_row ORDER BY _file, source_row)
            FROM {table} WHERE hash({ids}) IN (SELECT h FROM records_twice)
            GROUP BY ALL HAVING count(*) > 1 ORDER BY min(_file), min(source_row) LIMIT {MAX_LISTED}"""
    ).fetchall()
    con.unregister("records_twice")
    problems = []
    for *key, in_files, rows in found:
        label = ", ".join(str(v) for v in key)
        if in_files[0] == in_files[1]:  # the same words as every other reader's duplicate rows
            problems.append(
                Problem(
                    f"duplicate row: record id ({label}) already appears at row {rows[0]}",
                    Location(file=files[in_files[0]].name, row=rows[1]),
                    expected="one row per record id",
                )
            )
        else:
            problems.append(
                Problem(
                    f"duplicate record id ({label}): also in {files[in_files[0]].name} row {rows[0]}",
                    Location(file=files[in_files[1]].name, row=rows[1]),
                    expected="each record in one file of a load",
                )
            )
    if problems:
        raise IngestError(problems=problems)


def _personal_data(
    con: duckdb.DuckDBPyConnection, table: str, source: RecordSourceDef, display: str
) -> list[Problem]:
    """Warnings for mapped columns whose name or values look like personal data."""
    warnings: list[Problem] = []
    for column, spec in source.columns.items():
        header = source.header_of(column)
        if PERSONAL_NAME.search(column) or PERSONAL_NAME.search(header):
            warnings.append(_personal(header, "its name", display))
            continue
        if spec.type != "text":
            continue
        checks = ", ".join(
            f"avg(regexp_matches(v, {_lit(rx)}, 'i')::INTEGER)" for rx in PERSONAL_VALUE.values()
        )
        (shares,) = con.execute(  # every row fetched (see RecordBatch.add)
            f"SELECT {checks} FROM (SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL LIMIT {SNIFF_VALUES})"
        ).fetchall()
        for what, share in zip(PERSONAL_VALUE, shares, strict=True):
            if share is not None and share >= SNIFF_SHARE:
                warnings.append(_personal(header, f"its values (they look like {what})", display))
                break
    return warnings


def _personal(header: str, why: str, display: str) -> Problem:
    return Problem(
        f"column '{header}' looks like personal data from {why}: it is stored because the plan "
        "maps it; map only what the measures need",
        Location(file=display, field=header),
    )
