import factory

from ressources.models import Etat, Ressource, TypeRessource
from sites.tests.factories import SiteFactory


class RessourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ressource

    nom = factory.Sequence(lambda n: f"Ressource {n:04d}")
    type_ressource = TypeRessource.SALLE
    capacite_maximum = 10
    site = factory.SubFactory(SiteFactory)
    etat = Etat.ACTIVE
    localisation_batiment = "Bâtiment A"
    caracteristiques = factory.LazyFunction(list)
    images = factory.LazyFunction(list)
