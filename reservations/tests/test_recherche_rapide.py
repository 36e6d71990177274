"""The fast free search: the closed form of the periods' occurrences against ``calendrier``,
and ``GET /ressources/disponibles`` (ids, then the page's rows) against the lazy search and
the booking rules."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reservations import calendrier, recherche, regles
from reservations.models import Recurrence, TypeDisponibilite
from reservations.tests.factories import ReservationFactory, ResourceAvailabilityFactory
from ressources.models import TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

URL = "/ressources/disponibles"

# Europe/Paris: a quiet day, and the days around both changes of 2027 (and the autumn 2026 one).
JOUR_CALME = date(2027, 1, 15)
JOURS_CHANGEMENT = [date(2026, 10, 25), date(2027, 3, 28), date(2027, 3, 29), date(2027, 10, 31)]


def _local(jour, heure, minute=0):
    return timezone.make_aware(datetime.combine(jour, time(heure, minute)))


def _periode(debut, fin, recurrence, fin_recurrence=None, ressource_id=1):
    return recherche._Periode(
        (ressource_id, TypeDisponibilite.MAINTENANCE, debut, fin, recurrence, fin_recurrence)
    )


def _periodes_variees(rng, nombre):
    """Repeating periods starting in summer or winter time, lasting up to their step, some
    ending (``fin_recurrence``) before, during or after the windows."""
    for _ in range(nombre):
        recurrence = rng.choice(
            [Recurrence.QUOTIDIEN, Recurrence.HEBDOMADAIRE, Recurrence.PONCTUEL]
        )
        jour = date(2026, 6, 1) + timedelta(days=rng.randrange(0, 520))
        debut = _local(jour, rng.randrange(0, 24), rng.choice([0, 15, 30, 45]))
        pas_minutes = 7 * 24 * 60 if recurrence == Recurrence.HEBDOMADAIRE else 24 * 60
        fin = debut + timedelta(minutes=15 * rng.randrange(1, pas_minutes // 15 + 1))
        fin_recurrence = None
        if recurrence != Recurrence.PONCTUEL and rng.random() < 0.4:
            fin_recurrence = jour + timedelta(days=rng.randrange(0, 600))
        yield _periode(debut, fin, recurrence, fin_recurrence)


def _fenetres(rng, jours, nombre):
    for _ in range(nombre):
        jour = rng.choice(jours)
        quart = rng.randrange(0, 96)
        debut = _local(jour, quart // 4, (quart % 4) * 15)
        yield debut, debut + timedelta(minutes=15 * rng.choice([2, 3, 8, 16, 40, 96]))


@pytest.mark.parametrize("jours", [[JOUR_CALME], JOURS_CHANGEMENT], ids=["calme", "changement"])
def test_the_closed_form_finds_the_occurrences_calendrier_finds(jours):
    rng = random.Random(13)
    periodes = list(_periodes_variees(rng, 300))
    formes_closes = 0
    for debut, fin in _fenetres(
        rng, [j + timedelta(days=d) for j in jours for d in (-1, 0, 1)], 60
    ):
        debut, fin = debut.astimezone(UTC), fin.astimezone(UTC)
        fenetre = recherche._Fenetre(debut, fin)
        formes_closes += fenetre.forme_close
        for periode in periodes:
            assert fenetre.touche(periode) == calendrier.touche(periode, debut, fin), (
                periode.debut,
                periode.fin,
                periode.recurrence,
                periode.fin_recurrence,
                debut,
            )
            assert fenetre.couvre(periode) == calendrier.couvre(periode, debut, fin)
    # Quiet days are computed in closed form; near a change of offset, calendrier decides.
    assert formes_closes == 60 if jours == [JOUR_CALME] else formes_closes < 30


@pytest.mark.parametrize("jour", JOURS_CHANGEMENT[:2] + [JOURS_CHANGEMENT[3]])
def test_calendrier_decides_on_the_days_the_offset_changes(jour):
    for veille_ou_jour in (jour - timedelta(days=1), jour):
        assert not recherche._Fenetre(
            _local(veille_ou_jour, 9), _local(veille_ou_jour, 10)
        ).forme_close
    assert recherche._Fenetre(
        _local(jour, 9) + timedelta(days=4), _local(jour, 10) + timedelta(days=4)
    ).forme_close


def test_the_closed_form_counts_the_occurrences_up_to_fin_recurrence():
    debut = _local(JOUR_CALME, 9)
    quotidienne = _periode(debut, debut + timedelta(hours=1), Recurrence.QUOTIDIEN, JOUR_CALME)
    hebdomadaire = _periode(
        debut, debut + timedelta(hours=1), Recurrence.HEBDOMADAIRE, JOUR_CALME + timedelta(days=13)
    )
    le_jour_meme = recherche._Fenetre(_local(JOUR_CALME, 9, 30), _local(JOUR_CALME, 10, 30))
    lendemain = recherche._Fenetre(
        _local(JOUR_CALME + timedelta(days=1), 9), _local(JOUR_CALME + timedelta(days=1), 10)
    )
    semaine_suivante = recherche._Fenetre(
        _local(JOUR_CALME + timedelta(days=7), 8), _local(JOUR_CALME + timedelta(days=7), 12)
    )
    deux_semaines = recherche._Fenetre(
        _local(JOUR_CALME + timedelta(days=14), 9), _local(JOUR_CALME + timedelta(days=14), 10)
    )

    assert le_jour_meme.touche(quotidienne) and not le_jour_meme.couvre(quotidienne)
    assert not lendemain.touche(quotidienne)
    assert lendemain.couvre(hebdomadaire) is False
    assert semaine_suivante.touche(hebdomadaire) and not semaine_suivante.couvre(hebdomadaire)
    assert not deux_semaines.touche(hebdomadaire)
    assert recherche._Fenetre(_local(JOUR_CALME, 9), _local(JOUR_CALME, 10)).couvre(quotidienne)


# --- through HTTP ------------------------------------------------------------------------------


def _ressources_avec_periodes(jour, nombre=12):
    """Ressources of every type, some booked, some with repeating blocking periods, some
    with normal windows (repeating or not)."""
    site = SiteFactory(horaires_ouverture=time(7), horaires_fermeture=time(20))
    ressources = []
    for i in range(nombre):
        ressource = RessourceFactory(
            site=site,
            nom=f"R{i:02d}",
            type_ressource=[TypeRessource.SALLE, TypeRessource.EQUIPEMENT, TypeRessource.VEHICULE][
                i % 3
            ],
        )
        ressources.append(ressource)
        if i % 4 == 1:
            ReservationFactory(ressource=ressource, debut=_local(jour, 10), fin=_local(jour, 11))
        if i % 5 == 2:
            ResourceAvailabilityFactory(
                ressource=ressource,
                debut=_local(jour - timedelta(days=30), 12),
                fin=_local(jour - timedelta(days=30), 13, 30),
                recurrence=Recurrence.QUOTIDIEN,
            )
        if i % 6 == 3:
            ResourceAvailabilityFactory(
                ressource=ressource,
                type_disponibilite=TypeDisponibilite.EVENEMENT_SPECIAL,
                debut=_local(jour - timedelta(days=7), 15),
                fin=_local(jour - timedelta(days=7), 17),
                recurrence=Recurrence.HEBDOMADAIRE,
            )
        if i % 7 == 4:
            ResourceAvailabilityFactory(
                ressource=ressource,
                type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
                debut=_local(jour - timedelta(days=60), 8),
                fin=_local(jour - timedelta(days=60), 14),
                recurrence=Recurrence.QUOTIDIEN,
            )
        if i % 7 == 5:
            ResourceAvailabilityFactory(
                ressource=ressource,
                type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE,
                debut=_local(jour, 9),
                fin=_local(jour, 12),
            )
    return ressources


def _accepte(ressource, debut, fin):
    try:
        regles.verifier_creneau(ressource, debut, fin, admin=True)
    except (ValidationError, regles.RessourceInactive, regles.ConflitReservation):
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize("jour", [JOUR_CALME, date(2027, 3, 28)], ids=["calme", "changement"])
def test_the_listed_pages_are_the_ressources_the_booking_rules_accept(client_admin, jour):
    ressources = _ressources_avec_periodes(jour)
    for heure, minute, duree in [(9, 0, 60), (10, 30, 90), (12, 15, 120), (15, 0, 60), (8, 0, 30)]:
        debut = _local(jour, heure, minute)
        fin = debut + timedelta(minutes=duree)
        attendus = [
            r.nom for r in sorted(ressources, key=lambda r: r.nom) if _accepte(r, debut, fin)
        ]
        lus = []
        for offset in range(0, 12, 5):
            reponse = client_admin.get(
                URL,
                {"debut": debut.isoformat(), "fin": fin.isoformat(), "offset": offset, "limit": 5},
            )
            assert reponse.status_code == 200, reponse.json()
            corps = reponse.json()
            assert corps["meta"]["total"] == len(attendus)
            assert corps["meta"]["returned"] == len(corps["items"])
            lus += [r["nom"] for r in corps["items"]]

        assert lus == attendus, (debut, fin)
        assert lus == [
            r.nom for r in recherche.ressources_disponibles(debut, fin, admin=True).order_by("nom")
        ]


@pytest.mark.django_db
def test_a_page_beyond_the_last_one_is_empty_with_the_total(client_employe):
    jour = timezone.localdate() + timedelta(days=3)
    _ressources_avec_periodes(jour, nombre=4)
    parametres = {"debut": _local(jour, 9).isoformat(), "fin": _local(jour, 10).isoformat()}

    toutes = client_employe.get(URL, parametres).json()
    au_dela = client_employe.get(URL, {**parametres, "offset": 50}).json()

    assert toutes["meta"]["total"] > 0
    assert au_dela["items"] == []
    assert au_dela["meta"]["total"] == toutes["meta"]["total"]


@pytest.mark.django_db
def test_the_descending_sort_keeps_its_order(client_employe):
    jour = timezone.localdate() + timedelta(days=3)
    _ressources_avec_periodes(jour, nombre=6)
    parametres = {"debut": _local(jour, 8).isoformat(), "fin": _local(jour, 9).isoformat()}

    noms = [
        r["nom"]
        for r in client_employe.get(
            URL, {**parametres, "sort_by": "nom", "sort_order": "desc"}
        ).json()["items"]
    ]

    # R05 may only be booked inside its normal window, 09:00-12:00.
    assert noms == ["R04", "R03", "R02", "R01", "R00"]


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", [1, 60])
def test_four_queries_whatever_the_ressources_and_periods(
    client_employe, django_assert_max_num_queries, nombre
):
    jour = timezone.localdate() + timedelta(days=3)
    _ressources_avec_periodes(jour, nombre=nombre)
    parametres = {"debut": _local(jour, 9).isoformat(), "fin": _local(jour, 10).isoformat()}

    # token, periods, ids of the free ressources, rows of the page
    with django_assert_max_num_queries(4):
        reponse = client_employe.get(URL, {**parametres, "limit": 200})

    assert reponse.status_code == 200
    assert reponse.json()["meta"]["total"] == len(reponse.json()["items"]) >= 1


@pytest.mark.django_db
def test_an_empty_search_is_an_empty_page(client_employe, django_assert_num_queries):
    jour = timezone.localdate() + timedelta(days=3)
    parametres = {"debut": _local(jour, 9).isoformat(), "fin": _local(jour, 10).isoformat()}

    # token, what occupies the ressources, the count: no page to read
    with django_assert_num_queries(3):
        reponse = client_employe.get(URL, {**parametres, "limit": 100})

    assert reponse.status_code == 200
    assert (reponse.json()["meta"]["total"], reponse.json()["items"]) == (0, [])


@pytest.mark.django_db
def test_a_window_at_the_end_of_the_calendar_is_searched_through_calendrier():
    ressource = RessourceFactory(type_ressource=TypeRessource.VEHICULE)
    ResourceAvailabilityFactory(
        ressource=ressource,
        debut=datetime(2026, 1, 1, 9, tzinfo=UTC),
        fin=datetime(2026, 1, 1, 10, tzinfo=UTC),
        recurrence=Recurrence.QUOTIDIEN,
    )
    debut = datetime(9999, 12, 30, 12, tzinfo=UTC)

    assert not recherche._Fenetre(debut, debut + timedelta(hours=1)).forme_close
    assert list(recherche.ressources_disponibles(debut, debut + timedelta(hours=1))) == [ressource]
