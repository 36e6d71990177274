"""The real background path: the database task queue and ``manage.py worker --once``. A
receiver that is down never slows a booking (the request only records the event) and never
loses it (the delivery waits and is retried)."""

import time

import pytest
from django.core.management import call_command
from django.test import override_settings
from standardwebhooks import Webhook

from reservations.models import Evenement
from reservations.tests.factories import demain_a
from ressources.tests.factories import RessourceFactory
from webhooks import envoi, services
from webhooks.models import Livraison
from webhooks.tests.conftest import Reponse

BASE_DE_DONNEES = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = pytest.mark.django_db(transaction=True)


def _reserver(client):
    return client.post(
        "/reservations/",
        {
            "ressource_id": RessourceFactory().pk,
            "debut": demain_a(10).isoformat(),
            "fin": demain_a(11).isoformat(),
        },
        format="json",
    )


@override_settings(TASKS=BASE_DE_DONNEES)
def test_the_worker_delivers_a_booking_made_through_the_api(
    client_employe, recepteur, boucle_autorisee
):
    abonnement = services.creer_abonnement(par=None, url=recepteur.url(), evenements=["*"])

    reponse = _reserver(client_employe)
    assert reponse.status_code == 201
    assert recepteur.requetes == []  # nothing is sent by the request

    call_command("worker", "--once", verbosity=0)

    (requete,) = recepteur.requetes
    corps = Webhook(abonnement.secret).verify(requete.corps, requete.entetes)
    assert corps["data"]["id"] == reponse.json()["id"]
    assert requete.entetes["webhook-id"] == str(Evenement.objects.get().pk)
    assert Livraison.objects.get().statut == "livree"

    call_command("worker", "--once", verbosity=0)
    assert len(recepteur.requetes) == 1


@override_settings(TASKS=BASE_DE_DONNEES)
def test_a_receiver_that_is_down_never_slows_bookings_and_its_deliveries_wait(
    client_employe, recepteur, boucle_autorisee, monkeypatch
):
    monkeypatch.setattr(envoi, "DELAI_REPONSE", 0.5)
    recepteur.defaut = Reponse(200, attente=2)
    services.creer_abonnement(par=None, url=recepteur.url(), evenements=["*"])

    debut = time.monotonic()
    assert _reserver(client_employe).status_code == 201
    assert time.monotonic() - debut < 0.5

    call_command("worker", "--once", verbosity=0)
    livraison = Livraison.objects.get()
    assert (livraison.statut, livraison.tentatives) == ("en_attente", 1)
    assert "délai" in livraison.derniere_erreur

    recepteur.defaut = Reponse(200)
    Livraison.objects.update(prochaine_tentative=livraison.derniere_tentative)
    call_command("worker", "--once", verbosity=0)
    livraison.refresh_from_db()
    assert (livraison.statut, livraison.tentatives) == ("livree", 2)
    ids = {r.entetes["webhook-id"] for r in recepteur.requetes}
    assert ids == {str(livraison.evenement_id)}
