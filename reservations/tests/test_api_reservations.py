"""``/reservations`` through HTTP: the contract's shapes, visibility, permissions, rules."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import ManagerFactory, UserFactory
from conftest import client_pour
from resa_project.parametres import MSG_DATE_HEURE as MSG_DATE
from resa_project.parametres import MSG_FENETRE, MSG_HEURE_LOCALE
from reservations import regles
from reservations.models import Reservation, StatutReservation
from reservations.permissions import MSG_RESERVER_POUR_AUTRUI
from reservations.services import MSG_ANNULATION_TARDIVE, MSG_CONFIRMER_ETAT
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

CHAMPS = {
    "id",
    "ressource_id",
    "user_id",
    "createur_id",
    "debut",
    "fin",
    "statut",
    "description",
    "nbr_participants",
    "note",
    "date_creation",
    "date_modification",
    "duree_minutes",
    "checkin_le",
    "serie_id",
}


def iso(moment):
    """How the API writes a datetime: organisation zone, with its offset."""
    return timezone.localtime(moment).isoformat()


@pytest.fixture
def salle(site_du_manager):
    """A room on a site of the ``manager`` fixture."""
    return RessourceFactory(capacite_maximum=8, site=site_du_manager)


@pytest.fixture
def equipe(manager, employe):
    """The employee belongs to a department that the manager manages."""
    employe.department = DepartmentFactory(manager=manager)
    employe.save()
    return employe.department


@pytest.fixture
def sa_reservation(salle, employe, equipe):
    return ReservationFactory(ressource=salle, user=employe, debut=demain_a(10), fin=demain_a(11))


def corps(ressource, debut=None, fin=None, **champs):
    return {
        "ressource_id": ressource.pk,
        "debut": (debut or demain_a(10)).isoformat(),
        "fin": (fin or demain_a(11)).isoformat(),
        **champs,
    }


# Creating


def test_an_employee_books_a_room_and_gets_the_reservation_back(client_employe, employe, salle):
    reponse = client_employe.post(
        "/reservations/",
        corps(salle, description="Point d'équipe", nbr_participants=4, note="Café"),
        format="json",
    )
    assert reponse.status_code == 201, reponse.json()
    data = reponse.json()
    assert set(data) == CHAMPS
    reservation = Reservation.objects.get()
    assert data == {
        "id": reservation.pk,
        "ressource_id": salle.pk,
        "user_id": employe.pk,
        "createur_id": employe.pk,
        "debut": iso(demain_a(10)),
        "fin": iso(demain_a(11)),
        "statut": "confirme",
        "description": "Point d'équipe",
        "nbr_participants": 4,
        "note": "Café",
        "date_creation": iso(reservation.date_creation),
        "date_modification": iso(reservation.date_modification),
        "duree_minutes": 60,
        "checkin_le": None,
        "serie_id": None,
    }


def test_the_list_path_works_without_trailing_slash(client_employe, salle):
    assert client_employe.post("/reservations", corps(salle), format="json").status_code == 201
    assert client_employe.get("/reservations").status_code == 200


def test_a_datetime_without_offset_is_read_in_the_organisation_zone(client_employe, salle):
    jour = demain_a(10).date().isoformat()
    reponse = client_employe.post(
        "/reservations/",
        {"ressource_id": salle.pk, "debut": f"{jour}T10:00:00", "fin": f"{jour}T11:30"},
        format="json",
    )
    assert reponse.status_code == 201, reponse.json()
    assert reponse.json()["debut"] == iso(demain_a(10))
    assert reponse.json()["debut"].endswith(("+01:00", "+02:00"))
    reservation = Reservation.objects.get()
    assert (reservation.debut, reservation.fin) == (demain_a(10), demain_a(11, 30))


def test_a_datetime_in_another_zone_is_the_same_instant(client_employe, salle):
    debut_utc = demain_a(10).astimezone(timezone.UTC)
    reponse = client_employe.post(
        "/reservations/",
        corps(salle, debut=debut_utc, fin=debut_utc + timedelta(hours=1)),
        format="json",
    )
    assert reponse.status_code == 201
    assert reponse.json()["debut"] == iso(demain_a(10))


def test_a_booking_off_the_grid_is_a_400_with_the_field(client_employe, salle):
    reponse = client_employe.post(
        "/reservations/", corps(salle, debut=demain_a(10, 10)), format="json"
    )
    assert reponse.status_code == 400
    assert reponse.json() == {
        "detail": regles.MSG_GRILLE,
        "code": "validation",
        "errors": {"debut": [regles.MSG_GRILLE]},
    }
    assert not Reservation.objects.exists()


@pytest.mark.parametrize(
    ("champs", "champ_en_erreur"),
    [
        ({"fin": None}, "fin"),
        ({"debut": "demain"}, "debut"),
        ({"debut": "2027-02-30T10:00:00"}, "debut"),
        ({"debut": "2027-03-28T02:30:00"}, "debut"),  # skipped by the change to summer time
        ({"debut": "2027-10-31T02:30:00"}, "debut"),  # lived twice at the change to winter time
        ({"debut": "0001-01-01T00:00:00"}, "debut"),
        ({"fin": "9999-12-31T23:45:00"}, "fin"),
        ({"nbr_participants": 0}, "nbr_participants"),
        ({"nbr_participants": "beaucoup"}, "nbr_participants"),
        ({"nbr_participants": True}, "nbr_participants"),
        ({"nbr_participants": 10**30}, "nbr_participants"),
        ({"nbr_participants": 9}, "nbr_participants"),
        ({"ressource_id": 999_999}, "ressource_id"),
        ({"ressource_id": "salle"}, "ressource_id"),
        ({"ressource_id": 10**30}, "ressource_id"),
        ({"ressource_id": None}, "ressource_id"),
        ({"description": ["liste"]}, "description"),
    ],
)
def test_bad_input_is_a_400_on_its_field(client_employe, salle, champs, champ_en_erreur):
    donnees = {**corps(salle), **champs}
    reponse = client_employe.post("/reservations/", donnees, format="json")
    assert reponse.status_code == 400, reponse.json()
    assert champ_en_erreur in reponse.json()["errors"]
    assert isinstance(reponse.json()["detail"], str)


def test_a_body_that_is_not_an_object_is_a_400(client_employe):
    assert client_employe.post("/reservations/", [1, 2], format="json").status_code == 400
    reponse = client_employe.post("/reservations/", "{pas du json", content_type="application/json")
    assert reponse.status_code == 400


def test_a_booking_in_the_past_is_refused_except_for_an_admin(client_employe, client_admin, salle):
    hier = demain_a(10, jours=-1)
    donnees = corps(salle, debut=hier, fin=hier + timedelta(hours=1))
    reponse = client_employe.post("/reservations/", donnees, format="json")
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"debut": [regles.MSG_PASSE]}
    assert client_admin.post("/reservations/", donnees, format="json").status_code == 201


def test_a_taken_slot_is_a_409_listing_the_conflicts(client_employe, salle):
    existante = ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10, 30))
    periode = ResourceAvailabilityFactory(ressource=salle, debut=demain_a(10, 45), fin=demain_a(12))
    reponse = client_employe.post("/reservations/", corps(salle), format="json")
    assert reponse.status_code == 409
    assert reponse.json() == {
        "detail": regles.MSG_CONFLIT,
        "code": "conflit_reservation",
        "conflits": [
            {
                "type": "reservation",
                "id": existante.pk,
                "debut": iso(demain_a(9)),
                "fin": iso(demain_a(10, 30)),
            },
            {
                "type": "indisponibilite",
                "id": periode.pk,
                "debut": iso(demain_a(10, 45)),
                "fin": iso(demain_a(12)),
            },
        ],
        # No other room on the site: the nearest free start of the same one (C7).
        "alternatives": [
            {
                "ressource_id": salle.pk,
                "nom": salle.nom,
                "site_id": salle.site_id,
                "debut": iso(demain_a(8)),
                "fin": iso(demain_a(9)),
            }
        ],
    }
    assert Reservation.objects.count() == 1


def test_a_booking_touching_the_previous_one_is_accepted(client_employe, salle):
    ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10))
    assert client_employe.post("/reservations/", corps(salle), format="json").status_code == 201


def test_an_inactive_ressource_is_a_409(client_employe):
    ressource = RessourceFactory(etat=Etat.EN_MAINTENANCE)
    reponse = client_employe.post("/reservations/", corps(ressource), format="json")
    assert reponse.status_code == 409
    assert reponse.json()["detail"] == regles.MSG_INACTIVE.format(etat="en_maintenance")


def test_a_vehicle_for_24_hours_is_accepted_and_25_refused(client_employe):
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    donnees = corps(vehicule, debut=demain_a(9), fin=demain_a(9, jours=2))
    assert client_employe.post("/reservations/", donnees, format="json").status_code == 201
    donnees = corps(vehicule, debut=demain_a(9, jours=3), fin=demain_a(10, jours=4))
    reponse = client_employe.post("/reservations/", donnees, format="json")
    assert reponse.status_code == 400
    assert reponse.json()["errors"]["fin"] == [regles.MSG_DUREE_MAX.format(heures=24)]


def test_an_employee_booking_on_a_validation_ressource_is_pending(client_employe, client_manager):
    ressource = RessourceFactory(validation_requise=True)
    reponse = client_employe.post("/reservations/", corps(ressource), format="json")
    assert reponse.json()["statut"] == "en_cours"
    donnees = corps(ressource, debut=demain_a(14), fin=demain_a(15))
    assert client_manager.post("/reservations/", donnees, format="json").json()["statut"] == (
        "confirme"
    )


def test_an_employee_cannot_book_for_someone_else(client_employe, salle):
    autre = UserFactory()
    for cible in (autre.pk, 999_999, "x"):
        reponse = client_employe.post("/reservations/", corps(salle, user_id=cible), format="json")
        assert reponse.status_code == 403
        assert reponse.json() == {"detail": MSG_RESERVER_POUR_AUTRUI, "code": "permission_refusee"}
    assert not Reservation.objects.exists()


def test_an_employee_may_name_themselves_as_the_user(client_employe, employe, salle):
    reponse = client_employe.post("/reservations/", corps(salle, user_id=employe.pk), format="json")
    assert reponse.status_code == 201
    assert reponse.json()["user_id"] == employe.pk


@pytest.mark.parametrize("qui", ["manager", "admin_user", "porteur"])
def test_managers_admins_and_holders_of_the_right_book_for_someone_else(request, salle, qui):
    if qui == "porteur":
        auteur = UserFactory(autorisations=["reserver_pour_autrui"])
    else:
        auteur = request.getfixturevalue(qui)
    beneficiaire = UserFactory()
    reponse = client_pour(auteur).post(
        "/reservations/", corps(salle, user_id=beneficiaire.pk), format="json"
    )
    assert reponse.status_code == 201
    assert (reponse.json()["user_id"], reponse.json()["createur_id"]) == (
        beneficiaire.pk,
        auteur.pk,
    )


def test_booking_for_an_unknown_or_inactive_user_is_a_400(client_manager, salle):
    inactif = UserFactory(compte_actif=False)
    for cible in (999_999, inactif.pk):
        reponse = client_manager.post("/reservations/", corps(salle, user_id=cible), format="json")
        assert reponse.status_code == 400
        assert "user_id" in reponse.json()["errors"]


def test_an_anonymous_caller_gets_a_401(api_client, salle):
    assert api_client.post("/reservations/", corps(salle), format="json").status_code == 401
    assert api_client.get("/reservations/").status_code == 401


# Reading: visibility


@pytest.fixture
def reservations_de_tous(salle, employe, manager, equipe):
    """One reservation per visibility case, keyed by what makes it visible."""
    collegue = UserFactory(department=equipe)
    etranger = UserFactory()
    porteur = UserFactory(autorisations=["confirmer_reservations"], site_principal=salle.site)
    ailleurs = RessourceFactory()
    creneaux = iter(range(8, 20))

    def resa(ressource=salle, **champs):
        heure = next(creneaux)
        return ReservationFactory(
            ressource=ressource, debut=demain_a(heure), fin=demain_a(heure, 30), **champs
        )

    return {
        "porteur": porteur,
        "siennes": resa(user=employe),
        "creees": resa(user=etranger, createur=employe),
        "du_manager": resa(user=manager),
        "equipe": resa(user=collegue),
        "en_attente": resa(user=etranger, statut=StatutReservation.EN_ATTENTE),
        "annulee_equipe": resa(user=collegue, statut=StatutReservation.ANNULE),
        "autres": resa(user=etranger),
        "du_porteur": resa(user=porteur),
        "en_attente_ailleurs": resa(
            ressource=ailleurs, user=etranger, statut=StatutReservation.EN_ATTENTE
        ),
        "equipe_en_attente_ailleurs": resa(
            ressource=ailleurs, user=collegue, statut=StatutReservation.EN_ATTENTE
        ),
    }


def ids(reponse):
    assert reponse.status_code == 200, reponse.json()
    return {item["id"] for item in reponse.json()["items"]}


def test_an_employee_sees_what_they_booked_or_were_booked_for(client_employe, reservations_de_tous):
    r = reservations_de_tous
    assert ids(client_employe.get("/reservations/")) == {r["siennes"].pk, r["creees"].pk}


def test_a_manager_also_sees_their_departments_and_every_pending_reservation(
    client_manager, reservations_de_tous
):
    r = reservations_de_tous
    attendu = {
        "du_manager",
        "equipe",
        "annulee_equipe",
        "en_attente",
        "siennes",
        "equipe_en_attente_ailleurs",
    }
    assert ids(client_manager.get("/reservations/")) == {r[k].pk for k in attendu}


def test_a_holder_of_confirmer_reservations_also_sees_the_approval_queue(reservations_de_tous):
    r = reservations_de_tous
    client = client_pour(r["porteur"])
    assert ids(client.get("/reservations/")) == {r["du_porteur"].pk, r["en_attente"].pk}


def test_a_manager_of_no_department_sees_no_one_elses_reservation(reservations_de_tous):
    r = reservations_de_tous
    seul = ManagerFactory()
    sienne = ReservationFactory(ressource=r["autres"].ressource, user=seul, debut=demain_a(21))
    assert ids(client_pour(seul).get("/reservations/")) == {sienne.pk}


def test_an_admin_sees_everything(client_admin, reservations_de_tous):
    assert ids(client_admin.get("/reservations/")) == set(
        Reservation.objects.values_list("pk", flat=True)
    )


def test_a_reservation_one_may_not_see_is_a_404(client_employe, reservations_de_tous):
    r = reservations_de_tous
    reponse = client_employe.get(f"/reservations/{r['autres'].pk}")
    assert reponse.status_code == 404
    assert reponse.json() == {"detail": "Ressource introuvable.", "code": "introuvable"}
    assert client_employe.get(f"/reservations/{r['siennes'].pk}").status_code == 200
    assert client_employe.get(f"/reservations/{r['creees'].pk}/").status_code == 200
    for inconnu in ("999999", "abc", str(10**30)):
        assert client_employe.get(f"/reservations/{inconnu}").status_code == 404


def test_the_detail_has_the_contract_shape(client_employe, sa_reservation):
    data = client_employe.get(f"/reservations/{sa_reservation.pk}").json()
    assert set(data) == CHAMPS
    assert data["duree_minutes"] == 60


# Listing: filters, sorting, pagination


def test_the_list_has_items_and_meta(client_admin, sa_reservation):
    reponse = client_admin.get("/reservations/")
    assert reponse.json()["meta"] == {
        "total": 1,
        "offset": 0,
        "limit": 100,
        "returned": 1,
        "sort_by": "debut",
        "sort_order": "asc",
    }
    assert reponse.json()["items"][0]["id"] == sa_reservation.pk


def test_the_list_filters_by_ressource_user_site_and_statut(client_admin, salle, employe):
    autre_salle = RessourceFactory()
    a = ReservationFactory(ressource=salle, user=employe)
    b = ReservationFactory(ressource=autre_salle, statut=StatutReservation.EN_ATTENTE)
    c = ReservationFactory(ressource=autre_salle, debut=demain_a(14), fin=demain_a(15))
    d = ReservationFactory(ressource=salle, debut=demain_a(14), fin=demain_a(15), statut="annule")
    assert ids(client_admin.get(f"/reservations/?ressource_id={salle.pk}")) == {a.pk, d.pk}
    assert ids(client_admin.get(f"/reservations/?user_id={employe.pk}")) == {a.pk}
    assert ids(client_admin.get(f"/reservations/?site_id={autre_salle.site_id}")) == {b.pk, c.pk}
    assert ids(client_admin.get("/reservations/?statut=en_cours,annule")) == {b.pk, d.pk}
    assert ids(client_admin.get("/reservations/?statut=confirme")) == {a.pk, c.pk}
    assert ids(client_admin.get("/reservations/?ressource_id=999999")) == set()


def test_du_and_au_keep_the_reservations_overlapping_the_window(client_admin, salle):
    matin = ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10))
    midi = ReservationFactory(ressource=salle, debut=demain_a(12), fin=demain_a(13))
    lendemain = ReservationFactory(
        ressource=salle, debut=demain_a(9, jours=2), fin=demain_a(10, jours=2)
    )
    du, au = iso(demain_a(10)), iso(demain_a(12, 15))
    assert ids(client_admin.get("/reservations/", {"du": du, "au": au})) == {midi.pk}
    assert ids(client_admin.get("/reservations/", {"du": iso(demain_a(9, 30))})) == {
        matin.pk,
        midi.pk,
        lendemain.pk,
    }
    assert ids(client_admin.get("/reservations/", {"au": iso(demain_a(10))})) == {matin.pk}
    jour = demain_a(9).date().isoformat()
    assert ids(client_admin.get("/reservations/", {"du": jour, "au": jour})) == {matin.pk, midi.pk}
    naif = demain_a(12, 30).strftime("%Y-%m-%dT%H:%M")
    assert ids(client_admin.get("/reservations/", {"du": naif})) == {midi.pk, lendemain.pk}


def test_the_list_sorts_by_start_or_creation_date(client_admin, salle):
    tard = ReservationFactory(ressource=salle, debut=demain_a(15), fin=demain_a(16))
    tot = ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10))

    def ordre(params):
        return [i["id"] for i in client_admin.get("/reservations/", params).json()["items"]]

    assert ordre({}) == [tot.pk, tard.pk]
    assert ordre({"sort_order": "desc"}) == [tard.pk, tot.pk]
    assert ordre({"sort_by": "date_creation"}) == [tard.pk, tot.pk]
    assert ordre({"sort_by": "date_creation", "sort_order": "desc"}) == [tot.pk, tard.pk]
    meta = client_admin.get("/reservations/", {"sort_by": "date_creation", "sort_order": "desc"})
    assert meta.json()["meta"]["sort_by"] == "date_creation"
    assert meta.json()["meta"]["sort_order"] == "desc"


def test_the_list_paginates_with_offset_and_limit(client_admin, salle):
    for heure in range(8, 13):
        ReservationFactory(ressource=salle, debut=demain_a(heure), fin=demain_a(heure, 30))
    data = client_admin.get("/reservations/", {"offset": 1, "limit": 2}).json()
    assert data["meta"] == {
        "total": 5,
        "offset": 1,
        "limit": 2,
        "returned": 2,
        "sort_by": "debut",
        "sort_order": "asc",
    }
    assert client_admin.get("/reservations/", {"limit": 200}).status_code == 200


@pytest.mark.parametrize(
    ("params", "champ"),
    [
        ({"statut": "en_cours,perdu"}, "statut"),
        ({"statut": "CONFIRME"}, "statut"),
        ({"ressource_id": "abc"}, "ressource_id"),
        ({"ressource_id": "1.5"}, "ressource_id"),
        ({"user_id": "-3"}, "user_id"),
        ({"site_id": str(10**30)}, "site_id"),
        ({"du": "hier"}, "du"),
        ({"au": "2027-13-01"}, "au"),
        ({"du": "2027-02-30"}, "du"),
        ({"sort_by": "nom"}, "sort_by"),
        ({"sort_order": "haut"}, "sort_order"),
        ({"limit": "201"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "un"}, "offset"),
    ],
)
def test_a_bad_query_parameter_is_a_400(client_employe, params, champ):
    reponse = client_employe.get("/reservations/", params)
    assert reponse.status_code == 400, reponse.json()
    assert champ in reponse.json()["errors"]


def test_a_window_ending_before_it_starts_is_a_400(client_employe):
    reponse = client_employe.get("/reservations/", {"du": "2027-03-02", "au": "2027-03-01T10:00"})
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"au": [MSG_FENETRE]}
    assert client_employe.get("/reservations/", {"du": "x"}).json()["errors"] == {"du": [MSG_DATE]}


@pytest.mark.parametrize("nombre", [1, 50])
@pytest.mark.parametrize("role", ["employe", "manager", "admin"])
def test_the_list_answers_in_a_fixed_number_of_queries(
    clients, employe, equipe, salle, django_assert_max_num_queries, nombre, role
):
    for i in range(nombre):
        ReservationFactory(
            ressource=salle,
            user=employe,
            debut=demain_a(8) + timedelta(days=i),
            fin=demain_a(9) + timedelta(days=i),
        )
    with django_assert_max_num_queries(3):
        reponse = clients[role].get(
            "/reservations/", {"statut": "confirme", "site_id": salle.site_id}
        )
    assert reponse.json()["meta"]["returned"] == nombre


@pytest.mark.parametrize("nombre", [1, 50])
def test_the_detail_answers_in_a_fixed_number_of_queries(
    client_manager, employe, equipe, salle, django_assert_max_num_queries, nombre
):
    reservations = [
        ReservationFactory(
            ressource=salle,
            user=employe,
            debut=demain_a(8) + timedelta(days=i),
            fin=demain_a(9) + timedelta(days=i),
        )
        for i in range(nombre)
    ]
    with django_assert_max_num_queries(2):
        reponse = client_manager.get(f"/reservations/{reservations[-1].pk}")
    assert reponse.status_code == 200


# Modifying


def test_the_holder_moves_their_reservation(client_employe, sa_reservation):
    reponse = client_employe.patch(
        f"/reservations/{sa_reservation.pk}",
        {"debut": iso(demain_a(10, 30)), "fin": iso(demain_a(12)), "description": "Déplacée"},
        format="json",
    )
    assert reponse.status_code == 200, reponse.json()
    assert (reponse.json()["debut"], reponse.json()["duree_minutes"]) == (iso(demain_a(10, 30)), 90)
    sa_reservation.refresh_from_db()
    assert (sa_reservation.debut, sa_reservation.description) == (demain_a(10, 30), "Déplacée")


def test_put_is_a_partial_update_too(client_employe, sa_reservation):
    reponse = client_employe.put(
        f"/reservations/{sa_reservation.pk}/", {"note": "Apporter le câble"}, format="json"
    )
    assert reponse.status_code == 200
    assert reponse.json()["note"] == "Apporter le câble"
    assert reponse.json()["debut"] == iso(demain_a(10))


def test_fields_outside_the_contract_are_ignored_on_update(client_employe, sa_reservation):
    reponse = client_employe.patch(
        f"/reservations/{sa_reservation.pk}",
        {"statut": "fini", "user_id": 999, "createur_id": 999, "note": "ok"},
        format="json",
    )
    assert reponse.status_code == 200
    sa_reservation.refresh_from_db()
    assert (sa_reservation.statut, sa_reservation.user_id) == (
        "confirme",
        sa_reservation.createur_id,
    )


def test_moving_onto_another_reservation_is_a_409(client_employe, sa_reservation, salle):
    autre = ReservationFactory(ressource=salle, debut=demain_a(14), fin=demain_a(15))
    reponse = client_employe.patch(
        f"/reservations/{sa_reservation.pk}",
        {"debut": iso(demain_a(14)), "fin": iso(demain_a(15))},
        format="json",
    )
    assert reponse.status_code == 409
    assert [c["id"] for c in reponse.json()["conflits"]] == [autre.pk]


def test_a_modification_breaking_a_rule_is_a_400(client_employe, sa_reservation):
    url = f"/reservations/{sa_reservation.pk}"
    reponse = client_employe.patch(url, {"fin": iso(demain_a(10, 15))}, format="json")
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"fin": [regles.MSG_DUREE_MIN]}
    reponse = client_employe.patch(url, {"ressource_id": 999_999}, format="json")
    assert reponse.status_code == 400
    assert "ressource_id" in reponse.json()["errors"]


def test_a_closed_reservation_cannot_be_modified(client_admin, sa_reservation):
    sa_reservation.statut = StatutReservation.FINI
    sa_reservation.save()
    reponse = client_admin.patch(f"/reservations/{sa_reservation.pk}", {"note": "x"}, format="json")
    assert reponse.status_code == 409


def test_someone_who_sees_but_does_not_hold_a_reservation_may_not_modify_it(salle):
    porteur = UserFactory(autorisations=["confirmer_reservations"], site_principal=salle.site)
    attente = ReservationFactory(ressource=salle, statut=StatutReservation.EN_ATTENTE)
    client = client_pour(porteur)
    assert client.get(f"/reservations/{attente.pk}").status_code == 200
    reponse = client.patch(f"/reservations/{attente.pk}", {"note": "x"}, format="json")
    assert reponse.status_code == 403
    assert client.post(f"/reservations/{attente.pk}/annuler").status_code == 403
    assert client.post(f"/reservations/{attente.pk}/confirmer").status_code == 200


# Actions


def test_the_holder_cancels_more_than_two_hours_before(client_employe, sa_reservation):
    reponse = client_employe.post(f"/reservations/{sa_reservation.pk}/annuler")
    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "annule"
    sa_reservation.refresh_from_db()
    assert sa_reservation.statut == StatutReservation.ANNULE
    assert client_employe.post(f"/reservations/{sa_reservation.pk}/annuler").status_code == 409


def test_the_holder_may_not_cancel_within_two_hours_but_a_manager_may(
    client_employe, client_manager, salle, employe, equipe
):
    debut = timezone.now() + timedelta(hours=1)
    proche = ReservationFactory(
        ressource=salle, user=employe, debut=debut, fin=debut + timedelta(hours=1)
    )
    reponse = client_employe.post(f"/reservations/{proche.pk}/annuler")
    assert reponse.status_code == 409
    assert reponse.json() == {"detail": MSG_ANNULATION_TARDIVE, "code": "etat_incompatible"}
    assert client_manager.post(f"/reservations/{proche.pk}/annuler").status_code == 200


def test_a_reservation_that_is_over_cannot_be_cancelled(client_admin, salle):
    passee = ReservationFactory(
        ressource=salle, debut=demain_a(9, jours=-1), fin=demain_a(10, jours=-1)
    )
    assert client_admin.post(f"/reservations/{passee.pk}/annuler").status_code == 409


def test_a_manager_confirms_a_pending_reservation(client_manager, salle):
    attente = ReservationFactory(ressource=salle, statut=StatutReservation.EN_ATTENTE)
    reponse = client_manager.post(f"/reservations/{attente.pk}/confirmer")
    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "confirme"
    assert Reservation.objects.get(pk=attente.pk).statut == StatutReservation.CONFIRME
    # Once confirmed it leaves the approval queue, so a manager outside the holder's
    # department no longer sees it.
    assert client_manager.post(f"/reservations/{attente.pk}/confirmer").status_code == 404


def test_confirming_a_reservation_that_is_not_pending_is_a_409(client_manager, sa_reservation):
    reponse = client_manager.post(f"/reservations/{sa_reservation.pk}/confirmer")
    assert reponse.status_code == 409
    assert reponse.json() == {"detail": MSG_CONFIRMER_ETAT, "code": "etat_incompatible"}


def test_a_manager_finishes_a_reservation_after_its_end(client_manager, salle, employe, equipe):
    passee = ReservationFactory(
        ressource=salle, user=employe, debut=demain_a(9, jours=-1), fin=demain_a(10, jours=-1)
    )
    reponse = client_manager.post(f"/reservations/{passee.pk}/terminer")
    assert (reponse.status_code, reponse.json()["statut"]) == (200, "fini")
    assert client_manager.post(f"/reservations/{passee.pk}/terminer").status_code == 409


def test_a_manager_records_a_no_show_after_the_start(client_manager, salle, employe, equipe):
    debut = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=5)
    commencee = ReservationFactory(
        ressource=salle, user=employe, debut=debut, fin=debut + timedelta(hours=2)
    )
    reponse = client_manager.post(f"/reservations/{commencee.pk}/non-present")
    assert (reponse.status_code, reponse.json()["statut"]) == (200, "non_present")
    a_venir = ReservationFactory(
        ressource=salle, user=employe, debut=demain_a(15), fin=demain_a(16)
    )
    assert client_manager.post(f"/reservations/{a_venir.pk}/non-present").status_code == 409


def test_an_admin_deletes_a_reservation(client_admin, sa_reservation):
    reponse = client_admin.delete(f"/reservations/{sa_reservation.pk}")
    assert (reponse.status_code, reponse.json()) == (200, {"ok": True})
    assert not Reservation.objects.exists()
    assert client_admin.delete(f"/reservations/{sa_reservation.pk}").status_code == 404


# Permission matrix: one reservation of the employee, in the manager's department.

MATRICE = [
    ("get", "/reservations/{pk}", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
    ("patch", "/reservations/{pk}", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
    ("put", "/reservations/{pk}", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
    (
        "post",
        "/reservations/{pk}/annuler",
        {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200},
    ),
    (
        "post",
        "/reservations/{pk}/confirmer",
        {"anonyme": 401, "employe": 403, "manager": 409, "admin": 409},
    ),
    (
        "post",
        "/reservations/{pk}/terminer",
        {"anonyme": 401, "employe": 403, "manager": 409, "admin": 409},
    ),
    (
        "post",
        "/reservations/{pk}/non-present",
        {"anonyme": 401, "employe": 403, "manager": 409, "admin": 409},
    ),
    (
        "delete",
        "/reservations/{pk}",
        {"anonyme": 401, "employe": 403, "manager": 403, "admin": 200},
    ),
    ("get", "/reservations/", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
]


@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
@pytest.mark.parametrize(("methode", "chemin", "attendus"), MATRICE)
def test_permission_matrix(clients, sa_reservation, role, methode, chemin, attendus):
    client = clients[role]
    reponse = getattr(client, methode)(
        chemin.format(pk=sa_reservation.pk), {"note": "matrice"}, format="json"
    )
    assert reponse.status_code == attendus[role], reponse.json()
    assert "detail" in reponse.json() or reponse.status_code == 200


@pytest.mark.parametrize(
    ("methode", "chemin", "attendu"),
    [
        ("get", "/reservations/{pk}", 404),
        ("patch", "/reservations/{pk}", 404),
        ("post", "/reservations/{pk}/annuler", 404),
        ("post", "/reservations/{pk}/confirmer", 403),
        ("post", "/reservations/{pk}/terminer", 403),
        ("delete", "/reservations/{pk}", 403),
    ],
)
def test_another_employee_cannot_reach_the_reservation(sa_reservation, methode, chemin, attendu):
    client = client_pour(UserFactory())
    reponse = getattr(client, methode)(chemin.format(pk=sa_reservation.pk), {}, format="json")
    assert reponse.status_code == attendu
    sa_reservation.refresh_from_db()
    assert sa_reservation.statut == StatutReservation.CONFIRME


# Documentation


def test_the_openapi_document_describes_reservations_and_disponibilites(api_client):
    reponse = api_client.get("/openapi.json")
    assert reponse.status_code == 200
    schema = reponse.json()
    liste = schema["paths"]["/reservations/"]["get"]
    assert liste["tags"] == ["reservations"]
    parametres = {p["name"]: p for p in liste["parameters"]}
    assert {
        "ressource_id",
        "user_id",
        "site_id",
        "statut",
        "du",
        "au",
        "sort_by",
        "sort_order",
    } <= set(parametres)
    assert set(parametres["statut"]["schema"]["items"]["enum"]) == set(StatutReservation.values)
    assert parametres["sort_by"]["schema"]["enum"] == ["date_creation", "debut"]
    creation = schema["paths"]["/reservations/"]["post"]
    assert set(creation["responses"]) == {"201", "400", "401", "403", "409"}
    conflit = creation["responses"]["409"]["content"]["application/json"]
    assert conflit["schema"]["$ref"].endswith("/ErreurConflitAlternatives")
    assert "conflits" in conflit["examples"]["CréneauPris"]["value"]
    assert "alternatives" in conflit["examples"]["CréneauPris"]["value"]
    assert "/reservations/{id}/non-present" in schema["paths"]
    periodes = schema["paths"]["/disponibilites/"]["post"]
    assert periodes["tags"] == ["disponibilites"]
    assert "annuler_conflits" in {p["name"] for p in periodes["parameters"]}
    assert periodes["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/DisponibiliteEnregistree"
    )


def test_the_approval_queue_stops_at_the_managers_sites_and_departments(
    client_manager, equipe, salle
):
    ailleurs = RessourceFactory()
    etrangere = ReservationFactory(ressource=ailleurs, statut=StatutReservation.EN_ATTENTE)
    de_l_equipe = ReservationFactory(
        ressource=ailleurs,
        user=UserFactory(department=equipe),
        statut=StatutReservation.EN_ATTENTE,
        debut=demain_a(14),
        fin=demain_a(15),
    )
    assert client_manager.post(f"/reservations/{etrangere.pk}/confirmer").status_code == 404
    assert client_manager.post(f"/reservations/{de_l_equipe.pk}/confirmer").status_code == 200
    etrangere.refresh_from_db()
    assert etrangere.statut == StatutReservation.EN_ATTENTE


def test_confirmer_reservations_covers_the_holders_main_site_only(salle):
    attente = ReservationFactory(ressource=salle, statut=StatutReservation.EN_ATTENTE)
    porteur = UserFactory(autorisations=["confirmer_reservations"])  # another main site
    client = client_pour(porteur)
    assert client.get(f"/reservations/{attente.pk}").status_code == 404
    assert client.post(f"/reservations/{attente.pk}/confirmer").status_code == 404
    attente.refresh_from_db()
    assert attente.statut == StatutReservation.EN_ATTENTE


# Daylight saving: durations and order are those of real time, not of the clock


@pytest.fixture
def vehicule_de_nuit(db):
    """A vehicle of a site open 00:00-23:59: the hours of a daylight-saving change are
    bookable there."""
    site = SiteFactory(horaires_ouverture=time(0), horaires_fermeture=time(23, 59))
    return RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE)


def _reserver(client, ressource, debut, fin):
    return client.post(
        "/reservations/", {"ressource_id": ressource.pk, "debut": debut, "fin": fin}, format="json"
    )


def test_a_booking_across_the_autumn_change_lasts_its_real_time(client_admin, vehicule_de_nuit):
    # 02:00 summer time to 02:30 winter time: 30 minutes on the clock, 90 in fact.
    reponse = _reserver(
        client_admin, vehicule_de_nuit, "2027-10-31T02:00:00+02:00", "2027-10-31T02:30:00+01:00"
    )

    assert reponse.status_code == 201, reponse.json()
    data = reponse.json()
    assert (data["debut"], data["fin"], data["duree_minutes"]) == (
        "2027-10-31T02:00:00+02:00",
        "2027-10-31T02:30:00+01:00",
        90,
    )
    reservation = Reservation.objects.get(pk=data["id"])
    assert reservation.fin - reservation.debut == timedelta(minutes=90)
    assert reservation.duree_minutes == 90
    assert client_admin.get(f"/reservations/{reservation.pk}").json()["duree_minutes"] == 90


def test_an_end_earlier_on_the_clock_but_later_in_time_is_accepted(client_admin, vehicule_de_nuit):
    # 02:30 summer time, then 02:00 winter time: 30 minutes later.
    reponse = _reserver(
        client_admin, vehicule_de_nuit, "2027-10-31T02:30:00+02:00", "2027-10-31T02:00:00+01:00"
    )

    assert reponse.status_code == 201, reponse.json()
    assert reponse.json()["duree_minutes"] == 30


def test_an_end_later_on_the_clock_but_earlier_in_time_is_refused(client_admin, vehicule_de_nuit):
    # 02:00 winter time, then 02:30 summer time: 30 minutes earlier.
    reponse = _reserver(
        client_admin, vehicule_de_nuit, "2027-10-31T02:00:00+01:00", "2027-10-31T02:30:00+02:00"
    )

    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"fin": [regles.MSG_ORDRE]}
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("heure", ["2027-03-28T02:30:00", "2027-10-31T02:30:00"])
def test_a_naive_booking_time_that_daylight_saving_skips_or_repeats_asks_for_an_offset(
    client_admin, vehicule_de_nuit, heure
):
    reponse = _reserver(client_admin, vehicule_de_nuit, heure, "2027-11-02T10:00:00")

    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"debut": [MSG_HEURE_LOCALE.format(fuseau="Europe/Paris")]}


def test_the_24_hour_limit_of_a_vehicle_counts_real_hours(client_admin):
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)

    # 12:00 to 12:00 across the autumn change: 25 hours.
    automne = _reserver(client_admin, vehicule, "2027-10-30T12:00:00", "2027-10-31T12:00:00")
    # 12:00 to 12:30 the next day across the spring change: 23 h 30.
    printemps = _reserver(client_admin, vehicule, "2027-03-27T12:00:00", "2027-03-28T12:30:00")

    assert automne.status_code == 400
    assert automne.json()["errors"] == {"fin": [regles.MSG_DUREE_MAX.format(heures=24)]}
    assert printemps.status_code == 201, printemps.json()
    assert printemps.json()["duree_minutes"] == 23 * 60 + 30


def test_the_back_office_counts_real_hours_too(admin_user):
    back_office = Client()
    back_office.force_login(admin_user)
    vehicule = RessourceFactory(type_ressource=TypeRessource.VEHICULE)

    def formulaire(debut, fin):
        return {
            "ressource": vehicule.pk,
            "user": "",
            "debut_0": debut[0],
            "debut_1": debut[1],
            "fin_0": fin[0],
            "fin_1": fin[1],
            "nbr_participants": 1,
            "description": "",
            "note": "",
        }

    ajout = "/admin/reservations/reservation/add/"
    # The back-office's datetimes carry Europe/Paris (not UTC): 12:00 to 12:00 is 25 hours.
    automne = back_office.post(ajout, formulaire(("2027-10-30", "12:00"), ("2027-10-31", "12:00")))
    printemps = back_office.post(
        ajout, formulaire(("2027-03-27", "12:00"), ("2027-03-28", "12:30"))
    )

    assert automne.status_code == 200
    assert automne.context["adminform"].form.errors["fin"] == [
        regles.MSG_DUREE_MAX.format(heures=24)
    ]
    assert printemps.status_code == 302
    assert Reservation.objects.get().duree_minutes == 23 * 60 + 30
