"""The deadline in a real browser (Debian's Chromium via Playwright): an analyst opens a
round and moves its deadline with GOV.UK's date input (day, month and year boxes); a box
left empty is named in the error summary, whose link takes the cursor to that box."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_browser import _login, browser  # noqa: F401  (browser: the module's Chromium fixture)

from planwatch.web.models import Round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_opens_a_round_and_moves_its_deadline_in_three_boxes(
    browser,  # noqa: F811
    live_server,
    analyst,
):
    due = date.today() + timedelta(days=20)
    page = _login(browser, live_server, "ann")
    page.goto(f"{live_server.url}/rounds/")
    page.select_option("#id_quarter", "2024/25 Q1")
    page.fill("#id_deadline-day", str(due.day))
    page.fill("#id_deadline-year", str(due.year))  # the month forgotten
    page.click("button:has-text('Open round')")
    summary = page.wait_for_selector(".govuk-error-summary")
    assert "Deadline must include a month" in summary.inner_text()
    assert page.input_value("#id_deadline-day") == str(due.day)  # kept as typed
    assert "govuk-input--error" in (page.get_attribute("#id_deadline-month", "class") or "")
    assert "govuk-input--error" not in (page.get_attribute("#id_deadline-day", "class") or "")
    page.click(".govuk-error-summary >> text=Deadline must include a month")
    page.wait_for_function("document.activeElement.id === 'id_deadline-month'")
    page.keyboard.type(due.strftime("%b"))  # a month's name is read too
    page.click("button:has-text('Open round')")
    page.wait_for_selector("text=Opened the 2024/25 Q1 round")
    rnd = Round.objects.get()
    assert rnd.deadline == due

    later = due + timedelta(days=7)
    page.goto(f"{live_server.url}/rounds/{rnd.pk}/deadline/")
    assert page.input_value("#id_deadline-month") == str(due.month)  # starts at the deadline
    for part, value in (("day", later.day), ("month", later.month), ("year", later.year)):
        page.fill(f"#id_deadline-{part}", str(value))
    page.click("button:has-text('Change the deadline')")
    page.wait_for_selector(f"text=is now {later.day} {later:%B %Y}")
    assert Round.objects.get().deadline == later
    assert page.csp_violations == []
    page.context.close()
