"""Sites (buildings, campuses) and the departments attached to them."""

from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, MinValueValidator
from django.db import models

from resa_project.marques import Marque

MSG_HORAIRES = "L'heure d'ouverture doit précéder l'heure de fermeture."
MSG_MANAGER_ROLE = "Le manager d'un département doit avoir le rôle manager ou admin."

# Changed whenever a site or a department is saved or deleted (sites/signaux.py): the
# processes' memos of the /sites and /departments lists (sites/views.py) start again.
MARQUE_REFERENTIEL = Marque("referentiel")


class Site(models.Model):
    nom = models.CharField("nom", max_length=200, validators=[MinLengthValidator(3)])
    # Required (API.md B+): a site without an address is of no use, in the API or the admin.
    adresse = models.CharField("adresse", max_length=500)
    horaires_ouverture = models.TimeField("heure d'ouverture")
    horaires_fermeture = models.TimeField("heure de fermeture")

    class Meta:
        ordering = ["id"]
        verbose_name = "site"
        verbose_name_plural = "sites"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(horaires_ouverture__lt=models.F("horaires_fermeture")),
                name="site_ouverture_avant_fermeture",
                violation_error_message=MSG_HORAIRES,
            ),
        ]

    def __str__(self):
        return self.nom

    def clean(self):
        super().clean()
        if (
            self.horaires_ouverture
            and self.horaires_fermeture
            and self.horaires_ouverture >= self.horaires_fermeture
        ):
            raise ValidationError({"horaires_fermeture": MSG_HORAIRES})


class Department(models.Model):
    nom = models.CharField("nom", max_length=200, validators=[MinLengthValidator(3)])
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="departments", verbose_name="site"
    )
    manager = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments_geres",
        verbose_name="manager",
    )
    budget_annuel = models.DecimalField(
        "budget annuel",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["id"]
        verbose_name = "département"
        verbose_name_plural = "départements"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_annuel__isnull=True) | models.Q(budget_annuel__gte=0),
                name="department_budget_positif",
            ),
        ]

    def __str__(self):
        return self.nom

    def clean(self):
        super().clean()
        if self.manager_id and not self.manager.est_manager_ou_admin:
            raise ValidationError({"manager": MSG_MANAGER_ROLE})
