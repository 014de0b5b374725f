"""An optional sign-off by a named approver (e.g. the chief of staff) before publication."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from web_helpers import client_for, slot_of

from planwatch.errors import CommentaryError
from planwatch.web import services
from planwatch.web.models import EmailKind, PublishedVersion, SentEmail


@pytest.fixture
def ready(rnd, north, analyst):
    s = slot_of(rnd, "p1-neighbourhood", "north-lpa")
    s = services.save_draft(s.pk, user=north, text="Hubs.", rag="", expected_version=0)
    s = services.submit(s.pk, user=north, expected_version=s.version)
    services.approve(s.pk, user=analyst)
    mail.outbox.clear()
    return rnd


def test_a_named_approver_must_sign_off_before_publication(ready, analyst, reader, north):
    r = client_for(analyst).post(
        reverse("round_approver", args=[ready.pk]), {"approver": reader.pk}
    )
    assert r.status_code == 302
    [request] = mail.outbox
    assert request.to == ["rita@example.org"] and f"/rounds/{ready.pk}/sign-off/" in request.body
    assert SentEmail.objects.filter(kind=EmailKind.SIGN_OFF, account=reader).count() == 1
    with pytest.raises(CommentaryError, match="has not signed the round off"):
        services.publish(ready.pk, user=analyst)
    page = client_for(analyst).get(reverse("publish", args=[ready.pk])).content.decode()
    assert 'id="awaiting-sign-off"' in page
    # Only the approver may sign, and sees what will be missing.
    for other in (analyst, north):
        assert client_for(other).get(reverse("sign_off", args=[ready.pk])).status_code == 403
        assert client_for(other).post(reverse("sign_off", args=[ready.pk])).status_code == 403
    html = client_for(reader).get(reverse("sign_off", args=[ready.pk])).content.decode()
    assert "4 of 5 commentaries are not approved" in html
    assert client_for(reader).post(reverse("sign_off", args=[ready.pk])).status_code == 302
    ready.refresh_from_db()
    assert ready.signed_off_at is not None
    tracker = client_for(analyst).get(reverse("tracker", args=[ready.pk])).content.decode()
    assert "Signed off by rita" in tracker
    services.publish(ready.pk, user=analyst)
    assert PublishedVersion.objects.count() == 1


def test_without_an_approver_no_sign_off_is_needed(ready, analyst, reader):
    services.name_approver(ready.pk, approver_id=reader.pk, user=analyst)
    client_for(analyst).post(reverse("round_approver", args=[ready.pk]), {"approver": ""})
    ready.refresh_from_db()
    assert ready.approver is None
    services.publish(ready.pk, user=analyst)


def test_only_analysts_name_the_approver(ready, north, reader):
    r = client_for(north).post(reverse("round_approver", args=[ready.pk]), {"approver": north.pk})
    assert r.status_code == 403
    ready.refresh_from_db()
    assert ready.approver is None and not mail.outbox
