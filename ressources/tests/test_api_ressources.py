"""``/ressources``: permissions, validation, filters, the detail and its query count."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from accounts.models import Autorisation
from accounts.tests.factories import UserFactory
from conftest import client_pour
from resa_project.parametres import MSG_BOOLEEN
from reservations.models import ResourceAvailability, StatutReservation
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources import services
from ressources.models import Etat, Ressource, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(site_du_manager):
    """A site of the ``manager`` fixture."""
    return site_du_manager


@pytest.fixture
def ressource(site):
    return RessourceFactory(site=site, nom="Salle Jupiter")


def _corps(site, **champs):
    return {
        "nom": "Salle Saturne",
        "type_ressource": "salle",
        "capacite_maximum": 8,
        "site_id": site.pk,
        **champs,
    }


# --- permissions --------------------------------------------------------------------------

MATRICE = [
    ("get", "/ressources/", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
    ("get", "/ressources", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
    ("get", "/ressources/{id}", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
    ("get", "/ressources/{id}/", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
    ("post", "/ressources/", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 201}),
    ("post", "/ressources", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 201}),
    ("put", "/ressources/{id}", {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200}),
    ("patch", "/ressources/{id}", {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200}),
    ("delete", "/ressources/{id}", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 200}),
]


@pytest.mark.parametrize(("methode", "chemin", "attendus"), MATRICE)
@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
def test_permission_matrix(clients, ressource, site, methode, chemin, attendus, role):
    corps = _corps(site) if methode == "post" else {"description": "Rénovée"}

    reponse = getattr(clients[role], methode)(chemin.format(id=ressource.pk), corps, format="json")

    assert reponse.status_code == attendus[role], reponse.content
    assert "detail" in reponse.json() or reponse.status_code < 400


@pytest.mark.parametrize("methode", ["put", "patch"])
def test_an_employee_with_gerer_ressources_may_update(ressource, methode):
    gestionnaire = UserFactory(
        autorisations=[Autorisation.GERER_RESSOURCES], site_principal=ressource.site
    )

    reponse = getattr(client_pour(gestionnaire), methode)(
        f"/ressources/{ressource.pk}", {"etat": "en_maintenance"}, format="json"
    )

    assert reponse.status_code == 200
    ressource.refresh_from_db()
    assert ressource.etat == Etat.EN_MAINTENANCE


def test_an_employee_with_another_autorisation_may_not_update(ressource):
    employe = UserFactory(autorisations=[Autorisation.CONFIRMER_RESERVATIONS])

    reponse = client_pour(employe).patch(
        f"/ressources/{ressource.pk}", {"etat": "hors_service"}, format="json"
    )

    assert reponse.status_code == 403
    ressource.refresh_from_db()
    assert ressource.etat == Etat.ACTIVE


@pytest.mark.parametrize("methode", ["get", "patch", "delete"])
@pytest.mark.parametrize("pk", ["999999", "0", str(2**63 - 1), str(2**63), "9" * 40])
def test_an_unknown_ressource_is_a_404(client_admin, methode, pk):
    reponse = getattr(client_admin, methode)(f"/ressources/{pk}", {}, format="json")

    assert reponse.status_code == 404
    assert reponse.json()["detail"]


# --- create -------------------------------------------------------------------------------


def test_admin_creates_a_ressource_with_every_field(client_admin, site):
    corps = _corps(
        site,
        description="Grande salle",
        caracteristiques=["wifi", "projecteur"],
        localisation_batiment="B",
        localisation_etage="3",
        localisation_numero="301",
        horaires_ouverture="08:00:00",
        horaires_fermeture="18:30:00",
        images=["https://exemple.fr/salle.jpg"],
        tarifs_horaires="25.50",
        validation_requise=True,
    )

    reponse = client_admin.post("/ressources/", corps, format="json")

    assert reponse.status_code == 201, reponse.json()
    ressource = Ressource.objects.get()
    assert reponse.json() == {
        "id": ressource.pk,
        "nom": "Salle Saturne",
        "type_ressource": "salle",
        "capacite_maximum": 8,
        "description": "Grande salle",
        "caracteristiques": ["wifi", "projecteur"],
        "site_id": site.pk,
        "localisation_batiment": "B",
        "localisation_etage": "3",
        "localisation_numero": "301",
        "etat": "active",
        "horaires_ouverture": "08:00:00",
        "horaires_fermeture": "18:30:00",
        "images": ["https://exemple.fr/salle.jpg"],
        "tarifs_horaires": 25.5,
        "validation_requise": True,
        "checkin_requis": False,
        "delai_checkin_minutes": 15,
        "est_favori": False,
    }
    assert ressource.horaires() == (time(8), time(18, 30))
    assert ressource.validation_requise is True


def test_created_ressource_defaults(client_admin, site):
    reponse = client_admin.post(
        "/ressources/", _corps(site, type_ressource="vehicule"), format="json"
    )

    assert reponse.status_code == 201
    corps = reponse.json()
    assert corps["etat"] == "active"
    assert corps["caracteristiques"] == []
    assert corps["images"] == []
    assert corps["horaires_ouverture"] is None
    assert corps["horaires_fermeture"] is None
    assert corps["tarifs_horaires"] is None
    assert corps["validation_requise"] is False
    assert corps["checkin_requis"] is False
    assert corps["delai_checkin_minutes"] == 15


@pytest.mark.parametrize(
    ("champs", "champ_en_erreur"),
    [
        ({"nom": "AB"}, "nom"),
        ({"nom": ""}, "nom"),
        ({"capacite_maximum": 0}, "capacite_maximum"),
        ({"capacite_maximum": "beaucoup"}, "capacite_maximum"),
        ({"capacite_maximum": 10**30}, "capacite_maximum"),
        ({"type_ressource": "bateau"}, "type_ressource"),
        ({"etat": "casse"}, "etat"),
        ({"site_id": 999999}, "site_id"),
        ({"site_id": "abc"}, "site_id"),
        ({"site_id": None}, "site_id"),
        ({"caracteristiques": "wifi"}, "caracteristiques"),
        ({"caracteristiques": [1, {"a": 2}]}, "caracteristiques"),
        ({"images": ["pas une url"]}, "images"),
        ({"images": ["ftp://exemple.fr/a.jpg"]}, "images"),
        ({"tarifs_horaires": -1}, "tarifs_horaires"),
        ({"tarifs_horaires": "12.345"}, "tarifs_horaires"),
        ({"tarifs_horaires": "gratuit"}, "tarifs_horaires"),
        ({"horaires_ouverture": "25:00"}, "horaires_ouverture"),
        ({"horaires_ouverture": "10:00", "horaires_fermeture": "09:00"}, "horaires_fermeture"),
        ({"horaires_ouverture": "10:00", "horaires_fermeture": "10:00"}, "horaires_fermeture"),
        ({"horaires_ouverture": "10:00"}, "horaires_fermeture"),
        (
            {
                "type_ressource": "vehicule",
                "horaires_ouverture": "08:00",
                "horaires_fermeture": "18:00",
            },
            "horaires_ouverture",
        ),
    ],
)
def test_invalid_ressource_is_a_400_naming_the_field(client_admin, site, champs, champ_en_erreur):
    reponse = client_admin.post("/ressources/", _corps(site, **champs), format="json")

    assert reponse.status_code == 400, reponse.json()
    corps = reponse.json()
    assert champ_en_erreur in corps["errors"]
    assert corps["detail"]
    assert not Ressource.objects.exists()


@pytest.mark.parametrize("champ", ["nom", "type_ressource", "site_id"])
def test_required_fields_are_required(client_admin, site, champ):
    corps = _corps(site)
    del corps[champ]

    reponse = client_admin.post("/ressources/", corps, format="json")

    assert reponse.status_code == 400
    assert champ in reponse.json()["errors"]


def test_malformed_json_is_a_400(client_admin):
    reponse = client_admin.post("/ressources/", "{pas du json", content_type="application/json")

    assert reponse.status_code == 400


def test_a_duplicate_name_on_the_same_site_is_a_409(client_admin, ressource, site):
    reponse = client_admin.post("/ressources/", _corps(site, nom=ressource.nom), format="json")

    assert reponse.status_code == 409
    assert reponse.json()["detail"] == services.MSG_NOM_EN_DOUBLE
    assert Ressource.objects.count() == 1


def test_the_same_name_on_another_site_is_accepted(client_admin, ressource):
    reponse = client_admin.post(
        "/ressources/", _corps(SiteFactory(), nom=ressource.nom), format="json"
    )

    assert reponse.status_code == 201


def test_a_duplicate_name_with_another_error_is_a_400_listing_both(client_admin, ressource, site):
    reponse = client_admin.post(
        "/ressources/", _corps(site, nom=ressource.nom, capacite_maximum=0), format="json"
    )

    assert reponse.status_code == 400
    assert "capacite_maximum" in reponse.json()["errors"]


# --- update -------------------------------------------------------------------------------


@pytest.mark.parametrize("methode", ["put", "patch"])
def test_update_is_partial(client_manager, ressource, methode):
    reponse = getattr(client_manager, methode)(
        f"/ressources/{ressource.pk}",
        {"capacite_maximum": 25, "caracteristiques": ["ecran"], "tarifs_horaires": 12},
        format="json",
    )

    assert reponse.status_code == 200, reponse.json()
    assert reponse.json()["capacite_maximum"] == 25
    assert reponse.json()["tarifs_horaires"] == 12.0
    assert reponse.json()["nom"] == "Salle Jupiter"
    ressource.refresh_from_db()
    assert ressource.capacite_maximum == 25
    assert ressource.caracteristiques == ["ecran"]
    assert ressource.nom == "Salle Jupiter"


def test_update_checks_the_whole_object_again(client_manager, ressource):
    ressource.horaires_ouverture, ressource.horaires_fermeture = time(8), time(12)
    ressource.save()

    reponse = client_manager.patch(
        f"/ressources/{ressource.pk}", {"type_ressource": "equipement"}, format="json"
    )

    assert reponse.status_code == 400
    assert "horaires_ouverture" in reponse.json()["errors"]
    ressource.refresh_from_db()
    assert ressource.type_ressource == TypeRessource.SALLE


def test_clearing_own_opening_hours_falls_back_to_the_site(client_manager, ressource):
    ressource.horaires_ouverture, ressource.horaires_fermeture = time(8), time(12)
    ressource.save()

    reponse = client_manager.patch(
        f"/ressources/{ressource.pk}",
        {"horaires_ouverture": None, "horaires_fermeture": None},
        format="json",
    )

    assert reponse.status_code == 200
    ressource.refresh_from_db()
    assert ressource.horaires() == (time(7), time(20))


def test_renaming_to_a_taken_name_is_a_409(client_manager, ressource, site):
    autre = RessourceFactory(site=site)

    reponse = client_manager.patch(f"/ressources/{autre.pk}", {"nom": ressource.nom}, format="json")

    assert reponse.status_code == 409
    assert reponse.json()["detail"] == services.MSG_NOM_EN_DOUBLE


def test_moving_to_an_unknown_site_is_a_400(client_manager, ressource):
    reponse = client_manager.patch(
        f"/ressources/{ressource.pk}", {"site_id": 999999}, format="json"
    )

    assert reponse.status_code == 400
    assert "site_id" in reponse.json()["errors"]


def test_invalid_update_changes_nothing(client_manager, ressource):
    reponse = client_manager.patch(
        f"/ressources/{ressource.pk}", {"nom": "Nouveau", "capacite_maximum": 0}, format="json"
    )

    assert reponse.status_code == 400
    ressource.refresh_from_db()
    assert ressource.nom == "Salle Jupiter"


# --- delete -------------------------------------------------------------------------------


def test_admin_deletes_a_ressource_and_its_periods(client_admin, ressource):
    ResourceAvailabilityFactory(ressource=ressource)

    reponse = client_admin.delete(f"/ressources/{ressource.pk}")

    assert reponse.status_code == 200
    assert reponse.json() == {"ok": True}
    assert not Ressource.objects.exists()
    assert not ResourceAvailability.objects.exists()


@pytest.mark.parametrize("statut", [StatutReservation.ANNULE, StatutReservation.CONFIRME])
def test_a_ressource_with_reservations_cannot_be_deleted(client_admin, ressource, statut):
    ReservationFactory(ressource=ressource, statut=statut)

    reponse = client_admin.delete(f"/ressources/{ressource.pk}")

    assert reponse.status_code == 409
    assert reponse.json()["detail"] == services.MSG_RESSOURCE_REFERENCEE
    assert Ressource.objects.filter(pk=ressource.pk).exists()


# --- list ---------------------------------------------------------------------------------


def _noms(reponse):
    assert reponse.status_code == 200, reponse.json()
    return [r["nom"] for r in reponse.json()["items"]]


@pytest.fixture
def catalogue(site):
    """Five ressources on two sites, named so that every sort differs."""
    autre_site = SiteFactory()
    return {
        "salle_b": RessourceFactory(
            site=site,
            nom="Bravo",
            capacite_maximum=12,
            localisation_batiment="Bâtiment Nord",
            caracteristiques=["wifi", "projecteur"],
        ),
        "salle_a": RessourceFactory(
            site=site,
            nom="Alpha",
            capacite_maximum=4,
            localisation_batiment="Annexe",
            caracteristiques=["wifi"],
        ),
        "vehicule": RessourceFactory(
            site=site,
            nom="Delta",
            type_ressource=TypeRessource.VEHICULE,
            capacite_maximum=5,
            localisation_batiment="Parking nord",
            etat=Etat.EN_MAINTENANCE,
        ),
        "equipement": RessourceFactory(
            site=autre_site,
            nom="Charlie",
            type_ressource=TypeRessource.EQUIPEMENT,
            capacite_maximum=1,
            localisation_batiment="",
            caracteristiques=["projecteur"],
            etat=Etat.HORS_SERVICE,
        ),
        "salle_e": RessourceFactory(
            site=autre_site, nom="Echo", capacite_maximum=30, caracteristiques=["wifi"]
        ),
    }


def test_list_is_items_meta_sorted_by_name_by_default(client_employe, catalogue):
    reponse = client_employe.get("/ressources/")

    assert _noms(reponse) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert reponse.json()["meta"] == {
        "total": 5,
        "offset": 0,
        "limit": 100,
        "returned": 5,
        "sort_by": "nom",
        "sort_order": "asc",
    }
    alpha = reponse.json()["items"][0]
    assert alpha["site_id"] == catalogue["salle_a"].site_id
    assert alpha["caracteristiques"] == ["wifi"]


@pytest.mark.parametrize(
    ("parametres", "attendus"),
    [
        ({"type_of_ressource": "salle"}, ["Alpha", "Bravo", "Echo"]),
        ({"type_of_ressource": "vehicule"}, ["Delta"]),
        ({"batiment": "NORD"}, ["Bravo", "Delta"]),
        ({"disponible": "true"}, ["Alpha", "Bravo", "Echo"]),
        ({"disponible": "false"}, ["Charlie", "Delta"]),
        ({"caracteristiques": "wifi"}, ["Alpha", "Bravo", "Echo"]),
        ({"caracteristiques": "wifi, projecteur"}, ["Bravo"]),
        ({"caracteristiques": "projecteur"}, ["Bravo", "Charlie"]),
        ({"caracteristiques": "sauna"}, []),
        ({"caracteristiques": ","}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
        ({"minimum_capacity": "5"}, ["Bravo", "Delta", "Echo"]),
        ({"minimum_capacity": "13"}, ["Echo"]),
        ({"minimum_capacity": "0"}, ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]),
        (
            {"type_of_ressource": "salle", "caracteristiques": "wifi", "minimum_capacity": "10"},
            ["Bravo", "Echo"],
        ),
        ({"sort_by": "nom", "sort_order": "desc"}, ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]),
        ({"sort_by": "capacite"}, ["Charlie", "Alpha", "Delta", "Bravo", "Echo"]),
        (
            {"sort_by": "capacite", "sort_order": "desc"},
            ["Echo", "Bravo", "Delta", "Alpha", "Charlie"],
        ),
        ({"sort_by": "type"}, ["Charlie", "Bravo", "Alpha", "Echo", "Delta"]),  # ties by id
        ({"offset": "1", "limit": "2"}, ["Bravo", "Charlie"]),
        ({"offset": "10"}, []),
    ],
)
def test_list_filters_and_sorts(client_employe, catalogue, parametres, attendus):
    assert _noms(client_employe.get("/ressources/", parametres)) == attendus


def test_list_filters_on_the_site(client_employe, catalogue, site):
    assert _noms(client_employe.get("/ressources", {"site_id": site.pk})) == [
        "Alpha",
        "Bravo",
        "Delta",
    ]
    assert _noms(client_employe.get("/ressources", {"site_id": 999999})) == []


def test_equal_sort_keys_are_ordered_by_id(client_employe, site):
    ids = [RessourceFactory(site=site, capacite_maximum=3).pk for _ in range(3)]

    reponse = client_employe.get("/ressources/", {"sort_by": "capacite"})
    reponse_inverse = client_employe.get(
        "/ressources/", {"sort_by": "capacite", "sort_order": "desc"}
    )

    assert [r["id"] for r in reponse.json()["items"]] == ids
    assert [r["id"] for r in reponse_inverse.json()["items"]] == ids[::-1]


def test_meta_reports_the_page_and_the_sort(client_employe, catalogue):
    reponse = client_employe.get(
        "/ressources/",
        {
            "offset": 1,
            "limit": 2,
            "sort_by": "capacite",
            "sort_order": "desc",
            "disponible": "true",
        },
    )

    assert reponse.json()["meta"] == {
        "total": 3,
        "offset": 1,
        "limit": 2,
        "returned": 2,
        "sort_by": "capacite",
        "sort_order": "desc",
    }


@pytest.mark.parametrize(
    ("parametres", "champ", "message"),
    [
        ({"limit": "0"}, "limit", None),
        ({"limit": "201"}, "limit", None),
        ({"limit": "500"}, "limit", None),
        ({"limit": "beaucoup"}, "limit", None),
        ({"offset": "-1"}, "offset", None),
        ({"sort_by": "foo"}, "sort_by", "sort_by doit valoir nom, capacite, type ou pertinence."),
        ({"sort_order": "haut"}, "sort_order", "sort_order doit valoir asc ou desc."),
        (
            {"type_of_ressource": "bateau"},
            "type_of_ressource",
            "type_of_ressource doit valoir salle, equipement ou vehicule.",
        ),
        ({"disponible": "peut-etre"}, "disponible", MSG_BOOLEEN),
        ({"minimum_capacity": "abc"}, "minimum_capacity", None),
        ({"minimum_capacity": "-1"}, "minimum_capacity", None),
        ({"minimum_capacity": "2.5"}, "minimum_capacity", None),
        ({"site_id": "abc"}, "site_id", None),
        ({"site_id": "0"}, "site_id", None),
    ],
)
def test_bad_list_parameters_are_a_400_in_french(client_employe, parametres, champ, message):
    reponse = client_employe.get("/ressources/", parametres)

    assert reponse.status_code == 400
    corps = reponse.json()
    assert champ in corps["errors"]
    if message:
        assert corps["errors"][champ] == [message]
        assert corps["detail"] == message
    assert corps["code"] == "validation"


def test_limit_200_is_accepted(client_employe, catalogue):
    reponse = client_employe.get("/ressources/", {"limit": 200})

    assert reponse.json()["meta"]["limit"] == 200


@pytest.mark.parametrize("nombre", [1, 50])
def test_list_query_count_does_not_grow(client_employe, django_assert_max_num_queries, nombre):
    for _ in range(nombre):
        ressource = RessourceFactory(caracteristiques=["wifi"])
        ReservationFactory(ressource=ressource)
        ResourceAvailabilityFactory(ressource=ressource)

    # token + count + page
    with django_assert_max_num_queries(3):
        reponse = client_employe.get("/ressources/", {"caracteristiques": "wifi", "limit": 200})

    assert reponse.json()["meta"]["returned"] == nombre


# --- detail -------------------------------------------------------------------------------


def test_detail_has_the_ressource_its_statistics_next_reservations_and_week(
    client_employe, ressource
):
    reservation = ReservationFactory(
        ressource=ressource,
        debut=demain_a(10),
        fin=demain_a(11, 30),
        description="Comité",
        nbr_participants=6,
    )
    ReservationFactory(
        ressource=ressource, debut=demain_a(12), fin=demain_a(13), statut=StatutReservation.ANNULE
    )

    reponse = client_employe.get(f"/ressources/{ressource.pk}")

    assert reponse.status_code == 200
    corps = reponse.json()
    assert list(corps) == [
        "ressource",
        "statistiques",
        "prochaines_reservations",
        "disponibilite_7_jours",
    ]
    assert corps["ressource"]["id"] == ressource.pk
    assert corps["ressource"]["nom"] == "Salle Jupiter"
    assert corps["statistiques"] == {
        "total_reservations": 2,
        "reservations_actives": 0,
        "reservations_a_venir": 1,
        "taux_occupation_7_jours": round(1.5 / 91 * 100, 2),
        "heures_reservees_30_jours": 0.0,
        "reservation_moyenne_duree": 90.0,
    }
    assert corps["prochaines_reservations"] == [
        {
            "id": reservation.pk,
            "user_id": reservation.user_id,
            "debut": timezone.localtime(reservation.debut).isoformat(),
            "fin": timezone.localtime(reservation.fin).isoformat(),
            "statut": "confirme",
            "description": "Comité",
            "nbr_participants": 6,
        }
    ]
    semaine = corps["disponibilite_7_jours"]
    aujourdhui = timezone.localdate()
    assert [j["date"] for j in semaine] == [
        (aujourdhui + timedelta(days=i)).isoformat() for i in range(7)
    ]
    demain = semaine[1]
    assert demain["est_disponible"] is True
    assert demain["raison_indisponibilite"] is None
    assert [c["debut"] for c in demain["creneaux"]] == [
        "07:00", "08:00", "09:00", "12:00", "13:00", "14:00", "15:00", "16:00", "17:00",
        "18:00", "19:00",
    ]  # fmt: skip
    assert demain["creneaux"][-1] == {"debut": "19:00", "fin": "20:00"}


def test_detail_counts_the_free_slots_as_an_integer_beside_their_list(client_employe, ressource):
    ReservationFactory(ressource=ressource, debut=demain_a(10), fin=demain_a(12))
    ResourceAvailabilityFactory(
        ressource=ressource, debut=demain_a(0, jours=3), fin=demain_a(23, jours=3)
    )

    semaine = client_employe.get(f"/ressources/{ressource.pk}").json()["disponibilite_7_jours"]

    for jour in semaine:
        assert type(jour["creneaux_disponibles"]) is int
        assert jour["creneaux_disponibles"] == len(jour["creneaux"])
    assert semaine[1]["creneaux_disponibles"] == 11  # 07:00-20:00 less 10:00-12:00
    assert (semaine[3]["creneaux_disponibles"], semaine[3]["creneaux"]) == (0, [])


def test_detail_of_a_ressource_in_maintenance(client_employe, ressource):
    ressource.etat = Etat.EN_MAINTENANCE
    ressource.save()

    semaine = client_employe.get(f"/ressources/{ressource.pk}").json()["disponibilite_7_jours"]

    assert all(not j["est_disponible"] for j in semaine)
    assert {j["raison_indisponibilite"] for j in semaine} == {"Ressource en maintenance"}


def test_detail_of_a_day_blocked_by_a_daily_maintenance(client_employe, ressource):
    ResourceAvailabilityFactory(
        ressource=ressource,
        debut=demain_a(0, jours=2),
        fin=demain_a(23, 45, jours=2),
        recurrence="quotidien",
        fin_recurrence=demain_a(0, jours=3).date(),
        raison_indisponibilite="Déménagement",
    )

    semaine = client_employe.get(f"/ressources/{ressource.pk}").json()["disponibilite_7_jours"]

    assert [j["est_disponible"] for j in semaine[1:]] == [True, False, False, True, True, True]
    assert semaine[2]["raison_indisponibilite"] == "Déménagement"
    assert (semaine[3]["creneaux_disponibles"], semaine[3]["creneaux"]) == (0, [])


@pytest.mark.parametrize("nombre", [1, 50])
def test_detail_query_count_does_not_grow(
    client_employe, ressource, django_assert_max_num_queries, nombre
):
    for i in range(nombre):
        jour, heure = divmod(i, 12)
        debut = demain_a(7 + heure, jours=1 + jour % 6)
        ReservationFactory(ressource=ressource, debut=debut, fin=debut + timedelta(minutes=45))
        ReservationFactory(
            ressource=ressource,
            debut=demain_a(8, jours=-i - 1),
            fin=demain_a(9, jours=-i - 1),
            statut=StatutReservation.FINI,
        )
    for i in range(min(nombre, 6)):
        ResourceAvailabilityFactory(
            ressource=ressource,
            debut=demain_a(19, 30, jours=1 + i),
            fin=demain_a(20, jours=1 + i),
            recurrence="hebdomadaire",
        )

    # token, ressource, statistics, next 5, the week's reservations, the week's periods
    with django_assert_max_num_queries(6):
        reponse = client_employe.get(f"/ressources/{ressource.pk}")

    assert reponse.status_code == 200
    assert reponse.json()["statistiques"]["total_reservations"] == 2 * nombre
    assert len(reponse.json()["prochaines_reservations"]) == min(nombre, 5)


def test_a_manager_may_not_update_a_ressource_of_another_site(client_manager, ressource):
    ailleurs = RessourceFactory(nom="Salle Mars")

    reponse = client_manager.patch(f"/ressources/{ailleurs.pk}", {"etat": "hors_service"})
    assert reponse.status_code == 403
    assert reponse.json()["code"] == "permission_refusee"
    # Nor move one of their own ressources to a site that is not theirs.
    reponse = client_manager.patch(
        f"/ressources/{ressource.pk}", {"site_id": ailleurs.site_id}, format="json"
    )
    assert reponse.status_code == 403
    ailleurs.refresh_from_db()
    ressource.refresh_from_db()
    assert ailleurs.etat == Etat.ACTIVE
    assert ressource.site_id != ailleurs.site_id


def test_gerer_ressources_covers_the_holders_main_site_only(ressource):
    gestionnaire = UserFactory(autorisations=[Autorisation.GERER_RESSOURCES])
    reponse = client_pour(gestionnaire).patch(
        f"/ressources/{ressource.pk}", {"etat": "en_maintenance"}, format="json"
    )
    assert reponse.status_code == 403
    ressource.refresh_from_db()
    assert ressource.etat == Etat.ACTIVE
