"""``/webhooks``: admins only (others 403, anonymous 401). Thin viewset over ``services``."""

from django.shortcuts import get_object_or_404
from django_filters.utils import translate_validation
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import IsAdmin
from resa_project.pagination import ItemsMetaPagination

from . import openapi, selectors, services
from .filters import AbonnementFilter, LivraisonFilter
from .serializers import AbonnementAvecSecretSerializer, AbonnementSerializer, LivraisonSerializer


@openapi.abonnements
class AbonnementViewSet(viewsets.ModelViewSet):
    queryset = selectors.abonnements()
    serializer_class = AbonnementSerializer
    permission_classes = [IsAdmin]
    pagination_class = ItemsMetaPagination
    filterset_class = AbonnementFilter
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def filter_queryset(self, queryset):
        # The list's parameters never apply to get_object().
        if self.action == "list":
            return super().filter_queryset(queryset)
        return queryset

    def create(self, request):
        entree = AbonnementSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        with entree.erreurs_du_modele():
            abonnement = services.creer_abonnement(par=request.user, **entree.validated_data)
        return Response(
            AbonnementAvecSecretSerializer(abonnement).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, pk=None, **kwargs):
        """PUT and PATCH are both partial."""
        abonnement = self.get_object()
        entree = AbonnementSerializer(abonnement, data=request.data, partial=True)
        entree.is_valid(raise_exception=True)
        with entree.erreurs_du_modele():
            abonnement = services.modifier_abonnement(
                abonnement, par=request.user, **entree.validated_data
            )
        return Response(AbonnementSerializer(abonnement).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)

    def destroy(self, request, pk=None):
        services.supprimer_abonnement(self.get_object(), par=request.user)
        return Response({"ok": True})

    @openapi.SECRET
    @action(detail=True, methods=["post"])
    def secret(self, request, pk=None):
        abonnement = services.renouveler_secret(self.get_object(), par=request.user)
        return Response(AbonnementAvecSecretSerializer(abonnement).data)

    @openapi.PING
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        livraison = services.envoyer_ping(self.get_object(), par=request.user)
        return Response(LivraisonSerializer(livraison).data, status=status.HTTP_202_ACCEPTED)

    @openapi.LIVRAISONS
    @action(detail=True, methods=["get"], filterset_class=None)
    def livraisons(self, request, pk=None):
        filtre = LivraisonFilter(
            request.query_params, queryset=selectors.journal_des_livraisons(self.get_object())
        )
        if not filtre.is_valid():
            raise translate_validation(filtre.errors)
        page = self.paginate_queryset(filtre.qs)
        return self.get_paginated_response(LivraisonSerializer(page, many=True).data)

    @openapi.REJOUER
    @action(detail=True, methods=["post"], url_path=r"livraisons/(?P<lid>[0-9]+)/rejouer")
    def rejouer(self, request, pk=None, lid=None):
        livraison = get_object_or_404(selectors.livraisons(self.get_object()), pk=lid)
        livraison = services.rejouer(livraison, par=request.user)
        return Response(LivraisonSerializer(livraison).data, status=status.HTTP_202_ACCEPTED)
