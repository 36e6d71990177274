"""The back-office of sites and departments writes through ``sites.services`` with the admin
as the actor, inlines included; a deletion the service refuses is an error message and
leaves everything as it was."""

from datetime import time

import pytest
from django.contrib import admin as django_admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages
from django.test import Client

from accounts.tests.factories import UserFactory
from ressources.tests.factories import RessourceFactory
from sites import services
from sites.models import Department, Site
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

URL_SITES = "/admin/sites/site/"
MSG_SITE_REFERENCE = "Cet objet est encore référencé (ressources) : suppression impossible."


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _messages(reponse):
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def _enregistreur(monkeypatch, modele, nom):
    """Replace the service ``nom`` of the model's admin by one that records its calls, then
    runs the real service. ``appels.avant``: the object's values when it was handed over."""
    model_admin = django_admin.site._registry[modele]
    service = getattr(model_admin, nom)
    appels = _Appels()

    def enregistrer(*args, **kwargs):
        appels.append((args, kwargs))
        if args:
            appels.avant.append(dict(vars(args[0])))
        return service(*args, **kwargs)

    monkeypatch.setattr(model_admin, nom, enregistrer)
    return appels


class _Appels(list):
    def __init__(self):
        super().__init__()
        self.avant = []


def _sans_protection(monkeypatch, modele):
    """What the delete page saw before a reference appeared: nothing protected."""
    model_admin = django_admin.site._registry[modele]
    vrai = model_admin.get_deleted_objects

    def sans_protection(objs, request):
        supprimes, compte, permissions, _ = vrai(objs, request)
        return supprimes, compte, permissions, []

    monkeypatch.setattr(model_admin, "get_deleted_objects", sans_protection)


def _inlines(**formulaires):
    donnees = {}
    for prefixe in ("departments", "ressources"):
        lignes = formulaires.get(prefixe, [])
        donnees |= {
            f"{prefixe}-TOTAL_FORMS": len(lignes),
            f"{prefixe}-INITIAL_FORMS": 0,
            f"{prefixe}-MIN_NUM_FORMS": 0,
            f"{prefixe}-MAX_NUM_FORMS": 1000,
        }
        for i, ligne in enumerate(lignes):
            donnees |= {f"{prefixe}-{i}-{champ}": valeur for champ, valeur in ligne.items()}
    return donnees


def _site(**valeurs):
    return {
        "nom": "Agence Lille",
        "adresse": "1 place du Théâtre, 59000 Lille",
        "horaires_ouverture": "08:00",
        "horaires_fermeture": "18:00",
        **valeurs,
    }


def test_the_admins_use_the_sites_services():
    assert django_admin.site._registry[Site].service_creer is services.creer_site
    assert django_admin.site._registry[Site].service_supprimer is services.supprimer_site
    assert django_admin.site._registry[Department].service_modifier is (
        services.modifier_departement
    )


def test_a_site_created_in_the_back_office_goes_through_the_service(
    back_office, admin_user, monkeypatch
):
    appels = _enregistreur(monkeypatch, Site, "service_creer")

    reponse = back_office.post(f"{URL_SITES}add/", {**_site(), **_inlines()})

    assert reponse.status_code == 302
    site = Site.objects.get(nom="Agence Lille")
    assert site.horaires_fermeture == time(18)
    assert appels == [
        (
            (),
            {
                "par": admin_user,
                "nom": "Agence Lille",
                "adresse": "1 place du Théâtre, 59000 Lille",
                "horaires_ouverture": time(8),
                "horaires_fermeture": time(18),
            },
        )
    ]


def test_a_change_passes_only_the_changed_fields_and_the_stored_site(
    back_office, admin_user, monkeypatch
):
    site = SiteFactory(horaires_ouverture=time(8), horaires_fermeture=time(18))
    appels = _enregistreur(monkeypatch, Site, "service_modifier")

    reponse = back_office.post(
        f"{URL_SITES}{site.pk}/change/",
        {**_site(nom=site.nom, adresse=site.adresse, horaires_fermeture="19:00"), **_inlines()},
    )

    assert reponse.status_code == 302
    [(args, kwargs)] = appels
    assert args[0].pk == site.pk
    assert appels.avant[0]["horaires_fermeture"] == time(18)  # what the service changes from
    assert kwargs == {"par": admin_user, "horaires_fermeture": time(19)}
    site.refresh_from_db()
    assert site.horaires_fermeture == time(19)


def test_an_unchanged_form_writes_nothing(back_office, monkeypatch):
    site = SiteFactory(horaires_ouverture=time(8), horaires_fermeture=time(18))
    appels = _enregistreur(monkeypatch, Site, "service_modifier")

    reponse = back_office.post(
        f"{URL_SITES}{site.pk}/change/",
        {**_site(nom=site.nom, adresse=site.adresse), **_inlines()},
    )

    assert reponse.status_code == 302
    assert appels == []


def test_a_department_added_inline_goes_through_its_service(back_office, admin_user, monkeypatch):
    site = SiteFactory(horaires_ouverture=time(8), horaires_fermeture=time(18))
    appels = _enregistreur(monkeypatch, Department, "service_creer")

    reponse = back_office.post(
        f"{URL_SITES}{site.pk}/change/",
        {
            **_site(nom=site.nom, adresse=site.adresse),
            **_inlines(departments=[{"nom": "Achats", "manager": "", "budget_annuel": "1000"}]),
        },
    )

    assert reponse.status_code == 302
    department = Department.objects.get(site=site)
    assert department.nom == "Achats"
    [(_, kwargs)] = appels
    assert kwargs["par"] == admin_user
    assert kwargs["site"] == site
    assert kwargs["nom"] == "Achats"


def test_a_site_referred_to_after_the_confirmation_page_is_kept_with_an_error_message(
    back_office, monkeypatch
):
    site = RessourceFactory().site
    _sans_protection(monkeypatch, Site)
    url = f"{URL_SITES}{site.pk}/delete/"

    reponse = back_office.post(url, {"post": "yes"})

    assert reponse.status_code == 302
    assert reponse["Location"] == url
    assert _messages(reponse) == [MSG_SITE_REFERENCE]
    assert Site.objects.filter(pk=site.pk).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_a_site_nothing_refers_to_is_deleted_through_the_service(back_office, monkeypatch):
    site = SiteFactory()
    appels = _enregistreur(monkeypatch, Site, "service_supprimer")

    reponse = back_office.post(f"{URL_SITES}{site.pk}/delete/", {"post": "yes"})

    assert reponse.status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()
    assert len(appels) == 1


def test_a_bulk_deletion_with_one_refusal_deletes_nothing(back_office, monkeypatch):
    libre = SiteFactory()
    reference = RessourceFactory().site
    _sans_protection(monkeypatch, Site)

    reponse = back_office.post(
        URL_SITES,
        {"action": "delete_selected", "_selected_action": [libre.pk, reference.pk], "post": "yes"},
    )

    assert reponse.status_code == 302
    assert _messages(reponse) == [MSG_SITE_REFERENCE]
    assert set(Site.objects.filter(pk__in=[libre.pk, reference.pk])) == {libre, reference}
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_a_bulk_deletion_of_free_departments_goes_through_the_service(back_office, monkeypatch):
    departments = DepartmentFactory.create_batch(2)
    appels = _enregistreur(monkeypatch, Department, "service_supprimer")

    reponse = back_office.post(
        "/admin/sites/department/",
        {
            "action": "delete_selected",
            "_selected_action": [d.pk for d in departments],
            "post": "yes",
        },
    )

    assert reponse.status_code == 302
    assert not Department.objects.filter(pk__in=[d.pk for d in departments]).exists()
    assert len(appels) == 2


def test_a_department_with_members_is_still_shown_as_protected(back_office):
    department = DepartmentFactory()
    UserFactory(department=department)
    url = f"/admin/sites/department/{department.pk}/delete/"

    reponse = back_office.post(url, {"post": "yes"})

    assert reponse.status_code == 200
    assert reponse.context["protected"]
    assert Department.objects.filter(pk=department.pk).exists()
