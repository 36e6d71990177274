"""OpenAPI decoration of the reservations' views, so that each view reads as flow."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)

from resa_project.schema import erreurs
from ressources.serializers import RessourceSerializer

from .serializers_ressources import DetailRessourceSerializer, IntervallePlanningSerializer

# --- /ressources as served by views_ressources --------------------------------------------

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


DETAIL_RESSOURCE = extend_schema(
    summary="Détail d'une ressource, statistiques et 7 prochains jours",
    responses={200: DetailRessourceSerializer, **erreurs(401, 404)},
    examples=[OpenApiExample("Salle", value=EXEMPLE_DETAIL, response_only=True)],
)


RESSOURCES_DISPONIBLES = extend_schema(
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

PLANNING_RESSOURCE = extend_schema(
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
