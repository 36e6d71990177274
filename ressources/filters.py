"""Query parameters of the ressource lists (``/ressources`` and ``/ressources/disponibles``).

A bad value is a 400 with a French message (``DjangoFilterBackend`` raises on an invalid
form), never a silently ignored filter.
"""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Etat, Ressource, TypeRessource

TRIS = {"nom": "nom", "capacite": "capacite_maximum", "type": "type_ressource"}
TRI_DEFAUT, ORDRE_DEFAUT = "nom", "asc"

MSG_TYPE = "type_of_ressource doit valoir salle, equipement ou vehicule."
MSG_DISPONIBLE = "disponible doit valoir true ou false."
MSG_SORT_BY = "sort_by doit valoir nom, capacite ou type."
MSG_SORT_ORDER = "sort_order doit valoir asc ou desc."
MSG_ENTIER = "{nom} doit être un entier supérieur ou égal à {minimum}."


def _entier(nom, minimum):
    message = MSG_ENTIER.format(nom=nom, minimum=minimum)
    return {"min_value": minimum, "error_messages": {"invalid": message, "min_value": message}}


@extend_schema_field(OpenApiTypes.INT)
class EntierFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _inchange(queryset, name, value):
    return queryset


class RechercheFilterSet(django_filters.FilterSet):
    """Filters and sort shared by the list and the free search."""

    type_of_ressource = django_filters.ChoiceFilter(
        field_name="type_ressource",
        choices=TypeRessource.choices,
        error_messages={"invalid_choice": MSG_TYPE},
        help_text="Type de ressource.",
    )
    site_id = EntierFilter(field_name="site_id", help_text="Site.", **_entier("site_id", 1))
    batiment = django_filters.CharFilter(
        field_name="localisation_batiment",
        lookup_expr="icontains",
        help_text="Partie du nom du bâtiment (sans tenir compte de la casse).",
    )
    caracteristiques = django_filters.CharFilter(
        method="filtrer_caracteristiques",
        help_text="Caractéristiques séparées par des virgules, toutes exigées (ex. `wifi,projecteur`).",
    )
    minimum_capacity = EntierFilter(
        field_name="capacite_maximum",
        lookup_expr="gte",
        help_text="Capacité minimale.",
        **_entier("minimum_capacity", 0),
    )
    sort_by = django_filters.ChoiceFilter(
        choices=[(cle, cle) for cle in TRIS],
        method=_inchange,
        error_messages={"invalid_choice": MSG_SORT_BY},
        help_text="Tri : nom (défaut), capacite ou type ; à égalité, par id dans le même sens.",
    )
    sort_order = django_filters.ChoiceFilter(
        choices=[("asc", "asc"), ("desc", "desc")],
        method=_inchange,
        error_messages={"invalid_choice": MSG_SORT_ORDER},
        help_text="Sens du tri : asc (défaut) ou desc.",
    )

    class Meta:
        model = Ressource
        fields = []

    def filtrer_caracteristiques(self, queryset, name, value):
        voulues = [c.strip() for c in value.split(",") if c.strip()]
        return queryset.avec_caracteristiques(voulues)

    def tri(self) -> tuple[str, str]:
        donnees = self.form.cleaned_data
        return donnees.get("sort_by") or TRI_DEFAUT, donnees.get("sort_order") or ORDRE_DEFAUT

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort_by, sort_order = self.tri()
        signe = "-" if sort_order == "desc" else ""
        return queryset.order_by(f"{signe}{TRIS[sort_by]}", f"{signe}id")


class RessourceFilterSet(RechercheFilterSet):
    """The list also filters on the state (the free search only returns active ressources)."""

    disponible = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filtrer_disponible",
        error_messages={"invalid_choice": MSG_DISPONIBLE},
        help_text="true : ressources à l'état active ; false : les autres.",
    )

    def filtrer_disponible(self, queryset, name, value):
        if value == "true":
            return queryset.filter(etat=Etat.ACTIVE)
        return queryset.exclude(etat=Etat.ACTIVE)
