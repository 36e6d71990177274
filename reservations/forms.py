"""Back-office forms for reservations and unavailability periods.

They check the same rules as the API, by calling ``regles`` and ``services`` (never a copy
of a rule): an invalid entry becomes a form error, and the admin's ``save_model`` then saves
through the services. Inside the admin's POST transaction the ressource is locked before the
check, so nothing can slip in between the check and the save.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from resa_project.erreurs import ErreurDomaine

from . import regles, services
from .models import STATUTS_BLOQUANTS, Reservation, ResourceAvailability

MSG_CONFLITS_RESERVATION = "Le créneau est déjà pris : {conflits}."
MSG_CONFLITS_DISPONIBILITE = (
    "Des réservations occupent cette période : {conflits}. Cochez « annuler les réservations "
    "en conflit » pour les annuler."
)
MSG_RESERVATION_CLOSE = "Cette réservation est {statut} : elle ne peut plus être modifiée."
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


def verrouiller_si_transaction(*ressources):
    """Lock the ressources when a transaction is open (the admin's POST runs in one)."""
    if transaction.get_connection().in_atomic_block:
        services.verrouiller(*ressources)


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


class ReservationAdminForm(forms.ModelForm):
    """A booking made in the back-office: the rules of ``regles.verifier_creneau``."""

    #: The admin's user, set by ``ReservationAdmin.get_form`` (admins may book in the past).
    utilisateur = None

    class Meta:
        model = Reservation
        fields = ("ressource", "user", "debut", "fin", "nbr_participants", "description", "note")
        help_texts = {"user": "Laisser vide pour réserver à votre nom."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].required = False

    def clean(self):
        cleaned = super().clean()
        reservation = self.instance
        if reservation.pk and reservation.statut not in STATUTS_BLOQUANTS:
            raise ValidationError(
                MSG_RESERVATION_CLOSE.format(statut=reservation.get_statut_display().lower())
            )
        ressource = cleaned.get("ressource", reservation.ressource if reservation.pk else None)
        debut = cleaned.get("debut")
        fin = cleaned.get("fin")
        if ressource is None or debut is None or fin is None or self.errors:
            return cleaned
        anciennes = [reservation.ressource] if reservation.pk else []
        verrouiller_si_transaction(ressource, *anciennes)
        try:
            regles.verifier_creneau(
                ressource,
                debut,
                fin,
                nbr_participants=cleaned.get("nbr_participants"),
                admin=self.utilisateur is None or self.utilisateur.est_admin,
                passe_verifie=not reservation.pk or debut != reservation.debut,
                exclure=reservation if reservation.pk else None,
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

    def _post_clean(self):
        super()._post_clean()  # builds the instance and runs its full_clean()
        periode = self.instance
        if self.errors or not periode.ressource_id:
            return
        verrouiller_si_transaction(periode.ressource)
        conflits = services.reservations_en_conflit(periode)
        if conflits and not self.cleaned_data.get("annuler_conflits"):
            self.add_error(
                NON_FIELD_ERRORS,
                MSG_CONFLITS_DISPONIBILITE.format(
                    conflits=decrire_conflits(
                        [
                            {"type": "reservation", "id": r.pk, "debut": r.debut, "fin": r.fin}
                            for r in conflits
                        ]
                    )
                ),
            )
