"""The weekday x hour heatmap, the PDF report and ``/reservations/export.csv``."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import client_pour
from reservations.models import StatutReservation
from reservations.tests.factories import ReservationFactory, ResourceAvailabilityFactory
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

JOUR = date(2026, 6, 10)  # a Wednesday


def local(jour, heure, minute=0):
    return timezone.make_aware(datetime.combine(jour, time(heure, minute)))


@pytest.fixture
def salle():
    site = SiteFactory(nom="Site Alpha", horaires_ouverture=time(8), horaires_fermeture=time(18))
    return RessourceFactory(site=site, nom="Salle Une")


def reserver(ressource, debut, minutes=60, **champs):
    return ReservationFactory(
        ressource=ressource, debut=debut, fin=debut + timedelta(minutes=minutes), **champs
    )


# --- Heatmap --------------------------------------------------------------------------------


def test_heatmap_shape_and_known_cells(client_admin, salle):
    reserver(salle, local(JOUR, 10), minutes=90)  # 10:00-11:30 on a Wednesday
    ResourceAvailabilityFactory(ressource=salle, debut=local(JOUR, 14), fin=local(JOUR, 15))

    # Two weeks: two Wednesdays open at 10:00.
    reponse = client_admin.get(
        "/statistiques/occupation-horaire",
        {"du": "2026-06-08", "au": "2026-06-21"},
    )
    assert reponse.status_code == 200
    corps = reponse.json()
    assert corps["jours"] == ["lu", "ma", "me", "je", "ve", "sa", "di"]
    assert corps["heures"] == list(range(24))
    assert len(corps["taux"]) == 7 and all(len(ligne) == 24 for ligne in corps["taux"])
    mercredi = corps["taux"][2]
    assert mercredi[10] == 50.0  # 1 h booked of 2 open hours
    assert mercredi[11] == 25.0  # 30 minutes of 2 hours
    assert mercredi[9] == 0.0
    assert mercredi[3] == 0.0  # closed: no open hour, 0
    # The 14:00 hour is open on one Wednesday only; nothing booked.
    assert mercredi[14] == 0.0


def test_heatmap_filters_and_scope(client_admin, manager, salle):
    gere = DepartmentFactory(site=salle.site, manager=manager)
    reserver(salle, local(JOUR, 10), user=UserFactory(department=gere))
    reserver(salle, local(JOUR, 12), user=UserFactory())

    periode = {"du": JOUR.isoformat(), "au": JOUR.isoformat()}
    taux = client_pour(manager).get("/statistiques/occupation-horaire", periode).json()["taux"]
    assert (taux[2][10], taux[2][12]) == (100.0, 0.0)
    taux = client_admin.get("/statistiques/occupation-horaire", periode).json()["taux"]
    assert (taux[2][10], taux[2][12]) == (100.0, 100.0)
    taux = client_admin.get(
        "/statistiques/occupation-horaire", {**periode, "type_of_ressource": "vehicule"}
    ).json()["taux"]
    assert taux[2][10] == 0.0


def test_heatmap_bad_input(client_admin):
    reponse = client_admin.get("/statistiques/occupation-horaire", {"site_id": "-1"})
    assert reponse.status_code == 400
    assert "site_id" in reponse.json()["errors"]


# --- PDF ------------------------------------------------------------------------------------


def _pages(contenu: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", contenu))


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_the_report_is_a_pdf(clients, salle, role):
    for i in range(12):
        autre = RessourceFactory(site=salle.site, nom=f"Salle {i:02d}")
        reserver(autre, local(JOUR, 8 + i % 9), minutes=30 * (i + 1), statut=StatutReservation.FINI)

    reponse = clients[role].get(
        "/statistiques/rapport.pdf", {"du": "2026-06-01", "au": "2026-06-30"}
    )

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    contenu = reponse.content
    assert contenu.startswith(b"%PDF-")
    assert contenu.rstrip().endswith(b"%%EOF")
    assert _pages(contenu) >= 1


def test_the_report_with_a_site_filter_and_an_accept_header(client_admin, salle):
    reponse = client_admin.get(
        "/statistiques/rapport.pdf", {"site_id": salle.site_id}, HTTP_ACCEPT="application/pdf"
    )
    assert reponse.status_code == 200
    assert reponse.content.startswith(b"%PDF-")


def test_a_bad_report_request_is_a_json_400(client_admin):
    reponse = client_admin.get("/statistiques/rapport.pdf", {"du": "2026-13-01"})
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"


# --- /reservations/export.csv -----------------------------------------------------------------


def _lignes(reponse):
    assert reponse.status_code == 200, reponse.content
    assert reponse.streaming
    assert reponse["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(reponse.streaming_content).decode("utf-8"))))


def test_export_has_the_reservation_fields_and_values(client_admin, salle):
    reservation = reserver(salle, local(JOUR, 10), description="=cmd|' /C calc'!A0", note="é")

    [ligne] = _lignes(client_admin.get("/reservations/export.csv"))

    json_ = client_admin.get(f"/reservations/{reservation.pk}").json()
    assert list(ligne) == list(json_)
    assert ligne["id"] == str(reservation.pk)
    assert ligne["debut"] == json_["debut"] == "2026-06-10T10:00:00+02:00"
    assert ligne["duree_minutes"] == "60"
    assert ligne["description"] == "'=cmd|' /C calc'!A0"
    assert ligne["note"] == "é"
    assert ligne["checkin_le"] == ""


def test_export_shows_only_what_the_caller_may_see(client_employe, employe, salle):
    a_moi = reserver(salle, local(JOUR, 10), user=employe)
    reserver(salle, local(JOUR, 12), user=UserFactory())

    assert [ligne["id"] for ligne in _lignes(client_employe.get("/reservations/export.csv"))] == [
        str(a_moi.pk)
    ]


def test_export_applies_the_list_filters_unpaginated(client_admin, salle):
    autre = RessourceFactory(site=salle.site)
    for i in range(5):
        reserver(salle, local(JOUR + timedelta(days=i), 10))
    annulee = reserver(autre, local(JOUR, 10), statut=StatutReservation.ANNULE)

    assert len(_lignes(client_admin.get("/reservations/export.csv", {"limit": 2}))) == 6
    lignes = _lignes(client_admin.get("/reservations/export.csv", {"statut": "annule"}))
    assert [ligne["id"] for ligne in lignes] == [str(annulee.pk)]
    lignes = _lignes(
        client_admin.get(
            "/reservations/export.csv",
            {
                "ressource_id": salle.pk,
                "du": "2026-06-11",
                "au": "2026-06-12",
                "sort_order": "desc",
            },
        )
    )
    assert [ligne["debut"][:10] for ligne in lignes] == ["2026-06-12", "2026-06-11"]


def test_export_errors(client_admin, api_client):
    reponse = client_admin.get("/reservations/export.csv", {"statut": "perdu"})
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"
    assert api_client.get("/reservations/export.csv").status_code == 401


@pytest.mark.parametrize("nombre", [1, 30])
def test_export_queries_do_not_grow_with_rows(
    client_admin, django_assert_max_num_queries, salle, nombre
):
    for i in range(nombre):
        reserver(salle, local(JOUR + timedelta(days=i), 10))
    with django_assert_max_num_queries(4):
        assert len(_lignes(client_admin.get("/reservations/export.csv"))) == nombre


@pytest.mark.parametrize("nombre", [1, 30])
def test_heatmap_and_report_queries_do_not_grow_with_rows(
    client_admin, django_assert_max_num_queries, salle, nombre
):
    for i in range(nombre):
        autre = RessourceFactory(site=salle.site)
        reserver(autre, local(JOUR - timedelta(days=i % 7), 8 + i % 9))
        ResourceAvailabilityFactory(ressource=autre, debut=local(JOUR, 17), fin=local(JOUR, 18))
    periode = {"du": "2026-03-01", "au": "2026-06-30"}  # across the DST change
    with django_assert_max_num_queries(5):
        assert client_admin.get("/statistiques/occupation-horaire", periode).status_code == 200
    with django_assert_max_num_queries(2 + 4 * 3 + 3):
        assert client_admin.get("/statistiques/rapport.pdf", periode).status_code == 200
