"""A series once booked (API.md C7): GET /reservations/series/{id}, its cancellation from
a date, the ``serie_id`` of reservations and its list filter, the back-office."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Autorisation
from accounts.tests.factories import UserFactory
from conftest import client_pour
from reservations.models import Evenement, Reservation, StatutReservation, TypeEvenement
from reservations.permissions import MSG_TITULAIRE
from reservations.services import MSG_ANNULATION_TARDIVE
from reservations.tests.factories import ReservationFactory, demain_a
from reservations.tests.factories_series import SerieFactory
from sites.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def serie(employe):
    """Four weekly occurrences of the employee's, from tomorrow; one more, closed."""
    serie = SerieFactory(user=employe)
    for semaine in range(4):
        ReservationFactory(
            ressource=serie.ressource,
            user=employe,
            serie=serie,
            debut=demain_a(10, jours=1 + 7 * semaine),
            fin=demain_a(11, jours=1 + 7 * semaine),
        )
    ReservationFactory(
        ressource=serie.ressource,
        user=employe,
        serie=serie,
        statut=StatutReservation.ANNULE,
        debut=demain_a(10, jours=29),
        fin=demain_a(11, jours=29),
    )
    return serie


def occurrences(serie):
    return list(serie.reservations.order_by("debut"))


def test_a_series_shows_with_its_reservations(client_employe, serie):
    reponse = client_employe.get(f"/reservations/series/{serie.pk}")
    assert reponse.status_code == 200
    data = reponse.json()
    assert data["serie"]["id"] == serie.pk
    assert data["serie"]["recurrence"]["frequence"] == "hebdomadaire"
    assert [r["id"] for r in data["reservations"]] == [r.pk for r in occurrences(serie)]
    assert {r["serie_id"] for r in data["reservations"]} == {serie.pk}


def test_another_users_series_is_a_404(serie):
    for client in (client_pour(UserFactory()), client_pour(UserFactory(role="manager"))):
        assert client.get(f"/reservations/series/{serie.pk}").status_code == 404
        reponse = client.post(f"/reservations/series/{serie.pk}/annuler", {}, format="json")
        assert reponse.status_code == 404
    assert client_pour(UserFactory()).get("/reservations/series/999999").status_code == 404
    assert Reservation.objects.filter(statut=StatutReservation.CONFIRME).count() == 4


def test_the_manager_of_the_users_department_and_admins_see_it(
    serie, employe, manager, client_admin
):
    employe.department = DepartmentFactory(manager=manager)
    employe.save()
    assert client_pour(manager).get(f"/reservations/series/{serie.pk}").status_code == 200
    assert client_admin.get(f"/reservations/series/{serie.pk}").status_code == 200


def test_the_approval_queue_sees_a_series_by_its_pending_reservations_only(serie):
    valideur = UserFactory(
        autorisations=[Autorisation.CONFIRMER_RESERVATIONS], site_principal=serie.ressource.site
    )
    client = client_pour(valideur)
    assert client.get(f"/reservations/series/{serie.pk}").status_code == 404
    attente = occurrences(serie)[1]
    attente.statut = StatutReservation.EN_ATTENTE
    attente.save()
    reponse = client.get(f"/reservations/series/{serie.pk}")
    assert [r["id"] for r in reponse.json()["reservations"]] == [attente.pk]
    # Seeing is not holding: cancelling is for the holder, a manager or an admin.
    reponse = client.post(f"/reservations/series/{serie.pk}/annuler", {}, format="json")
    assert reponse.status_code == 403
    assert reponse.json()["detail"] == MSG_TITULAIRE


def test_cancelling_from_a_date_cancels_the_later_open_occurrences(client_employe, employe, serie):
    premiere, seconde, troisieme, quatrieme, annulee = occurrences(serie)
    a_partir_du = timezone.localdate(troisieme.debut)
    reponse = client_employe.post(
        f"/reservations/series/{serie.pk}/annuler",
        {"a_partir_du": a_partir_du.isoformat()},
        format="json",
    )
    assert reponse.status_code == 200
    assert reponse.json() == {"annulees": [troisieme.pk, quatrieme.pk], "refusees": []}
    statuts = {r.pk: r.statut for r in serie.reservations.all()}
    assert statuts == {
        premiere.pk: "confirme",
        seconde.pk: "confirme",
        troisieme.pk: "annule",
        quatrieme.pk: "annule",
        annulee.pk: "annule",
    }
    evenements = Evenement.objects.filter(type=TypeEvenement.RESERVATION_ANNULEE)
    assert sorted(evenements.values_list("reservation_id", flat=True)) == [
        troisieme.pk,
        quatrieme.pk,
    ]
    assert {e.acteur_id for e in evenements} == {employe.pk}


def test_cancelling_without_a_date_starts_today_and_reports_the_refused(client_employe, employe):
    serie = SerieFactory(user=employe)
    bientot = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    proche = ReservationFactory(
        ressource=serie.ressource,
        user=employe,
        serie=serie,
        debut=bientot,
        fin=bientot + timedelta(hours=1),
    )
    lointaine = ReservationFactory(
        ressource=serie.ressource,
        user=employe,
        serie=serie,
        debut=demain_a(10, jours=3),
        fin=demain_a(11, jours=3),
    )
    passee = ReservationFactory(
        ressource=serie.ressource,
        user=employe,
        serie=serie,
        debut=demain_a(10, jours=-3),
        fin=demain_a(11, jours=-3),
    )
    reponse = client_employe.post(f"/reservations/series/{serie.pk}/annuler")
    assert reponse.status_code == 200
    assert reponse.json() == {
        "annulees": [lointaine.pk],
        "refusees": [{"reservation_id": proche.pk, "detail": MSG_ANNULATION_TARDIVE}],
    }
    passee.refresh_from_db()
    assert passee.statut == StatutReservation.CONFIRME


@pytest.mark.parametrize("valeur", ["demain", "2027-02-30", "3000-01-01", 20270101, True])
def test_a_bad_date_is_a_400(client_employe, serie, valeur):
    reponse = client_employe.post(
        f"/reservations/series/{serie.pk}/annuler", {"a_partir_du": valeur}, format="json"
    )
    assert reponse.status_code == 400
    assert "a_partir_du" in reponse.json()["errors"]


def test_the_list_filters_by_series(client_employe, employe, serie):
    ReservationFactory(user=employe, debut=demain_a(15), fin=demain_a(16))
    reponse = client_employe.get(f"/reservations/?serie_id={serie.pk}")
    assert reponse.status_code == 200
    assert [r["id"] for r in reponse.json()["items"]] == [r.pk for r in occurrences(serie)]
    assert reponse.json()["meta"]["total"] == 5
    for valeur in ("abc", "0", "-1", "9223372036854775808", "1.0"):
        assert client_employe.get(f"/reservations/?serie_id={valeur}").status_code == 400


def test_the_openapi_schema_describes_the_series(api_client):
    schema = api_client.get("/openapi.json").json()
    creation = schema["paths"]["/reservations/series"]["post"]
    assert {"201", "200", "400", "409"} <= set(creation["responses"])
    assert "simulation" in {p["name"] for p in creation["parameters"]}
    assert "/reservations/series/{id}/annuler" in schema["paths"]
    importation = schema["paths"]["/reservations/import"]["post"]
    assert {"text/calendar", "multipart/form-data"} <= set(importation["requestBody"]["content"])
    assert "413" in importation["responses"]
    assert "serie_id" in schema["components"]["schemas"]["Reservation"]["properties"]


# --- Back-office ----------------------------------------------------------------------------


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_back_office_lists_a_series_with_its_occurrences(back_office, serie):
    liste = back_office.get("/admin/reservations/serie/")
    assert liste.status_code == 200
    assert "Séries de réservations" in liste.content.decode()
    page = back_office.get(f"/admin/reservations/serie/{serie.pk}/change/")
    assert page.status_code == 200
    texte = page.content.decode()
    assert "Occurrences" in texte
    for reservation in occurrences(serie):
        assert f"/admin/reservations/reservation/{reservation.pk}/change/" in texte


def test_the_back_office_cancels_the_coming_occurrences(back_office, admin_user, serie):
    reponse = back_office.post(
        "/admin/reservations/serie/",
        {"action": "annuler_a_venir", "_selected_action": [serie.pk]},
        follow=True,
    )
    assert reponse.status_code == 200
    assert "4 occurrence(s) annulée(s)." in reponse.content.decode()
    assert set(serie.reservations.values_list("statut", flat=True)) == {"annule"}
    assert (
        Evenement.objects.filter(type=TypeEvenement.RESERVATION_ANNULEE, acteur=admin_user).count()
        == 4
    )
