"""The free search's SQL: the opening hours (``regles.q_horaires``, the same rows as the
Python rule), what occupies the ressources in one query, the excluded ids as one
parameter, and the page read with ``ORDER BY ... LIMIT`` (ties on the nom by id, pages that
add up to the whole list, no page query past the end)."""

from datetime import UTC, time, timedelta

import pytest
from django.utils import timezone

from reservations import recherche, regles
from reservations.models import Recurrence, Reservation, StatutReservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Ressource, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

URL = "/ressources/disponibles"


def _fenetre(debut, fin, **autres):
    return {"debut": debut.isoformat(), "fin": fin.isoformat(), **autres}


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_the_hours_in_sql_select_the_rows_the_python_rule_accepts():
    sites = [
        SiteFactory(horaires_ouverture=time(ouverture), horaires_fermeture=time(fermeture))
        for ouverture, fermeture in [(7, 20), (8, 18), (9, 12), (10, 23), (0, 1)]
    ]
    for site in sites:
        for type_ressource in TypeRessource.values:
            RessourceFactory(site=site, type_ressource=type_ressource)
        for ouverture, fermeture in [(time(8, 30), time(11)), (time(12), time(22))]:
            # Only rooms have hours of their own (Ressource.clean).
            RessourceFactory(
                site=site,
                type_ressource=TypeRessource.SALLE,
                horaires_ouverture=ouverture,
                horaires_fermeture=fermeture,
            )
    fenetres = [
        (demain_a(h, m), demain_a(h, m) + timedelta(minutes=duree))
        for h, m, duree in [(8, 0, 60), (8, 30, 150), (9, 0, 180), (11, 45, 30), (17, 0, 60)]
    ] + [(demain_a(0, 15), demain_a(0, 45)), (demain_a(21), demain_a(9, jours=2))]

    tailles = set()
    for debut, fin in fenetres:
        attendues = {
            r.pk
            for r in Ressource.objects.select_related("site")
            if regles.erreur_horaires(r, debut, fin) is None
        }
        assert _ids(Ressource.objects.filter(regles.q_horaires(debut, fin))) == attendues
        tailles.add(len(attendues))
    assert len(tailles) > 3  # the windows do select different rows


@pytest.mark.parametrize("nombre", [0, 1, 300])
def test_the_excluded_ids_are_one_parameter_whatever_their_number(
    django_assert_num_queries, nombre
):
    ressources = RessourceFactory.create_batch(310)
    exclues = [r.pk for r in ressources[:nombre]]
    restantes = Ressource.objects.filter(recherche._HorsDe(recherche.ids_en_texte(exclues)))

    with django_assert_num_queries(2):
        assert restantes.count() == 310 - nombre
        assert {r.pk for r in restantes.order_by("nom")[:400]} == {
            r.pk for r in ressources[nombre:]
        }

    _, parametres = restantes.query.get_compiler("default").as_sql()
    assert len(parametres) == 1


def test_the_occupied_ressources_are_those_a_booking_would_conflict_with():
    debut, fin = demain_a(10), demain_a(12)
    libre, reservee, touchee, annulee, liberee, en_attente = RessourceFactory.create_batch(6)
    maintenance, hebdomadaire, hors_fenetre_normale, dans_fenetre_normale = (
        RessourceFactory.create_batch(4)
    )
    ReservationFactory(ressource=reservee, debut=demain_a(11), fin=demain_a(13))
    ReservationFactory(ressource=touchee, debut=demain_a(8), fin=demain_a(10))
    ReservationFactory(
        ressource=annulee, debut=demain_a(10), fin=demain_a(11), statut=StatutReservation.ANNULE
    )
    ReservationFactory(
        ressource=en_attente,
        debut=demain_a(10),
        fin=demain_a(11),
        statut=StatutReservation.EN_ATTENTE,
    )
    # A hold nobody claimed by its check-in deadline frees its time.
    tenue = ReservationFactory(ressource=liberee, debut=demain_a(10), fin=demain_a(11))
    Reservation.objects.filter(pk=tenue.pk).update(
        statut=StatutReservation.CONFIRME, checkin_limite=timezone.now() - timedelta(minutes=1)
    )
    ResourceAvailabilityFactory(ressource=maintenance, debut=demain_a(11), fin=demain_a(11, 30))
    ResourceAvailabilityFactory(
        ressource=hebdomadaire,
        type_disponibilite=TypeDisponibilite.EVENEMENT_SPECIAL,
        debut=demain_a(11, jours=-6),
        fin=demain_a(12, jours=-6),
        recurrence=Recurrence.HEBDOMADAIRE,
    )
    for ressource, jusqua in [(hors_fenetre_normale, 11), (dans_fenetre_normale, 12)]:
        ResourceAvailabilityFactory(
            ressource=ressource,
            type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
            debut=demain_a(8, jours=-3),
            fin=demain_a(jusqua, jours=-3),
            recurrence=Recurrence.QUOTIDIEN,
        )

    occupees = recherche.ressources_occupees(debut.astimezone(UTC), fin.astimezone(UTC))

    assert occupees == {
        reservee.pk,
        en_attente.pk,
        maintenance.pk,
        hebdomadaire.pk,
        hors_fenetre_normale.pk,
    }
    assert {libre.pk, touchee.pk, annulee.pk, liberee.pk, dans_fenetre_normale.pk}.isdisjoint(
        occupees
    )


@pytest.mark.parametrize(
    "tri",
    [
        {},
        {"sort_order": "desc"},
        {"sort_by": "capacite"},
        {"sort_by": "type", "sort_order": "desc"},
    ],
)
def test_the_pages_add_up_to_the_whole_sorted_list(client_employe, tri):
    """Names shared across sites: the ``(nom, site)`` index gives the nom's order only, the
    ties are by id, in the direction of the sort."""
    sites = SiteFactory.create_batch(3)
    for i in range(9):
        for site in reversed(sites):
            RessourceFactory(
                site=site,
                nom=f"Salle {8 - i}",
                capacite_maximum=1 + i % 4,
                type_ressource=TypeRessource.values[i % 3],
            )
    parametres = _fenetre(demain_a(9), demain_a(10), **tri)

    entiere = client_employe.get(URL, {**parametres, "limit": 200}).json()
    lues = []
    for offset in range(0, 30, 4):
        page = client_employe.get(URL, {**parametres, "offset": offset, "limit": 4}).json()
        assert page["meta"]["total"] == 27
        lues += page["items"]

    assert lues == entiere["items"]
    cle = {"capacite": "capacite_maximum", "type": "type_ressource"}.get(tri.get("sort_by"), "nom")
    inverse = tri.get("sort_order") == "desc"
    attendue = sorted(entiere["items"], key=lambda r: (r[cle], r["id"]), reverse=inverse)
    assert [r["id"] for r in lues] == [r["id"] for r in attendue]


def test_a_page_past_the_end_reads_no_rows(client_employe, django_assert_num_queries):
    RessourceFactory.create_batch(3)

    # token, what occupies the ressources, the count
    with django_assert_num_queries(3):
        reponse = client_employe.get(URL, _fenetre(demain_a(9), demain_a(10), offset=3))

    assert reponse.json()["items"] == []
    assert reponse.json()["meta"]["total"] == 3
