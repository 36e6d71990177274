"""Where a manager (or the holder of a named right) may act: the rule of API.md B+ "Manager
scope", in one place.

- An admin acts everywhere.
- A manager acts on "their sites" (the sites of the departments they manage) and on the
  users of those departments.
- ``gerer_ressources`` and ``confirmer_reservations`` give their rights within the holder's
  ``site_principal``.

``q_sites`` is the queryset form (a subquery, no extra SQL query); ``agit_sur_site`` the
yes/no form for one object.
"""

from django.db.models import Q

from accounts.models import Role

from .models import Department

AUCUN = Q(pk__in=[])


def departements_geres(user):
    return Department.objects.filter(manager=user)


def q_sites(user, champ: str, *, autorisation: str | None = None) -> Q:
    """Rows whose site (``champ``: a path to a site id, e.g. ``"ressource__site_id"``) is
    one where ``user`` may act; with ``autorisation``, the holder's main site counts too."""
    if user.est_admin:
        return Q()
    portee = AUCUN
    if user.role == Role.MANAGER:
        portee |= Q(**{f"{champ}__in": departements_geres(user).values("site_id")})
    if autorisation and user.a_autorisation(autorisation) and user.site_principal_id:
        portee |= Q(**{champ: user.site_principal_id})
    return portee


def agit_sur_site(user, site_id, *, autorisation: str | None = None) -> bool:
    if user.est_admin:
        return True
    if user.role == Role.MANAGER and departements_geres(user).filter(site_id=site_id).exists():
        return True
    return bool(
        autorisation and user.a_autorisation(autorisation) and user.site_principal_id == site_id
    )
