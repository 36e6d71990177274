"""``/auth/me/favoris``, ``est_favori`` and the ``favoris`` filter (API.md C9)."""

import pytest

from accounts.tests.factories import UserFactory
from conftest import client_pour
from reservations.tests.factories import demain_a
from ressources.models import Favori
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salles():
    return RessourceFactory.create_batch(3)


def test_put_adds_a_favourite_and_is_idempotent(client_employe, employe, salles):
    for _ in range(2):
        reponse = client_employe.put(f"/auth/me/favoris/{salles[0].pk}")
        assert reponse.status_code == 200, reponse.json()
        assert reponse.json()["id"] == salles[0].pk
        assert reponse.json()["est_favori"] is True

    assert list(Favori.objects.values_list("user", "ressource")) == [(employe.pk, salles[0].pk)]


def test_delete_removes_a_favourite_and_is_idempotent(client_employe, employe, salles):
    Favori.objects.create(user=employe, ressource=salles[0])

    for _ in range(2):
        reponse = client_employe.delete(f"/auth/me/favoris/{salles[0].pk}/")
        assert reponse.status_code == 200
        assert reponse.json() == {"ok": True}
    assert not Favori.objects.exists()


@pytest.mark.parametrize("methode", ["put", "delete"])
@pytest.mark.parametrize("ident", ["999999", "9223372036854775808", "0"])
def test_an_unknown_ressource_is_a_404(client_employe, methode, ident):
    reponse = getattr(client_employe, methode)(f"/auth/me/favoris/{ident}")

    assert reponse.status_code == 404
    assert reponse.json()["code"] == "introuvable"


def test_favourites_need_authentication(api_client, salles):
    assert api_client.get("/auth/me/favoris").status_code == 401
    assert api_client.put(f"/auth/me/favoris/{salles[0].pk}").status_code == 401


def test_get_lists_only_the_callers_favourites_as_a_plain_array(client_employe, employe, salles):
    autre = UserFactory()
    Favori.objects.create(user=employe, ressource=salles[1])
    Favori.objects.create(user=employe, ressource=salles[0])
    Favori.objects.create(user=autre, ressource=salles[2])

    reponse = client_employe.get("/auth/me/favoris")

    assert reponse.status_code == 200
    assert [r["id"] for r in reponse.json()] == [salles[0].pk, salles[1].pk]
    assert all(r["est_favori"] for r in reponse.json())
    assert [r["id"] for r in client_pour(autre).get("/auth/me/favoris/").json()] == [salles[2].pk]


def test_lists_and_detail_carry_est_favori_for_the_caller(client_employe, employe, salles):
    Favori.objects.create(user=employe, ressource=salles[0])
    Favori.objects.create(user=UserFactory(), ressource=salles[1])

    items = client_employe.get("/ressources/").json()["items"]
    assert {r["id"]: r["est_favori"] for r in items} == {
        salles[0].pk: True,
        salles[1].pk: False,
        salles[2].pk: False,
    }
    assert client_employe.get(f"/ressources/{salles[0].pk}").json()["ressource"]["est_favori"]
    assert not client_employe.get(f"/ressources/{salles[1].pk}").json()["ressource"]["est_favori"]
    libres = client_employe.get(
        "/ressources/disponibles",
        {"debut": demain_a(9).isoformat(), "fin": demain_a(10).isoformat()},
    ).json()["items"]
    assert {r["id"] for r in libres if r["est_favori"]} == {salles[0].pk}


def test_the_favoris_filter_on_the_list_and_the_free_search(client_employe, employe, salles):
    Favori.objects.create(user=employe, ressource=salles[2])
    Favori.objects.create(user=UserFactory(), ressource=salles[1])
    fenetre = {"debut": demain_a(9).isoformat(), "fin": demain_a(10).isoformat()}

    for url, extra in (("/ressources/", {}), ("/ressources/disponibles", fenetre)):
        oui = client_employe.get(url, {**extra, "favoris": "true"}).json()
        assert [r["id"] for r in oui["items"]] == [salles[2].pk]
        non = client_employe.get(url, {**extra, "favoris": "false"}).json()
        assert [r["id"] for r in non["items"]] == [salles[0].pk, salles[1].pk]
        mauvais = client_employe.get(url, {**extra, "favoris": "1"})
        assert mauvais.status_code == 400
        assert "favoris" in mauvais.json()["errors"]


def test_deleting_a_ressource_removes_it_from_favourites(client_admin, admin_user, salles):
    Favori.objects.create(user=admin_user, ressource=salles[0])

    assert client_admin.delete(f"/ressources/{salles[0].pk}").status_code == 200

    assert client_admin.get("/auth/me/favoris").json() == []


@pytest.mark.parametrize("nombre", [1, 50])
def test_est_favori_adds_no_query_per_row(
    client_employe, employe, django_assert_max_num_queries, nombre
):
    for ressource in RessourceFactory.create_batch(nombre):
        Favori.objects.create(user=employe, ressource=ressource)

    with django_assert_max_num_queries(3):
        reponse = client_employe.get("/ressources/", {"limit": 200, "favoris": "true"})
    assert reponse.json()["meta"]["total"] == nombre
    with django_assert_max_num_queries(2):
        assert len(client_employe.get("/auth/me/favoris").json()) == nombre
