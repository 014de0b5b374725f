"""Small files in the real layouts (PRC, data.police.uk, lookups) written for ingest tests."""

from __future__ import annotations

import csv
import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

PRC_HEADER = [
    "Financial Year", "Financial Quarter", "Force Name", "Offence Description",
    "Offence Group", "Offence Subgroup", "Offence Code", "Number of Offences",
]  # fmt: skip
GROUP_HEADER = [
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Group",
    "Number of Offences",
    "Population",
]
STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
CODES_HEADER = [
    "Offence Group",
    "Offence Code",
    "Offence Description",
    "Offence Subgroup",
    "Police.uk Category",
]

#: A tiny offence-level table: 2 forces x 2 quarters x 2 offences.
PRC_ROWS = [
    [fy, q, force, desc, group, sub, code, count]
    for fy, q in (("2017/18", "1"), ("2017/18", "2"))
    for force, base in (("Essex", 100), ("Kent", 50))
    for desc, group, sub, code, count in (
        ("Robbery of business property", "Robbery", "Robbery", "34A", base),
        ("Burglary - residential", "Theft offences", "Burglary", "28E", base * 3),
    )
]
CODES_ROWS = [
    ["Robbery", "34A", "Robbery of business property", "Robbery", "Robbery"],
    ["Robbery", "34B", "Robbery of personal property", "Robbery", "Robbery"],
    ["Theft offences", "28E", "Burglary - residential", "Burglary", "Burglary"],
    ["Theft offences", "28F", "Attempted burglary - residential", "Burglary", "Burglary"],
]


def write_csv(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(list(header))
    for row in rows:
        sheet.append([_number(v) for v in row])
    book.save(path)
    return path


def write_ods(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A minimal valid ODS: mimetype (stored, first), manifest and content.xml."""

    def cell(v: object) -> str:
        v = _number(v)
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>"
        for r in [header, *rows]
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Data">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _number(v: object) -> object:
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            return v
    return v


def street_rows(
    month: str, n: int, *, falls: str = "Essex Police", asb_every: int = 4, seed: str = ""
) -> list[list[str]]:
    """``n`` street rows; every ``asb_every``-th is anti-social behaviour (no Crime ID)."""
    rows = []
    for i in range(n):
        asb = i % asb_every == 0
        crime_id = "" if asb else hashlib.sha256(f"{seed}{month}{i}".encode()).hexdigest()
        crime_type = (
            "Anti-social behaviour"
            if asb
            else ("Burglary" if i % 2 else "Violence and sexual offences")
        )
        rows.append(
            [
                crime_id,
                month,
                falls,
                falls,
                "0.5",
                "51.7",
                "On or near High Street",
                "E01000001",
                "Chelmsford 001A",
                crime_type,
                "" if asb else "Under investigation",
                "",
            ]
        )
    return rows


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
