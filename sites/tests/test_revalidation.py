"""Sites and departments change rarely: their reads carry an ETag, and a client that sends
it back gets a 304 without a body while nothing changed."""

import pytest

from resa_project.conditionnel import CACHE_CONTROL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "chemin", ["/sites/", "/sites/{site}", "/departments/", "/departments/?site_id={site}"]
)
def test_a_read_carries_an_etag_and_a_matching_one_is_a_304(client_employe, site, chemin):
    chemin = chemin.format(site=site.pk)
    premiere = client_employe.get(chemin)
    assert premiere.status_code == 200
    etag = premiere["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    assert premiere["Cache-Control"] == CACHE_CONTROL
    assert client_employe.get(chemin)["ETag"] == etag  # the same body, the same tag

    inchangee = client_employe.get(chemin, HTTP_IF_NONE_MATCH=etag)
    assert inchangee.status_code == 304
    assert inchangee.content == b""
    assert (inchangee["ETag"], inchangee["Cache-Control"]) == (etag, CACHE_CONTROL)
    assert client_employe.head(chemin, HTTP_IF_NONE_MATCH=etag).status_code == 304
    autre = client_employe.get(chemin, HTTP_IF_NONE_MATCH='"autre", W/"encore"')
    assert autre.status_code == 200
    assert autre.json() == premiere.json()


def test_a_change_changes_the_tag(client_employe, client_admin, site):
    etag = client_employe.get("/sites/")["ETag"]
    reponse = client_admin.patch(
        f"/sites/{site.pk}", {"nom": "Siège Lyon Part-Dieu"}, format="json"
    )
    assert reponse.status_code == 200
    assert "ETag" not in reponse  # only reads are tagged
    apres = client_employe.get("/sites/", HTTP_IF_NONE_MATCH=etag)
    assert apres.status_code == 200
    assert apres["ETag"] != etag
    noms = {ligne["id"]: ligne["nom"] for ligne in apres.json()}
    assert noms[site.pk] == "Siège Lyon Part-Dieu"


def test_errors_are_never_tagged_nor_304(client_employe, api_client, site):
    introuvable = client_employe.get("/sites/999999", HTTP_IF_NONE_MATCH="*")
    assert introuvable.status_code == 404
    assert "ETag" not in introuvable
    anonyme = api_client.get("/sites/", HTTP_IF_NONE_MATCH="*")
    assert anonyme.status_code == 401
    assert "ETag" not in anonyme
