"""Back-office for ressources, with their unavailability periods inline."""

from django import forms
from django.contrib import admin

from reservations.admin import (
    ServicesAdminMixin,
    SuppressionAuFemininMixin,
    enregistrer_disponibilite,
)
from reservations.forms import DisponibiliteAdminForm
from reservations.models import ResourceAvailability

from .models import Ressource


class ListeChainesField(forms.CharField):
    """A JSON list of strings typed as text, one value per separator."""

    def __init__(self, *, separateur=",", **kwargs):
        self.separateur = separateur
        self.joint = ", " if separateur == "," else separateur
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return self.joint.join(value)
        return value

    def to_python(self, value):
        texte = super().to_python(value)
        return [morceau.strip() for morceau in texte.split(self.separateur) if morceau.strip()]


class RessourceAdminForm(forms.ModelForm):
    caracteristiques = ListeChainesField(
        label="Caractéristiques",
        help_text="Séparées par des virgules, par exemple : wifi, projecteur, visio.",
    )
    images = ListeChainesField(
        label="Images",
        separateur="\n",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Une URL (http ou https) par ligne.",
    )

    class Meta:
        model = Ressource
        fields = (
            "nom",
            "type_ressource",
            "site",
            "etat",
            "validation_requise",
            "capacite_maximum",
            "description",
            "caracteristiques",
            "images",
            "localisation_batiment",
            "localisation_etage",
            "localisation_numero",
            "horaires_ouverture",
            "horaires_fermeture",
            "tarifs_horaires",
        )


class DisponibiliteInline(admin.TabularInline):
    """Periods of this ressource, checked like the standalone form (model rules, then the
    reservations a blocking period would cancel)."""

    model = ResourceAvailability
    form = DisponibiliteAdminForm
    fields = (
        "type_disponibilite",
        "debut",
        "fin",
        "recurrence",
        "fin_recurrence",
        "raison_indisponibilite",
        "annuler_conflits",
    )
    extra = 0
    show_change_link = True


@admin.register(Ressource)
class RessourceAdmin(SuppressionAuFemininMixin, ServicesAdminMixin, admin.ModelAdmin):
    form = RessourceAdminForm
    list_display = (
        "nom",
        "type_ressource",
        "site",
        "capacite_maximum",
        "etat",
        "validation_requise",
        "localisation_batiment",
    )
    list_filter = ("type_ressource", "etat", "validation_requise", "site")
    list_select_related = ("site",)
    search_fields = ("nom", "description", "localisation_batiment", "site__nom")
    autocomplete_fields = ("site",)
    ordering = ("site__nom", "nom")
    inlines = (DisponibiliteInline,)
    fieldsets = (
        (None, {"fields": ("nom", "type_ressource", "site", "etat", "validation_requise")}),
        (
            "Description",
            {"fields": ("capacite_maximum", "description", "caracteristiques", "images")},
        ),
        (
            "Localisation",
            {"fields": ("localisation_batiment", "localisation_etage", "localisation_numero")},
        ),
        (
            "Horaires et tarif",
            {
                "fields": ("horaires_ouverture", "horaires_fermeture", "tarifs_horaires"),
                "description": "Horaires propres : salles seulement (sinon ceux du site).",
            },
        ),
    )

    def save_formset(self, request, form, formset, change):
        if formset.model is not ResourceAvailability:
            return super().save_formset(request, form, formset, change)
        periodes = formset.save(commit=False)
        for periode in formset.deleted_objects:
            periode.delete()
        for form_periode in formset.forms:
            if form_periode.instance in periodes:
                enregistrer_disponibilite(request, form_periode.instance, form_periode, self)
