"""Sending: once per message however often an event is offered, retried with growing
delays when the mail server fails, ``echec`` after the last attempt, taken back when its
worker died, and nothing for a change that was rolled back."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from notifications import services, taches
from notifications.models import Courriel, StatutCourriel
from notifications.tests import mailers
from reservations import journal
from reservations import services as reservations
from reservations.models import Evenement
from reservations.taches import DELAI_RATTRAPAGE, rattraper_diffusion
from reservations.tests.factories import demain_a

pytestmark = pytest.mark.django_db

EN_PANNE = {"default": {"BACKEND": "notifications.tests.mailers.EnPanne"}}


def _remonter_le_temps():
    """Make every waiting row due now (as if its delay had passed)."""
    Courriel.objects.filter(statut=StatutCourriel.A_ENVOYER).update(
        prochaine_tentative=timezone.now() - timedelta(seconds=1)
    )


# --- idempotence ---------------------------------------------------------------------------


def test_an_event_diffused_twice_is_sent_once(reserver, alice, salle):
    reserver(alice, salle)
    evenement = Evenement.objects.get()

    Evenement.objects.update(diffuse_le=None)
    assert journal.diffuser_evenement(evenement) is True
    services.envoyer()

    assert len(mail.outbox) == 1
    assert Courriel.objects.count() == 1


def test_the_sweep_after_a_failing_receiver_sends_nothing_twice(
    alice, salle, diffusion, django_capture_on_commit_callbacks
):
    def webhooks_en_panne(sender, evenement, **kwargs):
        raise RuntimeError("récepteur voisin en panne")

    journal.evenement_a_diffuser.connect(webhooks_en_panne, dispatch_uid="test-en-panne")
    try:
        with diffusion():
            reservations.reserver(par=alice, ressource=salle, debut=demain_a(10), fin=demain_a(11))
        evenement = Evenement.objects.get()
        assert evenement.diffuse_le is None  # left to the sweep
        assert len(mail.outbox) == 1

        Evenement.objects.update(date=timezone.now() - DELAI_RATTRAPAGE - timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            rattraper_diffusion()
            rattraper_diffusion()
    finally:
        journal.evenement_a_diffuser.disconnect(dispatch_uid="test-en-panne")

    assert len(mail.outbox) == 1
    assert Courriel.objects.count() == 1


def test_a_rolled_back_change_sends_nothing(alice, salle, diffusion):
    class Abandon(Exception):
        pass

    with diffusion(), pytest.raises(Abandon), transaction.atomic():
        reservations.reserver(par=alice, ressource=salle, debut=demain_a(10), fin=demain_a(11))
        raise Abandon

    assert mail.outbox == []
    assert Courriel.objects.count() == 0
    assert Evenement.objects.count() == 0


# --- retries -------------------------------------------------------------------------------


@override_settings(MAILERS=EN_PANNE)
def test_a_failing_mail_server_is_retried_with_growing_delays_then_fails(
    reserver, alice, salle, caplog
):
    mailers.EnPanne.tentatives = 0
    reserver(alice, salle)  # attempt 1, right after the event
    courriel = Courriel.objects.get()
    delais = []
    for _ in range(services.MAX_TENTATIVES - 1):
        courriel.refresh_from_db()
        assert courriel.statut == StatutCourriel.A_ENVOYER
        assert "Serveur de messagerie injoignable" in courriel.derniere_erreur
        delais.append(courriel.prochaine_tentative - timezone.now())
        assert services.envoyer() == 0  # not due yet
        _remonter_le_temps()
        taches.relancer()

    courriel.refresh_from_db()
    assert courriel.statut == StatutCourriel.ECHEC
    assert courriel.tentatives == services.MAX_TENTATIVES == mailers.EnPanne.tentatives
    assert courriel.envoye_le is None
    for delai, attendu in zip(delais, services.DELAIS_RELANCE, strict=True):
        assert attendu - timedelta(seconds=5) < delai <= attendu
    assert [d.total_seconds() for d in services.DELAIS_RELANCE] == sorted(
        d.total_seconds() for d in services.DELAIS_RELANCE
    )
    assert any(r.levelname == "ERROR" and courriel.cle in r.getMessage() for r in caplog.records)

    _remonter_le_temps()
    assert taches.relancer() == 0
    assert mailers.EnPanne.tentatives == services.MAX_TENTATIVES


def test_a_message_that_failed_once_goes_out_at_its_next_attempt(reserver, alice, salle, settings):
    settings.MAILERS = EN_PANNE
    reserver(alice, salle)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert mail.outbox == []

    _remonter_le_temps()
    assert taches.relancer() == 1

    courriel = Courriel.objects.get()
    assert (courriel.statut, courriel.tentatives) == (StatutCourriel.ENVOYE, 2)
    assert courriel.envoye_le is not None
    assert courriel.derniere_erreur == ""
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("backend", ["InjoignableALOuverture", "RienAccepte"])
def test_a_server_that_cannot_be_reached_or_accepts_nothing_counts_as_a_failure(
    reserver, alice, salle, settings, backend
):
    settings.MAILERS = {"default": {"BACKEND": f"notifications.tests.mailers.{backend}"}}

    reserver(alice, salle)

    courriel = Courriel.objects.get()
    assert (courriel.statut, courriel.tentatives) == (StatutCourriel.A_ENVOYER, 1)
    assert courriel.prochaine_tentative > timezone.now() + timedelta(seconds=50)
    assert courriel.derniere_erreur


@pytest.mark.django_db(transaction=True)
def test_a_request_never_fails_because_of_the_mail_server(client_employe, employe, settings):
    """With immediate tasks, the notice is tried within the request's commit: its failure
    is recorded on the row, never turned into an error of the request."""
    from ressources.tests.factories import RessourceFactory

    settings.MAILERS = EN_PANNE
    salle = RessourceFactory(site=employe.site_principal)

    reponse = client_employe.post(
        "/reservations/",
        {
            "ressource_id": salle.pk,
            "debut": demain_a(10).isoformat(),
            "fin": demain_a(11).isoformat(),
        },
        format="json",
    )

    assert reponse.status_code == 201
    courriel = Courriel.objects.get()
    assert (courriel.statut, courriel.tentatives) == (StatutCourriel.A_ENVOYER, 1)


def test_a_row_stuck_in_sending_goes_back_after_ten_minutes(reserver, alice, salle, settings):
    settings.MAILERS = EN_PANNE
    reserver(alice, salle)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    il_y_a = timezone.now() - services.DELAI_BLOCAGE
    Courriel.objects.update(
        statut=StatutCourriel.EN_COURS, reclame_le=il_y_a + timedelta(seconds=30)
    )

    assert services.reprendre_bloques() == 0
    assert services.envoyer() == 0

    Courriel.objects.update(reclame_le=il_y_a - timedelta(seconds=1))
    assert taches.relancer() == 1
    assert len(mail.outbox) == 1


def test_a_row_stuck_at_its_last_attempt_fails(reserver, alice, salle, settings):
    reserver(alice, salle)
    Courriel.objects.update(
        statut=StatutCourriel.EN_COURS,
        tentatives=services.MAX_TENTATIVES,
        reclame_le=timezone.now() - timedelta(hours=1),
    )

    services.reprendre_bloques()

    assert Courriel.objects.get().statut == StatutCourriel.ECHEC


def test_a_row_another_sender_claimed_is_not_sent_again(reserver, alice, salle, settings):
    settings.MAILERS = EN_PANNE
    reserver(alice, salle)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    _remonter_le_temps()
    Courriel.objects.update(statut=StatutCourriel.EN_COURS, reclame_le=timezone.now())

    assert services.envoyer() == 0
    assert mail.outbox == []


# --- several senders at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_rows_send_each_message_once(alice, salle, siege):
    from accounts.tests.factories import UserFactory

    with override_settings(MAILERS=EN_PANNE):
        for heure in range(8, 18):
            reservations.reserver(
                par=UserFactory(site_principal=siege),
                ressource=salle,
                debut=demain_a(heure),
                fin=demain_a(heure) + timedelta(minutes=30),
            )
    # Committed for real: each booking's notice was tried at once and failed.
    cles = list(Courriel.objects.values_list("cle", flat=True))
    assert len(cles) == Courriel.objects.filter(statut=StatutCourriel.A_ENVOYER).count() == 10
    _remonter_le_temps()
    mail.outbox.clear()
    depart = threading.Barrier(2)
    resultats = []

    def worker():
        try:
            depart.wait(timeout=10)
            resultats.append(services.envoyer())
        finally:
            connection.close()

    fils = [threading.Thread(target=worker) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)

    assert sum(resultats) == 10
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        f"<{cle}@localhost>" for cle in cles
    )
    assert set(Courriel.objects.values_list("statut", flat=True)) == {StatutCourriel.ENVOYE}
