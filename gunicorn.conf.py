"""Gunicorn settings for Resa: ``.venv/bin/gunicorn -c gunicorn.conf.py resa_project.wsgi``.

Threaded workers (``gthread``): requests spend most of their time waiting on the database,
so a few processes with several threads each serve many clients. Connections beyond
``workers * threads`` wait in the listen backlog (2048) instead of being refused, so a burst
of 64 concurrent clients is queued and answered, and ``timeout`` bounds any stuck request.
Every knob can be overridden from the environment or the project's ``.env`` (see README.md).
"""

import multiprocessing
import os
from pathlib import Path

import environ

environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)


def _entier(nom, defaut):
    valeur = os.environ.get(nom, "").strip()
    return int(valeur) if valeur else defaut


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# 2 * cores + 1 is gunicorn's usual advice; capped so a large machine does not open more
# database connections than a default PostgreSQL (max_connections=100) accepts.
workers = _entier("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
threads = _entier("GUNICORN_THREADS", 4)
backlog = 2048
timeout = _entier("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (jitter avoids all of them restarting at once). Not too
# often: a new worker loads the URLconf and every view module again (about a second of
# CPU), a real share of a small machine under a steady load when it came every 2,000.
max_requests = _entier("GUNICORN_MAX_REQUESTS", 50_000)
max_requests_jitter = 5_000
preload_app = False
# No access log by default: the reverse proxy in front (nginx, Caddy) logs every request
# already, and formatting and writing a line per request is work on every request. GUNICORN_ACCESS_LOG=- writes it to stdout (or give a file).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "resa"


def on_starting(server):
    """Collect the static files at start when the storage needs them and they are missing.

    With DEBUG off, static URLs come from collectstatic's manifest (hashed names served by
    WhiteNoise): without it every page using ``{% static %}`` (/docs, /redoc, /admin/)
    would answer 500. Collecting takes a second or two, once, in the master process.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")
    import django

    django.setup()
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    manifeste = getattr(staticfiles_storage, "manifest_name", None)
    if manifeste and not staticfiles_storage.exists(manifeste):
        server.log.info("Resa: collecting static files into %s", staticfiles_storage.location)
        call_command("collectstatic", "--noinput", verbosity=0)


def post_worker_init(worker):
    """Load the URLconf (and with it every view module) before the first request, not
    during it: the first requests of each new worker would otherwise wait for it."""
    from django.urls import get_resolver, reverse

    get_resolver().url_patterns  # noqa: B018 - imports the views
    reverse("admin:index")  # builds the reverse lookup tables
