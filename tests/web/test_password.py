"""Anyone signed in changes their own password: the old one is asked for, the new one
meets the password validators, a refused change keeps the old password (and says why),
and an accepted one is in the account's history with who made it."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from web_helpers import PASSWORD, client_for

from planwatch.web import accounts

NEW = "a new passphrase for the spring"


def _change(client: Client, old: str, new1: str, new2: str | None = None):
    data = {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    return client.post(reverse("password_change"), data)


def test_page_names_the_three_fields(reader):
    html = client_for(reader).get(reverse("password_change")).content.decode()
    for label in ("Old password", "New password", "Type the new password again"):
        assert f">{label}</label>" in html
    # the rules are plain text described by the field (no list inside a paragraph)
    assert 'aria-describedby="id_new_password1_helptext"' in html
    assert '<div class="govuk-hint" id="id_new_password1_helptext">Your password' in html
    assert "<ul>" not in html.split("<main", 1)[1]


def test_wrong_old_password_is_refused_and_nothing_changes(reader):
    response = _change(client_for(reader), "not my password", NEW)
    assert response.status_code == 400
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert authenticate(username=reader.username, password=PASSWORD) is not None


def test_weak_or_mismatched_new_password_is_refused_with_the_reason(reader):
    client = client_for(reader)
    weak = _change(client, PASSWORD, "password")
    assert weak.status_code == 400 and "This password is too common" in weak.content.decode()
    mismatch = _change(client, PASSWORD, NEW, NEW + "!")
    assert mismatch.status_code == 400
    assert "didn" in mismatch.content.decode()  # "The two password fields didn't match."
    assert authenticate(username=reader.username, password=PASSWORD) is not None


def test_change_keeps_the_session_and_is_in_the_history(north):
    client = client_for(north)
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert authenticate(username=north.username, password=NEW) is not None
    assert authenticate(username=north.username, password=PASSWORD) is None
    follow = client.get(reverse("todo"))
    assert follow.status_code == 200  # still signed in
    assert "Your password has been changed." in follow.content.decode()
    [latest, *_] = accounts.account_history(north)
    assert latest.what == "password changed" and latest.who == north.username
