"""Query parameters of the ressource lists (``/ressources`` and ``/ressources/disponibles``),
read by the shared parsers of ``resa_project.parametres``: a bad value is a 400 naming the
parameter, never a silently ignored filter."""

import django_filters
from django.db import connections
from django_filters.constants import EMPTY_VALUES

from resa_project.parametres import (
    BooleenFilter,
    EntierFilter,
    FiltresLegers,
    IdFilter,
    TriMixin,
    filtre_choix,
    filtres_tri,
)

from . import recherche_texte
from .models import Etat, Ressource, TypeRessource

TRIS = {
    "nom": "nom",
    "capacite": "capacite_maximum",
    "type": "type_ressource",
    "pertinence": "pertinence",
}
TRI_DEFAUT = "nom"
TRI_PERTINENCE = "pertinence"

# What the list's SQL takes as parameters (``forme_sql``): filters whose value is one
# parameter (its type), and ``caracteristiques``, one parameter per characteristic. The
# others' values shape the SQL itself.
PARAMETRES_SQL = {
    "type_of_ressource": str,
    "site_id": int,
    "batiment": str,
    "minimum_capacity": int,
}
LITTERAUX_SQL = frozenset({"disponible", "favoris", "sort_by", "sort_order"})
PARAMETRE = "?"


class RechercheFilterSet(FiltresLegers, TriMixin, django_filters.FilterSet):
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
    q = django_filters.CharFilter(
        method="filtrer_texte",
        max_length=recherche_texte.LONGUEUR_MAX_Q,
        help_text="Recherche plein texte : chaque mot doit commencer un mot du nom, de la "
        "description, des caractéristiques, du bâtiment ou du nom du site (sans tenir compte "
        "de la casse ni des accents). Avec q et sans sort_by, tri par pertinence. "
        f"Au plus {recherche_texte.LONGUEUR_MAX_Q} caractères.",
    )
    favoris = BooleenFilter(
        method="filtrer_favoris",
        help_text="true : seulement les favoris de l'appelant ; false : seulement les autres.",
    )
    sort_by, sort_order = filtres_tri(TRIS, TRI_DEFAUT)

    class Meta:
        model = Ressource
        fields = []

    def tri(self):
        """With ``q`` and no ``sort_by``: by relevance; relevance reads most relevant first
        unless ``sort_order=asc`` is given."""
        donnees = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        sort_by = donnees.get("sort_by") or (TRI_PERTINENCE if donnees.get("q") else TRI_DEFAUT)
        defaut_ordre = "desc" if sort_by == TRI_PERTINENCE else "asc"
        return sort_by, donnees.get("sort_order") or defaut_ordre

    def filter_queryset(self, queryset):
        sort_by, sort_order = self.tri()
        if sort_by != TRI_PERTINENCE:
            return super().filter_queryset(queryset)
        # TriMixin's order is replaced; ties break on the nom, then the id.
        queryset = django_filters.FilterSet.filter_queryset(self, queryset)
        if not self.form.cleaned_data.get("q"):
            queryset = recherche_texte.avec_pertinence_nulle(queryset)
        signe = "-" if sort_order == "desc" else ""
        return queryset.order_by(f"{signe}pertinence", "nom", "id")

    def filtrer_texte(self, queryset, name, value):
        return recherche_texte.filtrer(queryset, value)

    def filtrer_favoris(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return queryset.none() if value else queryset
        siens = queryset.favoris_de(user)
        return queryset.filter(siens) if value else queryset.exclude(siens)

    def filtrer_caracteristiques(self, queryset, name, value):
        return queryset.avec_caracteristiques(caracteristiques_voulues(value))

    def forme_sql(self):
        """``(forme, valeurs)`` of a valid FilterSet: ``forme`` (hashable) is what the SQL
        of its queryset depends on, ``valeurs`` the parameters it takes, in order, so that
        ``donnees_de_forme(forme, valeurs)`` gives back cleaned data filtering the same way.
        None when the SQL depends on more than a shape (``q``) or a value could make the ORM
        answer without SQL (an integer out of its column's range)."""
        forme, valeurs = [], []
        for nom, valeur in self.form.cleaned_data.items():
            if valeur in EMPTY_VALUES or nom in LITTERAUX_SQL:
                forme.append((nom, valeur))
            elif nom == "caracteristiques":
                voulues = caracteristiques_voulues(valeur)
                forme.append((nom, (PARAMETRE, len(voulues))))
                valeurs.extend(voulues)
            elif type(valeur) is PARAMETRES_SQL.get(nom):
                if type(valeur) is int and not self._dans_la_colonne(nom, valeur):
                    return None
                forme.append((nom, (PARAMETRE, 1)))
                valeurs.append(valeur)
            else:
                return None
        return tuple(forme), valeurs

    @classmethod
    def donnees_de_forme(cls, forme, valeurs) -> dict:
        """The cleaned data of a ``forme_sql`` shape with other parameter values."""
        donnees, reste = {}, iter(valeurs)
        for nom, valeur in forme:
            if type(valeur) is tuple and valeur[0] == PARAMETRE:
                lues = [next(reste) for _ in range(valeur[1])]
                donnees[nom] = ",".join(lues) if nom == "caracteristiques" else lues[0]
            else:
                donnees[nom] = valeur
        return donnees

    def _dans_la_colonne(self, nom, valeur) -> bool:
        champ = self._meta.model._meta.get_field(self.base_filters[nom].field_name)
        champ = getattr(champ, "target_field", champ)
        bas, haut = connections[self.queryset.db].ops.integer_field_range(champ.get_internal_type())
        return (bas is None or valeur >= bas) and (haut is None or valeur <= haut)


def caracteristiques_voulues(valeur: str) -> list[str]:
    """``caracteristiques=wifi, projecteur`` as the list of characteristics required."""
    return [c.strip() for c in valeur.split(",") if c.strip()]


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
