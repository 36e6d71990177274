"""JSON shapes of ``/webhooks``: subscriptions (the secret only in the answers that make
it) and deliveries. The rules (URL, network, event types) live in ``models``, ``reseau``
and ``services``."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from resa_project.parametres import Booleen
from resa_project.serializers import ErreursModeleMixin

from .models import (
    CHOIX_EVENEMENTS,
    MSG_EVENEMENT_INCONNU,
    Abonnement,
    Livraison,
    StatutLivraison,
)
from .reseau import URL_LONGUEUR_MAX

AIDE_URL = (
    "URL http:// ou https:// du destinataire ; son hôte doit se résoudre en adresses "
    "publiques uniquement (sauf réseaux de WEBHOOKS_RESEAUX_AUTORISES), vérifié à "
    "l'enregistrement et à chaque livraison."
)
AIDE_EVENEMENTS = (
    'Types d\'événements du journal à recevoir, ou ["*"] (seul) pour tous ; liste non vide, '
    "les doublons sont ignorés."
)


class AbonnementSerializer(ErreursModeleMixin, serializers.ModelSerializer):
    url = serializers.CharField(max_length=URL_LONGUEUR_MAX, help_text=AIDE_URL)
    evenements = serializers.ListField(
        child=serializers.ChoiceField(
            choices=CHOIX_EVENEMENTS,
            error_messages={"invalid_choice": MSG_EVENEMENT_INCONNU.format(type="{input}")},
        ),
        allow_empty=False,
        max_length=len(CHOIX_EVENEMENTS),
        help_text=AIDE_EVENEMENTS,
    )
    actif = Booleen(required=False, default=True, help_text="false : aucune livraison.")
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )

    class Meta:
        model = Abonnement
        fields = ["id", "url", "evenements", "actif", "description", "date_creation"]
        read_only_fields = ["id", "date_creation"]


class AbonnementAvecSecretSerializer(AbonnementSerializer):
    """The answer of a creation or a rotation: the only place the secret is ever shown."""

    secret = serializers.CharField(
        read_only=True,
        help_text="whsec_ suivi de 32 octets aléatoires en base64 : la clé de signature "
        "(Standard Webhooks). Affiché seulement dans cette réponse : conservez-le.",
    )

    class Meta(AbonnementSerializer.Meta):
        fields = [*AbonnementSerializer.Meta.fields, "secret"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "enum": StatutLivraison.values,
        "description": "en_attente (une tentative est prévue), livree (réponse 2xx) ou echec "
        "(toutes les tentatives ont échoué).",
    },
    # A component of its own: the reservations' ``statut`` keeps its enum's name.
    component_name="StatutLivraison",
)
class StatutLivraisonField(serializers.CharField):
    pass


class LivraisonSerializer(serializers.ModelSerializer):
    statut = StatutLivraisonField(read_only=True)
    evenement_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="null pour un essai (webhook.ping)."
    )

    class Meta:
        model = Livraison
        fields = [
            "id",
            "evenement_id",
            "type",
            "statut",
            "tentatives",
            "dernier_code",
            "derniere_erreur",
            "prochaine_tentative",
            "date_creation",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "tentatives": {
                "help_text": "Tentatives de la série en cours (remise à 0 par rejouer)."
            },
            "dernier_code": {"help_text": "Code HTTP de la dernière réponse ; null sans réponse."},
            "prochaine_tentative": {"help_text": "null une fois livrée ou en échec."},
        }
