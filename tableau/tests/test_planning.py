"""The week planning of a site and of a ressource: blocks at their slot with their links,
unavailability occurrences, week navigation, access and query pins."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from reservations.models import Recurrence, StatutReservation
from reservations.tests.factories import ReservationFactory, ResourceAvailabilityFactory
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory
from tableau import selectors

from .conftest import local, lundi_courant

pytestmark = pytest.mark.django_db


@pytest.fixture
def ressource():
    site = SiteFactory(nom="Campus Nord", horaires_ouverture=time(8), horaires_fermeture=time(18))
    return RessourceFactory(site=site, nom="Salle Rivoli")


def _url_ressource(ressource, semaine=None):
    url = f"/admin/tableau/planning/ressource/{ressource.pk}/"
    return url if semaine is None else f"{url}?semaine={semaine}"


def _colonne(html: str, jour) -> str:
    """The HTML of one day column of the grid."""
    debut = html.index(f'data-date="{jour:%Y-%m-%d}"')
    fin = html.find('class="planning-jour', debut)
    return html[debut : fin if fin != -1 else len(html)]


def test_a_booking_appears_in_its_day_at_its_hours_with_a_link(back_office, ressource):
    mercredi = lundi_courant() + timedelta(days=2)
    reservation = ReservationFactory(
        ressource=ressource, debut=local(mercredi, 10), fin=local(mercredi, 11, 30)
    )

    reponse = back_office.get(_url_ressource(ressource))

    assert reponse.status_code == 200
    colonne = _colonne(reponse.content.decode(), mercredi)
    assert f'href="/admin/reservations/reservation/{reservation.pk}/change/"' in colonne
    assert "10:00–11:30" in colonne
    assert "statut-confirme" in colonne
    # 07:00-21:00 grid: 10:00 is 3/14 from the top, 1 h 30 is 1.5/14 high.
    assert "top:21.429%;height:10.714%" in colonne
    assert "10:00–11:30" not in _colonne(reponse.content.decode(), mercredi + timedelta(days=1))


def test_each_status_but_cancelled_is_shown_with_its_own_class(back_office, ressource):
    jeudi = lundi_courant() + timedelta(days=3)
    for heure, statut in enumerate(StatutReservation.values):
        ReservationFactory(
            ressource=ressource,
            debut=local(jeudi, 8 + heure),
            fin=local(jeudi, 9 + heure),
            statut=statut,
        )

    html = _colonne(back_office.get(_url_ressource(ressource)).content.decode(), jeudi)

    for statut in ("en_cours", "confirme", "fini", "non_present"):
        assert f"statut-{statut}" in html
    assert "statut-annule" not in html


def test_a_weekly_unavailability_appears_on_its_day_of_this_week(back_office, ressource):
    mardi_il_y_a_deux_semaines = lundi_courant() - timedelta(days=13)
    periode = ResourceAvailabilityFactory(
        ressource=ressource,
        debut=local(mardi_il_y_a_deux_semaines, 14),
        fin=local(mardi_il_y_a_deux_semaines, 15),
        recurrence=Recurrence.HEBDOMADAIRE,
        raison_indisponibilite="Ménage hebdomadaire",
    )

    html = back_office.get(_url_ressource(ressource)).content.decode()

    mardi = lundi_courant() + timedelta(days=1)
    colonne = _colonne(html, mardi)
    assert "Ménage hebdomadaire" in colonne and "14:00–15:00" in colonne
    assert f'href="/admin/reservations/resourceavailability/{periode.pk}/change/"' in colonne
    assert html.count(f"/resourceavailability/{periode.pk}/change/") == 1


def test_overlapping_blocks_are_put_side_by_side(ressource):
    lundi = lundi_courant()
    ReservationFactory(ressource=ressource, debut=local(lundi, 9), fin=local(lundi, 11))
    ResourceAvailabilityFactory(ressource=ressource, debut=local(lundi, 10), fin=local(lundi, 12))

    blocs = selectors.planning_semaine(lundi, ressource=ressource)[0].blocs

    assert [(b.couloir, b.nb_couloirs) for b in blocs] == [(0, 2), (1, 2)]


def test_a_booking_over_midnight_is_cut_into_its_two_days(ressource):
    lundi = lundi_courant()
    ReservationFactory(
        ressource=ressource, debut=local(lundi, 22), fin=local(lundi + timedelta(days=1), 2)
    )

    jours = selectors.planning_semaine(lundi, ressource=ressource)

    assert len(jours[0].blocs) == len(jours[1].blocs) == 1
    assert timezone.localtime(jours[1].blocs[0].debut).time() == time(0)


def test_previous_and_next_week_links_move_by_seven_days(back_office, ressource):
    lundi = lundi_courant()
    html = back_office.get(_url_ressource(ressource)).content.decode()

    assert f'href="{_url_ressource(ressource, lundi - timedelta(days=7))}"' in html
    assert f'href="{_url_ressource(ressource, lundi + timedelta(days=7))}"' in html

    suivante = lundi + timedelta(days=7)
    reservation = ReservationFactory(
        ressource=ressource, debut=local(suivante, 9), fin=local(suivante, 10)
    )
    html = back_office.get(_url_ressource(ressource, suivante + timedelta(days=3))).content.decode()
    assert f'data-date="{suivante:%Y-%m-%d}"' in html
    assert f"/admin/reservations/reservation/{reservation.pk}/change/" in html


@pytest.mark.parametrize(
    "semaine", ["", "demain", "2026-13-45", "2026-02-30", "9999999-01-01", "%00"]
)
def test_a_bad_week_falls_back_to_the_current_week(back_office, ressource, semaine):
    reponse = back_office.get(_url_ressource(ressource) + f"?semaine={semaine}")

    assert reponse.status_code == 200
    assert f'data-date="{lundi_courant():%Y-%m-%d}"' in reponse.content.decode()


def test_the_site_planning_shows_the_bookings_of_all_its_ressources(back_office, ressource):
    autre = RessourceFactory(site=ressource.site, nom="Salle Opéra")
    ailleurs = RessourceFactory(nom="Salle Ailleurs")
    lundi = lundi_courant()
    r1 = ReservationFactory(ressource=ressource, debut=local(lundi, 9), fin=local(lundi, 10))
    r2 = ReservationFactory(ressource=autre, debut=local(lundi, 9), fin=local(lundi, 10))
    r3 = ReservationFactory(ressource=ailleurs, debut=local(lundi, 9), fin=local(lundi, 10))

    reponse = back_office.get(f"/admin/tableau/planning/site/{ressource.site.pk}/")

    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Planning du site Campus Nord" in html
    assert f"/reservation/{r1.pk}/change/" in html and f"/reservation/{r2.pk}/change/" in html
    assert f"/reservation/{r3.pk}/change/" not in html
    assert "Salle Rivoli ·" in html and "Salle Opéra ·" in html
    # Links to each ressource's planning of the same week.
    assert f'href="{_url_ressource(autre, lundi)}"' in html


def test_the_site_and_ressource_change_pages_link_to_their_planning(back_office, ressource):
    html = back_office.get(f"/admin/sites/site/{ressource.site.pk}/change/").content.decode()
    assert f'href="/admin/tableau/planning/site/{ressource.site.pk}/"' in html
    html = back_office.get(f"/admin/ressources/ressource/{ressource.pk}/change/").content.decode()
    assert f'href="{_url_ressource(ressource)}"' in html


def test_an_unknown_site_or_ressource_is_a_404(back_office):
    assert back_office.get("/admin/tableau/planning/site/999999/").status_code == 404
    assert back_office.get("/admin/tableau/planning/ressource/999999/").status_code == 404


def test_a_non_admin_is_sent_to_the_login_from_a_planning(client, employe, ressource):
    client.force_login(employe)
    reponse = client.get(_url_ressource(ressource))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("nombre", [1, 40])
def test_the_plannings_answer_in_a_fixed_number_of_queries(
    back_office, ressource, nombre, django_assert_max_num_queries
):
    lundi = lundi_courant()
    for i in range(nombre):
        r = RessourceFactory(site=ressource.site)
        jour = lundi + timedelta(days=i % 7)
        ReservationFactory(ressource=r, debut=local(jour, 9), fin=local(jour, 10))
        ReservationFactory(
            ressource=ressource,
            debut=local(jour, 8) + timedelta(minutes=15 * (i // 7)),
            fin=local(jour, 8, 15) + timedelta(minutes=15 * (i // 7)),
        )
        ResourceAvailabilityFactory(
            ressource=r, debut=local(jour, 12), fin=local(jour, 13), recurrence=Recurrence.QUOTIDIEN
        )

    with django_assert_max_num_queries(6):
        reponse = back_office.get(f"/admin/tableau/planning/site/{ressource.site.pk}/")
    assert reponse.status_code == 200
    assert len(re.findall(r'class="reservation statut-', reponse.content.decode())) == 2 * nombre
    with django_assert_max_num_queries(5):
        assert back_office.get(_url_ressource(ressource)).status_code == 200
