"""The free search: the ressources a booking of exactly ``[debut, fin)`` would be accepted
on, as one set-based query over the ressources once the periods have been read.

The periods (one query) decide in Python which ressources they refuse, with the same
occurrences as ``calendrier`` (hence as the booking rules), computed in closed form: see
``_Fenetre``. Every other rule is a filter of that one query.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone

from ressources.models import Ressource
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

    def _bornes(self, periode):
        """``(d0, f0, pas, k_fin)``, or None when ``calendrier`` must decide."""
        pas = PAS_RECURRENCE.get(periode.recurrence)
        if pas is None or not self.forme_close:
            return None
        d0 = calendrier.local_naif(periode.debut, self.zone)
        f0 = calendrier.local_naif(periode.fin, self.zone)
        k_fin = None
        if periode.fin_recurrence is not None:
            # calendrier stops at the first occurrence starting after fin_recurrence.
            k_fin = (periode.fin_recurrence - d0.date()).days // pas.days
        return d0, f0, pas, k_fin

    def touche(self, periode) -> bool:
        if periode.recurrence == Recurrence.PONCTUEL:
            return periode.debut < self.fin and periode.fin > self.debut
        bornes = self._bornes(periode)
        if bornes is None:
            return calendrier.touche(periode, self.debut, self.fin)
        d0, f0, pas, k_fin = bornes
        # d0 + k*pas < naif_fin and f0 + k*pas > naif_debut, k >= 0 (and <= k_fin).
        k_bas = max(0, (self.naif_debut - f0) // pas + 1)
        k_haut = -((d0 - self.naif_fin) // pas) - 1
        if k_fin is not None:
            k_haut = min(k_haut, k_fin)
        return k_bas <= k_haut

    def couvre(self, periode) -> bool:
        if periode.recurrence == Recurrence.PONCTUEL:
            return periode.debut <= self.debut and self.fin <= periode.fin
        bornes = self._bornes(periode)
        if bornes is None:
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


def refusees_par_les_periodes(debut: datetime, fin: datetime) -> set[int]:
    """Ids of the ressources whose periods refuse a booking of ``[debut, fin)`` (UTC): an
    occurrence of a blocking period overlaps it, or the ressource has normal windows and no
    occurrence of one contains it (``Occupation.conflits``, ``dans_une_fenetre_normale``).
    One query: the blocking periods that may touch the window and every normal one (a
    ressource with a normal window anywhere in time is refused outside them)."""
    fenetre = _Fenetre(debut, fin)
    periodes = (
        ResourceAvailability.objects.bloquantes().pouvant_toucher(debut, fin)
        | ResourceAvailability.objects.normales()
    )
    normale = TypeDisponibilite.DISPONIBILITE_NORMALE
    refusees, avec_normales, couvertes = set(), set(), set()
    touche, couvre = fenetre.touche, fenetre.couvre
    for ligne in periodes.order_by().values_list(*_COLONNES_PERIODE, "fin_recurrence"):
        ressource_id = ligne[0]
        if ligne[1] == normale:
            avec_normales.add(ressource_id)
            if ressource_id not in couvertes and couvre(_Periode(ligne)):
                couvertes.add(ressource_id)
        elif ressource_id not in refusees and touche(_Periode(ligne)):
            refusees.add(ressource_id)
    return refusees | (avec_normales - couvertes)


def ressources_disponibles(debut: datetime, fin: datetime, *, admin: bool = False, base=None):
    """Active ressources of ``base`` that a booking of exactly ``[debut, fin)`` would be
    accepted on (every rule of ``regles.verifier_creneau`` for one participant).

    Raises ``ValidationError`` for a window no booking could have. One query (the periods),
    then a lazy queryset the caller paginates (``PageDisponibles`` does it in two queries);
    ``base`` keeps its ordering.
    """
    debut, fin = debut.astimezone(UTC), fin.astimezone(UTC)  # durations in real time
    verifier_fenetre_recherche(debut, fin, admin=admin)
    base = Ressource.objects.all() if base is None else base
    refusees = refusees_par_les_periodes(debut, fin)
    # One filter() call: each one copies the whole query.
    return base.actives().filter(
        Q(type_ressource__in=regles.types_admis(fin - debut)),
        regles.q_horaires(debut, fin),
        # One uncorrelated subquery, read once (hashed): a correlated NOT EXISTS lets
        # PostgreSQL pick a nested loop on a low estimate, SQLite probe every ressource.
        ~Q(pk__in=Reservation.objects.bloquantes().chevauche(debut, fin).values("ressource_id")),
        ~Q(pk__in=sorted(refusees)),
    )


class PageDisponibles:
    """The free search as the paginator reads it (``count()``, then one slice), in two
    queries: the ids of every free ressource in order (the count is their number), then the
    rows of the page's ids only, through ``base`` (its annotations), as value tuples for
    ``RessourceSerializer.depuis_valeurs``."""

    def __init__(self, disponibles, base):
        # Thousands of ids: read them straight from the cursor (a primary key needs no
        # conversion), not through a queryset's per-row iterators.
        requete = disponibles.values_list("pk")
        try:
            sql, parametres = requete.query.get_compiler(using=requete.db).as_sql()
        except EmptyResultSet:
            self.ids = []
        else:
            with connections[requete.db].cursor() as curseur:
                curseur.execute(sql, parametres)
                self.ids = [ligne[0] for ligne in curseur.fetchall()]
        self.base = base

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, tranche: slice) -> list[tuple]:
        """The page's rows as ``RessourceSerializer.en_valeurs`` tuples (the id first)."""
        ids = self.ids[tranche]
        if not ids:
            return []
        lignes = RessourceSerializer.en_valeurs(self.base.filter(pk__in=ids).order_by())
        par_id = {ligne[0]: ligne for ligne in lignes}
        return [par_id[pk] for pk in ids]


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
