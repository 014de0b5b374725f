"""Checks of the figures JSON against a PDF's own text (pdftotext), shared by the tests
of the sample report and of the demo report.

In: a PDF and the JSON written beside it. Out: assertions that every number printed in a
key point or a table of the PDF is in the JSON for the same measure, and that every
table cell of the JSON is printed.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from layout_checks import body_lines

from planwatch.report.figures import printed_numbers

_WORD_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")


def pdf_words(pdf: Path, data: dict[str, Any]) -> str:
    """The PDF's words in reading order, the running header and footer taken out."""
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    furniture = (data["report"]["sensitivity"], data["report"]["report_title"])
    lines = [line for page in text.split("\f") for line in body_lines(page, furniture)]
    out = ""
    for line in lines:  # a line broken after a hyphen ("two-" / "proportion") joins up
        out += line if out.endswith("-") else f" {line}"
    return words(out)


def words(text: str) -> str:
    """Text compared the way pdftotext prints it: single spaces, and no hyphen inside a
    word (pdftotext drops the one where a line breaks: "z-" / "test" becomes "ztest")."""
    return _WORD_HYPHEN.sub("", " ".join(text.split()))


def measures(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for p in data["priorities"] for m in p["measures"]]


def key_points(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = [kp for p in data["priorities"] for kp in p["key_points"]]
    return out + [kp for m in measures(data) for kp in m["key_points"]]


def numbers_by_measure(data: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for kp in key_points(data):
        out.setdefault(kp["measure"], set()).update(kp["numbers"])
    for m in measures(data):
        for t in m["tables"] + [c["table"] for c in m["charts"] if c["table"]]:
            out.setdefault(m["id"], set()).update(t["numbers"])
    return out


def check_key_points(text: str, data: dict[str, Any]) -> int:
    """Every number printed in each key point is in the JSON for its measure; how many."""
    by_measure = numbers_by_measure(data)
    checked = 0
    for kp in key_points(data):
        start = _find_sentence(text, words(kp["text"]))
        assert start != -1, f"key point not in the PDF: {kp['text']}"
        printed = text[start : start + len(words(kp["text"]))]
        for number in printed_numbers(printed):
            assert number in by_measure[kp["measure"]], (number, kp["measure"], printed)
            checked += 1
    return checked


def check_tables(text: str, data: dict[str, Any]) -> int:
    """Each table's printed numbers are its JSON cells (its header row may repeat on a new
    page), and all are the JSON's for the same measure; how many tables."""
    tables = [(m["id"], t, words(t["caption"])) for m in measures(data) for t in m["tables"]]
    tables += [
        (m["id"], c["table"], words(f"Table A{c['table_number']}: {c['table']['caption']}"))
        for m in measures(data)
        for c in m["charts"]
        if c["table"]
    ]
    starts = sorted({i for _, _, caption in tables for i in _all(text, caption)})
    by_measure = numbers_by_measure(data)
    for measure, table, caption in tables:
        at = text.find(caption)
        assert at != -1, f"table not in the PDF: {caption}"
        begin = at + len(caption)
        ends = [s for s in starts if s > at]  # the next table's caption
        ends += [e for w in (" Source: ", "About this report") if (e := text.find(w, begin)) != -1]
        region = text[begin : min(ends, default=len(text))]
        headers = {n for h in table["headers"] for n in printed_numbers(h)}
        printed = Counter(printed_numbers(region))
        repeated = printed - Counter(table["numbers"])
        assert set(repeated) <= headers, (caption, repeated)  # beyond the cells: headers
        assert Counter(table["numbers"]) <= printed, caption  # every cell printed
        assert set(printed) <= by_measure[measure] | headers, caption
    return len(tables)


def _find_sentence(text: str, sentence: str) -> int:
    """Where a key point starts in the PDF's words: its whole text if printed as written,
    else the longest opening (of at least 60 characters) found, so that its numbers are
    read from the PDF, not assumed."""
    at = text.find(sentence)
    length = len(sentence)
    while at == -1 and length > 60:
        length -= 20
        at = text.find(sentence[:length])
    return at


def _all(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at != -1:
        out.append(at)
        at = text.find(needle, at + 1)
    return out
