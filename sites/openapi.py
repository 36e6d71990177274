"""OpenAPI decoration of ``sites.views``."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from resa_project.schema import OK, erreurs

from .serializers import DepartmentSerializer, SiteSerializer


def _referentiel(objet, serializer, *, creer, references):
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


def sites(viewset):
    viewset = extend_schema(tags=["sites"])(viewset)
    return _referentiel(
        "site",
        SiteSerializer,
        creer="admin",
        references="des ressources, des départements ou des utilisateurs",
    )(viewset)


def departments(viewset):
    viewset = extend_schema(tags=["departments"])(viewset)
    return _referentiel(
        "département", DepartmentSerializer, creer="manager, admin", references="des utilisateurs"
    )(viewset)
