"""Query parameters of ``/users``. A value that does not parse is a 400, never ignored."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Role, User

ID_MAX = 2**63 - 1
MSG_BOOLEEN = "Valeur booléenne attendue : true ou false."
VRAI = {"true", "1"}
FAUX = {"false", "0"}


class BooleenStrictField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        texte = str(value).strip().lower()
        if texte in VRAI:
            return True
        if texte in FAUX:
            return False
        raise ValidationError(MSG_BOOLEEN, code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class BooleenStrictFilter(filters.Filter):
    field_class = BooleenStrictField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """A positive integer id (an ``exact`` filter on a foreign key column)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices, help_text="Rôle exact.")
    site_id = IdFilter(field_name="site_principal_id", help_text="Site principal.")
    department_id = IdFilter(field_name="department_id", help_text="Département.")
    compte_actif = BooleenStrictFilter(
        field_name="compte_actif", help_text="true : comptes actifs ; false : désactivés."
    )
    q = filters.CharFilter(
        method="filtrer_texte",
        help_text="Sous-chaîne (sans casse) du nom d'utilisateur, de l'email ou du nom.",
    )

    class Meta:
        model = User
        fields = []

    def filtrer_texte(self, queryset, name, value):
        return queryset.filter(
            Q(nom_utilisateur__icontains=value)
            | Q(email__icontains=value)
            | Q(nom_prenom__icontains=value)
        )
