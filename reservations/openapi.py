"""OpenAPI decoration of the reservations' views (``views`` and ``views_ressources``), so
that each view reads as flow."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from resa_project.schema import OK, erreurs
from ressources.serializers import RessourceSerializer

from .serializers import (
    DisponibiliteEnregistreeSerializer,
    DisponibiliteSerializer,
    EvenementSerializer,
    ReservationCreationSerializer,
    ReservationModificationSerializer,
    ReservationSerializer,
)
from .serializers_ressources import (
    DetailRessourceSerializer,
    IntervallePlanningSerializer,
    SuggestionSerializer,
)
from .serializers_series import ErreurConflitAlternativesSerializer

# --- /reservations and /disponibilites as served by views ---------------------------------

EXEMPLE_CONFLIT = OpenApiExample(
    "Créneau pris",
    value={
        "detail": "Le créneau demandé est déjà pris.",
        "conflits": [
            {
                "type": "reservation",
                "id": 12,
                "debut": "2027-03-29T09:00:00+02:00",
                "fin": "2027-03-29T10:00:00+02:00",
            },
            {
                "type": "indisponibilite",
                "id": 3,
                "debut": "2027-03-29T10:00:00+02:00",
                "fin": "2027-03-29T11:00:00+02:00",
            },
        ],
    },
    response_only=True,
    status_codes=["409"],
)
EXEMPLE_CONFLIT_ALTERNATIVES = OpenApiExample(
    "Créneau pris",
    value={
        "detail": "Le créneau demandé est déjà pris.",
        "code": "conflit_reservation",
        "conflits": [
            {
                "type": "reservation",
                "id": 12,
                "debut": "2027-03-29T09:00:00+02:00",
                "fin": "2027-03-29T10:00:00+02:00",
            }
        ],
        "alternatives": [
            {
                "ressource_id": 5,
                "nom": "Salle Saturne",
                "site_id": 1,
                "debut": "2027-03-29T09:00:00+02:00",
                "fin": "2027-03-29T10:00:00+02:00",
            },
            {
                "ressource_id": 3,
                "nom": "Salle Jupiter",
                "site_id": 1,
                "debut": "2027-03-29T10:00:00+02:00",
                "fin": "2027-03-29T11:00:00+02:00",
            },
        ],
    },
    response_only=True,
    status_codes=["409"],
)
EXEMPLE_400 = OpenApiExample(
    "Hors grille",
    value={
        "detail": "Les horaires doivent tomber sur la grille de 15 minutes (minutes 00, 15, 30 ou 45, sans secondes).",
        "errors": {
            "debut": [
                "Les horaires doivent tomber sur la grille de 15 minutes (minutes 00, 15, 30 ou 45, sans secondes)."
            ]
        },
    },
    response_only=True,
    status_codes=["400"],
)
ETAT = "Action impossible dans l'état actuel (statut, horaire)."


def _reponse_etat(description):
    return {
        200: ReservationSerializer,
        **erreurs(401, 403, 404),
        409: OpenApiResponse(erreurs(409)[409].response, description=description),
    }


def reservations(viewset):
    """The tag and the list, detail and write operations of ``ReservationViewSet``."""
    viewset = extend_schema(tags=["reservations"])(viewset)
    return extend_schema_view(
        list=extend_schema(
            summary="Lister les réservations visibles",
            description=(
                "employe : les siennes (bénéficiaire ou créateur) ; manager : aussi celles des "
                "utilisateurs des départements qu'il gère, et les `en_cours` de sa file de "
                "validation (ressources de ses sites, utilisateurs de ses départements) ; "
                "détenteur de `confirmer_reservations` : aussi les `en_cours` de son site "
                "principal ; admin : toutes. `meta` contient aussi `sort_by` et `sort_order`."
            ),
            responses={200: ReservationSerializer(many=True), **erreurs(400, 401)},
        ),
        retrieve=extend_schema(
            summary="Lire une réservation",
            responses={200: ReservationSerializer, **erreurs(401, 404)},
        ),
        create=extend_schema(
            summary="Réserver",
            description=(
                "Toutes les règles du contrat s'appliquent (grille de 15 minutes, durée, "
                "capacité, passé, horaires, fenêtres de disponibilité normale, chevauchements). "
                "Statut : `confirme`, ou `en_cours` sur une ressource à validation si l'appelant "
                "n'est ni manager ni admin. `user_id` (autre que soi) : manager, admin ou "
                "`reserver_pour_autrui`, sinon 403."
            ),
            request=ReservationCreationSerializer,
            responses={
                201: ReservationSerializer,
                **erreurs(400, 401, 403),
                409: OpenApiResponse(
                    ErreurConflitAlternativesSerializer,
                    description=(
                        "Créneau pris (`conflits`, et `alternatives` : jusqu'à 3 autres "
                        "ressources actives du même type et du même site, de capacité "
                        "suffisante et avec toutes les caractéristiques de celle-ci, libres "
                        "sur ce créneau, capacité la plus proche d'abord puis nom ; puis la "
                        "même ressource au début libre le plus proche du même jour, à 2 heures "
                        "au plus, même durée) ou ressource inactive."
                    ),
                ),
            },
            examples=[EXEMPLE_CONFLIT_ALTERNATIVES, EXEMPLE_400],
        ),
        update=extend_schema(
            summary="Modifier une réservation (partiel)",
            description=(
                "Titulaire (bénéficiaire ou créateur), manager ou admin. Mise à jour partielle "
                "de `ressource_id, debut, fin, description, nbr_participants, note` ; toutes les "
                "règles sont revérifiées (la réservation n'entre pas en conflit avec elle-même). "
                "409 une fois `annule`, `fini` ou `non_present`. Sur une ressource à validation, "
                "déplacer la réservation (ressource, début ou fin) sans être manager ni admin la "
                "remet `en_cours`."
            ),
            request=ReservationModificationSerializer,
            responses={200: ReservationSerializer, **erreurs(400, 401, 403, 404, 409)},
            examples=[EXEMPLE_CONFLIT],
        ),
        partial_update=extend_schema(
            summary="Modifier une réservation (partiel)",
            description="Comme PUT.",
            request=ReservationModificationSerializer,
            responses={200: ReservationSerializer, **erreurs(400, 401, 403, 404, 409)},
        ),
        destroy=extend_schema(
            summary="Supprimer une réservation (admin)",
            responses={200: OK, **erreurs(401, 403, 404)},
        ),
    )(viewset)


HISTORIQUE = extend_schema(
    summary="Historique d'une réservation",
    description=(
        "Le journal de la réservation, du plus ancien au plus récent : type d'événement, "
        "date, acteur (null : le système), changements `{champ: [avant, après]}` avec les "
        "noms et valeurs de l'API (une création liste chaque valeur initiale comme "
        "`[null, valeur]`) et note. Visible de qui peut voir la réservation (sinon 404)."
    ),
    responses={200: EvenementSerializer(many=True), **erreurs(401, 404)},
)

ANNULER = extend_schema(
    summary="Annuler une réservation",
    description=(
        "Titulaire jusqu'à 2 heures avant le début ; manager ou admin jusqu'à la fin. "
        "Le créneau est libéré."
    ),
    request=None,
    responses=_reponse_etat(ETAT),
)

CONFIRMER = extend_schema(
    summary="Confirmer une réservation en attente",
    description="Manager, admin ou `confirmer_reservations` : en_cours → confirme.",
    request=None,
    responses=_reponse_etat("La réservation n'est pas en_cours."),
)

TERMINER = extend_schema(
    summary="Terminer une réservation",
    description="Manager ou admin : confirme → fini, seulement après la fin.",
    request=None,
    responses=_reponse_etat("La réservation n'est pas confirmée ou pas encore finie."),
)

NON_PRESENT = extend_schema(
    summary="Marquer le titulaire non présent",
    description="Manager ou admin : confirme → non_present, seulement après le début.",
    request=None,
    responses=_reponse_etat("La réservation n'est pas confirmée ou pas encore commencée."),
)

CHECKIN = extend_schema(
    summary="Signaler l'arrivée (check-in)",
    description=(
        "Le bénéficiaire, le créateur, un manager du département du bénéficiaire ou un "
        "admin : une réservation confirmée, de 15 minutes avant le début jusqu'à "
        "`debut + delai_checkin_minutes` de la ressource (exclu, et jamais après la fin). "
        "Enregistre `checkin_le`. Sur une ressource `checkin_requis`, une réservation sans "
        "arrivée à cette limite est libérée (non_present). 409 hors de la fenêtre, dans un "
        "autre statut ou si l'arrivée est déjà signalée."
    ),
    request=None,
    responses=_reponse_etat(
        "Hors de la fenêtre d'arrivée, réservation non confirmée ou arrivée déjà signalée."
    ),
)


PARAM_ANNULER_CONFLITS = OpenApiParameter(
    "annuler_conflits",
    OpenApiTypes.BOOL,
    description=(
        "true : annule les réservations en_cours/confirme que la période bloquerait (raison "
        "dans leur note) au lieu de répondre 409 ; leurs ids sont renvoyés dans "
        "`reservations_annulees`."
    ),
    default=False,
)
REPONSES_ECRITURE = {
    **erreurs(400, 401, 403),
    409: OpenApiResponse(
        erreurs(409)[409].response,
        description="Des réservations en_cours/confirme chevauchent la période (`conflits`).",
    ),
}


def disponibilites(viewset):
    """The tag and the list and CRUD operations of ``DisponibiliteViewSet``."""
    viewset = extend_schema(tags=["disponibilites"])(viewset)
    return extend_schema_view(
        list=extend_schema(
            summary="Lister les périodes de disponibilité et d'indisponibilité",
            description=(
                "`du`/`au` : une période ponctuelle est retenue si elle chevauche la fenêtre ; "
                "une période répétée si son étendue (première occurrence jusqu'à "
                "`fin_recurrence`, ou sans fin) peut l'atteindre. Les occurrences ne sont pas "
                "dépliées (voir `/ressources/{id}/planning`)."
            ),
            responses={200: DisponibiliteSerializer(many=True), **erreurs(400, 401)},
        ),
        retrieve=extend_schema(
            summary="Lire une période",
            responses={200: DisponibiliteSerializer, **erreurs(401, 404)},
        ),
        create=extend_schema(
            summary="Créer une période (manager, admin, gerer_ressources)",
            parameters=[PARAM_ANNULER_CONFLITS],
            request=DisponibiliteSerializer,
            responses={201: DisponibiliteEnregistreeSerializer, **REPONSES_ECRITURE},
            examples=[
                OpenApiExample(
                    "Maintenance chaque jour de 9 h à 10 h",
                    value={
                        "ressource_id": 3,
                        "type_disponibilite": "maintenance",
                        "debut": "2027-03-01T09:00:00+01:00",
                        "fin": "2027-03-01T10:00:00+01:00",
                        "raison_indisponibilite": "Nettoyage",
                        "recurrence": "quotidien",
                        "fin_recurrence": "2027-12-31",
                    },
                    request_only=True,
                ),
                EXEMPLE_CONFLIT,
            ],
        ),
        update=extend_schema(
            summary="Modifier une période (partiel)",
            parameters=[PARAM_ANNULER_CONFLITS],
            request=DisponibiliteSerializer,
            responses={
                200: DisponibiliteEnregistreeSerializer,
                **REPONSES_ECRITURE,
                **erreurs(404),
            },
        ),
        partial_update=extend_schema(
            summary="Modifier une période (partiel)",
            parameters=[PARAM_ANNULER_CONFLITS],
            request=DisponibiliteSerializer,
            responses={
                200: DisponibiliteEnregistreeSerializer,
                **REPONSES_ECRITURE,
                **erreurs(404),
            },
        ),
        destroy=extend_schema(
            summary="Supprimer une période",
            responses={200: OK, **erreurs(401, 403, 404)},
        ),
    )(viewset)


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
        "checkin_requis": False,
        "delai_checkin_minutes": 15,
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

SUGGESTIONS_RESSOURCES = extend_schema(
    summary="Ressources suggérées pour un créneau",
    description=(
        "Jusqu'à 10 ressources libres pour exactement [debut, fin) et que l'appelant peut "
        "réserver (mêmes règles que la recherche de ressources libres, capacité au moins "
        "`nbr_participants`), classées : ses favorites, puis celles qu'il a le plus "
        "réservées sur les 90 derniers jours, puis celles de son site principal, puis la "
        "capacité la plus proche de `nbr_participants`. Liste simple, non paginée ; chaque "
        "ressource porte `raisons`."
    ),
    parameters=[
        *PARAMETRES_FENETRE,
        OpenApiParameter(
            "nbr_participants",
            {"type": "integer", "minimum": 1, "maximum": 100_000},
            description="Taille du groupe (défaut 1).",
        ),
        OpenApiParameter(
            "type_of_ressource",
            {"type": "string", "enum": ["salle", "equipement", "vehicule"]},
            description="Type de ressource.",
        ),
    ],
    responses={200: SuggestionSerializer(many=True), **erreurs(400, 401)},
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
