"""Login throttling against password guessing.

In: failed sign-ins (Django's ``user_login_failed`` signal) keyed by username and by
client address. Out: a lock-out of ``LOGIN_LOCKOUT_SECONDS`` once either passes
``LOGIN_FAILURE_LIMIT``, checked by :class:`ThrottledLoginForm` *before* the password
is tried, so a locked account cannot be guessed even with the right password.
Counts live in Django's cache (per process with the default local-memory cache; set
``PLANWATCH_CACHE_DIR`` for a cache shared by gunicorn workers).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest


def _client(request: HttpRequest | None) -> str:
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _keys(username: str, request: HttpRequest | None) -> tuple[str, str]:
    return f"pw-login-user:{username.strip().lower()}", f"pw-login-ip:{_client(request)}"


def failures(username: str, request: HttpRequest | None) -> int:
    user_key, ip_key = _keys(username, request)
    return max(int(cache.get(user_key, 0)), int(cache.get(ip_key, 0)))


def is_locked(username: str, request: HttpRequest | None) -> bool:
    return failures(username, request) >= settings.LOGIN_FAILURE_LIMIT


def record_failure(username: str, request: HttpRequest | None) -> None:
    for key in _keys(username, request):
        cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def reset(username: str, request: HttpRequest | None) -> None:
    cache.delete(_keys(username, request)[0])


@receiver(user_login_failed, dispatch_uid="planwatch-login-failed")
def _on_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    record_failure(str(credentials.get("username", "")), request)


@receiver(user_logged_in, dispatch_uid="planwatch-logged-in")
def _on_success(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    reset(user.get_username(), request)


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, refusing to try a password while the account or address is locked."""

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "") or ""
        if is_locked(str(username), self.request):
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            raise forms.ValidationError(
                f"Too many failed sign-in attempts. Try again in {minutes} minutes or ask an analyst to help.",
                code="locked",
            )
        return super().clean()
