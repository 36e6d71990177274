"""``/ressources``: the catalogue's list and CRUD of the original API.

``reservations.views_ressources`` serves this viewset with what the reservations say about
a ressource: its detail with statistics, the free search and the planning.
"""

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Autorisation
from accounts.permissions import IsAdmin, manager_admin_ou
from resa_project.pagination import ItemsMetaPagination
from resa_project.parametres import tri_applique
from resa_project.rendu import ListeRapideMixin
from sites.permissions import exiger_site, sur_ses_sites

from . import openapi, services
from .filters import RessourceFilterSet
from .models import Ressource
from .serializers import RessourceSerializer

GereSesRessources = sur_ses_sites(
    lambda ressource: ressource.site_id, autorisation=Autorisation.GERER_RESSOURCES
)


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
        # ``est_favori`` for the caller, in the same query as the rows.
        return super().get_queryset().avec_est_favori(self.request.user)

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
