"""The permission table of test_views_security.py once a round has a named approver (the
optional sign-off before publication): the approver, a reader account here (e.g. the chief
of staff), gets exactly a reader's views plus that round's sign-off; every other role,
analysts included, is refused the sign-off; a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from test_views_security import (
    ANALYST,
    COMMS,
    NORTH,
    READER,
    _snapshot,
    _views,
    world,  # noqa: F401  (the fixture)
)
from web_helpers import _user, client_for

from planwatch.web import services
from planwatch.web.models import Round

APPROVER = "approver"


@pytest.fixture
def named(world, analyst):  # noqa: F811
    """test_views_security's world, with a reader account named to sign off the open round."""
    carol = _user("carol", "reader")
    services.name_approver(world["round"].pk, approver_id=carol.pk, user=analyst)
    world["users"][APPROVER] = carol
    return world


def _allowed(name, allowed):
    if name == "sign_off":
        return {APPROVER}
    return allowed | {APPROVER} if READER in allowed else allowed


@pytest.mark.parametrize("role", [APPROVER, READER, COMMS, NORTH, ANALYST])
def test_with_a_named_approver_each_role_gets_exactly_its_views(named, role):
    client = client_for(named["users"][role])
    wrong = []
    for name, method, url, data, allowed in _views(named):
        before = _snapshot()
        response = getattr(client, method)(url, data)
        if response.streaming:  # read a download to its end, which closes its file
            b"".join(response.streaming_content)
        code = response.status_code
        if role in _allowed(name, allowed):
            if code not in (200, 302, 400, 409):
                wrong.append(f"{name} {method}: {code} for an allowed user")
            continue
        if code != 403 and not (code == 404 and name.startswith("slot")):
            wrong.append(f"{name} {method}: {code} instead of 403")
        if _snapshot() != before:
            wrong.append(f"{name} {method}: a refused request changed data")
    assert wrong == []


def test_the_named_approver_sees_the_sign_off_and_signs_off(named):
    q2 = named["round"]
    client = client_for(named["users"][APPROVER])
    page = client.get(reverse("sign_off", args=[q2.pk])).content.decode()
    assert "2024/25 Q2" in page
    assert client.post(reverse("sign_off", args=[q2.pk])).status_code == 302
    assert Round.objects.get(pk=q2.pk).signed_off_at is not None
    # Another round's sign-off is not theirs; the refusal says why and what to do.
    other = named["published_round"]
    refused = client.get(reverse("sign_off", args=[other.pk]))
    assert refused.status_code == 403
    assert "Only the named approver can sign this round off." in refused.content.decode()
    assert "ask an analyst to change your account" in refused.content.decode()
    # An analyst is refused too, without being told to ask an analyst.
    refused = client_for(named["users"][ANALYST]).get(reverse("sign_off", args=[q2.pk]))
    assert refused.status_code == 403
    assert "Only the named approver" in refused.content.decode()
    assert "ask an analyst" not in refused.content.decode()
