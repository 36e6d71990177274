"""The free search served from SQL compiled once per shape (``recherche.PageDisponibles``)
answers exactly what the ORM's queryset answers (the search as it was served before): the
same total and the same page, for many random windows, filters, sorts, pages and users."""

import json
import logging
import random
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from rest_framework.renderers import JSONRenderer

from accounts.tests.factories import AdminFactory, UserFactory
from conftest import client_pour
from reservations import recherche
from reservations.models import Recurrence, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.filters import RechercheFilterSet
from ressources.models import Etat, Favori, Ressource, TypeRessource
from ressources.serializers import RessourceSerializer
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

BATIMENTS = ["Bâtiment A", "Annexe Nord", "Tour B_%"]
CARACTERISTIQUES = ["wifi", "projecteur", "tableau"]
URL = "/ressources/disponibles"
DUREES = [30, 60, 120, 180, 480, 780, 24 * 60]


def _catalogue(rng):
    sites = [
        SiteFactory(horaires_ouverture=time(ouverture), horaires_fermeture=time(fermeture))
        for ouverture, fermeture in [(7, 20), (8, 18), (10, 23)]
    ]
    ressources = []
    for rang in range(45):
        type_ressource = TypeRessource.values[rang % 3]
        heures = {}
        if type_ressource == TypeRessource.SALLE and rang % 4 == 0:
            heures = {"horaires_ouverture": time(9), "horaires_fermeture": time(17, 30)}
        ressources.append(
            RessourceFactory(
                site=sites[rang % 3],
                nom=f"Ressource {rang % 16:02d}",
                type_ressource=type_ressource,
                capacite_maximum=1 + rng.randrange(20),
                localisation_batiment=rng.choice(BATIMENTS),
                caracteristiques=rng.sample(CARACTERISTIQUES, rng.randrange(3)),
                etat=Etat.ACTIVE if rang % 9 else Etat.EN_MAINTENANCE,
                **heures,
            )
        )
    for ressource in rng.sample(ressources, 8):
        ResourceAvailabilityFactory(
            ressource=ressource,
            debut=demain_a(12, jours=-5),
            fin=demain_a(13, 30, jours=-5),
            recurrence=rng.choice([Recurrence.QUOTIDIEN, Recurrence.HEBDOMADAIRE]),
        )
    for ressource in rng.sample(ressources, 4):
        ResourceAvailabilityFactory(
            ressource=ressource,
            type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
            debut=demain_a(8, jours=-3),
            fin=demain_a(18, jours=-3),
            recurrence=Recurrence.QUOTIDIEN,
        )
    for ressource in rng.sample(ressources, 3):
        ResourceAvailabilityFactory(ressource=ressource, debut=demain_a(9, jours=2))
    for ressource in rng.sample(ressources, 15):
        debut = demain_a(rng.randrange(7, 19), jours=rng.randrange(1, 6))
        ReservationFactory(ressource=ressource, debut=debut, fin=debut + timedelta(hours=2))
    return sites, ressources


def _requete(rng, sites):
    debut = demain_a(rng.randrange(24), rng.choice([0, 30]), jours=rng.randrange(1, 6))
    fin = debut + timedelta(minutes=rng.choice(DUREES))
    parametres = {"debut": debut.isoformat(), "fin": fin.isoformat()}
    for nom, valeurs in [
        ("type_of_ressource", TypeRessource.values),
        ("site_id", [str(site.pk) for site in sites]),
        ("batiment", ["annexe", "b_%", "â"]),
        ("caracteristiques", ["wifi", "wifi,projecteur", "tableau"]),
        ("minimum_capacity", ["1", "5", "12"]),
        ("favoris", ["true", "false"]),
        ("sort_by", ["nom", "capacite", "type"]),
        ("sort_order", ["asc", "desc"]),
        ("offset", ["0", "3", "10", "40"]),
        ("limit", ["1", "4", "20"]),
    ]:
        if rng.random() < 0.3:
            parametres[nom] = rng.choice(valeurs)
    return parametres


def _attendue(user, parametres):
    """What the free search answered before: the FilterSet on the ORM's queryset, the
    search's conditions, its count and its slice."""
    filtres = RechercheFilterSet(
        parametres, queryset=Ressource.objects.all(), request=SimpleNamespace(user=user)
    )
    assert filtres.is_valid()
    base = filtres.filter_queryset(Ressource.objects.all().avec_est_favori(user))
    libres = recherche.ressources_disponibles(
        datetime.fromisoformat(parametres["debut"]),
        datetime.fromisoformat(parametres["fin"]),
        admin=user.est_admin,
        base=base,
    )
    offset = int(parametres.get("offset", 0))
    limit = int(parametres.get("limit", 100))
    page = RessourceSerializer.en_valeurs(libres)[offset : offset + limit]
    items = json.loads(JSONRenderer().render(RessourceSerializer.depuis_valeurs(page)))
    return libres.count(), items


def test_the_compiled_search_answers_what_the_orm_answers(caplog, django_assert_max_num_queries):
    rng = random.Random(20261201)
    sites, ressources = _catalogue(rng)
    employe, admin = UserFactory(), AdminFactory()
    for ressource in rng.sample(ressources, 10):
        Favori.objects.create(user=employe, ressource=ressource)
    clients = [(user, client_pour(user)) for user in (employe, admin)]

    totaux = set()
    with caplog.at_level(logging.WARNING, logger="resa_project.requetes"):
        for _ in range(150):
            user, client = rng.choice(clients)
            parametres = _requete(rng, sites)
            # token, what occupies the ressources, the count, the page
            with django_assert_max_num_queries(4):
                reponse = client.get(URL, parametres)
            assert reponse.status_code == 200, (parametres, reponse.json())
            total, items = _attendue(user, parametres)
            assert reponse.json()["meta"]["total"] == total, parametres
            assert reponse.json()["items"] == items, parametres
            totaux.add(total)

    assert len(totaux) > 10  # the requests do find different ressources
    assert "non compilée" not in caplog.text  # every shape ran from its compiled SQL
