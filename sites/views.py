"""``/sites`` and ``/departments``: read by every authenticated user, written by managers and
admins, deleted by admins (409 while something still refers to the object)."""

from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import IsAdmin, IsManagerOrAdmin
from resa_project.conditionnel import RevalidationMixin
from resa_project.marques import Memo
from resa_project.pagination import PlainListPagination
from resa_project.rendu import ListeRapideMixin

from . import openapi, services
from .models import MARQUE_REFERENTIEL, Department, Site
from .permissions import MSG_MANAGER_PAR_ADMIN, GereLeDepartement, GereLeSite, exiger_site
from .serializers import DepartmentSerializer, SiteSerializer


class _ReferentielViewSet(RevalidationMixin, ListeRapideMixin, viewsets.ModelViewSet):
    """PUT is partial, like PATCH; DELETE answers ``{"ok": true}``. Reads carry an ``ETag``
    (``If-None-Match``: 304 while nothing changed)."""

    pagination_class = PlainListPagination
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    permissions_par_action = {
        "create": [IsAdmin],
        "update": [IsManagerOrAdmin],
        "partial_update": [IsManagerOrAdmin],
        "destroy": [IsAdmin],
    }

    def get_permissions(self):
        classes = self.permissions_par_action.get(self.action, [IsAuthenticated])
        return [classe() for classe in classes]

    # Every authenticated user reads the same lists, which change rarely: the process keeps
    # each one (per view and query string) while no site or department changed on the host
    # (resa_project.marques; sites/signaux.py changes the stamp).
    _memo_des_listes = Memo(MARQUE_REFERENTIEL, maximum=256)

    def list(self, request, *args, **kwargs):
        cle = (type(self), request.query_params.urlencode())
        donnees = self._memo_des_listes.lire(cle)
        if donnees is not None:
            return Response(donnees)
        marque = self._memo_des_listes.avant_lecture()
        reponse = super().list(request, *args, **kwargs)
        self._memo_des_listes.garder(cle, reponse.data, marque)
        return reponse

    # The app's services, as ``staticmethod``s: creer(*, par, **champs),
    # modifier(objet, *, par, **champs), supprimer(objet, *, par).
    creer = modifier = supprimer = None

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer):
        with serializer.erreurs_du_modele():
            serializer.instance = self.creer(par=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        with serializer.erreurs_du_modele():
            serializer.instance = self.modifier(
                serializer.instance, par=self.request.user, **serializer.validated_data
            )

    def destroy(self, request, *args, **kwargs):
        self.supprimer(self.get_object(), par=request.user)
        return Response({"ok": True})


@openapi.sites
class SiteViewSet(_ReferentielViewSet):
    """Managers update their own sites only."""

    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    creer = staticmethod(services.creer_site)
    modifier = staticmethod(services.modifier_site)
    supprimer = staticmethod(services.supprimer_site)
    permissions_par_action = {
        **_ReferentielViewSet.permissions_par_action,
        "update": [IsManagerOrAdmin, GereLeSite],
        "partial_update": [IsManagerOrAdmin, GereLeSite],
    }


@openapi.departments
class DepartmentViewSet(_ReferentielViewSet):
    """Managers create departments on their sites (which they then manage) and update the
    departments they manage; choosing a department's manager is for admins."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    creer = staticmethod(services.creer_departement)
    modifier = staticmethod(services.modifier_departement)
    supprimer = staticmethod(services.supprimer_departement)
    permissions_par_action = {
        **_ReferentielViewSet.permissions_par_action,
        "create": [IsManagerOrAdmin],
        "update": [IsManagerOrAdmin, GereLeDepartement],
        "partial_update": [IsManagerOrAdmin, GereLeDepartement],
    }

    def perform_create(self, serializer):
        user = self.request.user
        if not user.est_admin:
            self._verifier_portee(serializer.validated_data, managers_permis=(None, user))
            serializer.validated_data["manager"] = user
        super().perform_create(serializer)

    def perform_update(self, serializer):
        if not self.request.user.est_admin:
            self._verifier_portee(
                serializer.validated_data, managers_permis=(serializer.instance.manager,)
            )
        super().perform_update(serializer)

    def _verifier_portee(self, donnees, *, managers_permis):
        if "manager" in donnees and donnees["manager"] not in managers_permis:
            raise PermissionDenied(MSG_MANAGER_PAR_ADMIN)
        if "site" in donnees:
            exiger_site(self.request.user, donnees["site"].pk)
