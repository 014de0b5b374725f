"""User management: analysts list, create and change accounts; every change is audited
and shown in the account's history; bad input gets a form error and changes nothing.
(Who may reach these pages is checked with every other view in test_views_security.py.)"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from web_helpers import PASSWORD, client_for

from planwatch.web.models import EmailKind, Membership, Profile, SentEmail

NEW_PASSWORD = "a long enough passphrase"


def _account(username):
    user = get_user_model().objects.get(username=username)
    depts = sorted(Membership.objects.filter(user=user).values_list("department__slug", flat=True))
    return user, Profile.objects.get(user=user).role, depts


def _history(client, user):
    html = client.get(reverse("user_edit", args=[user.pk])).content.decode()
    return html[html.index('id="account-history"') :]


def test_the_list_shows_every_account_with_its_role_and_departments(analyst, north, reader):
    html = client_for(analyst).get(reverse("users")).content.decode()
    assert html.count("data-user=") == 3
    row = html[html.index(f'data-user="{north.pk}"') :].split("</tr>")[0]
    assert "Commitment owner" in row and "North Local Policing Area" in row and "Active" in row
    assert "Reader" in html[html.index(f'data-user="{reader.pk}"') :].split("</tr>")[0]


def test_an_analyst_creates_an_owner_and_the_history_says_who(analyst):
    c = client_for(analyst)
    r = c.post(
        reverse("users"),
        {
            "username": "oscar",
            "email": "oscar@example.org",
            "role": "owner",
            "departments": ["north-lpa", "comms"],
        },
    )
    user, role, depts = _account("oscar")
    assert r.status_code == 302 and r["Location"] == reverse("user_edit", args=[user.pk])
    assert (role, depts, user.email, user.is_active) == (
        "owner",
        ["comms", "north-lpa"],
        "oscar@example.org",
        True,
    )
    assert not user.has_usable_password()  # the analyst never chooses it
    [invitation] = mail.outbox
    assert invitation.to == ["oscar@example.org"] and "/accounts/password/set/" in invitation.body
    history = _history(c, user)
    for change in (
        "invitation emailed to oscar@example.org (by ann)",
        "account created with email oscar@example.org (by ann)",
        "role set to commitment owner (by ann)",
        "added to North Local Policing Area (by ann)",
        "added to Media and Communications (by ann)",
    ):
        assert change in history


def test_changes_and_deactivation_are_audited_and_end_the_session(analyst, north):
    owner_session = client_for(north)
    assert owner_session.get(reverse("todo")).status_code == 200
    c = client_for(analyst)
    r = c.post(
        reverse("user_edit", args=[north.pk]),
        {"email": "", "role": "reader", "departments": ["comms"]},  # "active" unticked
    )
    assert r.status_code == 302
    user, role, depts = _account("nora")
    assert (role, depts, user.email, user.is_active) == ("reader", ["comms"], "", False)
    history = _history(c, user)
    assert "role changed from commitment owner to reader (by ann)" in history
    assert "removed from North Local Policing Area (by ann)" in history
    assert "added to Media and Communications (by ann)" in history
    assert "email changed from nora@example.org to (none)" in history
    assert "deactivated (by ann)" in history
    # A deactivated account cannot sign in, and the session it had is over.
    assert not Client().login(username="nora", password=PASSWORD)
    r = owner_session.get(reverse("todo"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    # Reactivating is audited too.
    c.post(
        reverse("user_edit", args=[north.pk]),
        {"email": "", "role": "reader", "departments": ["comms"], "active": "on"},
    )
    assert "reactivated (by ann)" in _history(c, user)


def test_signing_in_is_not_shown_as_a_change(analyst, reader):
    assert Client().login(username="rita", password=PASSWORD)
    history = _history(client_for(analyst), reader)
    assert history.count("<li>") == 2  # created, role set
    assert "password changed" not in history


def _link(message) -> str:
    return re.search(r"http://\S+/accounts/password/set/\S+/", message.body).group(0)


def test_the_invitation_link_sets_a_validated_password_once(analyst):
    client_for(analyst).post(
        reverse("users"), {"username": "oscar", "email": "oscar@example.org", "role": "reader"}
    )
    path = urlsplit(_link(mail.outbox[0])).path
    person = Client()
    form = person.get(path, follow=True)  # Django moves the token into the session first
    assert form.status_code == 200 and "Choose your password" in form.content.decode()
    url = form.redirect_chain[-1][0]
    short = person.post(url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in short.content.decode()
    done = person.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert Client().login(username="oscar", password=NEW_PASSWORD)
    again = Client().get(path, follow=True).content.decode()
    assert "already been used or has expired" in again
    assert "password changed (by system)" in _history(client_for(analyst), _account("oscar")[0])


def test_a_forgotten_password_is_reset_through_an_emailed_link(reader):
    r = Client().post(reverse("password_reset"), {"email": "rita@example.org"})
    assert r.status_code == 302 and r["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["rita@example.org"] and "rita" in message.body
    assert SentEmail.objects.get().kind == EmailKind.PASSWORD_RESET
    # An unknown address gets the same page and no email.
    r = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert r.status_code == 302 and len(mail.outbox) == 1


def test_an_analyst_can_send_a_new_invitation(analyst, reader):
    r = client_for(analyst).post(reverse("user_invite", args=[reader.pk]))
    assert r.status_code == 302
    assert [m.to for m in mail.outbox] == [["rita@example.org"]]
    assert "invitation emailed to rita@example.org (by ann)" in _history(
        client_for(analyst), reader
    )


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"username": "nora", "role": "reader"},
            "username",
            "There is already an account called &#x27;nora&#x27;",
        ),
        (
            {"username": "NORA", "role": "reader"},
            "username",
            "There is already an account called &#x27;NORA&#x27;",
        ),
        (
            {"username": "olga", "role": "owner"},
            "departments",
            "A commitment owner must belong to at least one department.",
        ),
        (
            {"username": "olga", "role": "reader", "email": "nora@example.org"},
            "email",
            "Another account already uses the email address nora@example.org",
        ),
        (
            {
                "username": "olga",
                "role": "owner",
                "departments": ["nowhere"],
            },
            "departments",
            "There is no department &#x27;nowhere&#x27;",
        ),
        ({"username": "olga", "role": "boss"}, "role", "valid choice"),
        (
            {"username": "olga smith!", "role": "reader"},
            "username",
            "Enter a valid username",
        ),
    ],
)
def test_bad_input_is_a_form_error_that_keeps_what_was_typed(analyst, north, form, field, message):
    before = get_user_model().objects.count()
    data = {"email": "typed@example.org", **form}
    typed = data["email"]
    r = client_for(analyst).post(reverse("users"), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert message in html
    assert f'value="{typed}"' in html  # what was typed is still there
    assert get_user_model().objects.count() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"role": "analyst"}, "You cannot deactivate your own account"),
        ({"role": "reader", "active": "on"}, "You cannot take the analyst role away"),
    ],
)
def test_an_analyst_cannot_lock_themselves_out(analyst, change, message):
    r = client_for(analyst).post(reverse("user_edit", args=[analyst.pk]), {"email": "", **change})
    assert r.status_code == 400 and message in r.content.decode()
    user, role, _ = _account("ann")
    assert (role, user.is_active, user.email) == ("analyst", True, "ann@example.org")


def test_an_account_that_does_not_exist_is_not_found(analyst):
    missing = get_user_model().objects.order_by("-pk").first().pk + 100
    assert client_for(analyst).get(reverse("user_edit", args=[missing])).status_code == 404
