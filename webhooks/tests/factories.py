import factory
from django.utils import timezone

from webhooks.envoi import nouveau_secret
from webhooks.models import PING, Abonnement, Livraison


class AbonnementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Abonnement

    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/resa")
    evenements = factory.LazyFunction(lambda: ["*"])
    actif = True
    description = ""
    secret = factory.LazyFunction(nouveau_secret)


class LivraisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Livraison

    abonnement = factory.SubFactory(AbonnementFactory)
    type = PING
    corps = '{"type":"webhook.ping","timestamp":"2027-01-01T00:00:00+01:00","data":{}}'
    prochaine_tentative = factory.LazyFunction(timezone.now)
