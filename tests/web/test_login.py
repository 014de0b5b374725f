"""Signing in: password validators and hashing on, and throttling of password guessing."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from web_helpers import PASSWORD

LOGIN = "/accounts/login/"


def _try(client: Client, username: str, password: str, addr: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_good_login_goes_to_the_role_home(north):
    c = Client()
    r = _try(c, "nora", PASSWORD)
    assert r.status_code == 302
    assert c.get(reverse("home"))["Location"] == reverse("todo")


def test_passwords_are_hashed(north):
    stored = get_user_model().objects.get(username="nora").password
    assert PASSWORD not in stored and "$" in stored


def test_lockout_after_repeated_failures_even_with_the_right_password(north):
    c = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        r = _try(c, "nora", "wrong password")
        assert r.status_code == 200 and b"Please enter a correct username and password" in r.content
    r = _try(c, "nora", PASSWORD)
    assert r.status_code == 200
    assert b"Too many failed sign-in attempts" in r.content
    assert "_auth_user_id" not in c.session


def test_lockout_is_per_address_too(north, comms):
    c = Client()
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        _try(c, f"guess{i}", "whatever", addr="10.9.9.9")
    assert b"Too many failed" in _try(c, "colin", PASSWORD, addr="10.9.9.9").content
    assert _try(Client(), "colin", PASSWORD, addr="10.1.1.1").status_code == 302


def test_success_clears_earlier_failures(north):
    c = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _try(c, "nora", "wrong", addr="10.2.2.2")
    assert _try(c, "nora", PASSWORD, addr="10.3.3.3").status_code == 302
    c2 = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _try(c2, "nora", "wrong", addr="10.4.4.4")
    assert _try(c2, "nora", PASSWORD, addr="10.5.5.5").status_code == 302


def test_password_validators_are_on(plan_db):
    from django.contrib.auth.password_validation import get_password_validators

    names = {type(v).__name__ for v in get_password_validators(settings.AUTH_PASSWORD_VALIDATORS)}
    assert {
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
        "UserAttributeSimilarityValidator",
    } <= names


def test_logout_needs_post(north):
    c = Client()
    c.force_login(north)
    assert c.get("/accounts/logout/").status_code == 405
    assert c.post("/accounts/logout/").status_code == 302
    assert c.get(reverse("todo")).status_code == 302


def _file_caches(folder):
    file_cache = "django.core.cache.backends.filebased.FileBasedCache"
    return {
        "default": {"BACKEND": file_cache, "LOCATION": str(folder)},
        "sessions": {"BACKEND": file_cache, "LOCATION": str(folder / "sessions")},
    }


def test_sessions_are_read_from_the_cache_and_signing_out_ends_a_copied_cookie(north, tmp_path):
    """Production's shared file caches: a page reads no session row from the database, and
    a copy of the cookie stops working once its owner signs out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    with override_settings(CACHES=_file_caches(tmp_path)):
        c = Client()
        assert _try(c, "nora", PASSWORD).status_code == 302
        copied = Client()
        copied.cookies = c.cookies.__class__(c.cookies)
        with CaptureQueriesContext(connection) as queries:
            assert copied.get(reverse("todo")).status_code == 200
        assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
        assert c.post("/accounts/logout/").status_code == 302
        assert copied.get(reverse("todo")).status_code == 302
