"""Calendar arithmetic: grid, occurrences of repeating periods (wall-clock across DST)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from reservations import calendrier
from reservations.models import Recurrence, ResourceAvailability

PARIS = ZoneInfo("Europe/Paris")


def paris(annee, mois, jour, heure=0, minute=0):
    return datetime(annee, mois, jour, heure, minute, tzinfo=PARIS)


def periode(debut, fin, recurrence=Recurrence.PONCTUEL, fin_recurrence=None):
    """An unsaved period: the calendar needs no database."""
    return ResourceAvailability(
        debut=debut, fin=fin, recurrence=recurrence, fin_recurrence=fin_recurrence
    )


@pytest.mark.parametrize(
    ("moment", "attendu"),
    [
        (paris(2027, 1, 4, 9, 0), True),
        (paris(2027, 1, 4, 9, 45), True),
        (paris(2027, 1, 4, 9, 50), False),
        (paris(2027, 1, 4, 9, 15).replace(second=1), False),
        (paris(2027, 1, 4, 9, 15).replace(microsecond=1), False),
    ],
)
def test_the_grid_has_a_step_of_15_minutes_without_seconds(moment, attendu):
    assert calendrier.sur_la_grille(moment) is attendu


def test_a_one_off_period_has_one_occurrence_when_it_overlaps():
    p = periode(paris(2027, 1, 4, 9), paris(2027, 1, 4, 10))
    assert list(calendrier.occurrences(p, paris(2027, 1, 4, 9, 30), paris(2027, 1, 4, 11))) == [
        (p.debut, p.fin)
    ]
    assert list(calendrier.occurrences(p, paris(2027, 1, 4, 10), paris(2027, 1, 4, 11))) == []


def test_daily_occurrences_keep_their_wall_clock_time_across_the_march_change():
    p = periode(paris(2027, 3, 25, 9), paris(2027, 3, 25, 10), Recurrence.QUOTIDIEN)
    trouvees = list(calendrier.occurrences(p, paris(2027, 3, 27), paris(2027, 3, 30)))
    assert trouvees == [(paris(2027, 3, j, 9), paris(2027, 3, j, 10)) for j in (27, 28, 29)]
    assert [d.utcoffset() for d, _ in trouvees] == [
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=2),
    ]


def test_daily_occurrences_keep_their_wall_clock_time_across_the_october_change():
    p = periode(paris(2027, 10, 1, 9), paris(2027, 10, 1, 10), Recurrence.QUOTIDIEN)
    trouvees = list(calendrier.occurrences(p, paris(2027, 10, 30), paris(2027, 11, 2)))
    jours = [(10, 30), (10, 31), (11, 1)]
    assert trouvees == [(paris(2027, m, j, 9), paris(2027, m, j, 10)) for m, j in jours]
    assert [d.utcoffset() for d, _ in trouvees] == [
        timedelta(hours=2),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_weekly_occurrences_fall_on_the_same_weekday():
    lundi = paris(2027, 1, 4, 14)
    p = periode(lundi, lundi + timedelta(hours=2), Recurrence.HEBDOMADAIRE)
    trouvees = list(calendrier.occurrences(p, paris(2027, 1, 1), paris(2027, 2, 1)))
    assert [d.date() for d, _ in trouvees] == [date(2027, 1, d) for d in (4, 11, 18, 25)]


def test_occurrences_stop_after_the_end_of_recurrence():
    p = periode(paris(2027, 1, 4, 9), paris(2027, 1, 4, 10), Recurrence.QUOTIDIEN, date(2027, 1, 6))
    trouvees = list(calendrier.occurrences(p, paris(2027, 1, 1), paris(2027, 1, 31)))
    assert [d.day for d, _ in trouvees] == [4, 5, 6]


def test_an_occurrence_running_over_midnight_is_found_from_the_next_day():
    p = periode(paris(2027, 1, 4, 22), paris(2027, 1, 5, 2), Recurrence.QUOTIDIEN)
    assert list(calendrier.occurrences(p, paris(2027, 1, 10, 1), paris(2027, 1, 10, 3))) == [
        (paris(2027, 1, 9, 22), paris(2027, 1, 10, 2))
    ]


def test_touche_and_couvre():
    p = periode(paris(2027, 1, 4, 9), paris(2027, 1, 4, 12), Recurrence.QUOTIDIEN)
    assert calendrier.touche(p, paris(2027, 2, 1, 11), paris(2027, 2, 1, 13))
    assert not calendrier.touche(p, paris(2027, 2, 1, 12), paris(2027, 2, 1, 13))
    assert calendrier.couvre(p, paris(2027, 2, 1, 9), paris(2027, 2, 1, 12))
    assert not calendrier.couvre(p, paris(2027, 2, 1, 11), paris(2027, 2, 1, 13))


def test_union_couvre_needs_the_intervals_to_leave_no_gap():
    a, b, c = paris(2027, 1, 4, 9), paris(2027, 1, 4, 10), paris(2027, 1, 4, 11)
    assert calendrier.union_couvre([(b, c), (a, b)], a, c)
    assert not calendrier.union_couvre([(a, b), (b + timedelta(minutes=15), c)], a, c)
    assert not calendrier.union_couvre([], a, c)


def test_opening_hours_of_a_day_are_aware_local_instants():
    ouverture, fermeture = calendrier.bornes_du_jour(date(2027, 3, 28), time(7), time(20))
    assert (ouverture.hour, ouverture.utcoffset()) == (7, timedelta(hours=2))
    assert fermeture.astimezone(UTC) - ouverture.astimezone(UTC) == timedelta(hours=13)
    minuit_28 = calendrier.debut_du_jour(date(2027, 3, 28))
    minuit_29 = calendrier.debut_du_jour(date(2027, 3, 29))
    assert minuit_29.astimezone(UTC) - minuit_28.astimezone(UTC) == timedelta(hours=23)
