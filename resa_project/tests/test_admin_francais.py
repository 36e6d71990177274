"""The back-office reads entirely in French, with accents: app, model and field names,
column headers and actions (issue 7, item 9)."""

import re
from html import unescape

import pytest
from django.apps import apps
from django.test import Client

from reservations.tests.factories import ReservationFactory
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory

NOMS_DES_APPS = {
    "accounts": "Comptes",
    "sites": "Sites et départements",
    "ressources": "Ressources",
    "reservations": "Réservations",
    "notifications": "Notifications",
    "calendriers": "Calendriers",
    "webhooks": "Webhooks",
    "taches": "Travaux de fond",
}
APPS = tuple(NOMS_DES_APPS)

# Fields whose automatic label (the name with spaces) is already the right French word.
LABELS_AUTOMATIQUES_FRANCAIS = {
    "nom",
    "adresse",
    "description",
    "note",
    "site",
    "manager",
    "ressource",
    "statut",
    "images",
    "autorisations",
    "fin",
    "compte_actif",
    "site_principal",
    "budget_annuel",
    "validation_requise",
    "destinataire",
    "tentatives",
    "prochaine_tentative",
    "actif",
    "abonnement",
}

# Words that must carry an accent when they appear in a label.
MOTS_SANS_ACCENT = {
    "batiment",
    "beneficiaire",
    "capacite",
    "caracteristiques",
    "creation",
    "createur",
    "debut",
    "departement",
    "disponibilite",
    "etage",
    "etat",
    "indisponibilite",
    "numero",
    "priorite",
    "prenom",
    "recurrence",
    "reservation",
    "reservations",
    "role",
}


def _modeles():
    for app in APPS:
        yield from apps.get_app_config(app).get_models()


def _champs():
    for modele in _modeles():
        for champ in modele._meta.concrete_fields:
            if not champ.auto_created:
                yield pytest.param(champ, id=f"{modele.__name__}.{champ.name}")


def _texte(html):
    """What a person reads: the page without its tags, scripts and attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _entetes(html):
    cellules = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html, flags=re.S)
    return [_texte(cellule) for cellule in cellules]


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_a_french_name(app):
    assert apps.get_app_config(app).verbose_name == NOMS_DES_APPS[app]


@pytest.mark.parametrize("modele", list(_modeles()), ids=lambda modele: modele.__name__)
def test_every_model_has_a_french_singular_and_plural(modele):
    options = modele._meta

    assert "verbose_name" in options.original_attrs
    assert "verbose_name_plural" in options.original_attrs
    for nom in (str(options.verbose_name), str(options.verbose_name_plural)):
        assert not set(nom.split()) & MOTS_SANS_ACCENT, nom


@pytest.mark.parametrize("champ", list(_champs()))
def test_every_field_has_an_explicit_french_label(champ):
    _, _, _, kwargs = champ.deconstruct()
    label = str(champ.verbose_name)

    assert "verbose_name" in kwargs
    assert label != champ.name.replace("_", " ") or champ.name in LABELS_AUTOMATIQUES_FRANCAIS
    assert not set(re.split(r"[\s']", label)) & MOTS_SANS_ACCENT, label


def test_the_admin_index_names_apps_and_models_in_french(back_office):
    texte = _texte(back_office.get("/admin/").content.decode())

    for nom in (
        "Comptes",
        "Utilisateurs",
        "Sites et départements",
        "Sites",
        "Départements",
        "Ressources",
        "Réservations",
        "Disponibilités",
    ):
        assert nom in texte
    for anglais in ("accounts", "department", "reservation", "availability", "user"):
        assert anglais not in texte.lower()


def test_the_ressource_list_has_accented_column_headers(back_office):
    RessourceFactory()

    reponse = back_office.get("/admin/ressources/ressource/")

    assert reponse.status_code == 200
    entetes = _entetes(reponse.content.decode())
    for entete in ("Type de ressource", "Capacité maximale", "État", "Bâtiment"):
        assert entete in entetes
    assert "Capacite maximum" not in reponse.content.decode()


def test_the_reservation_list_has_french_headers_filters_and_actions(back_office):
    ReservationFactory()

    reponse = back_office.get("/admin/reservations/reservation/")

    html = reponse.content.decode()
    entetes = _entetes(html)
    for entete in ("Bénéficiaire", "Début", "Fin", "Statut", "Nombre de participants", "Créateur"):
        assert entete in entetes
    texte = _texte(html)
    assert "Par type de ressource" in texte
    assert "Supprimer les réservations sélectionnées" in texte
    assert "Confirmer les réservations sélectionnées" in texte


def test_a_site_still_referred_to_names_the_referring_objects_in_french(client_admin):
    site = SiteFactory()
    DepartmentFactory(site=site)

    reponse = client_admin.delete(f"/sites/{site.pk}")

    assert reponse.status_code == 409
    assert "Cet objet est encore référencé (départements)" in reponse.json()["detail"]
