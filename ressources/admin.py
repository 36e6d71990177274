"""Back-office for ressources (their unavailability periods are added inline by
``reservations.admin``)."""

from django import forms
from django.contrib import admin

from resa_project.admin import ServicesAdminMixin, SuppressionAuFemininMixin
from resa_project.admin_services import EcrituresParServicesMixin
from sites.admin import SiteAdmin
from sites.models import Site

from . import services
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
            "checkin_requis",
            "delai_checkin_minutes",
        )


@admin.register(Ressource)
class RessourceAdmin(
    EcrituresParServicesMixin, SuppressionAuFemininMixin, ServicesAdminMixin, admin.ModelAdmin
):
    form = RessourceAdminForm
    service_creer = staticmethod(services.creer_ressource)
    service_modifier = staticmethod(services.modifier_ressource)
    service_supprimer = staticmethod(services.supprimer_ressource)
    list_display = (
        "nom",
        "type_ressource",
        "site",
        "capacite_maximum",
        "etat",
        "validation_requise",
        "localisation_batiment",
    )
    list_filter = ("type_ressource", "etat", "validation_requise", "checkin_requis", "site")
    list_select_related = ("site",)
    search_fields = ("nom", "description", "localisation_batiment", "site__nom")
    autocomplete_fields = ("site",)
    ordering = ("site__nom", "nom")
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
        ("Arrivée", {"fields": ("checkin_requis", "delai_checkin_minutes")}),
    )


# --- The ressources of a site, inline on its admin page ------------------------------------
# ``sites`` knows nothing of ressources: the SiteAdmin is served here with them added.


class RessourceInline(admin.TabularInline):
    model = Ressource
    fields = (
        "nom",
        "type_ressource",
        "capacite_maximum",
        "etat",
        "validation_requise",
        "localisation_batiment",
    )
    extra = 0
    show_change_link = True


class SiteAvecRessourcesAdmin(SiteAdmin):
    inlines = (*SiteAdmin.inlines, RessourceInline)


admin.site.unregister(Site)
admin.site.register(Site, SiteAvecRessourcesAdmin)
