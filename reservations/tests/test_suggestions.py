"""``/ressources/suggestions`` (API.md C9): free ressources ranked for the caller."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.models import StatutReservation
from reservations.tests.factories import ReservationFactory, demain_a
from ressources.models import Favori, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

URL = "/ressources/suggestions"


def _parametres(**autres):
    return {"debut": demain_a(9).isoformat(), "fin": demain_a(10).isoformat(), **autres}


@pytest.fixture
def monde(employe):
    chez_moi, ailleurs = SiteFactory(), SiteFactory()
    employe.site_principal = chez_moi
    employe.save(update_fields=["site_principal"])
    r = {
        "favorite": RessourceFactory(nom="E favorite", site=ailleurs, capacite_maximum=40),
        "habituelle": RessourceFactory(nom="D habituelle", site=ailleurs, capacite_maximum=30),
        "locale": RessourceFactory(nom="C locale", site=chez_moi, capacite_maximum=20),
        "juste": RessourceFactory(nom="B juste", site=ailleurs, capacite_maximum=4),
        "grande": RessourceFactory(nom="A grande", site=ailleurs, capacite_maximum=12),
        "petite": RessourceFactory(nom="F petite", site=chez_moi, capacite_maximum=2),
    }
    Favori.objects.create(user=employe, ressource=r["favorite"])
    il_y_a = timezone.now() - timedelta(days=10)
    for jours in (1, 2):
        ReservationFactory(
            ressource=r["habituelle"],
            user=employe,
            debut=il_y_a - timedelta(days=jours),
            fin=il_y_a - timedelta(days=jours) + timedelta(hours=1),
            statut=StatutReservation.FINI,
        )
    return r


def test_suggestions_are_ranked_for_the_caller_with_their_reasons(client_employe, monde):
    reponse = client_employe.get(URL, _parametres(nbr_participants=4))

    assert reponse.status_code == 200, reponse.json()
    corps = reponse.json()
    assert [s["nom"] for s in corps] == [
        "E favorite",
        "D habituelle",
        "C locale",
        "B juste",
        "A grande",
    ]  # "F petite" cannot hold 4 people
    assert [s["raisons"] for s in corps] == [
        ["favori"],
        ["habituelle"],
        ["site_principal"],
        ["capacite_adaptee"],
        [],
    ]
    assert corps[0]["est_favori"] is True
    assert {"id", "nom", "capacite_maximum", "site_id"} <= set(corps[0])


def test_a_busy_ressource_is_not_suggested(client_employe, monde):
    ReservationFactory(ressource=monde["favorite"], debut=demain_a(9), fin=demain_a(10))

    noms = [s["nom"] for s in client_employe.get(URL, _parametres()).json()]

    assert "E favorite" not in noms
    assert noms[0] == "D habituelle"


def test_old_and_cancelled_bookings_do_not_make_a_ressource_usual(client_employe, employe, monde):
    vieux = timezone.now() - timedelta(days=100)
    ReservationFactory(
        ressource=monde["grande"], user=employe, debut=vieux, fin=vieux + timedelta(hours=1)
    )
    ReservationFactory(
        ressource=monde["juste"],
        user=employe,
        debut=demain_a(14),
        fin=demain_a(15),
        statut=StatutReservation.ANNULE,
    )

    corps = client_employe.get(URL, _parametres()).json()

    assert [s["nom"] for s in corps if "habituelle" in s["raisons"]] == ["D habituelle"]


def test_the_type_filter_and_at_most_ten(client_employe, monde):
    RessourceFactory.create_batch(12, type_ressource=TypeRessource.EQUIPEMENT, capacite_maximum=1)

    equipements = client_employe.get(URL, _parametres(type_of_ressource="equipement")).json()
    assert len(equipements) == 10
    assert {s["type_ressource"] for s in equipements} == {"equipement"}
    assert len(client_employe.get(URL, _parametres()).json()) == 10


def test_another_users_favourites_and_history_do_not_count(client_manager, monde):
    corps = client_manager.get(URL, _parametres(nbr_participants=4)).json()

    assert not any({"favori", "habituelle"} & set(s["raisons"]) for s in corps)
    assert corps[0]["nom"] == "B juste"


@pytest.mark.parametrize(
    "parametres",
    [
        {},
        {"debut": demain_a(9).isoformat()},
        _parametres(nbr_participants=0),
        _parametres(nbr_participants="beaucoup"),
        _parametres(nbr_participants=10**30),
        _parametres(type_of_ressource="bateau"),
        {"debut": demain_a(10).isoformat(), "fin": demain_a(9).isoformat()},
    ],
)
def test_bad_parameters_are_a_400(client_employe, parametres):
    reponse = client_employe.get(URL, parametres)

    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"


def test_suggestions_need_authentication(api_client):
    assert api_client.get(URL, _parametres()).status_code == 401


@pytest.mark.parametrize("nombre", [1, 40])
def test_query_count_does_not_grow(client_employe, employe, django_assert_max_num_queries, nombre):
    for ressource in RessourceFactory.create_batch(nombre):
        Favori.objects.create(user=employe, ressource=ressource)
        ReservationFactory(ressource=ressource, user=employe, debut=demain_a(14), fin=demain_a(15))

    # token, blocking periods, normal periods, ranked page
    with django_assert_max_num_queries(4):
        reponse = client_employe.get(URL, _parametres())
    assert len(reponse.json()) == min(nombre, 10)
