"""Test settings: the real settings, with a fast password hasher and a per-process cache.

Test databases are named after the process, so that several test runs on one machine (and
pytest-xdist workers, which pytest-django suffixes anyway) never share one.
"""

import atexit
import os
import shutil
import tempfile

# Tests run with the production settings (DEBUG off) and a key of their own.
os.environ.setdefault("SECRET_KEY", "tests-only-" + "x" * 60)

from .settings import *  # noqa: E402, F403
from .settings import DATABASES, STORAGES  # noqa: E402

# Static files straight from the apps (no collectstatic, no manifest, whatever DEBUG is):
# {% static %} works in /docs and /redoc, and WhiteNoise serves the files through the
# test client from the finders.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_suffixe = os.environ.get("RESA_TEST_DB_SUFFIX", str(os.getpid()))
if DATABASES["default"]["ENGINE"] == "resa_project.sqlite":
    # A file, not memory: live-server race tests need each thread to open its own connection.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"resa_test_{_suffixe}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_resa_{_suffixe}"}

# The memos' stamps in a directory of this test process's own (of each xdist worker): what
# another process's tests change must not empty its memos in the middle of a test. A
# subprocess of a test finds it in MARQUES_DIR.
MARQUES_DIR = os.environ.get("MARQUES_DIR")
if not MARQUES_DIR:
    MARQUES_DIR = os.path.join(tempfile.gettempdir(), f"resa_test_marques_{_suffixe}")
    atexit.register(shutil.rmtree, MARQUES_DIR, ignore_errors=True)
MEMO_SECONDES = 30

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False

# Tasks run in the test process right after commit (tests of the real worker path switch
# to the database backend); mail goes to django.core.mail.outbox (pytest-django).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
