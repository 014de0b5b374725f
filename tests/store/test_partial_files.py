"""A new file revises the figures it contains and never deletes the ones it does not mention.

The case that lost data: a Home Office table with one row for a force and quarter used
to replace all the offence rows of that force and quarter, with exit code 0.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

from children import planwatch

from planwatch.services.ingest import ingest
from planwatch.store.connection import reading

HEADER = [
    "Financial Year", "Financial Quarter", "Force Name", "Offence Description",
    "Offence Group", "Offence Subgroup", "Offence Code", "Number of Offences",
]  # fmt: skip
#: Offence rows per force and quarter in the test table (the count in the report of the loss).
OFFENCES = 94


def _rows(force: str, quarter: str, base: int) -> list[list[object]]:
    return [
        [
            "2017/18",
            quarter,
            force,
            f"Offence {n}",
            "Theft offences",
            "Other theft",
            f"{n}Z",
            base + n,
        ]
        for n in range(1, OFFENCES + 1)
    ]


def _write(path: Path, rows: list[list[object]]) -> Path:
    return _write_any(path, HEADER, rows)


def _stored(project: Path) -> list[tuple[object, ...]]:
    with reading(project) as con:
        return con.execute(
            "SELECT * EXCLUDE (load_id, source_row) FROM prc_offences ORDER BY force, quarter, offence_code"
        ).fetchall()


def _planwatch(*args: object) -> subprocess.CompletedProcess[str]:
    """The real command in a child process; stdout with line wrapping undone."""
    run = planwatch(*args)
    return subprocess.CompletedProcess(
        run.args, run.returncode, " ".join(run.stdout.split()), run.stderr
    )


def test_a_partial_table_revises_one_figure_and_keeps_the_rest(tmp_path: Path) -> None:
    project = tmp_path / "p"
    full = _rows("Essex", "1", 100) + _rows("Essex", "2", 200) + _rows("Kent", "1", 300)
    ingest(project, "prc", [_write(tmp_path / "full.csv", full)])
    before = _stored(project)
    assert len(before) == 3 * OFFENCES

    partial = [["2017/18", "1", "Essex", "Offence 7", "Theft offences", "Other theft", "7Z", 999]]
    run = _planwatch("ingest", "prc", _write(tmp_path / "one-row.csv", partial), "-p", project)
    assert run.returncode == 0, run.stderr
    assert "revised 1 stored row (up to load 1)" in run.stdout
    assert f"kept {OFFENCES - 1} stored rows for the same periods" in run.stdout

    after = _stored(project)
    changed = [i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
    assert len(after) == len(before) and len(changed) == 1
    assert after[changed[0]][-2:] == ("7Z", 999) and before[changed[0]][-1] == 107
    with reading(project) as con:
        revisions = con.execute("SELECT key, old_value, new_value FROM revisions").fetchall()
    assert revisions == [("Essex | 2017/18 Q1 | 7Z", 107.0, 999.0)]


def test_replace_deletes_what_the_file_does_not_mention_and_says_so(tmp_path: Path) -> None:
    project = tmp_path / "p"
    ingest(
        project,
        "prc",
        [_write(tmp_path / "full.csv", _rows("Essex", "1", 100) + _rows("Kent", "1", 300))],
    )
    partial = [["2017/18", "1", "Essex", "Offence 7", "Theft offences", "Other theft", "7Z", 999]]
    run = _planwatch(
        "ingest", "prc", _write(tmp_path / "one-row.csv", partial), "-p", project, "--replace"
    )
    assert run.returncode == 0, run.stderr
    assert f"replaced all {OFFENCES} stored rows it covers" in run.stdout, run.stdout[-400:]
    assert f"{OFFENCES - 1} of them not in the file (--replace)" in run.stdout, run.stdout[-400:]
    with reading(project) as con:
        left = con.execute(
            "SELECT force, count(*), sum(count) FROM prc_offences GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        deleted = con.execute("SELECT count(*) FROM revisions WHERE new_value IS NULL").fetchone()
    assert left == [
        ("Essex", 1, 999),
        ("Kent", OFFENCES, sum(300 + n for n in range(1, OFFENCES + 1))),
    ]
    assert deleted == (OFFENCES - 1,)


def test_a_partial_lookup_keeps_the_codes_it_does_not_mention(tmp_path: Path) -> None:
    project = tmp_path / "p"
    header = [
        "Offence Group",
        "Offence Code",
        "Offence Description",
        "Offence Subgroup",
        "Police.uk Category",
    ]
    codes = [["Robbery", "34A", "Robbery of business property", "Robbery", "Robbery"],
             ["Robbery", "34B", "Robbery of personal property", "Robbery", "Robbery"]]  # fmt: skip
    ingest(project, "offence_codes", [_write_any(tmp_path / "codes.csv", header, codes)])
    renamed = [["Robbery", "34B", "Robbery of personal property (renamed)", "Robbery", "Robbery"]]
    load = ingest(
        project, "offence_codes", [_write_any(tmp_path / "one.csv", header, renamed)]
    ).loads[0]
    assert (load.replaced_rows, load.unmentioned_rows, load.replace) == (1, 1, False)
    with reading(project) as con:
        stored = con.execute(
            "SELECT offence_code, offence_description FROM offence_codes ORDER BY 1"
        ).fetchall()
    assert stored == [
        ("34A", "Robbery of business property"),
        ("34B", "Robbery of personal property (renamed)"),
    ]


def _write_any(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
