from datetime import timedelta

import pytest

from reservations.models import DUREE_MAXIMUM_ABSOLUE, Reservation
from reservations.tests.factories import ReservationFactory, demain_a
from ressources.models import TypeRessource
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db


def test_overlap_finds_the_longest_booking_that_started_the_day_before():
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    debut = demain_a(8)
    longue = ReservationFactory(ressource=vehicule, debut=debut, fin=debut + DUREE_MAXIMUM_ABSOLUE)
    fenetre_debut = debut + DUREE_MAXIMUM_ABSOLUE - timedelta(minutes=15)
    trouvees = Reservation.objects.chevauche(fenetre_debut, fenetre_debut + timedelta(hours=1))
    assert list(trouvees) == [longue]


def test_touching_ends_do_not_overlap():
    reservation = ReservationFactory(debut=demain_a(9), fin=demain_a(10))
    assert not Reservation.objects.chevauche(demain_a(10), demain_a(11)).exists()
    assert not Reservation.objects.chevauche(demain_a(8), demain_a(9)).exists()
    assert list(Reservation.objects.chevauche(demain_a(9, 45), demain_a(11))) == [reservation]
