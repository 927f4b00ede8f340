"""Settings for sendtrust, read from the environment through strict parsers.

SQLite is the embedded default; set DATABASE_URL (postgres://...) for PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Without DEBUG this may be production: a key anyone can read would let them forge
        # sessions and password-reset links, so no key means no start.
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or DEBUG=1 on a "
            "development machine."
        )
    # DEBUG only (`make run`): a fixed key keeps sessions across restarts of the dev server.
    SECRET_KEY = "dev-only-not-secret-sendtrust"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "sendtrust.lib",
    "sendtrust.organisations",
    "sendtrust.pupils",
    "sendtrust.access",
    "sendtrust.benchmarks",
    "sendtrust.imports",
    "sendtrust.demo",
    "sendtrust.api",
    "sendtrust.evaluation",
    "sendtrust.analytics",
    "sendtrust.planning",
    "sendtrust.quality",
    "sendtrust.public",
    "sendtrust.support",
    "sendtrust.provision",
    "sendtrust.ehc",
    "sendtrust.people",
    "sendtrust.ops",
]

MIDDLEWARE = [
    "sendtrust.access.middleware.TrustedProxyMiddleware",
    "sendtrust.ops.logging.RequestLogMiddleware",
    "sendtrust.ops.limits.UploadLimitMiddleware",
    "sendtrust.access.middleware.PageMethodsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sendtrust.access.middleware.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sendtrust.access.middleware.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sendtrust.people.twofactor.RequireTwoFactorMiddleware",
    "sendtrust.access.middleware.AuditRefusalsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "sendtrust.analytics.middleware.counts_shared_per_request",
]

ROOT_URLCONF = "sendtrust.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sendtrust" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sendtrust.access.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "sendtrust.wsgi.application"

# Persistent connections (60 s by default), checked before reuse: a request does not pay for
# a new connection and its set-up, and a dropped one is replaced. DB_CONN_MAX_AGE=0 turns it off
# (e.g. behind a pooler such as PgBouncer in transaction mode).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # A writer waits this long for another's write transaction (an import's is a few
    # seconds at most: it parses before it locks) before failing with "database is locked".
    DATABASES["default"]["OPTIONS"]["timeout"] = env_int("SQLITE_TIMEOUT", 20)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: a page's queries run in milliseconds, but the planner's cost of the
    # data-quality read (subqueries in an OR) is over jit_above_cost, and compiling it took
    # ~2.9 s of a 3.7 s query at 50,000 pupils (issue 15). Behind PgBouncer, let it pass the
    # option (ignore_startup_parameters = options) or ALTER ROLE ... SET jit = off instead.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "sendtrust.access.passwords.NoNameOrProductValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions end after SESSION_IDLE_MINUTES: IdleTimeoutMiddleware renews the expiry (at
# most once every SESSION_RENEW_SECONDS), so it measures idleness, not time since login.
# Sessions live in the database so that any app server behind a load balancer can serve any
# request.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTPS=1 in production (TLS ends at the proxy or load balancer): secure cookies, a redirect
# from http, and HSTS for a year. HSTS_PRELOAD is the domain owner's decision, off by default.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD", False)
if HTTPS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # preload: see HSTS_PRELOAD above

# The addresses of the reverse proxies or load balancers in front of the app servers (IPs or
# networks, comma-separated). Only a request from one of them may say, in X-Forwarded-For and
# X-Forwarded-Proto, who the client is and whether it came over HTTPS; everyone else's headers
# are ignored. Lock-outs and the audit log both use the address this gives.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): no inline script, nothing from another origin. Vega
# compiles chart expressions with Function(), hence 'unsafe-eval'; vega-embed and htmx add
# <style> elements, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# django-axes: an account is locked after AXES_FAILURE_LIMIT failed sign-ins from anywhere,
# and an address after AXES_ADDRESS_FAILURE_LIMIT failures across any accounts (so spreading
# guesses over many accounts is slowed too), each for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "sendtrust.access.lockout.AccountAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "sendtrust.access.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "sendtrust" / "static"]
# COLLECTED_STATIC=1 (set by `make serve` after collectstatic): WhiteNoise serves static files
# from each app server. Development and tests serve them through django.contrib.staticfiles.
COLLECTED_STATIC = env_bool("COLLECTED_STATIC", False)
if COLLECTED_STATIC:
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
# WhiteNoise serves static files from each app server (no separate file server needed):
# compressed, with content-hashed names cached for a year. `make serve` runs collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "sendtrust.ops.storage.StaticStorage"
        if COLLECTED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Source maps (5 MB of them, from the API docs' Swagger UI and ReDoc) are served as they are:
# only a developer's browser tools read them, and compressing them twice (gzip and Brotli) was
# most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# Computed national figures (funnel limits) are shared by every process and app server through
# the database cache: no new service to run. A large deployment may point CACHE_URL-style
# settings at Redis or Memcached instead; the code only uses Django's cache API.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "sendtrust_cache",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}

# Where the real DfE files live; loaders and tests take a folder, this is only the default.
SENDTRUST_DATA_DIR = Path(
    os.environ.get("SENDTRUST_DATA_DIR", BASE_DIR.parent / "shared" / "data" / "real")
)
REGISTER_PAGE_SIZE = env_int("REGISTER_PAGE_SIZE", 50)
# The API returns at most this many rows a page (a larger `limit` is refused with a 422).
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500)
# No request body larger than this (a census file of a large school is a few MB); refused
# with a 413 that names the limit before anything reads it.
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work (django-tasks with django-tasks-db's queue in the database: no extra service;
# SQLite alone works, and on PostgreSQL many workers share the queue with SKIP LOCKED). The
# worker is `manage.py run_worker` (`make worker`); /health/ says when one was last seen.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 120)
# The worker sends the digests itself (sendtrust.ops.daily), once a day on DIGEST_DAYS (three-
# letter day names, comma-separated; empty for none) from DIGEST_HOUR (0-23, local time).
DIGEST_HOUR = env_int("DIGEST_HOUR", 7)
DIGEST_DAYS = [d.strip().lower() for d in os.environ.get("DIGEST_DAYS", "mon").split(",")
               if d.strip()]
if not 0 <= DIGEST_HOUR <= 23 or set(DIGEST_DAYS) - {"mon", "tue", "wed", "thu", "fri", "sat",
                                                      "sun"}:
    raise ImproperlyConfigured("DIGEST_HOUR must be 0 to 23 and DIGEST_DAYS day names such as "
                               "mon,thu")
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")  # the links in emails start with it
# Limits on one imported file (sendtrust.imports.readers). A census file larger than
# IMPORT_BACKGROUND_KB is checked and saved by the worker, the page showing its progress.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_XLSX_MB = env_int("IMPORT_MAX_XLSX_MB", 200)  # declared size once unzipped
# After a bulk write of this many rows, PostgreSQL's planner statistics are refreshed
# (lib.bulk.refresh_statistics). The test run sets it out of reach: a test database's
# statistics outlive the rollbacks and flushes that empty its tables, and plans made from
# them for later tests' data ran for minutes.
ANALYZE_AFTER_ROWS = env_int("ANALYZE_AFTER_ROWS", 1000)
IMPORT_MEMORY_MB = env_int("IMPORT_MEMORY_MB", 1024)  # address space a parse may add
IMPORT_BACKGROUND_KB = env_int("IMPORT_BACKGROUND_KB", 256)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One JSON line per request (sendtrust.ops.logging): REQUEST_LOG=1 turns it on.
    "loggers": {
        "sendtrust.request": {
            "handlers": ["console"], "propagate": False,
            "level": "INFO" if env_bool("REQUEST_LOG", False) else "WARNING",
        },
    },
}

# Mail (the weekly plan digest). With EMAIL_HOST set, mail goes out through SMTP; without it,
# it is printed to the console, so a development machine never tries to send.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "sendtrust <no-reply@localhost>")
