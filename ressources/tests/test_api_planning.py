"""``GET /ressources/{id}/planning``: busy intervals of one ressource in a window."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from resa_project.parametres import MSG_FENETRE, MSG_HEURE_LOCALE
from reservations.models import Recurrence, StatutReservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ressource():
    return RessourceFactory()


def _iso(moment):
    return timezone.localtime(moment).isoformat()


def _url(ressource):
    return f"/ressources/{ressource.pk}/planning"


@pytest.mark.parametrize(
    ("role", "attendu"), [("anonyme", 401), ("employe", 200), ("manager", 200), ("admin", 200)]
)
@pytest.mark.parametrize("barre", ["", "/"])
def test_permission_matrix(clients, ressource, role, attendu, barre):
    assert clients[role].get(_url(ressource) + barre).status_code == attendu


def test_an_unknown_ressource_is_a_404(client_employe):
    assert client_employe.get("/ressources/999999/planning").status_code == 404


def test_planning_lists_blocking_reservations_and_period_occurrences_sorted(
    client_employe, ressource
):
    confirmee = ReservationFactory(
        ressource=ressource, debut=demain_a(10), fin=demain_a(11), description="Secret"
    )
    en_attente = ReservationFactory(
        ressource=ressource,
        debut=demain_a(8, jours=2),
        fin=demain_a(9, jours=2),
        statut=StatutReservation.EN_ATTENTE,
    )
    ReservationFactory(
        ressource=ressource, debut=demain_a(14), fin=demain_a(15), statut=StatutReservation.ANNULE
    )
    ReservationFactory(ressource=RessourceFactory(), debut=demain_a(9), fin=demain_a(10))
    ResourceAvailabilityFactory(
        ressource=ressource,
        debut=demain_a(12, jours=-5),
        fin=demain_a(13, jours=-5),
        recurrence=Recurrence.QUOTIDIEN,
        fin_recurrence=demain_a(0, jours=2).date(),
    )
    normale = ResourceAvailabilityFactory(
        ressource=ressource,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(7),
        fin=demain_a(19),
    )
    du, au = demain_a(0), demain_a(0, jours=3)

    reponse = client_employe.get(_url(ressource), {"du": du.isoformat(), "au": au.isoformat()})

    assert reponse.status_code == 200
    maintenance = {"type": "indisponibilite", "type_disponibilite": "maintenance"}
    assert reponse.json() == [
        {
            "debut": _iso(normale.debut),
            "fin": _iso(normale.fin),
            "type": "indisponibilite",
            "type_disponibilite": "disponibilite_normale",
        },
        {"debut": _iso(confirmee.debut), "fin": _iso(confirmee.fin), "type": "reservation", "statut": "confirme"},
        {"debut": _iso(demain_a(12)), "fin": _iso(demain_a(13)), **maintenance},
        {"debut": _iso(en_attente.debut), "fin": _iso(en_attente.fin), "type": "reservation", "statut": "en_cours"},
        {"debut": _iso(demain_a(12, jours=2)), "fin": _iso(demain_a(13, jours=2)), **maintenance},
    ]  # fmt: skip


def test_intervals_overlapping_the_window_edges_are_included_whole(client_employe, ressource):
    reservation = ReservationFactory(ressource=ressource, debut=demain_a(9), fin=demain_a(11))
    ReservationFactory(ressource=ressource, debut=demain_a(11), fin=demain_a(12))

    reponse = client_employe.get(
        _url(ressource), {"du": demain_a(10).isoformat(), "au": demain_a(11).isoformat()}
    )

    assert reponse.json() == [
        {
            "debut": _iso(reservation.debut),
            "fin": _iso(reservation.fin),
            "type": "reservation",
            "statut": "confirme",
        }
    ]


def test_the_default_window_is_today_and_the_next_7_days(client_employe, ressource):
    dans_la_semaine = ReservationFactory(
        ressource=ressource, debut=demain_a(9, jours=6), fin=demain_a(10, jours=6)
    )
    ReservationFactory(ressource=ressource, debut=demain_a(9, jours=7), fin=demain_a(10, jours=7))

    reponse = client_employe.get(_url(ressource))

    assert [i["debut"] for i in reponse.json()] == [_iso(dans_la_semaine.debut)]


def test_dates_alone_are_read_as_midnight_and_du_alone_spans_7_days(client_employe, ressource):
    ReservationFactory(ressource=ressource, debut=demain_a(9, jours=3), fin=demain_a(10, jours=3))
    ReservationFactory(ressource=ressource, debut=demain_a(9, jours=8), fin=demain_a(10, jours=8))
    ReservationFactory(ressource=ressource, debut=demain_a(9, jours=9), fin=demain_a(10, jours=9))

    du_seul = client_employe.get(_url(ressource), {"du": demain_a(0, jours=2).date().isoformat()})
    au_seul = client_employe.get(_url(ressource), {"au": demain_a(0, jours=9).date().isoformat()})

    assert len(du_seul.json()) == 2
    assert len(au_seul.json()) == 2


@pytest.mark.parametrize(
    ("du", "au", "champ"),
    [
        (demain_a(10), demain_a(10), "au"),
        (demain_a(10), demain_a(9), "au"),
        (demain_a(0), demain_a(0, jours=33), "au"),
        ("hier", None, "du"),
        (None, "2030-13-01", "au"),
    ],
)
def test_a_bad_window_is_a_400(client_employe, ressource, du, au, champ):
    parametres = {
        cle: valeur if isinstance(valeur, str) else valeur.isoformat()
        for cle, valeur in {"du": du, "au": au}.items()
        if valeur is not None
    }

    reponse = client_employe.get(_url(ressource), parametres)

    assert reponse.status_code == 400
    assert champ in reponse.json()["errors"]


def test_a_window_of_exactly_31_days_is_accepted(client_employe, ressource):
    du = demain_a(0)

    reponse = client_employe.get(
        _url(ressource),
        {"du": du.isoformat(), "au": (du + timedelta(days=31)).isoformat()},
    )

    assert reponse.status_code == 200


@pytest.mark.parametrize("nombre", [1, 50])
def test_query_count_does_not_grow(
    client_employe, ressource, django_assert_max_num_queries, nombre
):
    for i in range(nombre):
        jour, heure = divmod(i, 10)
        ReservationFactory(
            ressource=ressource,
            debut=demain_a(7 + heure, jours=1 + jour),
            fin=demain_a(8 + heure, jours=1 + jour),
        )
        ResourceAvailabilityFactory(
            ressource=ressource,
            debut=demain_a(19, jours=1 + i),
            fin=demain_a(20, jours=1 + i),
            recurrence=Recurrence.HEBDOMADAIRE,
        )

    # token, ressource, reservations, periods
    with django_assert_max_num_queries(4):
        reponse = client_employe.get(
            _url(ressource),
            {"du": demain_a(0).isoformat(), "au": demain_a(0, jours=31).isoformat()},
        )

    assert reponse.status_code == 200
    assert sum(i["type"] == "reservation" for i in reponse.json()) == nombre


# --- daylight saving: naive times refused, instants compared, calendar days --------------

HEURE_SAUTEE = "2027-03-28T02:30:00"  # skipped by the spring change in Europe/Paris
HEURE_REPETEE = "2027-10-31T02:30:00"  # lived twice at the autumn change


def _instant(texte):
    return datetime.fromisoformat(texte)


@pytest.mark.parametrize("heure", [HEURE_SAUTEE, HEURE_REPETEE])
@pytest.mark.parametrize("champ", ["du", "au"])
def test_a_naive_time_that_daylight_saving_skips_or_repeats_asks_for_an_offset(
    client_employe, ressource, heure, champ
):
    reponse = client_employe.get(_url(ressource), {champ: heure})

    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"
    assert reponse.json()["errors"] == {champ: [MSG_HEURE_LOCALE.format(fuseau="Europe/Paris")]}


def test_a_window_across_the_autumn_change_is_compared_as_instants(client_employe, ressource):
    ReservationFactory(
        ressource=ressource,
        debut=_instant("2027-10-31T02:00:00+01:00"),
        fin=_instant("2027-10-31T02:45:00+01:00"),
    )
    ReservationFactory(  # ends where the window starts
        ressource=ressource,
        debut=_instant("2027-10-31T01:45:00+02:00"),
        fin=_instant("2027-10-31T02:30:00+02:00"),
    )

    # 02:30 summer time to 02:30 winter time: the same on the clock, one hour apart.
    reponse = client_employe.get(
        _url(ressource), {"du": "2027-10-31T02:30:00+02:00", "au": "2027-10-31T02:30:00+01:00"}
    )

    assert reponse.status_code == 200, reponse.json()
    assert reponse.json() == [
        {
            "debut": "2027-10-31T02:00:00+01:00",
            "fin": "2027-10-31T02:45:00+01:00",
            "type": "reservation",
            "statut": "confirme",
        }
    ]


def test_au_later_on_the_clock_but_earlier_in_time_is_a_400(client_employe, ressource):
    reponse = client_employe.get(
        _url(ressource), {"du": "2027-10-31T02:30:00+01:00", "au": "2027-10-31T02:45:00+02:00"}
    )

    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"au": [MSG_FENETRE]}


@pytest.mark.parametrize(
    ("du", "au", "attendu"),
    [
        ("2027-10-01", "2027-11-01", 200),  # 31 days and 1 hour of real time
        ("2027-10-01", "2027-11-01T00:15:00", 400),
        ("2027-03-01", "2027-04-01", 200),
        ("2027-03-01", "2027-04-01T00:30:00", 400),  # 30 days 23 h 30 of real time
    ],
)
def test_the_31_days_are_calendar_days_across_a_change(client_employe, ressource, du, au, attendu):
    reponse = client_employe.get(_url(ressource), {"du": du, "au": au})

    assert reponse.status_code == attendu
    if attendu == 400:
        assert list(reponse.json()["errors"]) == ["au"]


def test_a_window_given_by_one_end_spans_7_calendar_days_across_the_autumn_change(
    client_employe, ressource
):
    premiere = ReservationFactory(
        ressource=ressource,
        debut=_instant("2027-10-28T00:00:00+02:00"),
        fin=_instant("2027-10-28T00:30:00+02:00"),
    )
    derniere = ReservationFactory(
        ressource=ressource,
        debut=_instant("2027-11-03T23:00:00+01:00"),
        fin=_instant("2027-11-03T23:30:00+01:00"),
    )

    du_seul = client_employe.get(_url(ressource), {"du": "2027-10-28"})
    au_seul = client_employe.get(_url(ressource), {"au": "2027-11-04"})

    attendus = [_iso(premiere.debut), _iso(derniere.debut)]
    assert [i["debut"] for i in du_seul.json()] == attendus
    assert [i["debut"] for i in au_seul.json()] == attendus
