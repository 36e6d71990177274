"""The free search: the ressources a booking of exactly ``[debut, fin)`` would be accepted
on, in a fixed number of SQL queries (recurring periods expanded by ``calendrier``)."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from ressources.models import Ressource

from . import calendrier, regles
from .models import DUREE_MAXIMUM_ABSOLUE, Reservation, ResourceAvailability

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
