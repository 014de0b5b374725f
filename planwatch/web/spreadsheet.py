"""Offline commentary: export a department's slots to XLSX and import them back.

In (export): a round and a department. Out: ``.xlsx`` bytes with a ``Commentary`` sheet
(one row per slot, every text written as text: commentary starting with ``=`` is never a
formula) and an ``About`` sheet naming the round and department.
In (import): that workbook, edited. Out: the number of slots saved, or one
:class:`~planwatch.errors.CommentaryError` listing every problem by sheet, row and
column. Nothing is applied unless every row is valid (one transaction).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from planwatch.errors import CommentaryError, Location, Problem
from planwatch.formatting import period_text
from planwatch.web import services
from planwatch.web.models import Department, Round, Slot, SlotState
from planwatch.web.permissions import check_department

SHEET = "Commentary"
ABOUT_SHEET = "About"
COLUMNS = (
    "Slot ID",
    "Commitment ID",
    "Priority",
    "Commitment",
    "Department",
    "State",
    "Version",
    "RAG status",
    "Commentary",
)
COL = {name: i for i, name in enumerate(COLUMNS)}
#: Column width (characters) for the commentary column, so text wraps readably in Excel.
TEXT_COLUMN_WIDTH = 90


def export_department(rnd: Round, department: Department) -> bytes:
    wb = Workbook()
    ws = wb.create_sheet(SHEET, 0)
    wb.remove(wb.worksheets[1])  # the default empty sheet
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    slots = Slot.objects.filter(round=rnd, department=department).select_related(
        "commitment", "commitment__priority"
    )
    for s in slots:
        ws.append(
            [
                s.pk,
                s.commitment.slug,
                s.commitment.priority.number,
                s.commitment.label,
                department.name,
                s.get_state_display(),
                s.version,
                s.rag,
                s.text,
            ]
        )
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                # Text as text: commentary starting with =, +, - or @ is not a formula.
                cell.data_type = "s"
    # The ID is what import checks; people read the commitment's words beside it.
    ws.column_dimensions[get_column_letter(COL["Commitment ID"] + 1)].hidden = True
    ws.column_dimensions[get_column_letter(COL["Commitment"] + 1)].width = 50
    ws.column_dimensions[get_column_letter(COL["Commentary"] + 1)].width = TEXT_COLUMN_WIDTH
    for row in ws.iter_rows(min_row=2):
        row[COL["Commentary"]].alignment = Alignment(wrap_text=True, vertical="top")
    about = wb.create_sheet(ABOUT_SHEET)
    about.append(["Round", rnd.quarter])
    about.append(["Department", department.slug])
    about.append(["Department name", department.name])
    about.append(
        [
            "Instructions",
            "Edit only the 'RAG status' and 'Commentary' columns, then import this file on the same page.",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class RowChange:
    slot_id: int
    version: int
    text: str
    rag: str


def import_department(
    rnd: Round,
    department: Department,
    source: BinaryIO,
    *,
    user: Any,
    filename: str = "upload.xlsx",
) -> int:
    """Validate every row, then save every changed slot in one transaction; returns how many."""
    check_department(user, department)
    if not rnd.is_open:
        raise CommentaryError(
            f"the {rnd.quarter_label} round is published; commentary can no longer be imported"
        )
    changes = _read(rnd, department, source, filename)
    with transaction.atomic():
        for change in changes:
            services.save_draft(
                change.slot_id,
                user=user,
                text=change.text,
                rag=change.rag,
                expected_version=change.version,
            )
    return len(changes)


def _where(filename: str, row: int | None, column: str | None, sheet: str = SHEET) -> Location:
    field = f"sheet '{sheet}'"
    if column is not None:
        field += f", column {get_column_letter(COL[column] + 1)} ({column})"
    return Location(file=filename, row=row, field=field)


def _read(rnd: Round, department: Department, source: BinaryIO, filename: str) -> list[RowChange]:
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CommentaryError(
            "the file is not an Excel workbook (.xlsx) that can be read",
            location=Location(file=filename),
            expected="the .xlsx file exported from planwatch",
        ) from exc
    try:
        if SHEET not in wb.sheetnames:
            raise CommentaryError(
                f"there is no sheet named '{SHEET}' (found: {', '.join(wb.sheetnames)})",
                location=Location(file=filename),
                expected="the workbook exported from planwatch",
            )
        _check_about(wb, rnd, department, filename)
        rows = list(wb[SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    problems: list[Problem] = []
    header = tuple(str(v).strip() if v is not None else "" for v in (rows[0] if rows else ()))
    if header[: len(COLUMNS)] != COLUMNS:
        for i, name in enumerate(COLUMNS):
            got = header[i] if i < len(header) else ""
            if got != name:
                problems.append(
                    Problem(
                        f"column heading is '{got}'",
                        Location(
                            file=filename,
                            row=1,
                            field=f"sheet '{SHEET}', column {get_column_letter(i + 1)}",
                        ),
                        expected=f"'{name}'",
                    )
                )
        raise CommentaryError(problems=problems)
    slots = {
        s.pk: s for s in Slot.objects.filter(round=rnd).select_related("commitment", "department")
    }
    changes: list[RowChange] = []
    seen: set[int] = set()
    for number, row in enumerate(rows[1:], start=2):
        values = list(row) + [None] * (len(COLUMNS) - len(row))
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        change = _check_row(number, values, slots, department, seen, filename, problems)
        if change is not None:
            changes.append(change)
    if problems:
        raise CommentaryError(problems=problems)
    return changes


def _check_about(wb: Any, rnd: Round, department: Department, filename: str) -> None:
    if ABOUT_SHEET not in wb.sheetnames:
        return
    about = {
        str(r[0]): str(r[1])
        for r in wb[ABOUT_SHEET].iter_rows(values_only=True)
        if r and r[0] and len(r) > 1
    }
    if about.get("Round", rnd.quarter) != rnd.quarter:
        raise CommentaryError(
            f"this spreadsheet is for the {period_text(str(about['Round']))} round, "
            f"not {rnd.quarter_label}",
            location=_where(filename, 1, None, ABOUT_SHEET),
            expected=f"a spreadsheet exported for {rnd.quarter_label}",
        )
    if about.get("Department", department.slug) != department.slug:
        theirs = Department.objects.filter(slug=about["Department"]).first()
        raise CommentaryError(
            f"this spreadsheet is for {theirs.name if theirs else about['Department']}, "
            f"not {department.name}",
            location=_where(filename, 2, None, ABOUT_SHEET),
            expected=f"the spreadsheet exported for {department.name}",
        )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _checked(
    clean: Callable[..., str], value: Any, where: Location, problems: list[Problem]
) -> str:
    """``value`` through one of the editor's validators; what is wrong joins ``problems``."""
    try:
        return clean(None if value is None else str(value), where=where)
    except CommentaryError as exc:
        problems.extend(exc.problems)
        return ""


def _check_row(
    number: int,
    values: list[Any],
    slots: dict[int, Slot],
    department: Department,
    seen: set[int],
    filename: str,
    problems: list[Problem],
) -> RowChange | None:
    before = len(problems)
    slot_id = _as_int(values[COL["Slot ID"]])
    slot = slots.get(slot_id) if slot_id is not None else None
    if slot is None:
        problems.append(
            Problem(
                f"'{values[COL['Slot ID']]}' is not a slot of this round",
                _where(filename, number, "Slot ID"),
                expected="the Slot ID as exported (do not edit the ID columns)",
            )
        )
        return None
    if slot.department_id != department.pk:
        problems.append(
            Problem(
                f"slot {slot_id} belongs to {slot.department.name}, not {department.name}",
                _where(filename, number, "Slot ID"),
                expected=f"only {department.name}'s slots",
            )
        )
        return None
    if slot_id in seen:
        problems.append(
            Problem(f"slot {slot_id} appears more than once", _where(filename, number, "Slot ID"))
        )
    seen.add(slot.pk)
    if str(values[COL["Commitment ID"]] or "").strip() != slot.commitment.slug:
        problems.append(
            Problem(
                f"commitment ID '{values[COL['Commitment ID']]}' does not match slot {slot_id}",
                _where(filename, number, "Commitment ID"),
                expected=f"'{slot.commitment.slug}' (do not edit the ID columns)",
            )
        )
    version = _as_int(values[COL["Version"]])
    if version is None:
        problems.append(
            Problem(
                f"version '{values[COL['Version']]}' is not a whole number",
                _where(filename, number, "Version"),
                expected="the version as exported",
            )
        )
    text = _checked(
        services.clean_text,
        values[COL["Commentary"]],
        _where(filename, number, "Commentary"),
        problems,
    )
    rag = _checked(
        services.clean_rag,
        values[COL["RAG status"]],
        _where(filename, number, "RAG status"),
        problems,
    )
    if len(problems) > before or (text == slot.text and rag == slot.rag):
        return None
    if slot.state in (SlotState.SUBMITTED, SlotState.APPROVED):
        problems.append(
            Problem(
                f"slot {slot_id} is {slot.get_state_display().lower()} and cannot be changed",
                _where(filename, number, "Commentary"),
                expected="ask the analyst to return it first",
            )
        )
        return None
    if version is None or version != slot.version:
        problems.append(
            Problem(
                f"slot {slot_id} was changed online since this spreadsheet was exported "
                f"(spreadsheet version {version}, saved version {slot.version})",
                _where(filename, number, "Version"),
                expected="export again and copy your text across",
            )
        )
        return None
    return RowChange(slot.pk, version, text, rag)
