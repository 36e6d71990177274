"""The figures of API.md C8, computed by database aggregates.

A reservation belongs to the period (and to the day, week or month) in which it starts,
in local time; its time is counted up to the end of the period. Whatever the grouping, the
figures come from one aggregate query over the reservations, one query for the ressources
whose open time is the denominator of ``taux_occupation``, one for their blocking
unavailabilities and at most one for the names of the groups.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    Least,
    TruncDate,
    TruncMonth,
    TruncWeek,
)
from django.utils import timezone

from reservations.expressions import SecondesEntre
from reservations.models import Reservation, ResourceAvailability, StatutReservation
from ressources.models import Etat, Ressource, TypeRessource
from sites.models import Department, Site
from sites.portee import departements_geres, q_sites

from .expressions import (
    HeureLocaleSQLite,
    MinuteDeLaSemaine,
    SecondesDuJour,
    decalages,
    heure_locale_sqlite,
)
from .ouverture import HEURE, JOUR, RessourceOuverte, TempsOuvert

GROUPEMENTS = ("site", "department", "ressource", "type_ressource", "jour", "semaine", "mois")
GROUPEMENTS_TEMPS = ("jour", "semaine", "mois")
JOURS_SEMAINE = ["lu", "ma", "me", "je", "ve", "sa", "di"]
NOM_SANS_DEPARTEMENT = "Sans département"

ANNULE = StatutReservation.ANNULE
STATUTS_RESERVES = (StatutReservation.CONFIRME, StatutReservation.FINI)
STATUTS_OCCUPANT = (
    StatutReservation.EN_ATTENTE,
    StatutReservation.CONFIRME,
    StatutReservation.FINI,
)

CHIFFRES = [
    "reservations",
    "confirmees",
    "annulees",
    "non_presentes",
    "heures_reservees",
    "taux_occupation",
    "taux_annulation",
    "taux_non_presentation",
    "duree_moyenne_minutes",
    "delai_moyen_heures",
]


@dataclass(frozen=True)
class Demande:
    """What the caller asked for, already parsed and checked."""

    user: object
    du: date
    au: date
    grouper_par: str = "site"
    site_id: int | None = None
    department_id: int | None = None
    type_of_ressource: str | None = None
    ressource_id: int | None = None

    @property
    def nb_jours(self) -> int:
        return (self.au - self.du).days + 1

    def bornes(self) -> tuple[datetime, datetime]:
        """The period as UTC instants: local midnight of ``du`` to local midnight after ``au``."""
        zone = timezone.get_current_timezone()
        debut = timezone.make_aware(datetime.combine(self.du, time.min), zone)
        fin = timezone.make_aware(datetime.combine(self.au + timedelta(days=1), time.min), zone)
        return debut.astimezone(UTC), fin.astimezone(UTC)


# --- Scope ------------------------------------------------------------------------------


def reservations_de_la_portee(demande: Demande):
    """The reservations the figures cover: the filters, and for a manager only those of the
    users of the departments they manage (the department frozen on the booking)."""
    debut, fin = demande.bornes()
    reservations = Reservation.objects.filter(debut__gte=debut, debut__lt=fin)
    if not demande.user.est_admin:
        reservations = reservations.filter(department__in=departements_geres(demande.user))
    if demande.site_id is not None:
        reservations = reservations.filter(site_id=demande.site_id)
    if demande.department_id is not None:
        reservations = reservations.filter(department_id=demande.department_id)
    if demande.type_of_ressource is not None:
        reservations = reservations.filter(ressource__type_ressource=demande.type_of_ressource)
    if demande.ressource_id is not None:
        reservations = reservations.filter(ressource_id=demande.ressource_id)
    return reservations.order_by()


def q_ressources_comptees(demande: Demande, prefixe: str = "") -> Q:
    """The ressources whose open time counts: active, within the filters, and for a
    manager on their sites (``prefixe``: the path to the ressource, e.g. ``ressource__``)."""
    q = Q(**{f"{prefixe}etat": Etat.ACTIVE}) & q_sites(demande.user, f"{prefixe}site_id")
    if demande.site_id is not None:
        q &= Q(**{f"{prefixe}site_id": demande.site_id})
    if demande.type_of_ressource is not None:
        q &= Q(**{f"{prefixe}type_ressource": demande.type_of_ressource})
    if demande.ressource_id is not None:
        q &= Q(**{f"{prefixe}pk": demande.ressource_id})
    return q


def _ressources_comptees(demande: Demande):
    """The ids of the counted ressources, as a subquery: cheaper than a join over every
    reservation on both databases."""
    return Ressource.objects.filter(q_ressources_comptees(demande)).order_by().values("pk")


# --- Open time --------------------------------------------------------------------------


CLE_RESSOURCE = {
    "site": "site_id",
    "ressource": "id",
    "type_ressource": "type_ressource",
}


def _ressources_ouvertes(demande: Demande, noms: dict | None = None) -> list[RessourceOuverte]:
    """The counted ressources with their hours and group key; fills ``noms`` with the
    groups' names (site or ressource) on the way. A room's own hours, else its site's, are
    chosen and turned into seconds by the database."""
    champ_cle = CLE_RESSOURCE.get(demande.grouper_par)
    noms = {} if noms is None else noms
    horaires_propres = Q(
        type_ressource=TypeRessource.SALLE,
        horaires_ouverture__isnull=False,
        horaires_fermeture__isnull=False,
    )

    def heure(champ):
        return SecondesDuJour(
            Case(When(horaires_propres, then=F(champ)), default=F(f"site__{champ}"))
        )

    colonnes = {
        "site_id": ("site_id", "site__nom"),
        "id": ("id", "nom"),
        "type_ressource": ("type_ressource", None),
    }
    cle, nom = colonnes.get(champ_cle, (None, None))
    lignes = (
        Ressource.objects.filter(q_ressources_comptees(demande))
        .order_by()
        .values_list(
            "id",
            cle or Value(None, output_field=IntegerField()),
            heure("horaires_ouverture"),
            heure("horaires_fermeture"),
            nom or Value(None, output_field=CharField()),
        )
    )
    ressources = []
    for id_, cle, ouverture, fermeture, nom in lignes:
        if nom is not None:
            noms[cle] = nom
        ressources.append(RessourceOuverte(id_, cle, ouverture, fermeture))
    return ressources


def _periodes_bloquantes(demande: Demande):
    debut, fin = demande.bornes()
    return (
        ResourceAvailability.objects.bloquantes()
        .filter(q_ressources_comptees(demande, "ressource__"))
        .pouvant_toucher(debut, fin)
        .order_by()
        .values_list("ressource_id", "debut", "fin", "recurrence", "fin_recurrence", named=True)
    )


def _seaux(demande: Demande) -> tuple[list[date], list[int] | None]:
    """The time buckets (first day of each, the key of its row) and the bucket of each
    day of the period."""
    if demande.grouper_par not in GROUPEMENTS_TEMPS:
        return [], None
    jours = [demande.du + timedelta(days=i) for i in range(demande.nb_jours)]
    if demande.grouper_par == "jour":
        debuts = jours
    elif demande.grouper_par == "semaine":
        debuts = [j - timedelta(days=j.weekday()) for j in jours]
    else:
        debuts = [j.replace(day=1) for j in jours]
    seaux = list(dict.fromkeys(debuts))
    index = {d: i for i, d in enumerate(seaux)}
    return seaux, [index[d] for d in debuts]


def temps_ouvert(demande: Demande, seau_du_jour=None, noms=None) -> TempsOuvert:
    return TempsOuvert(
        _ressources_ouvertes(demande, noms),
        list(_periodes_bloquantes(demande)),
        demande.du,
        demande.nb_jours,
        seau_du_jour,
    )


# --- Aggregates -------------------------------------------------------------------------


MODELES_SQLITE = {
    "jour": "date({col}, {mod})",
    "semaine": "date({col}, {mod}, '-6 days', 'weekday 1')",
    "mois": "date({col}, {mod}, 'start of month')",
    # Minutes since Monday 00:00 (julianday 2451546.5 is Monday 3 January 2000, 00:00).
    "minute_semaine": "(CAST(ROUND((julianday({col}, {mod}) - 2451546.5) * 1440) AS INTEGER) %% 10080)",
}


def _sur_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _plages(demande: Demande):
    return decalages(*demande.bornes(), timezone.get_current_timezone())


def _expression_cle(demande: Demande):
    grouper_par = demande.grouper_par
    if grouper_par in GROUPEMENTS_TEMPS and _sur_sqlite():
        return HeureLocaleSQLite(
            "debut", _plages(demande), MODELES_SQLITE[grouper_par], DateField()
        )
    zone = timezone.get_current_timezone()
    return {
        "site": F("site_id"),
        "department": F("department_id"),
        "ressource": F("ressource_id"),
        "type_ressource": F("ressource__type_ressource"),
        "jour": TruncDate("debut", tzinfo=zone),
        "semaine": TruncWeek("debut", tzinfo=zone, output_field=DateField()),
        "mois": TruncMonth("debut", tzinfo=zone, output_field=DateField()),
    }[grouper_par]


def _sommes(demande: Demande) -> dict:
    """``{key: {count or seconds}}`` in one query.

    The reservations are first summed per key and status, each duration computed once per
    row, then these few rows are folded per key by an outer query. The time of the
    ressources that do not count is taken off the occupied time."""
    if _sur_sqlite():
        sql, params = _sql_sommes_sqlite(demande)
    else:
        sql, params = _sql_sommes(demande)
    with connection.cursor() as curseur:
        curseur.execute(sql, params)
        lignes = curseur.fetchall()
    en_date = demande.grouper_par in GROUPEMENTS_TEMPS
    return {
        (_date(cle) if en_date else cle): {
            nom: int(valeur or 0) for nom, valeur in zip(PLIAGE, valeurs, strict=True)
        }
        for cle, *valeurs in lignes
    }


def _durees(demande: Demande):
    """The per-row seconds the sums add up: the duration, the same cut at the end of the
    period, the lead time."""
    _, fin = demande.bornes()
    # The durations and lead times the database keeps with each row (``Reservation``).
    coupee = SecondesEntre("debut", Least(F("fin"), Value(fin, output_field=DateTimeField())))
    return fin, F("duree_secondes"), coupee, F("delai_secondes")


def _pliage(statut: str = "statut", valeur=lambda statut: statut) -> tuple[list[str], list]:
    """The outer query's sums (``PLIAGE``) over rows whose status is the SQL ``statut``,
    compared with ``valeur(status)``."""
    colonnes, params = [], []
    for somme, statuts in PLIAGE.values():
        if statuts is None:
            colonnes.append(f"SUM({somme})")
            continue
        marques = ", ".join(["%s"] * len(statuts))
        colonnes.append(f"SUM(CASE WHEN {statut} IN ({marques}) THEN {somme} ELSE 0 END)")
        params += [valeur(s) for s in statuts]
    return colonnes, params


def _sql_sommes(demande: Demande) -> tuple[str, list]:
    """Sums per key and status (PostgreSQL, and SQLite for a narrow request), from a subquery
    of the counted ressources for the time of those that do not count (cheaper than a join
    over every reservation)."""
    fin, duree, coupee, delai = _durees(demande)
    comptees = _ressources_comptees(demande)
    par_statut = (
        reservations_de_la_portee(demande)
        .values(cle=_expression_cle(demande))
        .annotate(
            n=Count("pk"),
            d=Sum(duree),
            l=Sum(delai),
            # Less the time after the end of the period, from the few bookings it concerns.
            x=Sum(coupee - duree, filter=Q(fin__gt=fin)),
            # The booked time of the ressources that do not count.
            e=Sum(coupee, filter=~Q(ressource__in=comptees)),
        )
        .values("cle", "statut", "n", "d", "l", "x", "e")
        .order_by()
    )
    interieur, params_interieurs = par_statut.query.sql_with_params()
    colonnes, params = _pliage()
    sql = f"SELECT cle, {', '.join(colonnes)} FROM ({interieur}) AS t GROUP BY cle"  # noqa: S608 - constants and placeholders only
    return sql, [*params, *params_interieurs]


# SQLite sorts the rows of a GROUP BY that no index delivers in order: one integer key,
# the group's id times 8 plus a status code, sorts much faster than (id, status).
CODES_STATUT = {  # the most frequent first: the CASE tries them in this order
    statut: code
    for code, statut in enumerate(
        [
            StatutReservation.FINI,
            StatutReservation.CONFIRME,
            StatutReservation.ANNULE,
            StatutReservation.NON_PRESENT,
            StatutReservation.EN_ATTENTE,
        ]
    )
}
CLE_ENTIERE = {
    "site": F("site_id"),
    "department": Coalesce(F("department_id"), 0),  # ids start at 1: 0 is "none"
    "ressource": F("ressource_id"),
    "type_ressource": F("ressource_id"),  # then each ressource's type, by the outer query
}
CLE_DECODEE = {
    "site": "t.k >> 3",
    "department": "NULLIF(t.k >> 3, 0)",
    "ressource": "t.k >> 3",
    "type_ressource": "r.type_ressource",
}


def _toute_l_organisation(demande: Demande) -> bool:
    """An admin's request without a filter that an index would narrow: most of the period's
    reservations are read."""
    return demande.user.est_admin and (
        demande.site_id is None and demande.department_id is None and demande.ressource_id is None
    )


# Every column the sums and keys read from a reservation (migration 0014).
INDEX_STATISTIQUES = "reservation_statistiques_idx"


def _par_l_index_des_statistiques(sql: str) -> str:
    """``sql`` with its first read of the reservations through ``INDEX_STATISTIQUES``, which
    holds every column it needs: SQLite's planner, seeing a range on ``debut``, takes the
    narrower (debut, fin) index and reads each row from the table (site or department over
    a year: 350 ms instead of 160 to 250)."""
    table = f'FROM "{Reservation._meta.db_table}" WHERE'
    return sql.replace(table, table.replace(" WHERE", f" INDEXED BY {INDEX_STATISTIQUES} WHERE"), 1)


def _sql_sommes_sqlite(demande: Demande) -> tuple[str, list]:
    """SQLite: the same sums, shaped for its planner when most of the period is read (a
    narrower request, read through the index of its filter, keeps the general query).

    By time, the rows are summed per (status, start), the order of the (statut, debut)
    index, so without sorting; the outer query computes each start's local day, week or
    month once. Otherwise per one integer key (group and status). When only the inactive
    ressources do not count, their time is summed by a second branch that reads their rows
    alone (through the (ressource, debut) index) instead of testing every row."""
    if not _toute_l_organisation(demande):
        return _sql_sommes(demande)
    fin, duree, coupee, delai = _durees(demande)
    if demande.grouper_par in GROUPEMENTS_TEMPS:
        groupe = {}
        colonnes_groupe = ("statut", "debut")
    else:
        statut = Case(
            *(When(statut=s, then=Value(c)) for s, c in list(CODES_STATUT.items())[:-1]),
            default=Value(len(CODES_STATUT) - 1),
        )
        groupe = {"k": CLE_ENTIERE[demande.grouper_par] * 8 + statut}
        colonnes_groupe = ("k",)
    sommes = ("n", "d", "l", "x", "e")
    zero = Value(0, output_field=IntegerField())
    comptees = _ressources_comptees(demande)
    a_part = demande.type_of_ressource is None
    portee = reservations_de_la_portee(demande)
    requete = (
        portee.values(*colonnes_groupe, **groupe)
        .annotate(
            n=Count("pk"),
            d=Sum(duree),
            l=Sum(delai),
            x=Sum(coupee - duree, filter=Q(fin__gt=fin)),
            e=zero if a_part else Sum(coupee, filter=~Q(ressource__in=comptees)),
        )
        .values(*colonnes_groupe, *sommes)
    )
    if a_part:
        non_comptees = Ressource.objects.exclude(pk__in=comptees).values("pk")
        hors_compte = (
            portee.filter(ressource__in=non_comptees)
            .values(*colonnes_groupe, **groupe)
            .annotate(n=zero, d=zero, l=zero, x=zero, e=Sum(coupee))
            .values(*colonnes_groupe, *sommes)
        )
        requete = requete.union(hors_compte, all=True)
    interieur, params_interieurs = requete.order_by().query.sql_with_params()
    interieur = _par_l_index_des_statistiques(interieur)
    jointure = ""
    if demande.grouper_par in GROUPEMENTS_TEMPS:
        cle, params_cle = heure_locale_sqlite(
            "t.debut", _plages(demande), MODELES_SQLITE[demande.grouper_par]
        )
        colonnes, params = _pliage("t.statut")
    else:
        cle, params_cle = CLE_DECODEE[demande.grouper_par], []
        if demande.grouper_par == "type_ressource":
            jointure = f"JOIN {Ressource._meta.db_table} AS r ON r.id = t.k >> 3"
        colonnes, params = _pliage("(t.k & 7)", CODES_STATUT.__getitem__)
    sql = (
        f"SELECT {cle} AS cle, {', '.join(colonnes)} FROM ({interieur}) AS t {jointure} GROUP BY 1"  # noqa: S608 - constants and placeholders only
    )
    return sql, [*params_cle, *params, *params_interieurs]


NON_ANNULES = tuple(s for s in StatutReservation.values if s != ANNULE)
# Each sum of ``_sommes``: what it adds up over the rows per status, and for which statuses
# (None: all).
PLIAGE = {
    "reservations": ("n", None),
    "confirmees": ("n", (StatutReservation.CONFIRME,)),
    "finies": ("n", (StatutReservation.FINI,)),
    "annulees": ("n", (ANNULE,)),
    "non_presentes": ("n", (StatutReservation.NON_PRESENT,)),
    "s_reservees": ("d + COALESCE(x, 0)", STATUTS_RESERVES),
    "s_occupees": ("d + COALESCE(x, 0) - COALESCE(e, 0)", STATUTS_OCCUPANT),
    "s_duree": ("d", NON_ANNULES),
    "s_delai": ("l", NON_ANNULES),
}


def _date(valeur) -> date:
    """A time bucket's key as the database returns it from raw SQL (text on SQLite, a
    date or a timestamp on PostgreSQL)."""
    if isinstance(valeur, str):
        return date.fromisoformat(valeur[:10])
    if isinstance(valeur, datetime):
        return valeur.date()
    return valeur


VIDE = dict.fromkeys(PLIAGE, 0)


def _taux(numerateur, denominateur):
    if not denominateur:
        return None
    return round(numerateur * 100 / denominateur, 2)


def _moyenne(somme, nombre, unite):
    if not nombre:
        return None
    return round(somme / nombre / unite, 2)


def chiffres(sommes: dict, ouvert: int | None) -> dict:
    """The contract's figures from the sums of a group and its open seconds."""
    s = {k: (v or 0) for k, v in sommes.items()}
    non_annulees = s["reservations"] - s["annulees"]
    return {
        "reservations": s["reservations"],
        "confirmees": s["confirmees"],
        "annulees": s["annulees"],
        "non_presentes": s["non_presentes"],
        "heures_reservees": round(s["s_reservees"] / HEURE, 2),
        "taux_occupation": _taux(s["s_occupees"], ouvert),
        "taux_annulation": _taux(s["annulees"], s["reservations"]),
        "taux_non_presentation": _taux(
            s["non_presentes"], s["confirmees"] + s["finies"] + s["non_presentes"]
        ),
        "duree_moyenne_minutes": _moyenne(s["s_duree"], non_annulees, 60),
        "delai_moyen_heures": _moyenne(s["s_delai"], non_annulees, HEURE),
    }


def _additionner(groupes) -> dict:
    total = dict(VIDE)
    for sommes in groupes:
        for cle in total:
            total[cle] += sommes.get(cle) or 0
    return total


def _noms(grouper_par: str, ids) -> dict:
    ids = [i for i in ids if i is not None]
    if grouper_par == "site":
        return dict(Site.objects.filter(pk__in=ids).values_list("pk", "nom"))
    if grouper_par == "department":
        return dict(Department.objects.filter(pk__in=ids).values_list("pk", "nom"))
    if grouper_par == "ressource":
        return dict(Ressource.objects.filter(pk__in=ids).values_list("pk", "nom"))
    return dict(TypeRessource.choices)


def statistiques(demande: Demande) -> dict:
    """``{"lignes": [...], "total": {...}}`` of API.md C8 (four queries at most)."""
    sommes = _sommes(demande)
    seaux, seau_du_jour = _seaux(demande)
    noms = {}
    ouvert = temps_ouvert(demande, seau_du_jour, noms)
    total = chiffres(_additionner(sommes.values()), ouvert.secondes_periode(TempsOuvert.TOUT))
    lignes = []
    if demande.grouper_par in GROUPEMENTS_TEMPS:
        for i, debut in enumerate(seaux):
            secondes_ouvertes = ouvert.secondes(TempsOuvert.TOUT, i)
            lignes.append(
                {"cle": {"date": debut}, **chiffres(sommes.get(debut, VIDE), secondes_ouvertes)}
            )
        return {"lignes": lignes, "total": total}
    if demande.grouper_par == "department":
        cles = list(sommes)
        denominateur = ouvert.secondes_periode(TempsOuvert.TOUT)

        def ouvert_de(cle):
            return denominateur
    else:
        cles = list(dict.fromkeys([*sommes, *(r.cle for r in ouvert.ressources.values())]))

        def ouvert_de(cle):
            return ouvert.secondes_periode(cle)

    manquants = [cle for cle in cles if cle not in noms]
    if manquants:
        noms.update(_noms(demande.grouper_par, manquants))
    for cle in cles:
        nom = noms.get(cle, NOM_SANS_DEPARTEMENT if cle is None else str(cle))
        lignes.append(
            {"cle": {"id": cle, "nom": nom}, **chiffres(sommes.get(cle, VIDE), ouvert_de(cle))}
        )
    if demande.grouper_par == "type_ressource":
        ordre = {valeur: i for i, valeur in enumerate(TypeRessource.values)}
        lignes.sort(key=lambda ligne: ordre.get(ligne["cle"]["id"], 99))
    else:
        lignes.sort(
            key=lambda ligne: (
                ligne["cle"]["id"] is None,
                ligne["cle"]["nom"],
                ligne["cle"]["id"] or 0,
            )
        )
    return {"lignes": lignes, "total": total}


# --- Weekday x hour ---------------------------------------------------------------------


def occupation_horaire(demande: Demande) -> dict:
    """Share of open ressource-hours booked (``en_cours``, ``confirme``, ``fini``) per
    local weekday and hour, in percent (0 where nothing is open); three queries."""
    ouvert = temps_ouvert(demande).par_jour_et_heure()
    reserve = [[0.0] * 24 for _ in range(7)]
    semaine = 7 * JOUR
    if _sur_sqlite():
        moment = {
            "mn": HeureLocaleSQLite(
                "debut", _plages(demande), MODELES_SQLITE["minute_semaine"], IntegerField()
            )
        }
    else:
        moment = {"mn": MinuteDeLaSemaine("debut", timezone.get_current_timezone_name())}
    groupes = (
        reservations_de_la_portee(demande)
        .filter(statut__in=STATUTS_OCCUPANT, ressource__in=_ressources_comptees(demande))
        .values(**moment, d=F("duree_secondes"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for groupe in groupes:
        debut = groupe["mn"] * 60
        fin = debut + max(0, groupe["d"] or 0)
        curseur = debut
        while curseur < fin:
            heure_fin = (curseur // HEURE + 1) * HEURE
            part = min(fin, heure_fin) - curseur
            position = curseur % semaine
            reserve[position // JOUR][(position % JOUR) // HEURE] += part * groupe["n"]
            curseur += part
    taux = [
        [
            round(min(100.0, reserve[j][h] * 100 / ouvert[j][h]), 2) if ouvert[j][h] else 0.0
            for h in range(24)
        ]
        for j in range(7)
    ]
    return {"jours": JOURS_SEMAINE, "heures": list(range(24)), "taux": taux}
