"""The process keeps the /sites and /departments lists while no site or department changed
on the host (sites.views._ReferentielViewSet, resa_project.marques): a list read again
runs no query, and every change made through the app shows at the next read."""

import pytest
from django.db import connection

from sites import services
from sites.models import MARQUE_REFERENTIEL, Site

pytestmark = pytest.mark.django_db


def _noms(reponse):
    """The names of this test's sites or departments (the users' own sites aside)."""
    return sorted(ligne["nom"] for ligne in reponse.json() if not ligne["nom"].startswith("Site "))


@pytest.mark.parametrize("chemin", ["/sites/", "/departments/", "/sites/?limit=1"])
def test_a_list_read_again_runs_no_query(client_employe, site, chemin, django_assert_num_queries):
    premiere = client_employe.get(chemin)
    with django_assert_num_queries(0):  # nor the token's: see accounts.authentication
        seconde = client_employe.get(chemin)

    assert seconde.status_code == 200
    assert seconde.content == premiere.content
    assert seconde["ETag"] == premiere["ETag"]
    assert client_employe.get(chemin, HTTP_IF_NONE_MATCH=premiere["ETag"]).status_code == 304


def test_each_query_string_is_kept_apart(client_employe, site):
    tous = len(client_employe.get("/sites/").json())
    assert tous >= 2

    assert len(client_employe.get("/sites/", {"limit": 1}).json()) == 1
    assert len(client_employe.get("/sites/").json()) == tous


def test_a_site_created_renamed_or_deleted_shows_at_the_next_read(
    client_employe, client_admin, admin_user, site
):
    assert _noms(client_employe.get("/sites/")) == ["Siège Lyon"]
    cree = client_admin.post(
        "/sites/",
        {
            "nom": "Siège Lille",
            "adresse": "1 rue de la Gare, Lille",
            "horaires_ouverture": "08:00:00",
            "horaires_fermeture": "19:00:00",
        },
        format="json",
    )
    assert cree.status_code == 201
    assert _noms(client_employe.get("/sites/")) == ["Siège Lille", "Siège Lyon"]

    services.modifier_site(site, par=admin_user, nom="Siège Lyon Part-Dieu")
    assert _noms(client_employe.get("/sites/")) == ["Siège Lille", "Siège Lyon Part-Dieu"]

    Site.objects.get(pk=cree.json()["id"]).delete()
    assert _noms(client_employe.get("/sites/")) == ["Siège Lyon Part-Dieu"]


def test_a_department_changed_shows_at_the_next_read(client_employe, site):
    assert _noms(client_employe.get("/departments/")) == ["Achats"]
    departement = site.departments.get()
    departement.nom = "Achats groupe"
    departement.save()
    assert _noms(client_employe.get("/departments/")) == ["Achats groupe"]

    departement.delete()
    assert client_employe.get("/departments/").json() == []


def test_a_change_made_in_another_process_is_seen_at_the_next_read(
    client_employe, site, autre_processus
):
    client_employe.get("/sites/")
    with connection.cursor() as cursor:  # no receiver runs in this process
        cursor.execute(
            f"UPDATE {Site._meta.db_table} SET nom = %s WHERE id = %s", ["Siège renommé", site.pk]
        )
    assert _noms(client_employe.get("/sites/")) == ["Siège Lyon"]

    # The other process's receiver changes the host's stamp.
    autre_processus("sites.models", "MARQUE_REFERENTIEL")
    assert _noms(client_employe.get("/sites/")) == ["Siège renommé"]


def test_errors_are_not_kept(client_employe, site):
    assert client_employe.get("/sites/", {"limit": "abc"}).status_code == 400
    assert client_employe.get("/sites/", {"limit": "abc"}).status_code == 400
    assert MARQUE_REFERENTIEL.lire() is not None
