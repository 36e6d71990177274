"""Read-side queries of reservations: who may see what."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Autorisation, Role
from sites.portee import AUCUN, q_sites

from .models import Reservation, Serie, StatutReservation


def q_portee_validation(user) -> Q:
    """The reservations whose approval is ``user``'s business (API.md B+ "Manager scope"):
    for a manager, those on the ressources of their sites and those of their departments'
    users; for a holder of ``confirmer_reservations``, those on their main site."""
    portee = q_sites(user, "ressource__site_id", autorisation=Autorisation.CONFIRMER_RESERVATIONS)
    if user.role == Role.MANAGER:
        portee |= Q(user__department__manager=user)
    return portee


def reservations_visibles(user) -> QuerySet[Reservation]:
    """The reservations ``user`` may see, as one filterable queryset.

    - everyone: their own, as the person booked for (``user``) or who booked (``createur``);
    - managers: also those of the users of the departments they manage;
    - the approval queue: the ``en_cours`` ones within ``q_portee_validation``;
    - admins: all.
    """
    reservations = Reservation.objects.all()
    if user.est_admin:
        return reservations
    visibles = Q(user=user) | Q(createur=user)
    if user.role == Role.MANAGER:
        visibles |= Q(user__department__manager=user)
    file = q_portee_validation(user)
    if file != AUCUN:
        visibles |= Q(statut=StatutReservation.EN_ATTENTE) & file
    return reservations.filter(visibles)


def series_visibles(user) -> QuerySet[Serie]:
    """The series ``user`` may see: those with a reservation they may see (admins: all)."""
    series = Serie.objects.all()
    if user.est_admin:
        return series
    return series.filter(Exists(reservations_visibles(user).filter(serie=OuterRef("pk"))))
