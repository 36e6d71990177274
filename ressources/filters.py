"""Query parameters of the ressource lists (``/ressources`` and ``/ressources/disponibles``),
read by the shared parsers of ``resa_project.parametres``: a bad value is a 400 naming the
parameter, never a silently ignored filter."""

import django_filters

from resa_project.parametres import (
    BooleenFilter,
    EntierFilter,
    IdFilter,
    TriMixin,
    filtre_choix,
    filtres_tri,
)

from .models import Etat, Ressource, TypeRessource

TRIS = {"nom": "nom", "capacite": "capacite_maximum", "type": "type_ressource"}
TRI_DEFAUT = "nom"


class RechercheFilterSet(TriMixin, django_filters.FilterSet):
    """Filters and sort shared by the list and the free search."""

    tris, tri_defaut = TRIS, TRI_DEFAUT

    type_of_ressource = filtre_choix(
        "type_of_ressource",
        TypeRessource.choices,
        field_name="type_ressource",
        help_text="Type de ressource.",
    )
    site_id = IdFilter(field_name="site_id", help_text="Site.")
    batiment = django_filters.CharFilter(
        field_name="localisation_batiment",
        lookup_expr="icontains",
        max_length=200,
        help_text="Partie du nom du bâtiment (sans tenir compte de la casse).",
    )
    caracteristiques = django_filters.CharFilter(
        method="filtrer_caracteristiques",
        max_length=2000,
        help_text="Caractéristiques séparées par des virgules, toutes exigées (ex. `wifi,projecteur`).",
    )
    minimum_capacity = EntierFilter(
        field_name="capacite_maximum",
        lookup_expr="gte",
        min_value=0,
        help_text="Capacité minimale.",
    )
    sort_by, sort_order = filtres_tri(TRIS, TRI_DEFAUT)

    class Meta:
        model = Ressource
        fields = []

    def filtrer_caracteristiques(self, queryset, name, value):
        voulues = [c.strip() for c in value.split(",") if c.strip()]
        return queryset.avec_caracteristiques(voulues)


class RessourceFilterSet(RechercheFilterSet):
    """The list also filters on the state (the free search only returns active ressources)."""

    disponible = BooleenFilter(
        method="filtrer_disponible",
        help_text="true : ressources à l'état active ; false : les autres.",
    )

    def filtrer_disponible(self, queryset, name, value):
        if value:
            return queryset.filter(etat=Etat.ACTIVE)
        return queryset.exclude(etat=Etat.ACTIVE)
