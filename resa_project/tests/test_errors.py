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


def test_every_error_response_of_the_schema_describes_its_code(api_client):
    schema = api_client.get("/openapi.json").json()
    erreur = schema["components"]["schemas"]["Erreur"]
    assert "code" in erreur["properties"]
    assert "conflit_reservation" in str(schema["components"]["schemas"])


def test_an_object_deleted_while_the_request_runs_is_a_404(client_admin, monkeypatch):
    from reservations import services
    from reservations.models import Reservation
    from reservations.tests.factories import ReservationFactory

    reservation = ReservationFactory()
    original = services.annuler

    def supprimee_entre_temps(cible, **kwargs):
        Reservation.objects.filter(pk=cible.pk).delete()
        return original(cible, **kwargs)

    monkeypatch.setattr(services, "annuler", supprimee_entre_temps)
    reponse = client_admin.post(f"/reservations/{reservation.pk}/annuler")
    assert reponse.status_code == 404
    assert reponse.json()["code"] == "introuvable"


def test_an_unnamed_integrity_error_is_a_server_error_not_a_conflict(client_admin, monkeypatch):
    from django.db import IntegrityError

    from ressources import services

    def bogue(*args, **kwargs):
        raise IntegrityError("NOT NULL constraint failed: ressources_ressource.nom")

    monkeypatch.setattr(services, "supprimer_ressource", bogue)
    from ressources.tests.factories import RessourceFactory

    client_admin.raise_request_exception = False
    reponse = client_admin.delete(f"/ressources/{RessourceFactory().pk}")
    assert reponse.status_code == 500
    assert reponse.json() == {"detail": "Erreur interne du serveur.", "code": "erreur_serveur"}


def test_a_unique_constraint_lost_in_a_race_is_a_409_doublon_on_both_databases():
    from django.db import IntegrityError, transaction

    from resa_project.exceptions import CONTRAINTES_CONFLIT, contrainte_violee
    from ressources.models import Ressource
    from ressources.tests.factories import RessourceFactory

    existante = RessourceFactory(nom="Salle Vénus")
    try:
        with transaction.atomic():
            Ressource.objects.bulk_create(
                [Ressource(nom="Salle Vénus", site=existante.site, type_ressource="salle")]
            )
    except IntegrityError as exc:
        assert CONTRAINTES_CONFLIT[contrainte_violee(exc)][0] == "doublon"
    else:
        raise AssertionError("the database accepted a duplicate name")


def test_a_host_outside_allowed_hosts_is_a_json_400(client_employe):
    reponse = client_employe.get("/nulle-part", HTTP_HOST="evil.example")
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"


@pytest.mark.parametrize("valeur", ["TRUE", "True", " true", "1", "yes"])
def test_only_true_and_false_are_booleans_in_the_query(client_employe, valeur):
    reponse = client_employe.get("/ressources/", {"disponible": valeur})
    assert reponse.status_code == 400
    assert list(reponse.json()["errors"]) == ["disponible"]


@pytest.mark.parametrize("valeur", ["yes", 1, "TRUE", None, ""])
def test_only_json_booleans_are_booleans_in_a_body(client_admin, valeur):
    from accounts.tests.factories import UserFactory

    cible = UserFactory()
    reponse = client_admin.patch(f"/users/{cible.pk}", {"compte_actif": valeur}, format="json")
    assert reponse.status_code == 400
    assert list(reponse.json()["errors"]) == ["compte_actif"]
    cible.refresh_from_db()
    assert cible.compte_actif


@pytest.mark.parametrize("valeur", ["\u0661", "\uff11", "1.0", "1e3"])
def test_ids_are_ascii_digits_in_the_query(client_employe, valeur):
    reponse = client_employe.get("/reservations/", {"ressource_id": valeur})
    assert reponse.status_code == 400
    assert list(reponse.json()["errors"]) == ["ressource_id"]


@pytest.mark.parametrize("valeur", ["1", 1.0, True, 2**63, -1])
def test_ids_in_a_body_are_json_integers(client_admin, valeur):
    from sites.tests.factories import SiteFactory

    site = SiteFactory()
    if valeur == "1":
        valeur = str(site.pk)
    reponse = client_admin.post(
        "/departments/", {"nom": "Achats", "site_id": valeur}, format="json"
    )
    assert reponse.status_code == 400
    assert list(reponse.json()["errors"]) == ["site_id"]
