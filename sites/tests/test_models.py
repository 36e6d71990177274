from datetime import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role
from accounts.tests.factories import UserFactory
from sites.models import MSG_HORAIRES, MSG_MANAGER_ROLE, Department, Site
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db


def site(**champs):
    return Site(
        **{
            "nom": "Siège",
            "adresse": "1 place Bellecour, Lyon",
            "horaires_ouverture": time(8),
            "horaires_fermeture": time(18),
            **champs,
        }
    )


def test_a_valid_site_passes_full_clean():
    site().full_clean()


@pytest.mark.parametrize("fermeture", [time(8), time(7, 59)])
def test_a_site_must_open_before_it_closes(fermeture):
    with pytest.raises(ValidationError) as erreur:
        site(horaires_fermeture=fermeture).full_clean()
    assert erreur.value.message_dict["horaires_fermeture"] == [MSG_HORAIRES]


def test_the_database_also_refuses_closing_before_opening():
    with pytest.raises(IntegrityError), transaction.atomic():
        site(horaires_ouverture=time(18), horaires_fermeture=time(8)).save()


@pytest.mark.parametrize("adresse", ["", None])
def test_a_site_needs_an_address(adresse):
    with pytest.raises(ValidationError) as erreur:
        site(adresse=adresse).full_clean()
    assert list(erreur.value.message_dict) == ["adresse"]


def test_a_site_name_has_at_least_three_characters():
    site(nom="abc").full_clean()
    with pytest.raises(ValidationError) as erreur:
        site(nom="ab").full_clean()
    assert "nom" in erreur.value.message_dict


def test_a_department_name_has_at_least_three_characters():
    with pytest.raises(ValidationError) as erreur:
        Department(nom="RH", site=SiteFactory()).full_clean()
    assert "nom" in erreur.value.message_dict


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMIN])
def test_a_department_may_be_led_by_a_manager_or_an_admin(role):
    Department(nom="Achats", site=SiteFactory(), manager=UserFactory(role=role)).full_clean()


def test_an_employee_cannot_lead_a_department():
    department = Department(nom="Achats", site=SiteFactory(), manager=UserFactory())
    with pytest.raises(ValidationError) as erreur:
        department.full_clean()
    assert erreur.value.message_dict["manager"] == [MSG_MANAGER_ROLE]


def test_a_budget_is_optional_and_never_negative():
    Department(nom="Achats", site=SiteFactory()).full_clean()
    Department(nom="Achats", site=SiteFactory(), budget_annuel=Decimal(0)).full_clean()
    with pytest.raises(ValidationError) as erreur:
        Department(nom="Achats", site=SiteFactory(), budget_annuel=Decimal("-1")).full_clean()
    assert "budget_annuel" in erreur.value.message_dict


def test_the_database_also_refuses_a_negative_budget():
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentFactory(budget_annuel=Decimal("-1"))


def test_sites_and_departments_are_listed_by_id():
    premiers = SiteFactory.create_batch(3)
    assert list(Site.objects.filter(pk__in=[s.pk for s in premiers])) == premiers
    departments = DepartmentFactory.create_batch(3)
    assert list(Department.objects.filter(pk__in=[d.pk for d in departments])) == departments


def test_str_is_the_name():
    assert str(SiteFactory(nom="Siège Lyon")) == "Siège Lyon"
    assert str(DepartmentFactory(nom="Informatique")) == "Informatique"
