"""The reservations' background work: the diffusion of the journal's events and the
periodic jobs of the domain (automatic releases, closing the day; see ``services``)."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from taches.registre import periodique

from . import journal, selectors, services
from .models import Evenement

#: An event not yet diffused this long after it was recorded is picked up by the sweep
#: (its task was lost, or a receiver failed); older than ``ABANDON``, it is left alone.
DELAI_RATTRAPAGE = timedelta(minutes=1)
ABANDON = timedelta(days=7)
LOT_RATTRAPAGE = 500


@task
def diffuser(ids: list[int]) -> int:
    """Diffuse the events ``ids`` that are not diffused yet; returns how many were."""
    evenements = Evenement.objects.filter(pk__in=ids, diffuse_le__isnull=True).order_by("id")
    return sum(journal.diffuser_evenement(evenement) for evenement in evenements)


@periodique("journal.rattrapage", ordre=90)
def rattraper_diffusion() -> int:
    """Diffuse the events that their task did not (lost enqueue, failed receiver)."""
    maintenant = timezone.now()
    evenements = Evenement.objects.filter(
        diffuse_le__isnull=True,
        date__lte=maintenant - DELAI_RATTRAPAGE,
        date__gte=maintenant - ABANDON,
    ).order_by("id")[:LOT_RATTRAPAGE]
    return sum(journal.diffuser_evenement(evenement) for evenement in evenements)


@periodique("reservations.liberations", ordre=10)
def liberer_les_reservations_expirees() -> int:
    """Release the unclaimed holds past their check-in deadline (API.md C4)."""
    return services.liberer_les_reservations_expirees()


@periodique("reservations.cloture", toutes_les=timedelta(minutes=5), ordre=20)
def cloturer_journee() -> int:
    """Close the confirmed reservations whose end has passed (``fini``)."""
    return services.cloturer_journee()


@periodique("reservations.compteur", ordre=30)
def compacter_le_compteur() -> int:
    """Fold the list total's deltas (``selectors.total_reservations``) into one row per
    statut once they are more than ``SEUIL_COMPACTAGE``; returns how many were folded."""
    lignes = selectors.lignes_du_compteur()
    if lignes <= selectors.SEUIL_COMPACTAGE:
        return 0
    selectors.compacter_compteur()
    return lignes
