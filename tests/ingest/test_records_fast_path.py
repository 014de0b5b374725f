"""CSV extracts sharing a header are read together by pyarrow (planwatch/ingest/records.py,
"CSV files read together"): the fast path must store exactly what the file-by-file path
stores, and give up — so that the file-by-file path tells the file, row and field —
on anything it is not sure of."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_files import file_sha, write_csv
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN, crime

from planwatch.errors import IngestError
from planwatch.ingest import records
from planwatch.ingest.records import RecordBatch, _read, stage_records
from planwatch.ingest.staged import IngestContext
from planwatch.plan.load import parse_plan
from planwatch.services.ingest import ingest
from planwatch.store.connection import staging_connection

PLAN = parse_plan(RECORDS_PLAN)
SOURCE = PLAN.record_source("crimes")


def _fast(con: duckdb.DuckDBPyConnection, paths: list[Path], work: Path) -> RecordBatch:
    return stage_records(con, paths, PLAN, "crimes", IngestContext(workdir=work))


def _one_by_one(con: duckdb.DuckDBPyConnection, paths: list[Path], work: Path) -> RecordBatch:
    """The file-by-file path on its own (what a chunk with a problem is read by)."""
    batch = RecordBatch.of(SOURCE)
    ctx = IngestContext(workdir=work)
    for path in paths:
        raw = _read(con, path, str(path), SOURCE, PLAN, len(batch.files), ctx)
        batch.add(con, raw, str(path), file_sha(path))
    return batch.finish(con)


def _same_both_ways(paths: list[Path], tmp_path: Path) -> None:
    """The fast path and the file-by-file path give the same rows, or the same error."""
    outcomes = []
    for read in (_fast, _one_by_one):
        con = staging_connection()
        try:
            outcomes.append(_rows(con, read(con, paths, tmp_path)))
        except IngestError as exc:
            outcomes.append([str(exc)])
    assert outcomes[0] == outcomes[1]


def _rows(con: duckdb.DuckDBPyConnection, batch: RecordBatch) -> list[str]:
    """The staged rows, each as its repr (a NaN equals itself)."""
    table = batch.tables["records_crimes"]
    return [
        repr(r) for r in con.execute(f"SELECT * FROM {table} ORDER BY _file, source_row").fetchall()
    ]


def _files(tmp_path: Path, rows: list[list[str]], n: int = 2) -> list[Path]:
    return [
        write_csv(tmp_path / f"f{i}.csv", CRIME_HEADER, [[f"F{i}-{r[0]}", *r[1:]] for r in rows])
        for i in range(n)
    ]


def test_clean_files_are_read_together_and_stored_as_one_by_one(tmp_path: Path) -> None:
    paths = _files(tmp_path, [list(r) for r in CRIME_ROWS], 3)
    fast, slow = staging_connection(), staging_connection()
    batch = _fast(fast, paths, tmp_path)
    assert batch.parts == ["records_part_0"]  # one pass, not file by file
    assert _rows(fast, batch) == _rows(slow, _one_by_one(slow, paths, tmp_path))
    assert [f.rows for f in batch.files] == [len(CRIME_ROWS)] * 3
    assert (batch.files[0].period_first.isoformat(), batch.files[0].period_last.isoformat()) == (
        "2023-04-03",
        "2023-06-28",
    )


#: Cells each column may hold: clean ones, and ones only the file-by-file SQL should
#: decide on (spaces, other Unicode spaces, ISO dates, thousands separators, blanks).
CELLS = {
    0: ["", " ", "\u00a0", "\u2003"],  # after the crime reference
    1: ["1", "2", " 3", "0x10", "+4", "1.0"],
    2: ["03/04/2023", "3/4/2023", " 17/04/2023", "2023-05-02", "31/04/2023", "17/04/2023 "],
    3: ["8N", " 49 ", "", "34B\u00a0", "58a"],
    4: ["Y", "n", " yes ", "", "TRUE", "0"],
    7: ["Northtown", " Southvale", "", "\u00a0Eastby", "Café"],
    8: ["pet animal – dog", "", "Mobile phone"],
    10: ["800", "1,200", " 55.50 ", "", "1e3", ".5", "nan", "-0", "12abc"],
}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in CELLS.items()}), max_size=6)
)
def test_the_fast_path_stores_what_the_file_by_file_path_stores(
    tmp_path_factory: pytest.TempPathFactory, edits: list[dict[int, str]]
) -> None:
    tmp_path = tmp_path_factory.mktemp("fast")
    rows = [list(r) for r in CRIME_ROWS]
    for i, edit in enumerate(edits):
        for column, value in edit.items():
            rows[i][column] = rows[i][0] + value if column == 0 else value
    paths = _files(tmp_path, rows)
    _same_both_ways(paths, tmp_path)


@pytest.mark.parametrize(
    ("cell", "column"),
    [('"C3"x', 0), ('"Northtown"x', 7), ('"free text"x', 12)],
    ids=["id", "mapped text", "unmapped text"],
)
def test_text_after_a_closing_quote_is_refused_as_before(
    tmp_path: Path, cell: str, column: int
) -> None:
    """pyarrow would read ``"C3"x`` as ``C3x``; DuckDB's reader refuses it, and so does a load."""
    paths = _files(tmp_path, [list(r) for r in CRIME_ROWS])
    lines = paths[1].read_bytes().decode().split("\r\n")
    fields = lines[4].split(",")
    fields[column] = cell
    lines[4] = ",".join(fields)
    paths[1].write_bytes("\r\n".join(lines).encode())
    project = tmp_path / "p"
    ingest(project, "records", [write_csv(tmp_path / "base.csv", CRIME_HEADER, [crime("B1", 1, "01/04/2023", "8N")])], record_source="crimes", plan=PLAN)  # fmt: skip
    before = file_sha(project / "planwatch.duckdb")
    with pytest.raises(IngestError, match=r"quoted value is not closed.*f1\.csv, row 5"):
        ingest(project, "records", paths, record_source="crimes", plan=PLAN)
    assert file_sha(project / "planwatch.duckdb") == before


def test_quotes_and_blank_lines_the_rules_allow(tmp_path: Path) -> None:
    """Quoted values (commas, doubled quotes, line breaks inside) and blank lines are read
    on the fast path, as DuckDB's reader reads them."""
    rows = [list(r) for r in CRIME_ROWS]
    rows[0][12] = 'He said "open up", then left\r\nby the back'
    rows[1][7] = "North, town"
    rows[2][9] = '"Stolen"'
    paths = _files(tmp_path, rows)
    text = paths[0].read_bytes().replace(b"\r\n", b"\r\n\r\n", 3)
    paths[0].write_bytes(text)
    fast, slow = staging_connection(), staging_connection()
    batch = _fast(fast, paths, tmp_path)
    assert batch.parts == ["records_part_0"]
    assert _rows(fast, batch) == _rows(slow, _one_by_one(slow, paths, tmp_path))


def test_files_of_many_blocks_are_read_together_as_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyarrow parses a file a block at a time (:data:`BLOCK_BYTES`): with blocks of a few
    rows, quoted line breaks and blank lines fall across the blocks' edges, and the fast
    path still stores what the file-by-file path stores."""
    monkeypatch.setattr(records, "BLOCK_BYTES", 256)
    rows = [list(r) for _ in range(4) for r in CRIME_ROWS]
    for i, row in enumerate(rows):
        row[0] = f"{row[0]}-{i}"
        row[12] = f'Note {i}, "quoted"\r\nover two lines' if i % 3 == 0 else row[12]
    paths = _files(tmp_path, rows)
    paths[1].write_bytes(paths[1].read_bytes().replace(b"\r\n", b"\r\n\r\n", 5))
    assert paths[0].stat().st_size > 4 * records.BLOCK_BYTES
    fast, slow = staging_connection(), staging_connection()
    batch = _fast(fast, paths, tmp_path)
    assert batch.parts == ["records_part_0"]
    assert _rows(fast, batch) == _rows(slow, _one_by_one(slow, paths, tmp_path))
    assert [f.rows for f in batch.files] == [len(rows)] * 2


#: Flags of three kinds: the usual spellings (read as true or false by pyarrow itself),
#: other ones (a second list: their distinct values converted by the SQL), and a spelling
#: that is not ASCII (the SQL too); no blank spelling for the business flag (blank unknown).
SPELLINGS = {
    "rural": ', "true": [oui], "false": [non]',
    "business": ', "true": [sí, Y], "false": [No]',
}


@pytest.mark.parametrize(
    ("da", "rural", "business"),
    [("Y", "oui", "sí"), ("yES", "NON", "no"), ("", "", ""), ("fAlSe", "Oui", "y")],
)
def test_flags_of_each_spelling_are_read_together_as_one_by_one(
    tmp_path: Path, da: str, rural: str, business: str
) -> None:
    text = RECORDS_PLAN
    for column, spelling in SPELLINGS.items():
        line = next(x for x in text.splitlines() if x.strip().startswith(f"{column}: "))
        text = text.replace(line, line.replace("}", spelling + "}"))
    plan = parse_plan(text)
    rows = [list(r) for r in CRIME_ROWS]
    for row in rows:
        row[5:7] = [{"Y": "oui", "N": "non"}[row[5]], {"N": "No"}.get(row[6], row[6])]
    rows[1][4:7] = [da, rural, business]
    paths = _files(tmp_path, rows)
    ctx = IngestContext(workdir=tmp_path)
    fast, slow = staging_connection(), staging_connection()
    batch = stage_records(fast, paths, plan, "crimes", ctx)
    assert batch.parts == ["records_part_0"]
    source = plan.record_source("crimes")
    one = RecordBatch.of(source)
    for path in paths:
        raw = _read(slow, path, str(path), source, plan, len(one.files), ctx)
        one.add(slow, raw, str(path), file_sha(path))
    one.finish(slow)
    assert _rows(fast, batch) == _rows(slow, one)
    flags = fast.execute(
        f"SELECT domestic_abuse, rural, business FROM {batch.tables['records_crimes']} "
        "WHERE source_row = 3 ORDER BY _file"
    ).fetchall()
    expected = {"Y": True, "yES": True, "fAlSe": False, "": False}[da]
    business_flag = {"sí": True, "no": False, "": None, "y": True}[business]
    assert flags == [(expected, rural.lower() == "oui" if rural else None, business_flag)] * 2


def test_data_police_uk_files_are_read_together_as_one_by_one(
    shared_data: Path, tmp_path: Path
) -> None:
    """Real street files (a header ending LF, rows ending CRLF, as published) take the
    fast path and store what the file-by-file path stores."""
    from test_records_police_uk import PLAN as STREET_PLAN

    plan = parse_plan(STREET_PLAN)
    source = plan.record_source("street")
    paths = sorted((shared_data / "police-uk-street").rglob("*.csv"))[:3]
    ctx = IngestContext(workdir=tmp_path)
    fast, slow = staging_connection(), staging_connection()
    batch = stage_records(fast, paths, plan, "street", ctx)
    assert batch.parts == ["records_part_0"]
    one = RecordBatch.of(source)
    for path in paths:
        raw = _read(slow, path, str(path), source, plan, len(one.files), ctx)
        one.add(slow, raw, str(path), file_sha(path))
    one.finish(slow)
    rows = [
        [repr(r) for r in con.execute(f"SELECT * FROM {b.tables['records_street']} ORDER BY _file, source_row").fetchall()]
        for con, b in ((fast, batch), (slow, one))
    ]  # fmt: skip
    assert len(rows[0]) > 10_000 and rows[0] == rows[1]


def test_a_file_is_parsed_from_its_map_which_is_let_go_after(tmp_path: Path) -> None:
    """The fast path parses a file where the page cache holds it (a read-only map): the
    columns come out as the file-by-file path reads them, and no map of the file is left
    once the parse is done (it would hold the file's pages to the write); a file emptied
    after its header was looked at is left to the file-by-file path."""
    (path,) = _files(tmp_path, [list(r) for r in CRIME_ROWS], 1)
    reading = records._Reading.of(tuple(CRIME_HEADER), SOURCE)

    def mapped() -> bool:
        return str(path) in Path("/proc/self/maps").read_text()

    parsed = records._parse(path, reading, frozenset())
    assert parsed.sha == file_sha(path)  # hashed from the same map
    assert parsed.columns is not None and len(parsed.columns[SOURCE.date]) == len(CRIME_ROWS)
    if Path("/proc/self/maps").exists():  # Linux: the process's maps are listed there
        assert not mapped()
    # a file loaded already is hashed, not parsed
    assert records._parse(path, reading, frozenset([parsed.sha])) == records._Parsed(parsed.sha)
    path.write_bytes(b"")
    assert records._parse(path, reading, frozenset()) == records._Parsed(file_sha(path))


@pytest.mark.parametrize("column", [0, 2, 7, 12], ids=["id", "date", "mapped text", "unmapped"])
def test_bytes_not_utf8_are_told_as_one_by_one(tmp_path: Path, column: int) -> None:
    """pyarrow parses unchecked (a dictionary's values and an id's bytes are checked
    instead, once): a byte that is not UTF-8 in any column gets what the file-by-file
    path gives it."""
    paths = _files(tmp_path, [list(r) for r in CRIME_ROWS])
    lines = paths[1].read_bytes().split(b"\r\n")
    fields = lines[3].split(b",")
    fields[column] = fields[column][:2] + b"\xff\xfe" + fields[column][2:]
    lines[3] = b",".join(fields)
    paths[1].write_bytes(b"\r\n".join(lines))
    _same_both_ways(paths, tmp_path)


@pytest.mark.skipif(
    tuple(int(p) for p in duckdb.__version__.split(".")[:2]) < (2, 0),
    reason="DuckDB 1.3 imports pyarrow.dataset, and pandas with it, to hand over an Arrow "
    "result (checked with 1.3.2 and 2.0.1)",
)
def test_a_records_load_imports_no_pandas(tmp_path: Path) -> None:
    """Structural check (not a timing): loading CSV extracts read together, blanks and
    spaces in them, neither reads nor writes through pandas, whose import alone costs
    0.4 s of CPU (``pa.array`` and ``pa.scalar`` would import it: see ``records._arrow``).
    Run in a fresh interpreter so other tests' imports do not count."""
    import subprocess
    import sys

    rows = [list(r) for r in CRIME_ROWS]
    rows[1][0], rows[2][8] = rows[1][0] + " ", ""  # an id to trim, a blank property type
    paths = _files(tmp_path, rows, 3)
    code = (
        "import sys\nfrom pathlib import Path\nfrom planwatch.services.ingest import ingest\n"
        f"ingest(Path({str(tmp_path / 'p')!r}), 'records', [Path(p) for p in {[str(p) for p in paths]!r}],"
        f" record_source='crimes')\nprint('pandas' in sys.modules)"
    )
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "plan.yaml").write_text(RECORDS_PLAN, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.split() == ["False"]
