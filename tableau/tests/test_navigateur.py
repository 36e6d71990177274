"""The dashboard and a planning week opened in a real headless Chromium, logged in as an
admin: they render, the console has no error, the grid shows a known booking. Screenshots
go to ``$RESA_CAPTURES`` (default: the test's temporary folder)."""

import os
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import AdminFactory
from reservations.models import Recurrence, StatutReservation
from reservations.tests.factories import ReservationFactory, ResourceAvailabilityFactory
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

from . import navigateur
from .conftest import local, lundi_courant

pytestmark = [
    pytest.mark.skipif(not navigateur.disponible(), reason="Chromium absent (/usr/bin/chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def dossier_captures(tmp_path):
    dossier = Path(os.environ.get("RESA_CAPTURES") or tmp_path)
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


@pytest.fixture
def donnees():
    aujourdhui = timezone.localdate()
    lundi = lundi_courant()
    nord = SiteFactory(nom="Campus Nord", horaires_ouverture=time(8), horaires_fermeture=time(18))
    sud = SiteFactory(nom="Siège Sud", horaires_ouverture=time(7), horaires_fermeture=time(20))
    rivoli = RessourceFactory(site=nord, nom="Salle Rivoli")
    opera = RessourceFactory(site=nord, nom="Salle Opéra")
    RessourceFactory(site=nord, nom="Vidéoprojecteur 3", type_ressource="equipement")
    RessourceFactory(site=sud, nom="Salle Bastille")
    ReservationFactory(ressource=rivoli, debut=local(aujourdhui, 10), fin=local(aujourdhui, 12))
    ReservationFactory(ressource=opera, debut=local(aujourdhui, 8), fin=local(aujourdhui, 16))
    mercredi = lundi + timedelta(days=2)
    connue = ReservationFactory(
        ressource=rivoli,
        debut=local(mercredi, 14),
        fin=local(mercredi, 15, 30),
        description="Comité de pilotage",
    )
    ReservationFactory(
        ressource=rivoli,
        debut=local(lundi, 9),
        fin=local(lundi, 10),
        statut=StatutReservation.NON_PRESENT,
    )
    ReservationFactory(
        ressource=rivoli,
        debut=local(lundi + timedelta(days=4), 9),
        fin=local(lundi + timedelta(days=4), 11),
        statut=StatutReservation.EN_ATTENTE,
    )
    ResourceAvailabilityFactory(
        ressource=rivoli,
        debut=local(lundi - timedelta(days=7), 12),
        fin=local(lundi - timedelta(days=7), 13),
        recurrence=Recurrence.QUOTIDIEN,
        raison_indisponibilite="Nettoyage",
    )
    return {"rivoli": rivoli, "nord": nord, "connue": connue}


@pytest.fixture
def navigateur_admin(live_server):
    admin = AdminFactory()
    client = Client()
    client.force_login(admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    nav = navigateur.Navigateur(largeur=1400, hauteur=1000)
    try:
        nav.ouvrir(f"{live_server.url}/admin/login/")
        nav.ajouter_cookie(settings.SESSION_COOKIE_NAME, session)
        nav.journal()
        yield nav
    finally:
        nav.fermer()


def test_the_dashboard_renders_in_a_browser_without_console_errors(
    live_server, navigateur_admin, donnees, dossier_captures
):
    navigateur_admin.ouvrir(f"{live_server.url}/admin/")
    dom = navigateur_admin.dom()
    navigateur_admin.capture(dossier_captures / "tableau_de_bord.png")

    assert "Occupation aujourd'hui" in dom
    assert "File d'approbation" in dom and "Non présents cette semaine" in dom
    assert "Campus Nord" in dom and "Siège Sud" in dom
    assert navigateur_admin.erreurs() == []
    # The chart is drawn: its bars have a size in the page.
    largeur = navigateur_admin.executer(
        "return document.querySelector('#tableau-occupation svg').getBoundingClientRect().width"
    )
    assert largeur > 200


def test_the_planning_week_shows_the_known_booking_in_a_browser(
    live_server, navigateur_admin, donnees, dossier_captures
):
    rivoli, connue = donnees["rivoli"], donnees["connue"]
    navigateur_admin.ouvrir(f"{live_server.url}/admin/tableau/planning/ressource/{rivoli.pk}/")
    navigateur_admin.capture(dossier_captures / "planning_ressource.png")

    assert navigateur_admin.erreurs() == []
    lien = f"/admin/reservations/reservation/{connue.pk}/change/"
    bloc = navigateur_admin.executer(
        f"""const a = document.querySelector('a[href="{lien}"]');
        if (!a) return null;
        const r = a.getBoundingClientRect();
        return {{jour: a.closest('.planning-jour').dataset.date, texte: a.innerText,
                 haut: r.height, large: r.width}};"""
    )
    mercredi = lundi_courant() + timedelta(days=2)
    assert bloc is not None
    assert bloc["jour"] == f"{mercredi:%Y-%m-%d}"
    assert "14:00–15:30" in bloc["texte"]
    assert bloc["haut"] > 40 and bloc["large"] > 80

    navigateur_admin.ouvrir(f"{live_server.url}/admin/tableau/planning/site/{donnees['nord'].pk}/")
    navigateur_admin.capture(dossier_captures / "planning_site.png")
    assert "Planning du site Campus Nord" in navigateur_admin.dom()
    assert navigateur_admin.erreurs() == []
