"""Signing in: password validators and hashing on, and throttling of password guessing
(django-axes: one username from one address, a cool-off, an analyst's unlock)."""

from __future__ import annotations

from datetime import timedelta

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


LOCKED = b"You have entered the wrong password too many times"


def _fail(client: Client, username: str, times: int, addr: str = "10.0.0.1"):
    """``times`` wrong passwords; returns the last response."""
    r = None
    for _ in range(times):
        r = _try(client, username, "wrong password", addr)
    return r


def test_lockout_after_repeated_failures_even_with_the_right_password(north):
    c = Client()
    r = _fail(c, "nora", settings.LOGIN_FAILURE_LIMIT - 1)
    assert r.status_code == 200 and b"Please enter a correct username and password" in r.content
    r = _fail(c, "nora", 1)
    assert r.status_code == 429 and LOCKED in r.content
    r = _try(c, "nora", PASSWORD)
    assert r.status_code == 429
    assert LOCKED in r.content and b"ask an analyst to unlock your account" in r.content
    assert b'name="username"' in r.content  # the sign-in form is still there
    assert "_auth_user_id" not in c.session


def test_one_persons_mistakes_do_not_lock_out_their_office(north, comms):
    """An office shares one address: nora locked out there, colin still signs in from it."""
    _fail(Client(), "nora", settings.LOGIN_FAILURE_LIMIT, addr="10.9.9.9")
    assert _try(Client(), "colin", PASSWORD, addr="10.9.9.9").status_code == 302
    assert _try(Client(), "nora", PASSWORD, addr="10.9.9.9").status_code == 429


def test_lockout_is_of_the_username_from_that_address(north):
    """Someone elsewhere guessing nora's password does not lock nora out of her own office."""
    _fail(Client(), "nora", settings.LOGIN_FAILURE_LIMIT, addr="192.0.2.66")
    assert _try(Client(), "nora", PASSWORD, addr="10.1.1.1").status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts_not_the_proxys(north, comms, settings):
    """With one trusted proxy, the address it saw is the client's: two people behind the same
    proxy are told apart, and a client cannot choose its address by sending the header."""
    settings.TRUSTED_PROXIES = 1
    proxy = "10.0.0.254"

    def via_proxy(username, password, client_addr, claimed=""):
        forwarded = f"{claimed}, {client_addr}" if claimed else client_addr
        return Client().post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        via_proxy("nora", "wrong", "198.51.100.7")
    assert via_proxy("nora", PASSWORD, "198.51.100.7").status_code == 429
    assert via_proxy("nora", PASSWORD, "198.51.100.8").status_code == 302
    # Prepending a made-up address does not escape the lock-out: the proxy's entry counts.
    assert via_proxy("nora", PASSWORD, "198.51.100.7", claimed="203.0.113.1").status_code == 429


def test_the_lockout_lifts_after_the_cool_off(north):
    from axes.models import AccessAttempt
    from django.utils import timezone

    _fail(Client(), "nora", settings.LOGIN_FAILURE_LIMIT)
    assert _try(Client(), "nora", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.LOGIN_COOL_OFF - timedelta(seconds=1)
    )
    assert _try(Client(), "nora", PASSWORD).status_code == 302


def test_an_analyst_unlocks_an_account_and_it_is_in_the_history(north, analyst):
    from web_helpers import client_for

    _fail(Client(), "nora", settings.LOGIN_FAILURE_LIMIT)
    ann = client_for(analyst)
    page = ann.get(reverse("users")).content.decode()
    assert 'id="lockouts"' in page and "nora" in page
    assert (
        "Locked out of signing in"
        in ann.get(reverse("user_edit", args=[north.pk])).content.decode()
    )
    r = ann.post(reverse("user_unlock"), {"username": "nora", "back": "account"})
    assert r.status_code == 302 and r["Location"] == reverse("user_edit", args=[north.pk])
    assert _try(Client(), "nora", PASSWORD).status_code == 302
    page = ann.get(reverse("user_edit", args=[north.pk])).content.decode()
    assert "sign-in unlocked after too many failed attempts (by ann)" in page
    assert 'id="lockouts"' not in ann.get(reverse("users")).content.decode()


def test_only_analysts_can_unlock(north, comms):
    from web_helpers import client_for

    _fail(Client(), "nora", settings.LOGIN_FAILURE_LIMIT)
    assert client_for(comms).post(reverse("user_unlock"), {"username": "nora"}).status_code == 403
    assert Client().post(reverse("user_unlock"), {"username": "nora"}).status_code == 302  # sign in
    assert _try(Client(), "nora", PASSWORD).status_code == 429


def test_success_clears_earlier_failures(north):
    c = Client()
    _fail(c, "nora", settings.LOGIN_FAILURE_LIMIT - 1)
    assert _try(c, "nora", PASSWORD).status_code == 302
    _fail(Client(), "nora", settings.LOGIN_FAILURE_LIMIT - 1)
    assert _try(Client(), "nora", PASSWORD).status_code == 302


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
