"""Amity settings, read from the environment. SQLite in var/ unless DATABASE_URL is set."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse
from wsgiref.headers import Headers

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


VAR_DIR = Path(env_str("AMITY_VAR_DIR", str(PROJECT_DIR / "var")))


def secret_file(name: str, nbytes: int) -> str:
    """Return a secret from the environment, `<NAME>_FILE`, or a 0600 file made in var/."""
    if value := os.environ.get(name):
        return value
    if file_name := os.environ.get(f"{name}_FILE"):
        return Path(file_name).read_text().strip()
    path = VAR_DIR / name.lower()
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


DEBUG = env_bool("AMITY_DEBUG")
SECRET_KEY = secret_file("AMITY_SECRET_KEY", 50)
# Base64url of 32 random bytes; wraps every workspace's data keys (core.crypto).
AMITY_MASTER_KEY = secret_file("AMITY_MASTER_KEY", 32)
ALLOWED_HOSTS = [h for h in env_str("AMITY_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
SITE_URL = env_str("AMITY_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "amity.core",
    "amity.customers",
    "amity.activities",
    "amity.sales",
    "amity.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "amity.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "amity.core.middleware.SessionTimeoutMiddleware",
    "amity.core.middleware.WorkspaceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "amity.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "amity.urls"
WSGI_APPLICATION = "amity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amity.web.context_processors.shell",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": parsed.port or "",
        "CONN_MAX_AGE": env_int("AMITY_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": env_str("AMITY_TEST_DB_NAME", "amity_test")},
    }


if database_url := env_str("DATABASE_URL"):
    DATABASES = {"default": database_from_url(database_url)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("AMITY_SQLITE_PATH", str(VAR_DIR / "amity.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; "
                    # Zero deleted content, so erased personal data leaves the file.
                    "PRAGMA secure_delete=ON;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "web:home"

# Sessions: idle 30 min (refreshed on every request), absolute 12 h (core.middleware).
SESSION_COOKIE_AGE = env_int("AMITY_SESSION_IDLE_SECONDS", 30 * 60)
# The idle timer is refreshed by SessionTimeoutMiddleware at most once a minute, not by
# writing the session row on every request.
SESSION_SAVE_EVERY_REQUEST = False
AMITY_SESSION_REFRESH_SECONDS = env_int("AMITY_SESSION_REFRESH_SECONDS", 60)
AMITY_SESSION_ABSOLUTE_SECONDS = env_int("AMITY_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
AMITY_TLS = env_bool("AMITY_TLS")
SESSION_COOKIE_SECURE = AMITY_TLS
CSRF_COOKIE_SECURE = AMITY_TLS
if AMITY_TLS:
    SESSION_COOKIE_NAME = "__Host-amity_session"
    CSRF_COOKIE_NAME = "__Host-amity_csrf"
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env_bool("AMITY_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    SESSION_COOKIE_NAME = "amity_session"
    CSRF_COOKIE_NAME = "amity_csrf"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Login protection: lock an account after this many failures inside the window.
AMITY_LOCKOUT_FAILURES = 5
AMITY_LOCKOUT_SECONDS = 15 * 60
# Only trust X-Forwarded-For from this many proxies in front (0: use REMOTE_ADDR).
AMITY_TRUSTED_PROXIES = env_int("AMITY_TRUSTED_PROXIES", 0)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("nb", _("Norwegian Bokmål")),
    ("ru", _("Russian")),
    ("cy", _("Welsh")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing directory
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
STATIC_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'; sandbox"
)


def static_file_headers(headers: Headers, path: str, url: str) -> None:
    """Lock static files down too: an SVG or HTML file opened directly runs nothing."""
    headers["Content-Security-Policy"] = STATIC_CSP


WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers

TASKS = {
    "default": {
        "BACKEND": env_str("AMITY_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Housekeeping the worker runs every hour: dotted paths of functions taking no arguments.
AMITY_MAINTENANCE = [
    "amity.core.idempotency.purge_expired",
    "amity.core.services.purge_old_login_failures",
    "amity.customers.services.purge_all_expired_trash",
    "amity.customers.imports.jobs.purge_old",
    "amity.customers.merge.purge_expired",
    "amity.activities.task_services.purge_expired_trash",
    "amity.core.tasks.refresh_statistics",
]

MAILERS = {
    "default": {
        "BACKEND": env_str("AMITY_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env_str("AMITY_SMTP_HOST", "127.0.0.1"),
            "port": env_int("AMITY_SMTP_PORT", 1025),
            "username": env_str("AMITY_SMTP_USER") or None,
            "password": env_str("AMITY_SMTP_PASSWORD") or None,
            "use_tls": env_bool("AMITY_SMTP_STARTTLS"),
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("AMITY_FROM_EMAIL", "Amity <amity@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("AMITY_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO", "propagate": True},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

with contextlib.suppress(ImportError):
    from amity.local_settings import *  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F403
