"""OpenAPI description of ``statistiques.views``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from resa_project.parametres import ID_MAX, ID_MIN
from resa_project.schema import erreurs
from ressources.models import TypeRessource

from .parametres import JOURS_MAX
from .selectors import GROUPEMENTS

_ID = {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX}


def _id(nom, aide):
    return OpenApiParameter(nom, _ID, OpenApiParameter.QUERY, description=aide)


PERIODE = [
    OpenApiParameter(
        "du",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        description="Premier jour (inclus, fuseau de l'organisation) ; par défaut 29 jours "
        "avant au.",
    ),
    OpenApiParameter(
        "au",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        description=f"Dernier jour (inclus) ; par défaut aujourd'hui. Au plus {JOURS_MAX} "
        "jours en tout.",
    ),
    _id("site_id", "Ressources de ce site."),
    OpenApiParameter(
        "type_of_ressource",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=TypeRessource.values,
        description="Ressources de ce type.",
    ),
]


class CleSerializer(serializers.Serializer):
    id = serializers.JSONField(required=False, help_text="Id (ou valeur du type de ressource).")
    nom = serializers.CharField(required=False)
    date = serializers.DateField(
        required=False, help_text="Premier jour du jour, de la semaine (lundi) ou du mois."
    )


class ChiffresSerializer(serializers.Serializer):
    reservations = serializers.IntegerField()
    confirmees = serializers.IntegerField()
    annulees = serializers.IntegerField()
    non_presentes = serializers.IntegerField()
    heures_reservees = serializers.FloatField()
    taux_occupation = serializers.FloatField(allow_null=True)
    taux_annulation = serializers.FloatField(allow_null=True)
    taux_non_presentation = serializers.FloatField(allow_null=True)
    duree_moyenne_minutes = serializers.FloatField(allow_null=True)
    delai_moyen_heures = serializers.FloatField(allow_null=True)


class LigneSerializer(ChiffresSerializer):
    cle = CleSerializer()


class TableauStatistiquesSerializer(serializers.Serializer):
    lignes = LigneSerializer(many=True)
    total = ChiffresSerializer()


class OccupationHoraireSerializer(serializers.Serializer):
    jours = serializers.ListField(child=serializers.CharField())
    heures = serializers.ListField(child=serializers.IntegerField())
    taux = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))


STATISTIQUES = extend_schema(
    tags=["statistiques"],
    summary="Statistiques d'utilisation",
    description=(
        "Chiffres par groupe et au total (managers : réservations des utilisateurs des "
        "départements gérés). Une réservation compte dans la période (et le jour, la "
        "semaine, le mois) où elle commence, en heure locale. `?format=csv` ou "
        "`Accept: text/csv` : les mêmes lignes en CSV."
    ),
    parameters=[
        *PERIODE,
        OpenApiParameter(
            "grouper_par",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            enum=list(GROUPEMENTS),
            description="Regroupement ; site par défaut.",
        ),
        _id("department_id", "Réservations de ce département (celui du bénéficiaire)."),
        _id("ressource_id", "Réservations de cette ressource."),
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            enum=["json", "csv"],
            description="csv : les lignes en CSV.",
        ),
    ],
    responses={
        (200, "application/json"): TableauStatistiquesSerializer,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Lignes en CSV."),
        **erreurs(400, 401, 403),
    },
)

OCCUPATION_HORAIRE = extend_schema(
    tags=["statistiques"],
    summary="Occupation par jour de la semaine et par heure",
    description="Part (%) des heures-ressources ouvertes qui sont réservées.",
    parameters=PERIODE,
    responses={200: OccupationHoraireSerializer, **erreurs(400, 401, 403)},
)

RAPPORT = extend_schema(
    tags=["statistiques"],
    summary="Rapport PDF",
    description=(
        "Période et périmètre, chiffres clés, occupation par site (par département pour un "
        "manager ou avec site_id), carte jour x heure, les 10 ressources les plus et les "
        "moins utilisées."
    ),
    parameters=PERIODE[:3],
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Le PDF."),
        **erreurs(400, 401, 403),
    },
)

EXPORT = extend_schema(
    tags=["reservations"],
    summary="Export CSV des réservations",
    description=(
        "Toutes les réservations visibles par l'appelant qui passent les filtres de la "
        "liste, sans pagination, en flux CSV (une ligne d'en-tête : les champs de "
        "Reservation)."
    ),
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Réservations en CSV."),
        **erreurs(400, 401),
    },
)
