"""The analysts' preview marks each commentary not yet approved with its state, even one at
the length limit (the mark is added after the owner's text is checked)."""

from __future__ import annotations

from web_helpers import slot_of

from planwatch.plan.commentary import MAX_COMMENTARY_CHARS
from planwatch.web import services
from planwatch.web.services.publishing import current_commentary


def test_text_not_yet_approved_is_marked_with_its_state_in_the_preview(rnd, north, comms, analyst):
    longest = "x" * MAX_COMMENTARY_CHARS
    services.save_draft(
        slot_of(rnd, "p1-neighbourhood", "north-lpa").pk,
        user=north,
        text=longest,
        rag="",
        expected_version=0,
    )
    s = slot_of(rnd, "p2-reporting", "comms")
    s = services.save_draft(s.pk, user=comms, text="Sent.", rag="amber", expected_version=0)
    services.submit(s.pk, user=comms, expected_version=s.version)
    s = slot_of(rnd, "p1-shared", "comms")
    s = services.save_draft(s.pk, user=comms, text="Approved.", rag="", expected_version=0)
    s = services.submit(s.pk, user=comms, expected_version=s.version)
    services.approve(s.pk, user=analyst)
    texts = {(e.commitment, e.department): e.text for e in current_commentary(rnd).entries}
    assert texts == {
        ("p1-neighbourhood", "north-lpa"): f"[Draft, not yet submitted]\n\n{longest}",
        ("p1-shared", "comms"): "Approved.",
        ("p2-reporting", "comms"): "[Submitted, not yet approved]\n\nSent.",
    }
    # Publishing is untouched: only approved text, the submitted one as not yet approved.
    published = {
        (e.commitment, e.department): e.text for e in services.approved_commentary(rnd).entries
    }
    assert published == {
        ("p1-shared", "comms"): "Approved.",
        ("p2-reporting", "comms"): services.NOT_YET_APPROVED,
    }
