"""The services that write ressources: the actor is required (``None`` for the system), the
errors keep the model's field names, and a duplicate is recognised by its constraint."""

import pytest
from django.core.exceptions import ValidationError

from ressources import services
from ressources.models import Ressource, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "appel",
    [
        lambda: services.creer_ressource(
            nom="Salle Mars", type_ressource=TypeRessource.SALLE, site=SiteFactory()
        ),
        lambda: services.modifier_ressource(RessourceFactory(), nom="Salle Renommée"),
        lambda: services.supprimer_ressource(RessourceFactory()),
    ],
    ids=["creer", "modifier", "supprimer"],
)
def test_every_service_requires_the_actor(appel):
    with pytest.raises(TypeError, match="par"):
        appel()


def test_an_admin_creates_changes_and_deletes_a_ressource(admin_user):
    ressource = services.creer_ressource(
        par=admin_user, nom="Salle Mars", type_ressource=TypeRessource.SALLE, site=SiteFactory()
    )
    services.modifier_ressource(ressource, par=admin_user, capacite_maximum=4)
    assert Ressource.objects.get(pk=ressource.pk).capacite_maximum == 4

    services.supprimer_ressource(ressource, par=admin_user)

    assert not Ressource.objects.filter(pk=ressource.pk).exists()


def test_renaming_onto_another_ressource_of_the_site_is_a_duplicate():
    existante = RessourceFactory(nom="Salle Mars")
    autre = RessourceFactory(site=existante.site)

    with pytest.raises(services.RessourceEnDouble):
        services.modifier_ressource(autre, par=None, nom="Salle Mars")

    autre.refresh_from_db()
    assert autre.nom != "Salle Mars"


def test_the_same_name_on_another_site_is_no_duplicate():
    RessourceFactory(nom="Salle Mars")

    ressource = services.creer_ressource(
        par=None, nom="Salle Mars", type_ressource=TypeRessource.SALLE, site=SiteFactory()
    )

    assert ressource.pk is not None


def test_a_duplicate_with_another_error_stays_a_validation_error():
    existante = RessourceFactory(nom="Salle Mars")

    with pytest.raises(ValidationError) as erreur:
        services.creer_ressource(
            par=None,
            nom="Salle Mars",
            type_ressource=TypeRessource.SALLE,
            site=existante.site,
            capacite_maximum=0,
        )

    assert not isinstance(erreur.value, services.RessourceEnDouble)
    assert Ressource.objects.filter(nom="Salle Mars").count() == 1


def test_a_general_error_that_is_not_the_duplicate_is_no_conflict(monkeypatch):
    # Same text as the duplicate, other cause: the constraint decides, not the message.
    def refus(self):
        raise ValidationError(services.MSG_NOM_EN_DOUBLE)

    monkeypatch.setattr(Ressource, "clean", refus)

    with pytest.raises(ValidationError) as erreur:
        services.creer_ressource(
            par=None, nom="Salle Mars", type_ressource=TypeRessource.SALLE, site=SiteFactory()
        )

    assert not isinstance(erreur.value, services.RessourceEnDouble)
