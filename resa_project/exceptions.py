"""One exception handler for the whole API: every error leaves as the contract's JSON,
``{"detail": "...", "code": "...", "errors": {...}}`` with the right status, in French.

- Domain errors carry their status and code; Django and DRF validation errors are 400s.
- An object that vanished while the request ran (``ObjectDoesNotExist``) is a 404.
- Only the database constraints named in ``CONTRAINTES_CONFLIT`` are business conflicts
  (409). Any other ``IntegrityError`` is a bug: it is logged and answered as a 500, not
  disguised as a conflict.
"""

import logging
import re

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .erreurs import ErreurDomaine, ObjetReference

logger = logging.getLogger(__name__)

MSG_VALIDATION = "Données invalides."
MSG_INTROUVABLE = "Ressource introuvable."
MSG_INTERDIT = "Vous n'avez pas la permission d'effectuer cette action."
MSG_TROP_DE_TENTATIVES = "Trop de tentatives : réessayez dans {secondes} secondes."
MSG_CORPS_ILLISIBLE = "Corps de requête illisible : envoyez un document JSON valide."
MSG_CHEMIN_INCONNU = "Chemin inconnu : consultez /docs pour la liste des points d'entrée."
MSG_ERREUR_SERVEUR = "Erreur interne du serveur."
MSG_REQUETE_INVALIDE = "Requête invalide (en-tête Host non autorisé ou requête mal formée)."

# The contract's machine-readable codes (API.md, B+ "Error codes").
CODE_VALIDATION = "validation"
CODE_NON_AUTHENTIFIE = "non_authentifie"
CODE_PERMISSION_REFUSEE = "permission_refusee"
CODE_INTROUVABLE = "introuvable"
CODE_CONFLIT_RESERVATION = "conflit_reservation"
CODE_OBJET_REFERENCE = "objet_reference"
CODE_DOUBLON = "doublon"
CODE_TROP_DE_TENTATIVES = "trop_de_tentatives"
CODE_ERREUR_SERVEUR = "erreur_serveur"

# DRF's errors: their status decides the code; the rest keep DRF's own code.
CODES_PAR_STATUT = {
    400: CODE_VALIDATION,
    401: CODE_NON_AUTHENTIFIE,
    403: CODE_PERMISSION_REFUSEE,
    404: CODE_INTROUVABLE,
    405: "methode_non_autorisee",
    406: "non_acceptable",
    415: "type_non_supporte",
    429: CODE_TROP_DE_TENTATIVES,
}

# Database constraints whose violation means "conflict with existing data" (a race the
# Python checks lost), by constraint name (PostgreSQL, SQLite CHECK) or by the columns
# SQLite names for a UNIQUE violation.
CONTRAINTES_CONFLIT = {
    "ressource_nom_unique_par_site": (CODE_DOUBLON, "Une ressource porte déjà ce nom sur ce site."),
    "ressources_ressource.nom, ressources_ressource.site_id": (
        CODE_DOUBLON,
        "Une ressource porte déjà ce nom sur ce site.",
    ),
    "reservation_sans_chevauchement": (
        CODE_CONFLIT_RESERVATION,
        "Le créneau demandé est déjà pris.",
    ),
    "accounts_user_email_key": (CODE_DOUBLON, "Un compte utilise déjà cet email."),
    "accounts_user.email": (CODE_DOUBLON, "Un compte utilise déjà cet email."),
    "accounts_user_nom_utilisateur_key": (
        CODE_DOUBLON,
        "Un compte utilise déjà ce nom d'utilisateur.",
    ),
    "accounts_user.nom_utilisateur": (CODE_DOUBLON, "Un compte utilise déjà ce nom d'utilisateur."),
}
_SQLITE_CONTRAINTE = re.compile(r"^(?:UNIQUE|CHECK) constraint failed: (?P<nom>.+)$")


def _reponse(status_code, detail, code, **extra):
    return Response({"detail": detail, "code": code, **extra}, status=status_code)


def _premier_message(errors):
    """A readable ``detail`` for a validation error: its first message."""
    for valeur in errors.values():
        while isinstance(valeur, (list, dict)) and valeur:
            valeur = valeur[0] if isinstance(valeur, list) else next(iter(valeur.values()))
        if isinstance(valeur, str):
            return valeur
    return MSG_VALIDATION


def _erreurs_validation(errors):
    if not isinstance(errors, dict):
        errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
    if NON_FIELD_ERRORS in errors:
        # Django's model-level key, under the name the contract uses.
        errors = dict(errors)
        errors.setdefault("non_field_errors", []).extend(errors.pop(NON_FIELD_ERRORS))
    return _reponse(400, _premier_message(errors), CODE_VALIDATION, errors=errors)


def contrainte_violee(exc: IntegrityError) -> str | None:
    """The name of the constraint an ``IntegrityError`` reports, on PostgreSQL and SQLite."""
    diagnostic = getattr(exc.__cause__, "diag", None)
    if diagnostic is not None and getattr(diagnostic, "constraint_name", None):
        return diagnostic.constraint_name
    trouve = _SQLITE_CONTRAINTE.match(str(exc).strip())
    return trouve["nom"] if trouve else None


def exception_handler(exc, context):
    if isinstance(exc, (ProtectedError, RestrictedError)):
        # A deletion that no service turned into ObjetReference gets the same answer.
        exc = ObjetReference.depuis(exc)
    if isinstance(exc, ErreurDomaine):
        set_rollback()
        return _reponse(exc.status_code, exc.detail, exc.code, **exc.donnees)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return _erreurs_validation(as_serializer_error(exc))
    if isinstance(exc, IntegrityError):
        conflit = CONTRAINTES_CONFLIT.get(contrainte_violee(exc))
        if conflit is None:
            return None  # a bug, not a conflict: Django logs it and answers a JSON 500
        set_rollback()
        code, detail = conflit
        return _reponse(409, detail, code)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound(MSG_INTROUVABLE)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(MSG_INTERDIT)
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        return _erreurs_validation(exc.detail)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = {"detail": _detail_drf(exc), "code": _code_drf(exc)}
    return response


def _detail_drf(exc):
    """DRF's own errors; their messages are already French (LANGUAGE_CODE fr-fr)."""
    if isinstance(exc, exceptions.Throttled):
        return MSG_TROP_DE_TENTATIVES.format(secondes=int(exc.wait or 60))
    if isinstance(exc, exceptions.ParseError):
        return MSG_CORPS_ILLISIBLE
    if isinstance(exc.detail, (list, dict)):
        return MSG_VALIDATION
    return str(exc.detail)


def _code_drf(exc):
    return CODES_PAR_STATUT.get(exc.status_code) or exc.default_code


def requete_invalide(request, exception=None):
    """``handler400`` (e.g. a ``Host`` header not in ALLOWED_HOSTS): JSON too."""
    return JsonResponse({"detail": MSG_REQUETE_INVALIDE, "code": CODE_VALIDATION}, status=400)


def page_introuvable(request, exception=None):
    """Unknown paths answer in the API's format too (``handler404``)."""
    return JsonResponse({"detail": MSG_CHEMIN_INCONNU, "code": CODE_INTROUVABLE}, status=404)


def erreur_serveur(request):
    """``handler500``: JSON, and nothing about the error itself."""
    return JsonResponse({"detail": MSG_ERREUR_SERVEUR, "code": CODE_ERREUR_SERVEUR}, status=500)
