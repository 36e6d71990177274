"""``/sites`` and ``/departments``: read by every authenticated user, written by managers and
admins, deleted by admins (409 while something still refers to the object)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import IsAdmin, IsManagerOrAdmin
from resa_project.pagination import PlainListPagination
from resa_project.schema import OK, erreurs

from .models import Department, Site
from .permissions import MSG_MANAGER_PAR_ADMIN, GereLeDepartement, GereLeSite, exiger_site
from .serializers import DepartmentSerializer, SiteSerializer


class _ReferentielViewSet(viewsets.ModelViewSet):
    """PUT is partial, like PATCH; DELETE answers ``{"ok": true}``."""

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

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        self.get_object().delete()
        return Response({"ok": True})


def _schema(objet, serializer, *, creer, references):
    return extend_schema_view(
        list=extend_schema(
            summary=f"Lister les {objet}s",
            description="Un tableau JSON simple, trié par id.",
            responses={200: serializer(many=True), **erreurs(400, 401)},
        ),
        retrieve=extend_schema(
            summary=f"Lire un {objet}", responses={200: serializer, **erreurs(401, 404)}
        ),
        create=extend_schema(
            summary=f"Créer un {objet} ({creer})",
            responses={201: serializer, **erreurs(400, 401, 403)},
        ),
        update=extend_schema(
            summary=f"Modifier un {objet} (partiel, comme PATCH)",
            responses={200: serializer, **erreurs(400, 401, 403, 404)},
        ),
        partial_update=extend_schema(
            summary=f"Modifier un {objet} (partiel)",
            responses={200: serializer, **erreurs(400, 401, 403, 404)},
        ),
        destroy=extend_schema(
            summary=f"Supprimer un {objet} (admin)",
            description=f"409 tant que {references} y font référence.",
            responses={200: OK, **erreurs(401, 403, 404, 409)},
        ),
    )


@_schema(
    "site",
    SiteSerializer,
    creer="admin",
    references="des ressources, des départements ou des utilisateurs",
)
@extend_schema(tags=["sites"])
class SiteViewSet(_ReferentielViewSet):
    """Managers update their own sites only."""

    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    permissions_par_action = {
        **_ReferentielViewSet.permissions_par_action,
        "update": [IsManagerOrAdmin, GereLeSite],
        "partial_update": [IsManagerOrAdmin, GereLeSite],
    }


@_schema("département", DepartmentSerializer, creer="manager, admin", references="des utilisateurs")
@extend_schema(tags=["departments"])
class DepartmentViewSet(_ReferentielViewSet):
    """Managers create departments on their sites (which they then manage) and update the
    departments they manage; choosing a department's manager is for admins."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
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
        serializer.save()

    def perform_update(self, serializer):
        if not self.request.user.est_admin:
            self._verifier_portee(
                serializer.validated_data, managers_permis=(serializer.instance.manager,)
            )
        serializer.save()

    def _verifier_portee(self, donnees, *, managers_permis):
        if "manager" in donnees and donnees["manager"] not in managers_permis:
            raise PermissionDenied(MSG_MANAGER_PAR_ADMIN)
        if "site" in donnees:
            exiger_site(self.request.user, donnees["site"].pk)
