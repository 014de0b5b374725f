"""Template context: the signed-in user's role, for menus."""

from __future__ import annotations

from django.http import HttpRequest

from planwatch.web.permissions import role_of


def role(request: HttpRequest) -> dict[str, object]:
    return {"role": role_of(request.user), "public_reports": _public()}


def _public() -> bool:
    from django.conf import settings

    return bool(settings.PUBLIC_REPORTS)
