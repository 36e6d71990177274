from datetime import time

import factory

from sites.models import Department, Site


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    nom = factory.Sequence(lambda n: f"Site {n:03d}")
    adresse = factory.Faker("address", locale="fr_FR")
    horaires_ouverture = time(7, 0)
    horaires_fermeture = time(20, 0)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    nom = factory.Sequence(lambda n: f"Département {n:03d}")
    site = factory.SubFactory(SiteFactory)
    manager = None
    budget_annuel = None
