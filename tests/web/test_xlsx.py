"""Offline commentary: XLSX export and validated, all-or-nothing import."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from web_helpers import client_for, slot_of

from planwatch.errors import CommentaryError
from planwatch.plan.commentary import MAX_COMMENTARY_CHARS
from planwatch.web import services, spreadsheet
from planwatch.web.models import Department, Slot, SlotState
from planwatch.web.permissions import Forbidden


@pytest.fixture
def north_dept(plan_db):
    return Department.objects.get(slug="north-lpa")


def _book(rnd, dept):
    return load_workbook(io.BytesIO(spreadsheet.export_department(rnd, dept)))


def _save(wb) -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _texts(rnd):
    return {
        (s.commitment.slug, s.department.slug): (s.text, s.version)
        for s in Slot.objects.filter(round=rnd).select_related("commitment", "department")
    }


def test_export_lists_only_the_departments_slots(rnd, north_dept):
    ws = _book(rnd, north_dept)["Commentary"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == spreadsheet.COLUMNS
    assert [(r[1], r[3], r[4]) for r in rows[1:]] == [
        ("p1-neighbourhood", "Neighbourhood policing", "North Local Policing Area"),
        (
            "p1-shared",
            "Tell residents what their local teams are doing.",
            "North Local Policing Area",
        ),
    ]


def test_round_trip_saves_changed_rows_only(rnd, north, north_dept):
    wb = _book(rnd, north_dept)
    ws = wb["Commentary"]
    ws["I2"] = "Written offline.\nSecond paragraph."
    ws["H2"] = "Amber"
    count = spreadsheet.import_department(rnd, north_dept, _save(wb), user=north)
    assert count == 1
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    assert (s.text, s.rag, s.state, s.version, s.updated_by) == (
        "Written offline.\nSecond paragraph.",
        "amber",
        SlotState.DRAFT,
        1,
        north,
    )
    assert slot_of(rnd, "p1-shared", "north-lpa").version == 0


def _problems(rnd, dept, wb, user):
    before = _texts(rnd)
    with pytest.raises(CommentaryError) as info:
        spreadsheet.import_department(rnd, dept, _save(wb), user=user, filename="north.xlsx")
    assert _texts(rnd) == before  # nothing partially applied
    return [str(p) for p in info.value.problems]


def test_wrong_sheet_is_named(rnd, north, north_dept):
    wb = _book(rnd, north_dept)
    wb["Commentary"].title = "Sheet1"
    [problem] = _problems(rnd, north_dept, wb, north)
    assert (
        "no sheet named 'Commentary' (found: Sheet1, About)" in problem and "north.xlsx" in problem
    )


def test_every_bad_row_is_reported_and_nothing_applied(rnd, north, north_dept):
    wb = _book(rnd, north_dept)
    ws = wb["Commentary"]
    ws["I2"] = "A good change that must not be applied alone."
    ws["B3"] = "p1-edited"  # edited ID
    ws["I3"] = "x" * (MAX_COMMENTARY_CHARS + 1)  # over-long
    theirs = slot_of(rnd, "p2-reporting", "comms")
    ws.append(
        [theirs.pk, "p2-reporting", 2, "", "comms", "Not started", 0, "", "Someone else's slot"]
    )
    ws.append(["abc", "p1-shared", 1, "", "north-lpa", "", 0, "purple", "x"])
    problems = _problems(rnd, north_dept, wb, north)
    assert any(
        "commitment ID 'p1-edited' does not match" in p
        and "row 3" in p
        and "column B (Commitment ID)" in p
        for p in problems
    )
    assert any(
        "commentary is 10,001 characters long" in p
        and "row 3" in p
        and "column I (Commentary)" in p
        for p in problems
    )
    assert any(
        f"slot {theirs.pk} belongs to Media and Communications, not North Local Policing Area" in p
        and "row 4" in p
        for p in problems
    )
    assert any(
        "'abc' is not a slot of this round" in p and "row 5" in p and "column A (Slot ID)" in p
        for p in problems
    )
    assert all("sheet 'Commentary'" in p for p in problems)


def test_rows_changed_online_since_export_are_refused(rnd, north, north_dept):
    wb = _book(rnd, north_dept)
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    services.save_draft(s.pk, user=north, text="typed online", rag="", expected_version=0)
    wb["Commentary"]["I2"] = "typed offline"
    [problem] = _problems(rnd, north_dept, wb, north)
    assert (
        "changed online since this spreadsheet was exported" in problem
        and "column G (Version)" in problem
    )


def test_submitted_rows_cannot_be_changed(rnd, north, north_dept):
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="done", rag="", expected_version=0)
    services.submit(s.pk, user=north, expected_version=s.version)
    wb = _book(rnd, north_dept)
    wb["Commentary"]["I2"] = "change after submitting"
    [problem] = _problems(rnd, north_dept, wb, north)
    assert "is submitted and cannot be changed" in problem


def test_spreadsheet_for_another_department_or_round(rnd, north, comms, north_dept):
    comms_dept = Department.objects.get(slug="comms")
    wb = _book(rnd, comms_dept)
    [problem] = _problems(rnd, north_dept, wb, north)
    assert (
        "this spreadsheet is for Media and Communications, not North Local Policing Area" in problem
        and "sheet 'About'" in problem
    )
    q2 = services.open_round("2024/25 Q2", rnd.deadline, user=rnd.opened_by)
    [problem] = _problems(rnd, north_dept, _book(q2, north_dept), north)
    assert "this spreadsheet is for the 2024/25 Q2 round, not 2024/25 Q1" in problem
    assert "2024-25" not in problem  # the quarters' words, never their ids


def test_headers_and_file_type(rnd, north, north_dept):
    wb = _book(rnd, north_dept)
    wb["Commentary"]["I1"] = "Text"
    [problem] = _problems(rnd, north_dept, wb, north)
    assert "column heading is 'Text'" in problem and "expected 'Commentary'" in problem
    with pytest.raises(CommentaryError, match="not an Excel workbook"):
        spreadsheet.import_department(
            rnd, north_dept, io.BytesIO(b"slot,text\n1,hello\n"), user=north
        )
    empty = Workbook()
    empty.active.title = "Commentary"
    with pytest.raises(CommentaryError, match="column heading"):
        spreadsheet.import_department(rnd, north_dept, _save(empty), user=north)


def test_owner_of_another_department_cannot_import(rnd, comms, north_dept):
    with pytest.raises(Forbidden):
        spreadsheet.import_department(rnd, north_dept, _save(_book(rnd, north_dept)), user=comms)


def test_import_page_lists_problems_and_success(rnd, north, north_dept):
    c = client_for(north)
    export = c.get(reverse("export_xlsx", args=[rnd.pk, "north-lpa"]))
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    wb = load_workbook(io.BytesIO(export.content))
    wb["Commentary"]["B2"] = "tampered"
    upload = _save(wb)
    upload.name = "north.xlsx"
    r = c.post(reverse("import_xlsx", args=[rnd.pk, "north-lpa"]), {"file": upload})
    assert r.status_code == 400
    assert (
        b"Nothing was imported" in r.content and b"commitment ID &#x27;tampered&#x27;" in r.content
    )
    wb["Commentary"]["B2"] = "p1-neighbourhood"
    wb["Commentary"]["I2"] = "From the web form."
    upload = _save(wb)
    upload.name = "north.xlsx"
    r = c.post(reverse("import_xlsx", args=[rnd.pk, "north-lpa"]), {"file": upload})
    assert r.status_code == 302
    assert slot_of(rnd, "p1-neighbourhood", "north-lpa").text == "From the web form."
    txt = io.BytesIO(b"hello")
    txt.name = "notes.txt"
    r = c.post(reverse("import_xlsx", args=[rnd.pk, "north-lpa"]), {"file": txt})
    assert r.status_code == 400 and b"Upload the .xlsx file" in r.content


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/","Click for the figures")',
        "+44 calls answered within 10 seconds",
        "-3% on last quarter\r\nand a second line",
        "@mentions the partnership board",
        "  leading spaces and a trailing one ",
    ],
)
def test_commentary_that_looks_like_a_formula_is_text_and_comes_back_unchanged(
    rnd, north, north_dept, text
):
    """Issue 18: written as a string cell (not a formula Excel would run), read back byte-for-byte."""
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    saved = services.save_draft(slot.pk, user=north, text=text, rag="", expected_version=0)
    wb = _book(rnd, north_dept)
    cell = wb["Commentary"].cell(row=2, column=spreadsheet.COL["Commentary"] + 1)
    assert cell.data_type == "s" and cell.value == saved.text
    # An owner edits only the RAG status in Excel (the save keeps the text as it is) and imports.
    wb["Commentary"].cell(row=2, column=spreadsheet.COL["RAG status"] + 1).value = "green"
    count = spreadsheet.import_department(rnd, north_dept, _save(wb), user=north)
    slot.refresh_from_db()
    assert count == 1 and slot.rag == "green" and slot.text == saved.text
