"""State changes of ressources: each goes through ``full_clean()`` in one transaction."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from resa_project.erreurs import Doublon, ObjetReference

from .models import Ressource

CONTRAINTE_NOM_UNIQUE = next(
    c for c in Ressource._meta.constraints if c.name == "ressource_nom_unique_par_site"
)
MSG_NOM_EN_DOUBLE = CONTRAINTE_NOM_UNIQUE.violation_error_message
MSG_RESSOURCE_REFERENCEE = (
    "Des réservations font référence à cette ressource : elle ne peut pas être supprimée "
    "(passez son état à hors_service)."
)
# Model field names that differ from the contract's.
CHAMPS_API = {"site": "site_id"}


class RessourceEnDouble(Doublon):
    detail = MSG_NOM_EN_DOUBLE


def _valider(ressource: Ressource):
    """``full_clean`` with the contract's field names; a duplicate (nom, site) alone is a 409."""
    try:
        ressource.full_clean()
    except ValidationError as exc:
        erreurs = {CHAMPS_API.get(champ, champ): liste for champ, liste in exc.error_dict.items()}
        generales = [m for e in erreurs.get(NON_FIELD_ERRORS, []) for m in e.messages]
        if list(erreurs) == [NON_FIELD_ERRORS] and generales == [MSG_NOM_EN_DOUBLE]:
            raise RessourceEnDouble() from None
        raise ValidationError(erreurs) from None


@transaction.atomic
def creer_ressource(**champs) -> Ressource:
    ressource = Ressource(**champs)
    _valider(ressource)
    ressource.save()
    return ressource


@transaction.atomic
def modifier_ressource(ressource: Ressource, **champs) -> Ressource:
    """Partial update: only the given fields change, then every rule is checked again."""
    for champ, valeur in champs.items():
        setattr(ressource, champ, valeur)
    _valider(ressource)
    ressource.save()
    return ressource


@transaction.atomic
def supprimer_ressource(ressource: Ressource) -> None:
    """Delete; its unavailability periods go with it, but referenced ressources stay (409)."""
    try:
        ressource.delete()
    except ProtectedError:
        raise ObjetReference(MSG_RESSOURCE_REFERENCEE) from None
