"""``/ressources``: the catalogue's list and CRUD of the original API.

``reservations.views_ressources`` serves this viewset with what the reservations say about
a ressource: its detail with statistics, the free search and the planning.
"""

import json
import logging
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, router
from django.db.models import Count
from django_filters.utils import translate_validation
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Autorisation
from accounts.permissions import IsAdmin, manager_admin_ou
from resa_project.pagination import ItemsMetaPagination
from resa_project.parametres import FiltresBackend, tri_applique
from resa_project.rendu import LignesBrutes, ListeRapideMixin
from sites.permissions import exiger_site, sur_ses_sites

from . import openapi, services
from .filters import RessourceFilterSet
from .models import Ressource
from .serializers import RessourceSerializer

GereSesRessources = sur_ses_sites(
    lambda ressource: ressource.site_id, autorisation=Autorisation.GERER_RESSOURCES
)

journal = logging.getLogger(__name__)


# --- The list's SQL, compiled once per shape ---------------------------------------------
#
# Building the list's queryset (the favourite annotation, the filters, the sort) and
# compiling it costs several times what the database takes to answer it. Its SQL depends
# only on the query's *shape* (which filters are given, how many characteristics, the sort,
# the page's slice: ``RessourceFilterSet.forme_sql``): each shape is built and compiled once
# per process by the ORM itself, with sentinel values where the caller's user and filter
# values go, and the positions of those values among its parameters are recorded. The
# request's values are then put in their place, each encoded as the ORM encoded its sentinel
# (as is, as a ``LIKE`` pattern, as a JSON list). A shape whose sentinels cannot all be
# found, exactly, is never compiled: it takes the ORM's path.

_MARQUE = "zqxsentinelle"
_BASE_ENTIERE = 2_071_000_417


def _sentinelle(type_, rang):
    if type_ is str:
        # Characters that LIKE patterns and JSON escape: each encoding gives another text.
        return f'{_MARQUE}{rang}%_\\"é'
    # Inside every integer column's range (an ORM refuses an out-of-range value itself).
    return _BASE_ENTIERE + 1_009 * rang


def _encodages(connexion, valeur):
    """The ways a lookup may pass the string ``valeur`` as a parameter."""
    return (
        lambda v: v,
        lambda v: f"%{connexion.ops.prep_for_like_query(v)}%",
        lambda v: json.dumps([v]),
    )


def _encodage(connexion, parametre, sentinelle):
    """How ``parametre`` encodes ``sentinelle`` (a function of the value), or None."""
    if isinstance(sentinelle, str):
        if type(parametre) is str:
            for encoder in _encodages(connexion, sentinelle):
                if parametre == encoder(sentinelle):
                    return encoder
        return None
    if isinstance(parametre, int) and not isinstance(parametre, bool) and parametre == sentinelle:
        # As is, or in the driver's wrapper of the column's type (psycopg's ``Int4``).
        return (lambda v: v) if type(parametre) is int else type(parametre)
    return None


def _places(connexion, sentinelles, sql, parametres):
    """``[(position, rank of the value, encoder)]``: where each sentinel went. A sentinel
    may be absent (a count does not read the annotation using the user), never written in
    the SQL itself nor in a parameter in another form."""
    places = []
    for position, parametre in enumerate(parametres):
        trouvee = False
        for rang, sentinelle in enumerate(sentinelles):
            encoder = _encodage(connexion, parametre, sentinelle)
            if encoder is not None:
                places.append((position, rang, encoder))
                trouvee = True
        if not trouvee and _derivee(parametre):
            raise ValueError(f"parameter {position} holds a sentinel in an unknown form")
    if _MARQUE in sql or any(str(s) in sql for s in sentinelles if isinstance(s, int)):
        raise ValueError("a sentinel is written in the SQL")
    return places


def _derivee(parametre) -> bool:
    """``parametre`` looks made from a sentinel (a text with the mark, a nearby integer)."""
    if isinstance(parametre, int) and not isinstance(parametre, bool):
        return _BASE_ENTIERE - 100 <= parametre <= _BASE_ENTIERE + 1_009 * 1_000
    return _MARQUE in str(parametre)


def _requete_du_total(queryset):
    """What ``queryset.count()`` runs: its rows counted, no order, no annotation selected."""
    requete = queryset.query.chain()
    requete.clear_ordering(force=True)
    requete.clear_limits()
    requete.clear_select_clause()
    requete.add_annotation(Count("*"), "__count", select=True)
    return requete


_COMPILEES: dict[tuple, tuple | None] = {}


class _PageCompilee:
    """The list's filtered rows as the paginator reads them (``count()``, then one slice),
    run from SQL compiled once per shape; the slice is the page's JSON objects.

    ``count()`` reads the page first (the paginator's ``offset`` and ``limit``): a page
    that ends before its limit gives the total (``offset`` + its rows) without counting."""

    def __init__(self, vue, forme, valeurs, alias):
        self.vue, self.forme, self.valeurs, self.alias = vue, forme, valeurs, alias
        self._lue = None

    def _executer(self, tranche):
        cle = (type(self.vue), self.alias, self.forme, tranche)
        compilee = _COMPILEES.get(cle, False)
        if compilee is False:
            compilee = self._compiler(tranche)
            if len(_COMPILEES) > 2000:  # the slice is part of the key: keep it bounded
                _COMPILEES.clear()
            _COMPILEES[cle] = compilee
        if compilee is None:
            return None
        sql, gabarit, places, rendre = compilee
        parametres = list(gabarit)
        for position, rang, encoder in places:
            parametres[position] = encoder(self.valeurs[rang])
        with connections[self.alias].cursor() as curseur:
            curseur.execute(sql, parametres)
            lignes = curseur.fetchall()
        return rendre(lignes)

    def _compiler(self, tranche):
        connexion = connections[self.alias]
        sentinelles = [_sentinelle(type(v), rang) for rang, v in enumerate(self.valeurs)]
        queryset = self.vue.queryset_de_forme(self.forme, sentinelles)
        classe = self.vue.get_serializer_class()
        if tranche is None:
            requete = _requete_du_total(queryset)
        else:
            requete = classe.en_valeurs(queryset)[tranche[0] : tranche[1]].query
        compiler = requete.get_compiler(self.alias)
        try:
            sql, parametres = compiler.as_sql()
            places = _places(connexion, sentinelles, sql, list(parametres))
        except (EmptyResultSet, FullResultSet, ValueError) as exc:
            journal.warning("Liste des ressources : forme %r non compilée (%s)", self.forme, exc)
            return None
        rendre = _premiere_valeur if tranche is None else LignesBrutes(classe, compiler)
        return sql, list(parametres), places, rendre

    def count(self) -> int:
        pagination = self.vue.paginator
        offset, limit = getattr(pagination, "offset", None), getattr(pagination, "limit", None)
        if type(offset) is int and type(limit) is int and limit > 0:
            nombre = len(self[offset : offset + limit])
            if nombre < limit and (nombre or not offset):
                return offset + nombre
        total = self._executer(None)
        return self.vue._queryset_filtre().count() if total is None else total

    def __getitem__(self, tranche: slice) -> list[dict]:
        if self._lue is not None and self._lue[0] == (tranche.start, tranche.stop):
            return self._lue[1]
        objets = self._lire(tranche)
        self._lue = ((tranche.start, tranche.stop), objets)
        return objets

    def _lire(self, tranche: slice) -> list[dict]:
        objets = self._executer((tranche.start, tranche.stop))
        if objets is None:
            classe = self.vue.get_serializer_class()
            page = classe.en_valeurs(self.vue._queryset_filtre())[tranche]
            objets = classe.depuis_valeurs(page)
        return objets


def _premiere_valeur(lignes):
    return lignes[0][0]


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
