"""DRF permission classes named after the rule they enforce."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Role


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.role == Role.ADMIN)


class IsManagerOrAdmin(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.est_manager_ou_admin)


class ReadOnly(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS


class HasAutorisation(BasePermission):
    """``HasAutorisation("gerer_ressources")``: the named right from ``autorisations``."""

    def __init__(self, autorisation):
        self.autorisation = autorisation

    def __call__(self):
        return self

    def has_permission(self, request, view):
        return bool(request.user and request.user.a_autorisation(self.autorisation))


def manager_admin_ou(autorisation):
    """Managers, admins, or holders of ``autorisation``."""
    return IsManagerOrAdmin | HasAutorisation(autorisation)
