"""The commentary round in a real browser (Debian's Chromium via Playwright) against a live server.

Owner drafts (autosave included) and submits; the analyst returns it with a reason; the
owner fixes and resubmits; the analyst approves and publishes; the published version
holds the text. Then two browser contexts edit one slot at once and the second save
gets the conflict page with both texts and nothing lost.
"""

from __future__ import annotations

import os
import re

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS, unavailable
from web_helpers import PASSWORD, make_data_project, run_worker, slot_of

from planwatch.web.models import PublishedVersion, Slot, SlotState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Longest wait for anything in the page (ms); autosave fires 3 s after typing stops.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable("Debian's Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread; the tests' own ORM calls
    # are still synchronous, so Django must not refuse them (only while these tests run).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_round(rnd):
    return rnd


#: What Chromium writes to the console when the Content-Security-Policy blocks something.
CSP_CONSOLE = re.compile(r"Content Security Policy|Refused to (execute|apply|load|connect)")


def _watch_csp(page) -> list[str]:
    """Collect the page's Content-Security-Policy violations (console messages)."""
    violations: list[str] = []
    page.on("console", lambda m: CSP_CONSOLE.search(m.text) and violations.append(m.text))
    page.csp_violations = violations
    return violations


def _new_page(browser):
    """A page in a browser context of its own (its own cookies), watched for CSP violations."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    _watch_csp(page)
    return page


#: The heading of any page but the sign-in page: waited for after signing in.
SIGNED_IN = "h1:not(:has-text('Sign in'))"


def _create_owner(page, username):
    """Make a North LPA owner on the Users page (an invitation is emailed to them)."""
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.org")
    page.select_option("#id_role", "owner")
    page.check("#new-account input[value=north-lpa]")
    page.click("button:has-text('Create account')")


def _login(browser, live_server, username):
    page = _new_page(browser)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(SIGNED_IN)  # the next page's own heading, not the sign-in page's
    return page


def test_round_from_draft_to_published(
    browser, live_server, open_round, north, analyst, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    owner = _login(browser, live_server, "nora")
    assert owner.url.endswith("/todo/")
    owner.click("tr:has-text('Neighbourhood policing') >> text=Write")
    owner.fill("#id_text", "Two neighbourhood hubs opened.")
    owner.wait_for_selector("#autosave-status:has-text('Draft saved automatically')")
    slot = slot_of(open_round, "p1-neighbourhood", "north-lpa")
    assert (slot.text, slot.state) == ("Two neighbourhood hubs opened.", SlotState.DRAFT)
    assert owner.inner_text("#word-count") == "4"
    owner.click("button[value=submit]")
    owner.wait_for_selector("text=Commentary submitted for approval")

    ann = _login(browser, live_server, "ann")
    ann.goto(f"{live_server.url}/slots/{slot.pk}/")
    ann.fill("#id_reason", "Please say how many officers staff the hubs.")
    ann.click("text=Return to owner")
    ann.wait_for_selector("#tracker")

    owner.goto(live_server.url + "/todo/")
    assert "Returned because: Please say how many officers" in owner.inner_text("main")
    assert "Returned – action needed" in owner.inner_text("main")
    owner.click("tr:has-text('Neighbourhood policing') >> text=Write")
    banner = owner.inner_text("#returned")
    assert "Returned – action needed" in banner and "The analyst says: Please say" in banner
    owner.fill("#id_text", "Two neighbourhood hubs opened, staffed by 12 officers.")
    owner.click("button[value=submit]")
    owner.wait_for_selector("text=Commentary submitted for approval")

    ann.goto(f"{live_server.url}/slots/{slot.pk}/")
    ann.click("button:has-text('Approve')")
    ann.wait_for_selector("text=Approved Neighbourhood policing")
    ann.click("a:has-text('Publish 2024/25 Q1')")
    ann.wait_for_selector("#missing-summary")  # the confirmation: what will be missing
    assert "4 of 5 commentaries will not be published" in ann.inner_text("#missing-summary")
    assert ann.is_checked("input[value=notice]")
    ann.click("button:has-text('Publish 2024/25 Q1')")
    ann.wait_for_selector("text=the report is being built")
    assert ann.inner_text("#report-status") == "Waiting to be built"
    assert ann.locator("#report-progress").count() == 1
    run_worker()  # the background worker builds it; the page refreshes itself
    # A final state: a page loaded while the worker ran says "Being built" and refreshes again.
    ann.wait_for_selector("#report-status:text-matches('^(Ready|Failed)$')")
    assert ann.locator("#report-progress").count() == 0
    ann.wait_for_selector("text=Approved commentary")
    assert "Two neighbourhood hubs opened, staffed by 12 officers." in ann.inner_text("main")
    version = PublishedVersion.objects.get()
    assert version.commentary["entries"] == [
        {
            "commitment": "p1-neighbourhood",
            "department": "north-lpa",
            "text": "Two neighbourhood hubs opened, staffed by 12 officers.",
            "rag": None,
        }
    ]
    owner.goto(f"{live_server.url}/slots/{slot.pk}/")
    assert owner.locator("#id_text").count() == 0  # published: read-only
    assert owner.csp_violations == [] and ann.csp_violations == []
    owner.context.close()
    ann.context.close()


def test_text_typed_before_the_script_loads_is_still_autosaved(
    browser, live_server, open_round, north
):
    """On a slow connection the writer can type before autosave.js arrives: the script
    compares with what the server sent, not with the box, so that text is saved too."""
    slot = slot_of(open_round, "p1-neighbourhood", "north-lpa")
    owner = _login(browser, live_server, "nora")
    owner.route("**/autosave.js", lambda route: route.abort())
    owner.goto(f"{live_server.url}/slots/{slot.pk}/")
    owner.fill("#id_text", "Typed while the page was still loading.")
    owner.unroute("**/autosave.js")
    script = owner.get_attribute("script[src$='autosave.js']", "src")
    owner.add_script_tag(url=script)
    owner.wait_for_selector("#autosave-status:has-text('Draft saved automatically')")
    assert Slot.objects.get(pk=slot.pk).text == "Typed while the page was still loading."
    assert owner.csp_violations == []
    owner.context.close()


def test_two_editors_conflict_and_nothing_is_lost(browser, live_server, open_round, north, analyst):
    slot = slot_of(open_round, "p2-south", "south-lpa")
    first = _login(browser, live_server, "ann")
    second = _login(browser, live_server, "ann")
    for page in (first, second):
        page.goto(f"{live_server.url}/slots/{slot.pk}/")
    first.fill("#id_text", "First editor's text.")
    first.click("button[value=save]")
    first.wait_for_selector("text=Draft saved (version 1)")
    mine = "Second editor's careful paragraph,\nwhich must not be lost."
    second.fill("#id_text", mine)
    second.click("button[value=save]")
    second.wait_for_selector("text=Someone else saved this commentary while you were editing")
    assert second.inner_text("#theirs") == "First editor's text."
    assert second.input_value("#id_text") == mine
    assert Slot.objects.get(pk=slot.pk).text == "First editor's text."
    second.fill("#id_text", mine + "\nFirst editor's text.")
    second.click("button[value=save]")
    second.wait_for_selector("text=Draft saved (version 2)")
    assert Slot.objects.get(pk=slot.pk).text == mine + "\nFirst editor's text."
    assert re.search(r"Version 2", second.inner_text("main"))
    assert first.csp_violations == [] and second.csp_violations == []
    first.context.close()
    second.context.close()


def test_the_policy_blocks_inline_script_and_the_watch_sees_it(browser, live_server, analyst):
    """The check above can fail: an inline script injected into a page is refused."""
    page = _login(browser, live_server, "ann")
    with page.expect_console_message(lambda m: bool(CSP_CONSOLE.search(m.text))):
        page.evaluate(
            """() => { const s = document.createElement("script");
            s.textContent = "document.body.dataset.inline = 'ran';";
            document.body.appendChild(s); }"""
        )
    assert page.evaluate("document.body.dataset.inline") is None
    assert any("inline script" in v for v in page.csp_violations)
    page.context.close()


def test_analyst_pages_work_under_the_policy(browser, live_server, open_round, analyst, north):
    page = _login(browser, live_server, "ann")
    page.click("nav >> text=Users")
    _create_owner(page, "oscar")
    page.wait_for_selector("text=Created the account oscar")
    assert "added to North Local Policing Area (by ann)" in page.inner_text("#account-history")
    page.uncheck("#id_active")
    page.click("button:has-text('Save changes')")
    page.wait_for_selector("text=Saved the changes to oscar")
    assert "deactivated (by ann)" in page.inner_text("#account-history")
    page.goto(f"{live_server.url}/rounds/{open_round.pk}/")
    page.select_option("#id_department", "comms")
    page.click("button:has-text('Filter')")
    page.wait_for_selector("text=matching the filters")
    assert page.locator("#tracker tbody tr").count() == 2
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("h1:has-text('Dashboard')")
    assert page.csp_violations == []
    page.context.close()


def test_owner_changes_their_password_and_signs_in_with_it(browser, live_server, north):
    page = _login(browser, live_server, north.username)
    page.click("nav >> text=Change password")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "a fresh passphrase for spring")
    page.fill("#id_new_password2", "a fresh passphrase for spring")
    page.click("button:has-text('Change password')")
    page.wait_for_selector("text=Your password has been changed.")
    page.click("nav >> button:has-text('Sign out')")
    page.wait_for_selector("h1:has-text('Sign in')")
    page.fill("#id_username", north.username)
    page.fill("#id_password", "a fresh passphrase for spring")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Commentary')")  # the owner's to-do list
    assert page.csp_violations == []
    page.context.close()


def test_invitation_set_password_and_first_sign_in(
    browser, live_server, plan_db, analyst, settings
):
    """The analyst makes an account; its holder follows the emailed link, chooses a password
    and signs in to their to-do list (the analyst never knew the password)."""
    from django.core import mail

    settings.SITE_URL = live_server.url
    ann = _login(browser, live_server, "ann")
    ann.click("nav >> text=Users")
    _create_owner(ann, "oscar")
    ann.wait_for_selector("text=emailed oscar@example.org a link to choose a password")
    [invitation] = mail.outbox
    link = re.search(r"http://\S+/accounts/password/set/\S+/", invitation.body).group(0)

    page = _new_page(browser)
    page.goto(link)
    page.wait_for_selector("h1:has-text('Choose your password')")
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.click("button:has-text('Set password')")
    page.wait_for_selector("text=This password is too short")
    page.fill("#id_new_password1", "a passphrase of my own")
    page.fill("#id_new_password2", "a passphrase of my own")
    page.click("button:has-text('Set password')")
    page.wait_for_selector("text=Your password has been set")
    page.fill("#id_username", "oscar")
    page.fill("#id_password", "a passphrase of my own")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Commentary')")
    assert page.url.endswith("/todo/")
    page.goto(link)  # the link works once
    page.wait_for_selector("text=already been used or has expired")
    assert page.csp_violations == [] and ann.csp_violations == []
    page.context.close()
    ann.context.close()


def test_a_locked_out_owner_is_told_why_and_an_analyst_unlocks_them(
    browser, live_server, north, analyst, settings
):
    page = _new_page(browser)
    page.goto(live_server.url + "/accounts/login/")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        page.fill("#id_username", "nora")
        page.fill("#id_password", "not my password")
        # From the second attempt on, the old page already shows the error: wait for the
        # new page to load before typing into it, or the next attempt types into the old one.
        with page.expect_navigation():
            page.click("button:has-text('Sign in')")
        page.wait_for_selector(".govuk-error-summary:has-text('Please enter a correct username')")
    page.fill("#id_username", "nora")
    page.fill("#id_password", "not my password")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("#locked-out")
    assert "ask an analyst to unlock your account" in page.inner_text("#locked-out")

    ann = _login(browser, live_server, "ann")
    ann.click("nav >> text=Users")
    ann.wait_for_selector("#lockouts")
    ann.click("#lockouts button:has-text('Unlock')")
    ann.wait_for_selector("text=nora can sign in again")
    assert ann.locator("#lockouts").count() == 0

    page.fill("#id_username", "nora")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('Commentary')")
    assert page.csp_violations == [] and ann.csp_violations == []
    page.context.close()
    ann.context.close()


def test_pages_fit_a_phone_and_the_overview_groups_by_department(
    browser, live_server, open_round, analyst, north
):
    """At 390 px wide nothing makes the page scroll sideways (wide tables scroll in their
    own box); the round overview lists each commitment's departments."""
    page = _login(browser, live_server, "ann")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (
        f"/rounds/{open_round.pk}/",
        "/todo/",
        "/users/",
        f"/rounds/{open_round.pk}/overview/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_selector("h1")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide"
    shared = page.locator(".commitment-departments").nth(1)
    assert "North Local Policing Area" in shared.inner_text()
    assert "Media and Communications" in shared.inner_text()
    page.select_option("#id_department", "comms")  # one department's commentary only
    page.click("#overview-filters button:has-text('Filter')")
    page.wait_for_selector("#overview-count")  # only on the filtered page
    assert page.locator("[data-slot]").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.csp_violations == []
    page.context.close()


@pytest.fixture(scope="module")
def data_project(tmp_path_factory):
    return make_data_project(tmp_path_factory.mktemp("project"))


#: How the overrides page dates a change ("1 December 2026 14:31: ann changed ...").
CHANGED_BY_ANN = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} \d{2}:\d{2}: ann changed ", re.M)


def _change_override(page, key, action, *, reason, text=None):
    """Open a key point's "Change" box, choose what to do, save, and wait for the new page."""
    card = page.locator(f".govuk-summary-card[data-key='{key}']")
    card.locator("summary").click()
    card.locator("select[name=action]").select_option(action)
    if text is not None:
        card.locator("textarea[name=text]").fill(text)
    card.locator("input[name=reason]").fill(reason)
    card.locator("button[type=submit]").click()
    page.wait_for_selector(
        f".govuk-notification-banner:has-text(\"Saved the override of '{key}'\")"
    )


def test_an_analyst_pins_rewords_and_adds_key_points_and_sees_the_history(
    browser, live_server, data_project, analyst, settings
):
    from datetime import date

    from planwatch.project import Project
    from planwatch.web.services import open_round

    settings.PROJECT_DIR = data_project
    overrides = Project.at(data_project).overrides_path
    overrides.unlink(missing_ok=True)
    q1 = open_round("2023/24 Q1", date(2023, 7, 31), user=analyst)
    page = _login(browser, live_server, "ann")
    page.goto(f"{live_server.url}/rounds/{q1.pk}/key-points/")
    page.wait_for_selector("h1:has-text('key points and overrides')")
    assert "No overrides changed" in page.inner_text("#override-history")

    _change_override(page, "domestic_abuse:changes", "pin", reason="the panel asks")
    pinned = page.locator(".govuk-summary-card[data-key='domestic_abuse:changes']")
    assert "Pin: lead the priority's key points (the panel asks)" in pinned.inner_text()
    history = page.inner_text("#override-history")
    assert "ann changed domestic_abuse:changes" in history and "reason: the panel asks" in history
    assert CHANGED_BY_ANN.search(history), history

    reworded = "The highest quarter on record, for the second year running."
    _change_override(
        page, "domestic_abuse:extreme", "reword", text=reworded, reason="clearer for the panel"
    )
    card = page.locator(".govuk-summary-card[data-key='domestic_abuse:extreme']")
    assert card.locator("h3").inner_text() == reworded  # the page shows what will be printed
    entries = page.locator("#override-history li")
    assert entries.count() == 2  # newest first
    latest = entries.first.inner_text()
    assert CHANGED_BY_ANN.search(latest)
    assert f"to reword it “{reworded}”; reason: clearer for the panel" in latest

    own = "Three new domestic abuse caseworkers started in June."
    page.select_option("#add-priority", "1")
    page.fill("#add-text", own)
    page.fill("#add-reason", "from the DA lead")
    page.click("button:has-text('Add the key point')")
    page.wait_for_selector("text=Added your key point 'added:p1-1'")
    assert own in page.inner_text("#added-key-points")
    latest = page.locator("#override-history li").first.inner_text()
    assert (
        f"ann changed added:p1-1 from no override to an analyst's own key point “{own}”" in latest
    )
    assert page.csp_violations == []
    page.context.close()
    overrides.unlink(missing_ok=True)


#: axe impacts that fail the accessibility test (axe-core: minor < moderate < serious < critical).
AXE_FAILING = {"serious", "critical"}


def axe_failures(browser, live_server, pages: dict[str, list[str]]) -> dict[str, list]:
    """axe-core's serious and critical violations on each of ``pages`` (username: paths), each
    user signed in in a context of their own. The check injects axe as a script, which the
    app's policy rightly refuses, so these contexts bypass the policy (the other tests check
    it holds)."""
    from importlib import resources

    axe = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    failing = {}
    for username, paths in pages.items():
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(3 * TIMEOUT_MS)  # axe adds a second or so a page
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_selector(SIGNED_IN)
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_selector("h1")
            page.add_script_tag(content=axe)
            results = page.evaluate(
                "async () => await axe.run(document, {resultTypes: ['violations']})"
            )
            bad = [v for v in results["violations"] if v["impact"] in AXE_FAILING]
            if bad:
                failing[path] = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in bad]
        context.close()
    return failing


def test_the_pages_people_use_have_no_serious_axe_violations(
    browser, live_server, open_round, analyst, north
):
    """axe-core (bundled by axe-playwright-python) on each page of the round, as the analyst
    and as an owner. The check injects axe as a script, which the app's policy rightly
    refuses, so these contexts bypass the policy (the other tests check it holds)."""
    slot = slot_of(open_round, "p1-neighbourhood", "north-lpa")
    pages = {
        "ann": [
            f"/rounds/{open_round.pk}/",
            f"/rounds/{open_round.pk}/overview/",
            f"/rounds/{open_round.pk}/publish/",
            "/users/",
            f"/slots/{slot.pk}/",
        ],
        "nora": ["/todo/", f"/slots/{slot.pk}/"],
    }
    assert axe_failures(browser, live_server, pages) == {}
