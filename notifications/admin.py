"""The outbox in the back-office: read-only, with one action to send failed messages
again (through ``services.renvoyer``)."""

from django.contrib import admin, messages
from django.utils.text import Truncator

from . import services
from .models import Courriel, StatutCourriel

MSG_RENVOYES = "{n} courriel(s) remis en envoi."
MSG_AUCUN_ECHEC = "Aucun courriel en échec dans la sélection."


@admin.register(Courriel)
class CourrielAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "date_creation",
        "type",
        "adresse",
        "sujet",
        "statut",
        "tentatives",
        "prochaine_tentative",
        "envoye_le",
        "erreur",
    )
    list_filter = ("statut", "type", "methode_ics", "date_creation")
    search_fields = ("cle", "adresse", "sujet")
    date_hierarchy = "date_creation"
    actions = ("renvoyer",)
    fieldsets = (
        (None, {"fields": ("cle", "type", "destinataire", "adresse", "reservation", "evenement")}),
        (
            "Envoi",
            {
                "fields": (
                    "statut",
                    "tentatives",
                    "prochaine_tentative",
                    "reclame_le",
                    "envoye_le",
                    "derniere_erreur",
                    "date_creation",
                )
            },
        ),
        ("Contenu", {"fields": ("sujet", "texte", "html", "methode_ics", "ics")}),
    )

    @admin.display(description="dernière erreur")
    def erreur(self, courriel):
        return Truncator(courriel.derniere_erreur).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Renvoyer les courriels en échec sélectionnés")
    def renvoyer(self, request, queryset):
        cles = services.renvoyer(queryset.filter(statut=StatutCourriel.ECHEC), par=request.user)
        if cles:
            self.message_user(request, MSG_RENVOYES.format(n=len(cles)), messages.SUCCESS)
        else:
            self.message_user(request, MSG_AUCUN_ECHEC, messages.WARNING)
