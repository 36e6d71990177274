"""Automatic releases under concurrency (API.md C2/C4): each periodic effect happens once,
even with several workers running the job at the same moment, each on its own database
connection; and a check-in racing the release is either recorded or refused, never both."""

import threading

import pytest
from django.db import connections

from accounts.tests.factories import AdminFactory, UserFactory
from resa_project.erreurs import ConflitEtat
from reservations import services
from reservations.models import Evenement, Reservation, StatutReservation, TypeEvenement
from reservations.tests.factories import demain_a
from ressources.tests.factories import RessourceFactory
from taches import registre

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]

NB_WORKERS = 4


def _en_meme_temps(actions):
    """Run each of ``actions`` in a thread of its own (its own connection), released
    together; returns their results (or the exceptions they raised), in order."""
    nombre = len(actions)
    depart = threading.Barrier(nombre)
    resultats = [None] * nombre

    def executer(i):
        try:
            depart.wait(timeout=10)
            resultats[i] = actions[i]()
        except Exception as exc:  # reported by the test
            resultats[i] = exc
        finally:
            connections.close_all()

    fils = [threading.Thread(target=executer, args=(i,)) for i in range(nombre)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    return resultats


@pytest.fixture
def expirees():
    """Yesterday's unclaimed holds of several users (an admin may book in the past)."""
    ressource = RessourceFactory(checkin_requis=True)
    admin = AdminFactory()
    return [
        services.reserver(
            par=admin,
            user=UserFactory(),
            ressource=ressource,
            debut=demain_a(heure, jours=-1),
            fin=demain_a(heure + 1, jours=-1),
        )
        for heure in range(8, 14)
    ]


def test_workers_running_the_release_at_once_release_each_hold_once(expirees):
    resultats = _en_meme_temps([services.liberer_les_reservations_expirees] * NB_WORKERS)

    assert all(isinstance(r, int) for r in resultats), resultats
    assert sum(resultats) == len(expirees)
    assert not Reservation.objects.filter(statut=StatutReservation.CONFIRME).exists()
    liberations = Evenement.objects.filter(type=TypeEvenement.RESERVATION_LIBEREE)
    assert sorted(liberations.values_list("reservation_id", flat=True)) == sorted(
        r.pk for r in expirees
    )
    for reservation in Reservation.objects.all():
        assert reservation.note == services.MSG_LIBEREE_AUTOMATIQUEMENT


def test_workers_forcing_every_periodic_job_at_once_still_release_once(expirees):
    """``worker --once`` forces every job, so the Horloge claim lets each worker run it:
    the per-row lock and check alone keep the effect single."""
    resultats = _en_meme_temps([lambda: registre.executer_periodiques(forcer=True)] * NB_WORKERS)

    assert all(isinstance(r, dict) for r in resultats), resultats
    assert sum(r["reservations.liberations"] for r in resultats) == len(expirees)
    assert Evenement.objects.filter(type=TypeEvenement.RESERVATION_LIBEREE).count() == len(expirees)
    # Released first (ordre 10), so the closing (ordre 20) found nothing of theirs.
    assert not Evenement.objects.filter(type=TypeEvenement.RESERVATION_TERMINEE).exists()


def test_a_check_in_racing_the_release_ends_one_way_only():
    ressource = RessourceFactory(checkin_requis=True)
    employe = UserFactory()
    reservation = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11)
    )
    avant_la_limite, a_la_limite = demain_a(10, 14), demain_a(10, 15)
    actions = [
        lambda: services.signaler_arrivee(reservation, par=employe, maintenant=avant_la_limite),
        lambda: services.liberer_les_reservations_expirees(maintenant=a_la_limite),
    ]

    resultats = _en_meme_temps(actions)

    reservation.refresh_from_db()
    types = list(Evenement.objects.filter(reservation=reservation).values_list("type", flat=True))
    if reservation.checkin_le is not None:
        assert reservation.statut == StatutReservation.CONFIRME
        assert TypeEvenement.RESERVATION_LIBEREE not in types
        assert resultats[1] == 0
    else:
        assert reservation.statut == StatutReservation.NON_PRESENT
        assert TypeEvenement.RESERVATION_CHECKIN not in types
        assert isinstance(resultats[0], ConflitEtat), resultats
        assert resultats[1] == 1
