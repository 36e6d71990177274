"""Shapes shared by every app's OpenAPI description: the error bodies and ``{"ok": true}``."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

CODES_ERREUR = [
    "validation",
    "non_authentifie",
    "permission_refusee",
    "introuvable",
    "conflit_reservation",
    "ressource_inactive",
    "etat_incompatible",
    "objet_reference",
    "doublon",
    "trop_de_tentatives",
    "trop_volumineux",
    "methode_non_autorisee",
    "non_acceptable",
    "type_non_supporte",
    "erreur_serveur",
]


class ErreurSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Message lisible, en français.")
    code = serializers.ChoiceField(
        choices=CODES_ERREUR,
        help_text="Code stable, lisible par une machine : c'est sur lui que les clients "
        "s'aiguillent, jamais sur le texte.",
    )


class ErreurValidationSerializer(ErreurSerializer):
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text=(
            "Messages par champ (liste de chaînes ; par position ou sous-champ pour une liste "
            "ou un objet imbriqué) ; `non_field_errors` pour les règles croisées."
        ),
    )


class ConflitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["reservation", "indisponibilite"])
    id = serializers.IntegerField()
    debut = serializers.DateTimeField()
    fin = serializers.DateTimeField()


class ErreurConflitSerializer(ErreurSerializer):
    conflits = ConflitSerializer(many=True, required=False)


def erreurs(*codes):
    """OpenAPI responses for the given error statuses."""
    description = {
        400: (ErreurValidationSerializer, "Données invalides."),
        401: (ErreurSerializer, "Non authentifié."),
        403: (ErreurSerializer, "Action interdite pour ce rôle."),
        404: (ErreurSerializer, "Introuvable ou invisible pour l'appelant."),
        409: (ErreurConflitSerializer, "Conflit avec l'état ou les données existantes."),
        429: (ErreurSerializer, "Trop de tentatives."),
    }
    return {
        code: OpenApiResponse(description[code][0], description=description[code][1])
        for code in codes
    }


OK = inline_serializer("Ok", {"ok": serializers.BooleanField()})


def chemins_du_contrat(result, generator, request, public):
    """Show paths as the contract writes them: ``/sites/`` for a collection, ``/sites/{id}``
    and ``/auth/login`` without a trailing slash (both spellings are served)."""
    chemins = {}
    for chemin, operations in result.get("paths", {}).items():
        segments = chemin.strip("/").split("/")
        if len(segments) > 1 and chemin.endswith("/"):
            chemin = chemin.rstrip("/")
        chemins[chemin] = operations
    result["paths"] = chemins
    return result


HEURE = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "08:30:00"}


def heures_locales(result, generator, request, public):
    """Times of day are local wall-clock ``HH:MM:SS`` without offset, whereas OpenAPI's
    ``format: time`` (RFC 3339) requires one: describe them by a pattern instead."""

    def corriger(noeud):
        if isinstance(noeud, dict):
            if noeud.get("format") == "time":
                noeud.pop("format")
                noeud.update({k: v for k, v in HEURE.items() if k not in noeud})
            for valeur in noeud.values():
                corriger(valeur)
        elif isinstance(noeud, list):
            for valeur in noeud:
                corriger(valeur)

    corriger(result)
    return result
