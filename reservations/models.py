"""Reservations and the periods that open or block a ressource."""

from datetime import UTC, timedelta

from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from resa_project import canal

from .constraints import PostgresExclusionConstraint
from .durees import DUREE_MAXIMUM
from .expressions import SecondesEntre

# No booking lasts longer than this: regles.verifier_creneau refuses it on every path, and
# the reservation_duree_maximum constraint in the database.
DUREE_MAXIMUM_ABSOLUE = max(DUREE_MAXIMUM.values())

MSG_FIN_APRES_DEBUT = "La fin doit être postérieure au début."
MSG_DUREE_MAXIMUM_ABSOLUE = (
    f"Une réservation ne peut durer plus de {DUREE_MAXIMUM_ABSOLUE // timedelta(hours=1)} heures."
)
MSG_FIN_RECURRENCE = "La fin de récurrence ne s'applique qu'aux périodes récurrentes."
MSG_FIN_RECURRENCE_AVANT = "La fin de récurrence ne peut précéder le début de la période."
MSG_PERIODE_TROP_LONGUE = (
    "Une période qui se répète ne peut durer plus que son intervalle de répétition."
)


class StatutReservation(models.TextChoices):
    # Awaiting confirmation. The wire value keeps the original API's "en_cours"; the Python
    # name says what it means (check-in's "in progress" is another thing).
    EN_ATTENTE = "en_cours", "En attente de confirmation"
    CONFIRME = "confirme", "Confirmée"
    ANNULE = "annule", "Annulée"
    FINI = "fini", "Terminée"
    NON_PRESENT = "non_present", "Non présent"


STATUTS_BLOQUANTS = (StatutReservation.EN_ATTENTE, StatutReservation.CONFIRME)
STATUTS_CLOS = (StatutReservation.ANNULE, StatutReservation.FINI, StatutReservation.NON_PRESENT)


class TypeDisponibilite(models.TextChoices):
    DISPONIBILITE_NORMALE = "disponibilite_normale", "Disponibilité normale"
    MAINTENANCE = "maintenance", "Maintenance"
    EVENEMENT_SPECIAL = "evenement_special", "Événement spécial"


TYPES_BLOQUANTS = (TypeDisponibilite.MAINTENANCE, TypeDisponibilite.EVENEMENT_SPECIAL)


class Recurrence(models.TextChoices):
    PONCTUEL = "ponctuel", "Ponctuel"
    QUOTIDIEN = "quotidien", "Quotidien"
    HEBDOMADAIRE = "hebdomadaire", "Hebdomadaire"


PAS_RECURRENCE = {
    Recurrence.QUOTIDIEN: timedelta(days=1),
    Recurrence.HEBDOMADAIRE: timedelta(days=7),
}
# A repeating period lasts at most its step, so an occurrence touching a window starts at
# most this long before it: enough to pre-filter on ``fin_recurrence`` in SQL.
_MARGE_RECURRENCE = timedelta(days=8)


def fin_recurrence_minimum(debut):
    """The earliest ``fin_recurrence`` of a repeating period that may still reach ``debut``."""
    return (debut - _MARGE_RECURRENCE).date()


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class DureeAuPlus(models.Func):
    """The condition ``fin - debut <= duree`` (whole seconds), evaluated by the database the
    same way in every session.

    Django's ``Q(fin__lte=F("debut") + duree)`` is not: on PostgreSQL ``timestamptz +
    interval '1 day'`` adds a calendar day in the session's time zone (23 or 25 hours across
    a DST change, for a session outside UTC such as psql or a restore), and on SQLite it
    calls a function that only Django's connections define, so ``dbshell`` could no longer
    write the table.
    """

    output_field = models.BooleanField()

    def __init__(self, debut, fin, *, duree):
        self.secondes = int(duree.total_seconds())
        super().__init__(debut, fin)

    def _compiler(self, compiler):
        (debut, params_debut), (fin, params_fin) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return debut, fin, (*params_fin, *params_debut)

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: the difference of two timestamptz is an exact interval, and comparing
        # intervals does not depend on the session.
        debut, fin, params = self._compiler(compiler)
        return f"(({fin} - {debut}) <= interval '{self.secondes} seconds')", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Datetimes are UTC text there; julianday() counts whole milliseconds on both sides.
        debut, fin, params = self._compiler(compiler)
        return f"(julianday({fin}) <= julianday({debut}, '+{self.secondes} seconds'))", params


class IntervalleQuerySet(models.QuerySet):
    def chevauche(self, debut, fin):
        """Rows whose ``[debut, fin)`` overlaps the window; touching ends do not overlap."""
        return self.filter(debut__lt=fin, fin__gt=debut)


def borne_chevauchement(debut):
    """The earliest start a reservation overlapping a window from ``debut`` can have."""
    return debut - DUREE_MAXIMUM_ABSOLUE


def q_a_liberer(maintenant=None) -> models.Q:
    return models.Q(
        statut=StatutReservation.CONFIRME,
        checkin_le__isnull=True,
        checkin_limite__lte=maintenant or timezone.now(),
    )


class ReservationQuerySet(IntervalleQuerySet):
    def chevauche(self, debut, fin, *, debut_apres=None):
        """Also bounds ``debut`` from below: no reservation lasts longer than the longest
        duration a type admits (24 h, the ``reservation_duree_maximum`` constraint), so the
        indexes on ``debut`` scan a narrow range instead of every past reservation.
        ``debut_apres`` is that bound when the caller computed it (``borne_chevauchement``:
        compiled queries take every value as a parameter)."""
        if debut_apres is None:
            debut_apres = borne_chevauchement(debut)
        return super().chevauche(debut, fin).filter(debut__gt=debut_apres)

    def bloquantes(self, maintenant=None):
        """The reservations that hold their slot: awaiting confirmation or confirmed, but
        not a hold that nobody claimed by its check-in deadline (API.md C4): from that
        moment its time is free, whether or not the worker has released it yet."""
        return self.filter(statut__in=STATUTS_BLOQUANTS).exclude(q_a_liberer(maintenant))

    def a_liberer(self, maintenant=None):
        """Confirmed bookings of a ressource with check-in, still without check-in at
        their deadline: to be released (``services.liberer``)."""
        return self.filter(q_a_liberer(maintenant))


class Reservation(models.Model):
    ressource = models.ForeignKey(
        "ressources.Ressource",
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name="ressource",
    )
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name="bénéficiaire",
    )
    createur = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="reservations_creees",
        verbose_name="créateur",
    )
    debut = models.DateTimeField("début")
    fin = models.DateTimeField("fin")
    statut = models.CharField(
        "statut",
        max_length=16,
        choices=StatutReservation.choices,
        default=StatutReservation.CONFIRME,
    )
    description = models.TextField("description", blank=True, default="")
    nbr_participants = models.PositiveIntegerField(
        "nombre de participants", default=1, validators=[MinValueValidator(1)]
    )
    note = models.TextField("note", blank=True, default="")
    # Facts frozen at booking time, for reports that must not rewrite history: the
    # beneficiary's department when the booking was made (kept when they change department
    # later) and the ressource's site (follows the booking when it moves to another one).
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name="site",
    )
    department = models.ForeignKey(
        "sites.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reservations",
        verbose_name="département du bénéficiaire",
    )
    date_creation = models.DateTimeField("date de création", auto_now_add=True)
    date_modification = models.DateTimeField("date de modification", auto_now=True)
    # Check-in (API.md C4): when the holder signalled arrival, and, on a ressource that
    # requires it, the moment from which a confirmed booking still without check-in is
    # released (``debut`` + the ressource's delay, set whenever the booking is saved).
    checkin_le = models.DateTimeField("arrivée signalée le", null=True, blank=True)
    checkin_limite = models.DateTimeField(
        "libérée sans arrivée à partir de", null=True, blank=True, editable=False
    )
    # Whole seconds, written by the database with the row (statistics sum them over a
    # year of bookings: on SQLite, whose datetimes are text, parsing two per row was most
    # of their time).
    duree_secondes = models.GeneratedField(
        expression=SecondesEntre("debut", "fin"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name="durée (secondes)",
    )
    delai_secondes = models.GeneratedField(
        expression=SecondesEntre("date_creation", "debut"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name="réservée à l'avance de (secondes)",
    )
    # The series this booking is an occurrence of (API.md C7); null for a single booking.
    serie = models.ForeignKey(
        "Serie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="reservations",
        verbose_name="série",
    )

    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["debut", "id"]
        verbose_name = "réservation"
        verbose_name_plural = "réservations"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fin__gt=models.F("debut")),
                name="reservation_fin_apres_debut",
                violation_error_message=MSG_FIN_APRES_DEBUT,
            ),
            # ReservationQuerySet.chevauche relies on it.
            models.CheckConstraint(
                condition=DureeAuPlus("debut", "fin", duree=DUREE_MAXIMUM_ABSOLUE),
                name="reservation_duree_maximum",
                violation_error_message=MSG_DUREE_MAXIMUM_ABSOLUE,
            ),
            models.CheckConstraint(
                condition=models.Q(nbr_participants__gte=1),
                name="reservation_participants_min_1",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=StatutReservation.values),
                name="reservation_statut_valide",
            ),
            PostgresExclusionConstraint(
                name="reservation_sans_chevauchement",
                expressions=[
                    ("ressource", RangeOperators.EQUAL),
                    (
                        TsTzRange("debut", "fin"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=models.Q(statut__in=STATUTS_BLOQUANTS),
            ),
        ]
        indexes = [
            models.Index(fields=["ressource", "debut"]),
            models.Index(fields=["ressource", "fin"]),
            models.Index(fields=["user", "debut"]),
            models.Index(fields=["createur"]),
            models.Index(fields=["statut", "debut"]),
            # The list's orderings (debut, id) and (date_creation, id), read with LIMIT.
            models.Index(fields=["debut", "id"], name="reservation_debut_id_idx"),
            models.Index(fields=["date_creation", "id"], name="reservation_creation_id_idx"),
            # The list's window (du/au) counted from the index alone.
            models.Index(fields=["debut", "fin"], name="reservation_debut_fin_idx"),
            # Statistics over a period (statistiques.selectors) read from the index alone:
            # every column their sums and keys take from a reservation.
            models.Index(
                fields=[
                    "debut",
                    "statut",
                    "site",
                    "department",
                    "ressource",
                    "duree_secondes",
                    "delai_secondes",
                    "fin",
                ],
                name="reservation_statistiques_idx",
            ),
            # A ressource's detail (occupation.statistiques_ressource): its statistics over
            # its whole history read from the index alone, whatever the history's length.
            models.Index(
                fields=["ressource", "debut", "fin", "statut"],
                name="reservation_ressource_detail",
            ),
            # The holds to release (API.md C4): confirmed, check-in required, none yet.
            models.Index(
                fields=["checkin_limite"],
                name="reservation_a_liberer_idx",
                condition=models.Q(
                    statut=StatutReservation.CONFIRME,
                    checkin_limite__isnull=False,
                    checkin_le__isnull=True,
                ),
            ),
        ]

    def __str__(self):
        # Local time (the stored value is UTC); no ressource name: a page listing hundreds
        # of reservations (a delete confirmation) would load each ressource.
        return f"Réservation n°{self.pk} du {timezone.localtime(self.debut):%d/%m/%Y à %H:%M}"

    @property
    def duree_minutes(self) -> int:
        # In UTC: two datetimes of one local zone subtract by wall clock (DST ignored).
        return int((self.fin.astimezone(UTC) - self.debut.astimezone(UTC)).total_seconds() // 60)

    @property
    def est_bloquante(self) -> bool:
        return self.statut in STATUTS_BLOQUANTS

    def clean(self):
        super().clean()
        if self.debut and self.fin and self.fin <= self.debut:
            raise ValidationError({"fin": MSG_FIN_APRES_DEBUT})


class OrigineSerie(models.TextChoices):
    RECURRENCE = "recurrence", "Règle de récurrence"
    IMPORT = "import", "Import de calendrier"


class ModeSerie(models.TextChoices):
    TOUT_OU_RIEN = "tout_ou_rien", "Tout ou rien"
    IGNORER_CONFLITS = "ignorer_conflits", "Ignorer les dates refusées"


class Serie(models.Model):
    """Reservations booked together (API.md C7): from a recurrence rule or an imported
    calendar. Each occurrence is an ordinary ``Reservation`` (``serie``), so the database's
    no-overlap constraint guards every date; the series keeps the request."""

    ressource = models.ForeignKey(
        "ressources.Ressource",
        on_delete=models.PROTECT,
        related_name="series",
        verbose_name="ressource",
    )
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="series",
        verbose_name="bénéficiaire",
    )
    createur = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="series_creees",
        verbose_name="créateur",
    )
    origine = models.CharField(
        "origine de la série",
        max_length=16,
        choices=OrigineSerie.choices,
        default=OrigineSerie.RECURRENCE,
    )
    # The request's rule as the API shows it (frequence, intervalle, jours, jusqu_au or
    # nombre); null for an imported calendar, whose events carry their own rules.
    recurrence = models.JSONField("récurrence", null=True, blank=True)
    mode = models.CharField(
        "mode de réservation",
        max_length=16,
        choices=ModeSerie.choices,
        default=ModeSerie.TOUT_OU_RIEN,
    )
    description = models.TextField("description", blank=True, default="")
    nbr_participants = models.PositiveIntegerField(
        "nombre de participants", default=1, validators=[MinValueValidator(1)]
    )
    note = models.TextField("note", blank=True, default="")
    date_creation = models.DateTimeField("date de création", auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "série de réservations"
        verbose_name_plural = "séries de réservations"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origine__in=OrigineSerie.values), name="serie_origine_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=ModeSerie.values), name="serie_mode_valide"
            ),
        ]

    def __str__(self):
        return f"Série n°{self.pk}"


class ResourceAvailabilityQuerySet(IntervalleQuerySet):
    def bloquantes(self):
        return self.filter(type_disponibilite__in=TYPES_BLOQUANTS)

    def normales(self):
        return self.filter(type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE)

    def pouvant_toucher(self, debut, fin, *, fin_recurrence_depuis=None):
        """Periods with an occurrence that may overlap ``[debut, fin)``: a superset, exact
        overlap of recurring periods is decided in Python (see ``reservations.calendrier``).
        ``fin_recurrence_depuis``: ``fin_recurrence_minimum(debut)``, when precomputed."""
        if fin_recurrence_depuis is None:
            fin_recurrence_depuis = fin_recurrence_minimum(debut)
        ponctuelles = models.Q(recurrence=Recurrence.PONCTUEL, debut__lt=fin, fin__gt=debut)
        recurrentes = (
            ~models.Q(recurrence=Recurrence.PONCTUEL)
            & models.Q(debut__lt=fin)
            & (
                models.Q(fin_recurrence__isnull=True)
                | models.Q(fin_recurrence__gte=fin_recurrence_depuis)
            )
        )
        return self.filter(ponctuelles | recurrentes)


class ResourceAvailability(models.Model):
    """A period of a ressource: a window where it may be booked (``disponibilite_normale``)
    or a blocking one (``maintenance``, ``evenement_special``), once or repeating."""

    ressource = models.ForeignKey(
        "ressources.Ressource",
        on_delete=models.CASCADE,
        related_name="disponibilites",
        verbose_name="ressource",
    )
    type_disponibilite = models.CharField(
        "type de disponibilité", max_length=32, choices=TypeDisponibilite.choices
    )
    debut = models.DateTimeField("début")
    fin = models.DateTimeField("fin")
    raison_indisponibilite = models.CharField(
        "raison de l'indisponibilité", max_length=500, blank=True, default=""
    )
    recurrence = models.CharField(
        "récurrence", max_length=16, choices=Recurrence.choices, default=Recurrence.PONCTUEL
    )
    fin_recurrence = models.DateField("fin de récurrence", null=True, blank=True)
    date_creation = models.DateTimeField("date de création", auto_now_add=True)

    objects = ResourceAvailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["debut", "id"]
        verbose_name = "disponibilité"
        verbose_name_plural = "disponibilités"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fin__gt=models.F("debut")),
                name="disponibilite_fin_apres_debut",
                violation_error_message=MSG_FIN_APRES_DEBUT,
            ),
            models.CheckConstraint(
                condition=models.Q(type_disponibilite__in=TypeDisponibilite.values),
                name="disponibilite_type_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(recurrence__in=Recurrence.values),
                name="disponibilite_recurrence_valide",
            ),
        ]
        indexes = [
            models.Index(fields=["ressource", "debut"]),
            models.Index(fields=["type_disponibilite", "debut"]),
        ]

    def __str__(self):
        return (
            f"{self.get_type_disponibilite_display()} n°{self.pk} "
            f"du {timezone.localtime(self.debut):%d/%m/%Y à %H:%M}"
        )

    @property
    def est_bloquante(self) -> bool:
        return self.type_disponibilite in TYPES_BLOQUANTS

    def clean(self):
        super().clean()
        if self.debut and self.fin and self.fin <= self.debut:
            raise ValidationError({"fin": MSG_FIN_APRES_DEBUT})
        if self.fin_recurrence is not None:
            if self.recurrence == Recurrence.PONCTUEL:
                raise ValidationError({"fin_recurrence": MSG_FIN_RECURRENCE})
            if self.debut and self.fin_recurrence < timezone.localdate(self.debut):
                raise ValidationError({"fin_recurrence": MSG_FIN_RECURRENCE_AVANT})
        pas = PAS_RECURRENCE.get(self.recurrence)
        if pas and self.debut and self.fin and self.fin - self.debut > pas:
            raise ValidationError({"fin": MSG_PERIODE_TROP_LONGUE})


class TypeEvenement(models.TextChoices):
    """The event types of the journal (API.md C1); the value is the wire value."""

    RESERVATION_CREEE = "reservation.creee", "Réservation créée"
    RESERVATION_MODIFIEE = "reservation.modifiee", "Réservation modifiée"
    RESERVATION_CONFIRMEE = "reservation.confirmee", "Réservation confirmée"
    RESERVATION_ANNULEE = "reservation.annulee", "Réservation annulée"
    RESERVATION_TERMINEE = "reservation.terminee", "Réservation terminée"
    RESERVATION_NON_PRESENTE = "reservation.non_presente", "Bénéficiaire non présent"
    RESERVATION_LIBEREE = "reservation.liberee", "Réservation libérée automatiquement"
    RESERVATION_CHECKIN = "reservation.checkin", "Arrivée enregistrée"
    DISPONIBILITE_CREEE = "disponibilite.creee", "Période créée"
    DISPONIBILITE_MODIFIEE = "disponibilite.modifiee", "Période modifiée"
    DISPONIBILITE_SUPPRIMEE = "disponibilite.supprimee", "Période supprimée"


class Canal(models.TextChoices):
    """The entry point a change came through (see ``resa_project.canal``)."""

    API = canal.API, "API"
    ADMIN = canal.ADMIN, "Back-office"
    COMMANDE = canal.COMMANDE, "Commande"
    SYSTEME = canal.SYSTEME, "Système"


class Evenement(models.Model):
    """One state change of a reservation or a period, written by ``reservations.journal``
    in the transaction of the change. The id is stable and gives the creation order.

    The targets are foreign keys without a database constraint: the journal outlives what it
    talks about (a deleted period keeps its ``disponibilite.supprimee``, a deleted
    reservation its history), and ids are never reused (AUTOINCREMENT on SQLite, sequences
    on PostgreSQL), so a dangling id still names that one object.
    """

    type = models.CharField("type d'événement", max_length=32, choices=TypeEvenement.choices)
    date = models.DateTimeField("date et heure", default=timezone.now)
    acteur = models.ForeignKey(
        "accounts.User",
        # Whoever acted stays known: an account with events is deactivated, not deleted
        # (as one with reservations already is).
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evenements",
        verbose_name="auteur",
    )
    canal = models.CharField(
        "canal d'entrée", max_length=16, choices=Canal.choices, default=Canal.SYSTEME
    )
    changements = models.JSONField("changements (avant, après)", default=dict, blank=True)
    note = models.TextField("note", blank=True, default="")
    reservation = models.ForeignKey(
        Reservation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="evenements",
        verbose_name="réservation",
    )
    disponibilite = models.ForeignKey(
        ResourceAvailability,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="evenements",
        verbose_name="disponibilité",
    )
    # Set once the subscribers (notifications, webhooks) have derived their work from the
    # event, in the background; the periodic sweep picks up those still unset.
    diffuse_le = models.DateTimeField("diffusé le", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "événement"
        verbose_name_plural = "événements"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=TypeEvenement.values), name="evenement_type_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(canal__in=Canal.values), name="evenement_canal_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(reservation__isnull=False)
                | models.Q(disponibilite__isnull=False),
                name="evenement_a_une_cible",
            ),
        ]
        indexes = [
            models.Index(fields=["reservation", "id"], name="evenement_reservation_idx"),
            models.Index(fields=["disponibilite", "id"], name="evenement_disponibilite_idx"),
            models.Index(
                fields=["id"],
                name="evenement_a_diffuser_idx",
                condition=models.Q(diffuse_le__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.type} n°{self.pk}"
