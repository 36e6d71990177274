"""The building blocks the statistics are fast with, checked against the plain way of
computing the same thing: whole-second rounding in SQL, UTC offsets, open time per bucket."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from reservations.expressions import SecondesEntre
from reservations.models import Reservation, StatutReservation
from reservations.tests.factories import ReservationFactory
from ressources.tests.factories import RessourceFactory
from statistiques.expressions import decalages
from statistiques.ouverture import Morceau, RessourceOuverte, TempsOuvert
from statistiques.selectors import CODES_STATUT


def local(jour, heure, minute=0, seconde=0, micro=0):
    return timezone.make_aware(datetime.combine(jour, time(heure, minute, seconde, micro)))


EGALITES = "PostgreSQL only: SQLite's julianday is a float of days, a tie may go either way"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ecart", "secondes", "egalite"),
    [
        (timedelta(seconds=2, microseconds=500000), 3, True),  # a tie rounds away from zero
        (timedelta(seconds=-2, microseconds=-500000), -3, True),
        (timedelta(days=-1, microseconds=500000), -86400, True),
        (timedelta(seconds=2, microseconds=499000), 2, False),
        (timedelta(seconds=-2, microseconds=-501000), -3, False),
        (timedelta(days=40, hours=3, microseconds=999000), 40 * 86400 + 3 * 3600 + 1, False),
    ],
)
def test_seconds_between_two_datetimes_round_half_away_from_zero(ecart, secondes, egalite):
    if egalite and connection.vendor == "sqlite":
        pytest.skip(EGALITES)
    debut = local(date(2026, 6, 10), 10)
    reservation = ReservationFactory(
        ressource=RessourceFactory(), debut=debut, fin=debut + timedelta(hours=1)
    )
    Reservation.objects.filter(pk=reservation.pk).update(date_creation=debut - ecart)

    valeur = (
        Reservation.objects.filter(pk=reservation.pk)
        .annotate(s=SecondesEntre("date_creation", "debut"))
        .values_list("s", flat=True)
        .get()
    )
    assert valeur == secondes


def _decalages_heure_par_heure(debut, fin, zone):
    plages, moment = [], debut
    while moment < fin:
        decalage = int(moment.astimezone(zone).utcoffset().total_seconds() // 60)
        if not plages or plages[-1][1] != decalage:
            plages.append((moment, decalage))
        moment += timedelta(hours=1)
    return tuple(plages)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Australia/Sydney", "UTC"])
@pytest.mark.parametrize(
    ("debut", "jours"), [(datetime(2025, 12, 1, 23), 366), (datetime(2026, 3, 28, 23), 2)]
)
def test_offsets_skip_whole_days_but_find_every_change_to_the_hour(zone, debut, jours):
    zone = ZoneInfo(zone)
    debut = debut.replace(tzinfo=UTC)
    fin = debut + timedelta(days=jours, hours=5)
    assert decalages(debut, fin, zone) == _decalages_heure_par_heure(debut, fin, zone)


def test_open_time_per_bucket_counts_every_repetition_of_a_piece(monkeypatch):
    ressources = [RessourceOuverte(1, "a", 8 * 3600, 18 * 3600), RessourceOuverte(2, "b", 0, 3600)]
    morceaux = [
        Morceau(1, 2, 1, 30, 9 * 3600, 10 * 3600),  # daily, days 2 to 31
        Morceau(1, 3, 7, 5, 8 * 3600, 18 * 3600),  # weekly, days 3, 10, ..., 31
        Morceau(2, 39, 1, 1, 0, 1800),  # once, on the last day
    ]
    monkeypatch.setattr("statistiques.ouverture.morceaux", lambda *args: iter(morceaux))
    nb_jours = 40
    seau_du_jour = [jour // 7 for jour in range(nb_jours)]  # days 0-6, 7-13, ... 35-39

    ouvert = TempsOuvert(ressources, [], date(2026, 1, 5), nb_jours, seau_du_jour)

    bloque = {}
    for morceau in morceaux:
        cle = "a" if morceau.ressource == 1 else "b"
        for jour in morceau.jours():
            for k in ((cle, seau_du_jour[jour]), (TempsOuvert.TOUT, seau_du_jour[jour])):
                bloque[k] = bloque.get(k, 0) + morceau.fin - morceau.debut
    assert ouvert.bloque == bloque
    # Week 1 (days 7-13): 7 days of 10 hours, less 7 daily hours and one whole weekly day.
    assert ouvert.secondes("a", 1) == (70 - 7 - 10) * 3600
    assert ouvert.secondes("b", 5) == 5 * 3600 - 1800
    un_seul = TempsOuvert(ressources, [], date(2026, 1, 5), nb_jours)
    assert un_seul.secondes_periode(TempsOuvert.TOUT) == ouvert.secondes_periode(TempsOuvert.TOUT)


@pytest.mark.django_db
def test_time_after_the_end_of_the_period_is_cut_off_from_booked_hours(client_admin):
    salle = RessourceFactory()
    jour = date(2026, 6, 10)
    ReservationFactory(
        ressource=salle, debut=local(jour, 22), fin=local(jour, 22) + timedelta(hours=4)
    )
    ReservationFactory(
        ressource=salle,
        debut=local(jour, 20),
        fin=local(jour, 21),
        statut=StatutReservation.ANNULE,
    )
    corps = client_admin.get(
        "/statistiques/", {"du": jour.isoformat(), "au": jour.isoformat(), "grouper_par": "jour"}
    ).json()
    # 22:00 to midnight counts for the booked hours; the whole 4 hours for the mean duration.
    assert corps["total"]["heures_reservees"] == 2.0
    assert corps["total"]["duree_moyenne_minutes"] == 240.0
    assert corps["lignes"][0]["heures_reservees"] == 2.0


def test_every_status_has_its_own_code_in_sqlites_integer_key():
    # The key is group * 8 + code, and the CASE gives the last code to any other status: a
    # new status without a code of its own would be counted as another one.
    assert set(CODES_STATUT) == set(StatutReservation.values)
    assert sorted(CODES_STATUT.values()) == list(range(len(CODES_STATUT)))
    assert len(CODES_STATUT) <= 8
