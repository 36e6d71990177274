"""Test settings: the real settings, with a fast password hasher and a per-worker cache."""

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: live-server race tests need each thread to open its own connection.
    DATABASES["default"]["TEST"] = {"NAME": "test_resa.sqlite3"}
