"""Series racing with series and single bookings for the same dates, through real
concurrent requests against a live server (SQLite and PostgreSQL): never a double booking,
never a 500, and a refused series leaves nothing behind."""

from datetime import timedelta

import pytest
from django.db import connection

from accounts.models import AuthToken
from accounts.tests.factories import UserFactory
from reservations.models import Reservation, Serie
from reservations.tests.factories import demain_a
from reservations.tests.test_concurrence import chevauchements, en_meme_temps, iso
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.race


def serie(ressource, debut, fin, mode="tout_ou_rien", nombre=4):
    corps = {
        "ressource_id": ressource.pk,
        "debut": iso(debut),
        "fin": iso(fin),
        "recurrence": {"frequence": "hebdomadaire", "nombre": nombre},
        "mode": mode,
    }
    return ("POST", "/reservations/series", AuthToken.emettre(UserFactory()), corps)


def simple(ressource, debut, fin):
    corps = {"ressource_id": ressource.pk, "debut": iso(debut), "fin": iso(fin)}
    return ("POST", "/reservations/", AuthToken.emettre(UserFactory()), corps)


def test_series_and_single_bookings_racing_for_the_same_dates_never_overlap(live_server, capsys):
    salle = RessourceFactory()
    semaine = timedelta(days=7)
    requetes = [
        # Four all-or-nothing series for the same four dates: at most one wins.
        *(serie(salle, demain_a(10), demain_a(11)) for _ in range(4)),
        # Two that skip what is taken, touching them (11:00-12:00).
        *(serie(salle, demain_a(11), demain_a(12), "ignorer_conflits") for _ in range(2)),
        # Single bookings on the second and fourth dates.
        *(simple(salle, demain_a(10) + semaine, demain_a(11) + semaine) for _ in range(3)),
        *(
            simple(salle, demain_a(10, 45) + 3 * semaine, demain_a(11, 45) + 3 * semaine)
            for _ in range(3)
        ),
    ]
    resultats, duree = en_meme_temps(live_server, requetes)

    statuts = [status for status, _ in resultats]
    with capsys.disabled():
        print(
            f"\n[race:{connection.vendor}] {len(requetes)} series/single bookings: {statuts} "
            f"in {duree:.2f}s"
        )
    assert all(s in (201, 409) for s in statuts), resultats
    assert chevauchements(salle) == []
    # Every stored reservation is one that a 201 reported, and the other way round.
    annoncees = set()
    for status, data in resultats:
        if status != 201:
            continue
        if "occurrences" in data:
            annoncees |= {o["reservation_id"] for o in data["occurrences"] if o["reservation_id"]}
        else:
            annoncees.add(data["id"])
    assert set(Reservation.objects.values_list("pk", flat=True)) == annoncees
    # A refused all-or-nothing series stored nothing: each stored series has all its dates.
    for stockee in Serie.objects.filter(mode="tout_ou_rien"):
        assert stockee.reservations.count() == 4
    assert sum(s == 201 for s in statuts[:4]) <= 1
    assert sum(s == 201 for s in statuts[6:9]) <= 1
    assert sum(s == 201 for s in statuts[9:12]) <= 1


def test_two_ignoring_series_share_the_dates_between_them(live_server):
    salle = RessourceFactory()
    requetes = [serie(salle, demain_a(14), demain_a(15), "ignorer_conflits", 6) for _ in range(6)]
    resultats, _ = en_meme_temps(live_server, requetes)
    statuts = sorted(status for status, _ in resultats)
    # The first to get the lock books all six dates; the others find none left.
    assert statuts == [201] + [409] * 5, resultats
    assert Reservation.objects.filter(ressource=salle).count() == 6
    assert chevauchements(salle) == []
