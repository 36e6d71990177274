"""Read-side figures of the back-office: the dashboard and the week planning.

Every function answers in a fixed number of queries whatever the amount of data: sums are
grouped by the database, and only the opening hours (a handful of distinct values) and the
rows shown on the page come back to Python. Days are local days of ``TIME_ZONE``.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from reservations import calendrier
from reservations.models import Reservation, ResourceAvailability, StatutReservation
from ressources.models import Etat, Ressource
from sites.models import Site

# Booked time counts the reservations that hold (or held) the ressource.
STATUTS_OCCUPANTS = (
    StatutReservation.EN_ATTENTE,
    StatutReservation.CONFIRME,
    StatutReservation.FINI,
)
SEUIL_SOUS_OCCUPATION = 10.0
JOURS_SOUS_OCCUPATION = 30
NB_NON_PRESENTS_LISTES = 10
NB_SOUS_OCCUPEES_LISTEES = 15
HEURE_DEBUT_GRILLE = time(7, 0)
HEURE_FIN_GRILLE = time(21, 0)


def _dt(moment: datetime) -> Value:
    return Value(moment, output_field=DateTimeField())


def _duree_dans(debut: datetime, fin: datetime) -> ExpressionWrapper:
    """Length of a reservation clipped to ``[debut, fin)``."""
    return ExpressionWrapper(
        Least(F("fin"), _dt(fin)) - Greatest(F("debut"), _dt(debut)),
        output_field=DurationField(),
    )


def _ouverture(jour: date, ouverture: time, fermeture: time) -> timedelta:
    """Open time of ``jour`` (real time: a daylight-saving day is an hour shorter or longer)."""
    o, f = calendrier.bornes_du_jour(jour, ouverture, fermeture)
    return f.astimezone(UTC) - o.astimezone(UTC)


def _pourcentage(reserve: timedelta, ouvert: timedelta) -> float:
    if not ouvert:
        return 0.0
    return min(100.0, round(reserve / ouvert * 100, 1))


def debut_de_semaine(jour: date) -> date:
    return jour - timedelta(days=jour.weekday())


# --- Dashboard ---------------------------------------------------------------------------


@dataclass
class OccupationSite:
    site: Site
    ouvert: timedelta = field(default_factory=timedelta)
    reserve: timedelta = field(default_factory=timedelta)
    nb_ressources: int = 0

    @property
    def taux(self) -> float:
        return _pourcentage(self.reserve, self.ouvert)


def occupation_du_jour(jour: date | None = None) -> list[OccupationSite]:
    """Per site: booked time of ``en_cours``/``confirme``/``fini`` reservations of its active
    ressources on ``jour`` over their open time that day (three queries)."""
    jour = jour or timezone.localdate()
    debut = calendrier.debut_du_jour(jour)
    fin = calendrier.debut_du_jour(jour + timedelta(days=1))
    sites = {site.pk: OccupationSite(site) for site in Site.objects.order_by("nom", "id")}
    horaires = (
        Ressource.objects.actives()
        .values("site", "horaires_ouverture", "horaires_fermeture")
        .annotate(nombre=Count("pk"))
        .order_by()
    )
    for ligne in horaires:
        occupation = sites[ligne["site"]]
        ouverture = ligne["horaires_ouverture"] or occupation.site.horaires_ouverture
        fermeture = ligne["horaires_fermeture"] or occupation.site.horaires_fermeture
        occupation.ouvert += _ouverture(jour, ouverture, fermeture) * ligne["nombre"]
        occupation.nb_ressources += ligne["nombre"]
    reserve = (
        Reservation.objects.filter(statut__in=STATUTS_OCCUPANTS, ressource__etat=Etat.ACTIVE)
        .chevauche(debut, fin)
        .values("ressource__site")
        .annotate(duree=Sum(_duree_dans(debut, fin)))
        .order_by()
    )
    for ligne in reserve:
        sites[ligne["ressource__site"]].reserve += ligne["duree"] or timedelta()
    return list(sites.values())


def file_d_approbation() -> int:
    """Reservations awaiting confirmation (the changelist filtered on ``en_cours``)."""
    return Reservation.objects.filter(statut=StatutReservation.EN_ATTENTE).count()


def non_presents_de_la_semaine(jour: date | None = None, *, nombre=NB_NON_PRESENTS_LISTES):
    """``(count, the first ones)`` of the no-shows starting this week (Monday to Sunday)."""
    lundi = debut_de_semaine(jour or timezone.localdate())
    qs = Reservation.objects.filter(
        statut=StatutReservation.NON_PRESENT,
        debut__gte=calendrier.debut_du_jour(lundi),
        debut__lt=calendrier.debut_du_jour(lundi + timedelta(days=7)),
    )
    liste = list(qs.select_related("ressource", "user").order_by("debut", "id")[:nombre])
    total = len(liste) if len(liste) < nombre else qs.count()
    return total, liste


@dataclass
class RessourceSousOccupee:
    ressource: Ressource
    taux: float


def ressources_sous_occupees(
    jour: date | None = None, *, seuil=SEUIL_SOUS_OCCUPATION, jours=JOURS_SOUS_OCCUPATION
) -> list[RessourceSousOccupee]:
    """Active ressources whose booked share of their open time over the ``jours`` days
    ending with ``jour`` (included) is under ``seuil`` percent, least busy first (two
    queries)."""
    dernier = jour or timezone.localdate()
    premier = dernier - timedelta(days=jours - 1)
    debut = calendrier.debut_du_jour(premier)
    fin = calendrier.debut_du_jour(dernier + timedelta(days=1))
    reserve = dict(
        Reservation.objects.filter(statut__in=STATUTS_OCCUPANTS, ressource__etat=Etat.ACTIVE)
        .chevauche(debut, fin)
        .values("ressource")
        .annotate(duree=Sum(_duree_dans(debut, fin)))
        .order_by()
        .values_list("ressource", "duree")
    )
    ouvertures: dict[tuple[time, time], timedelta] = {}
    resultat = []
    for ressource in Ressource.objects.actives().select_related("site"):
        horaires = ressource.horaires()
        if horaires not in ouvertures:
            ouvertures[horaires] = sum(
                (_ouverture(j, *horaires) for j in calendrier.jours(premier, jours)), timedelta()
            )
        taux = _pourcentage(reserve.get(ressource.pk) or timedelta(), ouvertures[horaires])
        if taux < seuil:
            resultat.append(RessourceSousOccupee(ressource, taux))
    resultat.sort(key=lambda r: (r.taux, r.ressource.site.nom, r.ressource.nom))
    return resultat


def tableau_de_bord(maintenant: datetime | None = None) -> dict:
    """Everything the admin index shows (eight queries)."""
    jour = timezone.localdate(maintenant or timezone.now())
    nb_non_presents, non_presents = non_presents_de_la_semaine(jour)
    sous_occupees = ressources_sous_occupees(jour)
    return {
        "jour": jour,
        "occupations": occupation_du_jour(jour),
        "nb_en_attente": file_d_approbation(),
        "nb_non_presents": nb_non_presents,
        "non_presents": non_presents,
        "nb_sous_occupees": len(sous_occupees),
        "sous_occupees": sous_occupees[:NB_SOUS_OCCUPEES_LISTEES],
        "seuil_sous_occupation": int(SEUIL_SOUS_OCCUPATION),
        "jours_sous_occupation": JOURS_SOUS_OCCUPATION,
    }


# --- Week planning -----------------------------------------------------------------------


def semaine_demandee(valeur: str | None) -> date:
    """The Monday of the week holding ``valeur`` (``YYYY-MM-DD``); this week if it is missing
    or not a date."""
    try:
        jour = date.fromisoformat(valeur) if valeur else timezone.localdate()
    except ValueError:
        jour = timezone.localdate()
    return debut_de_semaine(jour)


@dataclass
class Bloc:
    """One interval of the grid, clipped to its day."""

    debut: datetime
    fin: datetime
    type: str  # "reservation" or "indisponibilite"
    libelle: str
    detail: str = ""
    statut: str = ""
    pk: int | None = None
    couloir: int = 0
    nb_couloirs: int = 1


def _couloirs(blocs: list[Bloc]) -> None:
    """Side by side lanes for blocks of one day that overlap (greedy, per cluster)."""
    blocs.sort(key=lambda b: (b.debut, b.fin))
    grappe: list[Bloc] = []
    fins: list[datetime] = []
    fin_grappe = None
    for bloc in blocs + [None]:
        if bloc is None or (fin_grappe is not None and bloc.debut >= fin_grappe):
            for b in grappe:
                b.nb_couloirs = len(fins)
            if bloc is None:
                return
            grappe, fins, fin_grappe = [], [], None
        for i, f in enumerate(fins):
            if f <= bloc.debut:
                bloc.couloir, fins[i] = i, bloc.fin
                break
        else:
            bloc.couloir = len(fins)
            fins.append(bloc.fin)
        grappe.append(bloc)
        fin_grappe = bloc.fin if fin_grappe is None else max(fin_grappe, bloc.fin)


@dataclass
class Jour:
    date: date
    blocs: list[Bloc]


def planning_semaine(lundi: date, *, site: Site | None = None, ressource: Ressource | None = None):
    """The 7 days from ``lundi``: reservations (all but cancelled ones) and unavailability
    occurrences of one ressource or of every ressource of one site, split per local day
    (two queries)."""
    debut = calendrier.debut_du_jour(lundi)
    fin = calendrier.debut_du_jour(lundi + timedelta(days=7))
    filtre = {"ressource": ressource} if ressource is not None else {"ressource__site": site}
    par_site = ressource is None
    blocs = []
    reservations = (
        Reservation.objects.filter(**filtre)
        .exclude(statut=StatutReservation.ANNULE)
        .chevauche(debut, fin)
        .select_related("ressource", "user")
    )
    for r in reservations:
        libelle = f"{r.ressource.nom} · {r.user.nom_prenom}" if par_site else r.user.nom_prenom
        blocs.append(
            Bloc(r.debut, r.fin, "reservation", libelle, r.get_statut_display(), r.statut, r.pk)
        )
    periodes = (
        ResourceAvailability.objects.filter(**filtre)
        .bloquantes()
        .pouvant_toucher(debut, fin)
        .select_related("ressource")
    )
    for p in periodes:
        raison = p.raison_indisponibilite or p.get_type_disponibilite_display()
        libelle = f"{p.ressource.nom} · {raison}" if par_site else raison
        for d, f in calendrier.occurrences(p, debut, fin):
            blocs.append(
                Bloc(d, f, "indisponibilite", libelle, p.get_type_disponibilite_display(), pk=p.pk)
            )
    jours = []
    for jour in calendrier.jours(lundi, 7):
        j_debut = calendrier.debut_du_jour(jour)
        j_fin = calendrier.debut_du_jour(jour + timedelta(days=1))
        du_jour = [
            Bloc(**{**vars(b), "debut": max(b.debut, j_debut), "fin": min(b.fin, j_fin)})
            for b in blocs
            if b.debut < j_fin and b.fin > j_debut
        ]
        _couloirs(du_jour)
        jours.append(Jour(jour, du_jour))
    return jours
