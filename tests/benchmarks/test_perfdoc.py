"""benchmarks/perfdoc.py: the one writer of docs/performance.md sections, and the child
runner the ingest benchmarks time their loads with."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from perfdoc import millions, run_child, write_section

DOC = """# Performance

## Report

Report table.

### The demo report itself

Demo numbers.

## Ingest

Intro.

### data.police.uk street files

Old street numbers.

### Police recorded crime (PRC) tables

Old PRC numbers.

## Web

Web numbers.
"""


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "performance.md"
    path.write_text(DOC, encoding="utf-8")
    return path


def test_a_part_within_a_section_is_replaced_alone(doc: Path) -> None:
    write_section("### data.police.uk street files", "New street numbers.", doc, within="## Ingest")
    assert doc.read_text() == DOC.replace("Old street numbers.", "New street numbers.")


def test_the_last_part_of_a_section_ends_at_the_next_section(doc: Path) -> None:
    write_section("### Police recorded crime (PRC) tables", "New PRC.", doc, within="## Ingest")
    assert doc.read_text() == DOC.replace("Old PRC numbers.", "New PRC.")


def test_a_new_part_goes_at_the_end_of_its_section(doc: Path) -> None:
    write_section("### Record-level extracts", "Records.", doc, within="## Ingest")
    assert doc.read_text() == DOC.replace(
        "Old PRC numbers.\n", "Old PRC numbers.\n\n### Record-level extracts\n\nRecords.\n"
    )


def test_a_part_of_a_missing_section_makes_the_section(doc: Path) -> None:
    write_section("### Cold start", "Seconds.", doc, within="## Start-up")
    assert doc.read_text() == DOC + "\n## Start-up\n\n### Cold start\n\nSeconds.\n"


def test_a_section_keeps_the_parts_another_benchmark_writes(doc: Path) -> None:
    write_section("## Report", "New report table.", doc, keep=("### The demo report itself",))
    assert doc.read_text() == DOC.replace("Report table.", "New report table.")


def test_a_whole_section_and_a_new_one(doc: Path) -> None:
    write_section("## Web", "New web.", doc)
    write_section("## Analysis", "Series.", doc)
    assert doc.read_text() == DOC.replace("Web numbers.", "New web.") + (
        "\n## Analysis\n\nSeries.\n"
    )


def test_a_heading_is_matched_whole_not_as_a_prefix(doc: Path) -> None:
    write_section("## Rep", "Other.", doc)
    assert doc.read_text() == DOC + "\n## Rep\n\nOther.\n"


def test_a_child_reports_what_it_measured_and_its_own_clock() -> None:
    code = (
        "import planwatch\nwork_start = time.perf_counter()\nresult['rows'] = int(sys.argv[1]) * 2"
    )
    out = run_child(code, "21")
    assert out["rows"] == 42
    assert 0 <= out["work"] <= out["seconds"] and out["cpu"] > 0 and out["peak_mb"] > 0


def test_sizes_in_millions() -> None:
    assert millions("1,2.5,0.25") == [1_000_000, 2_500_000, 250_000]
