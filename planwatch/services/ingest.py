"""Load data files into a project's store: ``planwatch ingest`` without the command line.

In: a project (or store path), a source kind (``prc``, ``police_uk``, ``measures``,
``weights``, ``population``, ``offence_codes``) and paths.
Out: an :class:`IngestResult` (one :class:`~planwatch.store.services.LoadRecord`
per file loaded, files already loaded, warnings). Every file is read and checked
in memory first; only then is the store opened for writing, and all files of the
call land in one transaction — or, on any error, nothing does and the store file
is left byte-for-byte as it was. A dry run (``dry_run=True``) reads and checks the files
the same way and makes the whole load in its transaction, then rolls it back: the same
figures, nothing stored (see :func:`_rehearsal`).

Also :func:`confirm`, the write behind ``planwatch confirm``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from dataclasses import replace as with_fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from planwatch.errors import ConfigError, IngestError, Location, StoreError
from planwatch.ingest.files import work_folder
from planwatch.ingest.staged import IngestContext, StagedBatch
from planwatch.periods import parse_period
from planwatch.project import PLAN_FILE, Project
from planwatch.store.connection import (
    STORE_ALIAS,
    WAL_SUFFIX,
    attach_for_writing,
    peek,
    staging_connection,
    store_lock,
    store_path_of,
    writing,
)
from planwatch.store.schema import SCHEMA_VERSION, USABLE_STATUSES, check_version, schema_version
from planwatch.store.services import LoadRecord, resolve_observation, write_batches

if TYPE_CHECKING:  # the plan's models are imported only by the loads that read a plan
    from planwatch.plan.models import Plan

#: DuckDB memory cap while loading. With Python and pandas (~150 MB) this keeps a whole
#: ingest under the 1 GB goal (docs/performance.md); bigger loads spill to disk instead.
MEMORY_LIMIT = "640MB"
#: Inputs smaller than this are read on one thread: for a few megabytes DuckDB's parallel
#: CSV scan costs more in coordination than it saves (benchmarks/bench_ingest_prc.py).
PARALLEL_FROM_BYTES = 32 * 1024 * 1024

KINDS = (
    "prc", "police_uk", "measures", "weights", "population", "offence_codes", "records", "stats19",
)  # fmt: skip
#: A dry run's settings, so that attaching the store, loading and rolling back writes
#: nothing to it. A large insert is kept in memory (spilling to the load's temporary folder)
#: instead of being written ahead into the store file, whose grown end a rollback does not
#: cut off (measured with DuckDB 2.0.1: a rolled-back insert of 3 million rows left a
#: 3.4 MB store at 56 MB); and letting go of the store does not checkpoint it (that would
#: fold a write-ahead log an earlier process left into the file, and remove the log).
REHEARSAL_SETTINGS = (
    "SET enable_optimistic_write = false",
    "SET checkpoint_on_detach = 'DISABLED'",
)
#: Permissions of a new store file: its owner reads and writes it, nobody else (it may hold
#: record-level data).
STORE_MODE = 0o600

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class IngestResult:
    kind: str
    loads: tuple[LoadRecord, ...] = ()
    already_loaded: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = field(default=())
    #: the loads are what the call would have done: nothing was stored
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.loads) and not self.dry_run

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "loads": [asdict(r) for r in self.loads],
            "already_loaded": [{"file": f, "load_id": i} for f, i in self.already_loaded],
            "warnings": list(self.warnings),
        }


def ingest(
    store: Project | Path | str,
    kind: str,
    paths: Sequence[Path | str],
    *,
    progress: Progress | None = None,
    replace: bool = False,
    record_source: str | None = None,
    plan: Plan | None = None,
    dry_run: bool = False,
) -> IngestResult:
    """Read, check and load ``paths`` of one kind into the store.

    A file revises the stored figures it contains and keeps the ones it does not mention;
    with ``replace`` it replaces everything it covers (e.g. every offence of its forces
    and quarters), as each :class:`LoadRecord` reports. ``record_source`` names the plan's
    record source for kind ``records`` (``plan``: default, the project's ``plan.yaml``).
    With ``dry_run`` the files are read and checked and the load made exactly as without,
    then rolled back: the result says what the load would add, revise and replace, and
    the store file is left byte-for-byte as it was (no store is created).
    """
    kind = kind.replace("-", "_")
    if kind not in KINDS:
        raise ConfigError(f"unknown source kind '{kind}'", expected=", ".join(KINDS))
    if not paths:
        raise IngestError("no files given", expected="one or more paths")
    store_path = store_path_of(store)
    files = [Path(p) for p in paths]
    for f in files:
        if not f.exists():
            raise IngestError(
                f"{f} does not exist",
                location=Location(file=str(f)),
                expected="an existing file or folder",
            )
    # One load of a store at a time, from reading what it holds to writing: a second
    # identical load waits, then finds its files already loaded.
    with (
        store_lock(store_path, waiting=_waiting(progress)),
        work_folder() as work,
    ):
        con = staging_connection()
        try:
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            con.execute(f"SET temp_directory = '{Path(work) / 'spill'}'")
            if _total_bytes(files) < PARALLEL_FROM_BYTES:
                con.execute("SET threads = 1")
            ctx = _context(con, store_path, Path(work), with_observations=kind == "measures")
            if kind == "measures":
                ctx = with_fields(ctx, plan_series=_plan_series(store_path, plan))
            if kind == "records":
                batches = [
                    _stage_records(con, files, store_path, ctx, record_source, plan, progress)
                ]
            else:
                batches = _stage(con, kind, files, ctx, progress)
            already = tuple(item for b in batches for item in b.already_loaded)
            if not any(b.files for b in batches):
                return IngestResult(kind, already_loaded=already, dry_run=dry_run)
            step = "working out what the load would change" if dry_run else "writing to the store"
            if progress:
                progress(step, 0, 1)
            # Rows are checked and numbered by now: the store need not keep file order, which
            # lets DuckDB write row groups in parallel with less memory.
            con.execute("SET preserve_insertion_order = false")
            if dry_run:
                with _rehearsal(con, store_path, Path(work)):
                    records = write_batches(con, batches, replace=replace, dry_run=True)
                if progress:
                    progress(step, 1, 1)
                return IngestResult(kind, tuple(records), already, _warnings(records), dry_run=True)
            existed = store_path.exists()
            if not existed:
                _create_private(store_path)
            try:
                with private_files(), writing(con, store_path):  # its write-ahead log too
                    records = write_batches(con, batches, replace=replace)
            except BaseException:
                if not existed:  # the transaction rolled back: leave no empty store behind
                    con.close()
                    for leftover in (store_path, store_path.with_name(store_path.name + ".wal")):
                        leftover.unlink(missing_ok=True)
                raise
            if progress:
                progress(step, 1, 1)
        finally:
            con.close()
    return IngestResult(kind, tuple(records), already, _warnings(records))


def _warnings(records: list[LoadRecord]) -> tuple[str, ...]:
    return tuple(w for r in records for w in r.warnings)


@contextmanager
def _rehearsal(con: duckdb.DuckDBPyConnection, store_path: Path, work: Path) -> Iterator[None]:
    """The store attached read-write as the default catalog for a load that is rolled back
    (a dry run), and let go of again with its file byte-for-byte as it was: nothing is
    written ahead into it (:data:`REHEARSAL_SETTINGS`), nothing committed, no checkpoint.

    A store that does not exist yet, or one an older planwatch wrote (a real load upgrades
    it first, in a transaction of its own), is rehearsed on a copy in the load's temporary
    folder instead, set up exactly as a real load would set up the store; so is every
    store where DuckDB lacks those settings (DuckDB 1.3, the oldest planwatch allows, has
    neither).
    """
    settable = _set_all(con, REHEARSAL_SETTINGS)
    with peek(con, store_path) as alias:
        current = alias is not None and schema_version(con, alias) >= SCHEMA_VERSION
    if not current or not settable:
        copy = work / store_path.name
        for name in (store_path.name, store_path.name + WAL_SUFFIX):
            if (store_path.parent / name).exists():
                shutil.copyfile(store_path.parent / name, work / name)
        with writing(con, copy):
            yield
        return
    attach_for_writing(con, store_path)
    try:
        check_version(con, store_path)
        yield
    except BaseException:
        for sql in ("ROLLBACK", "USE memory", f"DETACH {STORE_ALIAS}"):
            with suppress(duckdb.Error):
                con.execute(sql)
        raise
    con.execute("USE memory")
    con.execute(f"DETACH {STORE_ALIAS}")


def _set_all(con: duckdb.DuckDBPyConnection, settings: Sequence[str]) -> bool:
    """Whether this DuckDB knows every one of ``settings`` (each set where it does)."""
    known = True
    for sql in settings:
        try:
            con.execute(sql)
        except duckdb.CatalogException:  # "unrecognized configuration parameter"
            known = False
    return known


def _create_private(path: Path) -> None:
    """An empty store file that only its owner can read (created before anything is in it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with private_files():
        duckdb.connect(str(path)).close()
    path.chmod(STORE_MODE)


@contextmanager
def private_files() -> Iterator[None]:
    """Files created meanwhile (the store, the write-ahead log DuckDB writes the records
    to before they reach the store) readable by their owner only."""
    mask = os.umask(0o777 & ~STORE_MODE)
    try:
        yield
    finally:
        os.umask(mask)


def _stage_records(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    store_path: Path,
    ctx: IngestContext,
    name: str | None,
    plan: Plan | None,
    progress: Progress | None,
) -> StagedBatch:
    from planwatch.ingest.records import source_matching, stage_records
    from planwatch.plan.load import load_plan

    if plan is None:
        plan = load_plan(store_path.parent / PLAN_FILE)
    if not name and len(plan.record_sources) == 1:  # the plan's only record source
        name = plan.record_sources[0].name
    name = name or source_matching(plan, files)  # the one source whose columns the file has
    if not name:
        raise ConfigError(
            "a records load needs the record source's name",
            expected="planwatch ingest records NAME PATH...",
        )
    if progress:
        progress(f"reading {name} records", 0, len(files))
    return stage_records(con, files, plan, name, ctx)


def _plan_series(store_path: Path, plan: Plan | None) -> dict[str, str] | None:
    """Series the plan's measures read (lower case) -> unit; ``None`` without a plan."""
    from planwatch.plan.load import load_plan
    from planwatch.plan.models import SeriesSource

    path = store_path.parent / PLAN_FILE
    if plan is None and not path.exists():
        return None
    plan = plan or load_plan(path)
    return {
        m.source.series.lower(): m.unit for m in plan.measures if isinstance(m.source, SeriesSource)
    }


def _waiting(progress: Progress | None) -> Callable[[], None] | None:
    """Tell the progress display that another load of the store is being waited for."""
    if progress is None:
        return None
    return lambda: progress("waiting for another load of this store to finish", 0, 1)


def _total_bytes(paths: list[Path]) -> int:
    return sum(
        f.stat().st_size
        for p in paths
        for f in ([p] if p.is_file() else p.rglob("*"))
        if f.is_file()
    )


def _stage(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    files: list[Path],
    ctx: IngestContext,
    progress: Progress | None,
) -> list[StagedBatch]:
    reader = _reader(kind)
    if kind == "police_uk":
        return [reader(con, files, ctx, progress)]
    if kind == "stats19":
        return [reader(con, files, ctx)]
    batches = []
    for i, path in enumerate(files):
        if progress:
            progress(f"reading {path.name}", i, len(files))
        batches.append(reader(con, path, str(path), ctx, i))
    return batches


def _reader(kind: str) -> Callable[..., StagedBatch]:
    """The reader of ``kind``, its module imported only now: a data.police.uk load then never
    imports pandas or pyarrow, which the measures, reference and records readers use (about
    100 MB and half a CPU-second; docs/performance.md, "All forces")."""
    if kind == "police_uk":
        from planwatch.ingest.police_uk import stage_police_uk

        return stage_police_uk
    if kind == "prc":
        from planwatch.ingest.prc import stage_prc

        return stage_prc
    if kind == "measures":
        from planwatch.ingest.measures import stage_measures

        return stage_measures
    if kind == "stats19":
        from planwatch.ingest.stats19 import stage_stats19

        return stage_stats19
    from planwatch.ingest import reference

    readers: dict[str, Callable[..., StagedBatch]] = {
        "weights": reference.stage_weights,
        "population": reference.stage_population,
        "offence_codes": reference.stage_offence_codes,
    }
    return readers[kind]


def _context(
    con: duckdb.DuckDBPyConnection, store_path: Path, workdir: Path, *, with_observations: bool
) -> IngestContext:
    """What the readers need from the store, read through a read-only attachment.

    Stored observations (only the measures reader compares against them) are read
    only ``with_observations``.
    """
    with peek(con, store_path) as alias:
        if alias is None:
            return IngestContext(workdir)
        known = dict(
            con.execute(f"SELECT sha256, max(load_id) FROM {alias}.loads GROUP BY ALL").fetchall()
        )
        lookup = con.execute(
            f"SELECT offence_code, offence_description, offence_group, offence_subgroup FROM {alias}.offence_codes"
        ).fetchall()
        codes = {code: description for code, description, _, _ in lookup}
        names = frozenset(name for row in lookup for name in row[2:] if name)
        if not with_observations:
            return IngestContext(workdir, known, codes, offence_names=names)
        statuses = ", ".join(f"'{s}'" for s in USABLE_STATUSES)
        obs = con.execute(
            f"SELECT series, area, period_start, value, status FROM {alias}.observations WHERE status IN ({statuses})"
        ).df()
    if not obs.empty:
        import pandas as pd

        obs["period_start"] = pd.to_datetime(obs["period_start"]).dt.date
    return IngestContext(workdir, known, codes, obs, offence_names=names)


def confirm(
    store: Project | Path | str,
    series: str,
    period: str,
    *,
    area: str | None = None,
    action: str = "confirm",
    value: float | None = None,
) -> int:
    """Confirm, reject or correct a suspect value (see :func:`planwatch.store.services.resolve_observation`)."""
    start = parse_period(period).start
    store_path = store_path_of(store)
    if not store_path.exists():
        raise StoreError(
            f"no store at {store_path}", expected="a project with data loaded ('planwatch ingest')"
        )
    con = staging_connection()
    try:
        with store_lock(store_path), writing(con, store_path):
            return resolve_observation(con, series, start, area=area, action=action, value=value)
    finally:
        con.close()
