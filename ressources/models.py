"""Bookable ressources: rooms, equipment and vehicles, each on one site."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Exists, OuterRef

from resa_project.marques import Marque

from . import lookups  # noqa: F401  (registers the ``possede`` JSON lookup)
from .recherche_texte import TexteRechercheField, texte_de

MSG_HORAIRES = "L'heure d'ouverture doit précéder l'heure de fermeture."
MSG_HORAIRES_PAIRE = "Renseignez l'heure d'ouverture et l'heure de fermeture, ou aucune des deux."
MSG_HORAIRES_SALLE = "Seules les salles ont des horaires propres."
MSG_LISTE_CHAINES = "Doit être une liste de chaînes de caractères."

# Changed whenever a ressource, a favourite or a site is saved or deleted
# (ressources/signaux.py): the processes' memos of the catalogue's list (ressources/views.py)
# start again.
MARQUE_CATALOGUE = Marque("catalogue")


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

    def favoris_de(self, user):
        """``Exists`` condition: the row is one of ``user``'s favourites."""
        return Exists(Favori.objects.filter(user=user, ressource=OuterRef("pk")))

    def avec_est_favori(self, user):
        """``est_favori`` for ``user`` on every row, in the same query."""
        if not getattr(user, "is_authenticated", False):
            return self
        return self.annotate(est_favori=self.favoris_de(user))

    def avec_caracteristiques(self, caracteristiques):
        qs = self
        for caracteristique in caracteristiques:
            qs = qs.filter(caracteristiques__possede=caracteristique)
        return qs


#: The fields whose words ``q`` searches (with the site's nom).
CHAMPS_RECHERCHE = {"nom", "description", "caracteristiques", "localisation_batiment", "site"}

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

    texte_recherche = TexteRechercheField(
        "texte de recherche",
        blank=True,
        default="",
        editable=False,
        help_text="Mots normalisés du nom, de la description, des caractéristiques, du "
        "bâtiment et du site (recherche q), tenus à jour à chaque enregistrement.",
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

    def save(self, *args, **kwargs):
        """Keeps ``texte_recherche`` in sync wherever the row is written (services, admin,
        factories); ``bulk_create`` callers fill it with ``recherche_texte.texte_de``."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & CHAMPS_RECHERCHE:
            self.texte_recherche = texte_de(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "texte_recherche"}
        super().save(*args, **kwargs)

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


class Favori(models.Model):
    """A ressource a user marked as a favourite (API.md C9); at most once per pair."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="favoris",
        verbose_name="utilisateur",
    )
    ressource = models.ForeignKey(
        Ressource, on_delete=models.CASCADE, related_name="favoris", verbose_name="ressource"
    )
    date = models.DateTimeField("ajoutée le", auto_now_add=True)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = "favori"
        verbose_name_plural = "favoris"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "ressource"],
                name="favori_unique_par_utilisateur",
                violation_error_message="Cette ressource est déjà dans les favoris.",
            ),
        ]

    def __str__(self):
        return f"{self.user} : {self.ressource}"
