"""The free search: the ressources a booking of exactly ``[debut, fin)`` would be accepted
on, as one set-based query over the ressources once what occupies them has been read.

One query reads the blocking reservations that overlap the window and the periods; the
periods decide in Python which ressources they refuse, with the same occurrences as
``calendrier`` (hence as the booking rules), computed in closed form: see ``_Fenetre``.
Those ids are one parameter of the search (``_HorsDe``); every other rule is a filter of
that one query, which ``PageDisponibles`` runs as a count and as the page.
"""

import json
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
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

from resa_project.requetes import RequeteCompilee
from ressources.models import Etat, Ressource, TypeRessource
from ressources.serializers import RessourceSerializer

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
_COLONNES_PERIODE = ("ressource_id", "type_disponibilite", "debut", "fin", "recurrence")


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

    def _bornes(self, debut, fin, recurrence, fin_recurrence):
        """``(d0, f0, pas, k_fin)``, or None when ``calendrier`` must decide."""
        pas = PAS_RECURRENCE.get(recurrence)
        if pas is None or not self.forme_close:
            return None
        d0 = debut.astimezone(self.zone).replace(tzinfo=None)
        f0 = fin.astimezone(self.zone).replace(tzinfo=None)
        k_fin = None
        if fin_recurrence is not None:
            # calendrier stops at the first occurrence starting after fin_recurrence.
            k_fin = (fin_recurrence - d0.date()).days // pas.days
        return d0, f0, pas, k_fin

    def touche(self, periode) -> bool:
        return self.touche_valeurs(
            periode.debut, periode.fin, periode.recurrence, periode.fin_recurrence
        )

    def couvre(self, periode) -> bool:
        return self.couvre_valeurs(
            periode.debut, periode.fin, periode.recurrence, periode.fin_recurrence
        )

    def touche_valeurs(self, debut, fin, recurrence, fin_recurrence) -> bool:
        """``touche`` from a period's columns (aware datetimes)."""
        if recurrence == Recurrence.PONCTUEL:
            return debut < self.fin and fin > self.debut
        bornes = self._bornes(debut, fin, recurrence, fin_recurrence)
        if bornes is None:
            periode = _Periode((None, None, debut, fin, recurrence, fin_recurrence))
            return calendrier.touche(periode, self.debut, self.fin)
        d0, f0, pas, k_fin = bornes
        # d0 + k*pas < naif_fin and f0 + k*pas > naif_debut, k >= 0 (and <= k_fin).
        k_bas = max(0, (self.naif_debut - f0) // pas + 1)
        k_haut = -((d0 - self.naif_fin) // pas) - 1
        if k_fin is not None:
            k_haut = min(k_haut, k_fin)
        return k_bas <= k_haut

    def couvre_valeurs(self, debut, fin, recurrence, fin_recurrence) -> bool:
        """``couvre`` from a period's columns (aware datetimes)."""
        if recurrence == Recurrence.PONCTUEL:
            return debut <= self.debut and self.fin <= fin
        bornes = self._bornes(debut, fin, recurrence, fin_recurrence)
        if bornes is None:
            periode = _Periode((None, None, debut, fin, recurrence, fin_recurrence))
            return calendrier.couvre(periode, self.debut, self.fin)
        d0, f0, pas, k_fin = bornes
        # d0 + k*pas <= naif_debut and naif_fin <= f0 + k*pas, k >= 0 (and <= k_fin).
        k_bas = max(0, -((f0 - self.naif_fin) // pas))
        k_haut = (self.naif_debut - d0) // pas
        if k_fin is not None:
            k_haut = min(k_haut, k_fin)
        return k_bas <= k_haut


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
            Value(None, output_field=DateTimeField()),
            Value(None, output_field=DateTimeField()),
            Value(None, output_field=CharField()),
            Value(None, output_field=DateField()),
        )
    )
    return (
        periodes.order_by()
        .values_list(*_COLONNES_PERIODE, "fin_recurrence")
        .union(reservations, all=True)
        .order_by()
    )


# Compiled once per process (``resa_project.requetes``), its rows read as the driver gives
# them (on SQLite, datetimes naive, in UTC).
_OCCUPATION = RequeteCompilee(
    _occupation, types=(datetime, datetime, date, datetime, datetime), convertir=False
)


class _HorsDe(Lookup):
    """``NOT (pk IN ids)`` with the ids as one parameter (a PostgreSQL array, a JSON list on
    SQLite) read once into a hashed set: the same SQL for any number of ids (hundreds:
    every ressource busy in the window), which a list of parameters would not give. A
    lookup, so that ``filter()`` takes it as the whole condition."""

    lookup_name = "hors_de"
    prepare_rhs = False

    def __init__(self, ids):
        super().__init__(F("pk"), list(ids))

    def as_sql(self, compiler, connection):
        colonne, parametres = self.process_lhs(compiler, connection)
        ids = self.rhs
        if connection.vendor == "postgresql":
            return f"NOT ({colonne} IN (SELECT unnest(%s::bigint[])))", [*parametres, ids]
        if connection.vendor == "sqlite":
            sql = f"NOT ({colonne} IN (SELECT value FROM json_each(%s)))"  # noqa: S608 - the compiled column
            return sql, [*parametres, json.dumps(ids)]
        if not ids:
            return "1 = 1", parametres
        marques = ", ".join(["%s"] * len(ids))
        return f"NOT ({colonne} IN ({marques}))", [*parametres, *ids]


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
    touche, couvre = fenetre.touche_valeurs, fenetre.couvre_valeurs
    for ressource_id, type_ligne, debut_p, fin_p, recurrence, fin_recurrence in lignes:
        if type_ligne == normale:
            avec_normales.add(ressource_id)
            if ressource_id in couvertes:
                continue
            if debut_p.tzinfo is None:  # SQLite's UTC
                debut_p, fin_p = debut_p.replace(tzinfo=UTC), fin_p.replace(tzinfo=UTC)
            if couvre(debut_p, fin_p, recurrence, fin_recurrence):
                couvertes.add(ressource_id)
        elif ressource_id not in occupees:
            if type_ligne != _RESERVATION and recurrence != ponctuel:
                if debut_p.tzinfo is None:
                    debut_p, fin_p = debut_p.replace(tzinfo=UTC), fin_p.replace(tzinfo=UTC)
                if not touche(debut_p, fin_p, recurrence, fin_recurrence):
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


def ressources_disponibles(debut: datetime, fin: datetime, *, admin: bool = False, base=None):
    """Active ressources of ``base`` that a booking of exactly ``[debut, fin)`` would be
    accepted on (every rule of ``regles.verifier_creneau`` for one participant).

    Raises ``ValidationError`` for a window no booking could have. One query (what
    occupies the ressources, ``ressources_occupees``), then a lazy queryset the caller
    paginates (``PageDisponibles`` does it in two queries); ``base`` keeps its ordering.
    """
    debut, fin = debut.astimezone(UTC), fin.astimezone(UTC)  # durations in real time
    verifier_fenetre_recherche(debut, fin, admin=admin)
    base = Ressource.objects.all() if base is None else base
    occupees = ressources_occupees(debut, fin)
    types = regles.types_admis(fin - debut)
    # Every type (the ``ressource_type_valide`` constraint): no condition to evaluate per row.
    q_types = Q() if len(types) == len(TypeRessource.values) else Q(type_ressource__in=types)
    # One filter() call: each one copies the whole query.
    return base.filter(
        Exact(_SansIndex(F("etat")), Etat.ACTIVE),
        q_types,
        regles.q_horaires(debut, fin),
        # Read once (hashed) whatever the number of rows of the page and count queries.
        _HorsDe(sorted(occupees)),
    )


class PageDisponibles:
    """The free search as the paginator reads it (``count()``, then one slice), in two
    queries: the number of free ressources, then the page's rows alone, as value tuples for
    ``RessourceSerializer.depuis_valeurs``. The page is an ``ORDER BY ... LIMIT``: the
    database keeps the page's rows only (reading them in the order of the ``(nom, site)``
    index for the default sort) instead of sorting every free ressource."""

    def __init__(self, disponibles):
        self.disponibles = disponibles  # with the annotations of the base it filters
        self._total = None

    def count(self) -> int:
        if self._total is None:
            self._total = self.disponibles.count()
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, tranche: slice) -> list[tuple]:
        """The page's rows as ``RessourceSerializer.en_valeurs`` tuples (the id first); no
        query for a page past the last free ressource."""
        if (tranche.start or 0) >= self.count():
            return []
        return list(RessourceSerializer.en_valeurs(self.disponibles)[tranche])


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
