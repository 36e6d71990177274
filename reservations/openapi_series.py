"""OpenAPI decoration of the series views (``views_series``), as ``openapi`` does for the
others."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from resa_project.schema import erreurs

from .serializers_series import (
    AnnulationSerieResultatSerializer,
    AnnulationSerieSerializer,
    ErreurRapportSerializer,
    RapportSerializer,
    SerieCreationSerializer,
    SerieDetailSerializer,
)

PARAM_SIMULATION = OpenApiParameter(
    "simulation",
    OpenApiTypes.BOOL,
    description="true : mêmes contrôles et même rapport, toujours 200, rien n'est enregistré "
    "(statut `libre` ou `refusee` par date).",
    default=False,
)

EXEMPLE_RAPPORT = OpenApiExample(
    "Deux dates sur trois réservées (ignorer_conflits)",
    value={
        "serie": {
            "id": 4,
            "ressource_id": 3,
            "user_id": 7,
            "createur_id": 7,
            "origine": "recurrence",
            "recurrence": {
                "frequence": "hebdomadaire",
                "intervalle": 1,
                "jours": ["lu"],
                "jusqu_au": None,
                "nombre": 3,
            },
            "mode": "ignorer_conflits",
            "description": "Point d'équipe",
            "nbr_participants": 6,
            "note": "",
            "date_creation": "2027-03-01T09:12:44.120391+01:00",
        },
        "occurrences": [
            {
                "debut": "2027-03-22T10:00:00+01:00",
                "fin": "2027-03-22T11:00:00+01:00",
                "statut": "reservee",
                "reservation_id": 101,
                "erreurs": None,
                "conflits": [],
                "alternatives": [],
            },
            {
                "debut": "2027-03-29T10:00:00+02:00",
                "fin": "2027-03-29T11:00:00+02:00",
                "statut": "refusee",
                "reservation_id": None,
                "erreurs": None,
                "conflits": [
                    {
                        "type": "reservation",
                        "id": 88,
                        "debut": "2027-03-29T09:30:00+02:00",
                        "fin": "2027-03-29T10:30:00+02:00",
                    }
                ],
                "alternatives": [
                    {
                        "ressource_id": 5,
                        "nom": "Salle Saturne",
                        "site_id": 1,
                        "debut": "2027-03-29T10:00:00+02:00",
                        "fin": "2027-03-29T11:00:00+02:00",
                    },
                    {
                        "ressource_id": 3,
                        "nom": "Salle Jupiter",
                        "site_id": 1,
                        "debut": "2027-03-29T10:30:00+02:00",
                        "fin": "2027-03-29T11:30:00+02:00",
                    },
                ],
            },
            {
                "debut": "2027-04-05T10:00:00+02:00",
                "fin": "2027-04-05T11:00:00+02:00",
                "statut": "reservee",
                "reservation_id": 102,
                "erreurs": None,
                "conflits": [],
                "alternatives": [],
            },
        ],
        "resume": {"demandees": 3, "reservees": 2, "refusees": 1},
    },
    response_only=True,
    status_codes=["201"],
)

RAPPORT = (
    "Réponse : `serie`, `occurrences` (par date : `debut`, `fin`, `statut` `reservee` | "
    "`refusee` | `libre`, `reservation_id`, `erreurs` (règle non respectée, nature 400) ou "
    "null, `conflits` (nature 409), `alternatives` pour une date refusée par un conflit : "
    "jusqu'à 3 autres ressources actives du même type et du même site, de capacité "
    "suffisante et avec toutes les caractéristiques de la ressource demandée, libres sur ce "
    "créneau (capacité la plus proche d'abord, puis nom), puis la même ressource au début "
    "libre le plus proche du même jour, à 2 heures au plus, même durée) et `resume` "
    "(`demandees`, `reservees` : réservations réellement créées, `refusees`). "
    "`tout_ou_rien` (défaut) : une date refusée suffit pour répondre 409 avec ce rapport, "
    "rien n'est enregistré (les autres dates sont alors `libre`). `ignorer_conflits` : 201 "
    "avec ce qui a été réservé, 409 si aucune date ne l'est. Ressource inactive : 409 "
    "`ressource_inactive` pour toute la série."
)


def _reponses(succes):
    return {
        **succes,
        **erreurs(400, 401, 403),
        409: OpenApiResponse(
            ErreurRapportSerializer,
            description="Série refusée en bloc (`code` conflit_reservation, rapport complet), "
            "ou ressource inactive (`code` ressource_inactive, sans rapport).",
        ),
    }


def series(viewset):
    """The tag and the operations of ``SerieViewSet``."""
    viewset = extend_schema(tags=["series"])(viewset)
    return extend_schema_view(
        create=extend_schema(
            summary="Réserver une série récurrente",
            description=(
                "Le corps de POST /reservations/ (`debut`/`fin` : la première occurrence) "
                "plus `recurrence` (`frequence` quotidienne | hebdomadaire | mensuelle, "
                "`intervalle`, `jours` pour hebdomadaire, exactement l'un de `jusqu_au` et "
                "`nombre`) et `mode`. Chaque occurrence garde les heures locales de la "
                "première (changements d'heure compris) ; `mensuelle` revient le même jour du "
                "mois et saute les mois qui ne l'ont pas. Au plus 200 occurrences, la "
                "dernière au plus 365 jours après la première (sinon 400). Une occurrence "
                "dont l'heure locale n'existe pas ou existe deux fois (changement d'heure) "
                "est refusée avec une `erreurs`. Chaque date passe par toutes les règles "
                "d'une réservation simple, pour l'appelant, dans une seule transaction. "
                "`user_id` (autre que soi) : manager, admin ou `reserver_pour_autrui`. " + RAPPORT
            ),
            parameters=[PARAM_SIMULATION],
            request=SerieCreationSerializer,
            responses=_reponses(
                {
                    201: OpenApiResponse(RapportSerializer, description="Série enregistrée."),
                    200: OpenApiResponse(RapportSerializer, description="Simulation."),
                }
            ),
            examples=[EXEMPLE_RAPPORT],
        ),
        retrieve=extend_schema(
            summary="Lire une série et ses réservations",
            description=(
                "Visible de qui peut voir au moins une de ses réservations (sinon 404) ; "
                "`reservations` : celles que l'appelant peut voir, par début."
            ),
            responses={200: SerieDetailSerializer, **erreurs(401, 404)},
        ),
    )(viewset)


ANNULER_SERIE = extend_schema(
    summary="Annuler une série à partir d'une date",
    description=(
        "Titulaire (bénéficiaire ou créateur), manager ou admin (sinon 403). Annule chaque "
        "occurrence `en_cours`/`confirme` visible de l'appelant qui commence le jour "
        "`a_partir_du` (défaut : aujourd'hui, fuseau de l'organisation) ou après, chacune "
        "selon les règles de POST /reservations/{id}/annuler (titulaire jusqu'à 2 heures "
        "avant le début, manager ou admin jusqu'à la fin), avec son événement. Réponse : "
        "`annulees` (ids) et `refusees` (`reservation_id`, `detail`)."
    ),
    request=AnnulationSerieSerializer,
    responses={200: AnnulationSerieResultatSerializer, **erreurs(400, 401, 403, 404)},
    tags=["series"],
)

IMPORT = extend_schema(
    methods=["POST"],
    summary="Importer un calendrier (.ics) comme une série",
    description=(
        "Corps `text/calendar` (ou champ `fichier` d'un formulaire multipart), 1 Mo au plus "
        "(sinon 413 `trop_volumineux`). Chaque VEVENT (DTSTART, DTEND ou DURATION, RRULE, "
        "RDATE et EXDATE développés dans son propre fuseau, RECURRENCE-ID qui remplace une "
        "occurrence, STATUS:CANCELLED ignoré) donne des dates réservées ensemble comme une "
        "série, aux mêmes limites (200 dates, 365 jours), SUMMARY comme description. Un "
        "fichier qui n'est pas un calendrier iCalendar, mal formé, ou un événement sur la "
        "journée entière : 400 avec un message clair. " + RAPPORT
    ),
    parameters=[
        OpenApiParameter(
            "ressource_id",
            {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
            required=True,
            description="La ressource à réserver.",
        ),
        OpenApiParameter(
            "mode",
            {"type": "string", "enum": ["tout_ou_rien", "ignorer_conflits"]},
            description="tout_ou_rien (défaut) ou ignorer_conflits.",
        ),
        PARAM_SIMULATION,
    ],
    request={
        "text/calendar": OpenApiTypes.BINARY,
        "multipart/form-data": {
            "type": "object",
            "properties": {"fichier": {"type": "string", "format": "binary"}},
            "required": ["fichier"],
        },
    },
    responses={
        **_reponses(
            {
                201: OpenApiResponse(RapportSerializer, description="Série enregistrée."),
                200: OpenApiResponse(RapportSerializer, description="Simulation."),
            }
        ),
        413: OpenApiResponse(erreurs(401)[401].response, description="Fichier de plus de 1 Mo."),
    },
    tags=["series"],
)
