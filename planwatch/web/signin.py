"""Sign-in throttling against password guessing (django-axes).

In: sign-in attempts (axes records each failure in the app's database, so every gunicorn
worker sees the same counts, on SQLite or PostgreSQL). Out: a lock-out of one *username
from one address* after :data:`~planwatch.web.settings.LOGIN_FAILURE_LIMIT` failures,
lifted by itself after :data:`~planwatch.web.settings.LOGIN_COOL_OFF` or at once by an
analyst (:func:`planwatch.web.services.unlock_sign_in`). The lock-out is checked before the password is tried, so a locked
account cannot be guessed even with the right password.

Why username *and* address together (``AXES_LOCKOUT_PARAMETERS``): an office, a force HQ
behind one NAT address, shares its address; locking the address would lock the whole office
out because one person mistyped; locking the username alone would let anyone lock anyone
out from anywhere. Behind a reverse proxy the client's address is read from
``X-Forwarded-For`` as the trusted proxies wrote it (:func:`client_address`), never from
what the client itself sent.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

#: A locked-out sign-in is answered 429 Too Many Requests (RFC 6585), with the sign-in page.
LOCKED_STATUS = 429


def locked_message() -> str:
    """What a locked-out person reads (GOV.UK's pattern: what happened, what to do)."""
    minutes = int(settings.LOGIN_COOL_OFF.total_seconds() // 60)
    return (
        "You have entered the wrong password too many times. "
        f"Wait {minutes} minutes and try again, or ask an analyst to unlock your account."
    )


class ThrottleBackend(AxesStandaloneBackend):
    """Axes' check, first of the authentication backends: refuses a locked-out username and
    address before any password is tried. A sign-in with no HTTP request (Django's test
    client, a management command) comes from inside the server and is not throttled."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]


def _forwarded(request: HttpRequest, proxies: int) -> str | None:
    """The address the first of ``proxies`` trusted proxies saw, from X-Forwarded-For (each
    proxy appends the address it was reached from; the client may prepend anything)."""
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    return hops[-proxies] if len(hops) >= proxies else None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: ``REMOTE_ADDR``, or with ``PLANWATCH_TRUSTED_PROXIES=N``
    reverse proxies in front, the address the outermost one was reached from."""
    candidate = None
    if settings.TRUSTED_PROXIES:
        candidate = _forwarded(request, settings.TRUSTED_PROXIES)
    candidate = candidate or request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address(candidate)) if candidate else None
    except ValueError:
        return None


def locked_out(
    request: HttpRequest, _original_response: Any = None, _credentials: Any = None
) -> HttpResponse:
    """Axes' response to a locked-out attempt: the sign-in page again, with the reason."""
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "web/login.html",
        {"form": form, "locked": locked_message(), "next": request.POST.get("next", "")},
        status=LOCKED_STATUS,
    )


@dataclass(frozen=True)
class Lockout:
    """A username locked out of signing in from one address."""

    username: str
    address: str
    failures: int
    until: datetime


def lockouts() -> list[Lockout]:
    """Every lock-out in force now, newest first (one query)."""
    since = timezone.now() - settings.LOGIN_COOL_OFF
    rows = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.LOGIN_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")
    return [
        Lockout(
            r.username or "",
            r.ip_address or "",
            r.failures_since_start,
            r.attempt_time + settings.LOGIN_COOL_OFF,
        )
        for r in rows
    ]
