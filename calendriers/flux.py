"""The calendar feeds (API.md C5): a user's reservations, and a ressource's busy times.

Each feed is read in a fixed number of queries (the journal's change counts come as a
subquery of the reservations' query) and written as RFC 5545 text line by line: a feed of
hundreds of events is written in a few milliseconds, where building ``icalendar`` components
takes about half a millisecond per event. What an event says is the shared vocabulary of
``reservations.ics`` (``UID``, ``SUMMARY``, ``LOCATION``, ``STATUS``), and the
``VTIMEZONE`` comes from the ``icalendar`` library; the tests parse every feed back with
``icalendar`` and check it property by property.

``DTSTAMP`` and ``LAST-MODIFIED`` are the reservation's last change, so the same data gives
the same bytes and the feed's ``ETag`` stays put while nothing changes.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from reservations import calendrier, ics
from reservations.models import Evenement, Reservation, ResourceAvailability, StatutReservation

FENETRE_PERSONNELLE = (timedelta(days=90), timedelta(days=365))
FENETRE_RESSOURCE = (timedelta(days=7), timedelta(days=90))
LONGUEUR_LIGNE = 75  # octets, CRLF excluded (RFC 5545 3.1)


# --- RFC 5545 text ------------------------------------------------------------------------


def texte(valeur: str) -> str:
    """A TEXT value, escaped (RFC 5545 3.3.11)."""
    return (
        valeur.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def plier(ligne: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    octets = ligne.encode()
    if len(octets) <= LONGUEUR_LIGNE:
        return ligne
    morceaux, debut, limite = [], 0, LONGUEUR_LIGNE
    while debut < len(octets):
        fin = min(debut + limite, len(octets))
        while fin < len(octets) and (octets[fin] & 0xC0) == 0x80:  # a continuation byte
            fin -= 1
        morceaux.append(octets[debut:fin].decode())
        debut, limite = fin, LONGUEUR_LIGNE - 1  # the leading space counts
    return "\r\n ".join(morceaux)


def _horodatage(m: datetime) -> str:
    # Formatted by hand: strftime costs several times more, a thousand times per feed.
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}"


def utc(moment: datetime) -> str:
    return _horodatage(moment.astimezone(UTC)) + "Z"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime, zone: ZoneInfo) -> str:
    return _horodatage(moment.astimezone(zone))


def ecrire(evenements: list[list[str]], *, nom: str, debut: datetime, fin: datetime) -> bytes:
    """A ``VCALENDAR`` of ``evenements`` (each a list of unfolded content lines), with a
    ``VTIMEZONE`` covering ``[debut, fin]``."""
    zone = settings.TIME_ZONE
    entete = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{ics.PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{texte(nom)}",
        f"X-WR-TIMEZONE:{zone}",
    ]
    morceaux = ["\r\n".join(plier(ligne) for ligne in entete), "\r\n"]
    morceaux.append(ics.vtimezone(zone, debut.year, fin.year).to_ical().decode())
    for lignes in evenements:
        morceaux.append("\r\n".join(plier(ligne) for ligne in lignes))
        morceaux.append("\r\n")
    morceaux.append("END:VCALENDAR\r\n")
    return "".join(morceaux).encode()


# --- the journal's change counts ----------------------------------------------------------


def _nombre_evenements(champ: str):
    """Subquery: how many events the journal holds for the outer row (its index serves)."""
    return Coalesce(
        Subquery(
            Evenement.objects.filter(**{champ: OuterRef("pk")})
            .order_by()
            .values(champ)
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def sequence(nombre_evenements: int) -> int:
    """``SEQUENCE``: the number of changes (the creation is not one)."""
    return max(nombre_evenements - 1, 0)


# --- the personal feed --------------------------------------------------------------------


COLONNES_FLUX = (
    "pk",
    "debut",
    "fin",
    "statut",
    "description",
    "date_creation",
    "date_modification",
    "nombre_evenements",
    "ressource_id",
    "ressource__nom",
    "ressource__localisation_batiment",
    "ressource__localisation_etage",
    "ressource__localisation_numero",
    "ressource__site__nom",
)


def reservations_du_flux(user, maintenant: datetime):
    """The rows of ``user``'s feed, as tuples of ``COLONNES_FLUX``: building model
    instances (a reservation, its ressource, its site) would cost most of the answer."""
    avant, apres = FENETRE_PERSONNELLE
    return (
        Reservation.objects.filter(
            Q(user=user) | Q(createur=user),
            debut__gte=maintenant - avant,
            debut__lte=maintenant + apres,
        )
        .annotate(nombre_evenements=_nombre_evenements("reservation"))
        .order_by("debut", "id")
        .values_list(*COLONNES_FLUX)
    )


def _reservation_du_flux(ligne, ressources: dict) -> SimpleNamespace:
    """A reservation-like object of one row, for ``reservations.ics``' vocabulary."""
    (pk, debut, fin, statut, description, creee, modifiee, nombre, ressource_id, *lieu) = ligne
    ressource = ressources.get(ressource_id)
    if ressource is None:
        nom, batiment, etage, numero, site = lieu
        ressource = ressources[ressource_id] = SimpleNamespace(
            nom=nom,
            localisation_batiment=batiment,
            localisation_etage=etage,
            localisation_numero=numero,
            site=SimpleNamespace(nom=site),
        )
    return SimpleNamespace(
        pk=pk,
        debut=debut,
        fin=fin,
        statut=statut,
        description=description,
        date_creation=creee,
        date_modification=modifiee,
        nombre_evenements=nombre,
        ressource=ressource,
    )


def vevent_reservation(reservation, zone: ZoneInfo) -> list[str]:
    statut = ics.STATUTS_ICS[StatutReservation(reservation.statut)]
    lignes = [
        "BEGIN:VEVENT",
        f"UID:{ics.uid(reservation.pk)}",
        f"DTSTAMP:{utc(reservation.date_modification)}",
        f"CREATED:{utc(reservation.date_creation)}",
        f"LAST-MODIFIED:{utc(reservation.date_modification)}",
        f"DTSTART;TZID={zone.key}:{local(reservation.debut, zone)}",
        f"DTEND;TZID={zone.key}:{local(reservation.fin, zone)}",
        f"SUMMARY:{texte(ics.resume(reservation))}",
        f"LOCATION:{texte(ics.lieu(reservation.ressource))}",
        f"STATUS:{statut}",
        f"SEQUENCE:{sequence(reservation.nombre_evenements)}",
    ]
    if statut == "CANCELLED":
        lignes.append("TRANSP:TRANSPARENT")
    lignes.append("END:VEVENT")
    return lignes


def flux_personnel(user, *, maintenant: datetime | None = None) -> tuple[bytes, datetime | None]:
    """The feed of ``user``'s reservations (beneficiary or creator) and its last change."""
    maintenant = maintenant or timezone.now()
    zone = _zone()
    ressources = {}
    reservations = [
        _reservation_du_flux(ligne, ressources) for ligne in reservations_du_flux(user, maintenant)
    ]
    avant, apres = FENETRE_PERSONNELLE
    corps = ecrire(
        [vevent_reservation(r, zone) for r in reservations],
        nom=f"Resa — {user.nom_prenom or user.email}",
        debut=maintenant - avant,
        fin=maintenant + apres,
    )
    return corps, max((r.date_modification for r in reservations), default=None)


# --- the busy feed of a ressource ---------------------------------------------------------


def _vevent_occupation(reservation, zone: ZoneInfo) -> list[str]:
    statut = ics.STATUTS_ICS[StatutReservation(reservation.statut)]
    return [
        "BEGIN:VEVENT",
        f"UID:reservation-{reservation.pk}-occupation@{ics.hote()}",
        f"DTSTAMP:{utc(reservation.date_modification)}",
        f"LAST-MODIFIED:{utc(reservation.date_modification)}",
        f"DTSTART;TZID={zone.key}:{local(reservation.debut, zone)}",
        f"DTEND;TZID={zone.key}:{local(reservation.fin, zone)}",
        "SUMMARY:Réservé",
        f"STATUS:{statut}",
        f"SEQUENCE:{sequence(reservation.nombre_evenements)}",
        "END:VEVENT",
    ]


def _vevent_indisponibilite(periode, o_debut, o_fin, zone: ZoneInfo) -> list[str]:
    raison = " ".join(periode.raison_indisponibilite.split())
    resume = f"Indisponible : {raison}" if raison else "Indisponible"
    return [
        "BEGIN:VEVENT",
        f"UID:indisponibilite-{periode.pk}-{utc(o_debut)}@{ics.hote()}",
        f"DTSTAMP:{utc(periode.date_creation)}",
        f"DTSTART;TZID={zone.key}:{local(o_debut, zone)}",
        f"DTEND;TZID={zone.key}:{local(o_fin, zone)}",
        f"SUMMARY:{texte(resume)}",
        "STATUS:CONFIRMED",
        f"SEQUENCE:{sequence(periode.nombre_evenements)}",
        "END:VEVENT",
    ]


def flux_ressource(ressource, *, maintenant: datetime | None = None):
    """The busy times of ``ressource``: its blocking reservations, with no description, and
    the occurrences of its blocking unavailabilities; and the last change among them."""
    maintenant = maintenant or timezone.now()
    zone = _zone()
    avant, apres = FENETRE_RESSOURCE
    debut, fin = maintenant - avant, maintenant + apres
    reservations = list(
        Reservation.objects.bloquantes(maintenant)
        .filter(ressource=ressource)
        .chevauche(debut, fin)
        .annotate(nombre_evenements=_nombre_evenements("reservation"))
        .only("pk", "debut", "fin", "statut", "date_modification")
        .order_by("debut", "id")
    )
    periodes = list(
        ResourceAvailability.objects.filter(ressource=ressource)
        .bloquantes()
        .pouvant_toucher(debut, fin)
        .annotate(nombre_evenements=_nombre_evenements("disponibilite"))
        .order_by("debut", "id")
    )
    evenements = [_vevent_occupation(r, zone) for r in reservations]
    for periode in periodes:
        for o_debut, o_fin in calendrier.occurrences(periode, debut, fin):
            evenements.append(_vevent_indisponibilite(periode, o_debut, o_fin, zone))
    corps = ecrire(evenements, nom=f"Resa — {ressource.nom} (occupation)", debut=debut, fin=fin)
    dates = [r.date_modification for r in reservations] + [p.date_creation for p in periodes]
    return corps, max(dates, default=None)
