"""How busy one ressource is: the detail's statistics and week ahead, and the planning.

Each answers in a fixed number of SQL queries whatever the amount of data; recurring
periods are expanded in Python by ``calendrier``. The free search across ressources is in
``recherche``.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.core.exceptions import ValidationError
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from resa_project.requetes import RequeteCompilee
from ressources.models import Etat, Ressource
from sites.models import Site

from . import calendrier
from .models import (
    STATUTS_BLOQUANTS,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    borne_chevauchement,
    fin_recurrence_minimum,
)

NB_PROCHAINES_RESERVATIONS = 5
NB_JOURS_DISPONIBILITE = 7
PLANNING_JOURS_MAX = 31
PLANNING_JOURS_DEFAUT = 7
UNE_HEURE = timedelta(hours=1)

RAISONS_ETAT = {
    Etat.EN_MAINTENANCE: "Ressource en maintenance",
    Etat.HORS_SERVICE: "Ressource hors service",
}
RAISON_AUCUN_CRENEAU = "Aucun créneau d'une heure libre ce jour."
RAISON_HORS_FENETRES = "Aucune période de disponibilité normale ce jour."


def _arrondi(valeur) -> float:
    return round(float(valeur or 0), 2)


def _heures(duree: timedelta | None) -> float:
    return (duree or timedelta()).total_seconds() / 3600


def _dt(moment: datetime) -> Value:
    return Value(moment, output_field=DateTimeField())


def _duree(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DurationField())


# --- The week ahead (detail) -------------------------------------------------------------


@dataclass
class Semaine:
    """What the detail needs about the next 7 days, loaded in two queries (the blocking
    reservations and the periods touching them).

    ``minuits`` are the 8 midnights around the 7 days (``debut`` the first, ``fin`` the
    last), ``ouvertures`` each day's opening and closing instants in UTC (see
    ``_bornes_du_jour``); ``zone`` is the organisation's, looked up once (each lookup goes
    through asgiref's Local)."""

    jours: list[date]
    debut: datetime
    fin: datetime
    zone: tzinfo
    minuits: list[datetime]
    ouvertures: list[tuple[datetime, datetime]]
    reservations: list[tuple[datetime, datetime]] = field(default_factory=list)
    periodes: list[ResourceAvailability] = field(default_factory=list)


# The detail's queries, compiled once per process (resa_project.requetes): the ORM would
# otherwise spend more time building and compiling them than the database answering them.
_CHAMPS_PERIODE = [champ.attname for champ in ResourceAvailability._meta.concrete_fields]
# What the detail shows of an upcoming reservation (ProchaineReservationSerializer).
_CHAMPS_PROCHAINE = ["id", "user_id", "debut", "fin", "statut", "description", "nbr_participants"]

_RESERVATIONS_SEMAINE = RequeteCompilee(
    lambda ressource_id, debut, fin, debut_apres, maintenant: (
        Reservation.objects.bloquantes(maintenant)
        .filter(ressource_id=ressource_id)
        .chevauche(debut, fin, debut_apres=debut_apres)
        .order_by()
        .values_list("debut", "fin")
    ),
    types=(int, datetime, datetime, datetime, datetime),
)
_PERIODES_SEMAINE = RequeteCompilee(
    lambda ressource_id, debut, fin, fin_recurrence_depuis: (
        ResourceAvailability.objects.filter(ressource_id=ressource_id)
        .pouvant_toucher(debut, fin, fin_recurrence_depuis=fin_recurrence_depuis)
        .values_list(*_CHAMPS_PERIODE)
    ),
    types=(int, datetime, datetime, date),
)
_PROCHAINES = RequeteCompilee(
    lambda ressource_id, maintenant: (
        Reservation.objects.bloquantes(maintenant)
        .filter(ressource_id=ressource_id, debut__gt=maintenant)
        .order_by("debut", "id")
        .values_list(*_CHAMPS_PROCHAINE)[:NB_PROCHAINES_RESERVATIONS]
    ),
    types=(int, datetime),
)


def charger_semaine(ressource: Ressource, *, maintenant: datetime | None = None) -> Semaine:
    """Blocking reservations and periods touching today .. today + 6 (two queries)."""
    maintenant = maintenant or timezone.now()
    zone = timezone.get_current_timezone()
    jours = calendrier.jours(timezone.localdate(maintenant, zone), NB_JOURS_DISPONIBILITE)
    minuits = [
        calendrier.debut_du_jour(jour, zone) for jour in [*jours, jours[-1] + timedelta(days=1)]
    ]
    ouverture, fermeture = ressource.horaires()
    ouvertures = [_bornes_du_jour(jour, ouverture, fermeture, zone) for jour in jours]
    debut, fin = minuits[0], minuits[-1]
    reservations = _RESERVATIONS_SEMAINE.lignes(
        ressource.pk, debut, fin, borne_chevauchement(debut), maintenant
    )
    periodes = [
        ResourceAvailability.from_db("default", _CHAMPS_PERIODE, ligne)
        for ligne in _PERIODES_SEMAINE.lignes(
            ressource.pk, debut, fin, fin_recurrence_minimum(debut)
        )
    ]
    return Semaine(jours, debut, fin, zone, minuits, ouvertures, reservations, periodes)


def _bornes_du_jour(
    jour: date, ouverture: time, fermeture: time, zone: tzinfo
) -> tuple[datetime, datetime]:
    """Opening and closing instants of ``jour`` in UTC: Python subtracts and compares two
    datetimes of one zone by wall-clock time, which is wrong on a daylight-saving day."""
    o, f = calendrier.bornes_du_jour(jour, ouverture, fermeture, zone)
    return o.astimezone(UTC), f.astimezone(UTC)


def _heures_pleines(minuit: datetime, lendemain: datetime):
    """The whole hours from ``minuit`` to the next midnight as UTC ``(debut, fin)``,
    stepping in real time: 23 on the spring change day (no 02:00), 25 in autumn (02:00
    twice)."""
    debut, lendemain = minuit.astimezone(UTC), lendemain.astimezone(UTC)
    while debut + UNE_HEURE <= lendemain:
        yield debut, debut + UNE_HEURE
        debut += UNE_HEURE


def _union_dans(intervalles, debut: datetime, fin: datetime) -> timedelta:
    """Length of the union of ``intervalles`` clipped to ``[debut, fin)``."""
    total, curseur = timedelta(), debut
    for i_debut, i_fin in sorted(intervalles):
        i_debut, i_fin = max(i_debut, curseur), min(i_fin, fin)
        if i_fin > i_debut:
            total += i_fin - i_debut
            curseur = i_fin
    return total


def taux_occupation(ressource: Ressource, semaine: Semaine) -> float:
    """Booked share (``en_cours``/``confirme``) of the open hours of the 7 days, in percent."""
    ouvert, reserve = timedelta(), timedelta()
    for o, f in semaine.ouvertures:
        ouvert += f - o
        reserve += _union_dans(semaine.reservations, o, f)
    if not ouvert:
        return 0.0
    return min(100.0, _arrondi(reserve / ouvert * 100))


def statistiques_ressource(
    ressource: Ressource,
    *,
    maintenant: datetime | None = None,
    semaine: Semaine | None = None,
) -> dict:
    """The detail's ``statistiques``: one aggregate query (plus the week, if not given)."""
    maintenant = maintenant or timezone.now()
    semaine = semaine or charger_semaine(ressource, maintenant=maintenant)
    lignes = _CHIFFRES.lignes(ressource.pk, maintenant, maintenant - timedelta(days=30))
    total, actives, a_venir, duree_30_jours, moyenne = (
        lignes[0] if lignes else (0, 0, 0, None, None)
    )
    return {
        "total_reservations": total,
        "reservations_actives": actives,
        "reservations_a_venir": a_venir,
        "taux_occupation_7_jours": taux_occupation(ressource, semaine),
        "heures_reservees_30_jours": _arrondi(_heures(duree_30_jours)),
        "reservation_moyenne_duree": _arrondi(moyenne.total_seconds() / 60 if moyenne else 0),
    }


def _chiffres(ressource_id, maintenant, debut_30_jours):
    """The detail's aggregates over a ressource's reservations, as one grouped row."""
    duree = _duree(F("fin") - F("debut"))
    duree_30_jours = _duree(
        Least(F("fin"), _dt(maintenant)) - Greatest(F("debut"), _dt(debut_30_jours))
    )
    # Rows counted by ``debut`` (never null): every column read is in the index
    # ``reservation_ressource_detail``, which PostgreSQL then scans alone (SQLite's indexes
    # hold the id).
    return (
        Reservation.objects.filter(ressource_id=ressource_id)
        .values("ressource_id")
        .annotate(
            total=Count("debut"),
            actives=Count(
                "debut",
                filter=Q(
                    statut=StatutReservation.CONFIRME, debut__lte=maintenant, fin__gt=maintenant
                ),
            ),
            a_venir=Count("debut", filter=Q(statut__in=STATUTS_BLOQUANTS, debut__gt=maintenant)),
            duree_30_jours=Sum(
                duree_30_jours,
                filter=Q(
                    statut__in=(StatutReservation.CONFIRME, StatutReservation.FINI),
                    debut__lt=maintenant,
                    fin__gt=debut_30_jours,
                ),
            ),
            duree_moyenne=Avg(duree, filter=~Q(statut=StatutReservation.ANNULE)),
        )
        .values_list("total", "actives", "a_venir", "duree_30_jours", "duree_moyenne")
    )


_CHIFFRES = RequeteCompilee(_chiffres, types=(int, datetime, datetime))


def prochaines_reservations(
    ressource: Ressource, *, maintenant: datetime | None = None
) -> list[Reservation]:
    """The next ``en_cours``/``confirme`` reservations starting after now (one query), with
    only the fields the detail shows (the others deferred)."""
    maintenant = maintenant or timezone.now()
    return [
        Reservation.from_db("default", _CHAMPS_PROCHAINE, ligne)
        for ligne in _PROCHAINES.lignes(ressource.pk, maintenant)
    ]


def _raison(periode: ResourceAvailability) -> str:
    return periode.raison_indisponibilite or periode.get_type_disponibilite_display()


def _a_des_periodes_normales(ressource: Ressource) -> bool:
    valeur = getattr(ressource, "a_periodes_normales", None)
    if valeur is None:
        valeur = ResourceAvailability.objects.filter(ressource=ressource).normales().exists()
    return valeur


def _jour(date_, est_disponible, raison=None, creneaux=()):
    """One day of ``disponibilite_7_jours``: the contract's integer count of free one-hour
    slots (``creneaux_disponibles``) and, beside it, the slots themselves (``creneaux``)."""
    creneaux = list(creneaux)
    return {
        "date": date_,
        "est_disponible": est_disponible,
        "raison_indisponibilite": raison,
        "creneaux_disponibles": len(creneaux),
        "creneaux": creneaux,
    }


def disponibilite_7_jours(
    ressource: Ressource,
    *,
    maintenant: datetime | None = None,
    semaine: Semaine | None = None,
) -> list[dict]:
    """Today and the next 6 days: is the ressource bookable, and its free one-hour slots
    (their number in ``creneaux_disponibles``, the list in ``creneaux``).

    A slot is a whole hour on the hour (an hour of real time, see ``_heures_pleines``) inside
    that day's opening hours, not yet begun, that no blocking reservation or unavailability
    occurrence touches and, if the ressource has ``disponibilite_normale`` periods, inside
    one of them. A day whose opening hours are entirely covered by blocking unavailabilities
    carries their reason.
    """
    maintenant = maintenant or timezone.now()
    semaine = semaine or charger_semaine(ressource, maintenant=maintenant)
    if ressource.etat != Etat.ACTIVE:
        raison = RAISONS_ETAT.get(ressource.etat, RAISONS_ETAT[Etat.HORS_SERVICE])
        return [_jour(jour, False, raison) for jour in semaine.jours]

    bloquantes, normales = [], []
    for periode in semaine.periodes:
        occurrences = calendrier.occurrences(periode, semaine.debut, semaine.fin)
        if periode.est_bloquante:
            bloquantes.extend((d, f, periode) for d, f in occurrences)
        else:
            normales.extend(occurrences)
    avec_normales = _a_des_periodes_normales(ressource)
    zone = semaine.zone
    occupes = semaine.reservations + [(d, f) for d, f, _ in bloquantes]

    resultat = []
    for rang, jour in enumerate(semaine.jours):
        o, f = semaine.ouvertures[rang]
        du_jour = [(d, fin, p) for d, fin, p in bloquantes if d < f and fin > o]
        if du_jour and calendrier.union_couvre([(d, fin) for d, fin, _ in du_jour], o, f):
            raisons = list(dict.fromkeys(_raison(p) for _, _, p in du_jour))
            resultat.append(_jour(jour, False, " ; ".join(raisons)))
            continue
        creneaux = []
        for debut, fin in _heures_pleines(*semaine.minuits[rang : rang + 2]):
            if debut < o or fin > f or debut < maintenant:
                continue
            if any(d < fin and e > debut for d, e in occupes):
                continue
            if avec_normales and not any(d <= debut and fin <= e for d, e in normales):
                continue
            creneaux.append({"debut": _hhmm(debut, zone), "fin": _hhmm(fin, zone)})
        if creneaux:
            resultat.append(_jour(jour, True, None, creneaux))
        elif avec_normales and not any(d < f and e > o for d, e in normales):
            resultat.append(_jour(jour, False, RAISON_HORS_FENETRES))
        else:
            resultat.append(_jour(jour, False, RAISON_AUCUN_CRENEAU))
    return resultat


def _hhmm(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.hour:02d}:{local.minute:02d}"


def detail_ressource(ressource: Ressource, *, maintenant: datetime | None = None) -> dict:
    """The whole ``GET /ressources/{id}`` body: four queries after the ressource itself."""
    maintenant = maintenant or timezone.now()
    semaine = charger_semaine(ressource, maintenant=maintenant)
    return {
        "ressource": ressource,
        "statistiques": statistiques_ressource(ressource, maintenant=maintenant, semaine=semaine),
        "prochaines_reservations": prochaines_reservations(ressource, maintenant=maintenant),
        "disponibilite_7_jours": disponibilite_7_jours(
            ressource, maintenant=maintenant, semaine=semaine
        ),
    }


def avec_indicateur_normales(queryset):
    """Annotate ``a_periodes_normales`` so the week ahead needs no extra query."""
    return queryset.annotate(
        a_periodes_normales=Exists(
            ResourceAvailability.objects.normales().filter(ressource=OuterRef("pk"))
        )
    )


_CHAMPS_RESSOURCE = [champ.attname for champ in Ressource._meta.concrete_fields]
_CHAMPS_SITE = [champ.attname for champ in Site._meta.concrete_fields]
_RESSOURCE_DU_DETAIL = RequeteCompilee(
    lambda pk, user_id: (
        avec_indicateur_normales(
            Ressource.objects.filter(pk=pk).annotate(
                est_favori=Ressource.objects.favoris_de(user_id)
            )
        )
        .order_by()
        .values_list(
            *_CHAMPS_RESSOURCE,
            *(f"site__{nom}" for nom in _CHAMPS_SITE),
            "est_favori",
            "a_periodes_normales",
        )
    ),
    types=(int, int),
)


def ressource_du_detail(pk: int, user) -> Ressource | None:
    """The ressource ``pk`` with its site, ``est_favori`` for ``user`` and
    ``a_periodes_normales``, as the detail needs it (one query, compiled once), or None."""
    lignes = _RESSOURCE_DU_DETAIL.lignes(pk, user.pk)
    if not lignes:
        return None
    (ligne,) = lignes
    n, m = len(_CHAMPS_RESSOURCE), len(_CHAMPS_SITE)
    ressource = Ressource.from_db("default", _CHAMPS_RESSOURCE, ligne[:n])
    ressource.site = Site.from_db("default", _CHAMPS_SITE, ligne[n : n + m])
    ressource.est_favori, ressource.a_periodes_normales = ligne[n + m :]
    return ressource


# --- Planning ----------------------------------------------------------------------------


def _jours_plus_tard(moment: datetime, jours: int) -> datetime:
    """``moment`` moved by whole days of the organisation's calendar (the same time on the
    clock: 7 days across a daylight-saving change last 167 or 169 hours), in UTC."""
    local = calendrier.local_naif(moment) + timedelta(days=jours)
    return calendrier.rendre_conscient(local).astimezone(UTC)


def fenetre_planning(du: datetime | None, au: datetime | None) -> tuple[datetime, datetime]:
    """``du``/``au`` with their defaults: today's start and 7 days later (either one given
    moves the other by 7 days). At most 31 days, ``au`` after ``du`` (compared as instants);
    days are calendar days in the organisation's zone."""
    if du is None and au is None:
        du = calendrier.debut_du_jour(timezone.localdate())
    if au is None:
        au = _jours_plus_tard(du, PLANNING_JOURS_DEFAUT)
    elif du is None:
        du = _jours_plus_tard(au, -PLANNING_JOURS_DEFAUT)
    du, au = du.astimezone(UTC), au.astimezone(UTC)
    if au <= du:
        raise ValidationError({"au": ["au doit être postérieur à du."]})
    if au > _jours_plus_tard(du, PLANNING_JOURS_MAX):
        raise ValidationError(
            {"au": [f"La fenêtre du planning dure au plus {PLANNING_JOURS_MAX} jours."]}
        )
    return du, au


def planning(ressource: Ressource, du: datetime, au: datetime) -> list[dict]:
    """Busy intervals overlapping ``[du, au)``: blocking reservations (without whose or what)
    and every period occurrence, sorted by start (two queries)."""
    intervalles = [
        {"debut": d, "fin": f, "type": "reservation", "statut": statut}
        for d, f, statut in Reservation.objects.bloquantes()
        .filter(ressource=ressource)
        .chevauche(du, au)
        .values_list("debut", "fin", "statut")
    ]
    for periode in ResourceAvailability.objects.filter(ressource=ressource).pouvant_toucher(du, au):
        intervalles.extend(
            {
                "debut": d,
                "fin": f,
                "type": "indisponibilite",
                "type_disponibilite": periode.type_disponibilite,
            }
            for d, f in calendrier.occurrences(periode, du, au)
        )
    intervalles.sort(key=lambda i: (i["debut"], i["fin"], i["type"]))
    return intervalles
