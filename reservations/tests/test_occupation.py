"""The occupation of one ressource: statistics against hand-computed numbers and the week
ahead."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from reservations import occupation
from reservations.models import Recurrence, StatutReservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, Ressource, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

HEURE = timedelta(hours=1)


def _reservation(ressource, debut, fin, statut=StatutReservation.CONFIRME):
    return ReservationFactory(ressource=ressource, debut=debut, fin=fin, statut=statut)


# --- statistics ---------------------------------------------------------------------------


def test_statistics_match_the_hand_computed_numbers():
    ressource = RessourceFactory()
    maintenant = demain_a(12)
    il_y_a_30_jours = maintenant - timedelta(days=30)
    _reservation(ressource, demain_a(11), demain_a(13))  # running now: 1 h in the last 30 days
    _reservation(ressource, demain_a(14), demain_a(15, 30))  # upcoming
    _reservation(
        ressource, demain_a(9, jours=2), demain_a(10, jours=2), StatutReservation.EN_ATTENTE
    )
    _reservation(ressource, demain_a(16), demain_a(17), StatutReservation.ANNULE)
    _reservation(ressource, demain_a(10, jours=-2), demain_a(12, jours=-2), StatutReservation.FINI)
    _reservation(
        ressource, demain_a(9, jours=-1), demain_a(9, 30, jours=-1), StatutReservation.NON_PRESENT
    )
    _reservation(
        ressource, demain_a(10, jours=-35), demain_a(12, jours=-35), StatutReservation.FINI
    )
    # Straddles the 30-day boundary: one hour of it counts.
    _reservation(
        ressource, il_y_a_30_jours - HEURE, il_y_a_30_jours + HEURE, StatutReservation.FINI
    )
    _reservation(RessourceFactory(), demain_a(11), demain_a(13))  # another ressource

    statistiques = occupation.statistiques_ressource(ressource, maintenant=maintenant)

    assert statistiques == {
        "total_reservations": 8,
        "reservations_actives": 1,
        "reservations_a_venir": 2,
        # 2 h + 1.5 h + 1 h booked out of 7 days x 13 open hours.
        "taux_occupation_7_jours": round(4.5 / 91 * 100, 2),
        "heures_reservees_30_jours": 4.0,
        # Non-cancelled: 120 + 90 + 60 + 120 + 30 + 120 + 120 minutes, over 7.
        "reservation_moyenne_duree": round(660 / 7, 2),
    }


def test_statistics_of_a_ressource_without_reservations_are_zeros():
    statistiques = occupation.statistiques_ressource(RessourceFactory(), maintenant=demain_a(12))

    assert statistiques == {
        "total_reservations": 0,
        "reservations_actives": 0,
        "reservations_a_venir": 0,
        "taux_occupation_7_jours": 0.0,
        "heures_reservees_30_jours": 0.0,
        "reservation_moyenne_duree": 0.0,
    }


def test_occupation_counts_only_the_opening_hours_and_caps_at_100():
    site = SiteFactory(horaires_ouverture=time(8), horaires_fermeture=time(10))
    vehicule = RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE)
    maintenant = demain_a(0)
    for jour in range(1, 8):
        # 06:00-11:00 each day covers the two open hours and spills over both ends.
        _reservation(vehicule, demain_a(6, jours=jour), demain_a(11, jours=jour))

    taux = occupation.statistiques_ressource(vehicule, maintenant=maintenant)[
        "taux_occupation_7_jours"
    ]

    assert taux == 100.0


def test_occupation_uses_the_room_own_opening_hours():
    salle = RessourceFactory(horaires_ouverture=time(9), horaires_fermeture=time(13))
    _reservation(salle, demain_a(8), demain_a(10))  # 1 h of it inside 09:00-13:00

    taux = occupation.statistiques_ressource(salle, maintenant=demain_a(0))[
        "taux_occupation_7_jours"
    ]

    assert taux == round(1 / 28 * 100, 2)


def test_next_reservations_are_the_five_blocking_ones_starting_after_now():
    ressource = RessourceFactory()
    _reservation(ressource, demain_a(8), demain_a(9))  # already started at 08:30
    _reservation(ressource, demain_a(9), demain_a(10), StatutReservation.ANNULE)
    attendues = [
        _reservation(ressource, demain_a(9 + i), demain_a(10 + i), statut).pk
        for i, statut in enumerate(
            [StatutReservation.EN_ATTENTE] + [StatutReservation.CONFIRME] * 5
        )
    ]

    prochaines = occupation.prochaines_reservations(ressource, maintenant=demain_a(8, 30))

    assert [r.pk for r in prochaines] == attendues[:5]


# --- the week ahead -----------------------------------------------------------------------


def _semaine(ressource, maintenant=None):
    ressource = occupation.avec_indicateur_normales(Ressource.objects.select_related("site")).get(
        pk=ressource.pk
    )
    return occupation.disponibilite_7_jours(ressource, maintenant=maintenant or demain_a(0))


def _heures(creneaux):
    return [c["debut"] for c in creneaux]


TOUTE_LA_JOURNEE = [f"{h:02d}:00" for h in range(7, 20)]


def test_week_starts_today_and_lists_every_open_hour_of_a_free_ressource():
    jours = _semaine(RessourceFactory(), maintenant=demain_a(0))

    assert [j["date"] for j in jours] == [demain_a(0, jours=i).date() for i in range(1, 8)]
    for jour in jours:
        assert jour["est_disponible"] is True
        assert jour["raison_indisponibilite"] is None
        assert _heures(jour["creneaux"]) == TOUTE_LA_JOURNEE
    assert jours[0]["creneaux"][0] == {"debut": "07:00", "fin": "08:00"}


def test_slots_already_begun_are_not_offered():
    jours = _semaine(RessourceFactory(), maintenant=demain_a(10, 15))

    assert _heures(jours[0]["creneaux"]) == [f"{h:02d}:00" for h in range(11, 20)]
    assert _heures(jours[1]["creneaux"]) == TOUTE_LA_JOURNEE


@pytest.mark.parametrize(
    ("etat", "raison"),
    [
        (Etat.EN_MAINTENANCE, "Ressource en maintenance"),
        (Etat.HORS_SERVICE, "Ressource hors service"),
    ],
)
def test_a_ressource_that_is_not_active_is_unavailable_every_day(etat, raison):
    jours = _semaine(RessourceFactory(etat=etat))

    assert {(j["est_disponible"], j["raison_indisponibilite"]) for j in jours} == {(False, raison)}
    assert all(j["creneaux_disponibles"] == 0 and j["creneaux"] == [] for j in jours)


def test_slots_touching_a_reservation_or_a_maintenance_are_left_out():
    ressource = RessourceFactory()
    _reservation(ressource, demain_a(10), demain_a(11, 30))
    _reservation(ressource, demain_a(8), demain_a(9), StatutReservation.ANNULE)
    ResourceAvailabilityFactory(ressource=ressource, debut=demain_a(15), fin=demain_a(16, 15))

    jours = _semaine(ressource)

    assert _heures(jours[0]["creneaux"]) == [
        "07:00", "08:00", "09:00", "12:00", "13:00", "14:00", "17:00", "18:00", "19:00",
    ]  # fmt: skip
    assert _heures(jours[1]["creneaux"]) == TOUTE_LA_JOURNEE


def test_a_day_covered_by_a_recurring_maintenance_is_unavailable_with_its_reason():
    ressource = RessourceFactory()
    ResourceAvailabilityFactory(
        ressource=ressource,
        debut=demain_a(6, jours=2),
        fin=demain_a(21, jours=2),
        recurrence=Recurrence.HEBDOMADAIRE,
        raison_indisponibilite="Inventaire hebdomadaire",
    )

    jours = _semaine(ressource)

    assert jours[1] == {
        "date": demain_a(0, jours=2).date(),
        "est_disponible": False,
        "raison_indisponibilite": "Inventaire hebdomadaire",
        "creneaux_disponibles": 0,
        "creneaux": [],
    }
    assert [j["est_disponible"] for j in jours] == [True, False, True, True, True, True, True]


def test_a_day_covered_by_several_blocking_periods_lists_their_reasons():
    ressource = RessourceFactory()
    ResourceAvailabilityFactory(
        ressource=ressource,
        debut=demain_a(7),
        fin=demain_a(14),
        recurrence=Recurrence.QUOTIDIEN,
        fin_recurrence=demain_a(0, jours=3).date(),
        raison_indisponibilite="Travaux",
    )
    ResourceAvailabilityFactory(
        ressource=ressource,
        type_disponibilite=TypeDisponibilite.EVENEMENT_SPECIAL,
        debut=demain_a(13),
        fin=demain_a(20),
        raison_indisponibilite="",
    )

    jours = _semaine(ressource)

    assert jours[0]["raison_indisponibilite"] == "Travaux ; Événement spécial"
    assert jours[1]["est_disponible"] is True
    assert _heures(jours[1]["creneaux"]) == [f"{h:02d}:00" for h in range(14, 20)]
    assert _heures(jours[3]["creneaux"]) == TOUTE_LA_JOURNEE


def test_a_day_without_a_free_hour_is_unavailable():
    ressource = RessourceFactory()
    # Half-hour gaps only: 08:00-08:30, 10:00-10:30, ...
    for debut, fin in [
        (7, 8),
        (8.5, 10),
        (10.5, 12),
        (12.5, 14),
        (14.5, 16),
        (16.5, 18),
        (18.5, 20),
    ]:
        _reservation(ressource, demain_a(int(debut), int(debut % 1 * 60)), demain_a(fin))

    jour = _semaine(ressource)[0]

    assert jour["est_disponible"] is False
    assert jour["raison_indisponibilite"] == occupation.RAISON_AUCUN_CRENEAU


def test_with_normal_periods_only_hours_inside_them_are_offered():
    ressource = RessourceFactory(horaires_ouverture=time(7, 30), horaires_fermeture=time(19))
    ResourceAvailabilityFactory(
        ressource=ressource,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(6),
        fin=demain_a(11, 30),
        recurrence=Recurrence.HEBDOMADAIRE,
    )

    jours = _semaine(ressource)

    assert _heures(jours[0]["creneaux"]) == ["08:00", "09:00", "10:00"]
    assert jours[1]["est_disponible"] is False
    assert jours[1]["raison_indisponibilite"] == occupation.RAISON_HORS_FENETRES


def test_own_opening_hours_of_a_room_bound_its_slots():
    salle = RessourceFactory(horaires_ouverture=time(9, 15), horaires_fermeture=time(12, 45))

    assert _heures(_semaine(salle)[0]["creneaux"]) == ["10:00", "11:00"]


def _nuit_et_jour(type_ressource=TypeRessource.VEHICULE):
    site = SiteFactory(horaires_ouverture=time(0), horaires_fermeture=time(23, 59))
    return RessourceFactory(site=site, type_ressource=type_ressource)


def _paris(annee, mois, jour, heure=0, minute=0):
    return timezone.make_aware(datetime(annee, mois, jour, heure, minute))


def test_slots_of_the_spring_change_day_are_real_hours_without_the_skipped_one():
    jour = _semaine(_nuit_et_jour(), maintenant=_paris(2027, 3, 28))[0]

    # 23 hours long: 00:00, 01:00 (until 03:00 on the clock), then 03:00 .. 22:00.
    assert jour["creneaux"][:3] == [
        {"debut": "00:00", "fin": "01:00"},
        {"debut": "01:00", "fin": "03:00"},
        {"debut": "03:00", "fin": "04:00"},
    ]
    assert _heures(jour["creneaux"]) == ["00:00", "01:00"] + [f"{h:02d}:00" for h in range(3, 23)]
    assert jour["creneaux_disponibles"] == 22


def test_slots_of_the_autumn_change_day_offer_the_repeated_hour_twice():
    ressource = _nuit_et_jour()
    # 02:00-03:00 in summer time (00:00-01:00 UTC) is booked; the second 02:00 stays free.
    premier_2h = datetime(2027, 10, 31, 0, tzinfo=UTC)
    _reservation(ressource, premier_2h, premier_2h + HEURE)

    jour = _semaine(ressource, maintenant=_paris(2027, 10, 31))[0]

    assert jour["creneaux"][:4] == [
        {"debut": "00:00", "fin": "01:00"},
        {"debut": "01:00", "fin": "02:00"},
        {"debut": "02:00", "fin": "03:00"},
        {"debut": "03:00", "fin": "04:00"},
    ]
    # 25 hours long, one booked, the last one (23:00-24:00) past closing time.
    assert jour["creneaux_disponibles"] == 23


def test_occupation_of_a_daylight_saving_week_counts_real_open_hours():
    ressource = _nuit_et_jour()
    # The whole spring change day, 00:00-23:45 on the clock: 22 h 45 of real time.
    _reservation(ressource, _paris(2027, 3, 28), _paris(2027, 3, 28, 23, 45))

    taux = occupation.statistiques_ressource(ressource, maintenant=_paris(2027, 3, 28))[
        "taux_occupation_7_jours"
    ]

    # Open 00:00-23:59 every day: 22 h 59 on the change day, 23 h 59 on the six others.
    ouvert = (22 * 60 + 59) + 6 * (23 * 60 + 59)
    assert taux == round((22 * 60 + 45) / ouvert * 100, 2)
