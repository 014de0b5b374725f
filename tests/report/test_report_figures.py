"""Every figure as data: the JSON beside the report, checked against the PDF's own text."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter

import pytest
from layout_checks import body_lines

from planwatch.report.figures import SCHEMA, printed_numbers


@pytest.fixture(scope="module")
def data(report_files):
    assert report_files.figures is not None and report_files.figures.suffix == ".json"
    return json.loads(report_files.figures.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf_text(report_files, data) -> str:
    """The PDF's words in reading order, the running header and footer taken out."""
    text = subprocess.run(
        ["pdftotext", str(report_files.pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    furniture = (data["report"]["sensitivity"], data["report"]["report_title"])
    pages = [" ".join(body_lines(page, furniture)) for page in text.split("\f")]
    return " ".join(" ".join(pages).split())


def _measures(data):
    return [m for p in data["priorities"] for m in p["measures"]]


def _key_points(data):
    out = [kp for p in data["priorities"] for kp in p["key_points"]]
    return out + [kp for m in _measures(data) for kp in m["key_points"]]


def _numbers_by_measure(data) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for kp in _key_points(data):
        out.setdefault(kp["measure"], set()).update(kp["numbers"])
    for m in _measures(data):
        for t in m["tables"] + [c["table"] for c in m["charts"] if c["table"]]:
            out.setdefault(m["id"], set()).update(t["numbers"])
    return out


def test_the_json_ties_every_figure_to_its_measure_period_and_method(data, run):
    assert data["schema"] == SCHEMA
    assert data["report"]["quarter"] == "2023/24 Q1"
    assert data["report"]["published"] == "15 August 2023"
    results = {m.measure.id: m for p in run.priorities for m in p.measures}
    for kp in _key_points(data):
        assert kp["measure"] in results and kp["period"] and kp["text"]
    for m in _measures(data):
        result = results[m["id"]]
        for chart in m["charts"]:
            if chart["kind"] != "line":
                continue
            series = chart["series"]
            assert [s["period"] for s in series] == list(result.series.labels)
            assert [s["value"] for s in series] == list(result.series.values)
            assert [i for i, s in enumerate(series) if s["held_out"]] == list(result.series.suspect)
        for table in m["tables"]:
            assert table["measure"] == m["id"] and table["rows"]
    trend = next(c["trend"] for m in _measures(data) for c in m["charts"] if c.get("trend"))
    assert trend["method"] in {"poisson_glm", "negative_binomial_glm", "gaussian_glm"}
    assert any(kp["method"] for kp in _key_points(data))


def test_every_key_point_in_the_html_is_in_the_json(html, data):
    shown = re.findall(r'<li class="kp kp-\w+">([^<]+)', html)
    texts = {kp["text"] for kp in _key_points(data)}
    assert shown and {t.strip().replace("&#39;", "'") for t in shown} <= texts


def test_every_number_printed_in_a_key_point_is_in_the_json_for_its_measure(pdf_text, data):
    by_measure = _numbers_by_measure(data)
    checked = 0
    for kp in _key_points(data):
        start = pdf_text.find(kp["text"][:40])
        assert start != -1, kp["text"]
        printed = pdf_text[start : start + len(kp["text"])]
        for number in printed_numbers(printed):
            assert number in by_measure[kp["measure"]], (number, printed)
            checked += 1
    assert checked >= 5


def test_every_number_printed_in_a_table_is_in_the_json_for_its_measure(pdf_text, data):
    tables = [(m["id"], t, t["caption"]) for m in _measures(data) for t in m["tables"]]
    tables += [
        (m["id"], c["table"], f"Table A{c['table_number']}: {c['table']['caption']}")
        for m in _measures(data)
        for c in m["charts"]
        if c["table"]
    ]
    starts = sorted(pdf_text.find(caption) for _, _, caption in tables)
    for measure, table, caption in tables:
        at = pdf_text.find(caption)
        assert at != -1, caption
        begin = at + len(caption)
        ends = [s for s in starts if s > at]  # the next table's caption
        ends += [
            e for w in (" Source: ", "About this report") if (e := pdf_text.find(w, begin)) != -1
        ]
        region = pdf_text[begin : min(ends, default=len(pdf_text))]
        headers = Counter(n for h in table["headers"] for n in printed_numbers(h))
        printed = Counter(printed_numbers(region))
        repeated = printed - Counter(table["numbers"])  # beyond the cells: headers repeated
        assert set(repeated) <= set(headers), (caption, repeated)
        assert Counter(table["numbers"]) <= printed, caption  # every cell printed
        assert set(printed) <= _numbers_by_measure(data)[measure] | set(headers)


def test_printed_numbers_leave_out_period_labels():
    text = "Mar 2021/22 2,410 in June 2023, −3.1% a year since 2016/17 Q1 (2023-06): 12 months"
    assert printed_numbers(text) == ["2,410", "−3.1", "12"]
