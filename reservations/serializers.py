"""JSON shapes of reservations and unavailability periods. Rules live in ``regles`` and
``services``: these serializers only parse and shape."""

from datetime import UTC

from django.db import models
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import User
from resa_project.parametres import ChampId, DateBornee, DateHeure
from resa_project.rendu import RenduRapide, iso_drf
from ressources.models import Ressource

from .models import Evenement, Reservation, ResourceAvailability

NBR_PARTICIPANTS_MAX = 100_000

MSG_RESSOURCE_INCONNUE = "Ressource inconnue (id {pk_value})."
MSG_USER_INCONNU = "Utilisateur inconnu ou inactif (id {pk_value})."


class ReservationSerializer(RenduRapide, serializers.ModelSerializer):
    ressource_id = serializers.IntegerField(read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    createur_id = serializers.IntegerField(read_only=True)
    duree_minutes = serializers.IntegerField(read_only=True)
    serie_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="La série dont c'est une occurrence ; null sinon.",
    )

    class Meta:
        model = Reservation
        fields = [
            "id",
            "ressource_id",
            "user_id",
            "createur_id",
            "serie_id",
            "debut",
            "fin",
            "statut",
            "description",
            "nbr_participants",
            "note",
            "date_creation",
            "date_modification",
            "duree_minutes",
            "checkin_le",
        ]
        read_only_fields = fields


# The list (``GET /reservations/``) reads these columns with ``values_list`` and shapes
# them with ``lignes_liste``: ``ReservationSerializer``'s exact output without building a
# model instance per row. ``test_liste_rapide`` compares both, field by field.
COLONNES_LISTE = tuple(nom for nom in ReservationSerializer.Meta.fields if nom != "duree_minutes")


def lignes_liste(lignes, *, zone_base=UTC) -> list[dict]:
    """``ReservationSerializer(many=True).data`` of ``values_list(*COLONNES_LISTE)`` rows:
    datetimes in the current zone as DRF writes them (ISO 8601, ``Z`` for UTC). Rows read
    straight from the cursor may hold naive datetimes (SQLite): they are in ``zone_base``
    (the connection's zone), as the ORM's converter would read them."""

    def moment(valeur):
        return valeur if valeur.tzinfo is not None else valeur.replace(tzinfo=zone_base)

    def iso(valeur):
        return iso_drf(moment(valeur))

    sortie = []
    for (
        pk,
        ressource_id,
        user_id,
        createur_id,
        serie_id,
        debut,
        fin,
        statut,
        description,
        nbr_participants,
        note,
        date_creation,
        date_modification,
        checkin_le,
    ) in lignes:
        debut, fin = moment(debut), moment(fin)
        sortie.append(
            {
                "id": pk,
                "ressource_id": ressource_id,
                "user_id": user_id,
                "createur_id": createur_id,
                "serie_id": serie_id,
                "debut": iso(debut),
                "fin": iso(fin),
                "statut": statut,
                "description": description,
                "nbr_participants": nbr_participants,
                "note": note,
                "date_creation": iso(date_creation),
                "date_modification": iso(date_modification),
                "duree_minutes": int(
                    (fin.astimezone(UTC) - debut.astimezone(UTC)).total_seconds() // 60
                ),
                "checkin_le": None if checkin_le is None else iso(checkin_le),
            }
        )
    return sortie


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": {},
            "description": "[avant, après] ; null avant une création.",
        },
        "example": {"statut": ["en_cours", "confirme"]},
    }
)
class ChangementsField(serializers.JSONField):
    """``{"<champ>": [avant, après]}``, stored already in the API's representation."""


class EvenementSerializer(serializers.ModelSerializer):
    """One entry of ``/reservations/{id}/historique`` (API.md C1)."""

    acteur_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="null : le système."
    )
    changements = ChangementsField(read_only=True)

    class Meta:
        model = Evenement
        fields = ["id", "type", "date", "acteur_id", "changements", "note"]
        read_only_fields = fields


class _ChampsReservation(serializers.Serializer):
    ressource_id = ChampId(
        source="ressource",
        queryset=Ressource.objects.select_related("site"),
        error_messages={"does_not_exist": MSG_RESSOURCE_INCONNUE},
    )
    debut = DateHeure(
        help_text="Sur la grille de 15 minutes ; sans décalage : fuseau de l'organisation."
    )
    fin = DateHeure(help_text="Après debut, sur la grille de 15 minutes.")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    nbr_participants = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=NBR_PARTICIPANTS_MAX
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Réserver une salle",
            value={
                "ressource_id": 3,
                "debut": "2027-03-29T09:00:00+02:00",
                "fin": "2027-03-29T10:30:00+02:00",
                "description": "Point d'équipe",
                "nbr_participants": 6,
            },
            request_only=True,
        ),
        OpenApiExample(
            "Réserver pour un collègue (manager, admin, reserver_pour_autrui)",
            value={
                "ressource_id": 7,
                "user_id": 42,
                "debut": "2027-03-29T14:00",
                "fin": "2027-03-29T18:00",
            },
            request_only=True,
        ),
    ]
)
class ReservationCreationSerializer(_ChampsReservation):
    user_id = ChampId(
        source="user",
        queryset=User.objects.filter(compte_actif=True),
        required=False,
        help_text="Pour qui : réservé aux managers, admins et détenteurs de reserver_pour_autrui.",
        error_messages={"does_not_exist": MSG_USER_INCONNU},
    )


class ReservationModificationSerializer(_ChampsReservation):
    """Every field optional (PUT and PATCH are both partial)."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class DisponibiliteSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateHeure,
        models.DateField: DateBornee,
    }
    ressource_id = ChampId(
        source="ressource",
        queryset=Ressource.objects.select_related("site"),
        error_messages={"does_not_exist": MSG_RESSOURCE_INCONNUE},
    )

    class Meta:
        model = ResourceAvailability
        fields = [
            "id",
            "ressource_id",
            "type_disponibilite",
            "debut",
            "fin",
            "raison_indisponibilite",
            "recurrence",
            "fin_recurrence",
            "date_creation",
        ]
        read_only_fields = ["id", "date_creation"]
        extra_kwargs = {
            "fin_recurrence": {
                "help_text": "Dernier jour de répétition (quotidien, hebdomadaire) ; vide : sans fin."
            },
        }


class DisponibiliteEnregistreeSerializer(DisponibiliteSerializer):
    reservations_annulees = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Réservations annulées par cette période (avec annuler_conflits=true).",
    )

    class Meta(DisponibiliteSerializer.Meta):
        fields = [*DisponibiliteSerializer.Meta.fields, "reservations_annulees"]
