"""OpenAPI decoration of ``ressources.views``: the catalogue's list and CRUD."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from resa_project.parametres import ID_MAX, ID_MIN
from resa_project.schema import OK, erreurs

from .serializers import RessourceSerializer

# Also decorates the served viewset's own ``destroy`` (``reservations.views_ressources``).
SUPPRIMER_RESSOURCE = extend_schema(
    summary="Supprimer une ressource (admin)",
    description="409 tant que des réservations y font référence : passez-la hors_service.",
    responses={200: OK, **erreurs(401, 403, 404, 409)},
)


def ressources(viewset):
    """The tag and the list and CRUD operations of ``RessourceViewSet``."""
    viewset = extend_schema_view(
        list=extend_schema(
            summary="Lister les ressources",
            description="items/meta ; `meta` contient aussi `sort_by` et `sort_order` "
            "(`pertinence` par défaut avec `q`). Chaque ressource porte `est_favori`.",
            responses={200: RessourceSerializer(many=True), **erreurs(400, 401)},
        ),
        retrieve=extend_schema(
            summary="Lire une ressource",
            responses={200: RessourceSerializer, **erreurs(401, 404)},
        ),
        create=extend_schema(
            summary="Créer une ressource (admin)",
            responses={201: RessourceSerializer, **erreurs(400, 401, 403, 409)},
        ),
        update=extend_schema(
            summary="Modifier une ressource (partiel ; manager, admin, gerer_ressources)",
            request=RessourceSerializer(partial=True),
            responses={200: RessourceSerializer, **erreurs(400, 401, 403, 404, 409)},
        ),
        partial_update=extend_schema(
            summary="Modifier une ressource (manager, admin, gerer_ressources)",
            responses={200: RessourceSerializer, **erreurs(400, 401, 403, 404, 409)},
        ),
        destroy=SUPPRIMER_RESSOURCE,
    )(viewset)
    return extend_schema(tags=["ressources"])(viewset)


# --- /auth/me/favoris (API.md C9) ---------------------------------------------------------

PARAMETRE_RESSOURCE_ID = OpenApiParameter(
    "ressource_id",
    {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX},
    OpenApiParameter.PATH,
    description="Ressource.",
)

FAVORIS_LISTE = extend_schema(
    summary="Mes ressources favorites",
    description="Liste simple (non paginée) des ressources favorites de l'appelant, par nom.",
    tags=["favoris"],
    responses={200: RessourceSerializer(many=True), **erreurs(401)},
)
FAVORI_AJOUTER = extend_schema(
    summary="Ajouter une ressource à mes favoris",
    description="Idempotent : une ressource déjà favorite le reste. Renvoie la ressource.",
    tags=["favoris"],
    request=None,
    parameters=[PARAMETRE_RESSOURCE_ID],
    responses={200: RessourceSerializer, **erreurs(401, 404)},
)
FAVORI_RETIRER = extend_schema(
    summary="Retirer une ressource de mes favoris",
    description="Idempotent : retirer une ressource qui n'est pas favorite répond aussi 200.",
    tags=["favoris"],
    request=None,
    parameters=[PARAMETRE_RESSOURCE_ID],
    responses={200: OK, **erreurs(401, 404)},
)
