"""``/statistiques`` (API.md C8): figures computed from known data, grouping, scope,
inputs and CSV."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import client_pour
from reservations.models import Recurrence, Reservation, StatutReservation, TypeDisponibilite
from reservations.tests.factories import ReservationFactory, ResourceAvailabilityFactory
from ressources.models import Etat, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory
from statistiques import selectors

pytestmark = pytest.mark.django_db

JOUR = date(2026, 6, 10)  # a Wednesday, summer time (UTC+2)


def local(jour, heure, minute=0):
    return timezone.make_aware(datetime.combine(jour, time(heure, minute)))


def periode(du=JOUR, au=JOUR, **autres):
    return {"du": du.isoformat(), "au": au.isoformat(), **autres}


@pytest.fixture
def site():
    return SiteFactory(nom="Site Alpha", horaires_ouverture=time(8), horaires_fermeture=time(18))


@pytest.fixture
def salle(site):
    return RessourceFactory(site=site, nom="Salle Une")


def reserver(ressource, debut, heures=1.0, statut=StatutReservation.CONFIRME, **champs):
    return ReservationFactory(
        ressource=ressource,
        debut=debut,
        fin=debut + timedelta(hours=heures),
        statut=statut,
        **champs,
    )


def stats(client, **params):
    reponse = client.get("/statistiques/", params)
    assert reponse.status_code == 200, reponse.content
    return reponse.json()


# --- Occupancy ----------------------------------------------------------------------------


def test_two_hours_booked_in_a_day_open_ten_hours_is_twenty_percent(client_admin, salle):
    reserver(salle, local(JOUR, 10), heures=2)

    corps = stats(client_admin, **periode())

    assert corps["total"]["taux_occupation"] == 20.0
    assert corps["total"]["heures_reservees"] == 2.0
    [ligne] = corps["lignes"]
    assert ligne["cle"] == {"id": salle.site_id, "nom": "Site Alpha"}
    assert ligne["taux_occupation"] == 20.0


def test_a_room_with_its_own_hours_counts_them(client_admin, site):
    salle = RessourceFactory(site=site, horaires_ouverture=time(9), horaires_fermeture=time(13))
    reserver(salle, local(JOUR, 10), heures=1)

    assert stats(client_admin, **periode())["total"]["taux_occupation"] == 25.0


def test_equipment_uses_its_site_hours(client_admin, site):
    projecteur = RessourceFactory(site=site, type_ressource=TypeRessource.EQUIPEMENT)
    reserver(projecteur, local(JOUR, 8), heures=5)

    assert stats(client_admin, **periode())["total"]["taux_occupation"] == 50.0


def test_a_blocking_unavailability_reduces_open_time(client_admin, salle):
    reserver(salle, local(JOUR, 10), heures=2)
    ResourceAvailabilityFactory(ressource=salle, debut=local(JOUR, 14), fin=local(JOUR, 19))

    # Open 08:00-18:00 less 14:00-18:00 (the part after closing does not count): 6 hours.
    assert stats(client_admin, **periode())["total"]["taux_occupation"] == pytest.approx(33.33)


def test_a_daily_unavailability_counts_every_day_of_the_period(client_admin, salle):
    ResourceAvailabilityFactory(
        ressource=salle,
        debut=local(JOUR - timedelta(days=30), 8),
        fin=local(JOUR - timedelta(days=30), 13),
        recurrence=Recurrence.QUOTIDIEN,
        fin_recurrence=JOUR + timedelta(days=1),
    )
    reserver(salle, local(JOUR, 14), heures=1)
    reserver(salle, local(JOUR + timedelta(days=2), 14), heures=1)

    # Day 1 and 2: 5 hours open each (08:00-13:00 blocked); day 3: 10 hours. 2 h / 20 h.
    corps = stats(client_admin, **periode(au=JOUR + timedelta(days=2)))
    assert corps["total"]["taux_occupation"] == 10.0


def test_a_normal_availability_period_does_not_reduce_open_time(client_admin, salle):
    ResourceAvailabilityFactory(
        ressource=salle,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=local(JOUR, 9),
        fin=local(JOUR, 10),
    )
    reserver(salle, local(JOUR, 9), heures=1)

    assert stats(client_admin, **periode())["total"]["taux_occupation"] == 10.0


def test_pending_bookings_occupy_but_cancelled_and_no_shows_do_not(client_admin, salle):
    reserver(salle, local(JOUR, 8), statut=StatutReservation.EN_ATTENTE)
    reserver(salle, local(JOUR, 9), statut=StatutReservation.FINI)
    reserver(salle, local(JOUR, 10), statut=StatutReservation.ANNULE)
    reserver(salle, local(JOUR, 11), statut=StatutReservation.NON_PRESENT)

    total = stats(client_admin, **periode())["total"]
    assert total["taux_occupation"] == 20.0
    # heures_reservees counts confirme and fini only.
    assert total["heures_reservees"] == 1.0


def test_inactive_ressources_add_no_open_time(client_admin, site, salle):
    RessourceFactory(site=site, etat=Etat.HORS_SERVICE)
    reserver(salle, local(JOUR, 10), heures=2)

    assert stats(client_admin, **periode())["total"]["taux_occupation"] == 20.0


def test_time_inside_the_period_only(client_admin, site):
    vehicule = RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE)
    # 16:00 to 04:00 the next day: only up to midnight (8 hours) falls in the period.
    reserver(vehicule, local(JOUR, 16), heures=12)

    assert stats(client_admin, **periode())["total"]["heures_reservees"] == 8.0


# --- Rates, durations, lead time ----------------------------------------------------------


def test_cancellation_and_no_show_rates(client_admin, salle):
    for heure in (8, 9):
        reserver(salle, local(JOUR, heure), statut=StatutReservation.ANNULE)
    reserver(salle, local(JOUR, 10), statut=StatutReservation.NON_PRESENT)
    reserver(salle, local(JOUR, 11), statut=StatutReservation.FINI)
    reserver(salle, local(JOUR, 12), statut=StatutReservation.CONFIRME)
    reserver(salle, local(JOUR, 13), statut=StatutReservation.CONFIRME)
    reserver(salle, local(JOUR, 14), statut=StatutReservation.EN_ATTENTE)
    reserver(salle, local(JOUR, 15), statut=StatutReservation.EN_ATTENTE)

    total = stats(client_admin, **periode())["total"]
    assert total["reservations"] == 8
    assert total["confirmees"] == 2
    assert total["annulees"] == 2
    assert total["non_presentes"] == 1
    assert total["taux_annulation"] == 25.0
    # non_presentes / (confirmees + fini + non_presentes) = 1 / 4.
    assert total["taux_non_presentation"] == 25.0


def test_mean_duration_and_lead_time_leave_cancelled_bookings_out(client_admin, salle):
    courte = reserver(salle, local(JOUR, 8), heures=1)
    longue = reserver(salle, local(JOUR, 10), heures=2)
    annulee = reserver(salle, local(JOUR, 14), heures=3, statut=StatutReservation.ANNULE)
    Reservation.objects.filter(pk=courte.pk).update(
        date_creation=local(JOUR, 8) - timedelta(hours=10)
    )
    Reservation.objects.filter(pk=longue.pk).update(
        date_creation=local(JOUR, 10) - timedelta(hours=30)
    )
    Reservation.objects.filter(pk=annulee.pk).update(date_creation=local(JOUR, 1))

    total = stats(client_admin, **periode())["total"]
    assert total["duree_moyenne_minutes"] == 90.0
    assert total["delai_moyen_heures"] == 20.0


def test_an_empty_period_has_zero_counts_and_no_rates(client_admin, salle):
    total = stats(client_admin, **periode())["total"]
    assert total["reservations"] == 0
    assert total["taux_occupation"] == 0.0
    assert total["taux_annulation"] is None
    assert total["duree_moyenne_minutes"] is None


# --- Groupings ------------------------------------------------------------------------------


@pytest.fixture
def deux_sites(site, salle):
    autre = SiteFactory(nom="Site Beta", horaires_ouverture=time(8), horaires_fermeture=time(18))
    camion = RessourceFactory(site=autre, type_ressource=TypeRessource.VEHICULE, nom="Camion")
    reserver(salle, local(JOUR, 10), heures=2)
    reserver(camion, local(JOUR, 8), heures=5)
    RessourceFactory(site=autre, nom="Salle vide")
    return autre, camion


def test_grouped_by_site(client_admin, deux_sites, site):
    autre, _ = deux_sites
    lignes = stats(client_admin, **periode())["lignes"]
    assert [(ligne["cle"]["nom"], ligne["taux_occupation"]) for ligne in lignes] == [
        ("Site Alpha", 20.0),
        ("Site Beta", 25.0),
    ]


def test_grouped_by_ressource_lists_unused_ones_too(client_admin, deux_sites, salle):
    _, camion = deux_sites
    lignes = stats(client_admin, **periode(grouper_par="ressource"))["lignes"]
    par_nom = {ligne["cle"]["nom"]: ligne for ligne in lignes}
    assert par_nom["Camion"]["taux_occupation"] == 50.0
    assert par_nom["Camion"]["cle"]["id"] == camion.pk
    assert par_nom["Salle Une"]["taux_occupation"] == 20.0
    assert par_nom["Salle vide"]["taux_occupation"] == 0.0
    assert par_nom["Salle vide"]["reservations"] == 0


def test_grouped_by_type(client_admin, deux_sites):
    lignes = stats(client_admin, **periode(grouper_par="type_ressource"))["lignes"]
    assert [ligne["cle"] for ligne in lignes] == [
        {"id": "salle", "nom": "Salle"},
        {"id": "vehicule", "nom": "Véhicule"},
    ]
    # Two rooms open 10 h each, 2 h booked.
    assert lignes[0]["taux_occupation"] == 10.0
    assert lignes[1]["taux_occupation"] == 50.0


def test_grouped_by_department_uses_the_department_frozen_on_the_booking(client_admin, salle):
    compta = DepartmentFactory(nom="Comptabilité", site=salle.site)
    rh = DepartmentFactory(nom="Ressources humaines", site=salle.site)
    personne = UserFactory(department=compta)
    reserver(salle, local(JOUR, 10), heures=2, user=personne)
    personne.department = rh  # moved afterwards: the booking stays with Comptabilité
    personne.save()
    reserver(salle, local(JOUR, 14), heures=1, user=personne)

    lignes = stats(client_admin, **periode(grouper_par="department"))["lignes"]
    assert [(ligne["cle"], ligne["heures_reservees"]) for ligne in lignes] == [
        ({"id": compta.pk, "nom": "Comptabilité"}, 2.0),
        ({"id": rh.pk, "nom": "Ressources humaines"}, 1.0),
    ]
    assert lignes[0]["taux_occupation"] == 20.0


def test_grouped_by_day_in_local_time(client_admin, salle):
    # 00:30 local on the next day is still 22:30 UTC on JOUR.
    reserver(salle, local(JOUR + timedelta(days=1), 0, 30), heures=1)
    reserver(salle, local(JOUR, 23), heures=0.5)

    lignes = stats(client_admin, **periode(au=JOUR + timedelta(days=2), grouper_par="jour"))[
        "lignes"
    ]
    assert [(ligne["cle"]["date"], ligne["reservations"]) for ligne in lignes] == [
        ("2026-06-10", 1),
        ("2026-06-11", 1),
        ("2026-06-12", 0),
    ]
    assert lignes[2]["taux_occupation"] == 0.0


def test_grouped_by_week_starts_on_monday(client_admin, salle):
    reserver(salle, local(date(2026, 6, 14), 10))  # Sunday
    reserver(salle, local(date(2026, 6, 15), 0, 15))  # Monday, just after local midnight

    lignes = stats(
        client_admin,
        **periode(du=date(2026, 6, 10), au=date(2026, 6, 16), grouper_par="semaine"),
    )["lignes"]
    assert [(ligne["cle"]["date"], ligne["reservations"]) for ligne in lignes] == [
        ("2026-06-08", 1),
        ("2026-06-15", 1),
    ]
    # Week 1 inside the period: 10-14 June, 5 days of 10 hours.
    assert lignes[0]["taux_occupation"] == 2.0


def test_grouped_by_month_in_local_time(client_admin, salle):
    reserver(salle, local(date(2026, 6, 30), 23, 30), heures=0.5)  # 21:30 UTC
    reserver(salle, local(date(2026, 7, 1), 0, 0), heures=1)  # 22:00 UTC on 30 June

    lignes = stats(
        client_admin,
        **periode(du=date(2026, 6, 1), au=date(2026, 7, 31), grouper_par="mois"),
    )["lignes"]
    assert [(ligne["cle"]["date"], ligne["reservations"]) for ligne in lignes] == [
        ("2026-06-01", 1),
        ("2026-07-01", 1),
    ]


def test_time_groupings_over_no_ressource_have_no_occupancy(client_admin):
    lignes = stats(client_admin, **periode(grouper_par="jour"))["lignes"]
    assert lignes[0]["taux_occupation"] is None


GROUPEMENTS = ["site", "department", "ressource", "type_ressource", "jour", "semaine", "mois"]


@pytest.mark.parametrize("filtres", [{}, {"type_of_ressource": TypeRessource.SALLE}])
@pytest.mark.parametrize("grouper_par", GROUPEMENTS)
def test_every_grouping_gives_the_same_figures_for_every_status(
    client_admin, site, grouper_par, filtres
):
    # Each database folds the statuses its own way (SQLite packs group and status in one
    # key, and sums the time of the ressources that do not count apart unless a filter
    # makes them many): every status, a booking without department and one of a ressource
    # out of service since, per grouping.
    salle = RessourceFactory(site=site)
    panne = RessourceFactory(site=site)
    service = UserFactory(department=DepartmentFactory(site=site))
    reserver(salle, local(JOUR, 8), heures=2)  # no department
    reserver(salle, local(JOUR, 10), statut=StatutReservation.EN_ATTENTE, user=service)
    reserver(salle, local(JOUR, 11), statut=StatutReservation.ANNULE, user=service)
    reserver(salle, local(JOUR, 12), statut=StatutReservation.NON_PRESENT, user=service)
    reserver(panne, local(JOUR, 8), heures=4, statut=StatutReservation.FINI, user=service)
    reserver(salle, local(JOUR, 16), heures=0.5, statut=StatutReservation.FINI)
    panne.etat = Etat.HORS_SERVICE
    panne.save()

    resultat = stats(client_admin, **periode(grouper_par=grouper_par, **filtres))
    total = resultat["total"]
    assert {k: total[k] for k in ("reservations", "confirmees", "annulees", "non_presentes")} == {
        "reservations": 6,
        "confirmees": 1,
        "annulees": 1,
        "non_presentes": 1,
    }
    # Booked: confirme and fini, the broken ressource's 4 hours included.
    assert total["heures_reservees"] == 6.5
    # Occupied over the room's 10 open hours: 2 + 1 (pending) + 0.5, not the 4 of the other.
    assert total["taux_occupation"] == 35.0
    assert total["taux_non_presentation"] == 25.0  # 1 of 1 confirme, 2 fini, 1 no-show
    # Mean duration of the 5 bookings not cancelled: (2 + 1 + 1 + 4 + 0.5) h / 5.
    assert total["duree_moyenne_minutes"] == 102.0
    lignes = resultat["lignes"]
    for chiffre in ("reservations", "confirmees", "annulees", "non_presentes"):
        assert sum(ligne[chiffre] for ligne in lignes) == total[chiffre]
    assert round(sum(ligne["heures_reservees"] for ligne in lignes), 2) == 6.5
    if grouper_par == "department":
        assert [(ligne["cle"]["nom"], ligne["reservations"]) for ligne in lignes] == [
            (service.department.nom, 4),
            ("Sans département", 2),
        ]
    if grouper_par == "ressource":
        par_nom = {ligne["cle"]["id"]: ligne for ligne in lignes}
        assert par_nom[salle.pk]["taux_occupation"] == 35.0
        assert par_nom[panne.pk]["heures_reservees"] == 4.0
        assert par_nom[panne.pk]["taux_occupation"] is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only")
@pytest.mark.parametrize("grouper_par", GROUPEMENTS)
def test_sqlite_reads_a_whole_period_from_the_statistics_index(client_admin, site, grouper_par):
    reserver(RessourceFactory(site=site), local(JOUR, 8), heures=2)
    with CaptureQueriesContext(connection) as requetes:
        resultat = stats(client_admin, **periode(grouper_par=grouper_par))
    assert resultat["total"]["heures_reservees"] == 2.0
    forcees = [q["sql"] for q in requetes if "INDEXED BY" in q["sql"]]
    assert len(forcees) == 1
    assert f"INDEXED BY {selectors.INDEX_STATISTIQUES}" in forcees[0]


def test_durations_and_lead_times_are_kept_by_the_database(site):
    reservation = reserver(RessourceFactory(site=site), local(JOUR, 8), heures=1.5)
    Reservation.objects.filter(pk=reservation.pk).update(fin=F("fin") + timedelta(minutes=15))
    reservation.refresh_from_db()
    assert reservation.duree_secondes == 105 * 60
    attendu = (reservation.debut - reservation.date_creation).total_seconds()
    assert reservation.delai_secondes == round(attendu)


# --- Filters --------------------------------------------------------------------------------


def test_filters(client_admin, deux_sites, salle):
    autre, camion = deux_sites
    assert stats(client_admin, **periode(site_id=autre.pk))["total"]["reservations"] == 1
    total = stats(client_admin, **periode(type_of_ressource="vehicule"))["total"]
    assert (total["reservations"], total["taux_occupation"]) == (1, 50.0)
    total = stats(client_admin, **periode(ressource_id=salle.pk))["total"]
    assert (total["reservations"], total["taux_occupation"]) == (1, 20.0)
    departement = DepartmentFactory(site=salle.site)
    reserver(salle, local(JOUR, 15), user=UserFactory(department=departement))
    assert (
        stats(client_admin, **periode(department_id=departement.pk))["total"]["reservations"] == 1
    )


def test_default_period_is_the_last_thirty_days(client_admin, salle):
    aujourdhui = timezone.localdate()
    reserver(salle, local(aujourdhui - timedelta(days=29), 10))
    reserver(salle, local(aujourdhui - timedelta(days=30), 10))

    assert stats(client_admin)["total"]["reservations"] == 1


# --- Scope ----------------------------------------------------------------------------------


def test_a_manager_sees_only_the_bookings_of_their_departments(client_admin, manager, salle):
    gere = DepartmentFactory(site=salle.site, manager=manager)
    autre = DepartmentFactory(site=salle.site)
    reserver(salle, local(JOUR, 8), user=UserFactory(department=gere))
    reserver(salle, local(JOUR, 10), heures=3, user=UserFactory(department=autre))

    client = client_pour(manager)
    total = stats(client, **periode())["total"]
    assert total["reservations"] == 1
    assert total["taux_occupation"] == 10.0
    assert stats(client_admin, **periode())["total"]["reservations"] == 2
    lignes = stats(client, **periode(grouper_par="department"))["lignes"]
    assert [ligne["cle"]["id"] for ligne in lignes] == [gere.pk]


@pytest.mark.parametrize(
    "chemin", ["/statistiques/", "/statistiques/occupation-horaire", "/statistiques/rapport.pdf"]
)
def test_employees_get_403_and_anonymous_callers_401(clients, chemin):
    reponse = clients["employe"].get(chemin)
    assert reponse.status_code == 403
    assert reponse.json()["code"] == "permission_refusee"
    reponse = clients["anonyme"].get(chemin)
    assert reponse.status_code == 401
    assert reponse.json()["code"] == "non_authentifie"
    assert clients["manager"].get(chemin).status_code == 200


# --- Inputs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "champ"),
    [
        ({"du": "2026-06-10", "au": "2026-06-09"}, "au"),
        ({"du": "2025-06-10", "au": "2026-06-11"}, "au"),
        ({"grouper_par": "annee"}, "grouper_par"),
        ({"du": "10/06/2026"}, "du"),
        ({"du": "0001-01-01"}, "du"),
        ({"site_id": "abc"}, "site_id"),
        ({"ressource_id": "0"}, "ressource_id"),
        ({"type_of_ressource": "fusee"}, "type_of_ressource"),
    ],
)
def test_bad_inputs_are_400_naming_the_parameter(client_admin, params, champ):
    reponse = client_admin.get("/statistiques/", params)
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"
    assert champ in reponse.json()["errors"]


def test_366_days_are_accepted(client_admin):
    reponse = client_admin.get("/statistiques/", {"du": "2025-06-11", "au": "2026-06-11"})
    assert reponse.status_code == 200


def test_a_bad_input_is_json_even_when_csv_was_asked(client_admin):
    reponse = client_admin.get("/statistiques/", {"format": "csv", "grouper_par": "x"})
    assert reponse.status_code == 400
    assert reponse["Content-Type"].startswith("application/json")


# --- CSV ------------------------------------------------------------------------------------


def _csv(reponse):
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    assert reponse.streaming
    texte = b"".join(reponse.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(texte)))


def test_csv_has_the_same_rows(client_admin, deux_sites):
    lignes = _csv(client_admin.get("/statistiques/", {**periode(), "format": "csv"}))
    assert lignes[0] == [
        "id",
        "nom",
        "reservations",
        "confirmees",
        "annulees",
        "non_presentes",
        "heures_reservees",
        "taux_occupation",
        "taux_annulation",
        "taux_non_presentation",
        "duree_moyenne_minutes",
        "delai_moyen_heures",
    ]
    assert [ligne[1] for ligne in lignes[1:]] == ["Site Alpha", "Site Beta"]
    assert lignes[1][7] == "20.0"


def test_csv_by_accept_header_with_date_keys(client_admin, salle):
    reserver(salle, local(JOUR, 10), heures=2)
    reponse = client_admin.get(
        "/statistiques/", periode(grouper_par="jour"), HTTP_ACCEPT="text/csv"
    )
    lignes = _csv(reponse)
    assert lignes[0][:2] == ["date", "reservations"]
    assert lignes[1][:2] == ["2026-06-10", "1"]


def test_csv_cells_cannot_be_formulas(client_admin):
    site = SiteFactory(
        nom='=HYPERLINK("x")', horaires_ouverture=time(8), horaires_fermeture=time(18)
    )
    RessourceFactory(site=site, nom="@SUM(A1)")
    lignes = _csv(client_admin.get("/statistiques/", {**periode(), "format": "csv"}))
    assert lignes[1][1] == '\'=HYPERLINK("x")'
    lignes = _csv(
        client_admin.get("/statistiques/", {**periode(grouper_par="ressource"), "format": "csv"})
    )
    assert lignes[1][1] == "'@SUM(A1)"


# --- Queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("grouper_par", ["site", "department", "ressource", "jour", "mois"])
@pytest.mark.parametrize("nombre", [1, 40])
def test_a_bounded_number_of_queries(
    client_admin, django_assert_max_num_queries, site, grouper_par, nombre
):
    for i in range(nombre):
        salle = RessourceFactory(site=site if i % 2 else SiteFactory())
        reserver(
            salle,
            local(JOUR - timedelta(days=i % 7), 8 + i % 9),
            user=UserFactory(department=DepartmentFactory(site=site)),
        )
        ResourceAvailabilityFactory(
            ressource=salle,
            debut=local(JOUR, 17),
            fin=local(JOUR, 18),
            recurrence=Recurrence.HEBDOMADAIRE,
        )
    # Authentication (2), aggregates, ressources, periods, names.
    with django_assert_max_num_queries(7):
        stats(client_admin, **periode(du=JOUR - timedelta(days=7), grouper_par=grouper_par))


def test_local_days_across_the_daylight_saving_change(client_admin, salle):
    # Summer time starts on 29 March 2026: 00:30 is 23:30 UTC the day before on the 29th,
    # 22:30 UTC the day before on the 30th.
    reserver(salle, local(date(2026, 3, 29), 0, 30))
    reserver(salle, local(date(2026, 3, 30), 0, 30))
    reserver(salle, local(date(2026, 3, 28), 23, 30), heures=0.5)

    lignes = stats(
        client_admin,
        **periode(du=date(2026, 3, 28), au=date(2026, 3, 30), grouper_par="jour"),
    )["lignes"]
    assert [ligne["reservations"] for ligne in lignes] == [1, 1, 1]
    # 10:00 local on the Friday before (UTC+1) and the Monday after (UTC+2) the change.
    reserver(salle, local(date(2026, 3, 27), 10))
    reserver(salle, local(date(2026, 3, 30), 10))
    taux = client_admin.get(
        "/statistiques/occupation-horaire", {"du": "2026-03-27", "au": "2026-03-30"}
    ).json()["taux"]
    assert (taux[4][10], taux[0][10], taux[4][9], taux[0][11]) == (100.0, 100.0, 0.0, 0.0)
