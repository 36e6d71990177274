"""Resa settings: one module, every knob read from the environment.

Production safety (secure cookies, HSTS, SSL redirect, no debug pages) is the default;
``DEBUG=1`` (set by ``scripts/dev.sh``) turns it off for development. See ``.env.example``
for every variable.
"""

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for (scripts/dev.sh asks): a forgotten variable fails closed.
DEBUG = env.bool("DEBUG", default=False)


def _cle_locale(chemin: Path) -> str:
    """A random key kept in a git-ignored file, made once (atomically: every worker of a
    first start reads the same key), for a server started without ``SECRET_KEY``."""
    if not chemin.exists():
        provisoire = chemin.with_name(f"{chemin.name}.{os.getpid()}")
        provisoire.write_text(secrets.token_urlsafe(64))
        provisoire.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(provisoire, chemin)
        provisoire.unlink()
    return chemin.read_text().strip()


_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdefghijklmnop"
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    _DEV_SECRET_KEY if DEBUG else _cle_locale(BASE_DIR / ".secret_key")
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "sites",
    "ressources",
    "reservations",
    "notifications",
    "calendriers",
    "webhooks",
    "statistiques",
    "tableau",
    "taches",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Sessions, request.user and messages, for the back-office's paths only (the API has
    # its own tokens): see resa_project/middleware.py.
    "resa_project.middleware.BackOfficeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The journal's channel (api / admin) for the rest of the request.
    "resa_project.canal.CanalMiddleware",
]

MIDDLEWARE_BACK_OFFICE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

# The admin's checks look for these three in MIDDLEWARE; BackOfficeMiddleware runs them for
# every admin path (tests of the admin pages and its login prove it).
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

ROOT_URLCONF = "resa_project.urls"
APPEND_SLASH = False

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

WSGI_APPLICATION = "resa_project.wsgi.application"

# Database: a SQLite file by default, PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, with each statement's placeholders converted once
    # (resa_project/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "resa_project.sqlite"
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN, so a
    # check-then-insert inside transaction.atomic() cannot interleave with another writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_TIMEOUT", default=20),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters: psycopg then prepares a statement the connection has run
    # PG_PREPARE_THRESHOLD times (5) and PostgreSQL skips parsing and planning it again,
    # which is most of the server's work for the API's small indexed queries.
    # PG_SERVER_SIDE_BINDING=0 goes back to client-side binding (e.g. behind PgBouncer in
    # transaction mode before 1.21, which cannot keep prepared statements).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = env.bool(
        "PG_SERVER_SIDE_BINDING", default=True
    )
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env.int(
        "PG_PREPARE_THRESHOLD", default=5
    )
# Persistent connections on both databases: the worker runs thousands of short tasks, and
# reopening SQLite (with its PRAGMAs) or PostgreSQL around each one would cost more than
# the task.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A health check makes the first query of every request a "SELECT 1" round trip on
# PostgreSQL. Off by default: after a database restart, each worker thread's next request
# fails once (Django then drops the broken connection). CONN_HEALTH_CHECKS=1 to prefer that
# no request ever sees it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)

CACHE_URL = env.str("CACHE_URL", default="")
# The throttles and the failed-login counters live in this cache, so it must be shared by
# every worker process: by default files on this machine (nothing to install), Redis with
# several machines (CACHE_URL=redis://...). A per-process memory cache would let each
# gunicorn worker count on its own.
CACHES = {
    "default": env.cache_url_config(CACHE_URL)
    if CACHE_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env.str("CACHE_DIR", default=str(BASE_DIR / ".cache" / "django")),
    }
}

# Per-process memos of what many requests read again (the token and its user, the sites and
# departments, the catalogue's list and the free search's candidates), kept while
# a stamp shared by the host's processes is unchanged (resa_project/marques.py): a token
# revoked or a user changed in any process is seen by every other one at its next request.
# MEMO_SECONDES bounds what a change made outside the app's receivers (raw SQL) leaves
# stale. The stamps are files on this host, which other hosts do not see: with several
# hosts (CACHE_URL set), the memos are off unless MEMO_SECONDES says otherwise.
MARQUES_DIR = env.str("MARQUES_DIR", default=str(BASE_DIR / ".cache" / "marques"))
MEMO_SECONDES = env.int("MEMO_SECONDES", default=0 if CACHE_URL else 30)

# Background work (API.md C2): the code enqueues with django.tasks; the backend is chosen
# here. "database" (default): tasks stored in Resa's own database, run by
# ``manage.py worker`` (nothing else to install, SQLite included). "immediate": run in the
# enqueuing process right after commit (tests, quick trials). "rq": a Redis queue
# (REDIS_URL) for several app servers and workers.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
_BACKENDS_TACHES = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "rq": "django_tasks_rq.RQBackend",
}
if TASKS_BACKEND not in _BACKENDS_TACHES:
    raise environ.ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r}: choose one of {', '.join(_BACKENDS_TACHES)}."
    )
TASKS = {"default": {"BACKEND": _BACKENDS_TACHES[TASKS_BACKEND]}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        "default": {"URL": env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")},
    }


# Email (API.md C3): EMAIL_URL in django-environ's syntax (default: see MAILERS below);
# smtp+tls://user:password@host:587 in production;
# filemail:////var/tmp/resa-mail writes each message to a file of that folder. A mail
# server that does not answer fails the send after EMAIL_TIMEOUT seconds (it is retried
# with backoff); it never holds a request, which only enqueues.
def _mailer(url: str, timeout: int) -> dict:
    config = env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend.endswith(".smtp.EmailBackend"):
        options = {
            "host": config["EMAIL_HOST"] or "localhost",
            "port": config["EMAIL_PORT"] or 25,
            "username": config["EMAIL_HOST_USER"] or "",
            "password": config["EMAIL_HOST_PASSWORD"] or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": timeout,
        }
    elif backend.endswith(".filebased.EmailBackend"):
        options = {"file_path": config["EMAIL_FILE_PATH"]}
    return {"BACKEND": backend, "OPTIONS": options}


# Unset: the console with DEBUG=1 (scripts/dev.sh), a local mail server (smtp://localhost:25)
# otherwise, as Django's own default.
MAILERS = {
    "default": _mailer(
        env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"),
        env.int("EMAIL_TIMEOUT", default=10),
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Resa <resa@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Webhooks (API.md C6): subscription URLs must resolve to public addresses, except inside
# these comma-separated CIDRs (e.g. 10.0.0.0/8 for an intranet receiver). Empty by default.
WEBHOOKS_RESEAUX_AUTORISES = env.list("WEBHOOKS_RESEAUX_AUTORISES", default=[])
# The public base URL of Resa (links in messages, feed addresses, calendar UIDs), e.g.
# https://resa.example.com. Unset: http://localhost:8000, or the request's host where a
# request is at hand.
RESA_URL = env.str("RESA_URL", default="").rstrip("/")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication tokens (see accounts.authentication).
TOKEN_LIFETIME = timedelta(hours=env.float("TOKEN_LIFETIME_HOURS", default=24))
SESSION_TOKEN_COOKIE = "session_token"
# Failed logins per (email, IP), and per email from any address, before a 429; the window
# in which both are counted (see accounts.throttling).
LOGIN_ECHECS_MAX = env.int("LOGIN_ECHECS_MAX", default=5)
LOGIN_ECHECS_MAX_PAR_EMAIL = env.int("LOGIN_ECHECS_MAX_PAR_EMAIL", default=20)
LOGIN_ECHECS_FENETRE = timedelta(minutes=env.int("LOGIN_ECHECS_FENETRE_MINUTES", default=15))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["resa_project.renderers.JSONRapideRenderer"],
    "DEFAULT_PARSER_CLASSES": ["resa_project.parsers.JSONStrictParser"],
    "DEFAULT_FILTER_BACKENDS": ["resa_project.parametres.FiltresBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "resa_project.exceptions.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "resa_project.negociation.NegociationRapide",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("AUTH_THROTTLE_RATE", default="10/min"),
    },
    # Reverse proxies in front of Resa: the client address is the NUM_PROXIES-th entry from
    # the end of X-Forwarded-For. 0 (default): X-Forwarded-For is ignored, REMOTE_ADDR is
    # the client. Never leave it unset (None): DRF would then trust the header verbatim.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DATETIME_FORMAT": "iso-8601",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Resa API",
    "DESCRIPTION": (
        "Réservation de salles, d'équipements et de véhicules sur plusieurs sites. "
        "Authentification : `Authorization: Bearer <token>` ou cookie `session_token` ; "
        "avec le cookie, les requêtes POST, PUT, PATCH et DELETE portent l'en-tête "
        "`X-CSRFToken` égal au cookie `csrftoken`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # /docs and /redoc load Swagger UI and ReDoc from Resa's own static files (package
    # drf-spectacular-sidecar), never from a CDN: they work on an intranet without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several components have a ``type`` field: the conflicts' and the planning's keep
    # their enum's name (``Evenement.type`` gets ``EvenementTypeEnum``).
    "ENUM_NAME_OVERRIDES": {
        "TypeEnum": ["reservation", "indisponibilite"],
        # Two ``statut`` enums: the reservation's, and the outcome of one date of a series
        # (API.md C7).
        "StatutEnum": "reservations.models.StatutReservation",
        "StatutOccurrenceEnum": ["reservee", "refusee", "libre"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "resa_project.schema.chemins_du_contrat",
        "resa_project.schema.heures_locales",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The worker polls the database queue every second: its "no more tasks" is noise.
        "django_tasks_db": {"level": "WARNING"},
    },
}

# Production safety: on as soon as DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REFERRER_POLICY = "same-origin"
