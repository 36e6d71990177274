"""iCalendar (RFC 5545) data for reservations: the invitations attached to notifications
(API.md C3) and the calendar feeds (C5) are built here, so a reservation has one ``UID``,
one ``STATUS`` mapping and one way of writing its time everywhere.

- ``vevent(reservation, sequence=...)`` gives the ``VEVENT`` of one reservation;
- ``calendrier(vevents, methode=...)`` wraps events into a ``VCALENDAR`` (bytes) with a
  ``VTIMEZONE`` for ``TIME_ZONE``, whose ``TZID`` every ``DTSTART``/``DTEND`` carries.

``SEQUENCE`` is the caller's: the number of changes the journal holds for the reservation
(its creation is 0), so that calendar clients apply a newer message and ignore an older one.
"""

import functools
from datetime import UTC, date, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress

from .models import StatutReservation

__all__ = [
    "METHODE_ANNULATION",
    "METHODE_DEMANDE",
    "PRODID",
    "STATUTS_ICS",
    "calendrier",
    "hote",
    "lieu",
    "resume",
    "uid",
    "url_base",
    "vevent",
    "vtimezone",
]

PRODID = "-//Resa//Réservations de ressources//FR"
METHODE_DEMANDE = "REQUEST"
METHODE_ANNULATION = "CANCEL"
URL_PAR_DEFAUT = "http://localhost:8000"

STATUTS_ICS = {
    StatutReservation.EN_ATTENTE: "TENTATIVE",
    StatutReservation.CONFIRME: "CONFIRMED",
    StatutReservation.FINI: "CONFIRMED",
    StatutReservation.ANNULE: "CANCELLED",
    StatutReservation.NON_PRESENT: "CANCELLED",
}


def url_base() -> str:
    """The public base URL (``RESA_URL``), without a trailing slash."""
    return (settings.RESA_URL or URL_PAR_DEFAUT).rstrip("/")


def hote() -> str:
    """The host part of the public URL: the domain of every ``UID``."""
    return urlsplit(url_base()).hostname or "localhost"


def uid(reservation_id: int) -> str:
    return f"reservation-{reservation_id}@{hote()}"


def resume(reservation) -> str:
    """``SUMMARY``: "<ressource> — <description>", or the ressource alone."""
    description = " ".join((reservation.description or "").split())
    nom = reservation.ressource.nom
    return f"{nom} — {description}" if description else nom


def lieu(ressource) -> str:
    """``LOCATION``: site, building, floor, number (those given)."""
    parties = [
        ressource.site.nom,
        ressource.localisation_batiment,
        f"étage {ressource.localisation_etage}" if ressource.localisation_etage else "",
        f"n° {ressource.localisation_numero}" if ressource.localisation_numero else "",
    ]
    return ", ".join(partie for partie in parties if partie)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _adresse(adresse: str, nom: str = "", **parametres) -> vCalAddress:
    valeur = vCalAddress(f"mailto:{adresse}")
    if nom:
        valeur.params["CN"] = nom
    for cle, param in parametres.items():
        valeur.params[cle.upper()] = param
    return valeur


def _organisateur() -> vCalAddress:
    nom, adresse = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return _adresse(adresse or settings.DEFAULT_FROM_EMAIL, nom)


def vevent(
    reservation, *, sequence: int, horodatage: datetime | None = None, description: str = ""
) -> Event:
    """The ``VEVENT`` of ``reservation`` (saved or not: a reservation rebuilt from the
    journal works too; ``ressource``, its ``site`` and ``user`` must be set).

    ``horodatage`` is ``DTSTAMP`` and ``LAST-MODIFIED`` (default: now); ``description``
    becomes ``DESCRIPTION`` when given.
    """
    zone = _zone()
    horodatage = (horodatage or timezone.now()).astimezone(UTC)
    beneficiaire = reservation.user
    statut = STATUTS_ICS[StatutReservation(reservation.statut)]
    evenement = Event.new(
        uid=uid(reservation.pk),
        sequence=sequence,
        stamp=horodatage,
        last_modified=horodatage,
        start=reservation.debut.astimezone(zone),
        end=reservation.fin.astimezone(zone),
        summary=resume(reservation),
        location=lieu(reservation.ressource),
        status=statut,
        organizer=_organisateur(),
        description=description or None,
    )
    evenement.add(
        "attendee",
        _adresse(
            beneficiaire.email,
            beneficiaire.nom_prenom,
            role="REQ-PARTICIPANT",
            partstat="TENTATIVE" if statut == "TENTATIVE" else "ACCEPTED",
            rsvp="FALSE",
        ),
    )
    return evenement


@functools.lru_cache(maxsize=16)
def vtimezone(tzid: str, premiere_annee: int, derniere_annee: int) -> Timezone:
    # Shared, read-only: serialising a calendar does not change its components.
    composant = Timezone.from_tzid(
        tzid, first_date=date(premiere_annee, 1, 1), last_date=date(derniere_annee + 1, 1, 1)
    )
    composant.pop("COMMENT", None)  # icalendar's note, in English, on the covered range
    return composant


def calendrier(vevents, *, methode: str | None = None, nom: str | None = None) -> bytes:
    """A ``VCALENDAR`` holding ``vevents``, with ``METHOD`` (an invitation: ``REQUEST`` or
    ``CANCEL``; none for a feed), ``X-WR-CALNAME`` when ``nom`` is given, and the
    ``VTIMEZONE`` of ``TIME_ZONE`` covering the years of the events."""
    vevents = list(vevents)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if methode:
        cal.add("method", methode)
    if nom:
        cal.add("x-wr-calname", nom)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
    annees = [e.start.year for e in vevents] + [e.end.year for e in vevents]
    aujourdhui = timezone.localdate().year
    cal.add_component(
        vtimezone(
            settings.TIME_ZONE, min(annees, default=aujourdhui), max(annees, default=aujourdhui)
        )
    )
    for evenement in vevents:
        cal.add_component(evenement)
    return cal.to_ical()
