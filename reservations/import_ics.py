"""Calendar import (API.md C7): the VEVENTs of an iCalendar file as the dates of a series.

The file is untrusted input. It is read as **bytes** (icalendar 7 reads a *file* when
given a ``str`` that names an existing path), at most ``TAILLE_MAX`` of them, must start
with ``BEGIN:VCALENDAR``, and whatever icalendar makes of it is checked again here: any
parsing failure, invalid property or unsupported shape is a ``ValidationError`` (400) with
a French message naming the event, never a 500.

Each VEVENT gives dates at its own wall-clock times in its own zone (``TZID``, UTC for a
``Z`` time, ``TIME_ZONE`` for a floating time): its ``DTSTART``/``DTEND`` (or
``DURATION``), expanded by its ``RRULE`` (dateutil, on naive local times, as a series) and
``RDATE``, minus its ``EXDATE``; an event with a ``RECURRENCE-ID`` replaces that occurrence
of its master (same ``UID``); ``STATUS:CANCELLED`` events are left out. Each rule obeys
the series' limits, and so does the whole file (200 dates, the last at most 365 days after
the first). ``SUMMARY`` becomes the description.
"""

import logging
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar, vRecur
from icalendar.timezone.tzid import tzid_from_tzinfo

from resa_project.erreurs import ErreurDomaine
from resa_project.parametres import ANNEE_MAX, ANNEE_MIN, MSG_HORS_LIMITES

from .calendrier import local_naif
from .series import (
    ETENDUE_MAX,
    MSG_TROP_D_OCCURRENCES,
    MSG_TROP_LONGUE,
    NB_OCCURRENCES_MAX,
    creneau_local,
    dates_limitees,
)

logger = logging.getLogger(__name__)

TAILLE_MAX = 1_000_000
# An RRULE is expanded this far at most: beyond the series' 365 days, far enough to see that
# a rule goes on (then refused), never to year 9999 for a rule that matches no date.
HORIZON_REGLE = timedelta(days=2 * 366)

MSG_TROP_VOLUMINEUX = "Le fichier dépasse 1 Mo : importez un calendrier plus petit."
MSG_PAS_ICALENDAR = (
    "Ce fichier n'est pas un calendrier iCalendar (.ics) : il doit commencer par BEGIN:VCALENDAR."
)
MSG_ILLISIBLE = (
    "Calendrier iCalendar illisible : une ligne est mal formée ou un composant (BEGIN/END) "
    "n'est pas refermé."
)
MSG_AUCUN_EVENEMENT = "Le calendrier ne contient aucun événement (VEVENT) à réserver."
MSG_EVENEMENT = "Événement « {nom} » : {raison}"
RAISON_PROPRIETE = "propriété {nom} invalide"
RAISON_SANS_DEBUT = "DTSTART manquant"
RAISON_JOURNEE = "un événement sur la journée entière n'a pas d'heures à réserver"
RAISON_SANS_FIN = "ni DTEND ni DURATION"
RAISON_FIN_AVANT = "la fin précède le début"
RAISON_REGLE = "règle RRULE invalide ou non prise en charge"
RAISON_REGLES = "une seule règle RRULE est prise en charge"
RAISON_COUNT_UNTIL = "RRULE ne peut porter à la fois COUNT et UNTIL"
RAISON_RDATE = "seules les dates et heures sont prises en charge dans RDATE"


class FichierTropVolumineux(ErreurDomaine):
    status_code = 413
    code = "trop_volumineux"
    detail = MSG_TROP_VOLUMINEUX


def _erreur(message):
    return ValidationError({"fichier": [message]})


def _erreur_evenement(evenement, raison):
    nom = str(evenement.get("SUMMARY") or evenement.get("UID") or "sans titre")[:80]
    return _erreur(MSG_EVENEMENT.format(nom=nom, raison=raison))


def lire(donnees: bytes) -> Calendar:
    """The calendar in ``donnees`` (bytes, at most ``TAILLE_MAX``)."""
    if len(donnees) > TAILLE_MAX:
        raise FichierTropVolumineux
    texte = donnees.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not texte[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        raise _erreur(MSG_PAS_ICALENDAR)
    try:
        return Calendar.from_ical(texte)
    except Exception:  # untrusted input: whatever icalendar raises is a 400
        logger.debug("Calendrier illisible", exc_info=True)
        raise _erreur(MSG_ILLISIBLE) from None


def _zone(moment: datetime):
    """The zone an event's times are meant in: IANA when icalendar can name it."""
    if moment.tzinfo is None:
        return timezone.get_current_timezone()
    if isinstance(moment.tzinfo, ZoneInfo):
        return moment.tzinfo
    try:
        return ZoneInfo(tzid_from_tzinfo(moment.tzinfo) or "")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return moment.tzinfo


def _naif(moment, zone) -> datetime:
    """``moment`` as a naive wall-clock time of ``zone`` (floating times already are)."""
    if moment.tzinfo is None:
        return moment
    return local_naif(moment, zone)


def _valeur(evenement, nom):
    try:
        return evenement.decoded(nom) if nom in evenement else None
    except Exception:
        raise _erreur_evenement(evenement, RAISON_PROPRIETE.format(nom=nom)) from None


def _dates_de(evenement, nom, zone) -> list:
    """The datetimes (naive in ``zone``) and dates of ``EXDATE``/``RDATE`` lines."""
    lignes = evenement.get(nom)
    if lignes is None:
        return []
    valeurs = []
    for ligne in lignes if isinstance(lignes, list) else [lignes]:
        for valeur in getattr(ligne, "dts", ()):
            moment = valeur.dt
            if isinstance(moment, datetime):
                valeurs.append(_naif(moment, zone))
            elif isinstance(moment, date) and nom == "EXDATE":
                valeurs.append(moment)
            else:
                raise _erreur_evenement(evenement, RAISON_RDATE)
    return valeurs


def _regle(evenement, debut_naif: datetime, zone):
    """The event's RRULE as an iterable of naive starts in ``zone`` (None: no rule), never
    past ``HORIZON_REGLE`` (its UNTIL and COUNT applied)."""
    regles = evenement.get("RRULE")
    if regles is None:
        return None
    if isinstance(regles, list):
        if len(regles) != 1:
            raise _erreur_evenement(evenement, RAISON_REGLES)
        (regles,) = regles
    parties = {cle: valeur for cle, valeur in regles.items() if cle not in ("UNTIL", "COUNT")}
    until, nombre = regles.get("UNTIL"), regles.get("COUNT")
    if until and nombre:
        raise _erreur_evenement(evenement, RAISON_COUNT_UNTIL)
    horizon = debut_naif + HORIZON_REGLE
    if until:
        fin = until[0]
        fin = _naif(fin, zone) if isinstance(fin, datetime) else datetime.combine(fin, time.max)
        horizon = min(horizon, fin)
    try:
        texte = vRecur(parties).to_ical().decode()
        regle = rrule.rrulestr(texte, dtstart=debut_naif).replace(until=horizon)
        return islice(regle, int(nombre[0]) if nombre else None)
    except Exception:  # an RRULE dateutil refuses, whatever the reason
        raise _erreur_evenement(evenement, RAISON_REGLE) from None


def _fenetre(evenement):
    """``(debut_naif, fin_naif, zone)`` of an event."""
    debut = _valeur(evenement, "DTSTART")
    if debut is None:
        raise _erreur_evenement(evenement, RAISON_SANS_DEBUT)
    if not isinstance(debut, datetime):
        raise _erreur_evenement(
            evenement,
            RAISON_JOURNEE if isinstance(debut, date) else RAISON_PROPRIETE.format(nom="DTSTART"),
        )
    if not ANNEE_MIN <= debut.year <= ANNEE_MAX:
        raise _erreur_evenement(evenement, MSG_HORS_LIMITES)
    zone = _zone(debut)
    debut_naif = _naif(debut, zone)
    fin = _valeur(evenement, "DTEND")
    duree = _valeur(evenement, "DURATION")
    if isinstance(fin, datetime):
        fin_naif = _naif(fin, zone) if fin.tzinfo is not None else fin
    elif isinstance(duree, timedelta):
        fin_naif = debut_naif + duree
    elif fin is None and duree is None:
        raise _erreur_evenement(evenement, RAISON_SANS_FIN)
    else:
        raise _erreur_evenement(
            evenement, RAISON_PROPRIETE.format(nom="DTEND" if fin is not None else "DURATION")
        )
    if fin_naif <= debut_naif:
        raise _erreur_evenement(evenement, RAISON_FIN_AVANT)
    return debut_naif, fin_naif, zone


def _instance(evenement, zone):
    """The naive start (in ``zone``) of the occurrence a ``RECURRENCE-ID`` replaces."""
    moment = _valeur(evenement, "RECURRENCE-ID")
    if isinstance(moment, datetime):
        return _naif(moment, zone)
    return moment


def _debuts(evenement, debut_naif, zone) -> list[datetime]:
    """The event's starts (naive in ``zone``): DTSTART, its RRULE and RDATE, less EXDATE."""
    regle = _regle(evenement, debut_naif, zone)
    try:
        debuts = dates_limitees(debut_naif.date(), regle) if regle is not None else [debut_naif]
    except ValidationError as exc:
        raise _erreur_evenement(evenement, exc.messages[0]) from None
    if debut_naif not in debuts:
        debuts.insert(0, debut_naif)  # DTSTART is the first occurrence (RFC 5545)
    debuts = sorted(set(debuts) | set(_dates_de(evenement, "RDATE", zone)))
    exclues = set(_dates_de(evenement, "EXDATE", zone))
    return [d for d in debuts if d not in exclues and d.date() not in exclues]


def creneaux(calendrier: Calendar) -> list:
    """The dates of the calendar's events (``series.Creneau``), checked against the limits."""
    evenements = [c for c in calendrier.subcomponents if c.name == "VEVENT"]
    for evenement in evenements:
        if evenement.errors:
            nom, _ = evenement.errors[0]
            raise _erreur_evenement(evenement, RAISON_PROPRIETE.format(nom=nom))
    evenements = [e for e in evenements if str(e.get("STATUS", "")).upper() != "CANCELLED"]
    remplacees = set()
    for evenement in evenements:
        if "RECURRENCE-ID" in evenement:
            _, _, zone = _fenetre(evenement)
            remplacees.add((str(evenement.get("UID", "")), _instance(evenement, zone)))
    resultat = []
    for evenement in evenements:
        debut_naif, fin_naif, zone = _fenetre(evenement)
        uid = str(evenement.get("UID", ""))
        description = str(evenement.get("SUMMARY", ""))
        debuts = [debut_naif]
        if "RECURRENCE-ID" not in evenement:
            debuts = [
                d
                for d in _debuts(evenement, debut_naif, zone)
                if (uid, d) not in remplacees and (uid, d.date()) not in remplacees
            ]
        duree = fin_naif - debut_naif
        resultat += [creneau_local(d, d + duree, zone, description) for d in debuts]
    if not resultat:
        raise _erreur(MSG_AUCUN_EVENEMENT)
    if len(resultat) > NB_OCCURRENCES_MAX:
        raise ValidationError({"fichier": [MSG_TROP_D_OCCURRENCES]})
    resultat.sort(key=lambda c: (c.debut, c.fin))
    premiere = timezone.localdate(resultat[0].debut)
    derniere = timezone.localtime(resultat[-1].debut)
    if derniere.date() > premiere + ETENDUE_MAX:
        raise ValidationError({"fichier": [MSG_TROP_LONGUE.format(date=f"{derniere:%d/%m/%Y}")]})
    return resultat


def creneaux_du_fichier(donnees: bytes) -> list:
    """Parse ``donnees`` and return its dates (see the module's docstring)."""
    return creneaux(lire(donnees))
