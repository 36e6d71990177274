"""Back-office for reservations and unavailability periods.

Every state change goes through ``reservations.services`` (the same code as the API):
the forms check the rules, ``save_model`` books, moves or records through the services,
and the actions confirm or cancel with the same refusals as the API.
"""

from dataclasses import replace

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from resa_project.erreurs import ErreurDomaine

from . import services
from .forms import DisponibiliteAdminForm, ReservationAdminForm
from .models import STATUTS_BLOQUANTS, Reservation, ResourceAvailability


class ServicesAdminMixin:
    """Last resort: a domain error raised while saving (the forms already checked the rules,
    so only a race could get here) is shown as a message, never a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ErreurDomaine, ValidationError) as exc:
            detail = exc.detail if isinstance(exc, ErreurDomaine) else " ".join(exc.messages)
            self.message_user(request, detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class SuppressionAuFemininMixin:
    """Django's bulk deletion reads "Supprimer les <pluriel> sélectionnés", in the masculine;
    réservations, disponibilités and ressources are feminine."""

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        suppression = actions.get("delete_selected")
        if suppression is not None:
            description = f"Supprimer les {self.model._meta.verbose_name_plural} sélectionnées"
            actions["delete_selected"] = replace(
                suppression, description=description, plural_description=description
            )
        return actions


def _copier(source, cible):
    """Copy the saved values of ``source`` onto the admin's own instance ``cible``."""
    for champ in source._meta.concrete_fields:
        setattr(cible, champ.attname, getattr(source, champ.attname))
    cible._state.adding = False


@admin.register(Reservation)
class ReservationAdmin(SuppressionAuFemininMixin, ServicesAdminMixin, admin.ModelAdmin):
    form = ReservationAdminForm
    list_display = (
        "id",
        "ressource",
        "site",
        "user",
        "debut",
        "fin",
        "statut",
        "nbr_participants",
        "createur",
    )
    list_display_links = ("id", "ressource")
    list_filter = (
        "statut",
        ("ressource__site", admin.RelatedOnlyFieldListFilter),
        "ressource__type_ressource",
        ("ressource", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("ressource__site", "user", "createur")
    search_fields = (
        "description",
        "note",
        "ressource__nom",
        "user__email",
        "user__nom_prenom",
    )
    autocomplete_fields = ("ressource", "user")
    date_hierarchy = "debut"
    ordering = ("-debut",)
    actions = ("confirmer", "annuler")
    fieldsets = (
        (None, {"fields": ("ressource", "user", "debut", "fin", "nbr_participants")}),
        ("Détails", {"fields": ("description", "note")}),
        (
            "Suivi",
            {"fields": ("statut", "createur", "date_creation", "date_modification")},
        ),
    )

    @admin.display(description="site", ordering="ressource__site__nom")
    def site(self, reservation):
        return reservation.ressource.site

    def get_readonly_fields(self, request, obj=None):
        suivi = ("statut", "createur", "date_creation", "date_modification")
        return ("user", *suivi) if obj else suivi

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets[:2]
        return self.fieldsets

    def has_change_permission(self, request, obj=None):
        # A cancelled or finished reservation is history: shown read-only.
        if obj is not None and obj.statut not in STATUTS_BLOQUANTS:
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.utilisateur = request.user
        return form

    def save_model(self, request, obj, form, change):
        donnees = form.cleaned_data
        if change:
            champs = {
                champ: donnees[champ]
                for champ in services.CHAMPS_MODIFIABLES
                if champ in form.changed_data
            }
            if not champs:
                return
            enregistree = services.modifier(obj, par=request.user, **champs)
        else:
            enregistree = services.reserver(
                par=request.user,
                user=donnees.get("user"),
                **{champ: donnees[champ] for champ in services.CHAMPS_MODIFIABLES},
            )
        _copier(enregistree, obj)

    def _appliquer(self, request, queryset, service, succes):
        faites, refus = 0, []
        for reservation in queryset:
            try:
                service(reservation, par=request.user)
            except ErreurDomaine as exc:
                refus.append(f"n°{reservation.pk} : {exc.detail}")
            else:
                faites += 1
        if faites:
            self.message_user(request, succes.format(n=faites), messages.SUCCESS)
        if refus:
            self.message_user(
                request,
                f"{len(refus)} réservation(s) refusée(s) — " + " ; ".join(refus),
                messages.WARNING,
            )

    @admin.action(description="Confirmer les réservations sélectionnées")
    def confirmer(self, request, queryset):
        self._appliquer(request, queryset, services.confirmer, "{n} réservation(s) confirmée(s).")

    @admin.action(description="Annuler les réservations sélectionnées")
    def annuler(self, request, queryset):
        self._appliquer(request, queryset, services.annuler, "{n} réservation(s) annulée(s).")


@admin.register(ResourceAvailability)
class ResourceAvailabilityAdmin(SuppressionAuFemininMixin, ServicesAdminMixin, admin.ModelAdmin):
    form = DisponibiliteAdminForm
    list_display = (
        "ressource",
        "site",
        "type_disponibilite",
        "debut",
        "fin",
        "recurrence",
        "fin_recurrence",
        "raison_indisponibilite",
    )
    list_filter = (
        "type_disponibilite",
        "recurrence",
        ("ressource__site", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("ressource__site",)
    search_fields = ("raison_indisponibilite", "ressource__nom")
    autocomplete_fields = ("ressource",)
    date_hierarchy = "debut"
    ordering = ("-debut",)

    @admin.display(description="site", ordering="ressource__site__nom")
    def site(self, periode):
        return periode.ressource.site

    def save_model(self, request, obj, form, change):
        enregistrer_disponibilite(request, obj, form, self)


def enregistrer_disponibilite(request, periode, form, model_admin):
    """Save through the service and say which reservations it cancelled."""
    _, annulees = services.enregistrer_disponibilite(
        periode, par=request.user, annuler_conflits=form.cleaned_data.get("annuler_conflits")
    )
    if annulees:
        model_admin.message_user(
            request,
            "Réservation(s) annulée(s) : " + ", ".join(f"n°{pk}" for pk in annulees) + ".",
            messages.WARNING,
        )
