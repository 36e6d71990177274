"""JSON shapes of series (API.md C7): the request, the per-date report, the cancellation.
The rules live in ``series``, ``regles`` and ``services``: these only parse and shape."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from resa_project.parametres import MSG_CHOIX, DateBornee
from resa_project.schema import ConflitSerializer, ErreurConflitSerializer, ErreurSerializer

from .models import ModeSerie, Serie
from .serializers import ReservationCreationSerializer, ReservationSerializer
from .series import FREQUENCES, INTERVALLE_MAX, JOURS, NB_OCCURRENCES_MAX

MSG_JUSQU_AU_OU_NOMBRE = (
    "Donnez exactement l'un de jusqu_au (dernière date) et nombre (occurrences)."
)
MSG_JOURS_HEBDOMADAIRE = "jours ne s'applique qu'à la fréquence hebdomadaire."
MSG_NOMBRE = (
    f"nombre doit être un entier entre 1 et {NB_OCCURRENCES_MAX} (occurrences d'une série)."
)
MSG_INTERVALLE = f"intervalle doit être un entier entre 1 et {INTERVALLE_MAX}."


def _choix(nom, valeurs):
    return {"invalid_choice": MSG_CHOIX.format(nom=nom, choix=", ".join(valeurs))}


class RecurrenceSerializer(serializers.Serializer):
    frequence = serializers.ChoiceField(
        choices=list(FREQUENCES), error_messages=_choix("frequence", FREQUENCES)
    )
    intervalle = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        max_value=INTERVALLE_MAX,
        error_messages={"min_value": MSG_INTERVALLE, "max_value": MSG_INTERVALLE},
        help_text="Toutes les N périodes (jours, semaines, mois).",
    )
    jours = serializers.ListField(
        child=serializers.ChoiceField(choices=list(JOURS), error_messages=_choix("jours", JOURS)),
        required=False,
        allow_null=True,
        allow_empty=False,
        max_length=7,
        help_text="hebdomadaire seulement ; défaut : le jour de debut, qui doit en faire partie.",
    )
    jusqu_au = DateBornee(
        required=False, allow_null=True, help_text="Dernière date possible, incluse."
    )
    nombre = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=NB_OCCURRENCES_MAX,
        error_messages={"min_value": MSG_NOMBRE, "max_value": MSG_NOMBRE},
        help_text="Nombre d'occurrences, la première comprise.",
    )

    def validate(self, attrs):
        attrs = {cle: valeur for cle, valeur in attrs.items() if valeur is not None}
        if ("jusqu_au" in attrs) == ("nombre" in attrs):
            raise serializers.ValidationError({"non_field_errors": [MSG_JUSQU_AU_OU_NOMBRE]})
        if "jours" in attrs:
            if attrs["frequence"] != "hebdomadaire":
                raise serializers.ValidationError({"jours": [MSG_JOURS_HEBDOMADAIRE]})
            attrs["jours"] = sorted(set(attrs["jours"]), key=list(JOURS).index)
        return attrs


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Chaque lundi et jeudi, une semaine sur deux, jusqu'à fin juin",
            value={
                "ressource_id": 3,
                "debut": "2027-03-22T10:00:00+01:00",
                "fin": "2027-03-22T11:00:00+01:00",
                "description": "Point d'équipe",
                "nbr_participants": 6,
                "recurrence": {
                    "frequence": "hebdomadaire",
                    "intervalle": 2,
                    "jours": ["lu", "je"],
                    "jusqu_au": "2027-06-30",
                },
                "mode": "ignorer_conflits",
            },
            request_only=True,
        )
    ]
)
class SerieCreationSerializer(ReservationCreationSerializer):
    """The body of POST /reservations/ (``debut``/``fin``: the first occurrence), plus the
    rule and the mode."""

    recurrence = RecurrenceSerializer()
    mode = serializers.ChoiceField(
        choices=ModeSerie.choices,
        required=False,
        default=ModeSerie.TOUT_OU_RIEN,
        error_messages=_choix("mode", ModeSerie.values),
        help_text="tout_ou_rien (défaut) : toutes les dates ou aucune ; ignorer_conflits : "
        "les dates réservables, les autres listées.",
    )


def recurrence_api(regle: dict, debut) -> dict:
    """The rule as the series shows it (and stores it): every key, JSON values, the
    default ``jours`` of a weekly rule written out."""
    jours = regle.get("jours")
    if regle["frequence"] == "hebdomadaire" and not jours:
        jours = [list(JOURS)[timezone.localtime(debut).weekday()]]
    return {
        "frequence": regle["frequence"],
        "intervalle": regle.get("intervalle", 1),
        "jours": jours,
        "jusqu_au": regle["jusqu_au"].isoformat() if regle.get("jusqu_au") else None,
        "nombre": regle.get("nombre"),
    }


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "frequence": {"type": "string", "enum": list(FREQUENCES)},
            "intervalle": {"type": "integer"},
            "jours": {"type": "array", "items": {"type": "string"}, "nullable": True},
            "jusqu_au": {"type": "string", "format": "date", "nullable": True},
            "nombre": {"type": "integer", "nullable": True},
        },
        "description": "La règle demandée ; null pour un calendrier importé.",
    }
)
class RecurrenceField(serializers.JSONField):
    pass


class SerieSerializer(serializers.ModelSerializer):
    ressource_id = serializers.IntegerField(read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    createur_id = serializers.IntegerField(read_only=True)
    recurrence = RecurrenceField(read_only=True)

    class Meta:
        model = Serie
        fields = [
            "id",
            "ressource_id",
            "user_id",
            "createur_id",
            "origine",
            "recurrence",
            "mode",
            "description",
            "nbr_participants",
            "note",
            "date_creation",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"allow_null": True, "help_text": "null : rien n'a été enregistré."},
            "date_creation": {"allow_null": True},
        }


class AlternativeSerializer(serializers.Serializer):
    ressource_id = serializers.IntegerField()
    nom = serializers.CharField()
    site_id = serializers.IntegerField()
    debut = serializers.DateTimeField()
    fin = serializers.DateTimeField()


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"non_field_errors": ["La salle n'est ouverte que de 08:00 à 19:00."]},
    }
)
class ErreursField(serializers.JSONField):
    pass


class OccurrenceSerializer(serializers.Serializer):
    debut = serializers.DateTimeField()
    fin = serializers.DateTimeField()
    statut = serializers.ChoiceField(
        choices=["reservee", "refusee", "libre"],
        help_text="libre : réservable mais pas réservée (simulation, ou série refusée en bloc).",
    )
    reservation_id = serializers.IntegerField(allow_null=True)
    erreurs = ErreursField(help_text="Règles non respectées (nature 400) ; null sinon.")
    conflits = ConflitSerializer(many=True, help_text="Ce qui occupe le créneau (nature 409).")
    alternatives = AlternativeSerializer(
        many=True, help_text="Pour une date refusée par un conflit : jusqu'à 3 propositions."
    )


class ResumeSerializer(serializers.Serializer):
    demandees = serializers.IntegerField()
    reservees = serializers.IntegerField(help_text="Réservations réellement créées.")
    refusees = serializers.IntegerField()


class RapportSerializer(serializers.Serializer):
    serie = SerieSerializer()
    occurrences = OccurrenceSerializer(many=True)
    resume = ResumeSerializer()


class ErreurRapportSerializer(ErreurSerializer, RapportSerializer):
    """The 409 of a series refused as a whole: the error and the report."""


class SerieDetailSerializer(serializers.Serializer):
    serie = SerieSerializer()
    reservations = ReservationSerializer(many=True)


class AnnulationSerieSerializer(serializers.Serializer):
    a_partir_du = DateBornee(
        required=False,
        allow_null=True,
        help_text="Première date (locale) des occurrences à annuler ; défaut : aujourd'hui.",
    )


class RefusAnnulationSerializer(serializers.Serializer):
    reservation_id = serializers.IntegerField()
    detail = serializers.CharField()


class AnnulationSerieResultatSerializer(serializers.Serializer):
    annulees = serializers.ListField(child=serializers.IntegerField())
    refusees = RefusAnnulationSerializer(many=True)


class ErreurConflitAlternativesSerializer(ErreurConflitSerializer):
    """The 409 of POST /reservations/ when the slot is taken: the conflicts and what could
    be booked instead."""

    alternatives = AlternativeSerializer(
        many=True,
        required=False,
        help_text="Jusqu'à 3 propositions (autres ressources, puis début le plus proche).",
    )
