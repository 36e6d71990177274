"""POST /reservations/series (API.md C7): the dates of a rule, the limits, the two modes,
the per-date report, simulation, permissions, and the queries of a long series."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Autorisation
from accounts.tests.factories import UserFactory
from conftest import client_pour
from reservations import regles, series
from reservations.models import (
    Evenement,
    Reservation,
    Serie,
    StatutReservation,
    TypeDisponibilite,
    TypeEvenement,
)
from reservations.permissions import MSG_RESERVER_POUR_AUTRUI
from reservations.serializers_series import MSG_JOURS_HEBDOMADAIRE, MSG_JUSQU_AU_OU_NOMBRE
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def iso(moment):
    return timezone.localtime(moment).isoformat()


def paris(annee, mois, jour, heure, minute=0):
    return datetime(annee, mois, jour, heure, minute, tzinfo=PARIS)


def lundi(heure, minute=0, semaines=1):
    """A Monday at least a week ahead, at ``heure:minute`` local time."""
    jour = timezone.localdate() + timedelta(days=7 * semaines)
    jour -= timedelta(days=jour.weekday())
    return timezone.make_aware(datetime.combine(jour, time(heure, minute)))


def corps(ressource, debut, fin, **recurrence_et_champs):
    champs = {
        k: recurrence_et_champs.pop(k)
        for k in ("mode", "user_id", "nbr_participants")
        if k in recurrence_et_champs
    }
    return {
        "ressource_id": ressource.pk,
        "debut": iso(debut),
        "fin": iso(fin),
        "description": "Point d'équipe",
        "recurrence": recurrence_et_champs,
        **champs,
    }


def poster(client, donnees, *, simulation=False):
    chemin = "/reservations/series" + ("?simulation=true" if simulation else "")
    return client.post(chemin, donnees, format="json")


def heures_locales(reponse):
    return [
        datetime.fromisoformat(o["debut"]).astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
        for o in reponse.json()["occurrences"]
    ]


@pytest.fixture
def salle(db):
    return RessourceFactory(capacite_maximum=8)


# --- Dates and daylight saving --------------------------------------------------------


def test_a_weekly_series_keeps_its_local_time_across_the_spring_change(client_admin, salle):
    reponse = poster(
        client_admin,
        corps(
            salle,
            paris(2027, 3, 15, 10),
            paris(2027, 3, 15, 11),
            frequence="hebdomadaire",
            nombre=4,
        ),
    )
    assert reponse.status_code == 201, reponse.json()
    occurrences = reponse.json()["occurrences"]
    assert [(o["debut"], o["fin"]) for o in occurrences] == [
        ("2027-03-15T10:00:00+01:00", "2027-03-15T11:00:00+01:00"),
        ("2027-03-22T10:00:00+01:00", "2027-03-22T11:00:00+01:00"),
        ("2027-03-29T10:00:00+02:00", "2027-03-29T11:00:00+02:00"),
        ("2027-04-05T10:00:00+02:00", "2027-04-05T11:00:00+02:00"),
    ]
    stockees = Reservation.objects.order_by("debut")
    assert [timezone.localtime(r.debut).hour for r in stockees] == [10, 10, 10, 10]
    # Stored in UTC, an hour earlier once summer time has started.
    assert [r.debut.astimezone(ZoneInfo("UTC")).hour for r in stockees] == [9, 9, 8, 8]


def test_a_weekly_series_keeps_its_local_time_across_the_autumn_change(client_admin, salle):
    reponse = poster(
        client_admin,
        corps(
            salle,
            paris(2027, 10, 18, 9, 30),
            paris(2027, 10, 18, 11),
            frequence="hebdomadaire",
            jusqu_au="2027-11-08",
        ),
    )
    assert reponse.status_code == 201, reponse.json()
    assert [(o["debut"], o["fin"]) for o in reponse.json()["occurrences"]] == [
        ("2027-10-18T09:30:00+02:00", "2027-10-18T11:00:00+02:00"),
        ("2027-10-25T09:30:00+02:00", "2027-10-25T11:00:00+02:00"),
        ("2027-11-01T09:30:00+01:00", "2027-11-01T11:00:00+01:00"),
        ("2027-11-08T09:30:00+01:00", "2027-11-08T11:00:00+01:00"),
    ]
    assert {r.duree_minutes for r in Reservation.objects.all()} == {90}


def test_a_daily_vehicle_series_over_the_change_refuses_the_25_hour_day(client_admin):
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    reponse = poster(
        client_admin,
        corps(
            vehicule,
            paris(2027, 10, 29, 10),
            paris(2027, 10, 30, 10),
            frequence="quotidienne",
            nombre=3,
            mode="ignorer_conflits",
        ),
        simulation=True,
    )
    premiere, seconde, troisieme = reponse.json()["occurrences"]
    assert premiere["statut"] == troisieme["statut"] == "libre"
    # 10:00 to 10:00 the next day across the autumn change (31 October) lasts 25 hours.
    assert seconde["statut"] == "refusee"
    assert seconde["erreurs"] == {"fin": [regles.MSG_DUREE_MAX.format(heures=24)]}


def test_a_local_time_that_the_spring_change_skips_is_refused_for_that_date(client_admin):
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    reponse = poster(
        client_admin,
        corps(
            vehicule,
            paris(2027, 3, 21, 2, 30),
            paris(2027, 3, 21, 4),
            frequence="hebdomadaire",
            nombre=2,
        ),
        simulation=True,
    )
    seconde = reponse.json()["occurrences"][1]
    assert seconde["statut"] == "refusee"
    assert seconde["erreurs"] == {
        "debut": [series.MSG_HEURE_SAUTEE.format(date="28/03/2027", heure="02:30")]
    }


def test_a_local_time_that_the_autumn_change_repeats_is_refused_for_that_date(client_admin):
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    reponse = poster(
        client_admin,
        corps(
            vehicule,
            paris(2027, 10, 24, 1),
            paris(2027, 10, 24, 2, 30),
            frequence="hebdomadaire",
            nombre=2,
        ),
        simulation=True,
    )
    assert reponse.json()["occurrences"][1]["erreurs"] == {
        "fin": [series.MSG_HEURE_DOUBLE.format(date="31/10/2027", heure="02:30")]
    }


def test_a_monthly_series_on_the_31st_skips_the_months_without_one(client_admin, salle):
    reponse = poster(
        client_admin,
        corps(
            salle,
            paris(2027, 1, 31, 14),
            paris(2027, 1, 31, 15),
            frequence="mensuelle",
            jusqu_au="2027-12-31",
        ),
    )
    assert reponse.status_code == 201, reponse.json()
    assert heures_locales(reponse) == [
        "2027-01-31 14:00",
        "2027-03-31 14:00",
        "2027-05-31 14:00",
        "2027-07-31 14:00",
        "2027-08-31 14:00",
        "2027-10-31 14:00",
        "2027-12-31 14:00",
    ]


def test_every_other_week_on_two_days_counts_weeks_from_the_first(client_admin, salle):
    reponse = poster(
        client_admin,
        corps(
            salle,
            paris(2027, 3, 1, 9),
            paris(2027, 3, 1, 10),
            frequence="hebdomadaire",
            intervalle=2,
            jours=["je", "lu"],
            nombre=6,
        ),
    )
    assert reponse.status_code == 201, reponse.json()
    assert heures_locales(reponse) == [
        "2027-03-01 09:00",
        "2027-03-04 09:00",
        "2027-03-15 09:00",
        "2027-03-18 09:00",
        "2027-03-29 09:00",
        "2027-04-01 09:00",
    ]
    assert reponse.json()["serie"]["recurrence"] == {
        "frequence": "hebdomadaire",
        "intervalle": 2,
        "jours": ["lu", "je"],
        "jusqu_au": None,
        "nombre": 6,
    }


def test_jusqu_au_is_the_last_possible_date_inclusive(client_admin, salle):
    reponse = poster(
        client_admin,
        corps(
            salle,
            paris(2027, 6, 1, 9),
            paris(2027, 6, 1, 10),
            frequence="quotidienne",
            jusqu_au="2027-06-05",
        ),
        simulation=True,
    )
    assert heures_locales(reponse)[-1] == "2027-06-05 09:00"
    assert reponse.json()["resume"] == {"demandees": 5, "reservees": 0, "refusees": 0}


# --- Input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "recurrence",
    [
        {"frequence": "hebdomadaire"},
        {"frequence": "hebdomadaire", "nombre": 3, "jusqu_au": "2099-01-01"},
        {"frequence": "hebdomadaire", "nombre": None, "jusqu_au": None},
    ],
    ids=["neither", "both", "both-null"],
)
def test_exactly_one_of_jusqu_au_and_nombre_is_required(client_employe, salle, recurrence):
    donnees = {**corps(salle, lundi(10), lundi(11)), "recurrence": recurrence}
    reponse = poster(client_employe, donnees)
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {
        "recurrence": {"non_field_errors": [MSG_JUSQU_AU_OU_NOMBRE]}
    }
    assert not Serie.objects.exists()


@pytest.mark.parametrize(
    ("recurrence", "champ"),
    [
        ({"frequence": "annuelle", "nombre": 2}, "frequence"),
        ({"frequence": "hebdomadaire", "nombre": 0}, "nombre"),
        ({"frequence": "hebdomadaire", "nombre": 201}, "nombre"),
        ({"frequence": "hebdomadaire", "nombre": "3"}, None),
        ({"frequence": "hebdomadaire", "intervalle": 0, "nombre": 2}, "intervalle"),
        ({"frequence": "hebdomadaire", "jours": ["lundi"], "nombre": 2}, "jours"),
        ({"frequence": "hebdomadaire", "jours": [], "nombre": 2}, "jours"),
        ({"frequence": "quotidienne", "jours": ["lu"], "nombre": 2}, "jours"),
        ({"frequence": "hebdomadaire", "jusqu_au": "2027-02-30"}, "jusqu_au"),
        ({"frequence": "hebdomadaire", "jusqu_au": "3000-01-01"}, "jusqu_au"),
    ],
)
def test_a_bad_recurrence_is_a_400_naming_the_field(client_employe, salle, recurrence, champ):
    donnees = {**corps(salle, lundi(10), lundi(11)), "recurrence": recurrence}
    reponse = poster(client_employe, donnees)
    if champ is None:  # DRF's integers accept "3", as for nbr_participants
        assert reponse.status_code == 201
        return
    assert reponse.status_code == 400, reponse.json()
    assert champ in reponse.json()["errors"]["recurrence"]
    assert reponse.json()["code"] == "validation"


def test_jours_is_for_weekly_series_only(client_employe, salle):
    donnees = corps(salle, lundi(10), lundi(11), frequence="quotidienne", jours=["lu"], nombre=2)
    assert poster(client_employe, donnees).json()["errors"] == {
        "recurrence": {"jours": [MSG_JOURS_HEBDOMADAIRE]}
    }


def test_the_first_date_must_be_one_of_the_days(client_employe, salle):
    donnees = corps(salle, lundi(10), lundi(11), frequence="hebdomadaire", jours=["ma"], nombre=2)
    reponse = poster(client_employe, donnees)
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"recurrence": [series.MSG_PREMIER_JOUR.format(jour="lu")]}


@pytest.mark.parametrize("recurrence", [[], "hebdomadaire", None, {"a": 1}])
def test_a_recurrence_that_is_not_an_object_is_a_400(client_employe, salle, recurrence):
    donnees = {**corps(salle, lundi(10), lundi(11)), "recurrence": recurrence}
    reponse = poster(client_employe, donnees)
    assert reponse.status_code == 400
    assert "recurrence" in reponse.json()["errors"]


def test_simulation_must_be_true_or_false(client_employe, salle):
    donnees = corps(salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=2)
    reponse = client_employe.post("/reservations/series?simulation=1", donnees, format="json")
    assert reponse.status_code == 400
    assert "simulation" in reponse.json()["errors"]


# --- Limits ---------------------------------------------------------------------------


def test_200_occurrences_are_accepted(client_admin):
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    debut = paris(2027, 1, 4, 8)
    donnees = corps(vehicule, debut, paris(2027, 1, 4, 9), frequence="quotidienne", nombre=200)
    reponse = poster(client_admin, donnees, simulation=True)
    assert reponse.status_code == 200
    assert reponse.json()["resume"]["demandees"] == 200


def test_more_than_200_occurrences_is_a_400(client_admin, salle):
    donnees = corps(
        salle,
        paris(2027, 1, 4, 8),
        paris(2027, 1, 4, 9),
        frequence="quotidienne",
        jusqu_au="2027-09-01",
    )
    reponse = poster(client_admin, donnees)
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"recurrence": [series.MSG_TROP_D_OCCURRENCES]}


def test_the_last_date_may_be_365_days_after_the_first_not_366(client_admin, salle):
    # 2027-01-04 + 52 weeks = 2028-01-03 (364 days); 53 weeks = 2028-01-10 (371 days).
    debut, fin = paris(2027, 1, 4, 8), paris(2027, 1, 4, 9)
    ok = poster(
        client_admin, corps(salle, debut, fin, frequence="hebdomadaire", nombre=53), simulation=True
    )
    assert ok.status_code == 200
    trop = poster(client_admin, corps(salle, debut, fin, frequence="hebdomadaire", nombre=54))
    assert trop.status_code == 400
    assert trop.json()["errors"] == {
        "recurrence": [series.MSG_TROP_LONGUE.format(date="10/01/2028")]
    }
    annee = corps(salle, debut, fin, frequence="mensuelle", jusqu_au="2028-01-04")
    assert poster(client_admin, annee, simulation=True).status_code == 200  # exactly 365 days
    loin = corps(salle, debut, fin, frequence="hebdomadaire", jusqu_au="2029-06-01")
    assert poster(client_admin, loin).status_code == 400
    assert not Serie.objects.exists()


def test_jusqu_au_before_the_first_date_is_a_400(client_admin, salle):
    donnees = corps(
        salle,
        paris(2027, 1, 4, 8),
        paris(2027, 1, 4, 9),
        frequence="hebdomadaire",
        jusqu_au="2027-01-03",
    )
    assert poster(client_admin, donnees).json()["errors"] == {
        "recurrence": [series.MSG_JUSQU_AU_AVANT.format(date="04/01/2027")]
    }


# --- Booking, both modes ----------------------------------------------------------------


def test_a_series_books_every_date_with_its_events(client_employe, employe, salle):
    reponse = poster(
        client_employe,
        corps(salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=3, nbr_participants=4),
    )
    assert reponse.status_code == 201, reponse.json()
    data = reponse.json()
    serie = Serie.objects.get()
    reservations = list(Reservation.objects.order_by("debut"))
    assert data["serie"] == {
        "id": serie.pk,
        "ressource_id": salle.pk,
        "user_id": employe.pk,
        "createur_id": employe.pk,
        "origine": "recurrence",
        "recurrence": {
            "frequence": "hebdomadaire",
            "intervalle": 1,
            "jours": ["lu"],
            "jusqu_au": None,
            "nombre": 3,
        },
        "mode": "tout_ou_rien",
        "description": "Point d'équipe",
        "nbr_participants": 4,
        "note": "",
        "date_creation": iso(serie.date_creation),
    }
    assert data["occurrences"] == [
        {
            "debut": iso(r.debut),
            "fin": iso(r.fin),
            "statut": "reservee",
            "reservation_id": r.pk,
            "erreurs": None,
            "conflits": [],
            "alternatives": [],
        }
        for r in reservations
    ]
    assert data["resume"] == {"demandees": 3, "reservees": 3, "refusees": 0}
    assert [r.debut for r in reservations] == [lundi(10, semaines=s) for s in (1, 2, 3)]
    for reservation in reservations:
        assert reservation.serie_id == serie.pk
        assert reservation.statut == StatutReservation.CONFIRME
        assert (reservation.user_id, reservation.createur_id) == (employe.pk, employe.pk)
        assert reservation.site_id == salle.site_id
        assert reservation.description == "Point d'équipe"
        assert reservation.nbr_participants == 4
    creees = Evenement.objects.filter(type=TypeEvenement.RESERVATION_CREEE)
    assert sorted(creees.values_list("reservation_id", flat=True)) == [r.pk for r in reservations]
    assert {e.acteur_id for e in creees} == {employe.pk}


def test_a_series_on_a_ressource_needing_approval_waits_for_it(client_employe):
    ressource = RessourceFactory(validation_requise=True)
    donnees = corps(ressource, lundi(10), lundi(11), frequence="hebdomadaire", nombre=2)
    assert poster(client_employe, donnees).status_code == 201
    assert set(Reservation.objects.values_list("statut", flat=True)) == {"en_cours"}


def test_all_or_nothing_with_one_taken_date_is_a_409_with_the_report(client_employe, salle):
    prise = ReservationFactory(
        ressource=salle, debut=lundi(10, 30, semaines=2), fin=lundi(11, 30, semaines=2)
    )
    reponse = poster(
        client_employe, corps(salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=3)
    )
    assert reponse.status_code == 409
    data = reponse.json()
    assert data["code"] == "conflit_reservation"
    assert data["detail"] == series.MSG_SERIE_REFUSEE.format(refusees=1, demandees=3)
    assert data["serie"]["id"] is None
    assert [o["statut"] for o in data["occurrences"]] == ["libre", "refusee", "libre"]
    assert data["occurrences"][1]["conflits"] == [
        {"type": "reservation", "id": prise.pk, "debut": iso(prise.debut), "fin": iso(prise.fin)}
    ]
    assert data["occurrences"][1]["erreurs"] is None
    assert [o["reservation_id"] for o in data["occurrences"]] == [None, None, None]
    assert data["resume"] == {"demandees": 3, "reservees": 0, "refusees": 1}
    assert Reservation.objects.count() == 1
    assert not Serie.objects.exists()
    assert not Evenement.objects.exists()


def test_ignoring_conflicts_books_the_free_dates_and_lists_the_others(client_employe, salle):
    prise = ReservationFactory(
        ressource=salle, debut=lundi(10, semaines=2), fin=lundi(11, semaines=2)
    )
    periode = ResourceAvailabilityFactory(
        ressource=salle, debut=lundi(9, semaines=3), fin=lundi(12, semaines=3)
    )
    reponse = poster(
        client_employe,
        corps(
            salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=4, mode="ignorer_conflits"
        ),
    )
    assert reponse.status_code == 201, reponse.json()
    occurrences = reponse.json()["occurrences"]
    assert [o["statut"] for o in occurrences] == ["reservee", "refusee", "refusee", "reservee"]
    assert occurrences[1]["conflits"][0]["id"] == prise.pk
    assert occurrences[2]["conflits"] == [
        {
            "type": "indisponibilite",
            "id": periode.pk,
            "debut": iso(periode.debut),
            "fin": iso(periode.fin),
        }
    ]
    assert reponse.json()["resume"] == {"demandees": 4, "reservees": 2, "refusees": 2}
    serie = Serie.objects.get()
    assert serie.mode == "ignorer_conflits"
    assert sorted(serie.reservations.values_list("pk", flat=True)) == [
        occurrences[0]["reservation_id"],
        occurrences[3]["reservation_id"],
    ]
    assert Evenement.objects.filter(type=TypeEvenement.RESERVATION_CREEE).count() == 2


def test_ignoring_conflicts_with_no_bookable_date_is_a_409(client_employe, salle):
    for semaine in (1, 2):
        ReservationFactory(
            ressource=salle, debut=lundi(10, semaines=semaine), fin=lundi(11, semaines=semaine)
        )
    reponse = poster(
        client_employe,
        corps(
            salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=2, mode="ignorer_conflits"
        ),
    )
    assert reponse.status_code == 409
    assert reponse.json()["detail"] == series.MSG_AUCUNE_RESERVABLE
    assert reponse.json()["resume"] == {"demandees": 2, "reservees": 0, "refusees": 2}
    assert not Serie.objects.exists()


def test_a_date_breaking_a_rule_is_refused_with_its_errors_not_conflicts(client_employe, salle):
    # The room is only bookable during its normal windows: the first two Mondays.
    for semaine in (1, 2):
        ResourceAvailabilityFactory(
            ressource=salle,
            type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
            debut=lundi(8, semaines=semaine),
            fin=lundi(18, semaines=semaine),
        )
    reponse = poster(
        client_employe,
        corps(
            salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=3, mode="ignorer_conflits"
        ),
    )
    assert reponse.status_code == 201
    troisieme = reponse.json()["occurrences"][2]
    assert troisieme["statut"] == "refusee"
    assert troisieme["erreurs"] == {"non_field_errors": [regles.MSG_HORS_FENETRE]}
    assert troisieme["conflits"] == []
    assert troisieme["alternatives"] == []


def test_every_rule_of_a_single_booking_applies_to_each_date(client_employe, salle):
    # Capacity, grid, duration: refused for every date, as a single booking would be.
    donnees = corps(
        salle, lundi(10), lundi(10, 20), frequence="hebdomadaire", nombre=2, nbr_participants=9
    )
    reponse = poster(client_employe, donnees, simulation=True)
    assert reponse.status_code == 200
    for occurrence in reponse.json()["occurrences"]:
        assert occurrence["erreurs"] == {
            "fin": [regles.MSG_GRILLE, regles.MSG_DUREE_MIN],
            "nbr_participants": [regles.MSG_CAPACITE.format(capacite=8)],
        }


def test_a_past_first_date_is_refused_for_an_employee(client_employe, salle):
    hier = demain_a(10, jours=-1)
    donnees = corps(
        salle,
        hier,
        hier + timedelta(hours=1),
        frequence="quotidienne",
        intervalle=2,
        nombre=3,
        mode="ignorer_conflits",
    )
    reponse = poster(client_employe, donnees)
    assert reponse.status_code == 201
    assert reponse.json()["occurrences"][0]["erreurs"] == {"debut": [regles.MSG_PASSE]}
    assert reponse.json()["resume"]["reservees"] == 2


def test_an_inactive_ressource_refuses_the_whole_series(client_employe):
    ressource = RessourceFactory(etat=Etat.HORS_SERVICE)
    donnees = corps(ressource, lundi(10), lundi(11), frequence="hebdomadaire", nombre=2)
    for simulation in (False, True):
        reponse = poster(client_employe, donnees, simulation=simulation)
        assert reponse.status_code == 409
        assert reponse.json()["code"] == "ressource_inactive"


def test_simulation_reports_the_same_and_stores_nothing(client_employe, salle):
    prise = ReservationFactory(
        ressource=salle, debut=lundi(10, semaines=2), fin=lundi(11, semaines=2)
    )
    donnees = corps(salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=3)
    reponse = poster(client_employe, donnees, simulation=True)
    assert reponse.status_code == 200
    data = reponse.json()
    assert data["serie"]["id"] is None
    assert [o["statut"] for o in data["occurrences"]] == ["libre", "refusee", "libre"]
    assert data["occurrences"][1]["conflits"][0]["id"] == prise.pk
    assert data["resume"] == {"demandees": 3, "reservees": 0, "refusees": 1}
    assert list(Reservation.objects.all()) == [prise]
    assert not Serie.objects.exists()
    assert not Evenement.objects.exists()
    # The real request gives the same report, as a 409.
    reel = poster(client_employe, donnees)
    assert reel.status_code == 409
    assert reel.json()["occurrences"] == data["occurrences"]


def test_a_series_whose_dates_overlap_each_other_refuses_the_later_ones():
    # An import can hold overlapping events; a rule cannot: checked on the service.
    salle = RessourceFactory()
    par = UserFactory()
    creneaux = [
        series.Creneau(demain_a(10), demain_a(11)),
        series.Creneau(demain_a(10, 30), demain_a(11, 30)),
    ]
    rapport = series.reserver_serie(
        par=par, ressource=salle, creneaux=creneaux, mode="ignorer_conflits"
    )
    assert [o.statut for o in rapport.occurrences] == ["reservee", "refusee"]
    assert rapport.occurrences[1].erreurs == {"non_field_errors": [series.MSG_CHEVAUCHE_SERIE]}


# --- Who may book -----------------------------------------------------------------------


def test_an_employee_may_not_book_a_series_for_someone_else(client_employe, salle):
    autre = UserFactory()
    donnees = corps(
        salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=2, user_id=autre.pk
    )
    reponse = poster(client_employe, donnees)
    assert reponse.status_code == 403
    assert reponse.json()["detail"] == MSG_RESERVER_POUR_AUTRUI
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("qui", ["manager", "admin", "autorisation"])
def test_those_who_may_book_for_others_book_a_series_for_them(qui, salle, manager, admin_user):
    auteur = {
        "manager": manager,
        "admin": admin_user,
        "autorisation": UserFactory(autorisations=[Autorisation.RESERVER_POUR_AUTRUI]),
    }[qui]
    beneficiaire = UserFactory(department=DepartmentFactory())
    donnees = corps(
        salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=2, user_id=beneficiaire.pk
    )
    reponse = poster(client_pour(auteur), donnees)
    assert reponse.status_code == 201, reponse.json()
    assert reponse.json()["serie"]["user_id"] == beneficiaire.pk
    assert reponse.json()["serie"]["createur_id"] == auteur.pk
    assert set(Reservation.objects.values_list("user_id", "createur_id", "department_id")) == {
        (beneficiaire.pk, auteur.pk, beneficiaire.department_id)
    }


def test_an_anonymous_caller_is_a_401(api_client, salle):
    donnees = corps(salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=2)
    assert poster(api_client, donnees).status_code == 401


# --- Queries ----------------------------------------------------------------------------


def _requetes_d_une_serie(client, semaines):
    """Queries of booking a weekly series of ``semaines`` weeks whose every other date is
    taken (so with alternatives), on a site of 6 rooms."""
    salle = RessourceFactory(capacite_maximum=8, caracteristiques=["ecran"])
    for n in range(5):
        RessourceFactory(site=salle.site, capacite_maximum=8 + n, caracteristiques=["ecran"])
    for semaine in range(1, semaines + 1, 2):
        ReservationFactory(
            ressource=salle, debut=lundi(10, semaines=semaine), fin=lundi(11, semaines=semaine)
        )
    donnees = corps(
        salle,
        lundi(10),
        lundi(11),
        frequence="hebdomadaire",
        nombre=semaines,
        mode="ignorer_conflits",
    )
    with CaptureQueriesContext(connection) as requetes:
        reponse = poster(client, donnees)
    assert reponse.status_code == 201, reponse.json()
    refusees = [o for o in reponse.json()["occurrences"] if o["statut"] == "refusee"]
    assert len(refusees) == semaines // 2
    assert all(len(o["alternatives"]) == 3 for o in refusees)
    return len(requetes.captured_queries)


def test_the_queries_of_a_series_do_not_grow_with_its_dates(client_employe):
    courte = _requetes_d_une_serie(client_employe, 4)
    longue = _requetes_d_une_serie(client_employe, 52)
    assert courte == longue
    assert longue <= 18


def test_a_single_booking_still_takes_few_queries(
    client_employe, salle, django_assert_max_num_queries
):
    # Token, ressource, lock, reservations, periods, "any normal window", expired holds,
    # INSERT, event, savepoints: as before the rules were shared with series.
    with django_assert_max_num_queries(13):
        reponse = client_employe.post(
            "/reservations/",
            {"ressource_id": salle.pk, "debut": iso(demain_a(10)), "fin": iso(demain_a(11))},
            format="json",
        )
    assert reponse.status_code == 201


def test_the_rules_of_a_series_are_those_of_regles(monkeypatch, client_employe, salle):
    """One rule, two uses: a series decides each date with ``regles.evaluer_creneau``."""
    vues = []
    vrai = regles.evaluer_creneau

    def espion(ressource, debut, fin, **options):
        vues.append((ressource.pk, debut))
        return vrai(ressource, debut, fin, **options)

    monkeypatch.setattr(regles, "evaluer_creneau", espion)
    donnees = corps(salle, lundi(10), lundi(11), frequence="hebdomadaire", nombre=3)
    assert poster(client_employe, donnees).status_code == 201
    assert vues == [(salle.pk, lundi(10, semaines=s)) for s in (1, 2, 3)]


def test_the_api_dates_are_those_of_the_rule(client_admin, salle):
    donnees = corps(
        salle,
        paris(2027, 5, 3, 9),
        paris(2027, 5, 3, 10),
        frequence="hebdomadaire",
        jusqu_au=date(2027, 5, 24).isoformat(),
    )
    assert len(poster(client_admin, donnees, simulation=True).json()["occurrences"]) == 4
