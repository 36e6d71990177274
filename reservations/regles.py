"""The booking rules of the contract, in one place.

``evaluer_creneau`` applies every rule to one window and reports every refusal without
raising; ``verifier_creneau``, what every single booking (API, admin, commands) relies on,
wraps it: it raises a Django ``ValidationError`` (400) for a window that can never be
booked, and ``ConflitReservation`` / ``RessourceInactive`` (409) for a window that is taken
right now. A series evaluates each of its dates with the same function, against an
``Occupation`` loaded once for all of them. The free search uses the SQL mirrors defined
next to each rule.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import CharField, Func, Q, TimeField, Value
from django.utils import timezone

from resa_project.erreurs import ErreurDomaine
from ressources.models import Etat, TypeRessource
from sites.models import Site

from . import calendrier
from .creneaux import Occupation
from .creneaux import conflit_reservation as conflit_reservation  # used as regles.*
from .durees import DUREE_MAXIMUM, duree_maximum
from .models import Reservation

DUREE_MINIMUM = timedelta(minutes=30)

MSG_GRILLE = "Les horaires doivent tomber sur la grille de 15 minutes (minutes 00, 15, 30 ou 45, sans secondes)."
MSG_ORDRE = "La fin doit être postérieure au début."
MSG_DUREE_MIN = "Une réservation dure au moins 30 minutes."
MSG_DUREE_MAX = "Une réservation de ce type de ressource dure au plus {heures} heures."
MSG_CAPACITE = "Le nombre de participants dépasse la capacité de la ressource ({capacite})."
MSG_PASSE = "Impossible de réserver dans le passé."
MSG_HORAIRES_SALLE = "La salle n'est ouverte que de {ouverture} à {fermeture}, le même jour."
MSG_HORAIRES_SITE = "Le retrait et le retour doivent avoir lieu pendant l'ouverture du site ({ouverture}-{fermeture})."
MSG_HORS_FENETRE = (
    "La ressource n'est réservable que pendant ses périodes de disponibilité normale."
)
MSG_INACTIVE = "La ressource n'est pas active (état : {etat}) : elle ne peut pas être réservée."
MSG_CONFLIT = "Le créneau demandé est déjà pris."


class RessourceInactive(ErreurDomaine):
    code = "ressource_inactive"


class ConflitReservation(ErreurDomaine):
    """The window overlaps blocking reservations or unavailabilities (listed in ``conflits``)."""

    code = "conflit_reservation"
    detail = MSG_CONFLIT

    def __init__(self, conflits, detail=None):
        super().__init__(detail, conflits=conflits)


def _hhmm(moment):
    return moment.strftime("%H:%M")


def _en_utc(debut: datetime, fin: datetime) -> tuple[datetime, datetime]:
    """The window as UTC instants. Two datetimes of one zone compare and subtract by
    wall-clock time: the back-office's ``Europe/Paris`` values would make a vehicle booked
    from 12:00 to 12:00 across the autumn change last 24 hours instead of 25."""
    return debut.astimezone(UTC), fin.astimezone(UTC)


def verifier_fenetre(debut: datetime, fin: datetime, *, admin: bool, passe_verifie: bool = True):
    """Rules on the window alone (grid, order, 30 minutes, past). Returns the errors found."""
    debut, fin = _en_utc(debut, fin)
    erreurs = {}
    if not calendrier.sur_la_grille(debut):
        erreurs.setdefault("debut", []).append(MSG_GRILLE)
    if not calendrier.sur_la_grille(fin):
        erreurs.setdefault("fin", []).append(MSG_GRILLE)
    if fin <= debut:
        erreurs.setdefault("fin", []).append(MSG_ORDRE)
    elif fin - debut < DUREE_MINIMUM:
        erreurs.setdefault("fin", []).append(MSG_DUREE_MIN)
    if passe_verifie and not admin and debut < timezone.now():
        erreurs.setdefault("debut", []).append(MSG_PASSE)
    return erreurs


def erreur_horaires(ressource, debut: datetime, fin: datetime):
    """The opening-hours message if the window is outside them, else None."""
    ld, lf = timezone.localtime(debut), timezone.localtime(fin)
    ouverture, fermeture = ressource.horaires()
    if ressource.type_ressource == TypeRessource.SALLE:
        if ld.date() == lf.date() and ouverture <= ld.time() and lf.time() <= fermeture:
            return None
        return MSG_HORAIRES_SALLE.format(ouverture=_hhmm(ouverture), fermeture=_hhmm(fermeture))
    if ouverture <= ld.time() < fermeture and ouverture < lf.time() <= fermeture:
        return None
    return MSG_HORAIRES_SITE.format(ouverture=_hhmm(ouverture), fermeture=_hhmm(fermeture))


class Heure(Func):
    """A time of day given as its ISO text (``time.isoformat()``) in one parameter: the text
    SQLite stores a ``TimeField`` as (compared as text, as the ORM compares a ``time``), a
    ``time`` on PostgreSQL. A text, so that a compiled query (``resa_project.requetes``)
    can take it as a parameter."""

    template = "%(expressions)s"
    output_field = TimeField()

    def __init__(self, texte: str):
        super().__init__(Value(texte, output_field=CharField()))

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)::time", **extra)


def heures_locales(debut: datetime, fin: datetime) -> tuple[str, str, bool]:
    """The local times of day of ``debut`` and ``fin`` (ISO text), and whether they fall on
    the same local day: what ``q_horaires_aux_heures`` reads of a window."""
    ld, lf = timezone.localtime(debut), timezone.localtime(fin)
    return ld.time().isoformat(), lf.time().isoformat(), ld.date() == lf.date()


def q_horaires(debut: datetime, fin: datetime) -> Q:
    """SQL mirror of ``erreur_horaires`` for the free search (same window for every row)."""
    heure_debut, heure_fin, meme_jour = heures_locales(debut, fin)
    return q_horaires_aux_heures(heure_debut, heure_fin, meme_jour=meme_jour)


def q_horaires_aux_heures(heure_debut: str, heure_fin: str, *, meme_jour: bool) -> Q:
    """``q_horaires`` from ``heures_locales``. The sites' hours are read by two uncorrelated
    subqueries (a few sites, read once), not a join: no join for the planner to drive from
    the sites, so that the search's page is read in the order of an index."""
    td, tf = Heure(heure_debut), Heure(heure_fin)
    propres = Q(horaires_ouverture__isnull=False, horaires_fermeture__isnull=False)
    salle = Q(type_ressource=TypeRessource.SALLE)
    if meme_jour:
        ouverts = Site.objects.filter(horaires_ouverture__lte=td, horaires_fermeture__gte=tf)
        salle &= (propres & Q(horaires_ouverture__lte=td, horaires_fermeture__gte=tf)) | (
            ~propres & Q(site__in=ouverts.values("pk"))
        )
    else:
        salle = Q(pk__in=[])
    ouverts_aux_deux_bouts = Site.objects.filter(
        horaires_ouverture__lte=td,
        horaires_fermeture__gt=td,
        horaires_ouverture__lt=tf,
        horaires_fermeture__gte=tf,
    )
    autres = ~Q(type_ressource=TypeRessource.SALLE) & Q(
        site__in=ouverts_aux_deux_bouts.values("pk")
    )
    return salle | autres


def types_admis(duree: timedelta) -> list[str]:
    return [t for t, maximum in DUREE_MAXIMUM.items() if duree <= maximum]


@dataclass
class Evaluation:
    """Every refusal of one booking, without raising: the 400-kind ``erreurs`` (field ->
    messages, as ``ValidationError`` carries them), the ressource's state if it is not
    active (409), and the ``conflits`` (409)."""

    erreurs: dict
    inactive: str | None
    conflits: list

    @property
    def acceptee(self) -> bool:
        return not (self.erreurs or self.inactive or self.conflits)

    def lever(self):
        """Raise what ``verifier_creneau`` raises: the 400 first, then the 409s."""
        if self.erreurs:
            raise ValidationError(self.erreurs)
        if self.inactive:
            raise RessourceInactive(self.inactive)
        if self.conflits:
            raise ConflitReservation(self.conflits)


def message_inactive(ressource) -> str | None:
    if ressource.etat != Etat.ACTIVE:
        return MSG_INACTIVE.format(etat=ressource.etat)
    return None


def evaluer_creneau(
    ressource,
    debut: datetime,
    fin: datetime,
    *,
    nbr_participants: int = 1,
    admin: bool = False,
    passe_verifie: bool = True,
    exclure: Reservation | None = None,
    occupation: Occupation | None = None,
) -> Evaluation:
    """Every rule of a booking of ``ressource`` over ``[debut, fin)``, all refusals reported.

    ``occupation`` is what holds the ressource's time, already loaded around this window
    (a series loads it once for all its dates); without it, it is loaded for this window
    (at most three queries). ``exclure`` is the reservation being moved, which does not
    conflict with itself (it must then be excluded from ``occupation`` too).
    """
    debut, fin = _en_utc(debut, fin)
    if occupation is None:
        occupation = Occupation.charger([ressource], [(debut, fin)], exclure=exclure)
    erreurs = verifier_fenetre(debut, fin, admin=admin, passe_verifie=passe_verifie)
    maximum = duree_maximum(ressource)
    if fin > debut and fin - debut > maximum:
        heures = int(maximum.total_seconds() // 3600)
        erreurs.setdefault("fin", []).append(MSG_DUREE_MAX.format(heures=heures))
    if nbr_participants is not None and nbr_participants > ressource.capacite_maximum:
        erreurs.setdefault("nbr_participants", []).append(
            MSG_CAPACITE.format(capacite=ressource.capacite_maximum)
        )
    if not erreurs and (message := erreur_horaires(ressource, debut, fin)):
        erreurs["non_field_errors"] = [message]
    if not erreurs and not occupation.dans_une_fenetre_normale(ressource.pk, debut, fin):
        erreurs["non_field_errors"] = [MSG_HORS_FENETRE]
    conflits = conflits_du_creneau(ressource, debut, fin, exclure=exclure, occupation=occupation)
    return Evaluation(erreurs, message_inactive(ressource), conflits)


def verifier_creneau(
    ressource,
    debut: datetime,
    fin: datetime,
    *,
    nbr_participants: int = 1,
    admin: bool = False,
    passe_verifie: bool = True,
    exclure: Reservation | None = None,
):
    """Every rule of a booking of ``ressource`` over ``[debut, fin)`` (``evaluer_creneau``).

    Raises ``ValidationError`` (all the 400 errors at once), then ``RessourceInactive`` or
    ``ConflitReservation`` (409). ``exclure`` is the reservation being moved, which does
    not conflict with itself.
    """
    evaluer_creneau(
        ressource,
        debut,
        fin,
        nbr_participants=nbr_participants,
        admin=admin,
        passe_verifie=passe_verifie,
        exclure=exclure,
    ).lever()


def conflits_du_creneau(ressource, debut, fin, *, exclure=None, occupation=None) -> list[dict]:
    """Blocking reservations and unavailability occurrences overlapping the window (read
    from ``occupation`` when it is given, else from the database)."""
    if occupation is None:
        occupation = Occupation.charger([ressource], [(debut, fin)], exclure=exclure)
    return occupation.conflits(ressource.pk, debut, fin)
