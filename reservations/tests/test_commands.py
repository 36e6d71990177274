"""Management commands: seed_demo (demo data, idempotent) and cloturer_journee."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from reservations.management.commands.seed_demo import MARQUEUR, MOT_DE_PASSE_DEMO
from reservations.models import (
    Evenement,
    Recurrence,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
)
from reservations.tests.factories import ReservationFactory, demain_a
from ressources.models import Etat, Ressource, TypeRessource
from sites.models import Department, Site

pytestmark = pytest.mark.django_db


def _lancer(*args, **options):
    sortie = StringIO()
    call_command(*args, stdout=sortie, **options)
    return sortie.getvalue()


def _comptes():
    return {
        modele.__name__: modele.objects.count()
        for modele in (
            Site,
            Department,
            User,
            Ressource,
            ResourceAvailability,
            Reservation,
            Evenement,
        )
    }


# seed_demo ----------------------------------------------------------------------------------


def test_seed_demo_loads_a_realistic_data_set():
    sortie = _lancer("seed_demo")

    assert Site.objects.count() == 4
    assert Department.objects.filter(manager__role=Role.MANAGER).count() >= 4
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert 45 <= Ressource.objects.count() <= 60
    assert set(Ressource.objects.values_list("type_ressource", flat=True)) == set(
        TypeRessource.values
    )
    assert Ressource.objects.exclude(etat=Etat.ACTIVE).count() >= 2
    assert Ressource.objects.filter(validation_requise=True).count() >= 2
    assert Ressource.objects.filter(caracteristiques__possede="wifi").exists()
    periodes = ResourceAvailability.objects.all()
    assert periodes.filter(recurrence=Recurrence.PONCTUEL).exists()
    assert periodes.filter(recurrence=Recurrence.HEBDOMADAIRE).exists()
    assert periodes.filter(type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE).exists()
    assert "Comptes de démonstration" in sortie
    assert "admin@resa.example" in sortie
    assert MOT_DE_PASSE_DEMO in sortie
    _verifier_les_reservations_de_demo()
    _verifier_la_connexion("admin@resa.example", MOT_DE_PASSE_DEMO)
    # Booked through the services, so journaled, as done by a command.
    assert Evenement.objects.filter(type="reservation.creee").count() == (
        Reservation.objects.count()
    )
    assert set(Evenement.objects.values_list("canal", flat=True)) == {"commande"}


def _verifier_les_reservations_de_demo():
    """Four weeks around today, every status, booked through the rules (no overlap)."""
    maintenant = timezone.now()
    reservations = Reservation.objects.filter(description__startswith=MARQUEUR)
    assert reservations.count() >= 100
    assert reservations.filter(fin__lt=maintenant - timedelta(days=7)).exists()
    assert reservations.filter(debut__gt=maintenant + timedelta(days=7)).exists()
    assert not reservations.filter(debut__lt=maintenant - timedelta(days=15)).exists()
    assert not reservations.filter(fin__gt=maintenant + timedelta(days=16)).exists()
    statuts = set(reservations.values_list("statut", flat=True))
    assert {
        StatutReservation.EN_ATTENTE,
        StatutReservation.CONFIRME,
        StatutReservation.FINI,
        StatutReservation.ANNULE,
        StatutReservation.NON_PRESENT,
    } == statuts
    assert not reservations.filter(statut=StatutReservation.CONFIRME, fin__lte=maintenant).exists()
    assert not reservations.filter(ressource__etat=Etat.EN_MAINTENANCE).exists()
    for r in reservations.bloquantes():
        assert (
            not Reservation.objects.bloquantes()
            .filter(ressource=r.ressource_id)
            .chevauche(r.debut, r.fin)
            .exclude(pk=r.pk)
            .exists()
        )


def _verifier_la_connexion(email, password):
    user = User.objects.get(email=email)
    assert user.check_password(password)
    reponse = Client().post("/admin/login/?next=/admin/", {"username": email, "password": password})
    assert reponse.status_code == 302


def test_running_seed_demo_again_changes_no_count_and_sets_the_given_password():
    _lancer("seed_demo")
    avant = _comptes()

    sortie = _lancer("seed_demo", password="Autre-mot-de-passe-2025")

    assert _comptes() == avant
    assert "Autre-mot-de-passe-2025" in sortie
    for user in User.objects.filter(email__endswith="@resa.example"):
        assert user.check_password("Autre-mot-de-passe-2025")
    _verifier_la_connexion("admin@resa.example", "Autre-mot-de-passe-2025")


def test_the_history_seed_demo_writes_runs_forwards():
    _lancer("seed_demo")

    creations = dict(
        Evenement.objects.filter(type="reservation.creee").values_list("reservation_id", "date")
    )
    suites = Evenement.objects.filter(reservation__isnull=False).exclude(type="reservation.creee")
    assert suites.filter(type="reservation.terminee").exists()
    for reservation_id, date in suites.values_list("reservation_id", "date"):
        assert date >= creations[reservation_id]
    assert not Reservation.objects.filter(date_modification__lt=F("date_creation")).exists()


# cloturer_journee ---------------------------------------------------------------------------


@pytest.fixture
def journee():
    return {
        "passee": ReservationFactory(debut=demain_a(9, jours=-1), fin=demain_a(10, jours=-1)),
        "autre_passee": ReservationFactory(
            debut=demain_a(11, jours=-2), fin=demain_a(12, jours=-2)
        ),
        "en_attente": ReservationFactory(
            debut=demain_a(9, jours=-1),
            fin=demain_a(10, jours=-1),
            statut=StatutReservation.EN_ATTENTE,
        ),
        "annulee": ReservationFactory(
            debut=demain_a(9, jours=-1),
            fin=demain_a(10, jours=-1),
            statut=StatutReservation.ANNULE,
        ),
        "a_venir": ReservationFactory(debut=demain_a(9), fin=demain_a(10)),
    }


def _statuts(journee):
    return {
        nom: Reservation.objects.get(pk=reservation.pk).statut
        for nom, reservation in journee.items()
    }


def test_cloturer_journee_finishes_confirmed_reservations_that_have_ended(journee):
    sortie = _lancer("cloturer_journee")

    assert "2 réservation(s) clôturée(s)." in sortie
    assert _statuts(journee) == {
        "passee": StatutReservation.FINI,
        "autre_passee": StatutReservation.FINI,
        "en_attente": StatutReservation.EN_ATTENTE,
        "annulee": StatutReservation.ANNULE,
        "a_venir": StatutReservation.CONFIRME,
    }


def test_cloturer_journee_dry_run_counts_without_changing_anything(journee):
    avant = _statuts(journee)

    sortie = _lancer("cloturer_journee", "--dry-run")

    assert "2 réservation(s) seraient clôturée(s)" in sortie
    assert _statuts(journee) == avant


def test_cloturer_journee_twice_finds_nothing_the_second_time(journee):
    _lancer("cloturer_journee")

    assert "0 réservation(s) clôturée(s)." in _lancer("cloturer_journee")
