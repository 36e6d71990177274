"""State changes of sites and departments, for the API, the back-office and the commands.

Each runs in one transaction, calls ``full_clean()`` (the model's rules and constraints)
before saving and raises Django ``ValidationError`` keyed by model field names. ``par`` is
the user acting, ``None`` for the system (commands, demo data). Who may act is the caller's
check (permissions, manager scope); what is possible is checked here. A deletion refused
because something still refers to the object is ``ObjetReference`` (409).
"""

from django.db import transaction
from django.db.models import Model, ProtectedError, RestrictedError

from accounts.models import User
from resa_project.erreurs import ObjetReference

from .models import Department, Site


def _enregistrer(objet: Model) -> Model:
    objet.full_clean()
    objet.save()
    return objet


def _modifier(objet: Model, champs: dict) -> Model:
    for champ, valeur in champs.items():
        setattr(objet, champ, valeur)
    return _enregistrer(objet)


def _supprimer(objet: Model) -> None:
    try:
        objet.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ObjetReference.depuis(exc) from None


@transaction.atomic
def creer_site(*, par: User | None, **champs) -> Site:
    return _enregistrer(Site(**champs))


@transaction.atomic
def modifier_site(site: Site, *, par: User | None, **champs) -> Site:
    """Partial update: only the given fields change, then every rule is checked again."""
    return _modifier(site, champs)


@transaction.atomic
def supprimer_site(site: Site, *, par: User | None) -> None:
    """``ObjetReference`` while ressources, departments or users refer to the site."""
    _supprimer(site)


@transaction.atomic
def creer_departement(*, par: User | None, **champs) -> Department:
    return _enregistrer(Department(**champs))


@transaction.atomic
def modifier_departement(department: Department, *, par: User | None, **champs) -> Department:
    """Partial update: only the given fields change, then every rule is checked again."""
    return _modifier(department, champs)


@transaction.atomic
def supprimer_departement(department: Department, *, par: User | None) -> None:
    """``ObjetReference`` while users belong to the department."""
    _supprimer(department)
