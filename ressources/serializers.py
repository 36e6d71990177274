"""JSON shape of a ressource: it parses and shapes; the rules live in the model
(``full_clean`` via ``services``)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from resa_project.parametres import Booleen, ChampId
from resa_project.rendu import RenduRapide
from resa_project.serializers import ErreursModeleMixin
from sites.models import Site

from .models import Ressource


class RessourceSerializer(RenduRapide, ErreursModeleMixin, serializers.ModelSerializer):
    site_id = ChampId(source="site", queryset=Site.objects.all(), help_text="Site de la ressource.")
    caracteristiques = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        help_text="Caractéristiques (ex. `wifi`, `projecteur`).",
    )
    images = serializers.ListField(
        child=serializers.URLField(max_length=2000),
        required=False,
        help_text="URL http(s) d'images.",
    )
    tarifs_horaires = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        required=False,
        help_text="Tarif horaire (>= 0), ou null.",
    )
    horaires_ouverture = serializers.TimeField(
        allow_null=True, required=False, help_text="Salles seulement : horaires propres."
    )
    horaires_fermeture = serializers.TimeField(
        allow_null=True, required=False, help_text="Salles seulement : horaires propres."
    )

    validation_requise = Booleen(
        required=False,
        help_text="true : les réservations d'un employé restent en attente (en_cours) "
        "jusqu'à confirmation.",
    )
    checkin_requis = Booleen(
        required=False,
        help_text="true : une réservation confirmée sans arrivée signalée "
        "(POST /reservations/{id}/checkin) au plus tard `delai_checkin_minutes` après son "
        "début est libérée automatiquement.",
    )

    est_favori = serializers.SerializerMethodField(
        help_text="true : la ressource est un favori de l'appelant (PUT /auth/me/favoris/{id})."
    )

    class Meta:
        model = Ressource
        fields = [
            "id",
            "nom",
            "type_ressource",
            "capacite_maximum",
            "description",
            "caracteristiques",
            "site_id",
            "localisation_batiment",
            "localisation_etage",
            "localisation_numero",
            "etat",
            "horaires_ouverture",
            "horaires_fermeture",
            "images",
            "tarifs_horaires",
            "validation_requise",
            "checkin_requis",
            "delai_checkin_minutes",
            "est_favori",
        ]
        extra_kwargs = {
            "delai_checkin_minutes": {
                "help_text": "Minutes après le début pour signaler l'arrivée (5 à 240, défaut 15)."
            }
        }
        # (nom, site) uniqueness is the model's: a duplicate is a 409, not a serializer 400.
        validators = []

    colonnes_des_methodes = {"est_favori": ("est_favori", bool)}  # see get_est_favori

    @extend_schema_field(serializers.BooleanField())
    def get_est_favori(self, ressource) -> bool:
        # Annotated by the views' querysets (``avec_est_favori``): never a query per row.
        return bool(getattr(ressource, "est_favori", False))
