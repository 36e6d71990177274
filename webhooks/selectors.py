"""Read-side queries of the webhooks (each list in a fixed number of queries)."""

from .models import Abonnement, Livraison


def abonnements():
    return Abonnement.objects.order_by("id")


def livraisons(abonnement):
    """The deliveries of ``abonnement``, newest first."""
    return Livraison.objects.filter(abonnement_id=abonnement.pk).order_by("-id")


def journal_des_livraisons(abonnement):
    """``livraisons`` for the delivery log: without the bodies, which it does not show."""
    return livraisons(abonnement).defer("corps")
