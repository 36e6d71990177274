"""Back-office of series (API.md C7): read-only, with their occurrences listed and an
action that cancels the coming ones through ``series.annuler_serie`` (the API's service,
one ``reservation.annulee`` each, B's rules for the admin)."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from . import series
from .models import Reservation, Serie


class OccurrenceInline(admin.TabularInline):
    """The series' reservations, each linked to its own page (where it can be changed or
    cancelled alone)."""

    model = Reservation
    fk_name = "serie"
    verbose_name = "occurrence"
    verbose_name_plural = "occurrences"
    fields = ("debut", "fin", "statut", "description", "checkin_le")
    readonly_fields = fields
    ordering = ("debut", "id")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Serie)
class SerieAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "ressource",
        "user",
        "origine",
        "mode",
        "nombre_occurrences",
        "date_creation",
    )
    list_display_links = ("id", "ressource")
    list_filter = ("origine", "mode", ("ressource__site", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("ressource", "user")
    search_fields = ("description", "ressource__nom", "user__email", "user__nom_prenom")
    date_hierarchy = "date_creation"
    ordering = ("-date_creation",)
    inlines = (OccurrenceInline,)
    actions = ("annuler_a_venir",)
    readonly_fields = (
        "ressource",
        "user",
        "createur",
        "origine",
        "recurrence",
        "mode",
        "description",
        "nbr_participants",
        "note",
        "date_creation",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(nb_occurrences=Count("reservations"))

    @admin.display(description="occurrences", ordering="nb_occurrences")
    def nombre_occurrences(self, serie):
        return serie.nb_occurrences

    def has_add_permission(self, request):
        return False  # series are booked through the API (rules, report, alternatives)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Annuler les occurrences à venir (à partir d'aujourd'hui)")
    def annuler_a_venir(self, request, queryset):
        annulees, refus = 0, []
        for serie in queryset:
            resultat = series.annuler_serie(
                serie,
                par=request.user,
                a_partir_du=timezone.localdate(),
                reservations=list(serie.reservations.all()),
            )
            annulees += len(resultat.annulees)
            refus += [f"n°{r['reservation_id']} : {r['detail']}" for r in resultat.refusees]
        self.message_user(request, f"{annulees} occurrence(s) annulée(s).", messages.SUCCESS)
        if refus:
            self.message_user(
                request,
                f"{len(refus)} occurrence(s) refusée(s) — " + " ; ".join(refus),
                messages.WARNING,
            )
