"""Where a webhook may be sent (API.md C6): an http(s) URL whose host is, and resolves only
to, public addresses, unless an address lies inside ``WEBHOOKS_RESEAUX_AUTORISES``.

The rule is checked when a subscription's URL is set and again at each delivery, on the
addresses the name resolves to *then*; the delivery connects to one of those checked
addresses (see ``envoi``), never to a name resolved a second time, so a DNS answer that
changes between the check and the connection (DNS rebinding) cannot send the request
elsewhere.

Refused: loopback, unspecified, private, link-local, multicast, reserved, site-local and
any other non-global address, IPv4 and IPv6 alike; an IPv4-mapped IPv6 address
(``::ffff:10.0.0.1``) is judged as the IPv4 address it carries.
"""

import ipaddress
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

URL_LONGUEUR_MAX = 2000
SCHEMAS = ("http", "https")
PORTS_PAR_DEFAUT = {"http": 80, "https": 443}

MSG_URL_TEXTE = "Adresse invalide : attendu une URL http:// ou https://."
MSG_URL_SCHEMA = "L'URL doit commencer par http:// ou https://."
MSG_URL_HOTE = "L'URL doit nommer un hôte (http://hote[:port]/chemin)."
MSG_URL_PORT = "Port invalide dans l'URL : attendu un entier entre 1 et 65535."
MSG_URL_IDENTIFIANTS = "L'URL ne doit pas contenir d'identifiants (utilisateur:mot de passe@)."
MSG_URL_CARACTERES = (
    "L'URL contient des espaces, des caractères de contrôle ou non ASCII hors du nom "
    "d'hôte : encodez-les (%XX)."
)
MSG_URL_LONGUE = f"L'URL dépasse {URL_LONGUEUR_MAX} caractères."
MSG_NOM_INCONNU = "Le nom d'hôte « {hote} » ne se résout pas : vérifiez l'URL."
MSG_ADRESSE_REFUSEE = (
    "L'hôte « {hote} » désigne l'adresse {adresse}, qui est {motif} : seules les adresses "
    "publiques sont acceptées, sauf dans les réseaux de WEBHOOKS_RESEAUX_AUTORISES."
)

# Seam for the tests (a name that resolves to a chosen address); the standard resolver.
getaddrinfo = socket.getaddrinfo


class DestinationRefusee(Exception):
    """The URL, its host or one of its addresses breaks the rule; ``str()`` says why, in
    French, without the URL's path or query (which may carry a token)."""


@dataclass(frozen=True)
class Cible:
    """A parsed webhook URL: ``hote`` is ASCII (IDNA), without brackets for IPv6;
    ``chemin`` is the path and query sent in the request line (the fragment never is)."""

    schema: str
    hote: str
    port: int
    chemin: str


@dataclass(frozen=True)
class Adresse:
    """One resolved and checked address: what ``socket.connect`` takes."""

    famille: int
    sockaddr: tuple
    ip: str


def analyser(url) -> Cible:
    """``url`` parsed, or ``DestinationRefusee`` (syntax only: nothing is resolved)."""
    if not isinstance(url, str) or not url:
        raise DestinationRefusee(MSG_URL_TEXTE)
    if len(url) > URL_LONGUEUR_MAX:
        raise DestinationRefusee(MSG_URL_LONGUE)
    # Checked on the raw text: ``urlsplit`` silently drops tabs and newlines.
    if any(c <= " " or c == "\x7f" for c in url):
        raise DestinationRefusee(MSG_URL_CARACTERES)
    try:
        parties = urlsplit(url)
    except ValueError:
        raise DestinationRefusee(MSG_URL_HOTE) from None
    schema = parties.scheme.lower()
    if schema not in SCHEMAS:
        raise DestinationRefusee(MSG_URL_SCHEMA)
    try:
        port = parties.port
    except ValueError:
        raise DestinationRefusee(MSG_URL_PORT) from None
    if port == 0:
        raise DestinationRefusee(MSG_URL_PORT)
    if parties.username is not None or parties.password is not None:
        raise DestinationRefusee(MSG_URL_IDENTIFIANTS)
    hote = (parties.hostname or "").rstrip(".")
    if not hote:
        raise DestinationRefusee(MSG_URL_HOTE)
    try:
        hote = hote.encode("idna").decode("ascii")
    except UnicodeError:
        raise DestinationRefusee(MSG_URL_HOTE) from None
    chemin = parties.path or "/"
    if parties.query:
        chemin = f"{chemin}?{parties.query}"
    if not chemin.isascii():
        raise DestinationRefusee(MSG_URL_CARACTERES)
    return Cible(schema, hote, port or PORTS_PAR_DEFAUT[schema], chemin)


def valider_url(url) -> None:
    """Model validator: the URL's syntax (the addresses are checked by ``verifier_url``)."""
    try:
        analyser(url)
    except DestinationRefusee as exc:
        raise ValidationError(str(exc), code="url_invalide") from None


def reseaux_autorises() -> list:
    """``WEBHOOKS_RESEAUX_AUTORISES`` parsed; an invalid entry is logged and ignored (it
    allows nothing: the rule fails closed). ``checks`` reports it at start-up too."""
    reseaux = []
    for texte in settings.WEBHOOKS_RESEAUX_AUTORISES:
        try:
            reseaux.append(ipaddress.ip_network(str(texte).strip(), strict=False))
        except ValueError:
            logger.error("WEBHOOKS_RESEAUX_AUTORISES : réseau invalide ignoré : %r", texte)
    return reseaux


def _ip(texte: str):
    ip = ipaddress.ip_address(texte)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def motif_refus(ip) -> str | None:
    """Why ``ip`` (already unmapped) is not a public address, in French; None if it is."""
    if ip.is_unspecified:
        return "une adresse non spécifiée"
    if ip.is_loopback:
        return "une adresse de boucle locale"
    if ip.is_link_local:
        return "une adresse de lien local"
    if ip.is_multicast:
        return "une adresse de multidiffusion"
    if ip.version == 6 and ip.is_site_local:
        return "une adresse de site local"
    if ip.is_reserved:
        return "une adresse réservée"
    if ip.is_private:
        return "une adresse privée"
    if not ip.is_global:
        return "une adresse non publique"
    return None


def est_autorisee(ip, reseaux=None) -> tuple[bool, str | None]:
    """``(allowed, why not)`` for one address under the rule."""
    ip = _ip(str(ip))
    reseaux = reseaux_autorises() if reseaux is None else reseaux
    if any(ip.version == reseau.version and ip in reseau for reseau in reseaux):
        return True, None
    motif = motif_refus(ip)
    return motif is None, motif


def resoudre(hote: str, port: int) -> list[Adresse]:
    """Every address ``hote`` resolves to now (a literal address: itself, no DNS)."""
    try:
        reponses = getaddrinfo(hote, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        raise DestinationRefusee(MSG_NOM_INCONNU.format(hote=hote)) from None
    adresses, vues = [], set()
    for famille, _type, _proto, _nom, sockaddr in reponses:
        if famille not in (socket.AF_INET, socket.AF_INET6) or sockaddr in vues:
            continue
        vues.add(sockaddr)
        adresses.append(Adresse(famille, sockaddr, str(sockaddr[0])))
    if not adresses:
        raise DestinationRefusee(MSG_NOM_INCONNU.format(hote=hote))
    return adresses


def adresses_verifiees(cible: Cible) -> list[Adresse]:
    """The addresses of ``cible``'s host, all of them allowed; ``DestinationRefusee``
    naming the first one that is not (one refused address refuses the name: a client
    cannot choose which of them the connection would use)."""
    reseaux = reseaux_autorises()
    adresses = resoudre(cible.hote, cible.port)
    for adresse in adresses:
        try:
            autorisee, motif = est_autorisee(adresse.ip, reseaux)
        except ValueError:
            autorisee, motif = False, "illisible"
        if not autorisee:
            raise DestinationRefusee(
                MSG_ADRESSE_REFUSEE.format(hote=cible.hote, adresse=adresse.ip, motif=motif)
            )
    return adresses


def verifier_url(url) -> list[Adresse]:
    """The whole rule for ``url`` (syntax, resolution, every address); a refusal is a
    ``ValidationError`` on ``url``."""
    try:
        return adresses_verifiees(analyser(url))
    except DestinationRefusee as exc:
        raise ValidationError({"url": [str(exc)]}, code="url_refusee") from None
