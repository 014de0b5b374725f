"""Django settings for the planwatch commentary web app.

In: environment variables. Out: Django settings.

``PLANWATCH_PROJECT``        project folder (plan.yaml, store, output); default ``.``
``DATABASE_URL``             e.g. ``postgres://user:pw@127.0.0.1:5432/planwatch``;
                             default SQLite at ``<project>/web.sqlite3``
``PLANWATCH_SECRET_KEY``     required when ``PLANWATCH_PRODUCTION=1``
``PLANWATCH_ALLOWED_HOSTS``  comma-separated; default ``localhost,127.0.0.1``
``PLANWATCH_DEBUG``          ``1`` turns DEBUG on (never in production)
``PLANWATCH_PRODUCTION``     ``1``: secure cookies, HSTS, SSL redirect, secret key required
``PLANWATCH_SSL_REDIRECT``   ``0`` turns the HTTPS redirect off (e.g. a loopback benchmark)
``PLANWATCH_PUBLIC_REPORTS`` ``1`` lets anyone read the published-reports page
``PLANWATCH_EMAIL_BACKEND``  ``console`` (default), ``file`` or ``smtp``
``PLANWATCH_EMAIL_FILE_PATH`` folder for the ``file`` backend
``PLANWATCH_EMAIL_HOST``/``_PORT``/``_USER``/``_PASSWORD``/``_USE_TLS`` the ``smtp`` backend's server
``PLANWATCH_FROM_EMAIL``     the sender of every email
``PLANWATCH_SITE_URL``       the site's address for links in emails, e.g. ``https://commentary.example.org``
``PLANWATCH_MEDIA_ROOT``     where published reports are stored; default ``<project>/output/web``
``PLANWATCH_CACHE_DIR``      shared cache folder (sessions); default ``<project>/.web-cache`` in production
``PLANWATCH_TRUSTED_PROXIES`` how many reverse proxies stand in front (their X-Forwarded-For gives
                             the client's address for sign-in throttling); default 0
``PLANWATCH_LOGIN_FAILURE_LIMIT``/``_LOCKOUT_SECONDS`` sign-in throttling (5 failures, 15 minutes)
``PLANWATCH_REPORT_PDF``     ``0`` builds only the HTML report on publishing
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured

from planwatch.web import taskapi

#: Failed sign-ins allowed for one username from one address before a lock-out (NCSC's
#: password guidance: throttle guessing with a limit of around 10 or fewer; we allow 5).
LOGIN_FAILURE_LIMIT = int(os.environ.get("PLANWATCH_LOGIN_FAILURE_LIMIT", "5"))
#: How long a lock-out lasts before it lifts by itself (15 minutes; an analyst can lift it sooner).
LOGIN_COOL_OFF = timedelta(
    seconds=int(os.environ.get("PLANWATCH_LOGIN_LOCKOUT_SECONDS", str(15 * 60)))
)
#: One year, the HSTS max-age recommended by hstspreload.org.
HSTS_ONE_YEAR_SECONDS = 31_536_000
#: Sessions last one working day (8 hours).
SESSION_WORKING_DAY_SECONDS = 8 * 60 * 60
#: Smallest password length accepted (NCSC: at least 8 for user-chosen passwords; we ask 10).
MIN_PASSWORD_LENGTH = 10


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("PLANWATCH_PROJECT", ".")).resolve()
PRODUCTION = _flag("PLANWATCH_PRODUCTION")
DEBUG = _flag("PLANWATCH_DEBUG") and not PRODUCTION

SECRET_KEY = os.environ.get("PLANWATCH_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("PLANWATCH_SECRET_KEY must be set when running in production")
    SECRET_KEY = "planwatch-insecure-development-key-not-for-production"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PLANWATCH_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    *taskapi.APPS,
    "axes",
    "planwatch.web.apps.WebConfig",
]

# Background jobs (building a published report) are rows in the app's own database, run by
# `planwatch manage db_worker` (started by `planwatch serve`): a queued job outlives a
# restart of the web server or of the worker, on SQLite and PostgreSQL alike. Django 6's own
# tasks framework reads this setting, as does the django-tasks backport on Django 5.2.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "planwatch.web.security.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a locked-out sign-in into the sign-in page with the reason (signin.locked_out).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planwatch.web.urls"
WSGI_APPLICATION = "planwatch.web.wsgi.application"

_TEMPLATE_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "planwatch.web.context.role",
            ],
            # Parse each template once per process (Django's default only when DEBUG is off;
            # spelt out so production never re-reads templates from disk on every request).
            "loaders": (
                _TEMPLATE_LOADERS
                if DEBUG
                else [("django.template.loaders.cached.Loader", _TEMPLATE_LOADERS)]
            ),
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{PROJECT_DIR / 'web.sqlite3'}",
        # Keep each worker thread's connection open between requests (a PostgreSQL
        # connection costs a few milliseconds to open), and check it is still alive
        # before reusing it so a restarted database does not cause one failed request.
        conn_max_age=int(os.environ.get("PLANWATCH_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Wait for a writer instead of failing at once, and take the write lock when a
    # transaction starts so that two saves of one slot are serialised (Django >= 5.1).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    if os.environ.get("PLANWATCH_TEST_SQLITE_FILE"):  # tests: a file, so threads see real locking
        DATABASES["default"]["TEST"] = {"NAME": os.environ["PLANWATCH_TEST_SQLITE_FILE"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": MIN_PASSWORD_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if _flag("PLANWATCH_FAST_HASHER"):  # tests and benchmarks only: hashing dominates otherwise
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

#: Sessions the session cache holds before culling (a culled session is read from the
#: database again); far more than the people signed in at once.
SESSION_CACHE_ENTRIES = 10_000
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "planwatch",
    },
    # Sessions have a cache of their own, so that many signed-in people never make the
    # cache cull the dashboards' analyses.
    "sessions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "planwatch-sessions",
        "OPTIONS": {"MAX_ENTRIES": SESSION_CACHE_ENTRIES},
    },
}
# gunicorn workers are separate processes: the cached sessions (signing out must end the
# session in every worker) and the dashboards' analyses must be shared, so
# production uses a file cache (in the project unless PLANWATCH_CACHE_DIR says otherwise).
_cache_dir = os.environ.get("PLANWATCH_CACHE_DIR") or (
    str(PROJECT_DIR / ".web-cache") if PRODUCTION else ""
)
# The quarter's analysis behind the dashboard and the owner's editor (seconds to compute) is
# kept in files whatever the other caches: the background worker computes it (when
# `planwatch serve` starts, and when the data, plan or overrides change) and every web
# process reads it, and a restart finds it there instead of computing it in a request.
CACHES["analysis"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(Path(_cache_dir or PROJECT_DIR / ".web-cache") / "analysis"),
    "TIMEOUT": None,  # keyed by the files it was computed from: never stale, only replaced
}
if _cache_dir:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": _cache_dir,
    }
    CACHES["sessions"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(_cache_dir) / "sessions"),
        "OPTIONS": {"MAX_ENTRIES": SESSION_CACHE_ENTRIES},
    }

# The sign-in throttle first (it refuses a locked-out attempt before any password is
# tried), then Django's password checks with the user's role read in the same query.
AUTHENTICATION_BACKENDS = [
    "planwatch.web.signin.ThrottleBackend",
    "planwatch.web.auth.ProfileBackend",
]

# Sign-in throttling (django-axes, planwatch/web/signin.py): failures are rows in the app's
# database, shared by every gunicorn worker; a lock-out is of one username from one address.
TRUSTED_PROXIES = int(os.environ.get("PLANWATCH_TRUSTED_PROXIES", "0"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_COOL_OFF
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "planwatch.web.signin.client_address"
AXES_LOCKOUT_CALLABLE = "planwatch.web.signin.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are already last_login; failures are kept
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served by WhiteNoise straight from the app folder; collectstatic is optional.
STATIC_ROOT = os.environ.get("PLANWATCH_STATIC_ROOT") or None
MEDIA_ROOT = Path(os.environ.get("PLANWATCH_MEDIA_ROOT", PROJECT_DIR / "output" / "web"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

PUBLIC_REPORTS = _flag("PLANWATCH_PUBLIC_REPORTS")
DEFAULT_FROM_EMAIL = os.environ.get("PLANWATCH_FROM_EMAIL", "planwatch@localhost")
#: The site's address as people reach it, for the links in emails.
SITE_URL = os.environ.get("PLANWATCH_SITE_URL", "http://localhost:8000")
#: How long an invitation's or password reset's link works (3 days).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email = os.environ.get("PLANWATCH_EMAIL_BACKEND", "console")
if _email not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"PLANWATCH_EMAIL_BACKEND must be one of {', '.join(_EMAIL_BACKENDS)}, not '{_email}'"
    )
#: The chosen backend's options, by the names Django 6.1's MAILERS gives them.
_EMAIL_OPTIONS: dict[str, dict[str, object]] = {
    "file": {
        "file_path": os.environ.get(
            "PLANWATCH_EMAIL_FILE_PATH", str(PROJECT_DIR / "output" / "emails")
        )
    },
    "smtp": {
        "host": os.environ.get("PLANWATCH_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("PLANWATCH_EMAIL_PORT", "25")),
        "username": os.environ.get("PLANWATCH_EMAIL_USER", ""),
        "password": os.environ.get("PLANWATCH_EMAIL_PASSWORD", ""),
        "use_tls": _flag("PLANWATCH_EMAIL_USE_TLS"),
    },
}
_email_options = _EMAIL_OPTIONS.get(_email, {})
if django.VERSION >= (6, 1):  # MAILERS replaces the EMAIL_* settings (deprecated in 6.1)
    MAILERS = {"default": {"BACKEND": _EMAIL_BACKENDS[_email], "OPTIONS": _email_options}}
else:
    EMAIL_BACKEND = _EMAIL_BACKENDS[_email]
    EMAIL_FILE_PATH = _EMAIL_OPTIONS["file"]["file_path"]
    _smtp = _EMAIL_OPTIONS["smtp"]
    EMAIL_HOST = _smtp["host"]
    EMAIL_PORT = _smtp["port"]
    EMAIL_HOST_USER = _smtp["username"]
    EMAIL_HOST_PASSWORD = _smtp["password"]
    EMAIL_USE_TLS = _smtp["use_tls"]

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # 5 MB: a department's spreadsheet is far smaller
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Sessions are kept in the database and read through the cache (cached_db): a page reads
# its session from the cache (the shared file cache in production) instead of querying
# PostgreSQL every request; Django writes it only when it changes (sign-in, messages), to
# both; signing out deletes both copies, so a copied cookie stops working.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_AGE = SESSION_WORKING_DAY_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = HSTS_ONE_YEAR_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = _flag("PLANWATCH_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [
        o for o in os.environ.get("PLANWATCH_CSRF_TRUSTED_ORIGINS", "").split(",") if o
    ]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PLANWATCH_LOG_LEVEL", "WARNING")},
}

#: Build a PDF as well as HTML when a round is published (WeasyPrint; slower).
REPORT_PDF = _flag("PLANWATCH_REPORT_PDF", default=True)
