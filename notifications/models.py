"""The outbox of email notifications (API.md C3).

One ``Courriel`` row per message to send, rendered when the row is created (subject, text,
HTML, calendar attachment), so sending only reads the row and a retry sends exactly what
the first attempt would have. Its ``cle`` (unique) names the message once and for all:
``evt-<event id>-<user id>`` for a notice about a journal event, ``rappel-<reservation
id>-<debut as UTC epoch>`` for a reminder; inserting with ``ignore_conflicts`` on it makes
every producer idempotent.
"""

from django.db import models
from django.utils import timezone


class StatutCourriel(models.TextChoices):
    A_ENVOYER = "a_envoyer", "À envoyer"
    EN_COURS = "en_cours", "En cours d'envoi"
    ENVOYE = "envoye", "Envoyé"
    ECHEC = "echec", "Échec"
    # Claimed, then not sent: the recipient no longer wants messages, or the reminder's
    # booking was cancelled or moved in the meantime.
    SANS_OBJET = "sans_objet", "Sans objet"


class TypeCourriel(models.TextChoices):
    """What the message says; the value names its templates (``emails/<value>.txt|html``)."""

    CREEE = "creee", "Réservation enregistrée"
    CREEE_POUR_AUTRUI = "creee_pour_autrui", "Réservation faite pour autrui"
    EN_ATTENTE = "en_attente", "Réservation en attente de validation"
    A_VALIDER = "a_valider", "Réservation à valider"
    CONFIRMEE = "confirmee", "Réservation confirmée"
    MODIFIEE = "modifiee", "Réservation modifiée"
    ANNULEE = "annulee", "Réservation annulée"
    LIBEREE = "liberee", "Réservation libérée"
    NON_PRESENTE = "non_presente", "Absence constatée"
    RAPPEL = "rappel", "Rappel"


class MethodeIcs(models.TextChoices):
    AUCUNE = "", "Aucune pièce jointe"
    REQUEST = "REQUEST", "Invitation (REQUEST)"
    CANCEL = "CANCEL", "Annulation (CANCEL)"


class CourrielQuerySet(models.QuerySet):
    def dus(self, maintenant=None):
        """Waiting to be sent and due now."""
        return self.filter(
            statut=StatutCourriel.A_ENVOYER,
            prochaine_tentative__lte=maintenant or timezone.now(),
        )


class Courriel(models.Model):
    cle = models.CharField("clé d'idempotence", max_length=100, unique=True)
    type = models.CharField("type de message", max_length=32, choices=TypeCourriel.choices)
    destinataire = models.ForeignKey(
        "accounts.User",
        # A deleted account takes its pending and past messages along.
        on_delete=models.CASCADE,
        related_name="courriels",
        verbose_name="destinataire",
    )
    adresse = models.EmailField("adresse du destinataire", max_length=254)
    # Neither is a database constraint: the outbox outlives what it talks about (a deleted
    # reservation keeps the notice of its cancellation), as the journal does.
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="réservation",
    )
    evenement = models.ForeignKey(
        "reservations.Evenement",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="événement",
    )
    sujet = models.CharField("objet", max_length=255)
    texte = models.TextField("texte brut")
    html = models.TextField("version HTML")
    ics = models.TextField("pièce jointe iCalendar", blank=True, default="")
    methode_ics = models.CharField(
        "méthode iCalendar",
        max_length=8,
        choices=MethodeIcs.choices,
        blank=True,
        default=MethodeIcs.AUCUNE,
    )
    statut = models.CharField(
        "statut", max_length=16, choices=StatutCourriel.choices, default=StatutCourriel.A_ENVOYER
    )
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    prochaine_tentative = models.DateTimeField("prochaine tentative", default=timezone.now)
    # The claim: which sender took the row (a random token) and when.
    jeton = models.CharField("jeton d'envoi", max_length=32, blank=True, default="")
    reclame_le = models.DateTimeField("pris en charge le", null=True, blank=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    derniere_erreur = models.TextField("dernière erreur", blank=True, default="")
    date_creation = models.DateTimeField("date de création", auto_now_add=True)

    objects = CourrielQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "courriel"
        verbose_name_plural = "courriels"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutCourriel.values), name="courriel_statut_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=TypeCourriel.values), name="courriel_type_valide"
            ),
        ]
        indexes = [
            # The senders' scan: waiting rows by due time, stuck claims by claim time.
            models.Index(
                fields=["prochaine_tentative"],
                name="courriel_a_envoyer_idx",
                condition=models.Q(statut=StatutCourriel.A_ENVOYER),
            ),
            models.Index(
                fields=["reclame_le"],
                name="courriel_en_cours_idx",
                condition=models.Q(statut=StatutCourriel.EN_COURS),
            ),
            models.Index(
                fields=["jeton"],
                name="courriel_jeton_idx",
                condition=models.Q(statut=StatutCourriel.EN_COURS),
            ),
            models.Index(fields=["statut", "-id"], name="courriel_statut_idx"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} à {self.adresse} (n°{self.pk})"
