"""Hexa's one settings module.

Everything is configured through HEXA_* environment variables, and everything has a working
default: with nothing set, Hexa keeps a SQLite database and a generated secret key in the data
folder (HEXA_DATA_DIR, default ./var), so "install, migrate, run" works on a fresh clone.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import dj_database_url

from hexa.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("HEXA_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """HEXA_SECRET_KEY, or a key generated once and kept (mode 0600) in the data folder.

    O_EXCL makes the first writer win when several processes start together.
    """
    if key := env_str("HEXA_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("HEXA_DEBUG", False)
ALLOWED_HOSTS = env_list("HEXA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("HEXA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # the form renderer finds Django's widget templates here
    "ninja",  # serves Swagger UI's files from here instead of a CDN
    "django_htmx",
    "hexa.crm",
    "hexa.api",
    "hexa.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hexa.api.api.JsonMethodNotAllowed",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hexa.web.middleware.PagesRequireLogin",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hexa.urls"
FORM_RENDERER = "hexa.web.forms.base.Renderer"
WSGI_APPLICATION = "hexa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# HEXA_DATABASE_URL: sqlite:///path/to/file.sqlite3 or postgres://user@host:5432/name.
DATABASE_URL = env_str("HEXA_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'hexa.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # Persistent connections: a request must not pay for a new connection (and, on
        # SQLite, the PRAGMAs below) every time.
        conn_max_age=env_int("HEXA_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
_SQLITE_TIMEOUT = env_int("HEXA_SQLITE_TIMEOUT", 30)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the write lock when their transaction begins, so two quick logs never
        # both read "no project" and then fail to upgrade to a write lock: they queue.
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the lock instead of failing with "database is locked"
        # (then answered 503, hexa.lib.unavailable). The PRAGMA below must say the same.
        "timeout": _SQLITE_TIMEOUT,
        # WAL lets readers go on while one process writes; NORMAL sync is safe with WAL.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            f"PRAGMA busy_timeout={_SQLITE_TIMEOUT * 1000}"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("HEXA_SQLITE_TEST_NAME") or None}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays off on queries that run for seconds, and Hexa's run for
    # milliseconds; on a report's (100,000 clients, 10 million dedications) compiling took
    # 30-40 ms of ~200. Options given in the URL (?options=-c%20jit%3Don) come after, and
    # win.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"-c jit=off {_options.get('options', '')}".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = env_str("HEXA_LANGUAGE", "es")
# English with day/month/year dates: Hexa serves Spanish businesses (a US browser asking for
# "en-us" gets it too).
LANGUAGES = [("es", "Español"), ("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("HEXA_TIME_ZONE", "Europe/Madrid")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing one before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (tests, development) WhiteNoise serves from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------
# HEXA_HTTPS=true when Hexa is served behind TLS (a reverse proxy): secure cookies, HSTS and
# the redirect to https, so that `hexa check --deploy` is clean.
HTTPS = env_bool("HEXA_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:explorer"
LOGOUT_REDIRECT_URL = "login"

# --- Email (hexa remind) ----------------------------------------------------------------------
# HEXA_EMAIL_BACKEND: a Django email backend path; without one, emails are printed on the
# console. SMTP options come from HEXA_SMTP_HOST, HEXA_SMTP_PORT, HEXA_SMTP_USER, ...
_smtp = {
    "host": env_str("HEXA_SMTP_HOST"),
    "port": env_int("HEXA_SMTP_PORT", 0) or None,
    "username": env_str("HEXA_SMTP_USER"),
    "password": env_str("HEXA_SMTP_PASSWORD"),
    "use_tls": env_bool("HEXA_SMTP_TLS", False) or None,
}
MAILERS = {
    "default": {
        "BACKEND": env_str(
            "HEXA_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if _smtp["host"]
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {key: value for key, value in _smtp.items() if value},
    }
}
DEFAULT_FROM_EMAIL = env_str("HEXA_DEFAULT_FROM_EMAIL", "hexa@localhost")

# --- Hexa -----------------------------------------------------------------------------------
# Title of the task the quick log creates when a project has no pending task.
HEXA_FOLLOW_UP_TASK_TITLE = env_str("HEXA_FOLLOW_UP_TASK_TITLE", "")
# The quick log's statements compiled to SQL once (hexa.lib.prepared); false: the plain ORM.
HEXA_PREPARED_SQL = env_bool("HEXA_PREPARED_SQL", True)
# Days an idempotency key (and the answer it replays) is kept: `hexa purge-keys` forgets
# older ones. Long enough for a phone that was offline for weeks to send its outbox.
HEXA_IDEMPOTENCY_KEY_DAYS = env_int("HEXA_IDEMPOTENCY_KEY_DAYS", 30)
# Hours after which a running timer is not logged as it is: stopping it asks to confirm or
# correct the time spent (a timer forgotten overnight).
HEXA_TIMER_LIMIT_HOURS = env_int("HEXA_TIMER_LIMIT_HOURS", 10)

# Log by email (`hexa mail fetch`, README "Log by email"): the mailbox Hexa reads, as
# imaps://user:password@host:993/INBOX (imap:// without TLS, imap+starttls:// to upgrade);
# the folder processed messages go to; the public webmail domains whose addresses never name
# a client by their domain (replacing the default list), plus HEXA_MAIL_EXTRA_WEBMAIL_DOMAINS
# added to it; Hexa's own address, whose plus addresses name a client (default: the
# mailbox's user name when it is an address); how many times a failing message is tried.
HEXA_MAIL_IMAP_URL = env_str("HEXA_MAIL_IMAP_URL")
HEXA_MAIL_PROCESSED_FOLDER = env_str("HEXA_MAIL_PROCESSED_FOLDER", "Hexa")
HEXA_MAIL_WEBMAIL_DOMAINS = env_list(
    "HEXA_MAIL_WEBMAIL_DOMAINS",
    "gmail.com,googlemail.com,outlook.com,outlook.es,hotmail.com,hotmail.es,live.com,live.es,"
    "msn.com,yahoo.com,yahoo.es,ymail.com,icloud.com,me.com,mac.com,aol.com,gmx.com,gmx.es,"
    "gmx.net,gmx.de,web.de,proton.me,protonmail.com,zoho.com,yandex.com,mail.com,"
    "telefonica.net,movistar.es,orange.es,vodafone.es,terra.es,ya.com,wanadoo.es,"
    "laposte.net,free.fr,libero.it",
) + env_list("HEXA_MAIL_EXTRA_WEBMAIL_DOMAINS")
HEXA_MAIL_ADDRESS = env_str("HEXA_MAIL_ADDRESS")
HEXA_MAIL_MAX_ATTEMPTS = env_int("HEXA_MAIL_MAX_ATTEMPTS", 3)
# Trust an email's From as its sender only when the receiving server's Authentication-Results
# says dkim=pass or spf=pass for its domain; otherwise the email waits for managers as an
# unknown sender's does. Off by default: not every mail server adds that header.
HEXA_MAIL_REQUIRE_AUTHENTICATION = env_bool("HEXA_MAIL_REQUIRE_AUTHENTICATION", False)

# The level is on the handler: Django's own loggers (django.request, ...) pass their records
# up to it whatever the root logger's level says.
LOG_LEVEL = env_str("HEXA_LOG_LEVEL", "WARNING").upper()
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# django-ninja: the API's pages are never bigger than this, whatever `limit` asks.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- Sign-in protection and secrets at rest (issue 9: points 1, 8, 9) -------------------------
# Repeated failures are locked out by django-axes: HEXA_SIGNIN_FAILURE_LIMIT failures for one
# user name, or from one address, and signing in (the sign-in page, the admin's, the password
# reset and API tokens) is refused until HEXA_SIGNIN_LOCKOUT_MINUTES have passed since the
# last failure. Axes keeps its counts in the database, so a lock holds whichever app process
# answers. hexa.crm.services.lockouts says how; `hexa lockout` and the lockouts page lift one.
INSTALLED_APPS += ["axes"]
# Last, so that the lockout response it makes still gets the headers of the others (CSP...).
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "hexa.crm.services.lockouts.LockoutBackend",  # refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]
# A password change revokes the user's API tokens (hexa.api.tokens says why it is a validator).
AUTH_PASSWORD_VALIDATORS += [{"NAME": "hexa.api.tokens.RevokeTokensOnPasswordChange"}]
AXES_FAILURE_LIMIT = env_int("HEXA_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("HEXA_SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = "hexa.crm.services.lockouts.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "hexa.web.views.lockout.locked_out_response"
# A success does not wipe the failures: with it, an attacker with an account of their own
# could sign in between guesses at someone else's password and never be locked out.
AXES_RESET_ON_SUCCESS = False
# Attempts made while locked out are refused without being counted, so a lock ends when its
# message said; a patient attacker gets no more guesses either way.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Failures are logged by hexa.crm.services.lockouts (user name and address, never the
# password); axes' own lines would repeat them with the user name masked.
AXES_VERBOSE = False
LOGGING["loggers"] = {"axes": {"level": "ERROR"}}
# Successful sign-ins are not kept (that table would grow forever).
AXES_DISABLE_ACCESS_LOG = True
# Behind reverse proxies (nginx, haproxy...), HEXA_PROXIES says how many: the client's address is
# then taken from X-Forwarded-For, counting that many proxies from its right end, so that
# addresses a client writes into the header itself are ignored. Without it every request would
# seem to come from the proxy, and one user's failures would lock everyone out.
PROXIES = env_int("HEXA_PROXIES", 0)
if PROXIES > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # ipware counts the proxies in the header, and the nearest one is not in it (it is
    # REMOTE_ADDR); not strict, so that a forged left part is skipped rather than trusted.
    AXES_IPWARE_PROXY_COUNT = PROXIES - 1
    IPWARE_STRICT = False

# Secrets at rest: the data folder (SQLite database, secret key) is the owner's only, and the
# SQLite file is made 0600 before SQLite creates it (its -wal and -shm files then take the
# same mode). Folders and files made by an older version are corrected here.
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def _make_private(path: Path, mode: int) -> None:
    try:
        if path.stat().st_uid == os.getuid() and stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass


_make_private(DATA_DIR, PRIVATE_DIR)
_sqlite_name = str(DATABASES["default"].get("NAME") or "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and _sqlite_name not in (
    "",
    ":memory:",
):
    _sqlite = Path(_sqlite_name)
    if _sqlite.parent.is_dir() and not _sqlite.exists():
        os.close(os.open(_sqlite, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for _file in (_sqlite, Path(f"{_sqlite}-wal"), Path(f"{_sqlite}-shm")):
        _make_private(_file, PRIVATE_FILE)

# Secrets in logs: the calendar feed's secret and password reset links are cut out of every
# log line (Django's here; gunicorn's access log by `hexa serve`'s logger class).
LOGGING["filters"] = {"redact": {"()": "hexa.lib.redaction.RedactSecrets"}}
LOGGING["handlers"]["console"]["filters"] = ["redact"]
