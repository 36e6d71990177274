"""Check-in and automatic release (API.md C4) through the services, the periodic job, the
worker command and the back-office action.

Times are passed as ``maintenant`` wherever the service takes it; where the code reads the
clock itself (the booking path, ``worker --once``), the reservations are placed around the
real "now", on a vehicle whose site is open around the clock, so the slots are valid at
any time of day the suite runs.
"""

from datetime import time, timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from resa_project.erreurs import ConflitEtat
from reservations import journal, recherche, regles, services
from reservations.admin import ReservationAdmin
from reservations.models import Evenement, Reservation, StatutReservation, TypeEvenement
from reservations.tests.factories import ReservationFactory, demain_a
from ressources import services as catalogue
from ressources.models import TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

QUART = timedelta(minutes=15)
URL_RESERVATIONS = "/admin/reservations/reservation/"


# Real-clock helpers (shared with the other test_checkin_* modules) -------------------------


def quart_precedent(moment=None):
    """The last grid instant at or before ``moment`` (default: now)."""
    moment = moment or timezone.now()
    local = timezone.localtime(moment)
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


def prochain_debut(marge=timedelta(minutes=1)):
    """The first grid instant at least ``marge`` from now: a start no request made during
    the test can see in the past."""
    debut = quart_precedent()
    while debut < timezone.now() + marge:
        debut += QUART
    return debut


def fin_valide(debut, minutes=30):
    """``debut + minutes``, a quarter later if that falls on local midnight: a vehicle's
    return must be after its site's opening (00:00) on the clock."""
    fin = debut + timedelta(minutes=minutes)
    return fin + QUART if timezone.localtime(fin).time() == time(0, 0) else fin


def vehicule_avec_checkin(delai=5, site=None, **champs):
    """A vehicle requiring check-in, on a site open from 00:00 to 23:59."""
    site = site or SiteFactory(horaires_ouverture=time(0, 0), horaires_fermeture=time(23, 59))
    return RessourceFactory(
        type_ressource=TypeRessource.VEHICULE,
        site=site,
        checkin_requis=True,
        delai_checkin_minutes=delai,
        **champs,
    )


def retenue(ressource, debut, fin, **champs):
    """A confirmed booking with the deadline the services would give it (the factory does
    not go through them, so the slot may lie in the past)."""
    reservation = ReservationFactory(ressource=ressource, debut=debut, fin=fin, **champs)
    reservation.checkin_limite = services.limite_checkin(reservation, ressource)
    Reservation.objects.filter(pk=reservation.pk).update(checkin_limite=reservation.checkin_limite)
    return reservation


def evenements(reservation, type_evenement):
    return list(Evenement.objects.filter(reservation=reservation, type=type_evenement))


# Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def salle(db):
    """A room requiring check-in within 15 minutes (the default delay)."""
    return RessourceFactory(checkin_requis=True)


@pytest.fixture
def reservation(salle, employe):
    """Tomorrow 10:00-11:00, booked through the services: deadline 10:15."""
    return services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11))


@pytest.fixture
def hier(employe):
    """An unclaimed booking of yesterday, past its deadline by the real clock (an admin
    may book in the past)."""
    return services.reserver(
        par=AdminFactory(),
        user=employe,
        ressource=RessourceFactory(checkin_requis=True),
        debut=demain_a(10, jours=-1),
        fin=demain_a(11, jours=-1),
    )


# The deadline set by the services --------------------------------------------------------


def test_a_booking_on_a_ressource_with_check_in_gets_its_deadline(reservation):
    reservation.refresh_from_db()
    assert reservation.checkin_limite == demain_a(10, 15)
    assert reservation.checkin_le is None


def test_a_booking_on_a_ressource_without_check_in_has_no_deadline(employe):
    reservation = services.reserver(
        par=employe, ressource=RessourceFactory(), debut=demain_a(10), fin=demain_a(11)
    )
    reservation.refresh_from_db()
    assert reservation.checkin_limite is None


def test_moving_a_booking_moves_its_deadline(reservation, employe):
    services.modifier(reservation, par=employe, debut=demain_a(14), fin=demain_a(15))
    reservation.refresh_from_db()
    assert reservation.checkin_limite == demain_a(14, 15)

    services.modifier(reservation, par=employe, ressource=RessourceFactory())
    reservation.refresh_from_db()
    assert reservation.checkin_limite is None


def test_a_delay_longer_than_the_booking_ends_the_deadline_at_its_end(employe):
    ressource = RessourceFactory(checkin_requis=True, delai_checkin_minutes=120)
    reservation = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11)
    )
    reservation.refresh_from_db()
    assert reservation.checkin_limite == demain_a(11)
    assert services.fenetre_checkin(reservation, ressource) == (demain_a(9, 45), demain_a(11))


# signaler_arrivee: the window ------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        demain_a(9, 45),  # opens exactly 15 minutes before the start
        demain_a(10),
        demain_a(10, 14) + timedelta(seconds=59),  # the last second before the deadline
    ],
    ids=["ouverture", "debut", "derniere-seconde"],
)
def test_check_in_is_accepted_inside_the_window(reservation, employe, moment):
    services.signaler_arrivee(reservation, par=employe, maintenant=moment)
    reservation.refresh_from_db()
    assert reservation.checkin_le == moment
    assert reservation.statut == StatutReservation.CONFIRME


def test_check_in_a_second_before_the_window_opens_is_refused(reservation, employe):
    with pytest.raises(ConflitEtat) as erreur:
        services.signaler_arrivee(
            reservation, par=employe, maintenant=demain_a(9, 45) - timedelta(seconds=1)
        )
    assert erreur.value.detail == services.MSG_CHECKIN_TROP_TOT.format(
        moment=f"{timezone.localtime(demain_a(9, 45)):%d/%m/%Y} 09:45"
    )
    assert erreur.value.code == "etat_incompatible"
    reservation.refresh_from_db()
    assert reservation.checkin_le is None
    assert not evenements(reservation, TypeEvenement.RESERVATION_CHECKIN)


def test_check_in_at_the_deadline_is_refused_the_deadline_belongs_to_the_release(
    reservation, employe
):
    with pytest.raises(ConflitEtat) as erreur:
        services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(10, 15))
    assert erreur.value.detail == services.MSG_CHECKIN_TROP_TARD.format(
        moment=f"{timezone.localtime(demain_a(10, 15)):%d/%m/%Y} 10:15"
    )
    assert Reservation.objects.a_liberer(demain_a(10, 15)).filter(pk=reservation.pk).exists()
    assert not Reservation.objects.a_liberer(demain_a(10, 15) - timedelta(seconds=1)).exists()


def test_check_in_closes_at_the_end_when_the_delay_extends_past_it(employe):
    ressource = RessourceFactory(checkin_requis=True, delai_checkin_minutes=240)
    reservation = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(10, 30)
    )
    with pytest.raises(ConflitEtat):
        services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(10, 30))
    services.signaler_arrivee(
        reservation, par=employe, maintenant=demain_a(10, 30) - timedelta(seconds=1)
    )
    reservation.refresh_from_db()
    assert reservation.checkin_le == demain_a(10, 30) - timedelta(seconds=1)


def test_check_in_on_a_ressource_without_check_in_uses_its_delay_too(employe):
    ressource = RessourceFactory(delai_checkin_minutes=30)
    reservation = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11)
    )
    with pytest.raises(ConflitEtat):
        services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(10, 30))
    services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(10, 29))


def test_checking_in_twice_is_refused(reservation, employe):
    services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(9, 50))
    with pytest.raises(ConflitEtat) as erreur:
        services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(9, 55))
    assert erreur.value.detail == services.MSG_CHECKIN_DEJA
    reservation.refresh_from_db()
    assert reservation.checkin_le == demain_a(9, 50)
    assert len(evenements(reservation, TypeEvenement.RESERVATION_CHECKIN)) == 1


@pytest.mark.parametrize(
    "statut",
    [
        StatutReservation.EN_ATTENTE,
        StatutReservation.ANNULE,
        StatutReservation.FINI,
        StatutReservation.NON_PRESENT,
    ],
)
def test_only_a_confirmed_reservation_takes_a_check_in(salle, statut):
    reservation = ReservationFactory(
        ressource=salle, debut=demain_a(10), fin=demain_a(11), statut=statut
    )
    with pytest.raises(ConflitEtat) as erreur:
        services.signaler_arrivee(reservation, par=reservation.user, maintenant=demain_a(10))
    assert erreur.value.detail == services.MSG_CHECKIN_ETAT
    reservation.refresh_from_db()
    assert reservation.checkin_le is None


def test_check_in_records_its_event_in_the_journal(reservation, manager):
    moment = demain_a(10, 5)
    services.signaler_arrivee(reservation, par=manager, maintenant=moment)

    (evenement,) = evenements(reservation, TypeEvenement.RESERVATION_CHECKIN)
    assert evenement.acteur == manager
    assert evenement.changements == {"checkin_le": [None, journal.valeur_api(moment)]}
    reservation.refresh_from_db()
    assert evenement.date == reservation.date_modification
    assert [e.type for e in journal.historique(reservation)] == [
        TypeEvenement.RESERVATION_CREEE,
        TypeEvenement.RESERVATION_CHECKIN,
    ]


def test_a_refused_check_in_rolls_back_and_records_nothing(reservation, employe):
    with pytest.raises(ConflitEtat):
        services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(11))
    assert not evenements(reservation, TypeEvenement.RESERVATION_CHECKIN)


# The periodic release ----------------------------------------------------------------------


def test_the_job_releases_an_unclaimed_hold_from_its_deadline(reservation):
    assert services.liberer_les_reservations_expirees(maintenant=demain_a(10, 15)) == 1

    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.NON_PRESENT
    assert reservation.note == services.MSG_LIBEREE_AUTOMATIQUEMENT
    (evenement,) = evenements(reservation, TypeEvenement.RESERVATION_LIBEREE)
    assert evenement.acteur is None
    assert evenement.changements == {
        "statut": ["confirme", "non_present"],
        "note": ["", services.MSG_LIBEREE_AUTOMATIQUEMENT],
    }
    assert evenement.note == services.MSG_LIBEREE_AUTOMATIQUEMENT


def test_the_release_note_follows_the_existing_note(salle, employe):
    reservation = services.reserver(
        par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11), note="Projecteur"
    )
    services.liberer_les_reservations_expirees(maintenant=demain_a(10, 20))
    reservation.refresh_from_db()
    assert reservation.note == f"Projecteur\n{services.MSG_LIBEREE_AUTOMATIQUEMENT}"


def test_the_job_leaves_alone_what_it_must_not_release(salle, employe):
    autre_jour = {"par": employe, "ressource": salle}
    presente = services.reserver(**autre_jour, debut=demain_a(8), fin=demain_a(9))
    services.signaler_arrivee(presente, par=employe, maintenant=demain_a(8, 5))
    pas_encore = services.reserver(**autre_jour, debut=demain_a(10), fin=demain_a(11))
    sans_checkin = services.reserver(
        par=employe, ressource=RessourceFactory(), debut=demain_a(8), fin=demain_a(9)
    )
    en_attente = services.reserver(
        par=employe,
        ressource=RessourceFactory(checkin_requis=True, validation_requise=True),
        debut=demain_a(8),
        fin=demain_a(9),
    )

    moment = demain_a(10, 15) - timedelta(seconds=1)
    assert services.liberer_les_reservations_expirees(maintenant=moment) == 0

    for reservation, statut in [
        (presente, StatutReservation.CONFIRME),
        (pas_encore, StatutReservation.CONFIRME),
        (sans_checkin, StatutReservation.CONFIRME),
        (en_attente, StatutReservation.EN_ATTENTE),
    ]:
        reservation.refresh_from_db()
        assert reservation.statut == statut
    assert not Evenement.objects.filter(type=TypeEvenement.RESERVATION_LIBEREE).exists()


def test_the_job_is_idempotent(reservation):
    assert services.liberer_les_reservations_expirees(maintenant=demain_a(10, 30)) == 1
    assert services.liberer_les_reservations_expirees(maintenant=demain_a(10, 31)) == 0
    assert len(evenements(reservation, TypeEvenement.RESERVATION_LIBEREE)) == 1


def test_the_job_skips_a_hold_claimed_between_its_read_and_its_lock(reservation, monkeypatch):
    """Each row is locked and checked again: a check-in committed after the job listed the
    expired holds wins."""
    vrai = services.liberer

    def check_in_juste_avant(cible, **kwargs):
        Reservation.objects.filter(pk=cible.pk).update(checkin_le=demain_a(10, 14))
        return vrai(cible, **kwargs)

    monkeypatch.setattr(services, "liberer", check_in_juste_avant)
    assert services.liberer_les_reservations_expirees(maintenant=demain_a(10, 20)) == 0
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.CONFIRME


def test_the_job_works_by_batches(salle, employe, monkeypatch):
    monkeypatch.setattr(services, "LOT_LIBERATIONS", 2)
    for heure in (8, 9, 10):
        services.reserver(
            par=employe, ressource=salle, debut=demain_a(heure), fin=demain_a(heure + 1)
        )
    moment = demain_a(12)
    assert services.liberer_les_reservations_expirees(maintenant=moment) == 2
    assert services.liberer_les_reservations_expirees(maintenant=moment) == 1
    assert not Reservation.objects.filter(statut=StatutReservation.CONFIRME).exists()


def test_worker_once_releases_the_expired_holds(hier):
    sortie = StringIO()
    call_command("worker", "--once", stdout=sortie)

    hier.refresh_from_db()
    assert hier.statut == StatutReservation.NON_PRESENT  # released, not closed as fini
    (evenement,) = evenements(hier, TypeEvenement.RESERVATION_LIBEREE)
    assert (evenement.acteur, evenement.canal) == (None, "systeme")
    assert not evenements(hier, TypeEvenement.RESERVATION_TERMINEE)
    assert "reservations.liberations=1" in sortie.getvalue()

    call_command("worker", "--once", stdout=sortie)
    assert len(evenements(hier, TypeEvenement.RESERVATION_LIBEREE)) == 1


# The daily closing -----------------------------------------------------------------------


def test_the_closing_does_not_turn_an_unclaimed_hold_into_fini(hier, employe):
    presente = services.reserver(
        par=AdminFactory(),
        user=employe,
        ressource=hier.ressource,
        debut=demain_a(12, jours=-1),
        fin=demain_a(13, jours=-1),
    )
    Reservation.objects.filter(pk=presente.pk).update(checkin_le=demain_a(12, jours=-1))

    assert services.cloturer_journee() == 1

    hier.refresh_from_db()
    presente.refresh_from_db()
    assert hier.statut == StatutReservation.CONFIRME
    assert presente.statut == StatutReservation.FINI
    assert services.liberer_les_reservations_expirees() == 1


def test_the_closing_leaves_a_hold_whose_delay_outlasts_it_to_the_release(employe):
    """Delay 60 on a 30-minute booking: at its end nobody checked in, and the closing
    running before the release (every 5 minutes) must not record it as having taken
    place."""
    ressource = RessourceFactory(checkin_requis=True, delai_checkin_minutes=60)
    reservation = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(10, 30)
    )
    apres_la_fin = demain_a(10, 45)

    assert services.cloturer_journee(maintenant=apres_la_fin) == 0
    assert services.liberer_les_reservations_expirees(maintenant=apres_la_fin) == 1
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.NON_PRESENT


# The booking path: no worker needed ------------------------------------------------------


@pytest.fixture
def expiree():
    """An unclaimed hold that started 45 minutes before the next free quarter, deadline
    5 minutes after its start (past by the real clock), and that runs one more hour."""
    ressource = vehicule_avec_checkin(delai=5)
    debut = prochain_debut()
    return retenue(ressource, debut - timedelta(minutes=45), fin_valide(debut, 60), note="Réunion")


def test_an_expired_hold_no_longer_blocks_and_the_booking_releases_it(expiree):
    debut = prochain_debut()
    autre = UserFactory()

    nouvelle = services.reserver(
        par=autre, ressource=expiree.ressource, debut=debut, fin=fin_valide(debut)
    )

    assert nouvelle.statut == StatutReservation.CONFIRME
    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.NON_PRESENT
    assert expiree.note == f"Réunion\n{services.MSG_LIBEREE_AUTOMATIQUEMENT}"
    (evenement,) = evenements(expiree, TypeEvenement.RESERVATION_LIBEREE)
    assert evenement.acteur is None
    # Nothing left for the worker.
    assert services.liberer_les_reservations_expirees() == 0


def test_the_free_search_lists_the_ressource_of_an_expired_hold(expiree):
    debut = prochain_debut()
    trouvees = recherche.ressources_disponibles(debut, fin_valide(debut))
    assert expiree.ressource in trouvees
    assert Reservation.objects.bloquantes().filter(pk=expiree.pk).count() == 0


def test_a_hold_before_its_deadline_still_blocks(employe):
    ressource = vehicule_avec_checkin(delai=60)
    debut = prochain_debut()
    tenue = retenue(ressource, quart_precedent(), fin_valide(debut, 60))

    with pytest.raises(regles.ConflitReservation) as erreur:
        services.reserver(par=employe, ressource=ressource, debut=debut, fin=fin_valide(debut))

    assert [c["id"] for c in erreur.value.donnees["conflits"]] == [tenue.pk]
    assert ressource not in recherche.ressources_disponibles(debut, fin_valide(debut))
    tenue.refresh_from_db()
    assert tenue.statut == StatutReservation.CONFIRME


def test_a_rolled_back_booking_leaves_the_hold_unreleased(expiree):
    debut = prochain_debut()

    class Annulation(Exception):
        pass

    with pytest.raises(Annulation), transaction.atomic():
        services.reserver(
            par=UserFactory(), ressource=expiree.ressource, debut=debut, fin=fin_valide(debut)
        )
        raise Annulation

    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.CONFIRME
    assert not evenements(expiree, TypeEvenement.RESERVATION_LIBEREE)
    assert Reservation.objects.count() == 1


def _au_dela_de(expiree):
    """A live booking right after ``expiree`` (touching it: no overlap, so PostgreSQL's
    constraint lets both exist), and a window from the next quarter over both."""
    vivante = retenue(expiree.ressource, expiree.fin, fin_valide(expiree.fin))
    return vivante, prochain_debut(), vivante.fin


def test_a_booking_refused_for_another_conflict_releases_nothing(expiree):
    vivante, debut, fin = _au_dela_de(expiree)

    with pytest.raises(regles.ConflitReservation) as erreur:
        services.reserver(par=UserFactory(), ressource=expiree.ressource, debut=debut, fin=fin)

    assert [c["id"] for c in erreur.value.donnees["conflits"]] == [vivante.pk]
    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.CONFIRME
    assert not evenements(expiree, TypeEvenement.RESERVATION_LIBEREE)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only"
)
def test_a_booking_the_constraint_refuses_after_the_release_rolls_the_release_back(
    expiree, monkeypatch
):
    """The Python check misses the live booking; the release runs, the INSERT violates the
    exclusion constraint, and the 409 rolls everything back, the release included."""
    vivante, debut, fin = _au_dela_de(expiree)
    vrai, appels = regles.conflits_du_creneau, []

    def aveugle_une_fois(*args, **kwargs):
        appels.append(args)
        return [] if len(appels) == 1 else vrai(*args, **kwargs)

    monkeypatch.setattr(regles, "conflits_du_creneau", aveugle_une_fois)

    with pytest.raises(regles.ConflitReservation) as erreur:
        services.reserver(par=UserFactory(), ressource=expiree.ressource, debut=debut, fin=fin)

    assert len(appels) == 2  # the check, then the constraint's 409
    assert [c["id"] for c in erreur.value.donnees["conflits"]] == [vivante.pk]
    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.CONFIRME
    assert not evenements(expiree, TypeEvenement.RESERVATION_LIBEREE)
    assert Reservation.objects.count() == 2


def test_moving_a_booking_onto_an_expired_hold_releases_it(expiree):
    debut = prochain_debut()
    ailleurs = retenue(
        vehicule_avec_checkin(), debut + timedelta(hours=3), fin_valide(debut + timedelta(hours=3))
    )

    services.modifier(
        ailleurs,
        par=ailleurs.user,
        ressource=expiree.ressource,
        debut=debut,
        fin=fin_valide(debut),
    )

    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.NON_PRESENT
    assert len(evenements(expiree, TypeEvenement.RESERVATION_LIBEREE)) == 1


def test_an_expired_hold_is_released_even_once_check_in_was_turned_off(expiree):
    """A started booking keeps its deadline when the ressource stops requiring check-in;
    the booking that takes its time must still release it (on PostgreSQL the exclusion
    constraint would otherwise refuse the INSERT)."""
    catalogue.modifier_ressource(expiree.ressource, par=AdminFactory(), checkin_requis=False)
    expiree.refresh_from_db()
    assert expiree.checkin_limite is not None
    debut = prochain_debut()

    services.reserver(
        par=UserFactory(), ressource=expiree.ressource, debut=debut, fin=fin_valide(debut)
    )

    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.NON_PRESENT
    assert Reservation.objects.filter(statut=StatutReservation.CONFIRME).count() == 1


# recalculer_limites_checkin (the services' side; the API's is in test_checkin_api) -------


def test_changing_the_settings_moves_the_coming_deadlines_only(employe):
    ressource = RessourceFactory()
    a_venir = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11)
    )
    commencee = ReservationFactory(
        ressource=ressource, debut=quart_precedent(), fin=quart_precedent() + timedelta(hours=1)
    )
    admin = AdminFactory()

    catalogue.modifier_ressource(ressource, par=admin, checkin_requis=True)
    a_venir.refresh_from_db()
    commencee.refresh_from_db()
    assert a_venir.checkin_limite == demain_a(10, 15)
    assert commencee.checkin_limite is None

    catalogue.modifier_ressource(ressource, par=admin, delai_checkin_minutes=45)
    a_venir.refresh_from_db()
    assert a_venir.checkin_limite == demain_a(10, 45)

    catalogue.modifier_ressource(ressource, par=admin, checkin_requis=False)
    a_venir.refresh_from_db()
    assert a_venir.checkin_limite is None


def test_recalculating_skips_checked_in_and_closed_bookings(salle, employe):
    presente = services.reserver(par=employe, ressource=salle, debut=demain_a(8), fin=demain_a(9))
    Reservation.objects.filter(pk=presente.pk).update(checkin_le=timezone.now())
    annulee = ReservationFactory(
        ressource=salle, debut=demain_a(12), fin=demain_a(13), statut=StatutReservation.ANNULE
    )
    salle.delai_checkin_minutes = 30

    assert services.recalculer_limites_checkin(salle) == 0
    presente.refresh_from_db()
    annulee.refresh_from_db()
    assert presente.checkin_limite == demain_a(8, 15)
    assert annulee.checkin_limite is None


def test_recalculating_many_bookings_takes_a_fixed_number_of_queries(
    salle, employe, django_assert_max_num_queries
):
    for heure in range(8, 18):
        ReservationFactory(ressource=salle, debut=demain_a(heure), fin=demain_a(heure, 30))
    salle.delai_checkin_minutes = 20

    with django_assert_max_num_queries(3):
        assert services.recalculer_limites_checkin(salle) == 10
    assert set(Reservation.objects.values_list("checkin_limite", flat=True)) == {
        demain_a(heure, 20) for heure in range(8, 18)
    }


# liberer by hand (an admin) and the back-office action ------------------------------------


def test_an_admin_releases_a_started_unclaimed_booking_by_hand(reservation):
    admin = AdminFactory(nom_prenom="Alice Martin")
    services.liberer(reservation, par=admin, maintenant=demain_a(10, 5))

    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.NON_PRESENT
    note = services.MSG_LIBEREE_PAR.format(nom="Alice Martin")
    assert reservation.note == note
    (evenement,) = evenements(reservation, TypeEvenement.RESERVATION_LIBEREE)
    assert (evenement.acteur, evenement.note) == (admin, note)


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (demain_a(10) - timedelta(seconds=1), services.MSG_LIBERER_TROP_TOT),
        (demain_a(11), services.MSG_LIBERER_TERMINEE),
    ],
    ids=["avant-le-debut", "a-la-fin"],
)
def test_a_release_by_hand_needs_a_started_booking_not_yet_over(reservation, moment, message):
    with pytest.raises(ConflitEtat) as erreur:
        services.liberer(reservation, par=AdminFactory(), maintenant=moment)
    assert erreur.value.detail == message
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.CONFIRME


def test_a_checked_in_booking_cannot_be_released(reservation, employe):
    services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(10))
    for par, moment in [(None, demain_a(10, 30)), (AdminFactory(), demain_a(10, 30))]:
        with pytest.raises(ConflitEtat) as erreur:
            services.liberer(reservation, par=par, maintenant=moment)
        assert erreur.value.detail == services.MSG_LIBERER_ETAT


def test_the_automatic_release_waits_for_the_deadline(reservation):
    with pytest.raises(ConflitEtat) as erreur:
        services.liberer(reservation, maintenant=demain_a(10, 15) - timedelta(seconds=1))
    assert erreur.value.detail == services.MSG_LIBERER_AVANT_LIMITE
    services.liberer(reservation, maintenant=demain_a(10, 15))


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _liberer_dans_le_back_office(client, *reservations):
    return client.post(
        URL_RESERVATIONS,
        {"action": "liberer", "_selected_action": [r.pk for r in reservations]},
    )


def test_the_back_office_action_releases_a_started_unclaimed_booking(back_office, admin_user):
    commencee = ReservationFactory(
        ressource=RessourceFactory(checkin_requis=True),
        debut=quart_precedent(),
        fin=quart_precedent() + timedelta(hours=2),
    )

    reponse = _liberer_dans_le_back_office(back_office, commencee)

    assert reponse.status_code == 302
    commencee.refresh_from_db()
    assert commencee.statut == StatutReservation.NON_PRESENT
    note = services.MSG_LIBEREE_PAR.format(nom=admin_user.nom_prenom)
    assert commencee.note == note
    (evenement,) = evenements(commencee, TypeEvenement.RESERVATION_LIBEREE)
    assert (evenement.acteur, evenement.canal, evenement.note) == (admin_user, "admin", note)
    assert "1 réservation(s) libérée(s)." in [str(m) for m in get_messages(reponse.wsgi_request)]


def test_the_back_office_action_refuses_before_the_start_and_after_the_end(back_office):
    a_venir = ReservationFactory(debut=demain_a(10), fin=demain_a(11))
    passee = ReservationFactory(debut=demain_a(10, jours=-1), fin=demain_a(11, jours=-1))

    reponse = _liberer_dans_le_back_office(back_office, a_venir, passee)

    assert reponse.status_code == 302
    messages = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert not any("libérée(s)" in m for m in messages)
    (refus,) = messages
    assert f"n°{a_venir.pk} : {services.MSG_LIBERER_TROP_TOT}" in refus
    assert f"n°{passee.pk} : {services.MSG_LIBERER_TERMINEE}" in refus
    for reservation in (a_venir, passee):
        reservation.refresh_from_db()
        assert reservation.statut == StatutReservation.CONFIRME
    assert not Evenement.objects.filter(type=TypeEvenement.RESERVATION_LIBEREE).exists()


def test_a_manager_cannot_reach_the_back_office_action():
    commencee = ReservationFactory(
        debut=quart_precedent(), fin=quart_precedent() + timedelta(hours=2)
    )
    client = Client()
    client.force_login(ManagerFactory())

    reponse = _liberer_dans_le_back_office(client, commencee)

    assert reponse.status_code == 302
    assert reponse["Location"].startswith("/admin/login/")
    commencee.refresh_from_db()
    assert commencee.statut == StatutReservation.CONFIRME


def test_the_action_itself_refuses_a_user_who_is_not_an_admin():
    """Back-office access is for admins already; the action checks again, in case that
    ever changes."""
    from django.contrib import admin

    commencee = ReservationFactory(
        debut=quart_precedent(), fin=quart_precedent() + timedelta(hours=2)
    )
    requete = RequestFactory().post(URL_RESERVATIONS)
    requete.user = ManagerFactory()
    requete.session = {}
    requete._messages = FallbackStorage(requete)

    ReservationAdmin(Reservation, admin.site).liberer(
        requete, Reservation.objects.filter(pk=commencee.pk)
    )

    assert [str(m) for m in get_messages(requete)] == [
        "Seul un administrateur peut libérer une réservation."
    ]
    commencee.refresh_from_db()
    assert commencee.statut == StatutReservation.CONFIRME


def test_turning_check_in_on_in_the_back_office_gives_coming_bookings_a_deadline(
    back_office, employe
):
    ressource = RessourceFactory()
    a_venir = services.reserver(
        par=employe, ressource=ressource, debut=demain_a(10), fin=demain_a(11)
    )
    formulaire = {
        "nom": ressource.nom,
        "type_ressource": ressource.type_ressource,
        "site": ressource.site_id,
        "etat": ressource.etat,
        "capacite_maximum": ressource.capacite_maximum,
        "localisation_batiment": ressource.localisation_batiment,
        "checkin_requis": "on",
        "delai_checkin_minutes": 20,
        "disponibilites-TOTAL_FORMS": 0,
        "disponibilites-INITIAL_FORMS": 0,
        "disponibilites-MIN_NUM_FORMS": 0,
        "disponibilites-MAX_NUM_FORMS": 1000,
    }

    reponse = back_office.post(f"/admin/ressources/ressource/{ressource.pk}/change/", formulaire)

    assert reponse.status_code == 302, reponse.context["adminform"].form.errors
    a_venir.refresh_from_db()
    assert a_venir.checkin_limite == demain_a(10, 20)


def test_the_back_office_shows_the_check_in_read_only(back_office, reservation, employe):
    services.signaler_arrivee(reservation, par=employe, maintenant=demain_a(9, 50))
    reservation.refresh_from_db()

    liste = back_office.get(URL_RESERVATIONS)
    page = back_office.get(f"{URL_RESERVATIONS}{reservation.pk}/change/")

    assert liste.status_code == page.status_code == 200
    assert "arrivée signalée le" in liste.content.decode().lower()
    formulaire = page.context["adminform"].form
    assert "checkin_le" not in formulaire.fields and "checkin_limite" not in formulaire.fields
    contenu = page.content.decode()
    assert "Arrivée signalée le" in contenu
    assert f"{timezone.localtime(reservation.checkin_le):%H:%M}" in contenu


# The permission and the database's last line of defence ---------------------------------


def test_the_check_in_permission_knows_the_frozen_and_the_current_department():
    from reservations.permissions import PeutSignalerArrivee
    from sites.tests.factories import DepartmentFactory

    ancien, nouveau, etranger = ManagerFactory(), ManagerFactory(), ManagerFactory()
    beneficiaire = UserFactory(department=DepartmentFactory(manager=ancien))
    reservation = ReservationFactory(user=beneficiaire)  # freezes the old department
    beneficiaire.department = DepartmentFactory(manager=nouveau)
    beneficiaire.save()
    reservation.refresh_from_db()
    requete = RequestFactory().post("/")

    def peut(user):
        requete.user = user
        return PeutSignalerArrivee().has_object_permission(requete, None, reservation)

    assert (peut(ancien), peut(nouveau), peut(etranger)) == (True, True, False)
    assert peut(beneficiaire) and peut(AdminFactory())
    assert not peut(UserFactory())


@pytest.mark.parametrize("delai", [4, 241])
def test_the_database_refuses_a_delay_out_of_bounds(delai):
    from django.db import IntegrityError

    ressource = RessourceFactory()
    with pytest.raises(IntegrityError, match="ressource_delai_checkin_borne"), transaction.atomic():
        type(ressource).objects.filter(pk=ressource.pk).update(delai_checkin_minutes=delai)


def test_une_reservation_expiree_ne_se_deplace_ni_ne_s_annule_ni_ne_se_termine():
    """Before the worker records its release, an expired hold is already closed for the
    services: not moved back to life, not cancelled, not closed as ``fini``."""
    maintenant = timezone.now()
    salle = RessourceFactory(checkin_requis=True)
    debut = maintenant - timedelta(hours=2)
    expiree = ReservationFactory(
        ressource=salle,
        debut=debut,
        fin=debut + timedelta(hours=1),
        checkin_limite=debut + timedelta(minutes=15),
    )
    admin = AdminFactory()
    for action in (
        lambda: services.modifier(expiree, par=admin, description="encore là"),
        lambda: services.annuler(expiree, par=admin),
        lambda: services.terminer(expiree, par=admin),
    ):
        with pytest.raises(ConflitEtat, match="libérée"):
            action()
    expiree.refresh_from_db()
    assert expiree.statut == StatutReservation.CONFIRME
    assert services.liberer_les_reservations_expirees() == 1
