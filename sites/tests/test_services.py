"""The services that write sites and departments: the actor is required, every rule of the
model runs, and a deletion refused by a reference is a domain error naming the referrers."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import ManagerFactory, UserFactory
from resa_project.erreurs import ObjetReference
from ressources.tests.factories import RessourceFactory
from sites import services
from sites.models import MSG_HORAIRES, MSG_MANAGER_ROLE, Department, Site
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

SITE = {
    "nom": "Agence Lille",
    "adresse": "1 place du Théâtre, 59000 Lille",
    "horaires_ouverture": time(8),
    "horaires_fermeture": time(18),
}


@pytest.mark.parametrize(
    "appel",
    [
        lambda: services.creer_site(**SITE),
        lambda: services.modifier_site(SiteFactory(), nom="Renommé"),
        lambda: services.supprimer_site(SiteFactory()),
        lambda: services.creer_departement(nom="Achats", site=SiteFactory()),
        lambda: services.modifier_departement(DepartmentFactory(), nom="Renommé"),
        lambda: services.supprimer_departement(DepartmentFactory()),
    ],
    ids=["creer_site", "modifier_site", "supprimer_site", "creer_dep", "modifier_dep", "supp_dep"],
)
def test_every_service_requires_the_actor(appel):
    with pytest.raises(TypeError, match="par"):
        appel()


def test_a_site_is_created_by_a_user_or_by_the_system(admin_user):
    par_admin = services.creer_site(par=admin_user, **SITE)
    par_systeme = services.creer_site(par=None, **{**SITE, "nom": "Agence Lens"})

    assert set(Site.objects.filter(nom__startswith="Agence L")) == {par_admin, par_systeme}


def test_creating_a_site_runs_the_models_rules():
    with pytest.raises(ValidationError) as erreur:
        services.creer_site(par=None, **{**SITE, "horaires_fermeture": time(7)})

    assert erreur.value.message_dict == {"horaires_fermeture": [MSG_HORAIRES]}
    assert not Site.objects.exists()


def test_a_partial_update_checks_every_rule_again_and_keeps_the_row_on_refusal():
    site = SiteFactory(horaires_ouverture=time(8), horaires_fermeture=time(18))

    with pytest.raises(ValidationError):
        services.modifier_site(site, par=None, horaires_ouverture=time(19))

    site.refresh_from_db()
    assert site.horaires_ouverture == time(8)
    services.modifier_site(site, par=None, nom="Agence Renommée")
    site.refresh_from_db()
    assert site.nom == "Agence Renommée"


@pytest.mark.parametrize(
    ("referencer", "nommes"),
    [
        (lambda site: RessourceFactory(site=site), "ressources"),
        (lambda site: DepartmentFactory(site=site), "départements"),
        (lambda site: UserFactory(site_principal=site), "utilisateurs"),
    ],
    ids=["ressource", "department", "user"],
)
def test_deleting_a_site_still_referred_to_is_an_objet_reference(admin_user, referencer, nommes):
    site = SiteFactory()
    referencer(site)

    with pytest.raises(ObjetReference) as erreur:
        services.supprimer_site(site, par=admin_user)

    assert erreur.value.status_code == 409
    assert erreur.value.code == "objet_reference"
    assert erreur.value.detail == (
        f"Cet objet est encore référencé ({nommes}) : suppression impossible."
    )
    assert Site.objects.filter(pk=site.pk).exists()


def test_a_site_nothing_refers_to_is_deleted(admin_user):
    site = SiteFactory()

    services.supprimer_site(site, par=admin_user)

    assert not Site.objects.filter(pk=site.pk).exists()


def test_a_department_manager_must_be_a_manager_or_an_admin():
    with pytest.raises(ValidationError) as erreur:
        services.creer_departement(
            par=None, nom="Achats", site=SiteFactory(), manager=UserFactory()
        )

    assert erreur.value.message_dict == {"manager": [MSG_MANAGER_ROLE]}
    department = services.creer_departement(
        par=None, nom="Achats", site=SiteFactory(), manager=ManagerFactory()
    )
    assert Department.objects.get() == department


def test_deleting_a_department_with_members_is_an_objet_reference(admin_user):
    department = DepartmentFactory()
    UserFactory(department=department)

    with pytest.raises(ObjetReference) as erreur:
        services.supprimer_departement(department, par=admin_user)

    assert "(utilisateurs)" in erreur.value.detail
    assert Department.objects.filter(pk=department.pk).exists()
    services.modifier_departement(department, par=admin_user, budget_annuel=1000)
    department.refresh_from_db()
    assert department.budget_annuel == 1000
