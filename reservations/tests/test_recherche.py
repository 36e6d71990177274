"""The free search, checked against the booking rules themselves."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError

from reservations import recherche, regles
from reservations.models import Recurrence, StatutReservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat, Ressource, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def _reservation(ressource, debut, fin, statut=StatutReservation.CONFIRME):
    return ReservationFactory(ressource=ressource, debut=debut, fin=fin, statut=statut)


# --- free search --------------------------------------------------------------------------


def _disponibles(debut, fin, **kwargs):
    return set(recherche.ressources_disponibles(debut, fin, **kwargs).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("debut", "fin", "champ"),
    [
        (demain_a(9, 10), demain_a(10), "debut"),
        (demain_a(9), demain_a(9), "fin"),
        (demain_a(9), demain_a(8), "fin"),
        (demain_a(9), demain_a(9, 15), "fin"),
        (demain_a(9, jours=-2), demain_a(10, jours=-2), "debut"),
        (demain_a(9), demain_a(9, 15, jours=2), "fin"),
    ],
)
def test_free_search_refuses_a_window_no_booking_could_have(debut, fin, champ):
    with pytest.raises(ValidationError) as erreur:
        recherche.ressources_disponibles(debut, fin)

    assert champ in erreur.value.message_dict


def test_free_search_lets_admins_look_in_the_past():
    ressource = RessourceFactory(type_ressource=TypeRessource.VEHICULE)

    assert _disponibles(demain_a(9, jours=-2), demain_a(10, jours=-2), admin=True) == {ressource.pk}


def _ressources_variees():
    """One ressource per rule of the booking check."""
    site = SiteFactory()
    site_court = SiteFactory(horaires_ouverture=time(8, 30), horaires_fermeture=time(18))
    salle = RessourceFactory(site=site)
    salle_horaires = RessourceFactory(
        site=site, horaires_ouverture=time(9), horaires_fermeture=time(12)
    )
    equipement = RessourceFactory(site=site, type_ressource=TypeRessource.EQUIPEMENT)
    vehicule = RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE)
    vehicule_court = RessourceFactory(site=site_court, type_ressource=TypeRessource.VEHICULE)
    RessourceFactory(site=site, etat=Etat.EN_MAINTENANCE)
    RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE, etat=Etat.HORS_SERVICE)
    salle_reservee = RessourceFactory(site=site)
    _reservation(salle_reservee, demain_a(10), demain_a(11))
    _reservation(salle_reservee, demain_a(14), demain_a(16), StatutReservation.EN_ATTENTE)
    _reservation(salle_reservee, demain_a(7), demain_a(10), StatutReservation.ANNULE)
    vehicule_reserve = RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE)
    _reservation(vehicule_reserve, demain_a(17), demain_a(9, jours=2))
    _reservation(vehicule_reserve, demain_a(8), demain_a(12), StatutReservation.FINI)
    salle_maintenance = RessourceFactory(site=site)
    ResourceAvailabilityFactory(
        ressource=salle_maintenance,
        debut=demain_a(12, jours=-3),
        fin=demain_a(13, jours=-3),
        recurrence=Recurrence.QUOTIDIEN,
    )
    equipement_evenement = RessourceFactory(site=site, type_ressource=TypeRessource.EQUIPEMENT)
    ResourceAvailabilityFactory(
        ressource=equipement_evenement,
        type_disponibilite=TypeDisponibilite.EVENEMENT_SPECIAL,
        debut=demain_a(9),
        fin=demain_a(10, 30),
    )
    salle_fenetre = RessourceFactory(site=site)
    ResourceAvailabilityFactory(
        ressource=salle_fenetre,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(8),
        fin=demain_a(13),
    )
    ResourceAvailabilityFactory(
        ressource=salle_fenetre,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(15, jours=-6),
        fin=demain_a(19, jours=-6),
        recurrence=Recurrence.HEBDOMADAIRE,
    )
    vehicule_fenetre = RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE)
    ResourceAvailabilityFactory(
        ressource=vehicule_fenetre,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(7),
        fin=demain_a(7, jours=2),
    )
    vehicule_fenetre_lointaine = RessourceFactory(site=site, type_ressource=TypeRessource.VEHICULE)
    ResourceAvailabilityFactory(
        ressource=vehicule_fenetre_lointaine,
        type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
        debut=demain_a(7, jours=20),
        fin=demain_a(19, jours=20),
    )
    return [
        salle,
        salle_horaires,
        equipement,
        vehicule,
        vehicule_court,
        salle_reservee,
        vehicule_reserve,
        salle_maintenance,
        equipement_evenement,
        salle_fenetre,
        vehicule_fenetre,
        vehicule_fenetre_lointaine,
    ]


def _fenetres():
    durees = [timedelta(minutes=m) for m in (30, 60, 135, 240, 480, 495, 720, 1440)]
    for quart in range(5 * 4, 21 * 4, 5):  # every 75 minutes from 05:00
        debut = demain_a(quart // 4, (quart % 4) * 15)
        for duree in durees:
            yield debut, debut + duree


def _accepte(ressource, debut, fin):
    try:
        regles.verifier_creneau(ressource, debut, fin)
    except (ValidationError, regles.RessourceInactive, regles.ConflitReservation):
        return False
    return True


def test_free_search_agrees_with_the_booking_rules_on_every_window():
    _ressources_variees()
    toutes = list(Ressource.objects.select_related("site"))
    fenetres = list(_fenetres())
    trouvees_au_moins_une_fois = set()

    for debut, fin in fenetres:
        attendues = {r.pk for r in toutes if _accepte(r, debut, fin)}
        trouvees = _disponibles(debut, fin)
        assert trouvees == attendues, (debut, fin)
        trouvees_au_moins_une_fois |= trouvees

    # The windows exercise every kind of ressource that can ever be booked.
    assert len(trouvees_au_moins_une_fois) == 11
    assert len(fenetres) > 100


def test_free_search_keeps_the_filters_and_the_order_of_its_base():
    a = RessourceFactory(nom="Alpha", capacite_maximum=4)
    b = RessourceFactory(nom="Bravo", capacite_maximum=20)
    c = RessourceFactory(nom="Charlie", capacite_maximum=30)
    _reservation(b, demain_a(9), demain_a(10))
    base = Ressource.objects.order_by("-nom")

    assert list(recherche.ressources_disponibles(demain_a(9), demain_a(10), base=base)) == [c, a]
    assert list(
        recherche.ressources_disponibles(
            demain_a(9), demain_a(10), base=base.filter(capacite_maximum__gte=10)
        )
    ) == [c]
