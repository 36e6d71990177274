import factory

from accounts.tests.factories import UserFactory
from reservations.models import ModeSerie, OrigineSerie, Serie
from ressources.tests.factories import RessourceFactory


class SerieFactory(factory.django.DjangoModelFactory):
    """A series row alone: give its occurrences with ``ReservationFactory(serie=...)``."""

    class Meta:
        model = Serie

    ressource = factory.SubFactory(RessourceFactory)
    user = factory.SubFactory(UserFactory)
    createur = factory.SelfAttribute("user")
    origine = OrigineSerie.RECURRENCE
    recurrence = factory.LazyFunction(
        lambda: {
            "frequence": "hebdomadaire",
            "intervalle": 1,
            "jours": ["lu"],
            "jusqu_au": None,
            "nombre": 4,
        }
    )
    mode = ModeSerie.TOUT_OU_RIEN
