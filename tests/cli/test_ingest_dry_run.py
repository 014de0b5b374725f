"""`planwatch ingest --dry-run`: the files read and checked and the load made exactly as a
real one, then rolled back. It says what the load would add, revise and replace (the same
figures the real load then reports) and leaves the store file byte-for-byte as it was, with
no write-ahead log added or folded in and nothing left in the temporary folder."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from children import planwatch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from ingest_files import (
    CODES_HEADER,
    CODES_ROWS,
    PRC_HEADER,
    PRC_ROWS,
    STREET_HEADER,
    file_sha,
    street_rows,
    write_csv,
)
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN, crime

import planwatch.services.ingest as service
from planwatch.errors import IngestError
from planwatch.services.ingest import IngestResult, ingest
from planwatch.store.schema import SCHEMA_VERSION

MEASURES = ["measure", "period", "value"]
WEIGHTS = ["offence_code", "policeuk_category", "weight"]
POPULATION = ["area", "year", "population"]
Files = Callable[[Path], tuple[Path, Path]]


def _prc(folder: Path) -> tuple[Path, Path]:
    revised = [list(r) for r in PRC_ROWS[:1]]
    revised[0][7] = 999
    return write_csv(folder / "prc.csv", PRC_HEADER, PRC_ROWS), write_csv(
        folder / "prc-revised.csv", PRC_HEADER, revised
    )


def _police_uk(folder: Path) -> tuple[Path, Path]:
    (folder / "v1").mkdir()
    (folder / "v2").mkdir()
    name = "2018-01-essex-street.csv"
    return write_csv(folder / "v1" / name, STREET_HEADER, street_rows("2018-01", 8)), write_csv(
        folder / "v2" / name, STREET_HEADER, street_rows("2018-01", 12, seed="v2")
    )


def _measures(folder: Path) -> tuple[Path, Path]:
    rows = [["satisfaction", f"2022/23 Q{q}", v] for q, v in ((1, 4.1), (2, 4.3), (3, 4.4))]
    return write_csv(folder / "m.csv", MEASURES, rows), write_csv(
        folder / "m-revised.csv", MEASURES, [["satisfaction", "2022/23 Q2", 4.2]]
    )


def _weights(folder: Path) -> tuple[Path, Path]:
    rows = [["34A", "Robbery", "1000.5"], ["28E", "Burglary", "400"]]
    return write_csv(folder / "w.csv", WEIGHTS, rows), write_csv(
        folder / "w-revised.csv", WEIGHTS, [["28E", "Burglary", "410"]]
    )


def _population(folder: Path) -> tuple[Path, Path]:
    rows = [["Essex", "2020", 1_500_000], ["Kent", "2020", 1_800_000]]
    return write_csv(folder / "pop.csv", POPULATION, rows), write_csv(
        folder / "pop-revised.csv", POPULATION, [["Kent", "2020", 1_810_000]]
    )


def _offence_codes(folder: Path) -> tuple[Path, Path]:
    renamed = [["Robbery", "34B", "Robbery of personal property (renamed)", "Robbery", "Robbery"]]
    return write_csv(folder / "codes.csv", CODES_HEADER, CODES_ROWS), write_csv(
        folder / "codes-revised.csv", CODES_HEADER, renamed
    )


def _records(folder: Path) -> tuple[Path, Path]:
    revised = [crime("C1", 1, "03/04/2023", "8N", district="Southvale"), crime("C11", 1, "01/06/2023", "49")]  # fmt: skip
    return write_csv(folder / "crimes.csv", CRIME_HEADER, CRIME_ROWS), write_csv(
        folder / "crimes-revised.csv", CRIME_HEADER, revised
    )


KINDS: dict[str, Files] = {
    "prc": _prc,
    "police_uk": _police_uk,
    "measures": _measures,
    "weights": _weights,
    "population": _population,
    "offence_codes": _offence_codes,
    "records": _records,
}


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder of this test's loads, in-process and in child processes."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def _project(tmp_path: Path, kind: str) -> Path:
    project = tmp_path / "p"
    project.mkdir()
    if kind == "records":
        (project / "plan.yaml").write_text(RECORDS_PLAN, encoding="utf-8")
    return project


def _load(project: Path, kind: str, path: Path, **options: bool) -> IngestResult:
    source = "crimes" if kind == "records" else None
    return ingest(project, kind, [path], record_source=source, **options)


def _same_store(project: Path, scratch: Path) -> Callable[[], None]:
    """Call after a dry run: the store file and its write-ahead log (if any) as they were
    when this was called, and nothing left in the temporary folder."""
    store = project / "planwatch.duckdb"
    wal = project / "planwatch.duckdb.wal"
    before = (file_sha(store), wal.exists() and file_sha(wal))

    def check() -> None:
        assert (file_sha(store), wal.exists() and file_sha(wal)) == before
        assert not list(scratch.iterdir()), "a dry run left temporary files behind"

    return check


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_dry_run_says_what_the_load_does_and_stores_nothing(
    kind: str, tmp_path: Path, scratch: Path
) -> None:
    project = _project(tmp_path, kind)
    first, revision = KINDS[kind](tmp_path)

    dry = _load(project, kind, first, dry_run=True)  # into a project with no store yet
    assert dry.dry_run and dry.to_dict()["dry_run"] is True and not dry.changed
    assert sorted(p.name for p in project.iterdir()) == sorted(
        ["plan.yaml"] if kind == "records" else []
    )
    assert not list(scratch.iterdir())
    assert _load(project, kind, first).loads == dry.loads

    unchanged = _same_store(project, scratch)
    dry = _load(project, kind, revision, dry_run=True)
    unchanged()
    (would,) = dry.loads
    assert would.load_id == 2 and would.replaced_load_id == 1 and would.replaced_rows >= 1
    real = _load(project, kind, revision)
    assert real.loads == dry.loads and not real.dry_run and real.to_dict()["dry_run"] is False


@pytest.mark.shared
def test_a_dry_run_of_stats19_files_says_what_the_load_does(
    shared_data: Path, tmp_path: Path, scratch: Path
) -> None:
    project = tmp_path / "p"
    dry = ingest(project, "stats19", [shared_data / "stats19"], dry_run=True)
    assert not project.exists() and not list(scratch.iterdir())
    assert dry.loads and ingest(project, "stats19", [shared_data / "stats19"]).loads == dry.loads


def test_a_dry_run_big_enough_to_be_written_ahead_leaves_the_store_as_it_was(
    tmp_path: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB writes a large insert into the store file ahead of its commit (more than
    about 100,000 rows on 2 threads), and a rollback leaves the file grown: a dry run keeps
    the insert in memory (and the load's temporary folder) instead."""
    monkeypatch.setattr(service, "PARALLEL_FROM_BYTES", 0)  # every thread, as for a big extract
    days = [f"{d:02d}/{m:02d}/2023" for m in (4, 5, 6) for d in range(1, 29)]

    def rows(first: int, n: int, district: str) -> list[list[str]]:
        return [crime(f"R{i}", 1, days[i % len(days)], "49", district=district) for i in range(first, first + n)]  # fmt: skip

    project = _project(tmp_path, "records")
    _load(project, "records", write_csv(tmp_path / "a.csv", CRIME_HEADER, rows(0, 20_000, "A")))
    big = write_csv(tmp_path / "b.csv", CRIME_HEADER, rows(10_000, 150_000, "B"))
    unchanged = _same_store(project, scratch)
    (would,) = _load(project, "records", big, dry_run=True).loads
    unchanged()
    assert (would.rows, would.replaced_rows, would.unmentioned_rows) == (150_000, 10_000, 10_000)
    assert _load(project, "records", big).loads == (would,)


def test_a_dry_run_leaves_a_write_ahead_log_as_it_found_it(tmp_path: Path, scratch: Path) -> None:
    """A load committed but never checkpointed (its process killed) leaves a write-ahead log
    beside the store: a dry run neither folds it into the file nor removes it."""
    project = _project(tmp_path, "records")
    first, revision = _records(tmp_path)
    _load(project, "records", first)
    with duckdb.connect(str(project / "planwatch.duckdb")) as con:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        con.execute("INSERT INTO store_meta VALUES ('left_in_the_log', 'yes')")
    assert (project / "planwatch.duckdb.wal").exists()
    unchanged = _same_store(project, scratch)
    dry = _load(project, "records", revision, dry_run=True)
    unchanged()
    assert _load(project, "records", revision).loads == dry.loads


def test_a_dry_run_on_an_older_store_does_not_upgrade_it(tmp_path: Path, scratch: Path) -> None:
    """A real load upgrades an older store first (here a version-3 store, which has no table
    of coded texts for a record source's text); a dry run works on a copy of it instead."""
    project = _project(tmp_path, "measures")
    _load(project, "measures", _measures(tmp_path)[0])
    store = project / "planwatch.duckdb"
    with duckdb.connect(str(store)) as con:
        con.execute("DROP TABLE record_values")
        con.execute("UPDATE store_meta SET value = '3' WHERE key = 'schema_version'")
    (project / "plan.yaml").write_text(RECORDS_PLAN, encoding="utf-8")
    crimes = _records(tmp_path)[0]
    unchanged = _same_store(project, scratch)
    dry = _load(project, "records", crimes, dry_run=True)
    unchanged()
    assert _version(store) == "3"
    assert _load(project, "records", crimes).loads == dry.loads
    assert _version(store) == str(SCHEMA_VERSION)


def _version(store: Path) -> str:
    with duckdb.connect(str(store), read_only=True) as con:
        row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    assert row is not None
    return str(row[0])


def test_the_command_line_says_what_a_dry_run_would_revise_and_keep(
    tmp_path: Path, scratch: Path
) -> None:
    project = tmp_path / "p"
    ingest(project, "prc", [write_csv(tmp_path / "prc.csv", PRC_HEADER, PRC_ROWS)])
    _, revision = _prc(tmp_path)
    unchanged = _same_store(project, scratch)

    text = planwatch("ingest", "prc", revision, "-p", project, "--dry-run")
    assert text.returncode == 0, text.stderr
    said = " ".join(text.stdout.split())
    assert "Would load (prc)" in said and "Loaded" not in said
    assert (
        "prc-revised.csv would revise 1 stored row (up to load 1); would keep 1 stored row for "
        "the same periods that the file does not mention (--replace would delete them)"
    ) in said
    assert "Dry run: nothing was stored" in said

    body = json.loads(planwatch("ingest", "prc", revision, "-p", project, "--dry-run", "--json").stdout)  # fmt: skip
    (load,) = body["loads"]
    assert body["dry_run"] is True and body["already_loaded"] == []
    assert (load["load_id"], load["replaced_load_id"]) == (2, 1)
    assert (load["replaced_rows"], load["unmentioned_rows"], load["replace"]) == (1, 1, False)
    unchanged()

    real = json.loads(planwatch("ingest", "prc", revision, "-p", project, "--json").stdout)
    assert real["dry_run"] is False and real["loads"] == body["loads"]
    again = planwatch("ingest", "prc", revision, "-p", project, "--dry-run")
    assert "already loaded" in again.stdout and "nothing would change" in again.stdout


def test_bad_input_under_a_dry_run_gives_the_same_error(tmp_path: Path, scratch: Path) -> None:
    project = tmp_path / "p"
    ingest(project, "prc", [write_csv(tmp_path / "prc.csv", PRC_HEADER, PRC_ROWS)])
    rows = [list(r) for r in PRC_ROWS]
    rows[1][7] = "lots"
    bad = write_csv(tmp_path / "bad.csv", PRC_HEADER, rows)
    unchanged = _same_store(project, scratch)
    for extra in ((), ("--json",)):
        real = planwatch("ingest", "prc", bad, "-p", project, *extra)
        dry = planwatch("ingest", "prc", bad, "-p", project, "--dry-run", *extra)
        assert dry.returncode == real.returncode == IngestError.exit_code
        assert (dry.stdout, dry.stderr) == (real.stdout, real.stderr)
        assert "'Number of Offences' is 'lots'" in dry.stderr + dry.stdout
        assert "Traceback" not in dry.stderr + dry.stdout
    unchanged()
    empty = tmp_path / "new"
    refused = planwatch("ingest", "prc", bad, "-p", empty, "--dry-run")
    assert refused.returncode == IngestError.exit_code and not empty.exists()
    assert not list(scratch.iterdir())
