"""Query parameters of the reservation and unavailability lists."""

import re
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_filters import rest_framework as filters

from .models import Reservation, ResourceAvailability, StatutReservation, TypeDisponibilite

MSG_DATE = "Date invalide : attendu une date ISO 8601 (AAAA-MM-JJ) ou une date et heure."
MSG_FENETRE = "au doit être postérieur à du."
MSG_ID = "Identifiant invalide : attendu un entier positif."

_DATE_SEULE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Open bounds of a window given by only one of du/au (valid on SQLite and PostgreSQL).
_TOUT_DEBUT = datetime(1900, 1, 1, tzinfo=UTC)
_TOUTE_FIN = datetime(9999, 1, 1, tzinfo=UTC)
_ID_MAX = 2**63 - 1

SORT_BY = ("debut", "date_creation")
SORT_ORDER = ("asc", "desc")


class BorneField(forms.DateTimeField):
    """An ISO datetime (without offset: organisation zone), or a plain date: its midnight,
    or with ``fin_de_journee`` the next midnight, so that ``du=J&au=J`` is the whole day J."""

    default_error_messages = {"invalid": MSG_DATE}

    def __init__(self, *args, fin_de_journee=False, **kwargs):
        self.fin_de_journee = fin_de_journee
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and _DATE_SEULE.match(value.strip()):
            try:
                jour = date.fromisoformat(value.strip())
            except ValueError:
                raise ValidationError(MSG_DATE, code="invalid") from None
            if self.fin_de_journee:
                if jour >= _TOUTE_FIN.date():
                    return _TOUTE_FIN
                jour += timedelta(days=1)
            return timezone.make_aware(datetime.combine(jour, time.min))
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(MSG_DATE, code="invalid") from None


class BorneFilter(filters.CharFilter):
    """One bound of a time window; applied by the FilterSet, which knows both bounds."""

    field_class = BorneField

    def filter(self, qs, value):
        return qs


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", _ID_MAX)
        kwargs.setdefault("error_messages", {"invalid": MSG_ID})
        super().__init__(*args, **kwargs)


class StatutsFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """``statut=en_cours,confirme``: each value must be a known statut."""


class _FenetreForm(forms.Form):
    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du is not None and au is not None and au <= du:
            self.add_error("au", MSG_FENETRE)
        return donnees


class _FenetreFilterSet(filters.FilterSet):
    du = BorneFilter(
        help_text="Début de la fenêtre (date et heure ISO 8601, ou date : minuit, fuseau de l'organisation)."
    )
    au = BorneFilter(
        fin_de_journee=True,
        help_text="Fin de la fenêtre, exclue (date et heure ISO 8601, ou date : toute la journée incluse).",
    )

    def fenetre(self):
        du, au = self.form.cleaned_data.get("du"), self.form.cleaned_data.get("au")
        if du is None and au is None:
            return None
        # Clamped, so that absurd but valid dates (year 1, year 9999) stay computable.
        du = max(du, _TOUT_DEBUT) if du is not None else _TOUT_DEBUT
        au = min(au, _TOUTE_FIN) if au is not None else _TOUTE_FIN
        return du, au


class ReservationFilter(_FenetreFilterSet):
    ressource_id = IdFilter(field_name="ressource", help_text="Réservations de cette ressource.")
    user_id = IdFilter(field_name="user", help_text="Réservations pour cet utilisateur.")
    site_id = IdFilter(
        field_name="ressource__site", help_text="Réservations des ressources de ce site."
    )
    statut = StatutsFilter(
        field_name="statut",
        choices=StatutReservation.choices,
        help_text="Un ou plusieurs statuts séparés par des virgules (en_cours,confirme).",
    )
    sort_by = filters.ChoiceFilter(
        choices=[(c, c) for c in SORT_BY],
        method="_trier",
        empty_label=None,
        help_text="Tri : debut (par défaut) ou date_creation.",
    )
    sort_order = filters.ChoiceFilter(
        choices=[(c, c) for c in SORT_ORDER],
        method="_trier",
        empty_label=None,
        help_text="Sens du tri : asc (par défaut) ou desc.",
    )

    class Meta:
        model = Reservation
        fields = []
        form = _FenetreForm

    def _trier(self, queryset, name, value):
        return queryset

    def tri(self):
        """``(sort_by, sort_order)`` actually applied."""
        donnees = self.form.cleaned_data
        return donnees.get("sort_by") or "debut", donnees.get("sort_order") or "asc"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if fenetre := self.fenetre():
            queryset = queryset.chevauche(*fenetre)
        sort_by, sort_order = self.tri()
        prefixe = "-" if sort_order == "desc" else ""
        return queryset.order_by(f"{prefixe}{sort_by}", f"{prefixe}id")


class DisponibiliteFilter(_FenetreFilterSet):
    """``du``/``au``: a ``ponctuel`` period is kept when it overlaps the window; a repeating
    one when its span (first occurrence up to ``fin_recurrence``, or for ever) may reach into
    it. Occurrences are not expanded here: ``/ressources/{id}/planning`` does that."""

    ressource_id = IdFilter(field_name="ressource", help_text="Périodes de cette ressource.")
    type_disponibilite = filters.ChoiceFilter(
        field_name="type_disponibilite",
        choices=TypeDisponibilite.choices,
        help_text="Type de période.",
    )

    class Meta:
        model = ResourceAvailability
        fields = []
        form = _FenetreForm

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if fenetre := self.fenetre():
            queryset = queryset.pouvant_toucher(*fenetre)
        return queryset
