"""Bookable ressources: rooms, equipment and vehicles, each on one site."""

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models

from . import lookups  # noqa: F401  (registers the ``possede`` JSON lookup)

MSG_HORAIRES = "L'heure d'ouverture doit précéder l'heure de fermeture."
MSG_HORAIRES_PAIRE = "Renseignez l'heure d'ouverture et l'heure de fermeture, ou aucune des deux."
MSG_HORAIRES_SALLE = "Seules les salles ont des horaires propres."
MSG_LISTE_CHAINES = "Doit être une liste de chaînes de caractères."


class TypeRessource(models.TextChoices):
    SALLE = "salle", "Salle"
    EQUIPEMENT = "equipement", "Équipement"
    VEHICULE = "vehicule", "Véhicule"


class Etat(models.TextChoices):
    ACTIVE = "active", "Active"
    EN_MAINTENANCE = "en_maintenance", "En maintenance"
    HORS_SERVICE = "hors_service", "Hors service"


def valider_liste_chaines(value):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(MSG_LISTE_CHAINES)


def valider_images(value):
    valider_liste_chaines(value)
    url = URLValidator(schemes=["http", "https"])
    for image in value:
        url(image)


class RessourceQuerySet(models.QuerySet):
    def actives(self):
        return self.filter(etat=Etat.ACTIVE)

    def avec_caracteristiques(self, caracteristiques):
        qs = self
        for caracteristique in caracteristiques:
            qs = qs.filter(caracteristiques__possede=caracteristique)
        return qs


# Check-in (API.md C4): minutes after the start within which the holder signals arrival.
DELAI_CHECKIN_DEFAUT = 15
DELAI_CHECKIN_MIN = 5
DELAI_CHECKIN_MAX = 240


class Ressource(models.Model):
    nom = models.CharField("nom", max_length=200, validators=[MinLengthValidator(3)])
    type_ressource = models.CharField(
        "type de ressource", max_length=16, choices=TypeRessource.choices
    )
    capacite_maximum = models.PositiveIntegerField(
        "capacité maximale", default=1, validators=[MinValueValidator(1)]
    )
    description = models.TextField("description", blank=True, default="")
    caracteristiques = models.JSONField(
        "caractéristiques", default=list, blank=True, validators=[valider_liste_chaines]
    )
    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="ressources", verbose_name="site"
    )
    localisation_batiment = models.CharField("bâtiment", max_length=200, blank=True, default="")
    localisation_etage = models.CharField("étage", max_length=50, blank=True, default="")
    localisation_numero = models.CharField("numéro", max_length=50, blank=True, default="")
    etat = models.CharField("état", max_length=16, choices=Etat.choices, default=Etat.ACTIVE)
    horaires_ouverture = models.TimeField("heure d'ouverture", null=True, blank=True)
    horaires_fermeture = models.TimeField("heure de fermeture", null=True, blank=True)
    images = models.JSONField("images", default=list, blank=True, validators=[valider_images])
    tarifs_horaires = models.DecimalField(
        "tarif horaire",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    validation_requise = models.BooleanField(
        "validation requise",
        default=False,
        help_text="Les réservations d'un employé restent en attente (en_cours) jusqu'à confirmation.",
    )
    checkin_requis = models.BooleanField(
        "arrivée à signaler",
        default=False,
        help_text=(
            "Une réservation confirmée sans arrivée signalée au plus tard "
            "« délai d'arrivée » minutes après son début est libérée automatiquement."
        ),
    )
    delai_checkin_minutes = models.PositiveSmallIntegerField(
        "délai d'arrivée (minutes)",
        default=DELAI_CHECKIN_DEFAUT,
        validators=[
            MinValueValidator(DELAI_CHECKIN_MIN),
            MaxValueValidator(DELAI_CHECKIN_MAX),
        ],
    )

    objects = RessourceQuerySet.as_manager()

    class Meta:
        ordering = ["nom", "id"]
        verbose_name = "ressource"
        verbose_name_plural = "ressources"
        constraints = [
            models.UniqueConstraint(
                fields=["nom", "site"],
                name="ressource_nom_unique_par_site",
                violation_error_message="Une ressource porte déjà ce nom sur ce site.",
            ),
            models.CheckConstraint(
                condition=models.Q(capacite_maximum__gte=1), name="ressource_capacite_min_1"
            ),
            models.CheckConstraint(
                condition=models.Q(tarifs_horaires__isnull=True) | models.Q(tarifs_horaires__gte=0),
                name="ressource_tarif_positif",
            ),
            models.CheckConstraint(
                condition=models.Q(horaires_ouverture__isnull=True, horaires_fermeture__isnull=True)
                | models.Q(horaires_ouverture__lt=models.F("horaires_fermeture")),
                name="ressource_horaires_coherents",
                violation_error_message=MSG_HORAIRES,
            ),
            models.CheckConstraint(
                condition=models.Q(type_ressource__in=TypeRessource.values),
                name="ressource_type_valide",
            ),
            models.CheckConstraint(
                condition=models.Q(etat__in=Etat.values), name="ressource_etat_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    delai_checkin_minutes__gte=DELAI_CHECKIN_MIN,
                    delai_checkin_minutes__lte=DELAI_CHECKIN_MAX,
                ),
                name="ressource_delai_checkin_borne",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "type_ressource"]),
            models.Index(fields=["type_ressource", "capacite_maximum"]),
            models.Index(fields=["etat"]),
            models.Index(fields=["capacite_maximum"]),
        ]

    def __str__(self):
        return self.nom

    def horaires(self):
        """Opening hours that apply: the room's own, else its site's."""
        if self.horaires_ouverture is not None and self.horaires_fermeture is not None:
            return self.horaires_ouverture, self.horaires_fermeture
        return self.site.horaires_ouverture, self.site.horaires_fermeture

    def clean(self):
        super().clean()
        ouverture, fermeture = self.horaires_ouverture, self.horaires_fermeture
        if (ouverture is None) != (fermeture is None):
            raise ValidationError({"horaires_fermeture": MSG_HORAIRES_PAIRE})
        if ouverture is not None:
            if self.type_ressource and self.type_ressource != TypeRessource.SALLE:
                raise ValidationError({"horaires_ouverture": MSG_HORAIRES_SALLE})
            if ouverture >= fermeture:
                raise ValidationError({"horaires_fermeture": MSG_HORAIRES})
