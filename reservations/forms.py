"""Back-office forms for reservations and unavailability periods.

They validate through the services' check-only entry points (``preparer_reservation``,
``preparer_modification``, ``preparer_disponibilite``), which lock, apply every rule and
return the checked object unsaved; a refusal becomes a form error. The admin's ``save_model``
then saves that object (``enregistrer_verifiee``...) in the same transaction (the admin's
POST runs in one), so the rules run once and nothing slips in between check and save.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.utils import timezone

from resa_project.erreurs import ErreurDomaine

from . import regles, services
from .models import Reservation, ResourceAvailability

MSG_CONFLITS_RESERVATION = "Le créneau est déjà pris : {conflits}."
MSG_CONFLITS_DISPONIBILITE = (
    "Des réservations occupent cette période : {conflits}. Cochez « annuler les réservations "
    "en conflit » pour les annuler."
)
LIBELLES_CONFLIT = {"reservation": "réservation", "indisponibilite": "indisponibilité"}


def _moment(valeur):
    return timezone.localtime(valeur).strftime("%d/%m/%Y %H:%M")


def decrire_conflits(conflits) -> str:
    """``[{"type", "id", "debut", "fin"}, ...]`` as one French sentence fragment."""
    return "; ".join(
        f"{LIBELLES_CONFLIT.get(c['type'], c['type'])} n°{c['id']} "
        f"du {_moment(c['debut'])} au {_moment(c['fin'])}"
        for c in conflits
    )


def exiger_utilisateur(form):
    """The services need the actor: never guess it (nor its rights) for a form."""
    if form.utilisateur is None:
        raise ImproperlyConfigured(
            f"{type(form).__name__}.utilisateur doit être l'utilisateur du back-office."
        )


def ajouter_erreur(form, exc):
    """Put a domain error or a Django ``ValidationError`` from the rules onto ``form``."""
    if isinstance(exc, regles.ConflitReservation):
        form.add_error(
            None,
            MSG_CONFLITS_RESERVATION.format(conflits=decrire_conflits(exc.donnees["conflits"])),
        )
    elif isinstance(exc, ErreurDomaine):
        form.add_error(None, exc.detail)
    elif hasattr(exc, "error_dict"):
        for champ, erreurs in exc.message_dict.items():
            cible = champ if champ in form.fields else None
            if champ == "non_field_errors":
                cible = None
            form.add_error(cible, erreurs)
    else:
        form.add_error(None, exc.messages)


def _sans_cr(texte):
    """Browsers send line breaks as CRLF; the API stores LF: an untouched text stays equal
    (no rewritten note, no journaled non-change)."""
    return texte.replace("\r\n", "\n") if isinstance(texte, str) else texte


class ReservationAdminForm(forms.ModelForm):
    """A booking made in the back-office: the rules of ``regles.verifier_creneau``."""

    #: The admin's user (the services' ``par``), set by ``ReservationAdmin.get_form``.
    utilisateur = None
    #: The checked, unsaved booking that ``save_model`` saves (``None``: nothing changed).
    verifiee = None

    class Meta:
        model = Reservation
        fields = ("ressource", "user", "debut", "fin", "nbr_participants", "description", "note")
        help_texts = {"user": "Laisser vide pour réserver à votre nom."}

    def clean_description(self):
        return _sans_cr(self.cleaned_data.get("description"))

    def clean_note(self):
        return _sans_cr(self.cleaned_data.get("note"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].required = False

    def clean(self):
        cleaned = super().clean()
        exiger_utilisateur(self)
        if self.errors:
            return cleaned
        reservation = self.instance
        try:
            if reservation.pk:
                champs = {
                    champ: cleaned[champ]
                    for champ in services.CHAMPS_MODIFIABLES
                    if champ in self.changed_data
                }
                if champs:
                    self.verifiee = services.preparer_modification(
                        reservation, par=self.utilisateur, **champs
                    )
            else:
                self.verifiee = services.preparer_reservation(
                    par=self.utilisateur,
                    user=cleaned.get("user"),
                    **{champ: cleaned.get(champ) for champ in services.CHAMPS_MODIFIABLES},
                )
        except (ValidationError, ErreurDomaine) as exc:
            ajouter_erreur(self, exc)
        return cleaned


class DisponibiliteAdminForm(forms.ModelForm):
    """An unavailability period: the model's rules (``full_clean``), then the reservations
    it would cancel, which are refused unless the box is ticked."""

    annuler_conflits = forms.BooleanField(
        label="Annuler les réservations en conflit",
        required=False,
        help_text="Les réservations en attente ou confirmées qui chevauchent la période "
        "seront annulées, avec la raison dans leur note.",
    )

    class Meta:
        model = ResourceAvailability
        fields = (
            "ressource",
            "type_disponibilite",
            "debut",
            "fin",
            "recurrence",
            "fin_recurrence",
            "raison_indisponibilite",
        )

    #: The admin's user (the services' ``par``), set by the admin's ``get_form`` or
    #: ``get_formset``.
    utilisateur = None
    #: The checked, unsaved period that the admin saves (``None``: checked at save time).
    verifiee = None

    def _post_clean(self):
        super()._post_clean()  # builds the instance and runs its full_clean()
        exiger_utilisateur(self)
        periode = self.instance
        if self.errors or not periode.ressource_id:
            # A new ressource's inline periods: checked when saved, after the ressource.
            return
        stockee = (
            ResourceAvailability.objects.select_related("ressource").get(pk=periode.pk)
            if periode.pk
            else None
        )
        champs = {
            champ: self.cleaned_data[champ]
            for champ in services.CHAMPS_DISPONIBILITE
            if champ in self.cleaned_data
        }
        try:
            self.verifiee = services.preparer_disponibilite(
                stockee,
                par=self.utilisateur,
                annuler_conflits=self.cleaned_data.get("annuler_conflits"),
                **champs,
            )
        except regles.ConflitReservation as exc:
            self.add_error(
                NON_FIELD_ERRORS,
                MSG_CONFLITS_DISPONIBILITE.format(
                    conflits=decrire_conflits(exc.donnees["conflits"])
                ),
            )
        except (ValidationError, ErreurDomaine) as exc:
            ajouter_erreur(self, exc)
