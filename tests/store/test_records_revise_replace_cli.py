"""A new records extract at the command line: it revises the stored records it contains
(same id) and keeps the rest, or with ``--replace`` deletes the ones it does not mention;
the command says exactly how many, a dry run says the same beforehand, and the real load
then does what the dry run said."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from children import planwatch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from ingest_files import file_sha, write_csv
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN, crime

from planwatch.store.connection import reading
from planwatch.store.schema import record_relation

#: Revises C1 (a new district) and C2 (another offence code), adds C11; mentions none of
#: the other 9 stored records (C3 to C10, C5 with two items).
REVISION = [
    crime("C1", 1, "03/04/2023", "8N", da="Y", district="Southvale"),
    crime("C2", 1, "17/04/2023", "8N", da="Yes"),
    crime("C11", 1, "01/06/2023", "49", business="Y"),
]


def _loaded(tmp_path: Path) -> tuple[Path, Path]:
    """A project holding the 11 records of CRIME_ROWS (load 1), and the revising extract."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "plan.yaml").write_text(RECORDS_PLAN, encoding="utf-8")
    first = planwatch(
        "ingest", "records", "crimes", write_csv(tmp_path / "crimes.csv", CRIME_HEADER, CRIME_ROWS),
        "-p", project,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    return project, write_csv(tmp_path / "crimes-june.csv", CRIME_HEADER, REVISION)


def _said(project: Path, extract: Path, *options: str) -> str:
    """What ``planwatch ingest records crimes EXTRACT`` prints, line wrapping undone."""
    run = planwatch("ingest", "records", "crimes", extract, "-p", project, *options)
    assert run.returncode == 0, run.stderr
    return " ".join(run.stdout.split())


def _figures(project: Path, extract: Path, *options: str) -> list[dict[str, object]]:
    run = planwatch("ingest", "records", "crimes", extract, "-p", project, "--json", *options)
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout)
    assert body["dry_run"] is ("--dry-run" in options)
    loads: list[dict[str, object]] = body["loads"]
    return loads


def _stored(project: Path) -> list[tuple[object, ...]]:
    with reading(project) as con:
        return con.execute(
            f"SELECT crime_ref, item, offence_code, district, load_id "
            f"FROM {record_relation(con, 'records_crimes')} ORDER BY crime_ref, item"
        ).fetchall()


def test_a_records_extract_revises_what_it_mentions_and_says_what_it_kept(
    tmp_path: Path,
) -> None:
    project, extract = _loaded(tmp_path)
    store = project / "planwatch.duckdb"
    before = file_sha(store)

    said = _said(project, extract, "--dry-run")
    assert (
        "crimes-june.csv would revise 2 stored records (up to load 1); would keep 9 stored "
        "records that the file does not mention (--replace would delete them)"
    ) in said
    would = _figures(project, extract, "--dry-run")
    assert [(f["load_id"], f["rows"], f["replaced_load_id"]) for f in would] == [(2, 3, 1)]
    assert [(f["replaced_rows"], f["unmentioned_rows"], f["replace"]) for f in would] == [
        (2, 9, False)
    ]
    assert file_sha(store) == before

    twin = tmp_path / "twin"  # the same store, for the real load's JSON
    shutil.copytree(project, twin)
    said = _said(project, extract)
    assert (
        "crimes-june.csv revised 2 stored records (up to load 1); kept 9 stored records that "
        "the file does not mention (--replace would delete them)"
    ) in said
    assert _figures(twin, extract) == would
    stored = _stored(project)
    assert len(stored) == 12 == len(CRIME_ROWS) + 1
    assert stored[:3] == [("C1", 1, "8N", "Southvale", 2), ("C10", 1, "49", "Southvale", 1),
                          ("C11", 1, "49", "Northtown", 2)]  # fmt: skip
    assert ("C2", 1, "8N", "Northtown", 2) in stored
    assert sum(load_id == 1 for *_, load_id in stored) == 9
    assert _stored(twin) == stored


def test_replace_deletes_the_records_the_extract_does_not_mention_and_says_how_many(
    tmp_path: Path,
) -> None:
    project, extract = _loaded(tmp_path)
    before = file_sha(project / "planwatch.duckdb")

    said = _said(project, extract, "--dry-run", "--replace")
    assert (
        "crimes-june.csv would replace all 11 stored records of its source (up to load 1), "
        "deleting the 9 of them not in the file (--replace)"
    ) in said
    would = _figures(project, extract, "--dry-run", "--replace")
    assert [(f["replaced_rows"], f["unmentioned_rows"], f["replace"]) for f in would] == [
        (11, 9, True)
    ]
    assert file_sha(project / "planwatch.duckdb") == before

    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    said = _said(project, extract, "--replace")
    assert (
        "crimes-june.csv replaced all 11 stored records of its source (up to load 1), "
        "deleting the 9 of them not in the file (--replace)"
    ) in said
    assert _figures(twin, extract, "--replace") == would
    assert _stored(project) == _stored(twin) == [
        ("C1", 1, "8N", "Southvale", 2), ("C11", 1, "49", "Northtown", 2),
        ("C2", 1, "8N", "Northtown", 2),
    ]  # fmt: skip
