"""The free search: the ressources a booking of exactly ``[debut, fin)`` would be accepted
on, as one set-based query over the ressources once what occupies them has been read.

One query reads the blocking reservations that overlap the window and the periods; the
periods decide in Python which ressources they refuse, with the same occurrences as
``calendrier`` (hence as the booking rules), computed in closed form: see ``_Fenetre``.
Those ids are one parameter of the search (``_HorsDe``); every other rule is a filter of
that one query, which ``PageDisponibles`` runs as a count and as the page, from SQL compiled
once per shape (``resa_project.requetes``): the search's values (the local hours, the ids)
are texts, parameters of that SQL (``RechercheLibre``).
"""

import json
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce
from django.db.models.lookups import Exact, Lookup
from django.utils import timezone

from resa_project.marques import Memo
from resa_project.rendu import LignesBrutes
from resa_project.requetes import (
    RequeteCompilee,
    RequeteParForme,
    premiere_valeur,
    requete_du_total,
)
from ressources.models import MARQUE_CATALOGUE, Etat, Favori, Ressource, TypeRessource
from ressources.serializers import RessourceSerializer
from sites.models import Site

from . import calendrier, regles
from .models import (
    DUREE_MAXIMUM_ABSOLUE,
    PAS_RECURRENCE,
    Recurrence,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
    borne_chevauchement,
    fin_recurrence_minimum,
)

MSG_RECHERCHE_TROP_LONGUE = (
    "Aucune ressource ne se réserve plus de 24 heures : réduisez la fenêtre."
)

# Around the window, the zone's UTC offset must not change for the closed form to hold
# (see ``_Fenetre``): more than the largest offset a zone can have (under 24 hours).
_MARGE_DECALAGE = timedelta(days=2, hours=1)
_PAS_ECHANTILLON = timedelta(hours=1)


class _Periode:
    """The columns of a period that ``calendrier`` reads, from a ``values_list`` row."""

    __slots__ = (
        "ressource_id",
        "type_disponibilite",
        "debut",
        "fin",
        "recurrence",
        "fin_recurrence",
    )

    def __init__(self, ligne):
        (
            self.ressource_id,
            self.type_disponibilite,
            self.debut,
            self.fin,
            self.recurrence,
            self.fin_recurrence,
        ) = ligne


@lru_cache(maxsize=512)
def _decalage_constant(zone, debut: datetime, fin: datetime) -> bool:
    """The UTC offset of ``zone`` is the same all over ``[debut, fin]`` (sampled every hour:
    no zone changes its offset twice within an hour). ``debut`` and ``fin`` are whole UTC
    hours, so that the cache serves every window of the same hours."""
    decalage = debut.astimezone(zone).utcoffset()
    moment = debut + _PAS_ECHANTILLON
    while moment <= fin:
        if moment.astimezone(zone).utcoffset() != decalage:
            return False
        moment += _PAS_ECHANTILLON
    return fin.astimezone(zone).utcoffset() == decalage


class _Fenetre:
    """``calendrier.touche`` and ``calendrier.couvre`` for one window, in closed form.

    ``calendrier`` computes occurrence ``k`` of a repeating period on naive local datetimes
    (``d0 + k * pas``, ``f0 + k * pas``), makes its bounds aware, then compares them with the
    window. When the zone's offset does not change within ``_MARGE_DECALAGE`` of the window,
    making a naive datetime near the window aware subtracts one constant, so every comparison
    that matters is the same on the naive values (a bound further away than the margin lies
    on the same side of the window either way, the offset being under 24 hours): the
    occurrences that overlap (or contain) the window are the integers ``k`` of an interval,
    bounded by ``fin_recurrence``. Otherwise (a DST change nearby) ``calendrier`` itself is
    asked. Tested against ``calendrier`` in ``tests/test_recherche_rapide.py``.
    """

    def __init__(self, debut: datetime, fin: datetime):
        self.debut, self.fin = debut, fin
        self.zone = zone = timezone.get_current_timezone()
        self.naif_debut = calendrier.local_naif(debut, zone)
        self.naif_fin = calendrier.local_naif(fin, zone)
        premiere = debut.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        derniere = fin.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        try:
            self.forme_close = _decalage_constant(
                zone, premiere - _MARGE_DECALAGE, derniere + timedelta(hours=1) + _MARGE_DECALAGE
            )
        except OverflowError:  # a window at the ends of the calendar
            self.forme_close = False

    def touche(self, periode) -> bool:
        return self.touche_valeurs(
            periode.debut, periode.fin, periode.recurrence, periode.fin_recurrence
        )

    def couvre(self, periode) -> bool:
        return self.couvre_valeurs(
            periode.debut, periode.fin, periode.recurrence, periode.fin_recurrence
        )

    def touche_valeurs(self, debut, fin, recurrence, fin_recurrence) -> bool:
        """``touche`` from a period's columns (``_lue``)."""
        return self.touche_lue(_lue(self.zone, debut, fin, recurrence, fin_recurrence))

    def couvre_valeurs(self, debut, fin, recurrence, fin_recurrence) -> bool:
        """``couvre`` from a period's columns (``_lue``)."""
        return self.couvre_lue(_lue(self.zone, debut, fin, recurrence, fin_recurrence))

    def touche_lue(self, lue) -> bool:
        debut, fin, recurrence, fin_recurrence, bornes = lue
        if recurrence == Recurrence.PONCTUEL:
            return debut < self.fin and fin > self.debut
        if bornes is None or not self.forme_close:
            periode = _Periode((None, None, debut, fin, recurrence, fin_recurrence))
            return calendrier.touche(periode, self.debut, self.fin)
        d0, f0, pas, k_fin = bornes
        # d0 + k*pas < naif_fin and f0 + k*pas > naif_debut, k >= 0 (and <= k_fin).
        k_bas = max(0, (self.naif_debut - f0) // pas + 1)
        k_haut = -((d0 - self.naif_fin) // pas) - 1
        if k_fin is not None:
            k_haut = min(k_haut, k_fin)
        return k_bas <= k_haut

    def couvre_lue(self, lue) -> bool:
        debut, fin, recurrence, fin_recurrence, bornes = lue
        if recurrence == Recurrence.PONCTUEL:
            return debut <= self.debut and self.fin <= fin
        if bornes is None or not self.forme_close:
            periode = _Periode((None, None, debut, fin, recurrence, fin_recurrence))
            return calendrier.couvre(periode, self.debut, self.fin)
        d0, f0, pas, k_fin = bornes
        # d0 + k*pas <= naif_debut and naif_fin <= f0 + k*pas, k >= 0 (and <= k_fin).
        k_bas = max(0, -((f0 - self.naif_fin) // pas))
        k_haut = (self.naif_debut - d0) // pas
        if k_fin is not None:
            k_haut = min(k_haut, k_fin)
        return k_bas <= k_haut


@lru_cache(maxsize=16384)
def _lue(zone, debut, fin, recurrence, fin_recurrence):
    """A period's columns, as ``_Stockee`` reads them (texts) or as the model holds them
    (aware datetimes, a date) -> ``(debut, fin, recurrence, fin_recurrence, bornes)``,
    aware datetimes and a date, with ``bornes`` = ``(d0, f0, pas, k_fin)`` for a repeating
    period: its first occurrence as naive local datetimes, its step, the rank of its last
    occurrence (None: no end). What does not depend on the window, kept across requests
    (a function of the values alone: the same periods come back in every search)."""
    if type(debut) is str:  # SQLite's texts are naive, in UTC
        debut, fin = datetime.fromisoformat(debut), datetime.fromisoformat(fin)
        if debut.tzinfo is None:
            debut, fin = debut.replace(tzinfo=UTC), fin.replace(tzinfo=UTC)
    if type(fin_recurrence) is str:
        fin_recurrence = date.fromisoformat(fin_recurrence)
    pas = PAS_RECURRENCE.get(recurrence)
    bornes = None
    if pas is not None:
        try:
            d0 = debut.astimezone(zone).replace(tzinfo=None)
            f0 = fin.astimezone(zone).replace(tzinfo=None)
        except OverflowError:  # at the ends of the calendar: calendrier decides
            return debut, fin, recurrence, fin_recurrence, None
        k_fin = None
        if fin_recurrence is not None:
            # calendrier stops at the first occurrence starting after fin_recurrence.
            k_fin = (fin_recurrence - d0.date()).days // pas.days
        bornes = (d0, f0, pas, k_fin)
    return debut, fin, recurrence, fin_recurrence, bornes


def verifier_fenetre_recherche(debut: datetime, fin: datetime, *, admin: bool):
    """The window rules of a booking, plus the longest duration any type accepts."""
    debut, fin = debut.astimezone(UTC), fin.astimezone(UTC)
    erreurs = regles.verifier_fenetre(debut, fin, admin=admin)
    if not erreurs.get("fin") and fin - debut > DUREE_MAXIMUM_ABSOLUE:
        erreurs.setdefault("fin", []).append(MSG_RECHERCHE_TROP_LONGUE)
    if erreurs:
        raise ValidationError(erreurs)


# The marker of ``_OCCUPATION``'s rows that are blocking reservations, not periods.
_RESERVATION = "reservation"


class _Stockee(Func):
    """A period's datetime or date column as text, for ``_lue`` to parse once per process
    instead of the driver on every row: on SQLite the text it stores (the driver converts a
    column by its declared type, which an expression, SQLite's no-op unary ``+``, has not),
    on PostgreSQL its ISO text (in UTC, the zone Django gives the connection)."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)::text", **extra)


def _occupation(debut, fin, fin_recurrence_depuis, debut_apres, maintenant):
    """The periods that may touch the window and every normal one, then the ressources of
    the blocking reservations that overlap it (``_RESERVATION`` for their type)."""
    periodes = (
        ResourceAvailability.objects.bloquantes().pouvant_toucher(
            debut, fin, fin_recurrence_depuis=fin_recurrence_depuis
        )
        | ResourceAvailability.objects.normales()
    )
    reservations = (
        Reservation.objects.bloquantes(maintenant)
        .chevauche(debut, fin, debut_apres=debut_apres)
        .order_by()
        .values_list(
            "ressource_id",
            Value(_RESERVATION, output_field=CharField()),
            Value(None, output_field=CharField()),
            Value(None, output_field=CharField()),
            Value(None, output_field=CharField()),
            Value(None, output_field=CharField()),
        )
    )
    return (
        periodes.order_by()
        .values_list(
            "ressource_id",
            "type_disponibilite",
            _Stockee(F("debut")),
            _Stockee(F("fin")),
            "recurrence",
            _Stockee(F("fin_recurrence")),
        )
        .union(reservations, all=True)
        .order_by()
    )


# Compiled once per process (``resa_project.requetes``), its rows read as the driver gives
# them (the periods' bounds as text: ``_Stockee``).
_OCCUPATION = RequeteCompilee(
    _occupation, types=(datetime, datetime, date, datetime, datetime), convertir=False
)


class _HorsDe(Lookup):
    """``NOT (pk IN ids)`` with the ids as one parameter, their JSON list (``ids_en_texte``),
    read once into a hashed set: the same SQL for any number of ids (hundreds: every
    ressource busy in the window), which a list of parameters would not give, and a text,
    so that a compiled query (``resa_project.requetes``) takes it as a parameter. A lookup,
    so that ``filter()`` takes it as the whole condition."""

    lookup_name = "hors_de"
    prepare_rhs = False

    def __init__(self, texte: str):
        super().__init__(F("pk"), texte)

    def as_sql(self, compiler, connection):
        colonne, parametres = self.process_lhs(compiler, connection)
        texte = self.rhs
        if connection.vendor == "postgresql":
            sql = f"NOT ({colonne} IN (SELECT value::bigint FROM jsonb_array_elements_text(%s::jsonb)))"  # noqa: S608, E501 - the compiled column
            return sql, [*parametres, texte]
        if connection.vendor == "sqlite":
            sql = f"NOT ({colonne} IN (SELECT value FROM json_each(%s)))"  # noqa: S608 - the compiled column
            return sql, [*parametres, texte]
        ids = json.loads(texte)
        if not ids:
            return "1 = 1", parametres
        marques = ", ".join(["%s"] * len(ids))
        return f"NOT ({colonne} IN ({marques}))", [*parametres, *ids]


def ids_en_texte(ids) -> str:
    """The parameter of ``_HorsDe``: the ids as a JSON list, in order."""
    return json.dumps(sorted(ids))


def ressources_occupees(debut: datetime, fin: datetime) -> set[int]:
    """Ids of the ressources a booking of ``[debut, fin)`` (UTC) would conflict with: a
    blocking reservation overlaps it, an occurrence of a blocking period overlaps it, or the
    ressource has normal windows and no occurrence of one contains it
    (``Occupation.conflits``, ``dans_une_fenetre_normale``). One query: the overlapping
    blocking reservations, the blocking periods that may touch the window and every normal
    one (a ressource with a normal window anywhere in time is refused outside them). A
    one-off blocking period the query returns overlaps the window: SQL decided it exactly."""
    fenetre = _Fenetre(debut, fin)
    lignes = _OCCUPATION.lignes(
        debut,
        fin,
        fin_recurrence_minimum(debut),
        borne_chevauchement(debut),
        timezone.now(),
    )
    normale, ponctuel = TypeDisponibilite.DISPONIBILITE_NORMALE, Recurrence.PONCTUEL
    occupees, avec_normales, couvertes = set(), set(), set()
    touche, couvre, zone = fenetre.touche_lue, fenetre.couvre_lue, fenetre.zone
    for ressource_id, type_ligne, debut_p, fin_p, recurrence, fin_recurrence in lignes:
        if type_ligne == normale:
            avec_normales.add(ressource_id)
            if ressource_id not in couvertes and couvre(
                _lue(zone, debut_p, fin_p, recurrence, fin_recurrence)
            ):
                couvertes.add(ressource_id)
        elif ressource_id not in occupees:
            if (
                type_ligne != _RESERVATION
                and recurrence != ponctuel
                and not touche(_lue(zone, debut_p, fin_p, recurrence, fin_recurrence))
            ):
                continue
            occupees.add(ressource_id)
    return occupees | (avec_normales - couvertes)


class _SansIndex(Func):
    """A column that SQLite's planner must not read through one of its indexes (SQLite's
    unary ``+``; other databases plan from statistics): the index on ``etat`` would make it
    visit nearly every row twice and sort them all instead of reading the page in the order
    of the ``(nom, site)`` index."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


class RechercheLibre(NamedTuple):
    """What the free search of one window filters on, besides the caller's filters: its
    shape (the types the duration admits, None for all of them; whether the window starts
    and ends on the same local day) and its values (the local hours, ``heures_locales``, and
    the ids of the occupied ressources, ``ids_en_texte``), all texts: the parameters of a
    compiled query (``PageDisponibles``)."""

    types: tuple[str, ...] | None
    meme_jour: bool
    heure_debut: str
    heure_fin: str
    hors_de: str
    occupees: frozenset[int] = frozenset()  # the ids of ``hors_de``

    @property
    def forme(self) -> tuple:
        return self.types, self.meme_jour

    @property
    def valeurs(self) -> tuple[str, str, str]:
        return self.heure_debut, self.heure_fin, self.hors_de

    @staticmethod
    def conditions(forme, heure_debut, heure_fin, hors_de) -> list:
        """The ``filter()`` arguments of a shape with its values (sentinels or the request's)."""
        return [
            *RechercheLibre.conditions_du_catalogue(forme, heure_debut, heure_fin),
            # Read once (hashed) whatever the number of rows of the page and count queries.
            _HorsDe(hors_de),
        ]

    @staticmethod
    def conditions_du_catalogue(forme, heure_debut, heure_fin) -> list:
        """The conditions that read the catalogue only (state, type, opening hours): all but
        the occupied ressources."""
        types, meme_jour = forme
        # Every type (the ``ressource_type_valide`` constraint): no condition to evaluate per row.
        q_types = Q() if types is None else Q(type_ressource__in=types)
        return [
            Exact(_SansIndex(F("etat")), Etat.ACTIVE),
            q_types,
            regles.q_horaires_aux_heures(heure_debut, heure_fin, meme_jour=meme_jour),
        ]


def recherche_libre(debut: datetime, fin: datetime, *, admin: bool = False) -> RechercheLibre:
    """The free search of ``[debut, fin)``: raises ``ValidationError`` for a window no
    booking could have, then reads what occupies the ressources (one query,
    ``ressources_occupees``)."""
    debut, fin = debut.astimezone(UTC), fin.astimezone(UTC)  # durations in real time
    verifier_fenetre_recherche(debut, fin, admin=admin)
    occupees = ressources_occupees(debut, fin)
    types = regles.types_admis(fin - debut)
    heure_debut, heure_fin, meme_jour = regles.heures_locales(debut, fin)
    return RechercheLibre(
        None if len(types) == len(TypeRessource.values) else tuple(types),
        meme_jour,
        heure_debut,
        heure_fin,
        ids_en_texte(occupees),
        frozenset(occupees),
    )


def disponibles_parmi(base, libre: RechercheLibre):
    """The ressources of ``base`` the free search ``libre`` finds (``base`` keeps its
    ordering); one filter() call: each one copies the whole query."""
    return base.filter(*RechercheLibre.conditions(libre.forme, *libre.valeurs))


def ressources_disponibles(debut: datetime, fin: datetime, *, admin: bool = False, base=None):
    """Active ressources of ``base`` that a booking of exactly ``[debut, fin)`` would be
    accepted on (every rule of ``regles.verifier_creneau`` for one participant).

    Raises ``ValidationError`` for a window no booking could have. One query (what
    occupies the ressources, ``ressources_occupees``), then a lazy queryset the caller
    paginates; ``base`` keeps its ordering.
    """
    base = Ressource.objects.all() if base is None else base
    return disponibles_parmi(base, recherche_libre(debut, fin, admin=admin))


# --- The free search's page, compiled once per shape ----------------------------------------
#
# As the ressource list (``ressources.views``): the count and the page of a shape (the
# caller's filters, ``RechercheFilterSet.forme_sql``, the search's ``RechercheLibre.forme``,
# the slice) are built by the ORM and compiled once per process (``RequeteParForme``), the
# caller's pk, the filters' values and the search's values then put in their place. A shape
# that cannot be compiled takes the ORM's path.


def _base_de_forme(forme, valeurs):
    """The caller's filtered queryset of ``forme`` = (viewset class, FilterSet class,
    filters' shape, search's shape, ...) with ``valeurs`` (the user's pk, then the filters'
    values), and the search's shape."""
    classe, filterset_class, filtres, recherche = forme[:4]
    vue = classe(filterset_class=filterset_class)
    return vue.queryset_de_forme(filtres, valeurs), recherche


def _queryset_de_forme(forme, valeurs):
    """The free search's queryset: ``valeurs`` end with the search's three values."""
    base, recherche = _base_de_forme(forme, valeurs[:-3])
    return base.filter(*RechercheLibre.conditions(recherche, *valeurs[-3:]))


def _page_de_forme(forme, *valeurs):
    debut, fin = forme[4]
    return RessourceSerializer.en_valeurs(_queryset_de_forme(forme, valeurs))[debut:fin]


def _rendu_de_page(forme, compiler):
    return LignesBrutes(RessourceSerializer, compiler)


def _total_de_forme(forme, *valeurs):
    return requete_du_total(_queryset_de_forme(forme, valeurs))


_PAGES = RequeteParForme(
    _page_de_forme, rendu=_rendu_de_page, maximum=2000, repli="Recherche libre"
)
_TOTAUX = RequeteParForme(_total_de_forme, rendu=premiere_valeur, repli="Recherche libre")


class Candidates:
    """The ids of the ressources that the catalogue's conditions of a search admit (its
    filters, state, type, opening hours: everything but what is occupied), as a bitmap:
    ``len()`` of them, and ``parmi(ids)``, how many of ``ids`` are among them."""

    __slots__ = ("_bits", "_nombre")

    def __init__(self, ids):
        ids = list(ids)
        bits = bytearray((max(ids, default=0) >> 3) + 1)
        for identifiant in ids:
            bits[identifiant >> 3] |= 1 << (identifiant & 7)
        self._bits, self._nombre = bytes(bits), len(ids)

    def __len__(self) -> int:
        return self._nombre

    def parmi(self, ids) -> int:
        bits, taille = self._bits, len(self._bits)
        return sum(1 for i in ids if 0 <= i >> 3 < taille and bits[i >> 3] >> (i & 7) & 1)


def _candidates_de_forme(forme, *valeurs):
    """The ids the catalogue's conditions admit: ``valeurs`` without the occupied ids."""
    base, recherche = _base_de_forme(forme, valeurs[:-2])
    admises = base.filter(*RechercheLibre.conditions_du_catalogue(recherche, *valeurs[-2:]))
    return admises.order_by().values_list("pk")


def _rendu_des_candidates(forme, compiler):
    return lambda lignes: Candidates(ligne[0] for ligne in lignes)


# The count of a search is that of its candidates minus those occupied: the candidates read
# the catalogue only, so they are kept while no ressource, favourite or site changed on the
# host (resa_project.marques), and a search whose window was already seen counts in Python.
_CANDIDATES = RequeteParForme(
    _candidates_de_forme,
    rendu=_rendu_des_candidates,
    repli="Recherche libre (candidates)",
    memo=Memo(MARQUE_CATALOGUE, maximum=512),
    tables={Ressource._meta.db_table, Favori._meta.db_table, Site._meta.db_table},
)
_DEJA_CHERCHEES = Memo(MARQUE_CATALOGUE, maximum=8192)


class PageDisponibles:
    """The free search as the paginator reads it (``count()``, then one slice), in two
    queries: the number of free ressources, then the page's rows alone, as the JSON objects
    of ``RessourceSerializer``. The page is an ``ORDER BY ... LIMIT``: the database keeps
    the page's rows only (reading them in the order of the ``(nom, site)`` index for the
    default sort) instead of sorting every free ressource.

    ``vue`` is the viewset whose ``filtres`` (a valid ``RechercheFilterSet``) apply: each
    query runs from SQL compiled once per shape when the filters have one (``forme_sql``),
    else (or when a shape cannot be compiled) through the ORM."""

    def __init__(self, vue, filtres, libre: RechercheLibre, *, alias: str):
        self.vue, self.filtres, self.libre, self.alias = vue, filtres, libre, alias
        forme_filtres = filtres.forme_sql()
        self.forme = self.valeurs = None
        if forme_filtres is not None and type(vue.request.user.pk) is int:
            filtres_forme, valeurs = forme_filtres
            self.forme = (
                type(vue),
                type(filtres),
                filtres_forme,
                libre.forme,
            )
            self.valeurs = (vue.request.user.pk, *valeurs, *libre.valeurs)
        self._total = None

    def _orm(self):
        """The ORM's own queryset of the search (what the compiled queries are)."""
        return disponibles_parmi(self.filtres.filter_queryset(self.vue.get_queryset()), self.libre)

    def count(self) -> int:
        if self._total is None:
            total = None
            if self.forme is not None:
                total = self._par_les_candidates()
            if self.forme is not None and total is None:
                total = _TOTAUX.lignes(self.forme, *self.valeurs, using=self.alias)
            self._total = self._orm().count() if total is None else total
        return self._total

    def _par_les_candidates(self) -> int | None:
        """The count from the shape's candidates when they can be kept, else None. The first
        search of a window and filters counts in SQL (a one-off window costs no more than
        the count); from the second, its candidates are read once and kept."""
        user_pk, *valeurs = self.valeurs[:-1]
        if dict(self.forme[2]).get("favoris") in EMPTY_VALUES:
            user_pk = 0  # nothing of the candidates depends on the caller: shared by all
        cle = (self.alias, self.forme, user_pk, *valeurs)
        if not _DEJA_CHERCHEES.lire(cle):
            _DEJA_CHERCHEES.garder(cle, True, _DEJA_CHERCHEES.avant_lecture())
            return None
        candidates = _CANDIDATES.lignes(
            self.forme, user_pk, *valeurs, using=self.alias, memorisee_seulement=True
        )
        if candidates is None:
            return None
        return len(candidates) - candidates.parmi(self.libre.occupees)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, tranche: slice) -> list[dict]:
        """The page's JSON objects; no query for a page past the last free ressource."""
        if (tranche.start or 0) >= self.count():
            return []
        objets = None
        if self.forme is not None:
            forme = (*self.forme, (tranche.start, tranche.stop))
            objets = _PAGES.lignes(forme, *self.valeurs, using=self.alias)
        if objets is None:
            objets = RessourceSerializer.depuis_valeurs(
                RessourceSerializer.en_valeurs(self._orm())[tranche]
            )
        return objets


# --- Suggestions (API.md C9) ----------------------------------------------------------------

NOMBRE_SUGGESTIONS = 10
JOURS_HABITUDE = 90


class Raison:
    """Why a ressource is suggested (wire values of ``raisons``)."""

    FAVORI = "favori"
    HABITUELLE = "habituelle"
    SITE_PRINCIPAL = "site_principal"
    CAPACITE_ADAPTEE = "capacite_adaptee"


def suggestions(
    user, debut: datetime, fin: datetime, *, nbr_participants=None, base=None
) -> list[Ressource]:
    """Up to ten ressources ``user`` could book for exactly ``[debut, fin)`` (the free search,
    holding ``nbr_participants``), ranked: their favourites, then the ressources they booked
    most over the last 90 days (bookings starting from 90 days ago on, cancelled ones not
    counted), then those of their
    ``site_principal``, then the capacity closest to ``nbr_participants``; ties by nom.

    Each ressource carries ``raisons`` (see ``Raison``); ``capacite_adaptee`` means that the
    group fills at least half of it. The free search's queries plus one.
    """
    base = Ressource.objects.all() if base is None else base
    groupe = nbr_participants or 1
    base = base.filter(capacite_maximum__gte=groupe)
    libres = ressources_disponibles(debut, fin, admin=user.est_admin, base=base)
    depuis = timezone.now() - timedelta(days=JOURS_HABITUDE)
    habitudes = (
        Reservation.objects.filter(user=user, ressource=OuterRef("pk"), debut__gte=depuis)
        .exclude(statut=StatutReservation.ANNULE)
        .order_by()
        .values("ressource")
        .annotate(nombre=Count("pk"))
        .values("nombre")
    )
    site_principal = getattr(user, "site_principal_id", None)
    classees = libres.annotate(
        favori=Ressource.objects.favoris_de(user),
        nombre_recentes=Coalesce(Subquery(habitudes, output_field=IntegerField()), 0),
        sur_site_principal=Case(
            When(site_id=site_principal, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        if site_principal
        else Value(0, output_field=IntegerField()),
        ecart_capacite=Abs(F("capacite_maximum") - groupe),
    ).order_by("-favori", "-nombre_recentes", "-sur_site_principal", "ecart_capacite", "nom", "id")[
        :NOMBRE_SUGGESTIONS
    ]
    resultat = list(classees)
    for ressource in resultat:
        ressource.est_favori = ressource.favori
        ressource.raisons = [
            raison
            for raison, vraie in (
                (Raison.FAVORI, ressource.favori),
                (Raison.HABITUELLE, ressource.nombre_recentes > 0),
                (Raison.SITE_PRINCIPAL, ressource.sur_site_principal == 1),
                (
                    Raison.CAPACITE_ADAPTEE,
                    nbr_participants is not None
                    and ressource.capacite_maximum <= 2 * nbr_participants,
                ),
            )
            if vraie
        ]
    return resultat
