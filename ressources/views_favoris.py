"""``/auth/me/favoris``: the caller's favourite ressources (API.md C9)."""

from django.shortcuts import get_object_or_404
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from resa_project.parametres import ID_MAX, ID_MIN

from . import openapi, services
from .models import Ressource
from .serializers import RessourceSerializer


class FavorisView(generics.GenericAPIView):
    """The caller's favourites, as a plain array of Ressource (by nom)."""

    serializer_class = RessourceSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    queryset = Ressource.objects.none()  # for the schema; get() reads the caller's own

    @openapi.FAVORIS_LISTE
    def get(self, request):
        ressources = (
            Ressource.objects.filter(Ressource.objects.favoris_de(request.user))
            .avec_est_favori(request.user)
            .order_by("nom", "id")
        )
        return Response(RessourceSerializer(ressources, many=True).data)


class FavoriView(generics.GenericAPIView):
    """One ressource in or out of the caller's favourites; both calls are idempotent."""

    serializer_class = RessourceSerializer
    permission_classes = [IsAuthenticated]

    def ressource(self, ressource_id) -> Ressource:
        if not ID_MIN <= int(ressource_id) <= ID_MAX:
            raise NotFound()
        return get_object_or_404(Ressource, pk=int(ressource_id))

    @openapi.FAVORI_AJOUTER
    def put(self, request, ressource_id):
        ressource = self.ressource(ressource_id)
        services.ajouter_favori(ressource, par=request.user)
        ressource.est_favori = True
        return Response(RessourceSerializer(ressource).data)

    @openapi.FAVORI_RETIRER
    def delete(self, request, ressource_id):
        services.retirer_favori(self.ressource(ressource_id), par=request.user)
        return Response({"ok": True})
