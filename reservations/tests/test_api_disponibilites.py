"""``/disponibilites`` through HTTP: periods that open or block a ressource."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import client_pour
from resa_project.parametres import MSG_BOOLEEN as MSG_ANNULER_CONFLITS
from resa_project.parametres import MSG_HEURE_LOCALE, MSG_HORS_LIMITES
from reservations import regles
from reservations.models import (
    Recurrence,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
)
from reservations.services import MSG_ANNULEE_PAR_INDISPONIBILITE, MSG_PERIODE_OCCUPEE
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db

CHAMPS = {
    "id",
    "ressource_id",
    "type_disponibilite",
    "debut",
    "fin",
    "raison_indisponibilite",
    "recurrence",
    "fin_recurrence",
    "date_creation",
}


def iso(moment):
    return timezone.localtime(moment).isoformat()


@pytest.fixture
def salle(site_du_manager):
    """A room on a site of the ``manager`` fixture."""
    return RessourceFactory(site=site_du_manager)


@pytest.fixture
def periode(salle):
    return ResourceAvailabilityFactory(ressource=salle, debut=demain_a(12), fin=demain_a(14))


def corps(ressource, **champs):
    return {
        "ressource_id": ressource.pk,
        "type_disponibilite": "maintenance",
        "debut": iso(demain_a(9)),
        "fin": iso(demain_a(12)),
        "raison_indisponibilite": "Peinture",
        **champs,
    }


def ids(reponse):
    assert reponse.status_code == 200, reponse.json()
    return [item["id"] for item in reponse.json()["items"]]


# Creating


def test_a_manager_creates_a_maintenance_period(client_manager, salle):
    reponse = client_manager.post("/disponibilites/", corps(salle), format="json")
    assert reponse.status_code == 201, reponse.json()
    periode = ResourceAvailability.objects.get()
    assert reponse.json() == {
        "id": periode.pk,
        "ressource_id": salle.pk,
        "type_disponibilite": "maintenance",
        "debut": iso(demain_a(9)),
        "fin": iso(demain_a(12)),
        "raison_indisponibilite": "Peinture",
        "recurrence": "ponctuel",
        "fin_recurrence": None,
        "date_creation": iso(periode.date_creation),
        "reservations_annulees": [],
    }


def test_a_repeating_period_is_created_with_its_end_of_recurrence(client_admin, salle):
    donnees = corps(salle, recurrence="hebdomadaire", fin_recurrence="2027-12-31")
    reponse = client_admin.post("/disponibilites", donnees, format="json")
    assert reponse.status_code == 201
    assert (reponse.json()["recurrence"], reponse.json()["fin_recurrence"]) == (
        "hebdomadaire",
        "2027-12-31",
    )


def test_a_blocking_period_over_reservations_is_a_409_listing_them(client_manager, salle):
    touchee = ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
    attente = ReservationFactory(
        ressource=salle, debut=demain_a(11), fin=demain_a(13), statut=StatutReservation.EN_ATTENTE
    )
    ReservationFactory(ressource=salle, debut=demain_a(8), fin=demain_a(9))
    ReservationFactory(
        ressource=salle, debut=demain_a(9), fin=demain_a(10), statut=StatutReservation.ANNULE
    )
    reponse = client_manager.post("/disponibilites/", corps(salle), format="json")
    assert reponse.status_code == 409
    assert reponse.json()["conflits"] == [
        {
            "type": "reservation",
            "id": touchee.pk,
            "debut": iso(demain_a(10)),
            "fin": iso(demain_a(11)),
        },
        {
            "type": "reservation",
            "id": attente.pk,
            "debut": iso(demain_a(11)),
            "fin": iso(demain_a(13)),
        },
    ]
    assert "annuler_conflits" in reponse.json()["detail"]
    assert not ResourceAvailability.objects.exists()


def test_annuler_conflits_cancels_the_reservations_and_lists_them(client_manager, salle):
    touchee = ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
    ailleurs = ReservationFactory(ressource=salle, debut=demain_a(14), fin=demain_a(15))
    reponse = client_manager.post(
        "/disponibilites/?annuler_conflits=true", corps(salle), format="json"
    )
    assert reponse.status_code == 201
    assert reponse.json()["reservations_annulees"] == [touchee.pk]
    touchee.refresh_from_db()
    assert touchee.statut == StatutReservation.ANNULE
    assert MSG_ANNULEE_PAR_INDISPONIBILITE.format(raison="Peinture") in touchee.note
    assert Reservation.objects.get(pk=ailleurs.pk).statut == StatutReservation.CONFIRME
    # The slot is now blocked for a new booking.
    reponse = client_pour(touchee.user).post(
        "/reservations/",
        {"ressource_id": salle.pk, "debut": iso(demain_a(10)), "fin": iso(demain_a(11))},
        format="json",
    )
    assert reponse.status_code == 409
    assert reponse.json()["conflits"][0]["type"] == "indisponibilite"


@pytest.mark.parametrize("valeur", ["oui", "2", "TRUEISH"])
def test_a_bad_annuler_conflits_value_is_a_400(client_manager, salle, valeur):
    reponse = client_manager.post(
        f"/disponibilites/?annuler_conflits={valeur}", corps(salle), format="json"
    )
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"annuler_conflits": [MSG_ANNULER_CONFLITS]}


def test_annuler_conflits_false_keeps_the_409(client_manager, salle):
    ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
    reponse = client_manager.post(
        "/disponibilites/?annuler_conflits=false", corps(salle), format="json"
    )
    assert reponse.status_code == 409


def test_a_normal_availability_window_cancels_nothing(client_manager, salle):
    ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
    donnees = corps(salle, type_disponibilite="disponibilite_normale")
    reponse = client_manager.post("/disponibilites/", donnees, format="json")
    assert reponse.status_code == 201
    assert reponse.json()["reservations_annulees"] == []


@pytest.mark.parametrize(
    ("champs", "champ_en_erreur"),
    [
        ({"fin": iso(demain_a(8))}, "fin"),
        ({"type_disponibilite": "vacances"}, "type_disponibilite"),
        ({"recurrence": "mensuel"}, "recurrence"),
        ({"fin_recurrence": "2027-12-31"}, "fin_recurrence"),
        ({"recurrence": "quotidien", "fin_recurrence": "2020-01-01"}, "fin_recurrence"),
        ({"recurrence": "quotidien", "fin": iso(demain_a(10, jours=3))}, "fin"),
        ({"ressource_id": 999_999}, "ressource_id"),
        ({"ressource_id": "abc"}, "ressource_id"),
        ({"debut": "bientôt"}, "debut"),
        ({"debut": "0001-01-01T00:00:00"}, "debut"),
        ({"recurrence": "quotidien", "fin_recurrence": "9999-12-31"}, "fin_recurrence"),
        ({"raison_indisponibilite": "x" * 501}, "raison_indisponibilite"),
    ],
)
def test_bad_input_is_a_400_on_its_field(client_manager, salle, champs, champ_en_erreur):
    reponse = client_manager.post("/disponibilites/", {**corps(salle), **champs}, format="json")
    assert reponse.status_code == 400, reponse.json()
    assert champ_en_erreur in reponse.json()["errors"]
    assert not ResourceAvailability.objects.exists()


def test_a_local_time_that_the_clock_change_repeats_needs_an_offset(client_manager, salle):
    donnees = corps(salle, debut="2027-10-31T02:30:00", fin="2027-10-31T04:00:00")
    reponse = client_manager.post("/disponibilites/", donnees, format="json")
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"debut": [MSG_HEURE_LOCALE.format(fuseau="Europe/Paris")]}
    donnees["debut"] = "2027-10-31T02:30:00+01:00"
    reponse = client_manager.post("/disponibilites/", donnees, format="json")
    assert reponse.status_code == 201
    assert ResourceAvailability.objects.get().fin - ResourceAvailability.objects.get().debut == (
        timedelta(hours=1, minutes=30)
    )


def test_a_holder_of_gerer_ressources_may_manage_periods(salle):
    client = client_pour(UserFactory(autorisations=["gerer_ressources"], site_principal=salle.site))
    reponse = client.post("/disponibilites/", corps(salle), format="json")
    assert reponse.status_code == 201
    pk = reponse.json()["id"]
    assert (
        client.patch(
            f"/disponibilites/{pk}", {"raison_indisponibilite": "x"}, format="json"
        ).status_code
        == 200
    )
    assert client.delete(f"/disponibilites/{pk}").status_code == 200


# Updating and deleting


def test_moving_a_period_over_a_reservation_is_a_409_and_changes_nothing(client_manager, periode):
    ReservationFactory(ressource=periode.ressource, debut=demain_a(9), fin=demain_a(10))
    reponse = client_manager.patch(
        f"/disponibilites/{periode.pk}",
        {"debut": iso(demain_a(9)), "fin": iso(demain_a(11))},
        format="json",
    )
    assert reponse.status_code == 409
    periode.refresh_from_db()
    assert periode.debut == demain_a(12)


def test_moving_a_period_with_annuler_conflits_returns_the_cancelled_ids(client_manager, periode):
    reservation = ReservationFactory(
        ressource=periode.ressource, debut=demain_a(9), fin=demain_a(10)
    )
    reponse = client_manager.put(
        f"/disponibilites/{periode.pk}/?annuler_conflits=true",
        {"debut": iso(demain_a(9)), "fin": iso(demain_a(11))},
        format="json",
    )
    assert reponse.status_code == 200
    assert reponse.json()["reservations_annulees"] == [reservation.pk]
    assert reponse.json()["debut"] == iso(demain_a(9))
    assert reponse.json()["raison_indisponibilite"] == periode.raison_indisponibilite


def test_a_partial_update_keeps_the_other_fields(client_admin, periode):
    reponse = client_admin.patch(
        f"/disponibilites/{periode.pk}", {"recurrence": "quotidien"}, format="json"
    )
    assert reponse.status_code == 200
    periode.refresh_from_db()
    assert (periode.recurrence, periode.debut, periode.fin) == (
        Recurrence.QUOTIDIEN,
        demain_a(12),
        demain_a(14),
    )


def test_deleting_a_period_frees_its_slot(client_admin, client_employe, periode):
    reponse = client_admin.delete(f"/disponibilites/{periode.pk}")
    assert (reponse.status_code, reponse.json()) == (200, {"ok": True})
    assert not ResourceAvailability.objects.exists()
    reponse = client_employe.post(
        "/reservations/",
        {
            "ressource_id": periode.ressource_id,
            "debut": iso(demain_a(12)),
            "fin": iso(demain_a(13)),
        },
        format="json",
    )
    assert reponse.status_code == 201


def test_an_unknown_period_is_a_404(client_admin):
    for pk in ("999999", "abc"):
        assert client_admin.get(f"/disponibilites/{pk}").status_code == 404
        assert client_admin.delete(f"/disponibilites/{pk}").status_code == 404


# Listing


def test_the_list_has_items_and_meta(client_employe, periode):
    data = client_employe.get("/disponibilites/").json()
    assert data["meta"] == {"total": 1, "offset": 0, "limit": 100, "returned": 1}
    assert set(data["items"][0]) == CHAMPS


def test_the_list_filters_by_ressource_and_type(client_employe, periode):
    autre = ResourceAvailabilityFactory(type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE)
    assert ids(client_employe.get(f"/disponibilites/?ressource_id={periode.ressource_id}")) == [
        periode.pk
    ]
    assert ids(client_employe.get("/disponibilites/?type_disponibilite=disponibilite_normale")) == [
        autre.pk
    ]


def test_du_and_au_keep_one_off_periods_overlapping_and_repeating_ones_that_may_reach(
    client_employe, salle
):
    matin = ResourceAvailabilityFactory(ressource=salle, debut=demain_a(8), fin=demain_a(9))
    midi = ResourceAvailabilityFactory(ressource=salle, debut=demain_a(12), fin=demain_a(13))
    chaque_jour = ResourceAvailabilityFactory(
        ressource=salle, debut=demain_a(18), fin=demain_a(19), recurrence=Recurrence.QUOTIDIEN
    )
    finie = ResourceAvailabilityFactory(
        ressource=salle,
        debut=demain_a(7),
        fin=demain_a(8),
        recurrence=Recurrence.QUOTIDIEN,
        fin_recurrence=timezone.localdate(demain_a(7, jours=2)),
    )
    plus_tard = ResourceAvailabilityFactory(
        ressource=salle,
        debut=demain_a(7, jours=40),
        fin=demain_a(8, jours=40),
        recurrence=Recurrence.HEBDOMADAIRE,
    )
    jour = demain_a(9).date().isoformat()
    assert ids(client_employe.get("/disponibilites/", {"du": jour, "au": jour})) == [
        finie.pk,
        matin.pk,
        midi.pk,
        chaque_jour.pk,
    ]
    assert ids(
        client_employe.get("/disponibilites/", {"du": iso(demain_a(10)), "au": iso(demain_a(12))})
    ) == [finie.pk]
    dans_un_mois = demain_a(10, jours=30).date().isoformat()
    assert ids(client_employe.get("/disponibilites/", {"du": dans_un_mois})) == [
        chaque_jour.pk,
        plus_tard.pk,
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"du": "1900-01-02", "au": "2999-12-31"},
        {"du": "1900-01-01T00:00:00+00:00"},
        {"au": "2999-12-31T23:59:59-12:00"},
    ],
)
def test_the_widest_accepted_dates_are_answered(client_employe, periode, params):
    assert ids(client_employe.get("/disponibilites/", params)) == [periode.pk]
    assert client_employe.get("/reservations/", params).status_code == 200


@pytest.mark.parametrize(
    ("params", "champ"),
    [
        ({"du": "0001-01-01"}, "du"),
        ({"au": "9999-12-31"}, "au"),
        ({"du": "1899-12-31T23:00:00+00:00"}, "du"),
        ({"au": "3000-01-01T00:00:00"}, "au"),
    ],
)
def test_years_outside_1900_2999_are_a_400_naming_the_parameter(client_employe, params, champ):
    for chemin in ("/disponibilites/", "/reservations/"):
        reponse = client_employe.get(chemin, params)
        assert reponse.status_code == 400
        assert reponse.json()["code"] == "validation"
        assert reponse.json()["errors"] == {champ: [MSG_HORS_LIMITES]}


@pytest.mark.parametrize(
    "params",
    [
        {"type_disponibilite": "fermeture"},
        {"ressource_id": "x"},
        {"du": "demain"},
        {"du": "2027-03-02", "au": "2027-03-01"},
        {"limit": "500"},
    ],
)
def test_a_bad_query_parameter_is_a_400(client_employe, params):
    reponse = client_employe.get("/disponibilites/", params)
    assert reponse.status_code == 400
    assert set(reponse.json()["errors"]) <= {*params, "au"}


@pytest.mark.parametrize("nombre", [1, 50])
def test_the_list_and_detail_answer_in_a_fixed_number_of_queries(
    client_employe, salle, django_assert_max_num_queries, nombre
):
    periodes = [
        ResourceAvailabilityFactory(
            ressource=salle,
            debut=demain_a(12) + timedelta(days=i),
            fin=demain_a(13) + timedelta(days=i),
        )
        for i in range(nombre)
    ]
    with django_assert_max_num_queries(3):
        reponse = client_employe.get(
            "/disponibilites/", {"ressource_id": salle.pk, "du": "2020-01-01"}
        )
    assert reponse.json()["meta"]["returned"] == nombre
    with django_assert_max_num_queries(2):
        assert client_employe.get(f"/disponibilites/{periodes[-1].pk}").status_code == 200


# Permission matrix


MATRICE = [
    (
        "get",
        "/disponibilites/",
        None,
        {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200},
    ),
    (
        "get",
        "/disponibilites/{pk}",
        None,
        {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200},
    ),
    (
        "post",
        "/disponibilites/",
        "creation",
        {"anonyme": 401, "employe": 403, "manager": 201, "admin": 201},
    ),
    (
        "put",
        "/disponibilites/{pk}",
        {"raison_indisponibilite": "x"},
        {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200},
    ),
    (
        "patch",
        "/disponibilites/{pk}",
        {"raison_indisponibilite": "x"},
        {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200},
    ),
    (
        "delete",
        "/disponibilites/{pk}",
        None,
        {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200},
    ),
]


@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
@pytest.mark.parametrize(("methode", "chemin", "donnees", "attendus"), MATRICE)
def test_permission_matrix(clients, periode, role, methode, chemin, donnees, attendus):
    if donnees == "creation":
        donnees = corps(periode.ressource, debut=iso(demain_a(15)), fin=iso(demain_a(16)))
    reponse = getattr(clients[role], methode)(chemin.format(pk=periode.pk), donnees, format="json")
    assert reponse.status_code == attendus[role], reponse.json()
    if reponse.status_code >= 400:
        assert isinstance(reponse.json()["detail"], str)
    if role == "employe":
        assert ResourceAvailability.objects.get().raison_indisponibilite == "Maintenance programmée"


def test_a_409_names_the_rule_in_french(client_manager, salle):
    ReservationFactory(ressource=salle, debut=demain_a(10), fin=demain_a(11))
    reponse = client_manager.post("/disponibilites/", corps(salle), format="json")
    assert reponse.json()["detail"] != regles.MSG_CONFLIT
    assert reponse.json()["detail"] == MSG_PERIODE_OCCUPEE


def test_a_manager_may_not_manage_the_periods_of_another_site(client_manager, salle):
    ailleurs = RessourceFactory()
    periode = ResourceAvailabilityFactory(ressource=ailleurs, debut=demain_a(12), fin=demain_a(14))
    reservation = ReservationFactory(ressource=ailleurs, debut=demain_a(9), fin=demain_a(10))

    creation = client_manager.post(
        "/disponibilites/?annuler_conflits=true", corps(ailleurs), format="json"
    )
    assert creation.status_code == 403
    assert creation.json()["code"] == "permission_refusee"
    for reponse in (
        client_manager.patch(f"/disponibilites/{periode.pk}", {"raison_indisponibilite": "x"}),
        client_manager.delete(f"/disponibilites/{periode.pk}"),
        # Moving one of their own periods onto another site's ressource is stepping out too.
        client_manager.post(
            "/disponibilites/", corps(salle, ressource_id=ailleurs.pk), format="json"
        ),
    ):
        assert reponse.status_code == 403
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.CONFIRME
    assert ResourceAvailability.objects.filter(ressource=ailleurs).count() == 1
    periode.refresh_from_db()
    assert periode.raison_indisponibilite == "Maintenance programmée"


def test_a_manager_may_not_move_their_period_to_another_site(client_manager, periode):
    ailleurs = RessourceFactory()
    reponse = client_manager.patch(
        f"/disponibilites/{periode.pk}", {"ressource_id": ailleurs.pk}, format="json"
    )
    assert reponse.status_code == 403
    periode.refresh_from_db()
    assert periode.ressource_id != ailleurs.pk


def test_gerer_ressources_covers_the_holders_main_site_only(salle):
    client = client_pour(UserFactory(autorisations=["gerer_ressources"]))
    assert client.post("/disponibilites/", corps(salle), format="json").status_code == 403
    assert not ResourceAvailability.objects.exists()
