"""JSON shapes of the reservation side of ``/ressources``: the detail with its statistics
and week ahead, the free search's window and the planning."""

from rest_framework import serializers

from resa_project.parametres import DateHeure
from resa_project.rendu import RenduRapide
from ressources.models import TypeRessource
from ressources.serializers import RessourceSerializer

from .models import Reservation, StatutReservation, TypeDisponibilite
from .recherche import Raison
from .serializers import NBR_PARTICIPANTS_MAX


class StatistiquesSerializer(RenduRapide, serializers.Serializer):
    total_reservations = serializers.IntegerField(help_text="Toutes les réservations.")
    reservations_actives = serializers.IntegerField(help_text="Confirmées et en cours maintenant.")
    reservations_a_venir = serializers.IntegerField(
        help_text="en_cours ou confirme, commençant plus tard."
    )
    taux_occupation_7_jours = serializers.FloatField(
        help_text="Pourcentage des heures d'ouverture d'aujourd'hui et des 6 jours suivants "
        "réservées (en_cours/confirme), 2 décimales, au plus 100."
    )
    heures_reservees_30_jours = serializers.FloatField(
        help_text="Heures des réservations confirme/fini comprises dans les 30 derniers jours."
    )
    reservation_moyenne_duree = serializers.FloatField(
        help_text="Durée moyenne en minutes des réservations non annulées (0 sans réservation)."
    )


class ProchaineReservationSerializer(RenduRapide, serializers.ModelSerializer):
    class Meta:
        model = Reservation
        fields = ["id", "user_id", "debut", "fin", "statut", "description", "nbr_participants"]


class CreneauSerializer(RenduRapide, serializers.Serializer):
    debut = serializers.CharField(help_text="HH:MM, heure locale de l'organisation.")
    fin = serializers.CharField(help_text="HH:MM, heure locale de l'organisation.")


class JourDisponibiliteSerializer(RenduRapide, serializers.Serializer):
    date = serializers.DateField()
    est_disponible = serializers.BooleanField()
    raison_indisponibilite = serializers.CharField(
        allow_null=True,
        help_text="null si disponible ; sinon : ressource non active, heures d'ouverture "
        "entièrement couvertes par des indisponibilités (leurs raisons), aucune période de "
        "disponibilité normale ce jour, ou aucun créneau d'une heure libre.",
    )
    creneaux_disponibles = serializers.IntegerField(
        min_value=0,
        help_text="Nombre de créneaux d'une heure libres ce jour (la longueur de `creneaux`) : "
        "heures pleines (début à l'heure, 1 heure) dans les horaires d'ouverture, non "
        "encore commencées, qu'aucune réservation bloquante ni indisponibilité ne touche.",
    )
    creneaux = CreneauSerializer(
        many=True,
        help_text="Ces créneaux libres, dans l'ordre, en heure locale de l'organisation "
        "(liste vide si aucun).",
    )


class DetailRessourceSerializer(RenduRapide, serializers.Serializer):
    ressource = RessourceSerializer()
    statistiques = StatistiquesSerializer()
    prochaines_reservations = ProchaineReservationSerializer(
        many=True, help_text="Les 5 prochaines réservations en_cours/confirme."
    )
    disponibilite_7_jours = JourDisponibiliteSerializer(
        many=True, help_text="Aujourd'hui et les 6 jours suivants."
    )


_DETAIL = DetailRessourceSerializer()


def representation_detail(detail: dict) -> dict:
    """``DetailRessourceSerializer(detail).data`` from one serializer built once per process:
    DRF builds and deep-copies a serializer's fields (the nested ones' too) for every
    instance, which cost more than rendering the detail; ``to_representation`` only reads
    them, so the threads of a worker can share it."""
    return _DETAIL.to_representation(detail)


class FenetreSerializer(serializers.Serializer):
    """``debut``/``fin`` of the free search (ISO 8601; without offset: organisation zone)."""

    debut = DateHeure()
    fin = DateHeure()


class ParametresSuggestionsSerializer(FenetreSerializer):
    """Query of ``/ressources/suggestions``."""

    nbr_participants = serializers.IntegerField(
        required=False, min_value=1, max_value=NBR_PARTICIPANTS_MAX
    )
    type_of_ressource = serializers.ChoiceField(choices=TypeRessource.choices, required=False)


class SuggestionSerializer(RessourceSerializer):
    raisons = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[
                Raison.FAVORI,
                Raison.HABITUELLE,
                Raison.SITE_PRINCIPAL,
                Raison.CAPACITE_ADAPTEE,
            ]
        ),
        read_only=True,
        help_text="Pourquoi elle est proposée : favori (une de vos favorites), habituelle "
        "(réservée par vous depuis 90 jours), site_principal (sur votre site principal), "
        "capacite_adaptee (votre groupe en occupe au moins la moitié).",
    )

    class Meta(RessourceSerializer.Meta):
        fields = [*RessourceSerializer.Meta.fields, "raisons"]


class FenetrePlanningSerializer(serializers.Serializer):
    """``du``/``au`` of the planning (a date alone: its midnight)."""

    du = DateHeure(required=False)
    au = DateHeure(required=False)


class IntervallePlanningSerializer(serializers.Serializer):
    debut = serializers.DateTimeField()
    fin = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["reservation", "indisponibilite"])
    statut = serializers.ChoiceField(
        choices=StatutReservation.choices,
        required=False,
        help_text="Pour une réservation (en_cours ou confirme).",
    )
    type_disponibilite = serializers.ChoiceField(
        choices=TypeDisponibilite.choices, required=False, help_text="Pour une période."
    )
