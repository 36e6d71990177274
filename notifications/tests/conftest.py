"""Fixtures of the notification tests: one site with a department, its manager, an
employee of it, and two ressources (one needing approval)."""

import pytest
from django.core import mail

from accounts.models import Autorisation
from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from reservations import services as reservations
from reservations.tests.factories import demain_a
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory


@pytest.fixture
def diffusion(django_capture_on_commit_callbacks):
    """``with diffusion():`` runs what the block's commits trigger: the journal's diffusion
    task, then the sending task (both run in process: the tests' ImmediateBackend)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def siege(db):
    return SiteFactory(nom="Siège de Lyon", adresse="12 rue de la République\n69002 Lyon")


@pytest.fixture
def chef(siege):
    return ManagerFactory(nom_prenom="Claire Chef", site_principal=siege)


@pytest.fixture
def equipe(siege, chef):
    return DepartmentFactory(nom="Études", site=siege, manager=chef)


@pytest.fixture
def alice(siege, equipe):
    return UserFactory(
        nom_prenom="Alice Martin",
        email="alice@example.com",
        site_principal=siege,
        department=equipe,
    )


@pytest.fixture
def secretaire(siege, equipe):
    return UserFactory(
        nom_prenom="Sam Secrétaire",
        site_principal=siege,
        department=equipe,
        autorisations=[Autorisation.RESERVER_POUR_AUTRUI.value],
    )


@pytest.fixture
def admin_resa(db):
    return AdminFactory(nom_prenom="Ada Admin")


@pytest.fixture
def salle(siege):
    return RessourceFactory(
        nom="Salle Bleue",
        site=siege,
        localisation_batiment="Bâtiment A",
        localisation_etage="2",
        localisation_numero="204",
    )


@pytest.fixture
def salle_a_valider(siege):
    return RessourceFactory(nom="Amphithéâtre", site=siege, validation_requise=True)


@pytest.fixture
def reserver(diffusion):
    """Book through the service, its notices diffused and sent."""

    def reserver(par, ressource, *, heure=10, jours=1, **champs):
        with diffusion():
            return reservations.reserver(
                par=par,
                ressource=ressource,
                debut=demain_a(heure, jours=jours),
                fin=demain_a(heure + 1, jours=jours),
                **champs,
            )

    return reserver


def destinataires(messages=None):
    """The addresses of the messages sent (default: every message of the outbox)."""
    return sorted(
        adresse for m in (mail.outbox if messages is None else messages) for adresse in m.to
    )
