"""The catalogue's list keeps its pages and totals in the process while no ressource,
favourite or site changed on the host (ressources.views, resa_project.marques): a list read
again runs no query, and every change made through the app shows at the next read."""

import pytest
from django.db import connection

from resa_project.requetes import lit_seulement
from ressources.models import Ressource, TypeRessource
from ressources.services import ajouter_favori, modifier_ressource, retirer_favori
from sites.tests.factories import SiteFactory

from .factories import RessourceFactory

pytestmark = pytest.mark.django_db

LISTE = {"type_of_ressource": "salle", "limit": 2, "sort_by": "nom"}


@pytest.fixture
def salles():
    site = SiteFactory()
    return [
        RessourceFactory(nom=nom, type_ressource=TypeRessource.SALLE, site=site)
        for nom in ("Alpha", "Bravo", "Charlie")
    ]


def _lire(client, parametres=LISTE):
    reponse = client.get("/ressources/", parametres)
    assert reponse.status_code == 200
    corps = reponse.json()
    return [r["nom"] for r in corps["items"]], corps["meta"]["total"]


def test_a_list_read_again_runs_no_query(client_employe, salles, django_assert_num_queries):
    premiere = client_employe.get("/ressources/", LISTE)
    with django_assert_num_queries(0):  # page, total and token all kept
        seconde = client_employe.get("/ressources/", LISTE)

    assert seconde.content == premiere.content
    assert seconde.json()["meta"]["total"] == 3


def test_other_values_of_the_same_shape_are_read(client_employe, salles):
    assert _lire(client_employe) == (["Alpha", "Bravo"], 3)
    assert _lire(client_employe, {**LISTE, "offset": 2}) == (["Charlie"], 3)
    assert _lire(client_employe, {**LISTE, "type_of_ressource": "vehicule"}) == ([], 0)


def test_a_ressource_created_changed_or_deleted_shows_at_the_next_read(
    client_employe, admin_user, salles
):
    assert _lire(client_employe) == (["Alpha", "Bravo"], 3)

    RessourceFactory(nom="Aaron", type_ressource=TypeRessource.SALLE, site=salles[0].site)
    assert _lire(client_employe) == (["Aaron", "Alpha"], 4)

    modifier_ressource(salles[0], par=admin_user, nom="Zoulou")
    assert _lire(client_employe) == (["Aaron", "Bravo"], 4)

    Ressource.objects.get(nom="Aaron").delete()
    assert _lire(client_employe) == (["Bravo", "Charlie"], 3)


def test_each_user_gets_their_own_favourites(client_employe, client_manager, employe, salles):
    def favoris(client):
        return [r["est_favori"] for r in client.get("/ressources/", LISTE).json()["items"]]

    assert favoris(client_employe) == favoris(client_manager) == [False, False]

    ajouter_favori(salles[1], par=employe)
    assert favoris(client_employe) == [False, True]
    assert favoris(client_manager) == [False, False]
    assert _lire(client_employe, {**LISTE, "favoris": "true"}) == (["Bravo"], 1)

    retirer_favori(salles[1], par=employe)
    assert favoris(client_employe) == [False, False]
    assert _lire(client_employe, {**LISTE, "favoris": "true"}) == ([], 0)


def test_a_change_made_in_another_process_is_seen_at_the_next_read(
    client_employe, salles, autre_processus
):
    assert _lire(client_employe) == (["Alpha", "Bravo"], 3)
    with connection.cursor() as cursor:  # no receiver runs in this process
        cursor.execute(
            f"UPDATE {Ressource._meta.db_table} SET nom = %s WHERE id = %s",
            ["Ailleurs", salles[1].pk],
        )
    assert _lire(client_employe) == (["Alpha", "Bravo"], 3)

    autre_processus("ressources.models", "MARQUE_CATALOGUE")
    assert _lire(client_employe) == (["Ailleurs", "Alpha"], 3)


@pytest.mark.parametrize(
    ("sql", "memorisable"),
    [
        ('SELECT "a"."id" FROM "ressources_ressource" a', True),
        (
            'SELECT 1 FROM "ressources_ressource" WHERE EXISTS(SELECT 1 FROM '
            '"ressources_favori" U0 WHERE U0."user_id" = %s)',
            True,
        ),
        ('SELECT 1 FROM "ressources_ressource" INNER JOIN "sites_site" ON (1=1)', False),
        ('SELECT 1 FROM "ressources_ressource" WHERE "fin" > NOW()', False),
        ('SELECT 1 FROM "ressources_ressource" WHERE "fin" > CURRENT_TIMESTAMP', False),
        ("SELECT 1", False),
    ],
)
def test_only_a_query_of_the_stamped_tables_is_kept(sql, memorisable):
    tables = {"ressources_ressource", "ressources_favori"}

    assert lit_seulement(sql, tables) is memorisable
