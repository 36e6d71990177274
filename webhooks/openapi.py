"""OpenAPI decoration of ``webhooks.views``, so that each view reads as flow."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from resa_project.schema import OK, erreurs

from .models import TYPES_LIVRAISON, StatutLivraison
from .serializers import AbonnementAvecSecretSerializer, AbonnementSerializer, LivraisonSerializer

TAG = "webhooks"

LIVRAISON = (
    "Chaque événement du journal (C1) d'un type demandé part vers chaque abonnement actif "
    "qui existait quand il s'est produit : `POST url`, `Content-Type: application/json`, "
    'corps `{"type", "timestamp", "data"}` (`data` : la réservation ou la période telle que '
    "l'API la montre, dans son état juste après l'événement ; pour un objet supprimé depuis, "
    "`id` et les dernières valeurs connues du journal), en-têtes Standard Webhooks "
    "`webhook-id` (l'id de l'événement, le même à chaque tentative ; `ping-<id>` pour un "
    "essai), `webhook-timestamp` (secondes Unix de la tentative) et `webhook-signature` "
    '(`v1,<base64 HMAC-SHA256(clé, "<id>.<timestamp>.<corps>")>`, la clé étant la partie '
    "après `whsec_` du secret, décodée du base64). Une réponse 2xx en moins de 10 s est un "
    "succès ; tout le reste (redirections 3xx comprises, jamais suivies) est retenté après "
    "1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 4 h, 8 h puis 12 h (10 tentatives), puis la "
    "livraison passe `echec`."
)
RESEAU = (
    "L'URL est en http:// ou https:// ; elle est refusée (400 sur `url`) si son hôte ne se "
    "résout pas, ou désigne ou se résout en une adresse de boucle locale, privée, de lien "
    "local, de multidiffusion, réservée, non spécifiée ou autrement non publique (IPv4 et "
    "IPv6, IPv4 dans IPv6 compris), sauf dans les réseaux de `WEBHOOKS_RESEAUX_AUTORISES`. "
    "Vérifié à l'enregistrement et de nouveau à chaque livraison."
)

ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id de l'abonnement."
)

EXEMPLE_CREATION = OpenApiExample(
    "S'abonner aux réservations",
    value={
        "url": "https://integrations.example.com/resa",
        "evenements": ["reservation.creee", "reservation.annulee"],
        "description": "Écran de la salle du conseil",
    },
    request_only=True,
)
EXEMPLE_SECRET = OpenApiExample(
    "Abonnement créé",
    value={
        "id": 3,
        "url": "https://integrations.example.com/resa",
        "evenements": ["reservation.creee", "reservation.annulee"],
        "actif": True,
        "description": "Écran de la salle du conseil",
        "date_creation": "2027-03-29T09:12:00+02:00",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1ZdFeWcDIkM=",
    },
    response_only=True,
    status_codes=["201", "200"],
)


def abonnements(viewset):
    """The tag and the CRUD operations of ``AbonnementViewSet``."""
    viewset = extend_schema(tags=[TAG])(viewset)
    return extend_schema_view(
        list=extend_schema(
            summary="Lister les abonnements webhook (admin)",
            description="Du plus ancien au plus récent. Le secret n'y figure jamais.",
            responses={200: AbonnementSerializer(many=True), **erreurs(400, 401, 403)},
        ),
        retrieve=extend_schema(
            parameters=[ID],
            summary="Lire un abonnement webhook (admin)",
            description="Le secret n'y figure jamais (voir POST /webhooks/{id}/secret).",
            responses={200: AbonnementSerializer, **erreurs(401, 403, 404)},
        ),
        create=extend_schema(
            summary="S'abonner : créer un webhook (admin)",
            description=(
                f'{LIVRAISON}\n\n{RESEAU}\n\n`evenements` : types du journal, ou `["*"]` '
                "seul pour tous. La réponse, et elle seule, contient `secret` (`whsec_` + "
                "base64 de 32 octets aléatoires) : conservez-le pour vérifier les signatures."
            ),
            request=AbonnementSerializer,
            responses={201: AbonnementAvecSecretSerializer, **erreurs(400, 401, 403)},
            examples=[EXEMPLE_CREATION, EXEMPLE_SECRET],
        ),
        update=extend_schema(
            parameters=[ID],
            summary="Modifier un abonnement webhook (partiel, admin)",
            description=(
                "Mise à jour partielle de `url`, `evenements`, `actif`, `description`. Une "
                "`url` fournie est revérifiée (règle réseau). Un abonnement inactif ne reçoit "
                "plus d'événement ; ses livraisons en attente attendent sa réactivation."
            ),
            request=AbonnementSerializer,
            responses={200: AbonnementSerializer, **erreurs(400, 401, 403, 404)},
        ),
        partial_update=extend_schema(
            parameters=[ID],
            summary="Modifier un abonnement webhook (partiel, admin)",
            description="Comme PUT.",
            request=AbonnementSerializer,
            responses={200: AbonnementSerializer, **erreurs(400, 401, 403, 404)},
        ),
        destroy=extend_schema(
            parameters=[ID],
            summary="Supprimer un abonnement webhook (admin)",
            description="Ses livraisons, en attente comprises, sont supprimées avec lui.",
            responses={200: OK, **erreurs(401, 403, 404)},
        ),
    )(viewset)


SECRET = extend_schema(
    parameters=[ID],
    summary="Renouveler le secret d'un abonnement (admin)",
    description=(
        "Un nouveau secret remplace l'ancien immédiatement : toute tentative suivante, "
        "livraisons en attente comprises, est signée avec le nouveau, et l'ancien ne vérifie "
        "plus rien. La réponse, et elle seule, contient le nouveau `secret`."
    ),
    request=None,
    responses={200: AbonnementAvecSecretSerializer, **erreurs(401, 403, 404)},
    examples=[EXEMPLE_SECRET],
)

_INACTIF = OpenApiResponse(
    erreurs(409)[409].response, description="Abonnement inactif (`etat_incompatible`)."
)

PING = extend_schema(
    parameters=[ID],
    summary="Envoyer un essai (webhook.ping) à un abonnement (admin)",
    description=(
        'Met en file une livraison `webhook.ping` (corps `{"type": "webhook.ping", '
        '"timestamp", "data": {"abonnement_id", "evenements", "message"}}`, `webhook-id` '
        "`ping-<id de la livraison>`), signée et retentée comme les autres ; 202 avec la "
        "livraison, à suivre dans GET /webhooks/{id}/livraisons. 409 si l'abonnement est "
        "inactif."
    ),
    request=None,
    responses={202: LivraisonSerializer, **erreurs(401, 403, 404), 409: _INACTIF},
)

LIVRAISONS = extend_schema(
    summary="Journal des livraisons d'un abonnement (admin)",
    description=(
        "De la plus récente à la plus ancienne. `statut` : `en_attente` (prochaine "
        "tentative à `prochaine_tentative`), `livree` (réponse 2xx) ou `echec` (toutes les "
        "tentatives ont échoué) ; `dernier_code` et `derniere_erreur` décrivent la dernière "
        "tentative."
    ),
    parameters=[
        ID,
        OpenApiParameter(
            "statut",
            OpenApiTypes.STR,
            enum=StatutLivraison.values,
            description="Seulement les livraisons de ce statut.",
        ),
        OpenApiParameter(
            "type",
            OpenApiTypes.STR,
            enum=[valeur for valeur, _ in TYPES_LIVRAISON],
            description="Seulement les livraisons de ce type d'événement.",
        ),
    ],
    responses={200: LivraisonSerializer(many=True), **erreurs(400, 401, 403, 404)},
)

REJOUER = extend_schema(
    summary="Rejouer une livraison (admin)",
    description=(
        "Remet la livraison en file, quel que soit son statut : `en_attente`, due "
        "maintenant, nouvelle série de tentatives (`tentatives` à 0). Le même corps et le "
        "même `webhook-id` sont envoyés (le destinataire peut dédoublonner). 409 si "
        "l'abonnement est inactif."
    ),
    parameters=[
        ID,
        OpenApiParameter(
            "lid", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id de la livraison."
        ),
    ],
    request=None,
    responses={202: LivraisonSerializer, **erreurs(401, 403, 404), 409: _INACTIF},
)
