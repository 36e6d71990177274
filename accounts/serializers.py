"""JSON shapes of users and sessions.

Serializers parse (types, enums, existing ids); the rules live in the models and services.
A model ``ValidationError`` is reported under the JSON field names
(``resa_project.serializers.ErreursModeleMixin``).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from resa_project.parametres import MSG_ENTIER_BORNES, Booleen, ChampId
from resa_project.rendu import RenduRapide
from resa_project.serializers import ErreursModeleMixin
from sites.models import Department, Site

from .models import RAPPEL_MINUTES_MAX, Priorite, Role, User

MOT_DE_PASSE_LONGUEUR_MAX = 1024

USER_PUBLIC = [
    "id",
    "nom_utilisateur",
    "email",
    "nom_prenom",
    "role",
    "autorisations",
    "priorite",
    "compte_actif",
    "site_principal_id",
    "department_id",
    "date_creation",
]


class UserPublicSerializer(RenduRapide, serializers.ModelSerializer):
    """UserPublic: what anyone allowed to see a user gets. Never a password or a hash."""

    site_principal_id = serializers.IntegerField(read_only=True, allow_null=True)
    department_id = serializers.IntegerField(read_only=True, allow_null=True)
    autorisations = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = User
        fields = USER_PUBLIC
        read_only_fields = USER_PUBLIC


def _champ_mot_de_passe(**kwargs):
    return serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=MOT_DE_PASSE_LONGUEUR_MAX,
        style={"input_type": "password"},
        help_text="Vérifié par les validateurs de mots de passe de Django.",
        **kwargs,
    )


class _UserEcritureSerializer(ErreursModeleMixin, serializers.Serializer):
    """Fields a client may write on a user; answers with UserPublic."""

    nom_utilisateur = serializers.CharField(help_text="Au moins 3 caractères, unique.")
    email = serializers.EmailField(help_text="Unique, sans distinction de casse.")
    nom_prenom = serializers.CharField(help_text="Au moins 3 caractères.")
    password = _champ_mot_de_passe()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.EMPLOYE)
    priorite = serializers.ChoiceField(choices=Priorite.choices, default=Priorite.STANDARD)
    department_id = ChampId(
        source="department",
        queryset=Department.objects.all(),
        allow_null=True,
        required=False,
    )

    def to_representation(self, instance):
        return UserPublicSerializer(instance).data


class InscriptionSerializer(_UserEcritureSerializer):
    site_principal_id = ChampId(source="site_principal", queryset=Site.objects.all())


class UserSerializer(_UserEcritureSerializer):
    """The back-office's create (every role) and partial update (``partial=True``): it
    parses, ``UserViewSet`` writes through ``accounts.services``."""

    site_principal_id = ChampId(
        source="site_principal", queryset=Site.objects.all(), allow_null=True, required=False
    )
    autorisations = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Droits nommés en plus du rôle : "
        "reserver_pour_autrui, confirmer_reservations, gerer_ressources.",
    )
    compte_actif = Booleen(
        default=True,
        help_text="false : le compte ne peut plus se connecter, ses jetons sont révoqués.",
    )


class ConnexionSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = _champ_mot_de_passe()


class SessionSerializer(serializers.Serializer):
    """Answer of register and login; the token is also set as the ``session_token`` cookie."""

    message = serializers.CharField()
    user = UserPublicSerializer()
    token = serializers.CharField(help_text="À envoyer en `Authorization: Bearer <token>`.")


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": RAPPEL_MINUTES_MAX})
class _EntierJson(serializers.Field):
    """A bounded JSON integer: ``"30"``, ``30.0``, ``1e3`` and booleans are refused, as ids
    are in bodies (DRF's ``IntegerField`` would read the first two)."""

    def __init__(self, *, minimum, maximum, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError(self._message())
        if not self.minimum <= data <= self.maximum:
            raise serializers.ValidationError(self._message())
        return data

    def to_representation(self, value):
        return value

    def _message(self):
        return MSG_ENTIER_BORNES.format(minimum=self.minimum, maximum=self.maximum)


class PreferencesSerializer(ErreursModeleMixin, serializers.Serializer):
    """``/auth/me/preferences``: both fields optional in a PATCH; unknown ones ignored."""

    notifications_email = Booleen(
        required=False,
        help_text="false : aucun message, rappels compris. Par défaut true.",
    )
    rappel_minutes = _EntierJson(
        minimum=0,
        maximum=RAPPEL_MINUTES_MAX,
        required=False,
        allow_null=True,
        help_text="Minutes avant le début d'une réservation confirmée où part le rappel "
        f"(0 à {RAPPEL_MINUTES_MAX}) ; null : aucun rappel. Par défaut 30.",
    )
