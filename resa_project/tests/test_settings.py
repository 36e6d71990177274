"""The settings fail closed: production safety unless DEBUG is asked for."""

import os
import subprocess
import sys
from pathlib import Path

from resa_project.settings import BASE_DIR, _cle_locale


def _reglages(**env):
    environnement = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    environnement.update(env, DJANGO_SETTINGS_MODULE="resa_project.settings")
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environnement,
        capture_output=True,
        text=True,
        check=True,
    )
    return sortie.stdout.split()


def test_debug_is_off_unless_set():
    assert _reglages(SECRET_KEY="k" * 64) == ["False", "True", "True", "31536000"]
    assert _reglages(DEBUG="1")[0] == "True"


def test_without_secret_key_a_server_gets_a_random_key_kept_in_a_private_file(tmp_path: Path):
    chemin = tmp_path / ".secret_key"
    cle = _cle_locale(chemin)
    assert len(cle) >= 50
    assert _cle_locale(chemin) == cle  # the same key for every worker and restart
    assert chemin.stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [chemin]
