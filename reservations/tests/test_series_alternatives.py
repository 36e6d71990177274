"""Alternatives to a taken window (API.md C7): which ressources are offered and which are
not, their order, the nearest start on the same ressource; in a series' report and in the
409 of a single booking."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from reservations import alternatives, regles
from reservations.models import Reservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def iso(moment):
    return timezone.localtime(moment).isoformat()


@pytest.fixture
def salle(db):
    """The requested room: 6 seats, a screen and a video kit; taken 10:00-11:00 tomorrow."""
    salle = RessourceFactory(
        nom="Demandée", capacite_maximum=6, caracteristiques=["ecran", "visio"]
    )
    ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
    return salle


def autre(salle, nom, **champs):
    valeurs = {
        "site": salle.site,
        "type_ressource": salle.type_ressource,
        "capacite_maximum": 6,
        "caracteristiques": ["visio", "ecran", "wifi"],
        **champs,
    }
    return RessourceFactory(nom=nom, **valeurs)


def proposees(salle, debut=None, fin=None, nbr_participants=4, admin=False):
    return alternatives.pour_creneau(
        salle,
        debut or demain_a(10),
        fin or demain_a(11),
        nbr_participants=nbr_participants,
        admin=admin,
    )


def noms(propositions):
    return [p["nom"] for p in propositions]


def test_free_ressources_of_the_same_type_and_site_come_first_closest_capacity_first(salle):
    grande = autre(salle, "Grande", capacite_maximum=20)
    bravo = autre(salle, "Bravo", capacite_maximum=5)
    alpha = autre(salle, "Alpha", capacite_maximum=5)
    autre(salle, "Moyenne", capacite_maximum=8)
    propositions = proposees(salle)
    assert noms(propositions) == ["Alpha", "Bravo", "Moyenne"]
    assert propositions[0] == {
        "ressource_id": alpha.pk,
        "nom": "Alpha",
        "site_id": salle.site_id,
        "debut": timezone.localtime(demain_a(10)),
        "fin": timezone.localtime(demain_a(11)),
    }
    assert grande.pk not in [p["ressource_id"] for p in propositions]
    assert bravo.pk == propositions[1]["ressource_id"]


@pytest.mark.parametrize(
    "champs",
    [
        {"capacite_maximum": 3},
        {"caracteristiques": ["ecran"]},
        {"caracteristiques": []},
        {"type_ressource": TypeRessource.EQUIPEMENT},
        {"etat": Etat.EN_MAINTENANCE},
        {"etat": Etat.HORS_SERVICE},
    ],
    ids=["too-small", "missing-visio", "no-features", "other-type", "maintenance", "out-of-order"],
)
def test_ressources_that_do_not_fit_are_not_offered(salle, champs):
    candidate = autre(salle, "Candidate", **champs)
    assert candidate.pk not in [p["ressource_id"] for p in proposees(salle)]


def test_a_ressource_of_another_site_is_not_offered(salle):
    ailleurs = autre(salle, "Ailleurs", site=SiteFactory())
    assert ailleurs.pk not in [p["ressource_id"] for p in proposees(salle)]


def test_a_ressource_busy_on_that_window_is_not_offered(salle):
    occupee = autre(salle, "Occupée")
    ReservationFactory(ressource=occupee, debut=demain_a(10, 30), fin=demain_a(12))
    bloquee = autre(salle, "Bloquée")
    ResourceAvailabilityFactory(ressource=bloquee, debut=demain_a(9), fin=demain_a(10, 15))
    fermee = autre(salle, "Fermée")
    ResourceAvailabilityFactory(
        ressource=fermee,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(14),
        fin=demain_a(18),
    )
    libre = autre(salle, "Libre")
    ReservationFactory(ressource=libre, debut=demain_a(9), fin=demain_a(10))  # touching
    assert [p["ressource_id"] for p in proposees(salle) if p["ressource_id"] != salle.pk] == [
        libre.pk
    ]


def test_a_room_whose_own_hours_exclude_the_window_is_not_offered(salle):
    autre(salle, "Matinale", horaires_ouverture=time(7), horaires_fermeture=time(9, 30))
    assert "Matinale" not in noms(proposees(salle))


def test_at_most_three_are_offered(salle):
    for nom in ("A", "B", "C", "D"):
        autre(salle, nom)
    assert noms(proposees(salle)) == ["A", "B", "C"]


def test_then_the_nearest_free_start_of_the_same_ressource(salle):
    autre(salle, "Seule")
    # 10:00-11:00 taken; 11:00-11:30 taken too: 09:00 (one hour earlier) is nearer than 11:30.
    ReservationFactory(ressource=salle, debut=demain_a(11), fin=demain_a(11, 30))
    propositions = proposees(salle, demain_a(10, 15), demain_a(11, 15))
    assert propositions[0]["nom"] == "Seule"
    assert propositions[1] == {
        "ressource_id": salle.pk,
        "nom": salle.nom,
        "site_id": salle.site_id,
        "debut": timezone.localtime(demain_a(9)),
        "fin": timezone.localtime(demain_a(10)),
    }
    assert len(propositions) == 2


def test_at_equal_distance_the_earlier_start_is_offered(salle):
    # 10:00-11:00 taken, asked again: 09:00 and 11:00 are both one hour away and free.
    assert proposees(salle)[0]["debut"] == timezone.localtime(demain_a(9))


def test_the_nearest_free_start_wins(salle):
    # Asking 10:30-11:30: 11:00 (+30 min) is the nearest start that does not overlap.
    assert proposees(salle, demain_a(10, 30), demain_a(11, 30))[0]["debut"] == (
        timezone.localtime(demain_a(11))
    )
    ReservationFactory(ressource=salle, debut=demain_a(11), fin=demain_a(12, 30))
    # Now 09:00 (-1 h 30) is nearer than 12:30 (+2 h).
    assert proposees(salle, demain_a(10, 30), demain_a(11, 30))[0]["debut"] == (
        timezone.localtime(demain_a(9))
    )
    ReservationFactory(ressource=salle, debut=demain_a(8), fin=demain_a(10))
    ReservationFactory(ressource=salle, debut=demain_a(12, 30), fin=demain_a(14))
    # 08:00-14:00 all taken: nothing starts within 2 hours of 10:30.
    assert proposees(salle, demain_a(10, 30), demain_a(11, 30)) == []


def test_the_nearest_start_stays_within_two_hours_and_the_same_day(salle):
    ReservationFactory(ressource=salle, debut=demain_a(7), fin=demain_a(10))
    ReservationFactory(ressource=salle, debut=demain_a(11), fin=demain_a(13, 15))
    # 10:00-11:00 asked: free from 13:15 on (+3 h 15) and before 07:00 (closed): nothing.
    assert proposees(salle) == []
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    ReservationFactory(ressource=vehicule, debut=demain_a(7), fin=demain_a(8, 30))
    # The site opens at 07:00: a start before it is closed, after 08:30 is +1 h 30.
    propositions = proposees(vehicule, demain_a(7, 30), demain_a(8, 30), nbr_participants=1)
    assert [p["debut"] for p in propositions] == [timezone.localtime(demain_a(8, 30))]


def test_the_single_booking_409_offers_the_alternatives(client_employe, salle):
    voisine = autre(salle, "Voisine")
    reponse = client_employe.post(
        "/reservations/",
        {
            "ressource_id": salle.pk,
            "debut": iso(demain_a(10)),
            "fin": iso(demain_a(11)),
            "nbr_participants": 4,
        },
        format="json",
    )
    assert reponse.status_code == 409
    prise = Reservation.objects.get(ressource=salle)
    assert reponse.json() == {
        "detail": regles.MSG_CONFLIT,
        "code": "conflit_reservation",
        "conflits": [
            {
                "type": "reservation",
                "id": prise.pk,
                "debut": iso(prise.debut),
                "fin": iso(prise.fin),
            }
        ],
        "alternatives": [
            {
                "ressource_id": voisine.pk,
                "nom": "Voisine",
                "site_id": salle.site_id,
                "debut": iso(demain_a(10)),
                "fin": iso(demain_a(11)),
            },
            {
                "ressource_id": salle.pk,
                "nom": salle.nom,
                "site_id": salle.site_id,
                "debut": iso(demain_a(9)),
                "fin": iso(demain_a(10)),
            },
        ],
    }


def test_the_alternatives_follow_the_callers_rules(client_employe, client_admin):
    # Yesterday's slot: nothing is bookable for an employee (400), for an admin it is.
    salle = RessourceFactory(capacite_maximum=4)
    voisine = RessourceFactory(site=salle.site, capacite_maximum=4)
    hier = demain_a(10, jours=-1)
    ReservationFactory(ressource=salle, debut=hier, fin=hier + timedelta(hours=1))
    corps = {"ressource_id": salle.pk, "debut": iso(hier), "fin": iso(hier + timedelta(hours=1))}
    assert client_employe.post("/reservations/", corps, format="json").status_code == 400
    reponse = client_admin.post("/reservations/", corps, format="json")
    assert reponse.status_code == 409
    assert reponse.json()["alternatives"][0]["ressource_id"] == voisine.pk


def test_an_inactive_ressource_409_has_no_alternatives(client_employe):
    ressource = RessourceFactory(etat=Etat.HORS_SERVICE)
    reponse = client_employe.post(
        "/reservations/",
        {"ressource_id": ressource.pk, "debut": iso(demain_a(10)), "fin": iso(demain_a(11))},
        format="json",
    )
    assert reponse.status_code == 409
    assert "alternatives" not in reponse.json()


def test_a_series_report_offers_alternatives_for_each_taken_date(client_employe, salle):
    voisine = autre(salle, "Voisine")
    ReservationFactory(ressource=voisine, debut=demain_a(10, jours=8), fin=demain_a(11, jours=8))
    ReservationFactory(ressource=salle, debut=demain_a(10, jours=8), fin=demain_a(11, jours=8))
    reponse = client_employe.post(
        "/reservations/series?simulation=true",
        {
            "ressource_id": salle.pk,
            "debut": iso(demain_a(10)),
            "fin": iso(demain_a(11)),
            "nbr_participants": 4,
            "recurrence": {"frequence": "hebdomadaire", "nombre": 2},
        },
        format="json",
    )
    premiere, seconde = reponse.json()["occurrences"]
    assert [p["nom"] for p in premiere["alternatives"]] == ["Voisine", salle.nom]
    # A week later the neighbour is taken as well: only the nearest start is left.
    assert [(p["nom"], p["debut"]) for p in seconde["alternatives"]] == [
        (salle.nom, iso(demain_a(9, jours=8)))
    ]


def test_alternatives_for_many_windows_take_a_fixed_number_of_queries(
    salle, django_assert_max_num_queries
):
    for nom in ("A", "B", "C", "D"):
        autre(salle, nom)
    fenetres = [(demain_a(10, jours=7 * k), demain_a(11, jours=7 * k)) for k in range(1, 31)]
    with django_assert_max_num_queries(7):
        resultat = alternatives.proposer(salle, fenetres, nbr_participants=2, admin=False)
    assert all(len(p) == 3 for p in resultat.values())


def test_the_windows_are_compared_as_instants(salle):
    # A window given in another zone is the same window.
    debut = datetime.combine(timezone.localdate() + timedelta(days=1), time(10))
    debut = timezone.make_aware(debut).astimezone(timezone.get_fixed_timezone(-300))
    assert proposees(salle, debut, debut + timedelta(hours=1))[0]["nom"] == salle.nom
