"""Query parameters of ``/users``, read by the shared parsers of ``resa_project.parametres``."""

from django.db.models import Q
from django_filters import rest_framework as filters

from resa_project.parametres import BooleenFilter, IdFilter, filtre_choix

from .models import Role, User


class UserFilter(filters.FilterSet):
    role = filtre_choix("role", Role.choices, help_text="Rôle exact.")
    site_id = IdFilter(field_name="site_principal_id", help_text="Site principal.")
    department_id = IdFilter(field_name="department_id", help_text="Département.")
    compte_actif = BooleenFilter(
        field_name="compte_actif", help_text="true : comptes actifs ; false : désactivés."
    )
    q = filters.CharFilter(
        method="filtrer_texte",
        max_length=200,
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
