"""Who is told what (API.md C3's table), through the real path: a service changes a
reservation, the journal's diffusion runs after commit, the notices are sent."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Autorisation
from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from notifications.models import Courriel, StatutCourriel, TypeCourriel
from notifications.services import CHEMIN_FILE_VALIDATION
from notifications.tests.conftest import destinataires
from reservations import journal
from reservations import services as reservations
from reservations.models import Evenement, StatutReservation, TypeDisponibilite, TypeEvenement
from reservations.tests.factories import demain_a
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _types():
    return {(c.adresse, c.type) for c in Courriel.objects.all()}


# --- reservation.creee ---------------------------------------------------------------------


def test_a_confirmed_booking_is_told_to_its_beneficiary_only(reserver, alice, salle):
    reserver(alice, salle)

    assert destinataires() == [alice.email]
    assert _types() == {(alice.email, TypeCourriel.CREEE)}
    assert mail.outbox[0].subject.startswith("Réservation confirmée : Salle Bleue")


def test_a_booking_for_someone_else_is_told_to_the_beneficiary_and_the_creator(
    reserver, alice, secretaire, salle
):
    reserver(secretaire, salle, user=alice)

    assert destinataires() == sorted([alice.email, secretaire.email])
    assert _types() == {
        (alice.email, TypeCourriel.CREEE),
        (secretaire.email, TypeCourriel.CREEE_POUR_AUTRUI),
    }
    pour_autrui = next(m for m in mail.outbox if m.to == [secretaire.email])
    assert "pour Alice Martin" in pour_autrui.subject
    assert not pour_autrui.attachments  # no invitation to someone else's booking


def test_a_pending_booking_goes_to_the_beneficiary_and_the_confirmers(
    reserver, alice, chef, siege, salle_a_valider, settings
):
    settings.RESA_URL = "https://resa.example.com/"
    titulaire = UserFactory(
        site_principal=siege, autorisations=[Autorisation.CONFIRMER_RESERVATIONS.value]
    )
    UserFactory(site_principal=SiteFactory(), autorisations=["confirmer_reservations"])
    UserFactory(
        site_principal=siege,
        autorisations=["confirmer_reservations"],
        compte_actif=False,
    )
    AdminFactory()  # there are confirmers: the admins are not told

    reserver(alice, salle_a_valider)

    assert _types() == {
        (alice.email, TypeCourriel.EN_ATTENTE),
        (chef.email, TypeCourriel.A_VALIDER),
        (titulaire.email, TypeCourriel.A_VALIDER),
    }
    a_alice = next(m for m in mail.outbox if m.to == [alice.email])
    assert "en attente de validation" in a_alice.subject
    au_chef = next(m for m in mail.outbox if m.to == [chef.email])
    lien = f"https://resa.example.com{CHEMIN_FILE_VALIDATION}"
    assert lien in au_chef.body
    assert f'href="{lien.replace("&", "&amp;")}"' in au_chef.alternatives[0].content
    assert "Alice Martin" in au_chef.subject


def test_a_pending_booking_with_no_confirmer_goes_to_the_active_admins(
    reserver, siege, salle_a_valider
):
    seul = UserFactory(site_principal=siege)  # no department, no holder on the site
    premier, second = AdminFactory(), AdminFactory()
    AdminFactory(compte_actif=False)

    reserver(seul, salle_a_valider)

    assert destinataires() == sorted([seul.email, premier.email, second.email])


def test_a_confirmer_who_turned_messages_off_is_not_replaced_by_the_admins(
    reserver, alice, chef, salle_a_valider
):
    chef.notifications_email = False
    chef.save()
    AdminFactory()

    reserver(alice, salle_a_valider)

    assert destinataires() == [alice.email]


def test_a_beneficiary_who_confirms_too_gets_a_single_message(reserver, siege, salle_a_valider):
    titulaire = UserFactory(site_principal=siege, autorisations=["confirmer_reservations"])

    reserver(titulaire, salle_a_valider)

    assert _types() == {(titulaire.email, TypeCourriel.EN_ATTENTE)}


# --- the other events ----------------------------------------------------------------------


def test_a_confirmation_is_told_to_the_beneficiary_saying_by_whom(
    reserver, diffusion, alice, chef, salle_a_valider
):
    reservation = reserver(alice, salle_a_valider)
    mail.outbox.clear()

    with diffusion():
        reservations.confirmer(reservation, par=chef)

    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject.startswith("Réservation validée")
    assert "validée par Claire Chef" in message.body


def test_a_cancellation_is_told_to_the_beneficiary_saying_by_whom(
    reserver, diffusion, alice, secretaire, chef, salle
):
    reservation = reserver(secretaire, salle, user=alice)
    mail.outbox.clear()

    with diffusion():
        reservations.annuler(reservation, par=chef)

    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject.startswith("Réservation annulée : Salle Bleue")
    assert "annulée par Claire Chef" in message.body


def test_cancelling_ones_own_booking_says_so(reserver, diffusion, alice, salle):
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion():
        reservations.annuler(reservation, par=alice)

    assert "annulée par vous-même" in mail.outbox[0].body


def test_a_cancellation_by_an_unavailability_says_why(
    reserver, diffusion, alice, admin_resa, salle
):
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion():
        reservations.enregistrer_disponibilite(
            par=admin_resa,
            annuler_conflits=True,
            ressource=salle,
            type_disponibilite=TypeDisponibilite.MAINTENANCE,
            debut=demain_a(9),
            fin=demain_a(12),
            raison_indisponibilite="Dégât des eaux",
        )

    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "annulée par Ada Admin" in message.body
    assert "Motif : Annulée : la ressource est indisponible (Dégât des eaux)." in message.body
    assert "Indisponibilité : " in message.body
    assert "de 09:00 à 12:00" in message.body
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.ANNULE


def test_a_cancellation_by_the_system_is_signed_resa(reserver, diffusion, alice, salle):
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion(), transaction.atomic():
        journal.enregistrer(
            TypeEvenement.RESERVATION_LIBEREE,
            par=None,
            reservation=reservation,
            changements={"statut": ["confirme", "non_present"]},
            note="Libérée automatiquement : personne ne s'est présenté.",
        )

    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject.startswith("Réservation libérée")


@pytest.mark.parametrize(
    ("changement", "notifie"),
    [
        ({"debut": demain_a(14), "fin": demain_a(15)}, True),
        ({"fin": demain_a(12)}, True),
        ({"description": "Autre objet", "nbr_participants": 3}, False),
    ],
    ids=["moved", "longer", "description only"],
)
def test_a_modification_is_told_only_when_the_booking_moves(
    reserver, diffusion, alice, salle, changement, notifie
):
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion():
        reservations.modifier(reservation, par=alice, **changement)

    assert destinataires() == ([alice.email] if notifie else [])


def test_a_move_to_another_ressource_is_told_naming_both(
    reserver, diffusion, alice, chef, salle, siege
):
    autre = RessourceFactory(nom="Salle Verte", site=siege)
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion():
        reservations.modifier(reservation, par=chef, ressource=autre)

    (message,) = mail.outbox
    assert "Avant : Salle Bleue, " in message.body
    assert "Désormais : Salle Verte, " in message.body
    assert "modifiée par Claire Chef" in message.body


def test_a_no_show_is_told_to_the_beneficiary(reserver, diffusion, alice, chef, salle):
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion():
        reservations.marquer_non_present(
            reservation, par=chef, maintenant=reservation.debut + timedelta(minutes=20)
        )

    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "Absence constatée" in message.subject


def test_closing_checking_in_and_unavailabilities_are_told_to_nobody(
    reserver, diffusion, alice, admin_resa, salle
):
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion():
        reservations.terminer(reservation, par=alice, maintenant=reservation.fin)
        with transaction.atomic():
            journal.enregistrer(
                TypeEvenement.RESERVATION_CHECKIN,
                par=alice,
                reservation=reservation,
                changements={"checkin_le": [None, "2026-12-02T10:00:00+01:00"]},
            )
        periode, _ = reservations.enregistrer_disponibilite(
            par=admin_resa,
            ressource=salle,
            type_disponibilite=TypeDisponibilite.MAINTENANCE,
            debut=demain_a(14, jours=3),
            fin=demain_a(15, jours=3),
        )
        reservations.supprimer_disponibilite(periode, par=admin_resa)

    assert mail.outbox == []
    assert Courriel.objects.count() == 1  # the booking's own notice
    types = set(Evenement.objects.values_list("type", flat=True))
    assert {
        TypeEvenement.RESERVATION_TERMINEE,
        TypeEvenement.RESERVATION_CHECKIN,
        TypeEvenement.DISPONIBILITE_CREEE,
        TypeEvenement.DISPONIBILITE_SUPPRIMEE,
    } <= types
    assert not Evenement.objects.filter(diffuse_le__isnull=True).exists()


# --- preferences ---------------------------------------------------------------------------


def test_a_user_with_notifications_off_receives_nothing(reserver, diffusion, alice, salle):
    alice.notifications_email = False
    alice.save()

    reservation = reserver(alice, salle)
    with diffusion():
        reservations.annuler(reservation, par=alice)

    assert mail.outbox == []
    assert Courriel.objects.count() == 0


def test_an_inactive_account_receives_nothing(reserver, diffusion, alice, secretaire, salle):
    reservation = reserver(secretaire, salle, user=alice)
    mail.outbox.clear()
    alice.compte_actif = False
    alice.save()

    with diffusion():
        reservations.annuler(reservation, par=secretaire)

    assert mail.outbox == []


def test_only_the_creator_who_wants_messages_is_told(reserver, alice, secretaire, salle):
    alice.notifications_email = False
    alice.save()

    reserver(secretaire, salle, user=alice)

    assert destinataires() == [secretaire.email]


def test_a_message_waiting_for_a_retry_is_dropped_when_its_recipient_opts_out(
    reserver, alice, salle, settings
):
    settings.MAILERS = {"default": {"BACKEND": "notifications.tests.mailers.EnPanne"}}
    reserver(alice, salle)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    alice.notifications_email = False
    alice.save()
    Courriel.objects.update(prochaine_tentative=demain_a(0, jours=-3))

    from notifications import services

    assert services.envoyer() == 0
    assert mail.outbox == []
    assert Courriel.objects.get().statut == StatutCourriel.SANS_OBJET


def test_managers_of_other_departments_are_not_confirmers(reserver, alice, salle_a_valider, siege):
    DepartmentFactory(site=siege, manager=ManagerFactory())

    reserver(alice, salle_a_valider)

    assert len(mail.outbox) == 2  # alice and her department's manager
