"""Newsroom settings: one file, driven by environment variables.

With nothing set, the project runs in debug mode on SQLite (``db.sqlite3``).
``DATABASE_URL=postgres://…`` switches to PostgreSQL (psycopg 3), and
``DJANGO_ENV=production`` turns on the production posture (see README).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_required(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required when DJANGO_ENV=production."
        )
    return value


DJANGO_ENV = env("DJANGO_ENV", "development").strip().lower()
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    DEBUG = False
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in env_required("ALLOWED_HOSTS").split(",") if h.strip()]
else:
    DEBUG = env_bool("DEBUG", True)
    # A development-only key; production refuses to start without SECRET_KEY.
    SECRET_KEY = env("SECRET_KEY", "django-insecure-newsroom-development-key-not-for-production")
    ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",  # login throttling (see AXES_* below)
    "csp",  # Content-Security-Policy header (see CONTENT_SECURITY_POLICY below)
    "newsroom",  # the reader site's page cache and the `newsroom` template tags (no model of an app)
    "entities",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after SecurityMiddleware, so pages served from the page cache get the header too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached public pages for anonymous readers, before sessions, locale, CSRF, auth, axes (issue 12).
    "newsroom.public_pages.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsroom.locale.EditionLocaleMiddleware",  # reader: script edition from the URL; admin: editor's choice
    "newsroom.simplified.SimplifiedScriptMiddleware",  # /zh-hans/ pages that no public view converted
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

# Login throttling with django-axes. Chosen over a cache-based middleware because its counters
# live in the database, so every gunicorn worker (with or without Redis) sees the same failures.
# Each parameter locks on its own: an account after AXES_FAILURE_LIMIT failures from anywhere,
# an address after as many failures on any accounts. A success resets the counters.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out request before the password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "1"))  # hours; the lock lifts by itself after that
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Behind a proxy, the client address is the n-th from the right of X-Forwarded-For (set
# AXES_PROXY_COUNT to the number of proxies); without it REMOTE_ADDR is the client.
if env("AXES_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(env("AXES_PROXY_COUNT"))
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Content-Security-Policy (django-csp 4). No inline script anywhere: every script is a static file
# ('self'); JSON data blocks (json_script, application/ld+json) are not executed, so CSP leaves
# them alone. Inline styles stay allowed (the Django admin's change list and the 500 page use them).
# Story images may be hosted elsewhere (the importer accepts http(s) image URLs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "https:", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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

# Database. SQLite is the embedded default; DATABASE_URL=postgres://… selects PostgreSQL through
# psycopg 3. We use persistent connections (CONN_MAX_AGE) with health checks rather than Django's
# psycopg pool: it works the same under gunicorn's sync workers and survives a server restart
# (a dead connection is replaced at the next request boundary).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so a
    # transaction never fails half-way with "database is locked"; the timeout makes writers queue.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # SQLite connections are cheap; persistent ones would pin WAL snapshots.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: a page's queries run in milliseconds, but a plan costed high (EXISTS probes over a big
    # corpus) made PostgreSQL spend 1.3 s compiling a 30 ms query (bench/, issue 12).
    # No parallel workers: starting two took 7 ms of a 10 ms entity-page query that reads 1,000 rows
    # (page 50 of the hottest entity at 100,000 stories, 1.4 ms in one process); the web workers
    # already keep the cores busy.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = (DATABASES["default"]["OPTIONS"].get("options", "")
                                                  + " -c jit=off -c max_parallel_workers_per_gather=0").strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Traditional Chinese by default; editors may switch the admin to English or Simplified Chinese.
# Readers get only the two script editions (newsroom/locale.py), never an English edition.
# Each language is named in itself (as language menus do), so the names need no translation.
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("zh-hans", "简体中文"), ("en", "English")]
# The admin's language for an editor who has not chosen one (the tests set it to English, the msgids).
EDITOR_LANGUAGE_CODE = LANGUAGE_CODE
# The catalogs (.po sources and compiled .mo) are committed; see locale/README.md.
LOCALE_PATHS = [BASE_DIR / "locale"]
# House style for quotation marks, set when pages are served (the stored text keeps the author's):
# opening and closing double marks, then single. The Taiwan and Hong Kong press use 「」『』; the
# mainland and NYT 中文網's simplified edition “”‘’. Leave an edition out to print marks as stored.
QUOTE_MARKS = {"zh-hant": "「」『』", "zh-hans": "“”‘’"}
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Manifest storage needs collectstatic; only production runs it.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# A shared cache (Redis) when REDIS_URL is set, so every worker sees the same page cache and its
# invalidations; otherwise a per-process memory cache (fine for one process and for tests).
if env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Cached public pages skip the page-state query while nothing was written (newsroom.public_pages):
# writers on this host touch a change-mark file (default: one per database in the temp folder);
# writes from other hosts are seen within PAGE_STATE_RECHECK_SECONDS.
PAGE_STATE_RECHECK_SECONDS = float(env("PAGE_STATE_RECHECK_SECONDS", "1"))
PAGE_STATE_MARK_FILE = env("PAGE_STATE_MARK_FILE") or None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12  # an editor's working day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
    if env_bool("SECURE_PROXY_SSL", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS if h and not h.startswith(".")]

LOGIN_URL = "admin:login"

# The largest file `import_story` reads (JSON or raw text), checked before reading it. 2 MB is ~7
# times the bundled edition; a raw file that size is ~700,000 characters, 50 long features.
IMPORT_MAX_BYTES = int(float(env("IMPORT_MAX_MB", "2")) * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
