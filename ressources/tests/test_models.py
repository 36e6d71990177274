"""The Ressource model: its single-object rules, its query vocabulary, and the services that
save it through ``full_clean``."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from resa_project.erreurs import ObjetReference
from reservations.tests.factories import ReservationFactory, ResourceAvailabilityFactory
from ressources import services
from ressources.models import (
    MSG_HORAIRES,
    MSG_HORAIRES_PAIRE,
    MSG_HORAIRES_SALLE,
    Ressource,
    TypeRessource,
)
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def _erreurs(ressource):
    with pytest.raises(ValidationError) as erreur:
        ressource.full_clean()
    return erreur.value.message_dict


def test_a_room_uses_its_own_hours_else_its_site_hours():
    site = SiteFactory(horaires_ouverture=time(7), horaires_fermeture=time(20))

    assert RessourceFactory(site=site).horaires() == (time(7), time(20))
    assert RessourceFactory(
        site=site, horaires_ouverture=time(9), horaires_fermeture=time(12)
    ).horaires() == (time(9), time(12))


@pytest.mark.parametrize(
    ("champs", "champ", "message"),
    [
        ({"horaires_ouverture": time(9)}, "horaires_fermeture", MSG_HORAIRES_PAIRE),
        ({"horaires_ouverture": time(12), "horaires_fermeture": time(9)}, "horaires_fermeture", MSG_HORAIRES),
        (
            {"type_ressource": TypeRessource.VEHICULE, "horaires_ouverture": time(8), "horaires_fermeture": time(9)},
            "horaires_ouverture",
            MSG_HORAIRES_SALLE,
        ),
        ({"capacite_maximum": 0}, "capacite_maximum", None),
        ({"nom": "AB"}, "nom", None),
        ({"caracteristiques": "wifi"}, "caracteristiques", None),
        ({"images": ["javascript:alert(1)"]}, "images", None),
        ({"tarifs_horaires": -5}, "tarifs_horaires", None),
    ],
)  # fmt: skip
def test_full_clean_rejects_an_incoherent_ressource(champs, champ, message):
    ressource = RessourceFactory.build(site=SiteFactory(), **champs)

    erreurs = _erreurs(ressource)

    assert champ in erreurs
    if message:
        assert erreurs[champ] == [message]


def test_the_database_refuses_a_duplicate_name_on_a_site():
    ressource = RessourceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RessourceFactory(site=ressource.site, nom=ressource.nom)


def test_avec_caracteristiques_requires_every_one():
    wifi = RessourceFactory(caracteristiques=["wifi"])
    les_deux = RessourceFactory(caracteristiques=["projecteur", "wifi"])
    RessourceFactory(caracteristiques=["wifi-6"])

    assert set(Ressource.objects.avec_caracteristiques(["wifi"])) == {wifi, les_deux}
    assert list(Ressource.objects.avec_caracteristiques(["wifi", "projecteur"])) == [les_deux]
    assert set(Ressource.objects.avec_caracteristiques([])) == set(Ressource.objects.all())


def test_creer_ressource_saves_a_valid_ressource():
    site = SiteFactory()

    ressource = services.creer_ressource(
        par=None,
        nom="Salle Vénus",
        type_ressource=TypeRessource.SALLE,
        site=site,
        capacite_maximum=6,
    )

    assert Ressource.objects.get() == ressource


def test_creer_ressource_reports_errors_under_the_model_field_names():
    with pytest.raises(ValidationError) as erreur:
        services.creer_ressource(par=None, nom="Salle Vénus", type_ressource=TypeRessource.SALLE)

    assert "site" in erreur.value.message_dict
    assert not Ressource.objects.exists()


def test_the_serializer_reports_a_model_error_under_the_json_name():
    from ressources.serializers import RessourceSerializer

    erreurs = RessourceSerializer().erreurs_json(
        ValidationError({"site": ["Ce champ ne peut pas être vide."], "__all__": ["Non."]})
    )

    assert erreurs == {"site_id": ["Ce champ ne peut pas être vide."], "non_field_errors": ["Non."]}


def test_a_duplicate_alone_is_a_conflict():
    ressource = RessourceFactory()

    with pytest.raises(services.RessourceEnDouble) as erreur:
        services.creer_ressource(
            par=None, nom=ressource.nom, type_ressource=TypeRessource.SALLE, site=ressource.site
        )

    assert erreur.value.status_code == 409
    assert erreur.value.detail == "Une ressource porte déjà ce nom sur ce site."


def test_modifier_ressource_checks_everything_again():
    ressource = RessourceFactory(horaires_ouverture=time(8), horaires_fermeture=time(18))

    with pytest.raises(ValidationError):
        services.modifier_ressource(ressource, par=None, type_ressource=TypeRessource.EQUIPEMENT)

    ressource.refresh_from_db()
    assert ressource.type_ressource == TypeRessource.SALLE


def test_supprimer_ressource_refuses_a_ressource_still_booked():
    reservation = ReservationFactory()
    ResourceAvailabilityFactory(ressource=reservation.ressource)

    with pytest.raises(ObjetReference):
        services.supprimer_ressource(reservation.ressource, par=None)

    assert Ressource.objects.filter(pk=reservation.ressource_id).exists()
