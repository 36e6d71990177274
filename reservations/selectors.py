"""Read-side queries of reservations: who may see what."""

from django.db.models import Q, QuerySet

from accounts.models import Autorisation, Role

from .models import Reservation, StatutReservation


def reservations_visibles(user) -> QuerySet[Reservation]:
    """The reservations ``user`` may see, as one filterable queryset.

    - everyone: their own, as the person booked for (``user``) or who booked (``createur``);
    - managers: also those of the users of the departments they manage;
    - managers and holders of ``confirmer_reservations``: also every ``en_cours`` one (the
      approval queue);
    - admins: all.
    """
    reservations = Reservation.objects.all()
    if user.est_admin:
        return reservations
    visibles = Q(user=user) | Q(createur=user)
    if user.role == Role.MANAGER:
        visibles |= Q(user__department__manager=user)
    if user.role == Role.MANAGER or user.a_autorisation(Autorisation.CONFIRMER_RESERVATIONS):
        visibles |= Q(statut=StatutReservation.EN_COURS)
    return reservations.filter(visibles)
