"""Who may act on reservations and unavailability periods (whether the action is possible
now, given the state and the clock, is the services' business: 409, not 403)."""

from django.db.models import Q
from rest_framework.permissions import BasePermission

from accounts.models import Autorisation
from accounts.permissions import manager_admin_ou
from sites.models import Department
from sites.permissions import MSG_HORS_PORTEE, sur_ses_sites

from .models import Reservation
from .selectors import q_portee_validation
from .services import peut_reserver_pour_autrui

MSG_RESERVER_POUR_AUTRUI = (
    "Vous ne pouvez réserver que pour vous-même (autorisation reserver_pour_autrui requise)."
)
MSG_TITULAIRE = "Seuls le titulaire de la réservation, un manager ou un administrateur le peuvent."

PeutConfirmer = manager_admin_ou(Autorisation.CONFIRMER_RESERVATIONS)
PeutGererRessources = manager_admin_ou(Autorisation.GERER_RESSOURCES)
# A period's ressource is on one of the caller's sites (managers; gerer_ressources: main site).
SurLesSitesDeLaPeriode = sur_ses_sites(
    lambda periode: periode.ressource.site_id, autorisation=Autorisation.GERER_RESSOURCES
)


class DansSaFileDeValidation(BasePermission):
    """The reservation is within the caller's approval scope (``q_portee_validation``),
    whatever its status: whether it can be confirmed now is the service's 409."""

    message = MSG_HORS_PORTEE

    def has_object_permission(self, request, view, obj):
        if request.user.est_admin:
            return True
        portee = q_portee_validation(request.user)
        return Reservation.objects.filter(portee, pk=obj.pk).exists()


class EstTitulaireOuGestionnaire(BasePermission):
    """The person booked for, the one who booked, a manager or an admin."""

    message = MSG_TITULAIRE

    def has_object_permission(self, request, view, obj):
        user = request.user
        return user.est_manager_ou_admin or user.pk in (obj.user_id, obj.createur_id)


MSG_CHECKIN = (
    "Seuls le bénéficiaire, le créateur, un manager du département du bénéficiaire ou un "
    "administrateur peuvent signaler l'arrivée."
)


class PeutSignalerArrivee(BasePermission):
    """Check-in (API.md C4): the beneficiary, the creator, a manager of the beneficiary's
    department (the one frozen on the booking, or the current one), an admin."""

    message = MSG_CHECKIN

    def has_object_permission(self, request, view, obj):
        user = request.user
        if user.est_admin or user.pk in (obj.user_id, obj.createur_id):
            return True
        if not user.est_manager_ou_admin:
            return False
        # One query: the beneficiary's current department is read in the database.
        return Department.objects.filter(
            Q(pk=obj.department_id) | Q(membres=obj.user_id), manager=user
        ).exists()


class PeutReserverPourAutrui(BasePermission):
    """A ``user_id`` other than the caller's own needs manager, admin or
    ``reserver_pour_autrui``. Checked before the body is validated, so that whether the
    target exists is not revealed to those who may not book for others."""

    message = MSG_RESERVER_POUR_AUTRUI

    def has_permission(self, request, view):
        data = request.data
        cible = data.get("user_id") if isinstance(data, dict) else None
        if cible is None or str(cible) == str(request.user.pk):
            return True
        return peut_reserver_pour_autrui(request.user)
