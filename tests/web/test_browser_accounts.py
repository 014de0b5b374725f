"""The account forms in a real browser (Debian's Chromium via Playwright) against a live server:
the departments are asked for only for a commitment owner (a new account starts as one);
a reader or an analyst is made, or changed into, without departments."""

from __future__ import annotations

import pytest
from test_browser import _login, browser  # noqa: F401  (browser: the module's Chromium fixture)

from planwatch.web.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEPARTMENTS = "#id_departments-group"


def test_only_an_owner_is_asked_for_departments(browser, live_server, analyst, north):  # noqa: F811
    page = _login(browser, live_server, "ann")
    page.click("nav >> text=Users")
    page.wait_for_selector("#new-account")
    assert page.input_value("#id_role") == "owner"  # never an analyst by default
    assert page.is_visible(DEPARTMENTS)
    page.select_option("#id_role", "reader")
    page.wait_for_selector(DEPARTMENTS, state="hidden")
    page.select_option("#id_role", "analyst")
    assert page.is_hidden(DEPARTMENTS)
    page.select_option("#id_role", "owner")
    page.wait_for_selector(DEPARTMENTS, state="visible")
    page.check("#new-account input[value=comms]")
    page.select_option("#id_role", "reader")  # ticked, then no longer an owner: not sent
    page.fill("#id_username", "rhea")
    page.fill("#id_email", "rhea@example.org")
    page.click("button:has-text('Create account')")
    page.wait_for_selector("text=Created the account rhea")
    assert not Membership.objects.filter(user__username="rhea").exists()

    page.goto(f"{live_server.url}/users/{north.pk}/")  # an owner changed into a reader
    page.wait_for_selector("#account-form")
    assert page.is_visible(DEPARTMENTS)
    assert page.is_checked("#account-form input[value=north-lpa]")
    page.select_option("#id_role", "reader")
    page.wait_for_selector(DEPARTMENTS, state="hidden")
    page.click("button:has-text('Save changes')")
    page.wait_for_selector("text=Saved the changes to nora")
    assert not Membership.objects.filter(user=north).exists()
    history = page.inner_text("#account-history")
    assert "role changed from commitment owner to reader (by ann)" in history
    assert "removed from North Local Policing Area (by ann)" in history
    assert page.is_hidden(DEPARTMENTS)  # the saved reader's page: still no boxes
    assert page.csp_violations == []
    page.context.close()
