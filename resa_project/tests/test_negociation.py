"""Content negotiation: the shortcut answers as DRF would (resa_project.negociation)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", " application/json "])
def test_the_common_accept_headers_get_compact_json(client_employe, accept):
    entetes = {} if accept is None else {"HTTP_ACCEPT": accept}
    reponse = client_employe.get("/auth/me", **entetes)
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json"
    assert b"\n" not in reponse.content and reponse.json()["role"] == "employe"


def test_an_indent_parameter_still_goes_through_drfs_negotiation(client_employe):
    reponse = client_employe.get("/auth/me", HTTP_ACCEPT="application/json; indent=2")
    assert reponse.status_code == 200
    assert b'\n  "id"' in reponse.content


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/png"])
def test_a_type_the_api_does_not_serve_is_a_406(client_employe, accept):
    reponse = client_employe.get("/auth/me", HTTP_ACCEPT=accept)
    assert reponse.status_code == 406


def test_a_format_override_is_drfs_to_judge(client_employe):
    assert client_employe.get("/auth/me", {"format": "json"}).status_code == 200
    assert client_employe.get("/auth/me", {"format": "xml"}).status_code == 404
