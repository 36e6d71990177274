"""Query parameters of ``/statistiques``, read by the shared parsers of
``resa_project.parametres`` (a 400 naming the parameter for anything else)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from rest_framework import serializers

from resa_project.parametres import MSG_CHOIX, IdField, lire_date
from ressources.models import TypeRessource

from .selectors import GROUPEMENTS, Demande

JOURS_MAX = 366
JOURS_DEFAUT = 30
MSG_ORDRE = "au doit être le même jour que du ou un jour postérieur."
MSG_TROP_LONG = f"La période couvre au plus {JOURS_MAX} jours."


class JourField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        return lire_date(value)


def _ou(valeurs) -> str:
    return f"{', '.join(valeurs[:-1])} ou {valeurs[-1]}"


def _choix(nom, valeurs):
    return forms.ChoiceField(
        required=False,
        choices=[(v, v) for v in valeurs],
        error_messages={"invalid_choice": MSG_CHOIX.format(nom=nom, choix=_ou(list(valeurs)))},
    )


class PeriodeForm(forms.Form):
    du = JourField(required=False)
    au = JourField(required=False)
    site_id = IdField(required=False)
    type_of_ressource = _choix("type_of_ressource", TypeRessource.values)

    def clean(self):
        donnees = super().clean()
        if self.errors:
            return donnees
        au = donnees.get("au") or timezone.localdate()
        du = donnees.get("du") or au - timedelta(days=JOURS_DEFAUT - 1)
        if au < du:
            self.add_error("au", MSG_ORDRE)
        elif (au - du).days + 1 > JOURS_MAX:
            self.add_error("au", MSG_TROP_LONG)
        donnees["du"], donnees["au"] = du, au
        return donnees


class StatistiquesForm(PeriodeForm):
    grouper_par = _choix("grouper_par", GROUPEMENTS)
    department_id = IdField(required=False)
    ressource_id = IdField(required=False)


def lire_demande(request, form_class=StatistiquesForm) -> Demande:
    form = form_class(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError({nom: list(e) for nom, e in form.errors.items()})
    donnees = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return Demande(user=request.user, **donnees)
