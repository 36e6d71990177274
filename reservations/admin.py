"""Back-office for reservations and unavailability periods.

Every state change goes through ``reservations.services`` (the same code as the API):
the forms check with the services' check-only entry points, ``save_model`` saves what they
checked (same transaction), deletions and the actions call the services too, with the same
refusals as the API; each change is journaled with the ``admin`` channel.
"""

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from resa_project.admin import ServicesAdminMixin, SuppressionAuFemininMixin
from resa_project.erreurs import ErreurDomaine
from ressources.admin import RessourceAdmin
from ressources.models import Ressource

from . import services
from .forms import DisponibiliteAdminForm, ReservationAdminForm
from .models import (
    STATUTS_BLOQUANTS,
    Evenement,
    Reservation,
    ResourceAvailability,
    StatutReservation,
)


def _copier(source, cible):
    """Copy the saved values of ``source`` onto the admin's own instance ``cible``."""
    for champ in source._meta.concrete_fields:
        setattr(cible, champ.attname, getattr(source, champ.attname))
    cible._state.adding = False


# The journal's values are the API's (ids, ISO datetimes, wire values): shown in French.
_NOMS_LIES = {"ressource_id": Ressource, "user_id": User, "createur_id": User}
_DATES = {"debut", "fin", "checkin_le"}


def _libelle(champ: str) -> str:
    try:
        return Reservation._meta.get_field(champ.removesuffix("_id")).verbose_name.capitalize()
    except FieldDoesNotExist:
        return champ


def _noms(evenements) -> dict:
    """``{(champ, id): name}`` of the ressources and users the events mention (one query
    per model)."""
    ids = {}
    for evenement in evenements:
        for champ, valeurs in evenement.changements.items():
            if champ in _NOMS_LIES:
                ids.setdefault(_NOMS_LIES[champ], set()).update(v for v in valeurs if v)
    noms = {}
    for modele, pks in ids.items():
        for objet in modele.objects.filter(pk__in=pks):
            noms[modele, objet.pk] = str(objet)
    return {
        (champ, pk): nom
        for champ, modele in _NOMS_LIES.items()
        for (m, pk), nom in noms.items()
        if m is modele
    }


def _valeur(champ, valeur, noms) -> str:
    if valeur is None:
        return "—"
    if valeur == "":
        return ""  # the template shows "(vide)", and hides a creation's empty fields
    if champ in _NOMS_LIES:
        return noms.get((champ, valeur), f"n°{valeur} (supprimé)")
    if champ == "statut" and valeur in StatutReservation.values:
        return StatutReservation(valeur).label
    if champ in _DATES and (moment := parse_datetime(str(valeur))):
        return formats.date_format(timezone.localtime(moment), "d/m/Y H:i")
    return str(valeur)


def lignes_historique(reservation_id):
    """The journal of a reservation for its admin page, oldest first, in French: field
    labels, names instead of ids, local dates, statut labels."""
    evenements = list(
        Evenement.objects.filter(reservation_id=reservation_id)
        .select_related("acteur")
        .order_by("id")
    )
    noms = _noms(evenements)
    return [
        {
            "evenement": evenement,
            "acteur": evenement.acteur or "Système",
            "changements": [
                (_libelle(champ), _valeur(champ, avant, noms), _valeur(champ, apres, noms))
                for champ, (avant, apres) in evenement.changements.items()
            ],
        }
        for evenement in evenements
    ]


@admin.register(Reservation)
class ReservationAdmin(SuppressionAuFemininMixin, ServicesAdminMixin, admin.ModelAdmin):
    form = ReservationAdminForm
    # The change page ends with the reservation's history (the journal, as /historique).
    change_form_template = "admin/reservations/reservation/change_form.html"
    list_display = (
        "id",
        "ressource",
        "site",
        "user",
        "debut",
        "fin",
        "statut",
        "checkin_le",
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
    # ``site`` is the reservation's own (the ressource's, frozen at booking time).
    list_select_related = ("ressource__site", "site", "user", "createur")
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
    actions = ("confirmer", "annuler", "liberer")
    fieldsets = (
        (None, {"fields": ("ressource", "user", "debut", "fin", "nbr_participants")}),
        ("Détails", {"fields": ("description", "note")}),
        (
            "Suivi",
            {
                "fields": (
                    "statut",
                    "createur",
                    "date_creation",
                    "date_modification",
                    "checkin_le",
                    "checkin_limite",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        suivi = (
            "statut",
            "createur",
            "date_creation",
            "date_modification",
            "checkin_le",
            "checkin_limite",
        )
        return ("user", *suivi) if obj else suivi

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets[:2]
        return self.fieldsets

    def change_view(self, request, object_id, form_url="", extra_context=None):
        historique = lignes_historique(int(object_id)) if str(object_id).isdigit() else []
        extra_context = {**(extra_context or {}), "historique": historique}
        return super().change_view(request, object_id, form_url, extra_context)

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
        # The form checked the booking with the services (same transaction, locks held).
        if form.verifiee is None:
            return  # a change that changes nothing
        _copier(services.enregistrer_verifiee(form.verifiee), obj)

    def delete_model(self, request, obj):
        services.supprimer_reservation(obj, par=request.user)

    def delete_queryset(self, request, queryset):
        for reservation in queryset:
            services.supprimer_reservation(reservation, par=request.user)

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

    @admin.action(description="Libérer (personne ne s'est présenté)")
    def liberer(self, request, queryset):
        if not request.user.est_admin:
            self.message_user(
                request, "Seul un administrateur peut libérer une réservation.", messages.ERROR
            )
            return
        self._appliquer(request, queryset, services.liberer, "{n} réservation(s) libérée(s).")


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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.utilisateur = request.user
        return form

    def save_model(self, request, obj, form, change):
        enregistrer_disponibilite(request, obj, form, self)

    def delete_model(self, request, obj):
        services.supprimer_disponibilite(obj, par=request.user)

    def delete_queryset(self, request, queryset):
        for periode in queryset:
            services.supprimer_disponibilite(periode, par=request.user)


def enregistrer_disponibilite(request, periode, form, model_admin):
    """Save the period that ``form`` checked (``form.verifiee``) and say which reservations
    it cancelled. A new ressource's inline periods could not be checked before the ressource
    existed: they go through the whole service here (the stored row, if any, is what the
    service compares the form's values with; the form has already copied them onto
    ``periode``)."""
    if form.verifiee is not None:
        enregistree, annulees = services.enregistrer_periode_verifiee(form.verifiee)
    else:
        stockee = (
            ResourceAvailability.objects.select_related("ressource").get(pk=periode.pk)
            if periode.pk
            else None
        )
        champs = {
            champ: form.cleaned_data[champ]
            for champ in services.CHAMPS_DISPONIBILITE
            if champ in form.cleaned_data
        }
        enregistree, annulees = services.enregistrer_disponibilite(
            stockee,
            par=request.user,
            annuler_conflits=form.cleaned_data.get("annuler_conflits"),
            **champs,
        )
    _copier(enregistree, periode)
    if annulees:
        model_admin.message_user(
            request,
            "Réservation(s) annulée(s) : " + ", ".join(f"n°{pk}" for pk in annulees) + ".",
            messages.WARNING,
        )


# --- The periods of a ressource, inline on its admin page ----------------------------------
# ``ressources`` knows nothing of reservations: the catalogue's RessourceAdmin is served here
# with the periods added.


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

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.utilisateur = request.user
        return formset


class RessourceAvecPeriodesAdmin(RessourceAdmin):
    inlines = (*RessourceAdmin.inlines, DisponibiliteInline)
    # Its delete page, the "delete selected" action and the site page's inline delete the
    # periods with their events (the database's cascade would leave none).
    service_supprimer = staticmethod(services.supprimer_ressource_et_periodes)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ResourceAvailability:
            return super().save_formset(request, form, formset, change)
        periodes = formset.save(commit=False)
        for periode in formset.deleted_objects:
            services.supprimer_disponibilite(periode, par=request.user)
        for form_periode in formset.forms:
            if form_periode.instance in periodes:
                enregistrer_disponibilite(request, form_periode.instance, form_periode, self)


admin.site.unregister(Ressource)
admin.site.register(Ressource, RessourceAvecPeriodesAdmin)

# The series' back-office (API.md C7) lives beside this one.
from . import admin_series  # noqa: E402, F401
