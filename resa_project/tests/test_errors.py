"""The API's error format holds for what no view handles itself."""

import pytest

from resa_project.exceptions import MSG_CHEMIN_INCONNU, MSG_CORPS_ILLISIBLE

pytestmark = pytest.mark.django_db


def test_an_unknown_path_is_a_json_404(client_employe):
    response = client_employe.get("/nulle-part")
    assert response.status_code == 404
    assert response.json() == {"detail": MSG_CHEMIN_INCONNU, "code": "introuvable"}


def test_malformed_json_is_a_400_with_a_french_detail(client_employe):
    response = client_employe.post(
        "/reservations/", data="{pas du json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == MSG_CORPS_ILLISIBLE


def test_a_body_that_is_not_json_is_a_415(client_employe):
    response = client_employe.post("/reservations/", data="a=b", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_a_method_the_path_does_not_take_is_a_405_in_json(client_employe):
    response = client_employe.delete("/auth/me")
    assert response.status_code == 405
    assert "detail" in response.json()


def test_the_openapi_document_is_public_and_lists_every_part_of_the_contract(api_client):
    response = api_client.get("/openapi.json")
    assert response.status_code == 200
    chemins = set(response.json()["paths"])
    for chemin in (
        "/auth/login",
        "/sites/",
        "/departments/{id}",
        "/ressources/disponibles",
        "/ressources/{id}/planning",
        "/reservations/{id}/annuler",
        "/disponibilites/",
        "/users/{id}",
    ):
        assert chemin in chemins


@pytest.mark.parametrize("chemin", ["/docs", "/redoc"])
def test_the_documentation_pages_are_public(api_client, chemin):
    assert api_client.get(chemin).status_code == 200


@pytest.mark.parametrize("chemin", ["/departments/", "/sites/", "/ressources/", "/reservations/"])
def test_an_offset_beyond_any_database_integer_is_a_400(client_employe, chemin):
    response = client_employe.get(chemin, {"offset": "39279985263087894528"})
    assert response.status_code == 400
    assert "offset" in response.json()["errors"]


def test_times_of_day_are_described_without_offset(api_client):
    schema = api_client.get("/openapi.json").json()
    heure = schema["components"]["schemas"]["Site"]["properties"]["horaires_ouverture"]
    assert "format" not in heure
    assert heure["pattern"].startswith("^")
