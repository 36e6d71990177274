from datetime import time

import pytest

from accounts.tests.factories import UserFactory
from ressources.tests.factories import RessourceFactory
from sites.models import MSG_HORAIRES, Site
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

SITE = {"id", "nom", "adresse", "horaires_ouverture", "horaires_fermeture"}


@pytest.fixture
def site(manager):
    """A site of the ``manager`` fixture (they manage a department there)."""
    site = SiteFactory(
        nom="Siège Lyon",
        adresse="1 rue de la République",
        horaires_ouverture=time(8, 0),
        horaires_fermeture=time(18, 30),
    )
    DepartmentFactory(site=site, manager=manager)
    return site


@pytest.fixture
def nouveau():
    return {
        "nom": "Agence Nantes",
        "adresse": "3 quai de la Fosse",
        "horaires_ouverture": "07:30:00",
        "horaires_fermeture": "19:00:00",
    }


@pytest.mark.parametrize(
    ("methode", "chemin", "attendus"),
    [
        ("get", "/sites/", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
        ("get", "/sites", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
        ("get", "/sites/{id}", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
        ("post", "/sites/", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 201}),
        ("put", "/sites/{id}", {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200}),
        ("patch", "/sites/{id}", {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200}),
        ("delete", "/sites/{id}", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 200}),
    ],
)
@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
def test_sites_permission_matrix(clients, site, nouveau, methode, chemin, attendus, role):
    donnees = nouveau if methode == "post" else {"adresse": "Ailleurs"}
    if methode == "delete":
        site = SiteFactory()  # unreferenced: the manager's own site has a department
    response = getattr(clients[role], methode)(chemin.format(id=site.pk), donnees, format="json")
    assert response.status_code == attendus[role]
    if response.status_code >= 400:
        assert response.json()["detail"]


def test_list_is_a_plain_array_of_sites_with_hh_mm_ss_hours(client_employe, site):
    response = client_employe.get("/sites/")

    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    moi = next(s for s in body if s["id"] == site.pk)
    assert moi == {
        "id": site.pk,
        "nom": "Siège Lyon",
        "adresse": "1 rue de la République",
        "horaires_ouverture": "08:00:00",
        "horaires_fermeture": "18:30:00",
    }


def test_list_is_ordered_by_id_and_paginated_by_offset_and_limit(client_employe):
    SiteFactory.create_batch(5)
    sites = sorted(Site.objects.all(), key=lambda s: s.pk)
    assert [s["id"] for s in client_employe.get("/sites/").json()] == [s.pk for s in sites]
    page = client_employe.get("/sites/?offset=1&limit=2").json()
    assert [s["id"] for s in page] == [sites[1].pk, sites[2].pk]


def test_list_limit_defaults_to_100(client_employe):
    SiteFactory.create_batch(101)
    assert len(client_employe.get("/sites/").json()) == 100
    assert len(client_employe.get("/sites/?offset=100").json()) == Site.objects.count() - 100


@pytest.mark.parametrize(
    ("parametres", "champ"),
    [("limit=101", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"), ("offset=x", "offset")],
)
def test_bad_pagination_is_a_400(client_employe, parametres, champ):
    response = client_employe.get(f"/sites/?{parametres}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [champ]


def test_read_one_site(client_employe, site):
    response = client_employe.get(f"/sites/{site.pk}")
    assert response.status_code == 200
    assert set(response.json()) == SITE
    assert client_employe.get(f"/sites/{site.pk}/").status_code == 200


@pytest.mark.parametrize("pk", ["999999", "abc", str(10**30)])
def test_unknown_site_is_a_json_404(client_employe, pk):
    response = client_employe.get(f"/sites/{pk}")
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("nombre", [1, 50])
def test_list_and_detail_query_counts_do_not_grow_with_rows(
    client_employe, nombre, django_assert_max_num_queries
):
    sites = SiteFactory.create_batch(nombre)
    with django_assert_max_num_queries(2):
        assert client_employe.get("/sites/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client_employe.get(f"/sites/{sites[-1].pk}").status_code == 200


# --- create -----------------------------------------------------------------------------


def test_admin_creates_a_site(client_admin, nouveau):
    response = client_admin.post("/sites/", nouveau, format="json")

    assert response.status_code == 201
    body = response.json()
    site = Site.objects.get(pk=body["id"])
    assert body == {**nouveau, "id": site.pk}
    assert (site.horaires_ouverture, site.horaires_fermeture) == (time(7, 30), time(19, 0))


def test_create_accepts_hh_mm_and_answers_hh_mm_ss(client_admin, nouveau):
    response = client_admin.post(
        "/sites", {**nouveau, "horaires_ouverture": "07:30"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["horaires_ouverture"] == "07:30:00"


def test_create_without_address_nor_hours_names_each_missing_field(client_admin):
    response = client_admin.post("/sites/", {"nom": "Agence Nantes"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation"
    assert set(body["errors"]) == {"adresse", "horaires_ouverture", "horaires_fermeture"}
    assert not Site.objects.filter(nom="Agence Nantes").exists()


@pytest.mark.parametrize("adresse", ["", "   ", None])
def test_create_refuses_an_empty_address(client_admin, nouveau, adresse):
    response = client_admin.post("/sites/", {**nouveau, "adresse": adresse}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation"
    assert list(response.json()["errors"]) == ["adresse"]
    assert not Site.objects.filter(nom=nouveau["nom"]).exists()


@pytest.mark.parametrize(
    ("changement", "champ"),
    [
        ({"nom": "AB"}, "nom"),
        ({"nom": ""}, "nom"),
        ({"nom": None}, "nom"),
        ({"nom": "x" * 201}, "nom"),
        ({"horaires_ouverture": "25:00:00"}, "horaires_ouverture"),
        ({"horaires_ouverture": "matin"}, "horaires_ouverture"),
        ({"horaires_fermeture": 18}, "horaires_fermeture"),
        ({"horaires_fermeture": "07:30:00"}, "horaires_fermeture"),
        ({"horaires_fermeture": "06:00:00"}, "horaires_fermeture"),
    ],
)
def test_create_refuses_each_invalid_field(client_admin, nouveau, changement, champ):
    avant = Site.objects.count()
    response = client_admin.post("/sites/", {**nouveau, **changement}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [champ]
    assert Site.objects.count() == avant


def test_closing_before_opening_says_so(client_admin, nouveau):
    response = client_admin.post(
        "/sites/", {**nouveau, "horaires_fermeture": "06:00:00"}, format="json"
    )
    assert response.json() == {
        "detail": MSG_HORAIRES,
        "code": "validation",
        "errors": {"horaires_fermeture": [MSG_HORAIRES]},
    }


@pytest.mark.parametrize("champ", ["nom", "adresse", "horaires_ouverture", "horaires_fermeture"])
def test_create_requires_name_address_and_hours(client_admin, nouveau, champ):
    del nouveau[champ]
    response = client_admin.post("/sites/", nouveau, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation"
    assert list(response.json()["errors"]) == [champ]


def test_a_json_array_body_is_a_400(client_admin):
    assert client_admin.post("/sites/", [1, 2], format="json").status_code == 400


# --- update -----------------------------------------------------------------------------


@pytest.mark.parametrize("methode", ["put", "patch"])
def test_put_and_patch_are_partial(client_manager, site, methode):
    response = getattr(client_manager, methode)(
        f"/sites/{site.pk}", {"horaires_fermeture": "20:00:00"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["horaires_fermeture"] == "20:00:00"
    site.refresh_from_db()
    assert site.horaires_fermeture == time(20, 0)
    assert site.nom == "Siège Lyon"
    assert site.horaires_ouverture == time(8, 0)


def test_update_without_address_keeps_it_but_an_empty_one_is_refused(client_admin, site):
    assert (
        client_admin.put(f"/sites/{site.pk}", {"nom": "Siège Lyon 2"}, format="json").json()[
            "adresse"
        ]
        == "1 rue de la République"
    )

    response = client_admin.put(f"/sites/{site.pk}", {"adresse": ""}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["adresse"]
    site.refresh_from_db()
    assert site.adresse == "1 rue de la République"


def test_update_checks_hours_against_the_stored_ones(client_admin, site):
    response = client_admin.put(
        f"/sites/{site.pk}", {"horaires_ouverture": "19:00:00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"horaires_fermeture": [MSG_HORAIRES]}
    site.refresh_from_db()
    assert site.horaires_ouverture == time(8, 0)


def test_update_refuses_a_short_name(client_admin, site):
    response = client_admin.put(f"/sites/{site.pk}", {"nom": "ab"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["nom"]


def test_updating_an_unknown_site_is_a_404(client_admin):
    assert client_admin.put("/sites/999999", {"nom": "Nouveau"}, format="json").status_code == 404


# --- delete -----------------------------------------------------------------------------


def test_admin_deletes_an_unused_site(client_admin):
    site = SiteFactory()
    response = client_admin.delete(f"/sites/{site.pk}")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert not Site.objects.filter(pk=site.pk).exists()


@pytest.mark.parametrize(
    "referencer",
    [
        lambda site: RessourceFactory(site=site),
        lambda site: DepartmentFactory(site=site),
        lambda site: UserFactory(site_principal=site),
    ],
    ids=["ressource", "department", "user"],
)
def test_a_site_still_referred_to_cannot_be_deleted(client_admin, site, referencer):
    referencer(site)
    response = client_admin.delete(f"/sites/{site.pk}")
    assert response.status_code == 409
    assert "suppression impossible" in response.json()["detail"]
    assert Site.objects.filter(pk=site.pk).exists()


def test_deleting_an_unknown_site_is_a_404(client_admin):
    assert client_admin.delete("/sites/999999").status_code == 404


def test_a_manager_may_not_update_another_site(client_manager, site):
    ailleurs = SiteFactory(nom="Agence Brest")
    reponse = client_manager.patch(f"/sites/{ailleurs.pk}", {"nom": "Repris"}, format="json")
    assert reponse.status_code == 403
    assert reponse.json()["code"] == "permission_refusee"
    ailleurs.refresh_from_db()
    assert ailleurs.nom == "Agence Brest"
