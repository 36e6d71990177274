"""Check-in and automatic release (API.md C4) through HTTP: POST /reservations/{id}/checkin,
the booking and the free search over an expired hold, and the ressource's check-in fields.

The endpoint reads the real clock: each reservation is placed around "now" (see the
helpers of ``test_checkin``), so the tests hold at any time of day.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Autorisation
from accounts.tests.factories import ManagerFactory, UserFactory
from conftest import client_pour
from reservations import services
from reservations.models import Evenement, Reservation, StatutReservation, TypeEvenement
from reservations.permissions import MSG_CHECKIN
from reservations.tests.factories import ReservationFactory, demain_a
from reservations.tests.test_checkin import (
    fin_valide,
    prochain_debut,
    quart_precedent,
    retenue,
    vehicule_avec_checkin,
)
from ressources.models import Ressource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def iso(moment):
    return timezone.localtime(moment).isoformat()


def url_checkin(reservation):
    return f"/reservations/{reservation.pk}/checkin"


@pytest.fixture
def equipe(manager, employe):
    """The employee belongs to a department that the ``manager`` fixture manages."""
    employe.department = DepartmentFactory(manager=manager)
    employe.save()
    return employe.department


@pytest.fixture
def salle(site_du_manager):
    """A room requiring check-in within 60 minutes, on a site of the ``manager``."""
    return RessourceFactory(site=site_du_manager, checkin_requis=True, delai_checkin_minutes=60)


def _reservation(salle, user, debut, **champs):
    return ReservationFactory(
        ressource=salle, user=user, debut=debut, fin=debut + timedelta(hours=2), **champs
    )


@pytest.fixture
def ouverte(salle, employe, equipe):
    """Started at the last quarter (at most 15 minutes ago): its window is open now."""
    return _reservation(salle, employe, quart_precedent())


@pytest.fixture
def tardive(salle, employe, equipe):
    """Started 90 minutes before the last quarter and still running: its window closed
    60 minutes after its start."""
    reservation = _reservation(salle, employe, quart_precedent() - timedelta(minutes=90))
    assert reservation.debut + timedelta(minutes=60) < timezone.now() < reservation.fin
    return reservation


@pytest.fixture
def precoce(salle, employe, equipe):
    """Starting in two hours or so: its window opens 15 minutes before."""
    return _reservation(salle, employe, quart_precedent() + timedelta(hours=2))


# The endpoint ----------------------------------------------------------------------------


def test_the_beneficiary_checks_in_and_gets_the_reservation_back(client_employe, ouverte):
    avant = timezone.now()

    reponse = client_employe.post(url_checkin(ouverte))

    assert reponse.status_code == 200, reponse.json()
    ouverte.refresh_from_db()
    assert avant <= ouverte.checkin_le <= timezone.now()
    corps = reponse.json()
    assert corps["id"] == ouverte.pk
    assert corps["statut"] == "confirme"
    assert corps["checkin_le"] == iso(ouverte.checkin_le)
    assert client_employe.get(f"/reservations/{ouverte.pk}").json()["checkin_le"] == iso(
        ouverte.checkin_le
    )


def test_a_reservation_without_check_in_shows_null(client_employe, precoce):
    assert client_employe.get(f"/reservations/{precoce.pk}").json()["checkin_le"] is None


def test_the_history_shows_the_check_in(client_employe, employe, ouverte):
    client_employe.post(url_checkin(ouverte))
    ouverte.refresh_from_db()

    historique = client_employe.get(f"/reservations/{ouverte.pk}/historique").json()

    (entree,) = historique
    assert entree == {
        "id": Evenement.objects.get(reservation=ouverte).pk,
        "type": "reservation.checkin",
        "date": iso(ouverte.date_modification),
        "acteur_id": employe.pk,
        "changements": {"checkin_le": [None, iso(ouverte.checkin_le)]},
        "note": "",
    }


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("precoce", services.MSG_CHECKIN_TROP_TOT[:30]),
        ("tardive", services.MSG_CHECKIN_TROP_TARD[:30]),
    ],
)
def test_outside_the_window_is_a_409(request, client_employe, fixture, message):
    reservation = request.getfixturevalue(fixture)

    reponse = client_employe.post(url_checkin(reservation))

    assert reponse.status_code == 409
    assert reponse.json()["code"] == "etat_incompatible"
    assert reponse.json()["detail"].startswith(message)
    reservation.refresh_from_db()
    assert reservation.checkin_le is None
    assert not Evenement.objects.exists()


def test_checking_in_twice_is_a_409(client_employe, ouverte):
    assert client_employe.post(url_checkin(ouverte)).status_code == 200

    reponse = client_employe.post(url_checkin(ouverte))

    assert reponse.status_code == 409
    assert reponse.json() == {"detail": services.MSG_CHECKIN_DEJA, "code": "etat_incompatible"}
    assert Evenement.objects.filter(type=TypeEvenement.RESERVATION_CHECKIN).count() == 1


@pytest.mark.parametrize("statut", [StatutReservation.EN_ATTENTE, StatutReservation.ANNULE])
def test_a_reservation_that_is_not_confirmed_is_a_409(client_employe, salle, employe, statut):
    reservation = _reservation(salle, employe, quart_precedent(), statut=statut)

    reponse = client_employe.post(url_checkin(reservation))

    assert reponse.status_code == 409
    assert reponse.json() == {"detail": services.MSG_CHECKIN_ETAT, "code": "etat_incompatible"}


def test_an_unknown_reservation_is_a_404(client_admin):
    reponse = client_admin.post("/reservations/999999/checkin")
    assert reponse.status_code == 404
    assert reponse.json()["code"] == "introuvable"


def test_the_path_takes_a_trailing_slash_and_only_post(client_employe, ouverte):
    assert client_employe.get(url_checkin(ouverte)).status_code == 405
    assert client_employe.post(url_checkin(ouverte) + "/").status_code == 200


# Who may check in ------------------------------------------------------------------------


@pytest.fixture
def appelants(employe, manager, admin_user, equipe):
    """One client per caller, around the employee's reservations (``manager`` manages the
    employee's department)."""
    porteur = UserFactory(autorisations=[Autorisation.RESERVER_POUR_AUTRUI])
    return {
        "beneficiaire": client_pour(employe),
        "createur": client_pour(porteur),
        "manager_du_departement": client_pour(manager),
        "admin": client_pour(admin_user),
        "autre_manager": client_pour(ManagerFactory()),
        "autre_employe": client_pour(UserFactory()),
        "anonyme": client_pour(None),
        "_porteur": porteur,
    }


MATRICE = {
    "beneficiaire": (200, 409),
    "createur": (200, 409),
    "manager_du_departement": (200, 409),
    "admin": (200, 409),
    # Who may not see a reservation gets a 404, as if it did not exist.
    "autre_manager": (404, 404),
    "autre_employe": (404, 404),
    "anonyme": (401, 401),
}


CODES = {401: "non_authentifie", 404: "introuvable", 409: "etat_incompatible"}


@pytest.mark.parametrize("qui", list(MATRICE))
@pytest.mark.parametrize("moment", ["ouverte", "tardive"])
def test_permission_matrix(request, appelants, qui, moment):
    reservation = request.getfixturevalue(moment)
    Reservation.objects.filter(pk=reservation.pk).update(createur=appelants["_porteur"])
    attendu = MATRICE[qui][0 if moment == "ouverte" else 1]

    reponse = appelants[qui].post(url_checkin(reservation))

    assert reponse.status_code == attendu, reponse.json()
    corps = reponse.json()
    if attendu != 200:
        assert corps["code"] == CODES[attendu]
    reservation.refresh_from_db()
    assert (reservation.checkin_le is not None) == (attendu == 200)


def test_who_sees_a_reservation_without_being_allowed_to_check_in_gets_a_403(
    salle, employe, manager
):
    """A pending reservation is visible to the approval queue (the manager of the
    ressource's site, a holder of confirmer_reservations there); they may not check in
    for its beneficiary, who is in no department of theirs: 403 before any 409."""
    attente = _reservation(salle, employe, quart_precedent(), statut=StatutReservation.EN_ATTENTE)
    porteur = UserFactory(
        autorisations=[Autorisation.CONFIRMER_RESERVATIONS], site_principal=salle.site
    )

    for qui in (manager, porteur):
        client = client_pour(qui)
        assert client.get(f"/reservations/{attente.pk}").status_code == 200
        reponse = client.post(url_checkin(attente))
        assert reponse.status_code == 403
        assert reponse.json() == {"detail": MSG_CHECKIN, "code": "permission_refusee"}
    assert client_pour(employe).post(url_checkin(attente)).status_code == 409


def test_the_manager_of_the_beneficiarys_current_department_may_check_in(salle, employe, equipe):
    """The beneficiary moved to another department after booking: the manager of their
    current department sees the booking and may check in."""
    reservation = _reservation(salle, employe, quart_precedent())
    nouveau_manager = ManagerFactory()
    employe.department = DepartmentFactory(manager=nouveau_manager)
    employe.save()

    assert client_pour(nouveau_manager).post(url_checkin(reservation)).status_code == 200


@pytest.mark.parametrize("nombre", [1, 30])
@pytest.mark.parametrize("qui", ["employe", "manager"])
def test_check_in_answers_in_a_fixed_number_of_queries(
    request, salle, employe, equipe, django_assert_max_num_queries, nombre, qui
):
    for i in range(nombre - 1):
        _reservation(salle, employe, quart_precedent() + timedelta(days=i + 1))
    reservation = _reservation(salle, employe, quart_precedent())
    client = client_pour(request.getfixturevalue(qui))

    with django_assert_max_num_queries(8 if qui == "manager" else 7):
        reponse = client.post(url_checkin(reservation))

    assert reponse.status_code == 200, reponse.json()


def test_the_openapi_document_describes_the_check_in(api_client):
    schema = api_client.get("/openapi.json").json()
    operation = schema["paths"]["/reservations/{id}/checkin"]["post"]
    assert {"200", "401", "403", "404", "409"} <= set(operation["responses"])
    assert "requestBody" not in operation
    reservation = schema["components"]["schemas"]["Reservation"]["properties"]
    assert reservation["checkin_le"]["readOnly"] is True
    ressource = schema["components"]["schemas"]["Ressource"]["properties"]
    assert {"checkin_requis", "delai_checkin_minutes"} <= set(ressource)


# The booking path over an expired hold, worker or not -----------------------------------


@pytest.fixture
def expiree(employe):
    """The employee's unclaimed hold, started 45 minutes before the next bookable quarter,
    deadline 5 minutes after its start (past), running one more hour."""
    debut = prochain_debut()
    return retenue(
        vehicule_avec_checkin(delai=5),
        debut - timedelta(minutes=45),
        fin_valide(debut, 60),
        user=employe,
    )


def _creneau():
    debut = prochain_debut()
    return debut, fin_valide(debut)


def test_booking_the_time_of_an_expired_hold_is_a_201_and_releases_it(client_employe, expiree):
    debut, fin = _creneau()
    autre = client_pour(UserFactory())

    reponse = autre.post(
        "/reservations/",
        {"ressource_id": expiree.ressource_id, "debut": iso(debut), "fin": iso(fin)},
        format="json",
    )

    assert reponse.status_code == 201, reponse.json()
    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.NON_PRESENT
    historique = client_employe.get(f"/reservations/{expiree.pk}/historique").json()
    (liberation,) = historique
    assert liberation["type"] == "reservation.liberee"
    assert liberation["acteur_id"] is None
    assert liberation["note"] == services.MSG_LIBEREE_AUTOMATIQUEMENT
    assert liberation["changements"]["statut"] == ["confirme", "non_present"]
    assert client_employe.get(f"/reservations/{expiree.pk}").json()["statut"] == "non_present"


def test_before_its_deadline_a_hold_is_still_a_409(employe):
    ressource = vehicule_avec_checkin(delai=60)
    debut, fin = _creneau()
    tenue = retenue(ressource, quart_precedent(), fin_valide(debut, 60), user=employe)

    reponse = client_pour(UserFactory()).post(
        "/reservations/",
        {"ressource_id": ressource.pk, "debut": iso(debut), "fin": iso(fin)},
        format="json",
    )

    assert reponse.status_code == 409
    assert reponse.json()["code"] == "conflit_reservation"
    assert [c["id"] for c in reponse.json()["conflits"]] == [tenue.pk]


def test_the_free_search_and_the_planning_treat_an_expired_hold_as_free(client_employe, expiree):
    debut, fin = _creneau()
    ressource = expiree.ressource
    tenue = vehicule_avec_checkin(delai=60, site=ressource.site)
    retenue(tenue, quart_precedent(), fin_valide(debut, 60))

    reponse = client_employe.get(
        "/ressources/disponibles",
        {"debut": iso(debut), "fin": iso(fin), "site_id": ressource.site_id},
    )

    assert reponse.status_code == 200, reponse.json()
    assert [r["id"] for r in reponse.json()["items"]] == [ressource.pk]
    planning = client_employe.get(
        f"/ressources/{ressource.pk}/planning", {"du": iso(debut), "au": iso(fin)}
    )
    assert planning.status_code == 200
    assert planning.json() == []
    # Reading changes nothing: the release is the worker's or the next booking's.
    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.CONFIRME


# The ressource's fields ------------------------------------------------------------------


def _nouvelle(site, **champs):
    return {
        "nom": "Salle Saturne",
        "type_ressource": "salle",
        "capacite_maximum": 8,
        "site_id": site.pk,
        **champs,
    }


def test_a_new_ressource_has_no_check_in_and_a_15_minute_delay(client_admin, site_du_manager):
    reponse = client_admin.post("/ressources/", _nouvelle(site_du_manager), format="json")

    assert reponse.status_code == 201, reponse.json()
    assert (reponse.json()["checkin_requis"], reponse.json()["delai_checkin_minutes"]) == (
        False,
        15,
    )
    detail = client_admin.get(f"/ressources/{reponse.json()['id']}").json()["ressource"]
    assert (detail["checkin_requis"], detail["delai_checkin_minutes"]) == (False, 15)
    assert client_admin.get("/ressources/").json()["items"][0]["checkin_requis"] is False


@pytest.mark.parametrize("delai", [5, 240])
def test_the_delay_bounds_are_accepted(client_admin, site_du_manager, delai):
    reponse = client_admin.post(
        "/ressources/",
        _nouvelle(site_du_manager, checkin_requis=True, delai_checkin_minutes=delai),
        format="json",
    )

    assert reponse.status_code == 201, reponse.json()
    ressource = Ressource.objects.get()
    assert (ressource.checkin_requis, ressource.delai_checkin_minutes) == (True, delai)


@pytest.mark.parametrize("delai", [4, 241, 0, -5, "quinze", None, 15.5, True])
def test_a_delay_out_of_bounds_or_of_the_wrong_type_is_a_400(client_admin, site_du_manager, delai):
    reponse = client_admin.post(
        "/ressources/", _nouvelle(site_du_manager, delai_checkin_minutes=delai), format="json"
    )

    assert reponse.status_code == 400, reponse.json()
    assert reponse.json()["code"] == "validation"
    assert set(reponse.json()["errors"]) == {"delai_checkin_minutes"}
    assert not Ressource.objects.exists()


@pytest.mark.parametrize("valeur", [1, 0, "oui", "TRUE", "yes", None, [True]])
def test_checkin_requis_is_a_strict_boolean(client_admin, salle, valeur):
    reponse = client_admin.patch(
        f"/ressources/{salle.pk}", {"checkin_requis": valeur}, format="json"
    )

    assert reponse.status_code == 400, reponse.json()
    assert set(reponse.json()["errors"]) == {"checkin_requis"}
    salle.refresh_from_db()
    assert salle.checkin_requis is True


def test_a_delay_update_out_of_bounds_changes_nothing(client_admin, salle):
    reponse = client_admin.put(
        f"/ressources/{salle.pk}", {"delai_checkin_minutes": 241}, format="json"
    )

    assert reponse.status_code == 400
    salle.refresh_from_db()
    assert salle.delai_checkin_minutes == 60


# Changing the settings moves the coming deadlines ---------------------------------------


def test_settings_changed_through_the_api_move_the_coming_deadlines(
    client_manager, site_du_manager
):
    ressource = RessourceFactory(site=site_du_manager)
    employe = UserFactory()
    a_venir = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11)
    )
    en_attente = ReservationFactory(
        ressource=ressource,
        debut=demain_a(14),
        fin=demain_a(15),
        statut=StatutReservation.EN_ATTENTE,
    )
    commencee = ReservationFactory(
        ressource=ressource, debut=quart_precedent(), fin=quart_precedent() + timedelta(hours=2)
    )

    def limites():
        return [
            Reservation.objects.get(pk=r.pk).checkin_limite
            for r in (a_venir, en_attente, commencee)
        ]

    def mettre(**champs):
        reponse = client_manager.put(f"/ressources/{ressource.pk}", champs, format="json")
        assert reponse.status_code == 200, reponse.json()

    mettre(checkin_requis=True)
    assert limites() == [demain_a(10, 15), demain_a(14, 15), None]

    # The started booking keeps its own deadline (set at booking time here).
    Reservation.objects.filter(pk=commencee.pk).update(
        checkin_limite=commencee.debut + timedelta(minutes=15)
    )
    mettre(delai_checkin_minutes=30)
    assert limites() == [
        demain_a(10, 30),
        demain_a(14, 30),
        commencee.debut + timedelta(minutes=15),
    ]

    mettre(description="Rien à voir avec l'arrivée")
    assert limites() == [
        demain_a(10, 30),
        demain_a(14, 30),
        commencee.debut + timedelta(minutes=15),
    ]

    mettre(checkin_requis=False)
    assert limites() == [None, None, commencee.debut + timedelta(minutes=15)]


def test_a_refused_settings_change_moves_no_deadline(client_admin, salle, employe):
    reservation = ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(12))
    services.recalculer_limites_checkin(salle)

    reponse = client_admin.put(
        f"/ressources/{salle.pk}",
        {"delai_checkin_minutes": 30, "capacite_maximum": 0},
        format="json",
    )

    assert reponse.status_code == 400
    reservation.refresh_from_db()
    assert reservation.checkin_limite == demain_a(11)
