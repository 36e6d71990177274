"""``/ressources`` as served: the catalogue's viewset (``ressources.views``) with what the
reservations say about a ressource: its detail with statistics and the week ahead, the free
search and the planning; its deletion takes the unavailability periods along, journaled."""

from django.db import router
from django.http import Http404
from django_filters.utils import translate_validation
from rest_framework.decorators import action
from rest_framework.response import Response

from resa_project.parametres import ID_MAX, FiltresBackend
from ressources.filters import RechercheFilterSet
from ressources.models import Ressource
from ressources.openapi import SUPPRIMER_RESSOURCE
from ressources.views import RessourceViewSet

from . import occupation, openapi, recherche, services
from .serializers_ressources import (
    FenetrePlanningSerializer,
    FenetreSerializer,
    IntervallePlanningSerializer,
    ParametresSuggestionsSerializer,
    SuggestionSerializer,
    representation_detail,
)


class RessourceAvecOccupationViewSet(RessourceViewSet):
    actions_filtrees = (*RessourceViewSet.actions_filtrees, "disponibles")

    @openapi.DETAIL_RESSOURCE
    def retrieve(self, request, *args, **kwargs):
        # What get_object() would find in get_queryset(), in one compiled query.
        pk = int(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        ressource = occupation.ressource_du_detail(pk, request.user) if pk <= ID_MAX else None
        if ressource is None:
            raise Http404
        self.check_object_permissions(request, ressource)
        return Response(representation_detail(occupation.detail_ressource(ressource)))

    @SUPPRIMER_RESSOURCE
    def destroy(self, request, *args, **kwargs):
        services.supprimer_ressource_et_periodes(self.get_object(), par=request.user)
        return Response({"ok": True})

    @openapi.RESSOURCES_DISPONIBLES
    @action(detail=False, methods=["get"], filterset_class=RechercheFilterSet)
    def disponibles(self, request):
        fenetre = FenetreSerializer(data=request.query_params)
        fenetre.is_valid(raise_exception=True)
        # The FilterSet validates (a 400 as DjangoFilterBackend gives it); the count, then
        # the page's rows only, from SQL compiled once per shape (``PageDisponibles``).
        filtres = FiltresBackend().get_filterset(request, Ressource.objects.all(), self)
        if not filtres.is_valid():
            raise translate_validation(filtres.errors)
        libre = recherche.recherche_libre(
            fenetre.validated_data["debut"],
            fenetre.validated_data["fin"],
            admin=request.user.est_admin,
        )
        alias = router.db_for_read(Ressource)
        page = self.paginate_queryset(recherche.PageDisponibles(self, filtres, libre, alias=alias))
        return self.get_paginated_response(page)

    @openapi.SUGGESTIONS_RESSOURCES
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request):
        parametres = ParametresSuggestionsSerializer(data=request.query_params)
        parametres.is_valid(raise_exception=True)
        donnees = parametres.validated_data
        base = self.get_queryset()
        if "type_of_ressource" in donnees:
            base = base.filter(type_ressource=donnees["type_of_ressource"])
        ressources = recherche.suggestions(
            request.user,
            donnees["debut"],
            donnees["fin"],
            nbr_participants=donnees.get("nbr_participants"),
            base=base,
        )
        return Response(SuggestionSerializer(ressources, many=True).data)

    @openapi.PLANNING_RESSOURCE
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def planning(self, request, pk=None):
        ressource = self.get_object()
        parametres = FenetrePlanningSerializer(data=request.query_params)
        parametres.is_valid(raise_exception=True)
        du, au = occupation.fenetre_planning(
            parametres.validated_data.get("du"), parametres.validated_data.get("au")
        )
        intervalles = occupation.planning(ressource, du, au)
        return Response(IntervallePlanningSerializer(intervalles, many=True).data)
