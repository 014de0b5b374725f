"""data.police.uk street-level crime and anti-social behaviour archives.

In: folders, zip files or single files named ``YYYY-MM-<force>-street.csv`` with the
12 archive columns (``Crime ID, Month, Reported by, Falls within, Longitude,
Latitude, Location, LSOA code, LSOA name, Crime type, Last outcome category,
Context``). ``-outcomes.csv`` and ``-stop-and-search.csv`` files are skipped with a
note: planwatch counts crimes, and outcomes would count them twice.
Out: a :class:`~planwatch.ingest.staged.StagedBatch` whose TEMP view holds monthly
counts for ``police_uk_counts`` (month, *Falls within*, local area, crime type, last
outcome), made by one DuckDB pass over the files (:mod:`planwatch.ingest.police_uk_scan`).

Here: finding the files (folders, zips), their names, fingerprints and encodings, and
the checks on names: month in range, no month and force given twice. A file that is
not UTF-8 is copied to UTF-8 from Windows-1252 before DuckDB reads it. Checks on rows
(``Month`` matches the file name, coordinates are numbers, every row has a crime type,
no Crime ID twice) are in the scan, which counts each chunk of files as soon as its files
are fingerprinted and named, while the next are (:class:`~planwatch.ingest.police_uk_scan.Scan`).
"""

from __future__ import annotations

import csv
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import duckdb

from planwatch.errors import IngestError, Location, Problem
from planwatch.ingest.files import (
    CHUNK,
    check_zip_directory,
    damaged_zip,
    detect_type,
    fingerprint,
    no_space_error,
    read_first_line,
    sha256_of,
    transcode_to_utf8,
)
from planwatch.ingest.police_uk_scan import (
    CHUNK_BYTES,
    COLUMNS,
    STAGE,
    Scan,
    StreetFile,
)
from planwatch.ingest.source import match_header
from planwatch.ingest.staged import IngestContext, StagedBatch, StagedFile
from planwatch.periods import MONTHS_PER_YEAR, Month

FILE_NAME = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<force>.+)-(?P<kind>street|outcomes|stop-and-search)\.csv$",
    re.I,
)
#: The store table the counts go to.
TABLE = "police_uk_counts"
#: Files hashed at once: ``hashlib`` releases the GIL, so one thread per CPU, beside DuckDB
#: counting the files already hashed (at 10 million rows hashing is about a sixth of the CPU
#: time of a load; docs/performance.md, "All forces").
HASH_THREADS = os.cpu_count() or 1
#: DuckDB's memory cap while street files no bigger than a chunk are counted, lower than
#: the one a load starts with (:data:`planwatch.services.ingest.MEMORY_LIMIT`): a chunk of
#: :data:`~planwatch.ingest.police_uk_scan.CHUNK_BYTES` needs under 48 MB (measured on 64 MB
#: of realistic street files), and the counts, which grow with the files, go to disk, so a
#: whole load stays about flat in memory from 1 to 10 million rows (issue 17,
#: benchmarks/bench_all_forces.py). A file bigger than a chunk is read whole, Crime ID hashes
#: and all, so a load with one keeps the higher cap (a 480 MB file was counted within 640 MB,
#: not within 160 MB).
SCAN_MEMORY_LIMIT = "128MB"


def stage_police_uk(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    ctx: IngestContext,
    progress: Callable[[str, int, int], None] | None = None,
) -> StagedBatch:
    """Find, check and stage every street file under ``paths``."""
    batch = StagedBatch("police_uk")
    street, skipped, problems = _find(paths, ctx.workdir)
    files: list[StreetFile] = []
    seen: dict[tuple[Month, str], str] = {}
    headers: set[tuple[str, ...]] = set()  # checked already (every file of an archive has one)
    # a file bigger than a chunk is read alone, within the load's higher cap
    small = all(path.stat().st_size <= CHUNK_BYTES for path, _, _ in street)
    if small:
        con.execute(f"SET memory_limit = '{SCAN_MEMORY_LIMIT}'")
    # reads each chunk of files while the next are fingerprinted, several at once if small
    counting = Scan(con, files, ctx.workdir / "police-uk-counts", at_once=small)
    try:
        with ThreadPoolExecutor(max_workers=HASH_THREADS) as pool:
            prints = pool.map(fingerprint, [path for path, _, _ in street])
            for n, ((path, display, m), (sha, utf8)) in enumerate(zip(street, prints, strict=True)):
                if progress:
                    progress(f"fingerprinting {path.name}", n, len(street))
                if sha in ctx.known_files:
                    batch.already_loaded.append((display, ctx.known_files[sha]))
                    continue
                found = _street_file(path, display, m, seen, headers)
                if isinstance(found, Problem):
                    problems.append(found)
                    continue
                if not utf8:
                    copy = transcode_to_utf8(path, ctx.workdir / f"{len(files)}-{path.name}")
                    found = replace(found, path=copy)
                files.append(found)
                if not problems:  # a load that will fail reads no more files
                    counting.add(len(files) - 1)
                batch.files.append(
                    StagedFile(
                        display,
                        sha,
                        periods_covered=found.month.label,
                        period_first=found.month.start,
                        period_last=found.month.start,
                    )
                )
        if problems:
            raise IngestError(problems=problems)
        note = (
            f"{len(skipped)} outcomes/stop-and-search files skipped (not street-level crime)"
            if skipped
            else ""
        )
        if not files:
            _nothing_to_load(paths, note, batch)
            return batch
        if progress:
            progress(f"checking {len(files)} files", 0, 1)
        counts = counting.finish()
    finally:
        counting.close()
    for i, f in enumerate(batch.files):
        f.rows = int(counts.get(i, 0))
        f.note = note
        if f.rows == 0:
            raise IngestError(
                "the file has a header but no data rows",
                location=Location(file=f.name),
                expected="at least one data row",
            )
    batch.tables[TABLE] = STAGE
    return batch


Named = tuple[Path, str, re.Match[str]]


def _find(paths: Sequence[Path], workdir: Path) -> tuple[list[Named], list[str], list[Problem]]:
    """Street files (path, display name, name match), skipped files, badly named files."""
    street: list[Named] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    for path, display in _csv_members(paths, workdir):
        m = FILE_NAME.match(path.name)
        if m is None:
            problems.append(
                Problem(
                    "the file name does not follow the data.police.uk archive layout",
                    Location(file=display),
                    expected="YYYY-MM-<force>-street.csv",
                )
            )
        elif m["kind"].lower() != "street":
            skipped.append(display)
        else:
            street.append((path, display, m))
    return street, skipped, problems


def _street_file(
    path: Path,
    display: str,
    m: re.Match[str],
    seen: dict[tuple[Month, str], str],
    headers: set[tuple[str, ...]],
) -> StreetFile | Problem:
    """The file, or the problem with its name: month out of range, month and force given twice.
    ``headers``: the headers checked already (each is checked once, not once a file)."""
    if not 1 <= int(m["m"]) <= MONTHS_PER_YEAR:
        return Problem(
            f"month {m['m']} in the file name is out of range",
            Location(file=display),
            expected="YYYY-MM with MM from 01 to 12",
        )
    month = Month(int(m["y"]), int(m["m"]))
    key = (month, m["force"].lower())
    if key in seen:
        return Problem(
            f"{month} for '{m['force']}' is given twice (also {seen[key]})",
            Location(file=display),
            expected="one file per month and force",
        )
    seen[key] = display
    if display != str(path):  # a zip's member (a file given or in a folder was typed when found)
        detect_type(path, display=display)
    return StreetFile(path, display, month, m["force"], _header(path, display, headers))


def _nothing_to_load(paths: Sequence[Path], note: str, batch: StagedBatch) -> None:
    """Raise unless every street file given was loaded before."""
    if batch.already_loaded:
        return
    where = Location(file=", ".join(str(p) for p in paths))
    if note:
        raise IngestError(
            "no street-level files found, only " + note,
            location=where,
            expected="YYYY-MM-<force>-street.csv files",
        )
    raise IngestError(
        "no data.police.uk files found",
        location=where,
        expected="a folder or zip of YYYY-MM-<force>-street.csv files",
    )


def _csv_members(paths: Iterable[Path], workdir: Path) -> Iterator[tuple[Path, str]]:
    """(readable path, display name) of every CSV in the folders, zips and files given."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in (".csv", ".zip"):
                    yield from _csv_members([child], workdir)
            continue
        if not path.exists():
            raise IngestError(
                f"{path} does not exist",
                location=Location(file=str(path)),
                expected="a folder, zip or CSV file",
            )
        kind = detect_type(path)
        if kind == "zip":
            yield from _zip_members(path, workdir)
        elif kind == "csv":
            yield path, str(path)
        else:
            raise IngestError(
                f"the file is a {kind.upper()} spreadsheet",
                location=Location(file=str(path)),
                expected="data.police.uk CSV files, a folder of them or a zip archive",
            )


def _zip_members(path: Path, workdir: Path) -> Iterator[tuple[Path, str]]:
    """Extract each CSV member into its own folder under ``workdir`` (names may repeat across folders)."""
    target = workdir / f"zip-{sha256_of(path)[:12]}"
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                i
                for i in archive.infolist()
                if not i.is_dir() and i.filename.lower().endswith(".csv")
            ]
            check_zip_directory(members, str(path), workdir)
            for n, info in enumerate(members):
                out = target / str(n) / Path(info.filename).name
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, out.open("wb") as dst:
                    while block := src.read(CHUNK):
                        dst.write(block)
                yield out, f"{path}!{info.filename}"
    except OSError as exc:
        if (full := no_space_error(exc, workdir, str(path))) is not None:
            raise full from exc
        raise damaged_zip(str(path), exc) from exc
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise damaged_zip(str(path), exc) from exc


def _header(path: Path, display: str, checked: set[tuple[str, ...]]) -> tuple[str, ...]:
    """The file's header, checked for the columns needed (860 files: 0.4 CPU-seconds if
    each were checked, not each header)."""
    header = tuple(next(csv.reader([read_first_line(path)]), []))
    if header not in checked:
        match_header(header, COLUMNS, display)
        checked.add(header)
    return header
