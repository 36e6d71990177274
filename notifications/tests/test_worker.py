"""The real path (API.md C2, C3): the booking's request only enqueues; ``manage.py worker``
diffuses the event and sends the message, with tasks stored in the database."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from notifications.models import Courriel, StatutCourriel
from reservations import services as reservations
from reservations.models import Evenement
from reservations.tests.factories import demain_a

BASE_DE_DONNEES = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=BASE_DE_DONNEES)
def test_a_booking_is_mailed_by_the_worker_not_by_the_request(alice, salle):
    from django_tasks_db.models import DBTaskResult

    reservations.reserver(par=alice, ressource=salle, debut=demain_a(10), fin=demain_a(11))

    assert mail.outbox == []
    assert Courriel.objects.count() == 0
    assert DBTaskResult.objects.count() == 1  # the diffusion, waiting for a worker

    call_command("worker", "--once", stdout=StringIO())

    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert Courriel.objects.get().statut == StatutCourriel.ENVOYE
    assert Evenement.objects.get().diffuse_le is not None

    call_command("worker", "--once", stdout=StringIO())
    assert len(mail.outbox) == 1
