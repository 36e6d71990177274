"""One exception handler for the whole API: every error leaves as the contract's JSON,
``{"detail": "...", "errors": {...}}`` with the right status, and in French."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from .erreurs import ErreurDomaine

logger = logging.getLogger(__name__)

MSG_VALIDATION = "Données invalides."
MSG_INTROUVABLE = "Ressource introuvable."
MSG_INTERDIT = "Vous n'avez pas la permission d'effectuer cette action."
MSG_TROP_DE_TENTATIVES = "Trop de tentatives : réessayez dans {secondes} secondes."
MSG_REFERENCE = "Cet objet est encore référencé ({objets}) : suppression impossible."
MSG_CORPS_ILLISIBLE = "Corps de requête illisible : envoyez un document JSON valide."
MSG_CHEMIN_INCONNU = "Chemin inconnu : consultez /docs pour la liste des points d'entrée."
MSG_ERREUR_SERVEUR = "Erreur interne du serveur."
MSG_INTEGRITE = "L'opération viole une contrainte d'intégrité des données."

# Named database constraints that mean "conflict with existing data" (409) rather than 400.
CONTRAINTES_CONFLIT = {
    "ressource_nom_unique_par_site": "Une ressource porte déjà ce nom sur ce site.",
    "reservation_sans_chevauchement": "Le créneau demandé est déjà pris.",
}


def _reponse(status_code, detail, **extra):
    return Response({"detail": detail, **extra}, status=status_code)


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
    return _reponse(400, _premier_message(errors), errors=errors)


def exception_handler(exc, context):
    if isinstance(exc, ErreurDomaine):
        set_rollback()
        return _reponse(exc.status_code, exc.detail, **exc.donnees)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return _erreurs_validation(as_serializer_error(exc))
    if isinstance(exc, (ProtectedError, RestrictedError)):
        set_rollback()
        lies = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        objets = sorted({str(obj._meta.verbose_name_plural) for obj in lies})
        return _reponse(409, MSG_REFERENCE.format(objets=", ".join(objets)))
    if isinstance(exc, IntegrityError):
        set_rollback()
        message = str(exc)
        for nom, detail in CONTRAINTES_CONFLIT.items():
            if nom in message:
                return _reponse(409, detail)
        logger.warning("IntegrityError answered as 409: %s", message)
        return _reponse(409, MSG_INTEGRITE)
    if isinstance(exc, Http404):
        return _reponse(404, MSG_INTROUVABLE)
    if isinstance(exc, PermissionDenied):
        return _reponse(403, MSG_INTERDIT)
    if isinstance(exc, exceptions.ValidationError):
        return _erreurs_validation(exc.detail)
    if isinstance(exc, exceptions.APIException):
        return _reponse_drf(exc)
    return None


def _reponse_drf(exc):
    """DRF's own errors; their messages are already French (LANGUAGE_CODE fr-fr)."""
    detail = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else MSG_VALIDATION
    if isinstance(exc, exceptions.Throttled):
        detail = MSG_TROP_DE_TENTATIVES.format(secondes=int(exc.wait or 60))
    elif isinstance(exc, exceptions.ParseError):
        detail = MSG_CORPS_ILLISIBLE
    response = _reponse(exc.status_code, detail)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def page_introuvable(request, exception=None):
    """Unknown paths answer in the API's format too (``handler404``)."""
    return JsonResponse({"detail": MSG_CHEMIN_INCONNU}, status=404)


def erreur_serveur(request):
    """``handler500``: JSON, and nothing about the error itself."""
    return JsonResponse({"detail": MSG_ERREUR_SERVEUR}, status=500)
