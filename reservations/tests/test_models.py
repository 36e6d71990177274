import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from accounts.tests.factories import UserFactory
from resa_project.exceptions import contrainte_violee, exception_handler
from reservations.models import DUREE_MAXIMUM_ABSOLUE, MSG_DUREE_MAXIMUM_ABSOLUE, Reservation
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


# reservation_duree_maximum: the database's copy of the bound ``chevauche`` relies on.


def _longue(duree, **champs):
    debut = demain_a(8)
    return ReservationFactory.build(
        ressource=RessourceFactory(type_ressource=TypeRessource.VEHICULE),
        user=UserFactory(),
        debut=debut,
        fin=debut + duree,
        **champs,
    )


def test_the_database_accepts_a_reservation_of_exactly_the_maximum_duration():
    (reservation,) = Reservation.objects.bulk_create([_longue(DUREE_MAXIMUM_ABSOLUE)])
    reservation.refresh_from_db()
    assert reservation.fin - reservation.debut == timedelta(hours=24)


def test_the_database_refuses_a_longer_reservation_written_past_the_services():
    with pytest.raises(IntegrityError, match="reservation_duree_maximum"), transaction.atomic():
        Reservation.objects.bulk_create([_longue(timedelta(hours=24, minutes=15))])
    (reservation,) = Reservation.objects.bulk_create([_longue(DUREE_MAXIMUM_ABSOLUE)])
    with pytest.raises(IntegrityError, match="reservation_duree_maximum"), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(fin=F("fin") + timedelta(minutes=15))
    reservation.refresh_from_db()
    assert reservation.fin - reservation.debut == DUREE_MAXIMUM_ABSOLUE


def test_a_longer_reservation_reaching_the_api_is_a_bug_not_a_conflict():
    """Only the constraints of ``CONTRAINTES_CONFLIT`` are 409s: this one leaves as a 500."""
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        Reservation.objects.bulk_create([_longue(timedelta(hours=25))])
    assert contrainte_violee(exc.value) == "reservation_duree_maximum"
    assert exception_handler(exc.value, {}) is None


def test_full_clean_reports_the_maximum_duration_in_french():
    with pytest.raises(ValidationError) as exc:
        _longue(timedelta(hours=24, minutes=15)).full_clean()
    assert exc.value.message_dict[NON_FIELD_ERRORS] == [MSG_DUREE_MAXIMUM_ABSOLUE]
    _longue(DUREE_MAXIMUM_ABSOLUE).full_clean()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session time zone")
def test_24_hours_across_a_clock_change_pass_in_a_session_outside_utc():
    """``timestamptz + interval '1 day'`` would be 23 h here: the constraint compares the
    difference instead, whatever the session's zone."""
    debut = datetime(2027, 3, 27, 11, tzinfo=UTC)  # 12:00 in Paris, the eve of the change
    reservation = ReservationFactory(debut=debut, fin=debut + timedelta(hours=24))
    with connection.cursor() as curseur:
        curseur.execute("SET LOCAL TIME ZONE 'Europe/Paris'")
    Reservation.objects.filter(pk=reservation.pk).update(fin=F("fin"))
    with pytest.raises(IntegrityError, match="reservation_duree_maximum"), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(fin=F("fin") + timedelta(hours=1))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite form of the constraint")
def test_the_sqlite_check_needs_none_of_djangos_functions():
    """``dbshell`` (the sqlite3 shell, without Django's SQL functions) can still write."""
    contrainte = next(
        c for c in Reservation._meta.constraints if c.name == "reservation_duree_maximum"
    )
    check = contrainte.constraint_sql(Reservation, connection.schema_editor(collect_sql=True))
    nu = sqlite3.connect(":memory:")
    nu.execute(f'CREATE TABLE t ("debut" text, "fin" text, {check})')
    nu.execute("INSERT INTO t VALUES ('2027-03-27 11:00:00', '2027-03-28 11:00:00')")
    nu.execute("INSERT INTO t VALUES ('2027-03-27 11:00:00.250000', '2027-03-28 11:00:00.250000')")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        nu.execute("INSERT INTO t VALUES ('2027-03-27 11:00:00', '2027-03-28 11:15:00')")
    nu.close()
