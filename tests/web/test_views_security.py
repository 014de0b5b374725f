"""Every view against every role: anonymous users are sent to sign in, and owners,
readers and analysts can do exactly what their role allows (403 otherwise), with
nothing changed by a refused request."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from web_helpers import client_for, date_boxes, slot_of

from planwatch.web import reporting, services
from planwatch.web.models import (
    KeyPointOverrideChange,
    Membership,
    PublishedVersion,
    Round,
    SignInUnlock,
    Slot,
)

ANALYST, NORTH, COMMS, READER = "analyst", "north", "comms", "reader"
CONTRIBUTORS = {ANALYST, NORTH}  # for a North LPA slot or department
EVERYONE = {ANALYST, NORTH, COMMS, READER}


@pytest.fixture
def world(rnd, analyst, north, comms, reader):
    """Q1 published (one version), Q2 open; ``slot`` is North's Q2 slot, submitted."""
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Q1 text", rag="", expected_version=0)
    services.submit(s.pk, user=north, expected_version=s.version)
    services.approve(s.pk, user=analyst)
    version = services.publish(rnd.pk, user=analyst)
    folder = reporting.version_dir(version)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text("<p>report</p>")
    q2 = services.open_round("2024/25 Q2", date.today() + timedelta(days=20), user=analyst)
    slot = slot_of(q2, "p1-neighbourhood", "north-lpa")
    slot = services.save_draft(slot.pk, user=north, text="Q2 draft", rag="", expected_version=0)
    slot = services.submit(slot.pk, user=north, expected_version=slot.version)
    users = {ANALYST: analyst, NORTH: north, COMMS: comms, READER: reader}
    return {"slot": slot, "round": q2, "published_round": rnd, "version": version, "users": users}


def _views(w):
    slot, q2, v = w["slot"], w["round"], w["version"]
    return [
        ("home", "get", reverse("home"), {}, EVERYONE),
        ("password_change", "get", reverse("password_change"), {}, EVERYONE),
        ("password_change", "post", reverse("password_change"), {"old_password": "x"}, EVERYONE),
        ("todo", "get", reverse("todo"), {}, {ANALYST, NORTH, COMMS}),
        ("slot", "get", reverse("slot", args=[slot.pk]), {}, CONTRIBUTORS),
        (
            "slot",
            "post",
            reverse("slot", args=[slot.pk]),
            {"text": "changed", "rag": "", "version": slot.version},
            CONTRIBUTORS,
        ),
        (
            "slot_autosave",
            "post",
            reverse("slot_autosave", args=[slot.pk]),
            {"text": "changed", "rag": "", "version": slot.version},
            CONTRIBUTORS,
        ),
        (
            "slot_withdraw",
            "post",
            reverse("slot_withdraw", args=[slot.pk]),
            {"version": slot.version},
            CONTRIBUTORS,
        ),
        (
            "slot_submit",
            "post",
            reverse("slot_submit", args=[slot.pk]),
            {"version": slot.version},
            CONTRIBUTORS,
        ),
        (
            "slot_analyst_edit",
            "post",
            reverse("slot_analyst_edit", args=[slot.pk]),
            {"text": "edited", "rag": "", "version": slot.version},
            {ANALYST},
        ),
        ("slot_approve", "post", reverse("slot_approve", args=[slot.pk]), {}, {ANALYST}),
        (
            "slot_return",
            "post",
            reverse("slot_return", args=[slot.pk]),
            {"reason": "because"},
            {ANALYST},
        ),
        ("slot_history", "get", reverse("slot_history", args=[slot.pk]), {}, {ANALYST}),
        ("rounds", "get", reverse("rounds"), {}, {ANALYST}),
        (
            "rounds",
            "post",
            reverse("rounds"),
            {"quarter": "2024/25 Q3", **date_boxes(("1", "1", "2030"))},
            {ANALYST},
        ),
        ("tracker", "get", reverse("tracker", args=[q2.pk]), {}, {ANALYST}),
        ("chase", "post", reverse("chase", args=[q2.pk]), {}, {ANALYST}),
        ("publish", "get", reverse("publish", args=[q2.pk]), {}, {ANALYST}),
        ("publish", "post", reverse("publish", args=[q2.pk]), {"unapproved": "notice"}, {ANALYST}),
        ("preview", "get", reverse("preview", args=[q2.pk]), {}, {ANALYST}),
        ("round_approver", "post", reverse("round_approver", args=[q2.pk]), {}, {ANALYST}),
        ("round_deadline", "get", reverse("round_deadline", args=[q2.pk]), {}, {ANALYST}),
        (
            "round_deadline",
            "post",
            reverse("round_deadline", args=[q2.pk]),
            date_boxes(("1", "1", "2030")),
            {ANALYST},
        ),
        ("sign_off", "get", reverse("sign_off", args=[q2.pk]), {}, set()),  # no approver named
        ("sign_off", "post", reverse("sign_off", args=[q2.pk]), {}, set()),
        ("revise", "post", reverse("revise", args=[w["published_round"].pk]), {}, {ANALYST}),
        ("export_xlsx", "get", reverse("export_xlsx", args=[q2.pk, "north-lpa"]), {}, CONTRIBUTORS),
        ("import_xlsx", "get", reverse("import_xlsx", args=[q2.pk, "north-lpa"]), {}, CONTRIBUTORS),
        (
            "import_xlsx",
            "post",
            reverse("import_xlsx", args=[q2.pk, "north-lpa"]),
            {},
            CONTRIBUTORS,
        ),
        ("users", "get", reverse("users"), {}, {ANALYST}),
        ("user_unlock", "post", reverse("user_unlock"), {"username": "nobody"}, {ANALYST}),
        ("round_overview", "get", reverse("round_overview", args=[q2.pk]), {}, {ANALYST}),
        ("key_points", "get", reverse("key_points", args=[q2.pk]), {}, {ANALYST}),
        (
            "key_points",
            "post",
            reverse("key_points", args=[q2.pk]),
            {"key": "x:trend", "action": "pin"},
            {ANALYST},
        ),
        (
            "users",
            "post",
            reverse("users"),
            {
                "username": "newcomer",
                "role": "owner",
                "departments": ["north-lpa"],
                "password": "a long enough passphrase",
            },
            {ANALYST},
        ),
        ("user_edit", "get", reverse("user_edit", args=[w["users"][READER].pk]), {}, {ANALYST}),
        (
            "user_invite",
            "post",
            reverse("user_invite", args=[w["users"][READER].pk]),
            {},
            {ANALYST},
        ),
        (
            "user_edit",
            "post",
            reverse("user_edit", args=[w["users"][READER].pk]),
            {"email": "changed@example.org", "role": "owner", "departments": ["comms"]},
            {ANALYST},
        ),
        ("dashboard", "get", reverse("dashboard"), {}, EVERYONE),
        ("published", "get", reverse("published"), {}, EVERYONE),
        ("published_version", "get", reverse("published_version", args=[v.pk]), {}, EVERYONE),
        ("regenerate", "post", reverse("regenerate", args=[v.pk]), {}, {ANALYST}),
        (
            "published_file",
            "get",
            reverse("published_file", args=[v.pk, "report.html"]),
            {},
            EVERYONE,
        ),
    ]


def _snapshot():
    return (
        list(Slot.objects.order_by("pk").values_list("state", "text", "version")),
        list(Round.objects.order_by("pk").values_list("quarter", "state", "deadline")),
        PublishedVersion.objects.count(),
        list(
            get_user_model()
            .objects.order_by("pk")
            .values_list("username", "email", "is_active", "password", "profile__role")
        ),
        list(Membership.objects.order_by("pk").values_list("user_id", "department_id")),
        SignInUnlock.objects.count(),
        KeyPointOverrideChange.objects.count(),
    )


def _check_all(world, client, allowed_for):
    """Call every view; return what went wrong (refusals must change nothing)."""
    wrong = []
    for name, method, url, data, allowed in _views(world):
        before = _snapshot()
        response = getattr(client, method)(url, data)
        if response.streaming:  # read a download to its end, which closes its file
            b"".join(response.streaming_content)
        code = response.status_code
        if allowed_for is None:  # anonymous
            if code != 302 or not response["Location"].startswith(reverse("login") + "?next="):
                wrong.append(f"{name}: {code} instead of a sign-in redirect")
        elif allowed_for in allowed:
            if code not in (200, 302, 400, 409):
                wrong.append(f"{name}: {code} for an allowed user")
            continue
        elif code != 403 and not (code == 404 and name.startswith("slot")):
            # (another department's slot is a 404, as a slot that does not exist)
            wrong.append(f"{name}: {code} instead of 403")
        if _snapshot() != before:
            wrong.append(f"{name}: a refused request changed data")
    return wrong


def test_anonymous_is_sent_to_sign_in_everywhere(world):
    assert _check_all(world, Client(), None) == []


@pytest.mark.parametrize("role", [READER, COMMS, NORTH, ANALYST])
def test_each_role_gets_exactly_its_views(world, role):
    assert _check_all(world, client_for(world["users"][role]), role) == []


def test_every_view_is_covered(world):
    from planwatch.web import urls

    # Signing in, out and the forgotten-password pages are for everyone (test_users.py).
    assert {p.name for p in urls.urlpatterns} - {v[0] for v in _views(world)} == {
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
    }


@override_settings(PUBLIC_REPORTS=True)
def test_published_reports_can_be_public(world):
    for name in ("published", "published_version", "published_file"):
        _, _, url, _, _ = next(v for v in _views(world) if v[0] == name)
        response = Client().get(url)
        assert response.status_code == 200, name
        if response.streaming:  # read the download to its end, which closes its file
            b"".join(response.streaming_content)
    assert (
        b"Q1 text" in Client().get(reverse("published_version", args=[world["version"].pk])).content
    )
    assert (
        Client().get(reverse("dashboard")).status_code == 302
    )  # only the published reports are public


def test_csrf_is_enforced(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world["users"][NORTH])
    slot = world["slot"]
    response = c.post(
        reverse("slot_autosave", args=[slot.pk]), {"text": "x", "rag": "", "version": slot.version}
    )
    assert response.status_code == 403
    slot.refresh_from_db()
    assert slot.text == "Q2 draft"


def test_owner_cannot_read_a_slot_of_another_department_even_by_id(world):
    theirs = Slot.objects.get(round=world["round"], commitment__slug="p2-reporting")
    response = client_for(world["users"][NORTH]).get(reverse("slot", args=[theirs.pk]))
    assert response.status_code == 404
    assert b"another department" not in response.content


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("slot", "get", {}),
        ("slot", "post", {"text": "x", "rag": "", "version": "0"}),
        ("slot_autosave", "post", {"text": "x", "rag": "", "version": "0"}),
        ("slot_autosave", "post", {"text": "x", "rag": "", "version": "bad"}),
        ("slot_submit", "post", {"version": "0"}),
    ],
)
def test_a_foreign_slot_and_a_missing_slot_get_the_same_answer(world, name, method, data):
    """Issue 15: an owner cannot tell another department's slot from one that does not exist."""
    theirs = Slot.objects.get(round=world["round"], commitment__slug="p2-reporting")
    missing = Slot.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    c = client_for(world["users"][NORTH])
    foreign = getattr(c, method)(reverse(name, args=[theirs.pk]), data)
    absent = getattr(c, method)(reverse(name, args=[missing]), data)
    assert foreign.status_code == absent.status_code == 404
    assert foreign.content.replace(str(theirs.pk).encode(), b"N") == absent.content.replace(
        str(missing).encode(), b"N"
    )
    theirs.refresh_from_db()
    assert theirs.text != "x"


def test_report_files_cannot_escape_their_folder(world, settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    url = reverse("published_file", args=[world["version"].pk, "../../../../" + str(secret)])
    response = client_for(world["users"][ANALYST]).get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("version", ["0", "not-a-number"])
def test_autosave_refuses_another_departments_slot_whatever_the_form(world, version):
    """Autosave checks the form before reading the slot; a foreign slot is still a 404."""
    theirs = Slot.objects.get(round=world["round"], commitment__slug="p2-reporting")
    response = client_for(world["users"][NORTH]).post(
        reverse("slot_autosave", args=[theirs.pk]), {"text": "mine", "rag": "", "version": version}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.text != "mine"


@pytest.mark.parametrize("version", ["0", "not-a-number"])
def test_autosave_to_a_slot_that_does_not_exist_is_not_found(world, version):
    missing = Slot.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    response = client_for(world["users"][ANALYST]).post(
        reverse("slot_autosave", args=[missing]), {"text": "x", "rag": "", "version": version}
    )
    assert response.status_code == 404
