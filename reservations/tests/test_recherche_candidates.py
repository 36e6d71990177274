"""The free search's total from its candidates (``recherche.Candidates``): the ressources the
catalogue's conditions admit, kept while the catalogue is unchanged, minus those occupied in
the window, which are read for every search. The total is always the ORM's count."""

from datetime import timedelta

import pytest

from reservations.recherche import Candidates
from reservations.tests.factories import ReservationFactory, demain_a
from ressources.models import Etat, TypeRessource
from ressources.services import modifier_ressource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

URL = "/ressources/disponibles"


@pytest.fixture
def salles():
    site = SiteFactory()
    return [
        RessourceFactory(site=site, type_ressource=TypeRessource.SALLE, nom=f"Salle {rang}")
        for rang in range(6)
    ]


def _fenetre():
    return {"debut": demain_a(10).isoformat(), "fin": demain_a(12).isoformat(), "limit": 2}


def _total(client, **parametres):
    reponse = client.get(URL, {**_fenetre(), **parametres})
    assert reponse.status_code == 200
    return reponse.json()["meta"]["total"]


@pytest.fixture(autouse=True)
def _fenetre_deja_cherchee(client_employe, salles):
    """Every test's window already searched once: its candidates are kept from now on."""
    _total(client_employe)


def test_favourites_are_candidates_of_their_user_only(
    client_employe, client_manager, employe, salles
):
    from ressources.services import ajouter_favori

    ajouter_favori(salles[3], par=employe)
    for _ in range(3):
        assert _total(client_employe, favoris="true") == 1
        assert _total(client_manager, favoris="true") == 0
        assert _total(client_employe, favoris="false") == 5


def test_a_window_searched_again_counts_without_a_count_query(
    client_employe, client_manager, salles, django_assert_num_queries
):
    with django_assert_num_queries(4):  # token, what occupies the window, count, page
        assert _total(client_employe) == 6
    with django_assert_num_queries(3):  # the second time: the candidates, no count
        assert _total(client_employe) == 6
    with django_assert_num_queries(2):  # then what occupies the window, and the page
        assert _total(client_employe) == 6
    client_manager.get("/auth/me")
    with django_assert_num_queries(2):  # another user shares them
        assert _total(client_manager) == 6


def test_a_booking_counts_at_once_with_the_candidates_kept(
    client_employe, employe, salles, django_assert_num_queries
):
    assert _total(client_employe) == 6
    ReservationFactory(ressource=salles[2], user=employe, debut=demain_a(11), fin=demain_a(13))

    with django_assert_num_queries(2):
        assert _total(client_employe) == 5


def test_a_ressource_changed_reads_the_candidates_again(
    client_employe, admin_user, salles, django_assert_num_queries
):
    assert _total(client_employe) == 6
    modifier_ressource(salles[0], par=admin_user, etat=Etat.EN_MAINTENANCE)

    with django_assert_num_queries(3):  # counted in SQL again: the catalogue changed
        assert _total(client_employe) == 5
    RessourceFactory(site=salles[0].site, type_ressource=TypeRessource.SALLE)
    assert _total(client_employe) == 6


def test_a_booking_outside_the_candidates_changes_nothing(client_employe, salles):
    en_maintenance = RessourceFactory(
        site=salles[0].site, type_ressource=TypeRessource.SALLE, etat=Etat.EN_MAINTENANCE
    )
    debut = demain_a(10)
    ReservationFactory(ressource=en_maintenance, debut=debut, fin=debut + timedelta(hours=1))

    assert _total(client_employe) == 6


def test_without_memos_the_search_counts_in_sql(
    client_employe, salles, settings, django_assert_num_queries
):
    settings.MEMO_SECONDES = 0
    ReservationFactory(ressource=salles[1], debut=demain_a(10), fin=demain_a(11))
    _total(client_employe)

    with django_assert_num_queries(4):  # the token too: no memo of it either
        assert _total(client_employe) == 5


@pytest.mark.parametrize(
    ("ids", "autres", "parmi"),
    [
        ([], [1, 2], 0),
        ([1, 8, 9, 4000], [8, 9, 10, 4000, 4001, 10**9], 3),
        ([0, 7], [0, 7, -1], 2),
    ],
)
def test_candidates_count_the_ids_among_them(ids, autres, parmi):
    candidates = Candidates(ids)

    assert len(candidates) == len(ids)
    assert candidates.parmi(autres) == parmi
