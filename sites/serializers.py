"""JSON shapes of sites and departments. They parse; the views write through
``sites.services`` (``full_clean()``), whose errors are reported under the JSON names."""

from rest_framework import serializers

from accounts.models import User
from resa_project.parametres import ChampId
from resa_project.rendu import RenduRapide
from resa_project.serializers import ErreursModeleMixin

from .models import Department, Site

FORMAT_HEURE = "%H:%M:%S"


class SiteSerializer(RenduRapide, ErreursModeleMixin, serializers.ModelSerializer):
    """A site (building, campus) and its opening hours. ``adresse`` and both hours are
    required on creation (the model's fields; nothing is defaulted); PUT is partial."""

    horaires_ouverture = serializers.TimeField(format=FORMAT_HEURE, help_text="HH:MM:SS")
    horaires_fermeture = serializers.TimeField(
        format=FORMAT_HEURE, help_text="HH:MM:SS, après l'ouverture."
    )

    class Meta:
        model = Site
        fields = ["id", "nom", "adresse", "horaires_ouverture", "horaires_fermeture"]
        extra_kwargs = {"adresse": {"help_text": "Adresse postale, non vide."}}


class DepartmentSerializer(RenduRapide, ErreursModeleMixin, serializers.ModelSerializer):
    """A department of a site; ``budgetAnnuel`` is ``budget_annuel`` in the database."""

    site_id = ChampId(source="site", queryset=Site.objects.all())
    manager_id = ChampId(
        source="manager",
        queryset=User.objects.all(),
        allow_null=True,
        required=False,
        help_text="Un utilisateur de rôle manager ou admin.",
    )
    budgetAnnuel = serializers.DecimalField(
        source="budget_annuel",
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        required=False,
        coerce_to_string=False,
        help_text="Optionnel, >= 0.",
    )

    class Meta:
        model = Department
        fields = ["id", "nom", "site_id", "manager_id", "budgetAnnuel"]
