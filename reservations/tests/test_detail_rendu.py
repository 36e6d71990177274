"""``GET /ressources/{id}``: the body the view renders (one shared serializer, the upcoming
reservations loaded with only their shown fields, the week's bounds computed once) is the one
DRF's serializers give for ``occupation.detail_ressource``, for varied ressources and roles."""

import json
from datetime import time, timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from conftest import client_pour
from reservations import occupation
from reservations.models import Recurrence, StatutReservation, TypeDisponibilite
from reservations.serializers_ressources import DetailRessourceSerializer, representation_detail
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, Favori, TypeRessource
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(employe):
    """Ressources of every kind the detail renders differently."""
    salle = RessourceFactory(
        nom="Salle Io", horaires_ouverture=time(8, 30), horaires_fermeture=time(18, 0)
    )
    for jours, statut in [
        (-40, StatutReservation.FINI),
        (-3, StatutReservation.FINI),
        (-1, StatutReservation.ANNULE),
        (0, StatutReservation.CONFIRME),
        (1, StatutReservation.EN_ATTENTE),
        (2, StatutReservation.CONFIRME),
        (9, StatutReservation.CONFIRME),
        (12, StatutReservation.CONFIRME),
        (15, StatutReservation.CONFIRME),
        (20, StatutReservation.CONFIRME),
    ]:
        ReservationFactory(
            ressource=salle,
            debut=demain_a(9, 15, jours=jours),
            fin=demain_a(11, 45, jours=jours),
            statut=statut,
            description=f"Réunion J{jours:+d}",
            nbr_participants=4,
        )
    Favori.objects.create(user=employe, ressource=salle)

    fenetres = RessourceFactory(nom="Salle Europe")
    ResourceAvailabilityFactory(
        ressource=fenetres,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(9, jours=-7),
        fin=demain_a(12, jours=-7),
        recurrence=Recurrence.HEBDOMADAIRE,
    )
    ResourceAvailabilityFactory(
        ressource=fenetres,
        debut=demain_a(0, jours=3),
        fin=demain_a(23, 45, jours=3),
        raison_indisponibilite="Travaux",
    )
    maintenance = RessourceFactory(nom="Salle Callisto")
    ResourceAvailabilityFactory(
        ressource=maintenance,
        debut=demain_a(12, jours=-2),
        fin=demain_a(13, jours=-2),
        recurrence=Recurrence.QUOTIDIEN,
    )
    return [
        salle,
        fenetres,
        maintenance,
        RessourceFactory(nom="Utilitaire", type_ressource=TypeRessource.VEHICULE),
        RessourceFactory(nom="Projecteur", etat=Etat.EN_MAINTENANCE),
        RessourceFactory(nom="Caméra", etat=Etat.HORS_SERVICE),
    ]


def _reference(ressource, user) -> dict:
    """What DRF's serializers give for the detail, as JSON."""
    detail = occupation.detail_ressource(occupation.ressource_du_detail(ressource.pk, user))
    return json.loads(JSONRenderer().render(DetailRessourceSerializer(detail).data))


def test_the_body_is_what_drfs_serializers_give_for_every_ressource_and_role(
    catalogue, employe, manager, admin_user
):
    maintenant = timezone.now().replace(microsecond=0) + timedelta(hours=3, minutes=13)
    with mock.patch("django.utils.timezone.now", return_value=maintenant):
        for user in (employe, manager, admin_user):
            for ressource in [*catalogue, catalogue[0]]:  # the shared serializer twice
                reponse = client_pour(user).get(f"/ressources/{ressource.pk}")

                assert reponse.status_code == 200
                assert reponse.json() == _reference(ressource, user)
                corps = reponse.json()
                assert corps["ressource"]["est_favori"] is (
                    user == employe and ressource == catalogue[0]
                )

    salle = client_pour(employe).get(f"/ressources/{catalogue[0].pk}").json()
    a_venir = [j for j in (0, 1, 2, 9, 12, 15, 20) if demain_a(9, 15, jours=j) > timezone.now()]
    assert [r["description"] for r in salle["prochaines_reservations"]] == [
        f"Réunion J{j:+d}" for j in a_venir[:5]
    ]
    assert salle["statistiques"]["total_reservations"] == 10


def test_rendering_the_detail_runs_no_query(catalogue, employe, django_assert_num_queries):
    ressource = occupation.ressource_du_detail(catalogue[0].pk, employe)
    detail = occupation.detail_ressource(ressource)

    with django_assert_num_queries(0):
        corps = representation_detail(detail)

    assert len(corps["prochaines_reservations"]) == occupation.NB_PROCHAINES_RESERVATIONS
    assert set(corps["prochaines_reservations"][0]) == {
        "id",
        "user_id",
        "debut",
        "fin",
        "statut",
        "description",
        "nbr_participants",
    }
