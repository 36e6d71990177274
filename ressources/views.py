"""``/ressources``: the catalogue's list and CRUD of the original API.

``reservations.views_ressources`` serves this viewset with what the reservations say about
a ressource: its detail with statistics, the free search and the planning.
"""

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import router
from django_filters.utils import translate_validation
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Autorisation
from accounts.permissions import IsAdmin, manager_admin_ou
from resa_project.marques import Memo
from resa_project.pagination import ItemsMetaPagination
from resa_project.parametres import FiltresBackend, tri_applique
from resa_project.rendu import LignesBrutes, ListeRapideMixin
from resa_project.requetes import RequeteParForme, premiere_valeur, requete_du_total
from sites.permissions import exiger_site, sur_ses_sites

from . import openapi, services
from .filters import RessourceFilterSet
from .models import MARQUE_CATALOGUE, Favori, Ressource
from .serializers import RessourceSerializer

GereSesRessources = sur_ses_sites(
    lambda ressource: ressource.site_id, autorisation=Autorisation.GERER_RESSOURCES
)


# --- The list's SQL, compiled once per shape ---------------------------------------------
#
# Building the list's queryset (the favourite annotation, the filters, the sort) and
# compiling it costs several times what the database takes to answer it. Its SQL depends
# only on the query's *shape* (which filters are given, how many characteristics, the sort,
# the page's slice: ``RessourceFilterSet.forme_sql``): each shape is compiled once per
# process by ``resa_project.requetes``, the caller's user and filter values then put in
# their place as the ORM encoded them. A shape whose values cannot all be placed is never
# compiled: it takes the ORM's path.


def _page_de_forme(forme, *valeurs):
    """The page's ``en_valeurs`` queryset; ``forme``: (viewset class, filters' shape, slice)."""
    vue, filtres, (debut, fin) = forme[0](), forme[1], forme[2]
    classe = vue.get_serializer_class()
    return classe.en_valeurs(vue.queryset_de_forme(filtres, valeurs))[debut:fin]


def _rendu_de_page(forme, compiler):
    return LignesBrutes(forme[0]().get_serializer_class(), compiler)


def _total_de_forme(forme, *valeurs):
    """What the count runs; ``forme``: (viewset class, filters' shape)."""
    return requete_du_total(forme[0]().queryset_de_forme(forme[1], valeurs))


# A page or a total read again is kept in the process while no ressource, favourite or site
# changed on the host (resa_project.marques): the list reads only those tables.
_TABLES_DE_LA_LISTE = {Ressource._meta.db_table, Favori._meta.db_table}
_PAGES = RequeteParForme(
    _page_de_forme,
    rendu=_rendu_de_page,
    maximum=2000,
    repli="Liste des ressources",
    memo=Memo(MARQUE_CATALOGUE, maximum=256),
    tables=_TABLES_DE_LA_LISTE,
)
_TOTAUX = RequeteParForme(
    _total_de_forme,
    rendu=premiere_valeur,
    repli="Liste des ressources",
    memo=Memo(MARQUE_CATALOGUE, maximum=4096),
    tables=_TABLES_DE_LA_LISTE,
)


class _PageCompilee:
    """The list's filtered rows as the paginator reads them (``count()``, then one slice),
    run from SQL compiled once per shape; the slice is the page's JSON objects.

    ``count()`` reads the page first (the paginator's ``offset`` and ``limit``): a page
    that ends before its limit gives the total (``offset`` + its rows) without counting."""

    def __init__(self, vue, forme, valeurs, alias):
        self.vue, self.forme, self.valeurs, self.alias = vue, forme, valeurs, alias
        self._lue = None

    def count(self) -> int:
        pagination = self.vue.paginator
        offset, limit = getattr(pagination, "offset", None), getattr(pagination, "limit", None)
        if type(offset) is int and type(limit) is int and limit > 0:
            nombre = len(self[offset : offset + limit])
            if nombre < limit and (nombre or not offset):
                return offset + nombre
        forme = (type(self.vue), self.forme)
        total = _TOTAUX.lignes(forme, *self.valeurs, using=self.alias)
        return self.vue._queryset_filtre().count() if total is None else total

    def __getitem__(self, tranche: slice) -> list[dict]:
        if self._lue is not None and self._lue[0] == (tranche.start, tranche.stop):
            return self._lue[1]
        objets = self._lire(tranche)
        self._lue = ((tranche.start, tranche.stop), objets)
        return objets

    def _lire(self, tranche: slice) -> list[dict]:
        forme = (type(self.vue), self.forme, (tranche.start, tranche.stop))
        objets = _PAGES.lignes(forme, *self.valeurs, using=self.alias)
        if objets is None:
            classe = self.vue.get_serializer_class()
            page = classe.en_valeurs(self.vue._queryset_filtre())[tranche]
            objets = classe.depuis_valeurs(page)
        return objets


@openapi.ressources
class RessourceViewSet(ListeRapideMixin, viewsets.ModelViewSet):
    serializer_class = RessourceSerializer
    filterset_class = RessourceFilterSet
    pagination_class = ItemsMetaPagination
    lookup_value_regex = r"\d+"
    queryset = Ressource.objects.all()
    # The list parameters apply to these actions only, never to get_object().
    actions_filtrees = ("list",)

    def get_permissions(self):
        if self.action in ("create", "destroy"):
            return [IsAuthenticated(), IsAdmin()]
        if self.action in ("update", "partial_update"):
            return [
                IsAuthenticated(),
                manager_admin_ou(Autorisation.GERER_RESSOURCES)(),
                GereSesRessources(),
            ]
        return [IsAuthenticated()]

    def get_queryset(self):
        return self.queryset_pour(self.request.user)

    def queryset_pour(self, user):
        # ``est_favori`` for the caller, in the same query as the rows.
        return super().get_queryset().avec_est_favori(user)

    def list(self, request, *args, **kwargs):
        # The FilterSet validates (a 400 as DjangoFilterBackend gives it); the rows come
        # from SQL compiled once per shape, straight from the cursor (``_PageCompilee``).
        filtres = FiltresBackend().get_filterset(request, Ressource.objects.all(), self)
        if not filtres.is_valid():
            raise translate_validation(filtres.errors)
        forme = filtres.forme_sql() if self._liste_compilable(request.user) else None
        if forme is None:
            classe = self.get_serializer_class()
            lignes = classe.en_valeurs(self._queryset_filtre())
            page = self.paginate_queryset(lignes)
            if page is None:
                return Response(classe.depuis_valeurs(lignes))
            return self.get_paginated_response(classe.depuis_valeurs(page))
        forme, valeurs = forme
        alias = router.db_for_read(Ressource)
        page = self.paginate_queryset(
            _PageCompilee(self, forme, [request.user.pk, *valeurs], alias)
        )
        return self.get_paginated_response(page)

    def _liste_compilable(self, user) -> bool:
        return (
            user.is_authenticated
            and type(user.pk) is int
            and list(self.filter_backends) == [FiltresBackend]
            and self.filterset_class is RessourceFilterSet
            and self.paginator is not None
        )

    def _queryset_filtre(self):
        """The ORM's own queryset of the list (what ``_PageCompilee`` compiles)."""
        return self.filterset_applique.filter_queryset(self.get_queryset())

    def queryset_de_forme(self, forme, valeurs):
        """The list's queryset for a ``forme_sql`` shape: the user's pk, then the filters'
        values, in ``valeurs``."""
        user = get_user_model()(pk=valeurs[0])
        filtres = self.filterset_class(
            queryset=self.queryset_pour(user), request=SimpleNamespace(user=user)
        )
        filtres.form.cleaned_data = self.filterset_class.donnees_de_forme(forme, valeurs[1:])
        return filtres.filter_queryset(filtres.queryset)

    def filter_queryset(self, queryset):
        if self.action in self.actions_filtrees:
            return super().filter_queryset(queryset)
        return queryset

    def get_meta_extra(self):
        return tri_applique(self)

    def perform_create(self, serializer):
        with serializer.erreurs_du_modele():
            serializer.instance = services.creer_ressource(
                par=self.request.user, **serializer.validated_data
            )

    def update(self, request, *args, **kwargs):
        # The original API's PUT is a partial update.
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        if "site" in serializer.validated_data:
            exiger_site(
                self.request.user,
                serializer.validated_data["site"].pk,
                autorisation=Autorisation.GERER_RESSOURCES,
            )
        with serializer.erreurs_du_modele():
            serializer.instance = services.modifier_ressource(
                serializer.instance, par=self.request.user, **serializer.validated_data
            )

    def destroy(self, request, *args, **kwargs):
        services.supprimer_ressource(self.get_object(), par=request.user)
        return Response({"ok": True})
