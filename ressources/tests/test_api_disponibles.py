"""``GET /ressources/disponibles``: the free search through HTTP."""

from datetime import datetime, time, timedelta

import pytest

from resa_project.parametres import MSG_HEURE_LOCALE
from reservations import recherche, regles
from reservations.models import StatutReservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

URL = "/ressources/disponibles"


def _fenetre(debut, fin, **parametres):
    return {"debut": debut.isoformat(), "fin": fin.isoformat(), **parametres}


def _noms(reponse):
    assert reponse.status_code == 200, reponse.json()
    return [r["nom"] for r in reponse.json()["items"]]


@pytest.mark.parametrize(
    ("role", "attendu"), [("anonyme", 401), ("employe", 200), ("manager", 200), ("admin", 200)]
)
@pytest.mark.parametrize("chemin", [URL, URL + "/"])
def test_permission_matrix(clients, role, attendu, chemin):
    reponse = clients[role].get(chemin, _fenetre(demain_a(9), demain_a(10)))

    assert reponse.status_code == attendu


def test_only_free_active_ressources_are_listed(client_employe):
    site = SiteFactory()
    RessourceFactory(site=site, nom="Libre")
    RessourceFactory(site=site, nom="En maintenance", etat=Etat.EN_MAINTENANCE)
    occupee = RessourceFactory(site=site, nom="Occupée")
    ReservationFactory(ressource=occupee, debut=demain_a(9, 30), fin=demain_a(10, 30))
    annulee = RessourceFactory(site=site, nom="Réservation annulée")
    ReservationFactory(
        ressource=annulee, debut=demain_a(9), fin=demain_a(10), statut=StatutReservation.ANNULE
    )
    voisine = RessourceFactory(site=site, nom="Réservée juste avant")
    ReservationFactory(ressource=voisine, debut=demain_a(8), fin=demain_a(9))
    en_attente = RessourceFactory(site=site, nom="En attente")
    ReservationFactory(
        ressource=en_attente,
        debut=demain_a(9),
        fin=demain_a(9, 30),
        statut=StatutReservation.EN_ATTENTE,
    )
    bloquee = RessourceFactory(site=site, nom="Maintenance")
    ResourceAvailabilityFactory(ressource=bloquee, debut=demain_a(10, 45), fin=demain_a(12))
    hors_fenetre = RessourceFactory(site=site, nom="Hors fenêtre")
    ResourceAvailabilityFactory(
        ressource=hors_fenetre,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(13),
        fin=demain_a(18),
    )
    dans_fenetre = RessourceFactory(site=site, nom="Dans sa fenêtre")
    ResourceAvailabilityFactory(
        ressource=dans_fenetre,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(8),
        fin=demain_a(12),
    )
    RessourceFactory(
        site=site, nom="Ouvre à 10h", horaires_ouverture=time(10), horaires_fermeture=time(18)
    )

    reponse = client_employe.get(URL, _fenetre(demain_a(9), demain_a(11)))

    assert _noms(reponse) == [
        "Dans sa fenêtre",
        "Libre",
        "Réservation annulée",
        "Réservée juste avant",
    ]
    assert reponse.json()["meta"] == {
        "total": 4,
        "offset": 0,
        "limit": 100,
        "returned": 4,
        "sort_by": "nom",
        "sort_order": "asc",
    }
    assert reponse.json()["items"][0]["etat"] == "active"


def test_duration_limits_depend_on_the_type(client_employe):
    site = SiteFactory()
    RessourceFactory(site=site, nom="Salle")
    RessourceFactory(site=site, nom="Equipement", type_ressource=TypeRessource.EQUIPEMENT)
    RessourceFactory(site=site, nom="Vehicule", type_ressource=TypeRessource.VEHICULE)

    huit_heures = client_employe.get(URL, _fenetre(demain_a(8), demain_a(16)))
    jusquau_lendemain = client_employe.get(URL, _fenetre(demain_a(8), demain_a(8, jours=2)))

    assert _noms(huit_heures) == ["Equipement", "Salle", "Vehicule"]
    assert _noms(jusquau_lendemain) == ["Vehicule"]


def test_list_filters_sort_and_pagination_apply(client_employe):
    site = SiteFactory()
    RessourceFactory(site=site, nom="Petite", capacite_maximum=2, caracteristiques=["wifi"])
    RessourceFactory(site=site, nom="Moyenne", capacite_maximum=10, caracteristiques=["wifi"])
    RessourceFactory(
        site=site,
        nom="Grande",
        capacite_maximum=40,
        caracteristiques=["wifi", "visio"],
        localisation_batiment="Tour B",
    )
    RessourceFactory(site=SiteFactory(), nom="Ailleurs", capacite_maximum=40)
    RessourceFactory(
        site=site, nom="Camion", capacite_maximum=3, type_ressource=TypeRessource.VEHICULE
    )
    fenetre = _fenetre(demain_a(14), demain_a(15))

    def noms(**parametres):
        return _noms(client_employe.get(URL, {**fenetre, **parametres}))

    assert noms(site_id=site.pk, minimum_capacity=5) == ["Grande", "Moyenne"]
    assert noms(caracteristiques="wifi,visio") == ["Grande"]
    assert noms(batiment="tour") == ["Grande"]
    assert noms(type_of_ressource="vehicule") == ["Camion"]
    assert noms(sort_by="capacite", sort_order="desc", site_id=site.pk) == [
        "Grande",
        "Moyenne",
        "Camion",
        "Petite",
    ]
    page = client_employe.get(URL, {**fenetre, "offset": 1, "limit": 2, "sort_by": "capacite"})
    assert _noms(page) == ["Camion", "Moyenne"]
    assert page.json()["meta"]["total"] == 5
    assert page.json()["meta"]["sort_by"] == "capacite"


@pytest.mark.parametrize(
    ("parametres", "champ", "message"),
    [
        ({"debut": demain_a(9, 5), "fin": demain_a(10)}, "debut", regles.MSG_GRILLE),
        ({"debut": demain_a(9), "fin": demain_a(10, 0) + timedelta(seconds=1)}, "fin", None),
        ({"debut": demain_a(10), "fin": demain_a(10)}, "fin", regles.MSG_ORDRE),
        ({"debut": demain_a(10), "fin": demain_a(9)}, "fin", regles.MSG_ORDRE),
        ({"debut": demain_a(9), "fin": demain_a(9, 15)}, "fin", regles.MSG_DUREE_MIN),
        (
            {"debut": demain_a(9, jours=-1), "fin": demain_a(10, jours=-1)},
            "debut",
            regles.MSG_PASSE,
        ),
        (
            {"debut": demain_a(9), "fin": demain_a(9, 15, jours=2)},
            "fin",
            recherche.MSG_RECHERCHE_TROP_LONGUE,
        ),
        ({"fin": demain_a(10)}, "debut", None),
        ({"debut": demain_a(10)}, "fin", None),
        ({"debut": "demain", "fin": demain_a(10)}, "debut", None),
    ],
)
def test_a_window_no_booking_could_have_is_a_400(client_employe, parametres, champ, message):
    parametres = {k: v if isinstance(v, str) else v.isoformat() for k, v in parametres.items()}

    reponse = client_employe.get(URL, parametres)

    assert reponse.status_code == 400
    erreurs = reponse.json()["errors"]
    assert champ in erreurs
    if message:
        assert message in erreurs[champ]


def test_exactly_24_hours_is_accepted_for_vehicles(client_employe):
    RessourceFactory(nom="Vehicule", type_ressource=TypeRessource.VEHICULE)

    reponse = client_employe.get(URL, _fenetre(demain_a(9), demain_a(9, jours=2)))

    assert _noms(reponse) == ["Vehicule"]


def test_admins_may_search_in_the_past(client_admin):
    RessourceFactory(nom="Salle")

    reponse = client_admin.get(URL, _fenetre(demain_a(9, jours=-1), demain_a(10, jours=-1)))

    assert _noms(reponse) == ["Salle"]


def test_naive_datetimes_are_read_in_the_organisation_zone(client_employe):
    salle = RessourceFactory(nom="Salle")
    ReservationFactory(ressource=salle, debut=demain_a(9), fin=demain_a(10))
    jour = demain_a(0).date().isoformat()

    prise = client_employe.get(URL, {"debut": f"{jour}T09:30", "fin": f"{jour}T10:30"})
    libre = client_employe.get(URL, {"debut": f"{jour}T10:00", "fin": f"{jour}T11:00"})

    assert _noms(prise) == []
    assert _noms(libre) == ["Salle"]


@pytest.mark.parametrize(
    "parametres",
    [{"limit": 0}, {"limit": 500}, {"sort_by": "foo"}, {"minimum_capacity": "abc"}],
)
def test_bad_list_parameters_are_a_400(client_employe, parametres):
    reponse = client_employe.get(URL, {**_fenetre(demain_a(9), demain_a(10)), **parametres})

    assert reponse.status_code == 400
    assert set(parametres) <= set(reponse.json()["errors"])


@pytest.mark.parametrize("nombre", [1, 50])
def test_query_count_does_not_grow_with_the_ressources(
    client_employe, django_assert_max_num_queries, nombre
):
    site = SiteFactory()
    for i in range(nombre):
        ressource = RessourceFactory(site=site)
        ReservationFactory(ressource=ressource, debut=demain_a(8), fin=demain_a(9))
        ResourceAvailabilityFactory(
            ressource=ressource,
            debut=demain_a(11),
            fin=demain_a(12),
            recurrence="quotidien",
        )
        ResourceAvailabilityFactory(
            ressource=ressource,
            type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
            debut=demain_a(7),
            fin=demain_a(13 if i % 2 else 10),
        )

    # token, blocking periods, normal periods, count, page
    with django_assert_max_num_queries(5):
        reponse = client_employe.get(URL, _fenetre(demain_a(9), demain_a(10, 45), limit=200))

    assert reponse.json()["meta"]["total"] == nombre // 2


# --- daylight saving: naive times refused, offsets compared as instants -----------------

HEURE_SAUTEE = "2027-03-28T02:30:00"  # skipped by the spring change in Europe/Paris
HEURE_REPETEE = "2027-10-31T02:30:00"  # lived twice at the autumn change


@pytest.fixture
def jour_et_nuit():
    """A site open 00:00-23:59: the hours of a daylight-saving change are bookable there."""
    return SiteFactory(horaires_ouverture=time(0), horaires_fermeture=time(23, 59))


def _instant(texte):
    return datetime.fromisoformat(texte)


@pytest.mark.parametrize("heure", [HEURE_SAUTEE, HEURE_REPETEE])
@pytest.mark.parametrize("champ", ["debut", "fin"])
def test_a_naive_time_that_daylight_saving_skips_or_repeats_asks_for_an_offset(
    client_admin, heure, champ
):
    parametres = {"debut": "2027-03-01T09:00:00", "fin": "2027-11-02T10:00:00", champ: heure}

    reponse = client_admin.get(URL, parametres)

    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"
    assert reponse.json()["errors"] == {champ: [MSG_HEURE_LOCALE.format(fuseau="Europe/Paris")]}


def test_a_window_across_the_autumn_change_is_its_real_hour(client_admin, jour_et_nuit):
    RessourceFactory(site=jour_et_nuit, nom="Salle")
    RessourceFactory(site=jour_et_nuit, nom="Vehicule", type_ressource=TypeRessource.VEHICULE)
    occupee = RessourceFactory(site=jour_et_nuit, nom="Occupee en heure d'hiver")
    ReservationFactory(
        ressource=occupee,
        debut=_instant("2027-10-31T02:00:00+01:00"),
        fin=_instant("2027-10-31T02:15:00+01:00"),
    )
    voisine = RessourceFactory(site=jour_et_nuit, nom="Touchee juste avant")
    ReservationFactory(
        ressource=voisine,
        debut=_instant("2027-10-31T02:00:00+02:00"),
        fin=_instant("2027-10-31T02:30:00+02:00"),
    )

    # 02:30 summer time to 02:30 winter time: the same on the clock, 60 minutes apart.
    reponse = client_admin.get(
        URL,
        {
            "debut": "2027-10-31T02:30:00+02:00",
            "fin": "2027-10-31T02:30:00+01:00",
            "site_id": jour_et_nuit.pk,
        },
    )

    assert _noms(reponse) == ["Salle", "Touchee juste avant", "Vehicule"]


def test_an_end_earlier_on_the_clock_but_30_minutes_later_is_a_valid_window(
    client_admin, jour_et_nuit
):
    RessourceFactory(site=jour_et_nuit, nom="Salle")

    reponse = client_admin.get(
        URL, {"debut": "2027-10-31T02:45:00+02:00", "fin": "2027-10-31T02:15:00+01:00"}
    )

    assert _noms(reponse) == ["Salle"]


def test_an_end_later_on_the_clock_but_earlier_in_time_is_a_400(client_admin, jour_et_nuit):
    RessourceFactory(site=jour_et_nuit, nom="Salle")

    reponse = client_admin.get(
        URL, {"debut": "2027-10-31T02:15:00+01:00", "fin": "2027-10-31T02:45:00+02:00"}
    )

    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {"fin": [regles.MSG_ORDRE]}


def test_the_24_hour_limit_counts_real_hours_across_a_change(client_admin):
    RessourceFactory(nom="Vehicule", type_ressource=TypeRessource.VEHICULE)

    # 12:00 to 12:00 across the autumn change: 25 hours.
    automne = client_admin.get(URL, {"debut": "2027-10-30T12:00:00", "fin": "2027-10-31T12:00:00"})
    # 12:00 to 12:30 the next day across the spring change: 23 h 30.
    printemps = client_admin.get(
        URL, {"debut": "2027-03-27T12:00:00", "fin": "2027-03-28T12:30:00"}
    )

    assert automne.status_code == 400
    assert automne.json()["errors"] == {"fin": [recherche.MSG_RECHERCHE_TROP_LONGUE]}
    assert _noms(printemps) == ["Vehicule"]
