"""JSON shapes of reservations and unavailability periods. Rules live in ``regles`` and
``services``: these serializers only parse and shape."""

from datetime import UTC

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from accounts.models import User
from ressources.models import Ressource

from .models import Reservation, ResourceAvailability

NBR_PARTICIPANTS_MAX = 100_000

MSG_RESSOURCE_INCONNUE = "Ressource inconnue (id {pk_value})."
MSG_USER_INCONNU = "Utilisateur inconnu ou inactif (id {pk_value})."
ANNEE_MIN, ANNEE_MAX = 1900, 2999
MSG_HORS_LIMITES = f"Date hors de l'intervalle accepté ({ANNEE_MIN}-{ANNEE_MAX})."
MSG_HEURE_LOCALE = (
    "Cette heure n'existe pas ou existe deux fois dans le fuseau {fuseau} (changement "
    "d'heure) : précisez le décalage, par exemple +01:00 ou +02:00."
)
_ERREURS_ID = {"incorrect_type": "Identifiant invalide : attendu un entier."}


class DateHeure(serializers.DateTimeField):
    """ISO 8601; without offset, read in the organisation's zone. A local time that the
    daylight-saving change skips or repeats is refused instead of being guessed."""

    default_error_messages = {
        "hors_limites": MSG_HORS_LIMITES,
    }

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
            timezone.localtime(moment).astimezone(UTC)
        except OverflowError:
            self.fail("hors_limites")
        if not ANNEE_MIN <= moment.year <= ANNEE_MAX:
            self.fail("hors_limites")
        if isinstance(value, str) and not _a_un_decalage(value) and not _existe_une_fois(moment):
            raise serializers.ValidationError(
                MSG_HEURE_LOCALE.format(fuseau=timezone.get_current_timezone_name())
            )
        return moment


def _a_un_decalage(texte: str) -> bool:
    try:
        lu = parse_datetime(texte.strip())
    except ValueError:
        return False
    return lu is not None and lu.tzinfo is not None


def _existe_une_fois(moment) -> bool:
    """The wall-clock time of ``moment`` (as given, with its zone attached) exists, once."""
    normalise = moment.astimezone(UTC).astimezone(moment.tzinfo)
    existe = normalise.replace(tzinfo=None) == moment.replace(tzinfo=None)
    return existe and moment.replace(fold=1 - moment.fold).utcoffset() == moment.utcoffset()


class ReservationSerializer(serializers.ModelSerializer):
    ressource_id = serializers.IntegerField(read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    createur_id = serializers.IntegerField(read_only=True)
    duree_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Reservation
        fields = [
            "id",
            "ressource_id",
            "user_id",
            "createur_id",
            "debut",
            "fin",
            "statut",
            "description",
            "nbr_participants",
            "note",
            "date_creation",
            "date_modification",
            "duree_minutes",
        ]
        read_only_fields = fields


class _ChampsReservation(serializers.Serializer):
    ressource_id = serializers.PrimaryKeyRelatedField(
        source="ressource",
        queryset=Ressource.objects.select_related("site"),
        error_messages={"does_not_exist": MSG_RESSOURCE_INCONNUE, **_ERREURS_ID},
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
    user_id = serializers.PrimaryKeyRelatedField(
        source="user",
        queryset=User.objects.filter(compte_actif=True),
        required=False,
        help_text="Pour qui : réservé aux managers, admins et détenteurs de reserver_pour_autrui.",
        error_messages={"does_not_exist": MSG_USER_INCONNU, **_ERREURS_ID},
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
    }
    ressource_id = serializers.PrimaryKeyRelatedField(
        source="ressource",
        queryset=Ressource.objects.select_related("site"),
        error_messages={"does_not_exist": MSG_RESSOURCE_INCONNUE, **_ERREURS_ID},
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

    def validate_fin_recurrence(self, value):
        if value is not None and not ANNEE_MIN <= value.year <= ANNEE_MAX:
            raise serializers.ValidationError(MSG_HORS_LIMITES)
        return value


class DisponibiliteEnregistreeSerializer(DisponibiliteSerializer):
    reservations_annulees = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Réservations annulées par cette période (avec annuler_conflits=true).",
    )

    class Meta(DisponibiliteSerializer.Meta):
        fields = [*DisponibiliteSerializer.Meta.fields, "reservations_annulees"]
