"""The workflow's rules, tested through the service layer against a real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from web_helpers import PLAN_YAML, _user, slot_of

from planwatch.errors import CommentaryError, ConfigError, NotFoundError, PeriodError
from planwatch.plan.commentary import MAX_COMMENTARY_CHARS, Commentary
from planwatch.plan.load import parse_plan
from planwatch.web import selectors, services
from planwatch.web.models import (
    Commitment,
    Department,
    PublishedVersion,
    Round,
    RoundState,
    Slot,
    SlotState,
)
from planwatch.web.permissions import Forbidden


def test_import_plan_creates_and_is_idempotent(plan, plan_db):
    assert (plan_db.departments, plan_db.priorities, plan_db.commitments) == (3, 2, 4)
    assert set(
        Commitment.objects.get(slug="p1-shared").ownerships.values_list(
            "department__slug", flat=True
        )
    ) == {"north-lpa", "comms"}
    history_before = Commitment.history.count()
    services.import_plan(plan)
    assert Commitment.history.count() == history_before  # nothing changed, no new history rows


def test_reimport_deactivates_and_adds_slots_to_open_rounds(rnd):
    yaml = PLAN_YAML.read_text().replace(
        "      - id: p2-south\n        text: Visit every burglary victim within 48 hours.\n        owners: [south-lpa]\n",
        "      - id: p2-new\n        text: Open a victims' hub.\n        owners: [south-lpa]\n",
    )
    summary = services.import_plan(parse_plan(yaml))
    assert summary.slots_added == 1
    assert not Commitment.objects.get(slug="p2-south").active
    assert Slot.objects.filter(round=rnd, commitment__slug="p2-new").count() == 1


def test_open_round_gives_each_owner_a_slot(rnd):
    assert rnd.quarter == "2024-25-Q1" and rnd.quarter_label == "2024/25 Q1"
    pairs = set(Slot.objects.filter(round=rnd).values_list("commitment__slug", "department__slug"))
    assert pairs == {
        ("p1-neighbourhood", "north-lpa"),
        ("p1-shared", "north-lpa"),
        ("p1-shared", "comms"),
        ("p2-reporting", "comms"),
        ("p2-south", "south-lpa"),
    }
    assert set(Slot.objects.values_list("state", flat=True)) == {SlotState.NOT_STARTED}


def test_open_round_rejects_bad_quarter_duplicate_and_non_analyst(analyst, north, rnd):
    with pytest.raises(PeriodError):
        services.open_round("2024/25 Q5", date.today(), user=analyst)
    with pytest.raises(CommentaryError, match="already exists"):
        services.open_round("2024/25-Q1", date.today(), user=analyst)
    with pytest.raises(Forbidden):
        services.open_round("2024/25 Q2", date.today(), user=north)


def test_full_state_machine(rnd, north, analyst):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(slot.pk, user=north, text="First go.", rag="amber", expected_version=0)
    assert (s.state, s.version, s.rag) == (SlotState.DRAFT, 1, "amber")
    s = services.submit(slot.pk, user=north, expected_version=1)
    assert s.state == SlotState.SUBMITTED
    with pytest.raises(CommentaryError, match="submitted"):
        services.save_draft(slot.pk, user=north, text="sneaky", rag="", expected_version=s.version)
    s = services.return_slot(slot.pk, user=analyst, reason="Add the figures.")
    assert s.state == SlotState.DRAFT and s.was_returned
    s = services.save_draft(
        slot.pk, user=north, text="First go, with figures.", rag="green", expected_version=s.version
    )
    s = services.submit(slot.pk, user=north, expected_version=s.version)
    s = services.approve(slot.pk, user=analyst)
    assert s.state == SlotState.APPROVED and s.return_reason == ""
    with pytest.raises(CommentaryError, match="only submitted"):
        services.approve(slot.pk, user=analyst)


def test_stale_version_is_a_conflict_and_keeps_saved_text(rnd, north, analyst):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    services.save_draft(slot.pk, user=north, text="Nora's text", rag="", expected_version=0)
    with pytest.raises(services.SlotConflict) as info:
        services.save_draft(slot.pk, user=analyst, text="Ann's text", rag="", expected_version=0)
    assert info.value.slot.text == "Nora's text" and info.value.slot.version == 1
    assert info.value.http_status == 409
    slot.refresh_from_db()
    assert slot.text == "Nora's text"


def test_bad_input_is_refused_with_the_field(rnd, north):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    with pytest.raises(CommentaryError) as info:
        services.save_draft(
            slot.pk, user=north, text="x" * (MAX_COMMENTARY_CHARS + 1), rag="", expected_version=0
        )
    assert info.value.problems[0].location.field == "text"
    assert "10,000" in str(info.value)
    with pytest.raises(CommentaryError, match="not a RAG status"):
        services.save_draft(slot.pk, user=north, text="ok", rag="purple", expected_version=0)
    with pytest.raises(CommentaryError, match="no commentary to submit"):
        services.submit(slot.pk, user=north, expected_version=0)
    slot.refresh_from_db()
    assert (slot.version, slot.text) == (0, "")


def test_owner_cannot_touch_another_department(rnd, north, comms):
    theirs = slot_of(rnd, "p2-reporting", "comms")
    with pytest.raises(NotFoundError):
        services.save_draft(theirs.pk, user=north, text="not mine", rag="", expected_version=0)
    services.save_draft(theirs.pk, user=comms, text="mine", rag="", expected_version=0)
    with pytest.raises(NotFoundError):
        services.submit(theirs.pk, user=north, expected_version=1)
    with pytest.raises(Forbidden):
        services.approve(theirs.pk, user=comms)


def test_return_needs_a_reason(rnd, north, analyst):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    services.save_draft(slot.pk, user=north, text="t", rag="", expected_version=0)
    services.submit(slot.pk, user=north, expected_version=1)
    with pytest.raises(CommentaryError, match="say why"):
        services.return_slot(slot.pk, user=analyst, reason="   ")


def _approve(rnd, commitment, dept, owner, analyst, text):
    slot = slot_of(rnd, commitment, dept)
    s = services.save_draft(
        slot.pk, user=owner, text=text, rag="green", expected_version=slot.version
    )
    services.submit(slot.pk, user=owner, expected_version=s.version)
    return services.approve(slot.pk, user=analyst)


def test_publish_freezes_only_approved_commentary(rnd, north, comms, analyst):
    _approve(rnd, "p1-neighbourhood", "north-lpa", north, analyst, "Approved words.")
    draft = slot_of(rnd, "p2-reporting", "comms")
    services.save_draft(draft.pk, user=comms, text="Unapproved draft.", rag="", expected_version=0)
    version = services.publish(rnd.pk, user=analyst)
    commentary = Commentary.model_validate(version.commentary)
    assert [(e.commitment, e.department, e.text, e.rag) for e in commentary.entries] == [
        ("p1-neighbourhood", "north-lpa", "Approved words.", "green")
    ]
    assert commentary.quarter == "2024/25 Q1"
    rnd.refresh_from_db()
    assert rnd.state == RoundState.PUBLISHED
    with pytest.raises(CommentaryError, match="published"):
        services.save_draft(draft.pk, user=comms, text="late change", rag="", expected_version=1)
    with pytest.raises(CommentaryError, match="already published"):
        services.publish(rnd.pk, user=analyst)


def test_revision_supersedes_but_keeps_the_old_version(rnd, north, analyst):
    slot = _approve(rnd, "p1-neighbourhood", "north-lpa", north, analyst, "Version one text.")
    v1 = services.publish(rnd.pk, user=analyst)
    services.start_revision(rnd.pk, user=analyst)
    s = services.return_slot(slot.pk, user=analyst, reason="Correct the date.")
    s = services.save_draft(
        slot.pk, user=north, text="Version two text.", rag="green", expected_version=s.version
    )
    services.submit(slot.pk, user=north, expected_version=s.version)
    services.approve(slot.pk, user=analyst)
    v2 = services.publish(rnd.pk, user=analyst)
    v1.refresh_from_db()
    assert (v1.number, v1.superseded, v2.number, v2.superseded) == (1, True, 2, False)
    assert v1.commentary["entries"][0]["text"] == "Version one text."
    assert v2.commentary["entries"][0]["text"] == "Version two text."
    assert list(selectors.latest_versions()) == [v2]


def test_publish_with_nothing_approved_is_refused(rnd, analyst):
    with pytest.raises(CommentaryError, match="nothing to publish"):
        services.publish(rnd.pk, user=analyst)
    assert PublishedVersion.objects.count() == 0


def test_history_records_who_and_a_diff(rnd, north, analyst):
    slot = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    services.save_draft(slot.pk, user=north, text="line one\nline two", rag="", expected_version=0)
    services.save_draft(slot.pk, user=north, text="line one\nline 2", rag="", expected_version=1)
    entries = selectors.slot_history(slot)
    assert [e.version for e in entries] == [2, 1, 0]
    assert entries[0].who == "nora"
    assert ("del", "line two") in entries[0].diff and ("add", "line 2") in entries[0].diff
    assert ("same", "line one") in entries[0].diff


def test_previous_quarter_text_is_offered(rnd, north, analyst):
    _approve(
        rnd, "p1-neighbourhood", "north-lpa", north, analyst, "Last quarter we opened two hubs."
    )
    services.publish(rnd.pk, user=analyst)
    nxt = services.open_round("2024/25 Q2", date.today() + timedelta(days=30), user=analyst)
    assert (
        selectors.previous_text(slot_of(nxt, "p1-neighbourhood", "north-lpa"))
        == "Last quarter we opened two hubs."
    )
    assert selectors.previous_text(slot_of(nxt, "p2-south", "south-lpa")) is None
    assert selectors.previous_text(slot_of(rnd, "p1-neighbourhood", "north-lpa")) is None


def test_chase_list_names_outstanding_departments_and_addresses(rnd, north, comms):
    for commitment in ("p1-neighbourhood", "p1-shared"):
        s = slot_of(rnd, commitment, "north-lpa")
        services.save_draft(s.pk, user=north, text="done", rag="", expected_version=0)
        services.submit(s.pk, user=north, expected_version=1)
    rows = {r.department.slug: r for r in selectors.chase_list(rnd)}
    assert set(rows) == {"comms", "south-lpa"}
    assert rows["comms"].recipients == ("colin@example.org",)
    assert rows["south-lpa"].recipients == ()
    assert len(rows["comms"].slots) == 2


def test_set_user_validates_role_department_and_password(plan_db):
    with pytest.raises(ConfigError, match="unknown role"):
        services.set_user("x", role="boss")
    with pytest.raises(NotFoundError, match="did you mean 'north-lpa'"):
        services.set_user("x", role="owner", departments=("north-lpa2",))
    with pytest.raises(ConfigError, match="at least one department"):
        services.set_user("x", role="owner")
    with pytest.raises(ConfigError, match=r"too short|too common"):
        services.set_user("x", role="reader", password="abc")
    user = _user("olga", "owner", ("north-lpa", "comms"))
    assert set(user.memberships.values_list("department__slug", flat=True)) == {
        "north-lpa",
        "comms",
    }
    services.set_user("olga", role="owner", departments=("comms",))
    assert list(user.memberships.values_list("department__slug", flat=True)) == ["comms"]
    assert user.history.count() >= 1


def test_plan_import_and_round_changes_are_audited(rnd, analyst):
    assert Department.history.filter(slug="north-lpa").exists()
    assert Round.history.get(quarter="2024-25-Q1").history_user == analyst


def test_previous_text_is_the_latest_earlier_round_across_years(rnd, north, analyst):
    """2024/25 Q1 (rnd) follows 2023/24 Q4; a later round's text is never offered."""
    deadline = date.today() + timedelta(days=30)
    rounds = {
        "older": services.open_round("2023/24 Q3", deadline, user=analyst),
        "last year": services.open_round("2023/24 Q4", deadline, user=analyst),
        "later": services.open_round("2024/25 Q3", deadline, user=analyst),
    }
    for name, r in rounds.items():
        _approve(r, "p1-neighbourhood", "north-lpa", north, analyst, f"Text of {name}.")
    _approve(rnd, "p1-neighbourhood", "north-lpa", north, analyst, "Text of 2024/25 Q1.")
    q2 = services.open_round("2024/25 Q2", deadline, user=analyst)
    assert selectors.previous_text(slot_of(q2, "p1-neighbourhood", "north-lpa")) == (
        "Text of 2024/25 Q1."
    )
    assert selectors.previous_text(slot_of(rnd, "p1-neighbourhood", "north-lpa")) == (
        "Text of last year."
    )


def test_another_departments_slot_is_told_as_one_that_does_not_exist(rnd, north):
    """Issue 15: slot ids cannot be probed through the services' errors."""
    theirs = slot_of(rnd, "p2-reporting", "comms")
    missing = Slot.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(NotFoundError) as foreign:
        services.save_draft(theirs.pk, user=north, text="x", rag="", expected_version=0)
    with pytest.raises(NotFoundError) as absent:
        services.save_draft(missing, user=north, text="x", rag="", expected_version=0)
    assert foreign.value.render().replace(str(theirs.pk), "N") == absent.value.render().replace(
        str(missing), "N"
    )
