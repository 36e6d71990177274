"""State changes of ressources: each goes through ``full_clean()`` in one transaction.

``par`` is the user acting, ``None`` for the system (commands, demo data). Errors are Django
``ValidationError`` keyed by model field names (the API maps them onto its JSON names), or
domain errors carrying their status.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.dispatch import Signal

from accounts.models import User
from resa_project.erreurs import Doublon, ObjetReference

from .models import Favori, Ressource

CONTRAINTE_NOM_UNIQUE = next(
    c for c in Ressource._meta.constraints if c.name == "ressource_nom_unique_par_site"
)
MSG_NOM_EN_DOUBLE = CONTRAINTE_NOM_UNIQUE.violation_error_message
MSG_RESSOURCE_REFERENCEE = (
    "Des réservations font référence à cette ressource : elle ne peut pas être supprimée "
    "(passez son état à hors_service)."
)


#: Sent in the transaction of ``modifier_ressource`` when ``checkin_requis`` or
#: ``delai_checkin_minutes`` changed: ``receiver(sender=Ressource, ressource=...)`` (the
#: reservations app moves the check-in deadlines of the coming bookings).
reglages_checkin_modifies = Signal()
CHAMPS_CHECKIN = ("checkin_requis", "delai_checkin_minutes")


class RessourceEnDouble(Doublon):
    detail = MSG_NOM_EN_DOUBLE


def _viole_le_nom_unique(ressource: Ressource) -> bool:
    try:
        CONTRAINTE_NOM_UNIQUE.validate(Ressource, ressource)
    except ValidationError:
        return True
    return False


def _valider(ressource: Ressource):
    """``full_clean``; a duplicate (nom, site) that is the only error is a 409."""
    try:
        ressource.full_clean()
    except ValidationError as exc:
        erreurs = exc.error_dict
        seule_erreur = list(erreurs) == [NON_FIELD_ERRORS] and len(erreurs[NON_FIELD_ERRORS]) == 1
        if seule_erreur and _viole_le_nom_unique(ressource):
            raise RessourceEnDouble() from None
        raise


@transaction.atomic
def creer_ressource(*, par: User | None, **champs) -> Ressource:
    ressource = Ressource(**champs)
    _valider(ressource)
    ressource.save()
    return ressource


@transaction.atomic
def modifier_ressource(ressource: Ressource, *, par: User | None, **champs) -> Ressource:
    """Partial update: only the given fields change, then every rule is checked again."""
    checkin_avant = [getattr(ressource, champ) for champ in CHAMPS_CHECKIN]
    for champ, valeur in champs.items():
        setattr(ressource, champ, valeur)
    _valider(ressource)
    ressource.save()
    if [getattr(ressource, champ) for champ in CHAMPS_CHECKIN] != checkin_avant:
        reglages_checkin_modifies.send(sender=Ressource, ressource=ressource)
    return ressource


@transaction.atomic
def supprimer_ressource(ressource: Ressource, *, par: User | None) -> None:
    """Delete; its unavailability periods go with it, but referenced ressources stay (409)."""
    try:
        ressource.delete()
    except ProtectedError:
        raise ObjetReference(MSG_RESSOURCE_REFERENCEE) from None


def ajouter_favori(ressource: Ressource, *, par: User) -> Favori:
    """Marks ``ressource`` as a favourite of ``par``; idempotent (the existing mark is kept,
    with its date), also under concurrent calls (the unique pair decides)."""
    favori, _ = Favori.objects.get_or_create(user=par, ressource=ressource)
    return favori


@transaction.atomic
def retirer_favori(ressource: Ressource, *, par: User) -> None:
    """Removes the mark; idempotent (no mark is not an error)."""
    Favori.objects.filter(user=par, ressource=ressource).delete()
