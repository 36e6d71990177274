"""Back-office for users: Django's own UserAdmin (password forms, password change view)
adapted to Resa's User, whose rights come from ``role`` and ``autorisations``."""

import copy
from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    BaseUserCreationForm,
    ReadOnlyPasswordHashField,
)
from django.contrib.auth.hashers import make_password

from resa_project.admin import ServicesAdminMixin
from resa_project.admin_services import EcrituresParServicesMixin, champs_du_formulaire, copier
from resa_project.erreurs import ConflitEtat

from . import services
from .models import Autorisation, Role, User


class UserCreationAdminForm(BaseUserCreationForm):
    """Creation with a password typed twice, checked by Django's password validators and
    stored hashed (``set_password``)."""

    class Meta:
        model = User
        fields = (
            "email",
            "nom_utilisateur",
            "nom_prenom",
            "role",
            "priorite",
            "site_principal",
            "department",
        )


class UserChangeAdminForm(forms.ModelForm):
    password = ReadOnlyPasswordHashField(
        label="Mot de passe",
        help_text=(
            "Les mots de passe ne sont pas stockés en clair : il est impossible de voir celui "
            "de cet utilisateur. Utilisez le bouton ci-dessus pour le changer."
        ),
    )
    # The JSON list as checkboxes: only known rights can be granted.
    autorisations = forms.MultipleChoiceField(
        label="Autorisations",
        choices=Autorisation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "nom_utilisateur",
            "nom_prenom",
            "role",
            "priorite",
            "autorisations",
            "compte_actif",
            "site_principal",
            "department",
        )

    # The admin using the form, set by ``UserAdmin.get_form``.
    par = None

    def clean(self):
        donnees = super().clean()
        if self.par is not None and self.instance.pk:
            try:
                services.verifier_pas_contre_soi(
                    self.instance,
                    par=self.par,
                    role=donnees.get("role", self.instance.role),
                    compte_actif=donnees.get("compte_actif", self.instance.compte_actif),
                )
            except ConflitEtat as erreur:
                raise forms.ValidationError(erreur.detail) from None
        return donnees


class MotDePasseAdminForm(AdminPasswordChangeForm):
    """Django's password form (validators, typed twice, or password login disabled), saved
    through ``services.modifier_utilisateur`` as ``par``: a new password closes the user's
    sessions there, whatever the entry point."""

    def __init__(self, user, *args, par, **kwargs):
        self.par = par
        super().__init__(user, *args, **kwargs)

    def save(self, commit=True):
        if self.cleaned_data["set_usable_password"]:
            changement = {"password": self.cleaned_data["password1"]}
        else:
            changement = {"mot_de_passe_hache": make_password(None)}
        return services.modifier_utilisateur(self.user, par=self.par, **changement)


@admin.register(User)
class UserAdmin(EcrituresParServicesMixin, ServicesAdminMixin, DjangoUserAdmin):
    """Creation, changes, passwords and deletion go through ``accounts.services``."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    service_modifier = staticmethod(services.modifier_utilisateur)
    service_supprimer = staticmethod(services.supprimer_utilisateur)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("nom_utilisateur", "nom_prenom")}),
        (
            "Rôle et droits",
            {
                "fields": ("role", "priorite", "autorisations", "compte_actif"),
                "description": (
                    "Seuls les administrateurs ont accès au back-office. "
                    "Désactiver un compte révoque immédiatement ses jetons de session."
                ),
            },
        ),
        ("Rattachement", {"fields": ("site_principal", "department")}),
        (
            "Notifications",
            {
                "fields": ("notifications_email", "rappel_minutes"),
                "description": "Réglées par l'utilisateur lui-même (/auth/me/preferences).",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_creation")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (*UserCreationAdminForm.Meta.fields, "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_creation", "notifications_email", "rappel_minutes")
    list_display = (
        "email",
        "nom_utilisateur",
        "nom_prenom",
        "role",
        "priorite",
        "site_principal",
        "department",
        "compte_actif",
    )
    list_filter = ("role", "priorite", "compte_actif", "site_principal", "department")
    list_select_related = ("site_principal", "department")
    search_fields = ("email", "nom_utilisateur", "nom_prenom")
    ordering = ("email",)
    filter_horizontal = ()
    autocomplete_fields = ("site_principal", "department")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.par = request.user
        return form

    def user_change_password(self, request, id, form_url=""):
        # Django's own view, on a copy of this admin whose form knows who is acting (the
        # admin instance is shared by every request).
        vue = copy.copy(self)
        vue.change_password_form = partial(MotDePasseAdminForm, par=request.user)
        return DjangoUserAdmin.user_change_password(vue, request, id, form_url)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # The form has checked the password (twice typed, validators); the service checks
        # it again and hashes it.
        cree = services.creer_utilisateur(
            par=request.user,
            password=form.cleaned_data["password1"],
            **champs_du_formulaire(form, change=False),
        )
        copier(cree, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return False  # the same rule as services.supprimer_utilisateur
        return super().has_delete_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        queryset, doublons = super().get_search_results(request, queryset, search_term)
        # The manager picker of a department only offers those who may manage one.
        if (
            request.GET.get("model_name") == "department"
            and request.GET.get("field_name") == "manager"
        ):
            queryset = queryset.filter(role__in=[Role.MANAGER, Role.ADMIN])
        return queryset, doublons
