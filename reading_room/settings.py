"""Settings for the reading room: one module, configured from the environment.

Sections: paths, environment, Django core, contrib, third-party, project (CABLES_*).
Without DATABASE_URL (or POSTGRES_* variables) the database is SQLite in the project folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# --- paths -------------------------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("CABLES_SHARED_DIR", BASE_DIR.parent / "shared"))


# --- environment -------------------------------------------------------------------------------
def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The cable page's fixed SQL runs as prepared statements (cables.models.prepared_cursor): one plan
# per connection instead of one per page. Behind a pooler in transaction mode, where a session's
# prepared statements are not there on the next transaction, set CABLES_DB_PREPARE=0. Only
# that cursor prepares: Django's own cursors bind on the client and never do.
CABLES_DB_PREPARE = os.environ.get("CABLES_DB_PREPARE", "1") != "0"
_POSTGRES_CONNECTION = {
    "CONN_MAX_AGE": int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    "CONN_HEALTH_CHECKS": True,
    # psycopg prepares nothing on a connection whose threshold is None (Django's default)
    "OPTIONS": {"prepare_threshold": 5} if CABLES_DB_PREPARE else {},
}


def database_from_env() -> dict:
    """DATABASE_URL (postgres://user:pw@host:port/name) or POSTGRES_* names; else SQLite."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            if parts.scheme == "sqlite":
                return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path[1:])}
            raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "readingroom",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            **_POSTGRES_CONNECTION,
        }
    if os.environ.get("POSTGRES_DB"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["POSTGRES_DB"],
            "USER": os.environ.get("POSTGRES_USER", "postgres"),
            "PASSWORD": os.environ.get("POSTGRES_PASSWORD", ""),
            "HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
            "PORT": os.environ.get("POSTGRES_PORT", "5432"),
            **_POSTGRES_CONNECTION,
        }
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456;"
                " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
            ),
        },
    }


DEBUG = env_bool("DJANGO_DEBUG", default=False)
# Under pytest the development key and plain static storage are fine (pytest-django loads the
# settings before any conftest runs, so this cannot be set from one).
TESTING = env_bool("DJANGO_TESTING", default=False) or "pytest" in sys.modules
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- Django core -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "cables",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "reading_room.urls"
WSGI_APPLICATION = "reading_room.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_env()}
# The database cache is shared by every gunicorn worker: login throttling, the collection
# version, cached counts, search summaries, the tag index fragment. Migration cables 0008 creates
# its table (`manage.py createcachetable` does too). It counts its rows on every write, so it
# is kept small; rendered cable pages have their own table (cables/page_cache.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "reading_room_cache",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CABLES_CACHE_MAX_ENTRIES", "50000"))},
    }
}
# Rendered cable pages kept in the page store (about 15 kB each) before the oldest third goes.
CABLES_PAGE_STORE_MAX_PAGES = int(os.environ.get("CABLES_PAGE_STORE_MAX_PAGES", "50000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# Security headers. HTTPS-only settings are switched on by DJANGO_SECURE_SSL behind a TLS proxy.
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# --- contrib -----------------------------------------------------------------------------------
STATIC_URL = "static/"
# Tests serve static files through the finders; collectstatic fills STATIC_ROOT elsewhere.
STATIC_ROOT = (
    None
    if TESTING and not os.environ.get("DJANGO_STATIC_ROOT")
    else Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- third-party -------------------------------------------------------------------------------
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# --- project -----------------------------------------------------------------------------------
CABLES_PAGE_SIZE = 50
# Bound on each statement of one search (cables.search.search_bounds); longer ones are stopped.
CABLES_SEARCH_TIMEOUT_MS = int(os.environ.get("CABLES_SEARCH_TIMEOUT_MS", "3000"))
# Admin upload bounds (per request); the command is the way to load a whole collection.
CABLES_UPLOAD_MAX_BYTES = int(os.environ.get("CABLES_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
CABLES_UPLOAD_MAX_FILES = int(os.environ.get("CABLES_UPLOAD_MAX_FILES", "100"))
CABLES_UPLOAD_ZIP_MAX_BYTES = int(os.environ.get("CABLES_UPLOAD_ZIP_MAX_BYTES", str(200 * 1024 * 1024)))
CABLES_UPLOAD_ZIP_MAX_MEMBERS = int(os.environ.get("CABLES_UPLOAD_ZIP_MAX_MEMBERS", "1000"))
# Zip archives given to ingest (command or upload): total size, members, compression ratio.
CABLES_INGEST_ZIP_MAX_BYTES = int(os.environ.get("CABLES_INGEST_ZIP_MAX_BYTES", str(4 * 1024**3)))
CABLES_INGEST_ZIP_MAX_MEMBERS = int(os.environ.get("CABLES_INGEST_ZIP_MAX_MEMBERS", "300000"))
CABLES_INGEST_ZIP_MAX_RATIO = int(os.environ.get("CABLES_INGEST_ZIP_MAX_RATIO", "100"))
CABLES_INGEST_MAX_OUTCOMES = int(os.environ.get("CABLES_INGEST_MAX_OUTCOMES", "10000"))
# Admin login: after this many failures per client address or username, refuse for the window.
CABLES_LOGIN_FAILURE_LIMIT = int(os.environ.get("CABLES_LOGIN_FAILURE_LIMIT", "5"))
CABLES_LOGIN_FAILURE_WINDOW = int(os.environ.get("CABLES_LOGIN_FAILURE_WINDOW", "900"))  # seconds
# The TAGS glossary (code, kind, name) loaded into the Tag table.
CABLES_TAGS_CSV = Path(
    os.environ.get("CABLES_TAGS_CSV", BASE_DIR / "cables" / "parsing" / "data" / "tags.csv")
)
