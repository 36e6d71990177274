"""The admin index as a dashboard: figures on known data, links, access and query pins."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from reservations.models import StatutReservation
from reservations.tests.factories import ReservationFactory
from ressources.models import Etat
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory
from tableau import selectors

from .conftest import local, lundi_courant

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_8_18():
    return SiteFactory(
        nom="Site Huit-Dix-Huit", horaires_ouverture=time(8), horaires_fermeture=time(18)
    )


def _occupation(site):
    return next(o for o in selectors.occupation_du_jour() if o.site == site)


def test_two_hours_booked_on_a_ressource_open_from_8_to_18_is_20_percent(site_8_18):
    ressource = RessourceFactory(site=site_8_18)
    aujourdhui = timezone.localdate()
    ReservationFactory(ressource=ressource, debut=local(aujourdhui, 10), fin=local(aujourdhui, 12))

    assert _occupation(site_8_18).taux == 20.0


def test_awaiting_and_finished_count_cancelled_and_no_shows_do_not(site_8_18):
    ressource = RessourceFactory(site=site_8_18)
    jour = timezone.localdate()
    ReservationFactory(
        ressource=ressource,
        debut=local(jour, 8),
        fin=local(jour, 9),
        statut=StatutReservation.EN_ATTENTE,
    )
    ReservationFactory(
        ressource=ressource,
        debut=local(jour, 9),
        fin=local(jour, 10),
        statut=StatutReservation.FINI,
    )
    ReservationFactory(
        ressource=ressource,
        debut=local(jour, 10),
        fin=local(jour, 12),
        statut=StatutReservation.ANNULE,
    )
    ReservationFactory(
        ressource=ressource,
        debut=local(jour, 12),
        fin=local(jour, 14),
        statut=StatutReservation.NON_PRESENT,
    )
    ReservationFactory(
        ressource=ressource,
        debut=local(jour + timedelta(days=1), 8),
        fin=local(jour + timedelta(days=1), 16),
    )

    assert _occupation(site_8_18).taux == 20.0


def test_a_room_with_its_own_hours_and_an_inactive_ressource_change_the_open_time(site_8_18):
    salle = RessourceFactory(
        site=site_8_18, horaires_ouverture=time(9), horaires_fermeture=time(13)
    )
    RessourceFactory(site=site_8_18)
    RessourceFactory(site=site_8_18, etat=Etat.HORS_SERVICE)
    jour = timezone.localdate()
    ReservationFactory(ressource=salle, debut=local(jour, 9), fin=local(jour, 11, 48))

    occupation = _occupation(site_8_18)
    # 2 h 48 booked over 4 h + 10 h open.
    assert occupation.nb_ressources == 2
    assert occupation.taux == 20.0


def test_a_site_without_ressources_is_at_zero():
    site = SiteFactory()
    assert _occupation(site).taux == 0.0


def test_the_dashboard_shows_each_site_occupancy_in_an_svg_chart(back_office, site_8_18):
    ressource = RessourceFactory(site=site_8_18)
    jour = timezone.localdate()
    ReservationFactory(ressource=ressource, debut=local(jour, 10), fin=local(jour, 12))

    reponse = back_office.get("/admin/")

    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert '<svg class="tableau-graphique"' in html
    assert "Site Huit-Dix-Huit" in html
    assert "20 %" in html
    assert f'href="/admin/tableau/planning/site/{site_8_18.pk}/"' in html
    # The app list is still there.
    assert 'href="/admin/reservations/reservation/"' in html


def test_the_approval_queue_counts_the_awaiting_reservations_and_links_to_them(back_office):
    for _ in range(3):
        ReservationFactory(statut=StatutReservation.EN_ATTENTE)
    ReservationFactory(statut=StatutReservation.CONFIRME)

    reponse = back_office.get("/admin/")

    assert reponse.context["tableau"]["nb_en_attente"] == 3
    html = reponse.content.decode()
    assert 'href="/admin/reservations/reservation/?statut__exact=en_cours"' in html
    assert (
        back_office.get("/admin/reservations/reservation/?statut__exact=en_cours").status_code
        == 200
    )


def test_no_shows_of_this_week_are_counted_and_listed_with_links(back_office):
    lundi = lundi_courant()
    cette_semaine = ReservationFactory(
        debut=local(lundi, 0, 30), fin=local(lundi, 1, 30), statut=StatutReservation.NON_PRESENT
    )
    dimanche = lundi + timedelta(days=6)
    ReservationFactory(
        debut=local(dimanche, 22), fin=local(dimanche, 23), statut=StatutReservation.NON_PRESENT
    )
    ReservationFactory(
        debut=local(lundi - timedelta(days=1), 22),
        fin=local(lundi - timedelta(days=1), 23),
        statut=StatutReservation.NON_PRESENT,
    )
    ReservationFactory(debut=local(lundi, 10), fin=local(lundi, 11), statut=StatutReservation.FINI)

    reponse = back_office.get("/admin/")

    tableau = reponse.context["tableau"]
    assert tableau["nb_non_presents"] == 2
    assert tableau["non_presents"][0] == cette_semaine
    assert (
        f'href="/admin/reservations/reservation/{cette_semaine.pk}/change/"'
        in reponse.content.decode()
    )


def test_the_no_show_count_goes_beyond_the_short_list():
    lundi = lundi_courant()
    ressource = RessourceFactory()
    for i in range(selectors.NB_NON_PRESENTS_LISTES + 2):
        ReservationFactory(
            ressource=ressource,
            debut=local(lundi, 8) + timedelta(minutes=30 * i),
            fin=local(lundi, 8, 15) + timedelta(minutes=30 * i),
            statut=StatutReservation.NON_PRESENT,
        )

    total, liste = selectors.non_presents_de_la_semaine()

    assert total == selectors.NB_NON_PRESENTS_LISTES + 2
    assert len(liste) == selectors.NB_NON_PRESENTS_LISTES


def test_ressources_under_10_percent_over_30_days_are_listed_least_busy_first(
    back_office, site_8_18
):
    vide = RessourceFactory(site=site_8_18, nom="Salle vide")
    peu = RessourceFactory(site=site_8_18, nom="Salle peu utilisée")
    occupee = RessourceFactory(site=site_8_18, nom="Salle occupée")
    RessourceFactory(site=site_8_18, nom="Salle hors service", etat=Etat.HORS_SERVICE)
    aujourdhui = timezone.localdate()
    for i in range(1, 5):  # 4 x 8 h = 32 h over 30 x 10 h: 10.7 %
        jour = aujourdhui - timedelta(days=i)
        ReservationFactory(ressource=occupee, debut=local(jour, 9), fin=local(jour, 17))
    hier = aujourdhui - timedelta(days=1)
    ReservationFactory(ressource=peu, debut=local(hier, 9), fin=local(hier, 12))  # 1 %
    ancien = aujourdhui - timedelta(days=31)  # outside the 30 days
    ReservationFactory(ressource=vide, debut=local(ancien, 9), fin=local(ancien, 17))

    reponse = back_office.get("/admin/")

    sous = [(s.ressource.nom, s.taux) for s in reponse.context["tableau"]["sous_occupees"]]
    noms = [nom for nom, _ in sous]
    assert ("Salle vide", 0.0) in sous and ("Salle peu utilisée", 1.0) in sous
    assert noms.index("Salle vide") < noms.index("Salle peu utilisée")
    assert "Salle occupée" not in noms and "Salle hors service" not in noms
    assert f'href="/admin/tableau/planning/ressource/{vide.pk}/"' in reponse.content.decode()


@pytest.mark.parametrize("utilisateur", ["anonyme", "employe", "manager"])
def test_non_admins_are_sent_to_the_admin_login(utilisateur, request):
    client = Client()
    if utilisateur != "anonyme":
        client.force_login(request.getfixturevalue(utilisateur))
    site = SiteFactory()

    for url in ("/admin/", f"/admin/tableau/planning/site/{site.pk}/"):
        reponse = client.get(url)
        assert reponse.status_code == 302
        assert reponse["Location"].startswith("/admin/login/")


def _donnees(nombre: int):
    aujourdhui = timezone.localdate()
    lundi = lundi_courant()
    for _ in range(nombre):
        site = SiteFactory()
        for j in range(3):
            ressource = RessourceFactory(
                site=site, horaires_ouverture=time(8 + j % 2), horaires_fermeture=time(18)
            )
            ReservationFactory(
                ressource=ressource, debut=local(aujourdhui, 10), fin=local(aujourdhui, 11)
            )
            ReservationFactory(
                ressource=ressource,
                debut=local(aujourdhui, 12),
                fin=local(aujourdhui, 13),
                statut=StatutReservation.EN_ATTENTE,
            )
            ReservationFactory(
                ressource=ressource,
                debut=local(lundi, 7),
                fin=local(lundi, 8),
                statut=StatutReservation.NON_PRESENT,
            )


@pytest.mark.parametrize("nombre", [1, 30])
def test_the_dashboard_answers_in_a_fixed_number_of_queries(
    back_office, nombre, django_assert_max_num_queries
):
    _donnees(nombre)
    with django_assert_max_num_queries(11):
        reponse = back_office.get("/admin/")
    assert reponse.status_code == 200
    assert reponse.context["tableau"]["nb_en_attente"] == 3 * nombre
