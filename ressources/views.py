"""``/ressources``: CRUD of the original API, the free search and the planning."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Autorisation
from accounts.permissions import IsAdmin, manager_admin_ou
from resa_project.pagination import ItemsMetaPagination
from resa_project.parametres import tri_applique
from resa_project.schema import OK, erreurs
from sites.permissions import exiger_site, sur_ses_sites

from . import selectors, services
from .filters import RechercheFilterSet, RessourceFilterSet
from .models import Ressource
from .serializers import (
    DetailRessourceSerializer,
    FenetrePlanningSerializer,
    FenetreSerializer,
    IntervallePlanningSerializer,
    RessourceSerializer,
)

GereSesRessources = sur_ses_sites(
    lambda ressource: ressource.site_id, autorisation=Autorisation.GERER_RESSOURCES
)

EXEMPLE_DETAIL = {
    "ressource": {
        "id": 3,
        "nom": "Salle Jupiter",
        "type_ressource": "salle",
        "capacite_maximum": 12,
        "description": "Salle de réunion avec écran.",
        "caracteristiques": ["wifi", "ecran"],
        "site_id": 1,
        "localisation_batiment": "Bâtiment A",
        "localisation_etage": "2",
        "localisation_numero": "204",
        "etat": "active",
        "horaires_ouverture": None,
        "horaires_fermeture": None,
        "images": [],
        "tarifs_horaires": 25.5,
        "validation_requise": False,
    },
    "statistiques": {
        "total_reservations": 14,
        "reservations_actives": 1,
        "reservations_a_venir": 3,
        "taux_occupation_7_jours": 7.69,
        "heures_reservees_30_jours": 12.5,
        "reservation_moyenne_duree": 75.0,
    },
    "prochaines_reservations": [
        {
            "id": 41,
            "user_id": 7,
            "debut": "2030-03-12T09:00:00+01:00",
            "fin": "2030-03-12T10:30:00+01:00",
            "statut": "confirme",
            "description": "Point d'équipe",
            "nbr_participants": 6,
        }
    ],
    "disponibilite_7_jours": [
        {
            "date": "2030-03-12",
            "est_disponible": True,
            "raison_indisponibilite": None,
            "creneaux_disponibles": 2,
            "creneaux": [
                {"debut": "11:00", "fin": "12:00"},
                {"debut": "12:00", "fin": "13:00"},
            ],
        },
        {
            "date": "2030-03-13",
            "est_disponible": False,
            "raison_indisponibilite": "Maintenance annuelle",
            "creneaux_disponibles": 0,
            "creneaux": [],
        },
    ],
}

PARAMETRES_FENETRE = [
    OpenApiParameter(
        "debut",
        OpenApiTypes.DATETIME,
        required=True,
        description="Début du créneau (ISO 8601 ; sans décalage : fuseau de l'organisation), "
        "sur la grille de 15 minutes, pas dans le passé (sauf admin).",
    ),
    OpenApiParameter(
        "fin",
        OpenApiTypes.DATETIME,
        required=True,
        description="Fin du créneau : au moins 30 minutes, au plus 24 heures après le début.",
    ),
]
PARAMETRES_PLANNING = [
    OpenApiParameter(
        "du",
        OpenApiTypes.DATETIME,
        description="Début de la fenêtre (date ou date-heure ISO 8601). Défaut : aujourd'hui "
        "00:00, ou `au` moins 7 jours.",
    ),
    OpenApiParameter(
        "au",
        OpenApiTypes.DATETIME,
        description="Fin de la fenêtre, après `du`, au plus 31 jours plus tard. Défaut : `du` "
        "plus 7 jours.",
    ),
]


@extend_schema(tags=["ressources"])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les ressources",
        description="items/meta ; `meta` contient aussi `sort_by` et `sort_order`.",
        responses={200: RessourceSerializer(many=True), **erreurs(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Détail d'une ressource, statistiques et 7 prochains jours",
        responses={200: DetailRessourceSerializer, **erreurs(401, 404)},
        examples=[OpenApiExample("Salle", value=EXEMPLE_DETAIL, response_only=True)],
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
    destroy=extend_schema(
        summary="Supprimer une ressource (admin)",
        description="409 tant que des réservations y font référence : passez-la hors_service.",
        responses={200: OK, **erreurs(401, 403, 404, 409)},
    ),
)
class RessourceViewSet(viewsets.ModelViewSet):
    serializer_class = RessourceSerializer
    filterset_class = RessourceFilterSet
    pagination_class = ItemsMetaPagination
    lookup_value_regex = r"\d+"
    queryset = Ressource.objects.all()

    def get_queryset(self):
        queryset = Ressource.objects.all()
        if self.action == "retrieve":
            queryset = selectors.avec_indicateur_normales(queryset.select_related("site"))
        return queryset

    def get_permissions(self):
        if self.action in ("create", "destroy"):
            return [IsAuthenticated(), IsAdmin()]
        if self.action in ("update", "partial_update"):
            return [
                IsAuthenticated(),
                manager_admin_ou(Autorisation.GERER_RESSOURCES)(),
                GereSesRessources(),
            ]
        return [IsAuthenticated()]

    def filter_queryset(self, queryset):
        # The list parameters apply to the lists only, never to get_object().
        if self.action in ("list", "disponibles"):
            return super().filter_queryset(queryset)
        return queryset

    def get_meta_extra(self):
        return tri_applique(self)

    def retrieve(self, request, *args, **kwargs):
        detail = selectors.detail_ressource(self.get_object())
        return Response(DetailRessourceSerializer(detail).data)

    def perform_create(self, serializer):
        serializer.instance = services.creer_ressource(**serializer.validated_data)

    def update(self, request, *args, **kwargs):
        # The original API's PUT is a partial update.
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        if "site" in serializer.validated_data:
            exiger_site(
                self.request.user,
                serializer.validated_data["site"].pk,
                autorisation=Autorisation.GERER_RESSOURCES,
            )
        serializer.instance = services.modifier_ressource(
            serializer.instance, **serializer.validated_data
        )

    def destroy(self, request, *args, **kwargs):
        services.supprimer_ressource(self.get_object())
        return Response({"ok": True})

    @extend_schema(
        summary="Chercher les ressources libres sur un créneau",
        description=(
            "Les ressources actives sur lesquelles une réservation de exactement "
            "[debut, fin) serait acceptée (toutes les règles de réservation, pour un "
            "participant ; `minimum_capacity` pour plus). Mêmes filtres, tri et pagination "
            "que la liste."
        ),
        parameters=PARAMETRES_FENETRE,
        responses={200: RessourceSerializer(many=True), **erreurs(400, 401)},
    )
    @action(detail=False, methods=["get"], filterset_class=RechercheFilterSet)
    def disponibles(self, request):
        fenetre = FenetreSerializer(data=request.query_params)
        fenetre.is_valid(raise_exception=True)
        base = self.filter_queryset(self.get_queryset())
        ressources = selectors.ressources_disponibles(
            fenetre.validated_data["debut"],
            fenetre.validated_data["fin"],
            admin=request.user.est_admin,
            base=base,
        )
        page = self.paginate_queryset(ressources)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Planning d'une ressource",
        description=(
            "Les intervalles occupés qui chevauchent [du, au) : réservations en_cours/"
            "confirme (sans description ni titulaire) et occurrences de toutes les périodes, "
            "récurrences développées, triés par début. Liste simple, non paginée."
        ),
        parameters=PARAMETRES_PLANNING,
        examples=[
            OpenApiExample(
                "Une semaine",
                value=[
                    {
                        "debut": "2030-03-12T09:00:00+01:00",
                        "fin": "2030-03-12T10:30:00+01:00",
                        "type": "reservation",
                        "statut": "confirme",
                    },
                    {
                        "debut": "2030-03-12T12:00:00+01:00",
                        "fin": "2030-03-12T13:00:00+01:00",
                        "type": "indisponibilite",
                        "type_disponibilite": "maintenance",
                    },
                ],
                response_only=True,
            )
        ],
        responses={
            200: OpenApiResponse(IntervallePlanningSerializer(many=True)),
            **erreurs(400, 401, 404),
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def planning(self, request, pk=None):
        ressource = self.get_object()
        parametres = FenetrePlanningSerializer(data=request.query_params)
        parametres.is_valid(raise_exception=True)
        du, au = selectors.fenetre_planning(
            parametres.validated_data.get("du"), parametres.validated_data.get("au")
        )
        intervalles = selectors.planning(ressource, du, au)
        return Response(IntervallePlanningSerializer(intervalles, many=True).data)
