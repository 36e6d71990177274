"""A headless Chromium driven over the W3C WebDriver protocol (chromedriver), with the
standard library only: the project does not depend on a browser, the checks that use one
skip when ``/usr/bin/chromium`` or ``/usr/bin/chromedriver`` is missing.

Install them for checking only: ``apt-get install -y chromium chromium-driver``.
"""

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARGUMENTS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=fr-FR",
]


def disponible() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Navigateur:
    """One browser session: ``ouvrir(url)``, ``dom()``, ``capture(chemin)``, ``erreurs()``."""

    def __init__(self, *, largeur=1400, hauteur=1000):
        self.profil = tempfile.mkdtemp(prefix="resa-chromium-")
        port = _port_libre()
        self.base = f"http://127.0.0.1:{port}"
        self.pilote = subprocess.Popen(
            [str(CHROMEDRIVER), f"--port={port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._attendre_le_pilote()
        reponse = self._appel(
            "POST",
            "/session",
            {
                "capabilities": {
                    "alwaysMatch": {
                        "browserName": "chrome",
                        "goog:chromeOptions": {
                            "binary": str(CHROMIUM),
                            "args": [
                                *ARGUMENTS,
                                f"--user-data-dir={self.profil}",
                                f"--window-size={largeur},{hauteur}",
                            ],
                        },
                        "goog:loggingPrefs": {"browser": "ALL"},
                    }
                }
            },
        )
        self.session = reponse["sessionId"]

    def _attendre_le_pilote(self):
        limite = time.monotonic() + 20
        while time.monotonic() < limite:
            try:
                with urllib.request.urlopen(f"{self.base}/status", timeout=1) as r:
                    if json.load(r)["value"]["ready"]:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("chromedriver ne répond pas")

    def _appel(self, methode, chemin, corps=None):
        donnees = None if corps is None else json.dumps(corps).encode()
        requete = urllib.request.Request(
            f"{self.base}{chemin}",
            data=donnees,
            method=methode,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(requete, timeout=60) as r:
            return json.load(r)["value"]

    def _session(self, methode, chemin, corps=None):
        return self._appel(methode, f"/session/{self.session}{chemin}", corps)

    def ouvrir(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    def ajouter_cookie(self, nom: str, valeur: str) -> None:
        """For the current page's host (open a page of the site first)."""
        self._session("POST", "/cookie", {"cookie": {"name": nom, "value": valeur, "path": "/"}})

    def dom(self) -> str:
        return self._session("GET", "/source")

    def executer(self, script: str):
        return self._session("POST", "/execute/sync", {"script": script, "args": []})

    def capture(self, chemin: Path) -> Path:
        chemin.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))
        return chemin

    def journal(self) -> list[dict]:
        """The browser's console since the last call (chromedriver's log endpoint)."""
        return self._session("POST", "/se/log", {"type": "browser"})

    def erreurs(self) -> list[str]:
        """Console errors and uncaught exceptions (level SEVERE), but the browser's own
        request of ``/favicon.ico`` (the project has none; no page asks for it)."""
        return [
            e["message"]
            for e in self.journal()
            if e.get("level") == "SEVERE" and "/favicon.ico " not in e["message"]
        ]

    def fermer(self) -> None:
        try:
            self._session("DELETE", "")
        finally:
            self.pilote.terminate()
            self.pilote.wait(timeout=10)
            shutil.rmtree(self.profil, ignore_errors=True)
