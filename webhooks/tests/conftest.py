"""Real HTTP receivers on loopback (``http.server`` in a thread), and a fake resolver for
host names (the network rule is checked on what names resolve to)."""

import http.server
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pytest

from webhooks import reseau


@dataclass
class Requete:
    methode: str
    chemin: str
    entetes: dict
    corps: bytes


@dataclass
class Reponse:
    code: int = 200
    entetes: dict = field(default_factory=dict)
    attente: float = 0.0


class Recepteur:
    """Records every request it gets; answers with the scripted ``Reponse``s in order,
    then with ``defaut``."""

    def __init__(self, hote="127.0.0.1", contexte_tls=None):
        self.hote = hote
        self.requetes: list[Requete] = []
        self.script: list[Reponse] = []
        self.defaut = Reponse()
        self.noms_sni: list[str] = []
        recepteur = self

        class Gestionnaire(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _traiter(self):
                longueur = int(self.headers.get("Content-Length") or 0)
                corps = self.rfile.read(longueur) if longueur else b""
                recepteur.requetes.append(
                    Requete(
                        self.command,
                        self.path,
                        {cle.lower(): valeur for cle, valeur in self.headers.items()},
                        corps,
                    )
                )
                reponse = recepteur.script.pop(0) if recepteur.script else recepteur.defaut
                if reponse.attente:
                    time.sleep(reponse.attente)
                self.send_response(reponse.code)
                for cle, valeur in reponse.entetes.items():
                    self.send_header(cle, valeur)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_GET = _traiter

            def log_message(self, format, *args):
                pass

        class Serveur(http.server.ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in hote else socket.AF_INET
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request, client_address):
                pass  # a client that gave up (timeout tests): nothing to report

        self.serveur = Serveur((hote, 0), Gestionnaire)
        if contexte_tls is not None:
            contexte_tls.sni_callback = lambda _sock, nom, _ctx: self.noms_sni.append(nom)
            self.serveur.socket = contexte_tls.wrap_socket(self.serveur.socket, server_side=True)
        self.port = self.serveur.server_address[1]
        self.fil = threading.Thread(target=self.serveur.serve_forever, args=(0.05,), daemon=True)
        self.fil.start()

    def url(self, chemin="/recevoir?jeton=abc", *, hote=None, schema="http") -> str:
        hote = hote or (f"[{self.hote}]" if ":" in self.hote else self.hote)
        return f"{schema}://{hote}:{self.port}{chemin}"

    def repondre(self, *reponses: Reponse) -> None:
        self.script.extend(reponses)

    def arreter(self):
        self.serveur.shutdown()
        self.serveur.server_close()


@pytest.fixture
def recepteurs():
    """``recepteurs()`` starts one more receiver; all stop after the test."""
    demarres = []

    def demarrer(**options):
        recepteur = Recepteur(**options)
        demarres.append(recepteur)
        return recepteur

    yield demarrer
    for recepteur in demarres:
        recepteur.arreter()


@pytest.fixture
def recepteur(recepteurs):
    return recepteurs()


@pytest.fixture
def boucle_autorisee(settings):
    """Loopback allowed, as a deployment would allow its intranet."""
    settings.WEBHOOKS_RESEAUX_AUTORISES = ["127.0.0.0/8", "::1/128"]


class FauxDNS:
    """Host names resolved from a table (``noms[nom] = ["10.0.0.1", ...]``); literal
    addresses as the system resolves them; anything else does not resolve."""

    def __init__(self):
        self.noms: dict[str, list[str]] = {}
        self.appels: list[str] = []
        self.reel = socket.getaddrinfo

    def __call__(self, hote, port, *args, **kwargs):
        self.appels.append(hote)
        if hote in self.noms:
            reponses = []
            for ip in self.noms[hote]:
                famille = socket.AF_INET6 if ":" in ip else socket.AF_INET
                sockaddr = (ip, port, 0, 0) if famille == socket.AF_INET6 else (ip, port)
                reponses.append((famille, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
            return reponses
        return self.reel(hote, port, *args, flags=socket.AI_NUMERICHOST, **kwargs)


@pytest.fixture
def dns(monkeypatch):
    faux = FauxDNS()
    monkeypatch.setattr(reseau, "getaddrinfo", faux)
    return faux


@pytest.fixture
def certificats(tmp_path):
    """A test authority and a certificate for ``recepteur.test`` it signed (openssl)."""

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=tmp_path, check=True, capture_output=True)

    try:
        openssl(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "2", "-subj", "/CN=Resa Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip
        openssl(
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "serveur.key", "-out",
            "serveur.csr", "-subj", "/CN=recepteur.test",
        )  # fmt: skip
        (tmp_path / "ext.cnf").write_text(
            "subjectAltName=DNS:recepteur.test\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
        )
        openssl(
            "x509", "-req", "-in", "serveur.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "serveur.pem", "-days", "2", "-extfile", "ext.cnf",
        )  # fmt: skip
    except (FileNotFoundError, subprocess.CalledProcessError):
        pytest.skip("openssl indisponible")
    serveur = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serveur.load_cert_chain(tmp_path / "serveur.pem", tmp_path / "serveur.key")
    return {"ca": tmp_path / "ca.pem", "serveur": serveur}
