import factory

from accounts.models import Role, User
from sites.tests.factories import SiteFactory

MOT_DE_PASSE = "Motdepasse-solide-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    nom_utilisateur = factory.Sequence(lambda n: f"utilisateur{n}")
    email = factory.LazyAttribute(lambda u: f"{u.nom_utilisateur}@example.com")
    nom_prenom = factory.Sequence(lambda n: f"Personne Numéro {n}")
    role = Role.EMPLOYE
    site_principal = factory.SubFactory(SiteFactory)
    password = factory.django.Password(MOT_DE_PASSE)


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class AdminFactory(UserFactory):
    role = Role.ADMIN
