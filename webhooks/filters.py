"""Query parameters of the subscription and delivery lists (shared strict parsers)."""

from django_filters import rest_framework as filters

from resa_project.parametres import BooleenFilter, filtre_choix

from .models import TYPES_LIVRAISON, Abonnement, Livraison, StatutLivraison


class AbonnementFilter(filters.FilterSet):
    actif = BooleenFilter(field_name="actif", help_text="true : les actifs ; false : les autres.")

    class Meta:
        model = Abonnement
        fields = []


class LivraisonFilter(filters.FilterSet):
    statut = filtre_choix(
        "statut", StatutLivraison.choices, field_name="statut", help_text="Un statut."
    )
    type = filtre_choix("type", TYPES_LIVRAISON, field_name="type", help_text="Un type.")

    class Meta:
        model = Livraison
        fields = []
