"""Query parameters of the reservation and unavailability lists, read by the shared parsers
of ``resa_project.parametres``."""

from django_filters import rest_framework as filters

from resa_project.parametres import (
    MSG_CHOIX,
    FenetreForm,
    FenetreMixin,
    FiltresLegers,
    IdFilter,
    TriMixin,
    filtre_choix,
    filtres_fenetre,
    filtres_tri,
)

from .models import Reservation, ResourceAvailability, StatutReservation, TypeDisponibilite

TRIS = {"debut": "debut", "date_creation": "date_creation"}
TRI_DEFAUT = "debut"


class StatutsFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """``statut=en_cours,confirme``: each value must be a known statut."""


class ReservationFilter(FiltresLegers, TriMixin, FenetreMixin, filters.FilterSet):
    tris, tri_defaut = TRIS, TRI_DEFAUT

    du, au = filtres_fenetre()
    ressource_id = IdFilter(field_name="ressource", help_text="Réservations de cette ressource.")
    user_id = IdFilter(field_name="user", help_text="Réservations pour cet utilisateur.")
    site_id = IdFilter(
        field_name="ressource__site", help_text="Réservations des ressources de ce site."
    )
    serie_id = IdFilter(field_name="serie", help_text="Occurrences de cette série.")
    statut = StatutsFilter(
        field_name="statut",
        choices=StatutReservation.choices,
        error_messages={
            "invalid_choice": MSG_CHOIX.format(
                nom="Chaque statut", choix=", ".join(StatutReservation.values)
            )
        },
        help_text="Un ou plusieurs statuts séparés par des virgules (en_cours,confirme).",
    )
    sort_by, sort_order = filtres_tri(TRIS, TRI_DEFAUT)

    class Meta:
        model = Reservation
        fields = []
        form = FenetreForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if fenetre := self.fenetre():
            queryset = queryset.chevauche(*fenetre)
        return queryset


class DisponibiliteFilter(FenetreMixin, filters.FilterSet):
    """``du``/``au``: a ``ponctuel`` period is kept when it overlaps the window; a repeating
    one when its span (first occurrence up to ``fin_recurrence``, or for ever) may reach into
    it. Occurrences are not expanded here: ``/ressources/{id}/planning`` does that."""

    du, au = filtres_fenetre()
    ressource_id = IdFilter(field_name="ressource", help_text="Périodes de cette ressource.")
    type_disponibilite = filtre_choix(
        "type_disponibilite",
        TypeDisponibilite.choices,
        field_name="type_disponibilite",
        help_text="Type de période.",
    )

    class Meta:
        model = ResourceAvailability
        fields = []
        form = FenetreForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if fenetre := self.fenetre():
            queryset = queryset.pouvant_toucher(*fenetre)
        return queryset
