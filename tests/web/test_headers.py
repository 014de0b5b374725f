"""Security headers on every response: a Content-Security-Policy with no inline script or
style (a published report file may use its own inline stylesheet, and runs nothing),
X-Content-Type-Options and Referrer-Policy; and templates that need no inline script or
style, so that the policy breaks nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from web_helpers import client_for, slot_of

from planwatch.web import reporting, services

TEMPLATES = Path(__file__).parents[2] / "planwatch" / "web" / "templates"


def _policy(response) -> dict[str, str]:
    """The policy as {directive: sources}."""
    parts = (p.strip().split(None, 1) for p in response["Content-Security-Policy"].split(";"))
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def _check_page_headers(response) -> None:
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def pages(rnd, analyst, north):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    return {
        "sign-in": (Client(), reverse("login"), 200),
        "redirect to sign in": (Client(), reverse("todo"), 302),
        "to-do list": (client_for(north), reverse("todo"), 200),
        "editor": (client_for(north), reverse("slot", args=[slot.pk]), 200),
        "tracker": (client_for(analyst), reverse("tracker", args=[rnd.pk]), 200),
        "users": (client_for(analyst), reverse("users"), 200),
        "refused": (client_for(north), reverse("users"), 403),
        "not found": (client_for(analyst), "/no/such/page/", 404),
        "autosave (JSON)": (client_for(north), reverse("slot_autosave", args=[slot.pk]), 405),
    }


def test_every_kind_of_response_carries_the_page_policy(pages):
    for name, (client, url, status) in pages.items():
        response = client.get(url)
        assert response.status_code == status, name
        _check_page_headers(response)


def test_the_dashboard_has_the_page_policy(analyst):
    response = client_for(analyst).get(reverse("dashboard"))
    assert response.status_code == 200
    _check_page_headers(response)  # charts: see test_reporting.py (no style attributes)


def test_a_report_file_may_style_itself_but_run_nothing(rnd, analyst, north):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    slot = services.save_draft(slot.pk, user=north, text="Text.", rag="", expected_version=0)
    services.submit(slot.pk, user=north, expected_version=slot.version)
    services.approve(slot.pk, user=analyst)
    version = services.publish(rnd.pk, user=analyst)
    folder = reporting.version_dir(version)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text("<style>p{color:red}</style><p>report</p>")
    response = client_for(analyst).get(reverse("published_file", args=[version.pk, "report.html"]))
    assert b"".join(response.streaming_content) == b"<style>p{color:red}</style><p>report</p>"
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == "'none'"  # no script, no connections, no frames
    assert "script-src" not in policy and policy["style-src"] == "'unsafe-inline'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_style_or_event_handlers():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # a script element without src
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",  # onclick=, onload=, ...
            r"javascript:",
        ):
            found += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []
