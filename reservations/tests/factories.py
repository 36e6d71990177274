from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from reservations.models import (
    Recurrence,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
)
from ressources.tests.factories import RessourceFactory


def demain_a(heure: int, minute: int = 0, jours: int = 1) -> datetime:
    """An aware datetime ``jours`` days from today at ``heure:minute``, organisation zone."""
    jour = timezone.localdate() + timedelta(days=jours)
    return timezone.make_aware(datetime.combine(jour, time(heure, minute)))


class ReservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reservation

    ressource = factory.SubFactory(RessourceFactory)
    user = factory.SubFactory(UserFactory)
    createur = factory.SelfAttribute("user")
    debut = factory.LazyFunction(lambda: demain_a(10))
    fin = factory.LazyAttribute(lambda r: r.debut + timedelta(hours=1))
    statut = StatutReservation.CONFIRME
    nbr_participants = 1
    # As reserver() freezes them: the ressource's site, the beneficiary's department.
    site = factory.LazyAttribute(lambda r: r.ressource.site)
    department = factory.LazyAttribute(lambda r: r.user.department)


class ResourceAvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceAvailability

    ressource = factory.SubFactory(RessourceFactory)
    type_disponibilite = TypeDisponibilite.MAINTENANCE
    debut = factory.LazyFunction(lambda: demain_a(12))
    fin = factory.LazyAttribute(lambda d: d.debut + timedelta(hours=2))
    recurrence = Recurrence.PONCTUEL
    raison_indisponibilite = "Maintenance programmée"
