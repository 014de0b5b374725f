"""Every figure as data: the JSON beside the report, checked against the PDF's own text."""

from __future__ import annotations

import json
import re

import pytest
from figure_checks import check_key_points, check_tables, key_points, measures, pdf_words

from planwatch.report.figures import SCHEMA, printed_numbers


@pytest.fixture(scope="module")
def data(report_files):
    assert report_files.figures is not None and report_files.figures.suffix == ".json"
    return json.loads(report_files.figures.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf_text(report_files, data) -> str:
    return pdf_words(report_files.pdf, data)


def test_the_json_ties_every_figure_to_its_measure_period_and_method(data, run):
    assert data["schema"] == SCHEMA
    assert data["report"]["quarter"] == "2023/24 Q1"
    assert data["report"]["published"] == "15 August 2023"
    results = {m.measure.id: m for p in run.priorities for m in p.measures}
    for kp in key_points(data):
        assert kp["measure"] in results and kp["period"] and kp["text"]
    for m in measures(data):
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
    trend = next(c["trend"] for m in measures(data) for c in m["charts"] if c.get("trend"))
    assert trend["method"] in {"poisson_glm", "negative_binomial_glm", "gaussian_glm"}
    assert any(kp["method"] for kp in key_points(data))


def test_every_key_point_in_the_html_is_in_the_json(html, data):
    shown = re.findall(r'<li class="kp kp-\w+">([^<]+)', html)
    texts = {kp["text"] for kp in key_points(data)}
    assert shown and {t.strip().replace("&#39;", "'") for t in shown} <= texts


def test_every_number_printed_in_a_key_point_is_in_the_json_for_its_measure(pdf_text, data):
    assert check_key_points(pdf_text, data) >= 5


def test_every_number_printed_in_a_table_is_in_the_json_for_its_measure(pdf_text, data):
    assert check_tables(pdf_text, data) >= 5


def test_printed_numbers_leave_out_period_labels():
    text = "Mar 2021/22 2,410 in June 2023, −3.1% a year since 2016/17 Q1 (2023-06): 12 months"
    assert printed_numbers(text) == ["2,410", "−3.1", "12"]
