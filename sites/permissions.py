"""Who may change sites and departments (API.md B+ "Manager scope"): admins everywhere,
managers on their own sites and the departments they manage."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .portee import agit_sur_site

MSG_HORS_PORTEE = (
    "Action hors de votre périmètre : seuls les sites et départements que vous gérez sont "
    "concernés."
)
MSG_MANAGER_PAR_ADMIN = "Seul un administrateur peut désigner le manager d'un département."


class GereLeSite(BasePermission):
    """The site is one of the caller's sites (a site of a department they manage)."""

    message = MSG_HORS_PORTEE

    def has_object_permission(self, request, view, obj):
        return agit_sur_site(request.user, obj.pk)


class GereLeDepartement(BasePermission):
    """The caller manages this department (or is an admin)."""

    message = MSG_HORS_PORTEE

    def has_object_permission(self, request, view, obj):
        return request.user.est_admin or obj.manager_id == request.user.pk


def sur_ses_sites(site_de, *, autorisation=None):
    """A permission class: the object's site (``site_de(obj)``, an id) is one where the caller
    acts, counting the holder's main site for ``autorisation``."""

    class SurSesSites(BasePermission):
        message = MSG_HORS_PORTEE

        def has_object_permission(self, request, view, obj):
            return agit_sur_site(request.user, site_de(obj), autorisation=autorisation)

    return SurSesSites


def exiger_site(user, site_id, *, autorisation=None):
    """For a write whose body names a site (directly or through a ressource): 403 outside
    the caller's sites."""
    if not agit_sur_site(user, site_id, autorisation=autorisation):
        raise PermissionDenied(MSG_HORS_PORTEE)
