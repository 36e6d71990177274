"""One HTTP attempt of a delivery, with the standard library only.

- Standard Webhooks signature: ``v1,<base64 HMAC-SHA256(key, "<id>.<ts>.<body>")>``, the
  key being the base64-decoded part of the secret after ``whsec_``.
- The URL is checked again (``reseau``) and the request goes to one of the addresses that
  were just checked (the socket connects to that address; the ``Host`` header, TLS SNI and
  certificate verification keep the name), so a name that resolves elsewhere by now is
  refused and a second, different DNS answer cannot be used.
- ``DELAI_REPONSE`` seconds for the whole exchange (connection, request, status line and
  headers): a watchdog closes the socket when it is over, so a receiver that answers byte
  by byte cannot hold the worker either.
- Redirects are not followed (a 3xx is a failure); no proxy from the environment.
"""

import base64
import contextlib
import hashlib
import hmac
import http.client
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from . import reseau

#: Seconds a receiver has to answer (API.md C6: 10 s); tests shorten it.
DELAI_REPONSE = 10.0
PREFIXE_SECRET = "whsec_"
OCTETS_SECRET = 32
USER_AGENT = "Resa-Webhooks/1.0"
LONGUEUR_ERREUR_MAX = 500

MSG_DELAI = "Pas de réponse complète dans le délai de {delai:g} s."
MSG_REFUSEE = "Connexion refusée par le destinataire."
MSG_TLS = "Échec TLS : {erreur}"
MSG_CERTIFICAT = "Certificat TLS refusé : {erreur}"
MSG_RESEAU = "Erreur réseau : {erreur}"
MSG_HTTP_INVALIDE = "Réponse HTTP invalide : {erreur}"
MSG_REDIRECTION = "Redirection non suivie (HTTP {code}{vers})."
MSG_CODE = "Réponse HTTP {code} {raison}"


def nouveau_secret() -> str:
    """``whsec_`` + base64 of 32 random bytes (Standard Webhooks: 24 to 64)."""
    return PREFIXE_SECRET + base64.b64encode(secrets.token_bytes(OCTETS_SECRET)).decode("ascii")


def signer(secret: str, webhook_id: str, horodatage: int, corps: bytes) -> str:
    """The ``webhook-signature`` header's value for one attempt."""
    cle = base64.b64decode(secret.removeprefix(PREFIXE_SECRET))
    message = f"{webhook_id}.{horodatage}.".encode() + corps
    empreinte = hmac.new(cle, message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(empreinte).decode("ascii")


def entetes(*, secret: str, webhook_id: str, corps: bytes, horodatage: int | None = None):
    horodatage = int(time.time()) if horodatage is None else horodatage
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(horodatage),
        "webhook-signature": signer(secret, webhook_id, horodatage, corps),
    }


@dataclass(frozen=True)
class Resultat:
    """``code``: the HTTP status received (None without one); ``erreur``: why the attempt
    failed, in French (empty on success)."""

    code: int | None = None
    erreur: str = ""

    @property
    def reussi(self) -> bool:
        return not self.erreur and self.code is not None and 200 <= self.code < 300


def contexte_tls() -> ssl.SSLContext:
    """Certificates verified against the system's authorities and the URL's host name."""
    return ssl.create_default_context()


def _connecter(adresses, delai, source_address=None):
    """A TCP socket to the first of ``adresses`` (already checked) that accepts."""
    erreur = None
    for adresse in adresses:
        sock = socket.socket(adresse.famille, socket.SOCK_STREAM)
        try:
            sock.settimeout(delai)
            if source_address:
                sock.bind(source_address)
            sock.connect(adresse.sockaddr)
        except OSError as exc:
            sock.close()
            erreur = exc
            continue
        return sock
    raise erreur or OSError("aucune adresse")


class _Epinglee:
    """Mixin of the two connection classes: connect to the checked addresses, never to a
    name resolved again; stop everything when the watchdog fires."""

    def epingler(self, adresses):
        self.interrompue = False
        self._create_connection = lambda _adresse, delai, source=None: _connecter(
            adresses, delai, source
        )

    def interrompre(self):
        self.interrompue = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


class ConnexionHTTP(_Epinglee, http.client.HTTPConnection):
    pass


class ConnexionHTTPS(_Epinglee, http.client.HTTPSConnection):
    pass


def _connexion(cible: reseau.Cible, adresses, delai):
    if cible.schema == "https":
        connexion = ConnexionHTTPS(cible.hote, cible.port, timeout=delai, context=contexte_tls())
    else:
        connexion = ConnexionHTTP(cible.hote, cible.port, timeout=delai)
    connexion.epingler(adresses)
    return connexion


def _court(texte) -> str:
    texte = " ".join(str(texte).split())
    return texte[:LONGUEUR_ERREUR_MAX]


def poster(url: str, corps: bytes, entetes_http: dict) -> Resultat:
    """POST ``corps`` to ``url`` once; never raises for what the network or the receiver
    does (the answer says what happened)."""
    try:
        cible = reseau.analyser(url)
        adresses = reseau.adresses_verifiees(cible)
    except reseau.DestinationRefusee as exc:
        return Resultat(erreur=str(exc))
    delai = DELAI_REPONSE
    try:
        connexion = _connexion(cible, adresses, delai)
    except (http.client.HTTPException, ValueError) as exc:
        return Resultat(erreur=MSG_HTTP_INVALIDE.format(erreur=type(exc).__name__))
    chien_de_garde = threading.Timer(delai, connexion.interrompre)
    chien_de_garde.daemon = True
    debut = time.monotonic()
    code = raison = emplacement = None
    erreur = ""
    chien_de_garde.start()
    try:
        connexion.request("POST", cible.chemin, body=corps, headers=entetes_http)
        reponse = connexion.getresponse()
        code, raison = reponse.status, reponse.reason
        emplacement = reponse.getheader("Location")
    except TimeoutError:
        erreur = MSG_DELAI.format(delai=delai)
    except ConnectionRefusedError:
        erreur = MSG_REFUSEE
    except ssl.SSLCertVerificationError as exc:
        erreur = MSG_CERTIFICAT.format(erreur=exc.verify_message or exc.reason or exc)
    except ssl.SSLError as exc:
        erreur = MSG_TLS.format(erreur=exc.reason or exc)
    except http.client.HTTPException as exc:
        erreur = MSG_HTTP_INVALIDE.format(erreur=type(exc).__name__)
    except OSError as exc:
        erreur = MSG_RESEAU.format(erreur=exc.strerror or type(exc).__name__)
    finally:
        chien_de_garde.cancel()
        connexion.close()
    if connexion.interrompue or time.monotonic() - debut > delai:
        return Resultat(code=None, erreur=MSG_DELAI.format(delai=delai))
    if erreur:
        return Resultat(code=code, erreur=_court(erreur))
    if 300 <= code < 400:
        vers = f" vers {emplacement}" if emplacement else ""
        return Resultat(code=code, erreur=_court(MSG_REDIRECTION.format(code=code, vers=vers)))
    if not 200 <= code < 300:
        return Resultat(code=code, erreur=_court(MSG_CODE.format(code=code, raison=raison or "")))
    return Resultat(code=code)
