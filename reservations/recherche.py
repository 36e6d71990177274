"""The free search: the ressources a booking of exactly ``[debut, fin)`` would be accepted
on, in a fixed number of SQL queries (recurring periods expanded by ``calendrier``)."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
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

from . import calendrier, regles
from .models import DUREE_MAXIMUM_ABSOLUE, Reservation, ResourceAvailability, StatutReservation

MSG_RECHERCHE_TROP_LONGUE = (
    "Aucune ressource ne se réserve plus de 24 heures : réduisez la fenêtre."
)


def verifier_fenetre_recherche(debut: datetime, fin: datetime, *, admin: bool):
    """The window rules of a booking, plus the longest duration any type accepts."""
    debut, fin = debut.astimezone(UTC), fin.astimezone(UTC)
    erreurs = regles.verifier_fenetre(debut, fin, admin=admin)
    if not erreurs.get("fin") and fin - debut > DUREE_MAXIMUM_ABSOLUE:
        erreurs.setdefault("fin", []).append(MSG_RECHERCHE_TROP_LONGUE)
    if erreurs:
        raise ValidationError(erreurs)


def ressources_disponibles(debut: datetime, fin: datetime, *, admin: bool = False, base=None):
    """Active ressources of ``base`` that a booking of exactly ``[debut, fin)`` would be
    accepted on (every rule of ``regles.verifier_creneau`` for one participant).

    Raises ``ValidationError`` for a window no booking could have. Two queries (the
    periods), then a lazy queryset the caller paginates; ``base`` keeps its ordering.
    """
    debut, fin = debut.astimezone(UTC), fin.astimezone(UTC)  # durations in real time
    verifier_fenetre_recherche(debut, fin, admin=admin)
    base = Ressource.objects.all() if base is None else base
    candidates = (
        base.actives()
        .filter(type_ressource__in=regles.types_admis(fin - debut))
        .filter(regles.q_horaires(debut, fin))
        .exclude(
            # One uncorrelated subquery, read once (hashed): a correlated NOT EXISTS lets
            # PostgreSQL pick a nested loop on a low estimate, SQLite probe every ressource.
            pk__in=Reservation.objects.bloquantes().chevauche(debut, fin).values("ressource_id")
        )
    )
    # Periods of the base's active ressources: ``candidates`` would evaluate the whole
    # search (reservations included) twice more, once per period query.
    periodes = ResourceAvailability.objects.filter(
        ressource__in=base.actives().values("pk")
    ).pouvant_toucher(debut, fin)
    colonnes = ("ressource_id", "type_disponibilite", "debut", "fin", "recurrence")
    touchees = {
        p.ressource_id
        for p in periodes.bloquantes().only(*colonnes, "fin_recurrence")
        if calendrier.touche(p, debut, fin)
    }
    couvertes = {
        p.ressource_id
        for p in periodes.normales().only(*colonnes, "fin_recurrence")
        if calendrier.couvre(p, debut, fin)
    }
    sans_normales = ~Exists(
        ResourceAvailability.objects.normales().filter(ressource=OuterRef("pk"))
    )
    return candidates.exclude(pk__in=touchees).filter(sans_normales | Q(pk__in=couvertes))


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
