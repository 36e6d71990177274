"""Webhook subscriptions and their deliveries (API.md C6).

An ``Abonnement`` says where to POST which journal events; its ``secret`` signs every
request (Standard Webhooks) and is shown only when it is made (creation, rotation).

A ``Livraison`` is one event for one subscription: its ``corps`` (the exact bytes signed
and sent) is rendered once, when the row is created, and every attempt sends it as is.
``(abonnement, evenement)`` is unique, so offering an event twice creates nothing more; a
ping has no journal event (``evenement`` null) and is named by its own id instead.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from reservations.models import Evenement, TypeEvenement

from .reseau import URL_LONGUEUR_MAX, valider_url

TOUS = "*"
PING = "webhook.ping"
#: What ``evenements`` may list: the journal's types, or ``"*"`` alone.
CHOIX_EVENEMENTS = [(TOUS, "Tous les événements"), *TypeEvenement.choices]
TYPES_LIVRAISON = [*TypeEvenement.choices, (PING, "Essai (webhook.ping)")]

MSG_EVENEMENTS_LISTE = (
    "Attendu une liste non vide de types d'événements (par exemple "
    '["reservation.creee"]), ou ["*"] pour tous.'
)
MSG_EVENEMENT_INCONNU = "Type d'événement inconnu : « {type} »."
MSG_TOUS_SEUL = "« * » (tous les événements) s'emploie seul."


def normaliser_evenements(valeur) -> list[str]:
    """``valeur`` as stored: known types without duplicates, in the given order, or
    ``["*"]``; ``ValidationError`` otherwise."""
    if not isinstance(valeur, list) or not valeur:
        raise ValidationError(MSG_EVENEMENTS_LISTE, code="evenements")
    connus = {choix for choix, _ in CHOIX_EVENEMENTS}
    types = []
    for type_evenement in valeur:
        if not isinstance(type_evenement, str) or type_evenement not in connus:
            raise ValidationError(
                MSG_EVENEMENT_INCONNU.format(type=str(type_evenement)[:100]), code="evenements"
            )
        if type_evenement not in types:
            types.append(type_evenement)
    if TOUS in types and len(types) > 1:
        raise ValidationError(MSG_TOUS_SEUL, code="evenements")
    return types


def valider_evenements(valeur) -> None:
    normaliser_evenements(valeur)


class Abonnement(models.Model):
    url = models.CharField(
        "URL de destination", max_length=URL_LONGUEUR_MAX, validators=[valider_url]
    )
    evenements = models.JSONField(
        "types d'événements",
        default=list,
        validators=[valider_evenements],
        help_text='Types du journal, ou ["*"] pour tous.',
    )
    actif = models.BooleanField("actif", default=True)
    description = models.CharField("description", max_length=500, blank=True, default="")
    # Kept in clear: an HMAC needs the key itself. Never shown by the API (but in the
    # answer that creates or rotates it), nor by the back-office, nor logged.
    secret = models.CharField("secret de signature", max_length=100, editable=False)
    date_creation = models.DateTimeField("date de création", default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "abonnement"
        verbose_name_plural = "abonnements"

    def __str__(self):
        return f"#{self.pk} {self.url}"

    def clean(self):
        try:
            self.evenements = normaliser_evenements(self.evenements)
        except ValidationError as exc:
            raise ValidationError({"evenements": exc.messages}) from None

    def recoit(self, type_evenement: str) -> bool:
        return TOUS in self.evenements or type_evenement in self.evenements


class StatutLivraison(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    LIVREE = "livree", "Livrée"
    ECHEC = "echec", "Échec"


class LivraisonQuerySet(models.QuerySet):
    def dues(self, maintenant=None):
        """Waiting, due now, of an active subscription (an inactive one's wait)."""
        return self.filter(
            statut=StatutLivraison.EN_ATTENTE,
            prochaine_tentative__lte=maintenant or timezone.now(),
            abonnement__actif=True,
        )


class Livraison(models.Model):
    abonnement = models.ForeignKey(
        Abonnement,
        on_delete=models.CASCADE,
        related_name="livraisons",
        verbose_name="abonnement",
    )
    # Not a database constraint, like the journal's own links: a delivery names its event
    # whatever becomes of it. Null for a ping.
    evenement = models.ForeignKey(
        Evenement,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="événement",
    )
    type = models.CharField("type d'événement", max_length=32, choices=TYPES_LIVRAISON)
    corps = models.TextField("corps JSON envoyé")
    statut = models.CharField(
        "statut",
        max_length=16,
        choices=StatutLivraison.choices,
        default=StatutLivraison.EN_ATTENTE,
    )
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    dernier_code = models.PositiveSmallIntegerField("dernier code HTTP", null=True, blank=True)
    derniere_erreur = models.TextField("dernière erreur", blank=True, default="")
    derniere_tentative = models.DateTimeField("dernière tentative", null=True, blank=True)
    prochaine_tentative = models.DateTimeField(
        "prochaine tentative", null=True, blank=True, default=timezone.now
    )
    date_creation = models.DateTimeField("date de création", default=timezone.now)

    objects = LivraisonQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "livraison"
        verbose_name_plural = "livraisons"
        constraints = [
            models.UniqueConstraint(
                fields=["abonnement", "evenement"], name="livraison_unique_par_evenement"
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutLivraison.values),
                name="livraison_statut_valide",
            ),
        ]
        indexes = [
            # The deliveries of a subscription, newest first.
            models.Index(fields=["abonnement", "id"], name="livraison_abonnement_id_idx"),
            # The due ones, for the sender.
            models.Index(
                fields=["prochaine_tentative"],
                name="livraison_due_idx",
                condition=models.Q(statut="en_attente"),
            ),
        ]

    def __str__(self):
        return f"{self.type} → abonnement #{self.abonnement_id}"

    @property
    def webhook_id(self) -> str:
        """The ``webhook-id`` header: the event's id (the same on every attempt, the
        receiver's idempotency key), or ``ping-<delivery id>`` for a ping."""
        if self.evenement_id is not None:
            return str(self.evenement_id)
        return f"ping-{self.pk}"
