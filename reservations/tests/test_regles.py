"""Every booking rule of ``regles.verifier_creneau``, at its edges."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reservations import regles
from reservations.models import Recurrence, StatutReservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, TypeRessource
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def erreurs(ressource, debut, fin, **options):
    with pytest.raises(ValidationError) as exc:
        regles.verifier_creneau(ressource, debut, fin, **options)
    return exc.value.message_dict


def conflits(ressource, debut, fin, **options):
    with pytest.raises(regles.ConflitReservation) as exc:
        regles.verifier_creneau(ressource, debut, fin, **options)
    return exc.value.donnees["conflits"]


def paris(annee, mois, jour, heure, minute=0):
    return datetime(annee, mois, jour, heure, minute, tzinfo=PARIS)


@pytest.fixture
def salle(db):
    return RessourceFactory(type_ressource=TypeRessource.SALLE, capacite_maximum=10)


@pytest.fixture
def equipement(db):
    return RessourceFactory(type_ressource=TypeRessource.EQUIPEMENT)


@pytest.fixture
def vehicule(db):
    return RessourceFactory(type_ressource=TypeRessource.VEHICULE, capacite_maximum=5)


# Grid and duration


def test_a_booking_of_exactly_30_minutes_is_accepted(salle):
    regles.verifier_creneau(salle, demain_a(10), demain_a(10, 30))


@pytest.mark.parametrize("minutes", [15, 29])
def test_a_booking_shorter_than_30_minutes_is_refused(salle, minutes):
    debut = demain_a(10)
    assert regles.MSG_DUREE_MIN in erreurs(salle, debut, debut + timedelta(minutes=minutes))["fin"]


def test_a_booking_that_ends_before_it_starts_is_refused(salle):
    assert erreurs(salle, demain_a(11), demain_a(10))["fin"] == [regles.MSG_ORDRE]
    assert erreurs(salle, demain_a(10), demain_a(10))["fin"] == [regles.MSG_ORDRE]


@pytest.mark.parametrize(
    "debut",
    [
        demain_a(10, 10),
        demain_a(10) + timedelta(seconds=30),
        demain_a(10) + timedelta(microseconds=1),
    ],
    ids=["minute 10", "30 seconds", "1 microsecond"],
)
def test_a_start_off_the_15_minute_grid_is_refused(salle, debut):
    assert erreurs(salle, debut, demain_a(12))["debut"] == [regles.MSG_GRILLE]


def test_an_end_off_the_15_minute_grid_is_refused(salle):
    assert regles.MSG_GRILLE in erreurs(salle, demain_a(10), demain_a(11, 20))["fin"]


def test_a_room_may_be_booked_for_exactly_8_hours(salle):
    regles.verifier_creneau(salle, demain_a(8), demain_a(16))


@pytest.mark.parametrize("type_ressource", [TypeRessource.SALLE, TypeRessource.EQUIPEMENT])
def test_a_room_or_equipment_booked_for_8_hours_15_is_refused(type_ressource):
    ressource = RessourceFactory(type_ressource=type_ressource)
    assert erreurs(ressource, demain_a(8), demain_a(16, 15))["fin"] == [
        regles.MSG_DUREE_MAX.format(heures=8)
    ]


def test_equipment_may_be_booked_for_exactly_8_hours(equipement):
    regles.verifier_creneau(equipement, demain_a(9), demain_a(17))


def test_a_vehicle_may_be_booked_for_24_hours(vehicule):
    regles.verifier_creneau(vehicule, demain_a(10), demain_a(10, jours=2))


def test_a_vehicle_booked_for_more_than_24_hours_is_refused(vehicule):
    assert erreurs(vehicule, demain_a(10), demain_a(10, 15, jours=2))["fin"] == [
        regles.MSG_DUREE_MAX.format(heures=24)
    ]


# Capacity and the past


def test_participants_up_to_the_capacity_are_accepted(salle):
    regles.verifier_creneau(salle, demain_a(10), demain_a(11), nbr_participants=10)


def test_participants_beyond_the_capacity_are_refused(salle):
    assert erreurs(salle, demain_a(10), demain_a(11), nbr_participants=11) == {
        "nbr_participants": [regles.MSG_CAPACITE.format(capacite=10)]
    }


def test_a_booking_in_the_past_is_refused(salle):
    hier = demain_a(10, jours=-1)
    assert erreurs(salle, hier, hier + timedelta(hours=1))["debut"] == [regles.MSG_PASSE]


def test_an_admin_may_book_in_the_past(salle):
    hier = demain_a(10, jours=-1)
    regles.verifier_creneau(salle, hier, hier + timedelta(hours=1), admin=True)


def test_every_window_error_is_reported_at_once(salle):
    assert erreurs(salle, demain_a(10, 10), demain_a(10, 20), nbr_participants=50) == {
        "debut": [regles.MSG_GRILLE],
        "fin": [regles.MSG_GRILLE, regles.MSG_DUREE_MIN],
        "nbr_participants": [regles.MSG_CAPACITE.format(capacite=10)],
    }


# State of the ressource


@pytest.mark.parametrize("etat", [Etat.EN_MAINTENANCE, Etat.HORS_SERVICE])
def test_a_ressource_that_is_not_active_cannot_be_booked(etat):
    ressource = RessourceFactory(etat=etat)
    with pytest.raises(regles.RessourceInactive) as exc:
        regles.verifier_creneau(ressource, demain_a(10), demain_a(11))
    assert exc.value.status_code == 409
    assert exc.value.detail == regles.MSG_INACTIVE.format(etat=etat)


def test_an_invalid_window_on_an_inactive_ressource_is_a_400_first():
    ressource = RessourceFactory(etat=Etat.HORS_SERVICE)
    assert "fin" in erreurs(ressource, demain_a(10), demain_a(10, 15))


# Opening hours


def test_a_room_without_own_hours_follows_its_site(salle):
    regles.verifier_creneau(salle, demain_a(7), demain_a(7, 30))
    regles.verifier_creneau(salle, demain_a(19, 30), demain_a(20))
    message = regles.MSG_HORAIRES_SALLE.format(ouverture="07:00", fermeture="20:00")
    assert erreurs(salle, demain_a(6, 45), demain_a(7, 30)) == {"non_field_errors": [message]}
    assert erreurs(salle, demain_a(19, 30), demain_a(20, 15)) == {"non_field_errors": [message]}


def test_a_room_with_its_own_hours_follows_them_not_its_site():
    salle = RessourceFactory(horaires_ouverture=time(9), horaires_fermeture=time(17))
    message = regles.MSG_HORAIRES_SALLE.format(ouverture="09:00", fermeture="17:00")
    regles.verifier_creneau(salle, demain_a(9), demain_a(9, 30))
    regles.verifier_creneau(salle, demain_a(16, 30), demain_a(17))
    assert erreurs(salle, demain_a(8), demain_a(9, 30)) == {"non_field_errors": [message]}
    assert erreurs(salle, demain_a(16, 30), demain_a(17, 15)) == {"non_field_errors": [message]}


def test_a_room_cannot_be_booked_across_midnight(salle):
    salle.site.horaires_ouverture, salle.site.horaires_fermeture = time(0), time(23, 59)
    assert "non_field_errors" in erreurs(salle, demain_a(22), demain_a(1, jours=2))


def test_equipment_is_picked_up_and_returned_while_its_site_is_open(equipement):
    regles.verifier_creneau(equipement, demain_a(7), demain_a(8))
    regles.verifier_creneau(equipement, demain_a(19), demain_a(20))
    message = regles.MSG_HORAIRES_SITE.format(ouverture="07:00", fermeture="20:00")
    assert erreurs(equipement, demain_a(6, 30), demain_a(8)) == {"non_field_errors": [message]}
    assert erreurs(equipement, demain_a(19), demain_a(20, 30)) == {"non_field_errors": [message]}


def test_a_vehicle_may_stay_out_overnight_when_picked_up_and_returned_during_opening(vehicule):
    regles.verifier_creneau(vehicule, demain_a(18), demain_a(8, jours=2))


def test_a_vehicle_cannot_be_picked_up_at_closing_time_or_returned_before_opening(vehicule):
    message = regles.MSG_HORAIRES_SITE.format(ouverture="07:00", fermeture="20:00")
    assert erreurs(vehicule, demain_a(20), demain_a(9, jours=2)) == {"non_field_errors": [message]}
    assert erreurs(vehicule, demain_a(18), demain_a(6, jours=2)) == {"non_field_errors": [message]}


# Windows of normal availability


def test_inside_a_normal_availability_window_is_accepted(salle):
    ResourceAvailabilityFactory(
        ressource=salle,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(9),
        fin=demain_a(12),
    )
    regles.verifier_creneau(salle, demain_a(9), demain_a(12))
    regles.verifier_creneau(salle, demain_a(10), demain_a(11))


def test_outside_the_normal_availability_windows_is_refused(salle):
    ResourceAvailabilityFactory(
        ressource=salle,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(9),
        fin=demain_a(12),
    )
    attendu = {"non_field_errors": [regles.MSG_HORS_FENETRE]}
    assert erreurs(salle, demain_a(11), demain_a(12, 30)) == attendu
    assert erreurs(salle, demain_a(14), demain_a(15)) == attendu
    assert erreurs(salle, demain_a(10, jours=30), demain_a(11, jours=30)) == attendu


def test_a_weekly_normal_availability_window_opens_the_same_slot_every_week(salle):
    ResourceAvailabilityFactory(
        ressource=salle,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(9),
        fin=demain_a(12),
        recurrence=Recurrence.HEBDOMADAIRE,
    )
    regles.verifier_creneau(salle, demain_a(9, jours=8), demain_a(12, jours=8))
    regles.verifier_creneau(salle, demain_a(10, jours=71), demain_a(11, jours=71))
    assert "non_field_errors" in erreurs(salle, demain_a(10, jours=2), demain_a(11, jours=2))


def test_normal_windows_of_another_ressource_do_not_restrict_this_one(salle):
    ResourceAvailabilityFactory(
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(9),
        fin=demain_a(10),
    )
    regles.verifier_creneau(salle, demain_a(14), demain_a(15))


# Conflicts


def test_a_booking_that_touches_the_previous_and_the_next_one_is_accepted(salle):
    ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10))
    ReservationFactory(ressource=salle, debut=demain_a(11), fin=demain_a(12))
    regles.verifier_creneau(salle, demain_a(10), demain_a(11))


def test_an_overlapping_booking_is_refused_with_the_conflicts(salle):
    existante = ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10, 30))
    assert conflits(salle, demain_a(10), demain_a(11)) == [
        {
            "type": "reservation",
            "id": existante.pk,
            "debut": demain_a(9),
            "fin": demain_a(10, 30),
        }
    ]


def test_conflicts_are_given_in_the_organisation_zone(salle):
    ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10, 30))
    (conflit,) = conflits(salle, demain_a(10), demain_a(11))
    assert conflit["debut"].utcoffset() == timezone.localtime(demain_a(9)).utcoffset()


def test_a_pending_reservation_holds_the_slot(salle):
    ReservationFactory(ressource=salle, statut=StatutReservation.EN_ATTENTE)
    assert len(conflits(salle, demain_a(10), demain_a(11))) == 1


@pytest.mark.parametrize(
    "statut", [StatutReservation.ANNULE, StatutReservation.FINI, StatutReservation.NON_PRESENT]
)
def test_a_closed_reservation_frees_the_slot(salle, statut):
    ReservationFactory(ressource=salle, statut=statut)
    regles.verifier_creneau(salle, demain_a(10), demain_a(11))


def test_a_reservation_of_another_ressource_does_not_conflict(salle):
    ReservationFactory(debut=demain_a(10), fin=demain_a(11))
    regles.verifier_creneau(salle, demain_a(10), demain_a(11))


def test_a_reservation_does_not_conflict_with_itself(salle):
    reservation = ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
    regles.verifier_creneau(salle, demain_a(10, 30), demain_a(11, 30), exclure=reservation)


@pytest.mark.parametrize(
    "type_disponibilite", [TypeDisponibilite.MAINTENANCE, TypeDisponibilite.EVENEMENT_SPECIAL]
)
def test_a_blocking_period_refuses_the_booking(salle, type_disponibilite):
    periode = ResourceAvailabilityFactory(
        ressource=salle, type_disponibilite=type_disponibilite, debut=demain_a(12), fin=demain_a(14)
    )
    assert conflits(salle, demain_a(13), demain_a(15)) == [
        {"type": "indisponibilite", "id": periode.pk, "debut": demain_a(12), "fin": demain_a(14)}
    ]


def test_a_booking_touching_a_blocking_period_is_accepted(salle):
    ResourceAvailabilityFactory(ressource=salle, debut=demain_a(12), fin=demain_a(14))
    regles.verifier_creneau(salle, demain_a(11), demain_a(12))
    regles.verifier_creneau(salle, demain_a(14), demain_a(15))


def test_a_daily_blocking_period_still_blocks_on_its_100th_day(salle):
    periode = ResourceAvailabilityFactory(
        ressource=salle, debut=demain_a(12), fin=demain_a(13), recurrence=Recurrence.QUOTIDIEN
    )
    jour_100 = 99  # the first occurrence is day 1
    assert conflits(
        salle, demain_a(12, 30, jours=1 + jour_100), demain_a(14, jours=1 + jour_100)
    ) == [
        {
            "type": "indisponibilite",
            "id": periode.pk,
            "debut": demain_a(12, jours=1 + jour_100),
            "fin": demain_a(13, jours=1 + jour_100),
        }
    ]
    regles.verifier_creneau(
        salle, demain_a(13, jours=1 + jour_100), demain_a(14, jours=1 + jour_100)
    )


def test_a_daily_blocking_period_does_not_block_before_its_first_occurrence(salle):
    ResourceAvailabilityFactory(
        ressource=salle,
        debut=demain_a(12, jours=3),
        fin=demain_a(13, jours=3),
        recurrence=Recurrence.QUOTIDIEN,
    )
    regles.verifier_creneau(salle, demain_a(12), demain_a(13))
    assert len(conflits(salle, demain_a(12, jours=3), demain_a(13, jours=3))) == 1


def test_a_weekly_blocking_period_blocks_the_same_weekday_only(salle):
    ResourceAvailabilityFactory(
        ressource=salle, debut=demain_a(12), fin=demain_a(13), recurrence=Recurrence.HEBDOMADAIRE
    )
    assert len(conflits(salle, demain_a(12, jours=71), demain_a(13, jours=71))) == 1
    regles.verifier_creneau(salle, demain_a(12, jours=72), demain_a(13, jours=72))
    regles.verifier_creneau(salle, demain_a(12, jours=70), demain_a(13, jours=70))


def test_a_repeating_blocking_period_stops_after_its_end_of_recurrence(salle):
    ResourceAvailabilityFactory(
        ressource=salle,
        debut=demain_a(12),
        fin=demain_a(13),
        recurrence=Recurrence.QUOTIDIEN,
        fin_recurrence=timezone.localdate(demain_a(12, jours=5)),
    )
    assert len(conflits(salle, demain_a(12, jours=5), demain_a(13, jours=5))) == 1
    regles.verifier_creneau(salle, demain_a(12, jours=6), demain_a(13, jours=6))


def test_a_booking_over_two_occurrences_lists_both(vehicule):
    ResourceAvailabilityFactory(
        ressource=vehicule, debut=demain_a(12), fin=demain_a(13), recurrence=Recurrence.QUOTIDIEN
    )
    trouves = conflits(vehicule, demain_a(10, jours=2), demain_a(10, jours=3))
    assert [c["debut"] for c in trouves] == [demain_a(12, jours=2)]
    trouves = conflits(vehicule, demain_a(12, 30, jours=2), demain_a(12, 30, jours=3))
    assert [c["debut"] for c in trouves] == [demain_a(12, jours=2), demain_a(12, jours=3)]


@pytest.mark.parametrize(
    ("premier_jour", "jour_apres_changement"),
    [
        (paris(2027, 3, 20, 9), (2027, 3, 28)),  # CET -> CEST
        (paris(2027, 3, 20, 9), (2027, 3, 29)),
        (paris(2027, 10, 20, 9), (2027, 10, 31)),  # CEST -> CET
        (paris(2027, 10, 20, 9), (2027, 11, 2)),
    ],
    ids=["march change day", "after march", "october change day", "after october"],
)
def test_a_daily_maintenance_keeps_its_local_hours_across_daylight_saving_changes(
    salle, premier_jour, jour_apres_changement
):
    periode = ResourceAvailabilityFactory(
        ressource=salle,
        debut=premier_jour,
        fin=premier_jour + timedelta(hours=1),
        recurrence=Recurrence.QUOTIDIEN,
    )
    a, m, j = jour_apres_changement
    assert conflits(salle, paris(a, m, j, 9), paris(a, m, j, 10), admin=True) == [
        {
            "type": "indisponibilite",
            "id": periode.pk,
            "debut": paris(a, m, j, 9),
            "fin": paris(a, m, j, 10),
        }
    ]
    regles.verifier_creneau(salle, paris(a, m, j, 8), paris(a, m, j, 9), admin=True)
    regles.verifier_creneau(salle, paris(a, m, j, 10), paris(a, m, j, 11), admin=True)


def test_the_grid_is_read_in_the_organisation_zone(salle):
    # 14:00 in Paris is hh:30 in Kolkata (UTC+05:30): still on the grid.
    kolkata = timezone.localtime(demain_a(14), ZoneInfo("Asia/Kolkata"))
    assert kolkata.minute == 30
    regles.verifier_creneau(salle, kolkata, kolkata + timedelta(hours=1))
    # 14:10 in Paris is off the grid, whatever zone it is written in.
    katmandou = timezone.localtime(demain_a(14, 10), ZoneInfo("Asia/Kathmandu"))
    assert "debut" in erreurs(salle, katmandou, katmandou + timedelta(hours=1))
