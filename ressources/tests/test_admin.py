"""The back-office of ressources writes through ``ressources.services`` with the admin as the
actor, on its own page and inline on its site's page."""

import pytest
from django.contrib import admin as django_admin
from django.contrib.messages import get_messages
from django.test import Client

from reservations import services as reservations_services
from reservations.tests.factories import ReservationFactory
from ressources import services
from ressources.admin import RessourceAdmin
from ressources.models import Ressource, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _gestion(prefixe, total=0):
    return {
        f"{prefixe}-TOTAL_FORMS": total,
        f"{prefixe}-INITIAL_FORMS": 0,
        f"{prefixe}-MIN_NUM_FORMS": 0,
        f"{prefixe}-MAX_NUM_FORMS": 1000,
    }


def _ressource(ressource, **valeurs):
    return {
        "nom": ressource.nom,
        "type_ressource": ressource.type_ressource,
        "site": ressource.site_id,
        "etat": ressource.etat,
        "capacite_maximum": ressource.capacite_maximum,
        "description": ressource.description,
        "caracteristiques": ", ".join(ressource.caracteristiques),
        "images": "\n".join(ressource.images),
        "localisation_batiment": ressource.localisation_batiment,
        "localisation_etage": ressource.localisation_etage,
        "localisation_numero": ressource.localisation_numero,
        "horaires_ouverture": "",
        "horaires_fermeture": "",
        "tarifs_horaires": "",
        "delai_checkin_minutes": ressource.delai_checkin_minutes,
        **_gestion("disponibilites"),
        **valeurs,
    }


def _enregistreur(monkeypatch, nom):
    model_admin = django_admin.site._registry[Ressource]
    service = getattr(model_admin, nom)
    appels = []

    def enregistrer(*args, **kwargs):
        appels.append(kwargs)
        return service(*args, **kwargs)

    monkeypatch.setattr(model_admin, nom, enregistrer)
    return appels


def test_the_admin_uses_the_ressources_services():
    model_admin = django_admin.site._registry[Ressource]

    assert model_admin.service_creer is services.creer_ressource
    assert model_admin.service_modifier is services.modifier_ressource
    assert RessourceAdmin.service_supprimer is services.supprimer_ressource
    # As served, a deletion also journals the deletion of the ressource's periods.
    assert model_admin.service_supprimer is reservations_services.supprimer_ressource_et_periodes


def test_a_change_goes_through_the_service_with_the_changed_fields(
    back_office, admin_user, monkeypatch
):
    ressource = RessourceFactory(capacite_maximum=8)
    appels = _enregistreur(monkeypatch, "service_modifier")

    reponse = back_office.post(
        f"/admin/ressources/ressource/{ressource.pk}/change/",
        _ressource(ressource, capacite_maximum=12, caracteristiques="wifi, visio"),
    )

    assert reponse.status_code == 302
    assert appels == [
        {"par": admin_user, "capacite_maximum": 12, "caracteristiques": ["wifi", "visio"]}
    ]
    ressource.refresh_from_db()
    assert ressource.capacite_maximum == 12


def test_a_ressource_added_inline_on_its_site_goes_through_the_service(
    back_office, admin_user, monkeypatch
):
    site = SiteFactory()
    appels = _enregistreur(monkeypatch, "service_creer")
    ligne = {
        "nom": "Salle Jupiter",
        "type_ressource": TypeRessource.SALLE,
        "capacite_maximum": 6,
        "etat": "active",
        "localisation_batiment": "Bâtiment B",
    }

    reponse = back_office.post(
        f"/admin/sites/site/{site.pk}/change/",
        {
            "nom": site.nom,
            "adresse": site.adresse,
            "horaires_ouverture": site.horaires_ouverture.strftime("%H:%M"),
            "horaires_fermeture": site.horaires_fermeture.strftime("%H:%M"),
            **_gestion("departments"),
            **_gestion("ressources", total=1),
            **{f"ressources-0-{champ}": valeur for champ, valeur in ligne.items()},
        },
    )

    assert reponse.status_code == 302
    assert Ressource.objects.get(site=site).nom == "Salle Jupiter"
    [appel] = appels
    assert appel["par"] == admin_user
    assert appel["site"] == site


def test_a_ressource_booked_after_the_confirmation_page_is_kept_with_an_error_message(
    back_office, monkeypatch
):
    ressource = RessourceFactory()
    ReservationFactory(ressource=ressource)
    model_admin = django_admin.site._registry[Ressource]
    monkeypatch.setattr(
        model_admin, "get_deleted_objects", lambda objs, request: ([], {}, set(), [])
    )

    reponse = back_office.post(
        f"/admin/ressources/ressource/{ressource.pk}/delete/", {"post": "yes"}
    )

    assert reponse.status_code == 302
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == [
        services.MSG_RESSOURCE_REFERENCEE
    ]
    assert Ressource.objects.filter(pk=ressource.pk).exists()
