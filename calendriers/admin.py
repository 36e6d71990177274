from django.contrib import admin, messages

from . import services
from .models import FluxCalendrier


@admin.register(FluxCalendrier)
class FluxCalendrierAdmin(admin.ModelAdmin):
    """The feed addresses, to revoke one for any user (a lost phone). The secret itself is
    never stored: there is nothing to show but who has a feed and since when."""

    list_display = ("user", "date_creation")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__nom_prenom")
    ordering = ("-date_creation",)
    fields = ("user", "date_creation")
    readonly_fields = ("user", "date_creation")
    actions = ("revoquer",)

    def has_add_permission(self, request):
        return False  # made by their owner only: the secret is shown to them alone

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.revoquer_flux(obj.user, par=request.user)

    def delete_queryset(self, request, queryset):
        for abonnement in queryset.select_related("user"):
            services.revoquer_flux(abonnement.user, par=request.user)

    @admin.action(description="Révoquer les flux sélectionnés")
    def revoquer(self, request, queryset):
        nombre = 0
        for abonnement in queryset.select_related("user"):
            nombre += services.revoquer_flux(abonnement.user, par=request.user)
        self.message_user(request, f"{nombre} flux révoqué(s).", messages.SUCCESS)
