"""The state changes of ``services``: who books what in which state, and what each
transition allows."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from resa_project.erreurs import ConflitEtat
from reservations import regles, services
from reservations.models import (
    Recurrence,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
)
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.models import Etat
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salle(db):
    return RessourceFactory()


@pytest.fixture
def salle_a_valider(db):
    return RessourceFactory(validation_requise=True)


# reserver


def test_a_booking_is_confirmed_for_the_caller(salle, employe):
    reservation = services.reserver(
        par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11), description="Point"
    )
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.CONFIRME
    assert (reservation.user, reservation.createur) == (employe, employe)
    assert reservation.description == "Point"
    assert reservation.duree_minutes == 60


def test_a_booking_for_someone_else_keeps_the_caller_as_creator(salle, manager, employe):
    reservation = services.reserver(
        par=manager, user=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11)
    )
    assert (reservation.user, reservation.createur) == (employe, manager)


def test_an_employee_booking_on_a_validation_ressource_waits_for_confirmation(
    salle_a_valider, employe
):
    reservation = services.reserver(
        par=employe, ressource=salle_a_valider, debut=demain_a(10), fin=demain_a(11)
    )
    assert reservation.statut == StatutReservation.EN_ATTENTE


@pytest.mark.parametrize("factory", [ManagerFactory, AdminFactory])
def test_a_manager_or_admin_booking_on_a_validation_ressource_is_confirmed(
    salle_a_valider, factory
):
    reservation = services.reserver(
        par=factory(), ressource=salle_a_valider, debut=demain_a(10), fin=demain_a(11)
    )
    assert reservation.statut == StatutReservation.CONFIRME


def test_a_pending_booking_holds_the_slot_against_the_next_one(salle_a_valider, employe):
    services.reserver(par=employe, ressource=salle_a_valider, debut=demain_a(10), fin=demain_a(11))
    with pytest.raises(regles.ConflitReservation):
        services.reserver(
            par=UserFactory(), ressource=salle_a_valider, debut=demain_a(10), fin=demain_a(11)
        )
    assert Reservation.objects.count() == 1


def test_a_cancelled_booking_frees_its_slot(salle, employe):
    premiere = services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(11))
    services.annuler(premiere, par=employe)
    seconde = services.reserver(
        par=UserFactory(), ressource=salle, debut=demain_a(10), fin=demain_a(11)
    )
    assert seconde.statut == StatutReservation.CONFIRME


def test_an_invalid_booking_saves_nothing(salle, employe):
    with pytest.raises(ValidationError):
        services.reserver(par=employe, ressource=salle, debut=demain_a(10), fin=demain_a(10, 15))
    with pytest.raises(regles.RessourceInactive):
        services.reserver(
            par=employe,
            ressource=RessourceFactory(etat=Etat.HORS_SERVICE),
            debut=demain_a(10),
            fin=demain_a(11),
        )
    assert not Reservation.objects.exists()


def test_the_service_reads_the_ressource_fresh_from_the_database(salle, employe):
    perime = type(salle).objects.get(pk=salle.pk)
    type(salle).objects.filter(pk=salle.pk).update(etat=Etat.EN_MAINTENANCE)
    with pytest.raises(regles.RessourceInactive):
        services.reserver(par=employe, ressource=perime, debut=demain_a(10), fin=demain_a(11))


def test_only_an_admin_books_in_the_past(salle, employe, admin_user):
    hier = demain_a(10, jours=-1)
    with pytest.raises(ValidationError):
        services.reserver(par=employe, ressource=salle, debut=hier, fin=hier + timedelta(hours=1))
    services.reserver(par=admin_user, ressource=salle, debut=hier, fin=hier + timedelta(hours=1))


@pytest.mark.parametrize(
    ("user", "attendu"),
    [("employe", False), ("manager", True), ("admin_user", True), ("porteur", True)],
)
def test_who_may_book_for_someone_else(request, user, attendu):
    if user == "porteur":
        personne = UserFactory(autorisations=["reserver_pour_autrui"])
    else:
        personne = request.getfixturevalue(user)
    assert services.peut_reserver_pour_autrui(personne) is attendu


# modifier


def test_moving_a_booking_over_its_own_slot_does_not_conflict_with_itself(salle, employe):
    reservation = ReservationFactory(ressource=salle, user=employe)
    deplacee = services.modifier(reservation, par=employe, debut=demain_a(10, 30), fin=demain_a(12))
    deplacee.refresh_from_db()
    assert (deplacee.debut, deplacee.fin) == (demain_a(10, 30), demain_a(12))


def test_moving_a_booking_onto_another_one_is_a_conflict(salle, employe):
    autre = ReservationFactory(ressource=salle, debut=demain_a(14), fin=demain_a(15))
    reservation = ReservationFactory(ressource=salle, user=employe)
    with pytest.raises(regles.ConflitReservation) as exc:
        services.modifier(reservation, par=employe, debut=demain_a(14, 30), fin=demain_a(15, 30))
    assert [c["id"] for c in exc.value.donnees["conflits"]] == [autre.pk]
    reservation.refresh_from_db()
    assert reservation.debut == demain_a(10)


def test_moving_a_booking_to_another_ressource_checks_that_ressource(salle, employe):
    autre_salle = RessourceFactory(capacite_maximum=2)
    reservation = ReservationFactory(ressource=salle, user=employe, nbr_participants=5)
    with pytest.raises(ValidationError) as exc:
        services.modifier(reservation, par=employe, ressource=autre_salle)
    assert "nbr_participants" in exc.value.message_dict
    deplacee = services.modifier(
        reservation, par=employe, ressource=autre_salle, nbr_participants=2
    )
    assert Reservation.objects.get(pk=deplacee.pk).ressource == autre_salle


def test_a_past_booking_may_get_a_new_description_but_not_a_new_start_in_the_past(salle, employe):
    hier = demain_a(10, jours=-1)
    reservation = ReservationFactory(
        ressource=salle, user=employe, debut=hier, fin=hier + timedelta(hours=2)
    )
    services.modifier(
        reservation, par=employe, description="Compte rendu", fin=demain_a(12, 30, jours=-1)
    )
    with pytest.raises(ValidationError) as exc:
        services.modifier(reservation, par=employe, debut=hier - timedelta(minutes=30))
    assert exc.value.message_dict["debut"] == [regles.MSG_PASSE]


def test_moving_a_confirmed_booking_on_a_validation_ressource_requeues_it(salle_a_valider, employe):
    reservation = ReservationFactory(ressource=salle_a_valider, user=employe)
    assert services.modifier(reservation, par=employe, note="Café").statut == "confirme"
    deplacee = services.modifier(reservation, par=employe, debut=demain_a(11), fin=demain_a(12))
    assert deplacee.statut == StatutReservation.EN_ATTENTE
    reservation = ReservationFactory(
        ressource=salle_a_valider, debut=demain_a(15), fin=demain_a(16)
    )
    assert services.modifier(reservation, par=ManagerFactory(), fin=demain_a(17)).statut == (
        StatutReservation.CONFIRME
    )


@pytest.mark.parametrize(
    "statut", [StatutReservation.ANNULE, StatutReservation.FINI, StatutReservation.NON_PRESENT]
)
def test_a_closed_booking_cannot_be_modified(salle, admin_user, statut):
    reservation = ReservationFactory(ressource=salle, statut=statut)
    with pytest.raises(ConflitEtat):
        services.modifier(reservation, par=admin_user, note="Trop tard")


def test_modifier_refuses_fields_outside_the_contract(salle, admin_user):
    with pytest.raises(ValueError):
        services.modifier(ReservationFactory(ressource=salle), par=admin_user, statut="fini")


# annuler, confirmer, terminer, marquer_non_present


def test_the_holder_may_cancel_up_to_two_hours_before_the_start(salle, employe):
    reservation = ReservationFactory(ressource=salle, user=employe)
    limite = reservation.debut - timedelta(hours=2)
    with pytest.raises(ConflitEtat) as exc:
        services.annuler(reservation, par=employe, maintenant=limite + timedelta(seconds=1))
    assert exc.value.detail == services.MSG_ANNULATION_TARDIVE
    annulee = services.annuler(reservation, par=employe, maintenant=limite)
    assert Reservation.objects.get(pk=annulee.pk).statut == StatutReservation.ANNULE


@pytest.mark.parametrize("factory", [ManagerFactory, AdminFactory])
def test_a_manager_or_admin_may_cancel_until_the_end(salle, factory):
    reservation = ReservationFactory(ressource=salle)
    with pytest.raises(ConflitEtat):
        services.annuler(reservation, par=factory(), maintenant=reservation.fin)
    services.annuler(reservation, par=factory(), maintenant=reservation.fin - timedelta(seconds=1))
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.ANNULE


def test_a_cancelled_booking_cannot_be_cancelled_again(salle, admin_user):
    reservation = ReservationFactory(ressource=salle, statut=StatutReservation.ANNULE)
    with pytest.raises(ConflitEtat):
        services.annuler(reservation, par=admin_user)


def test_only_a_pending_booking_can_be_confirmed(salle, manager):
    attente = ReservationFactory(ressource=salle, statut=StatutReservation.EN_ATTENTE)
    assert services.confirmer(attente, par=manager).statut == StatutReservation.CONFIRME
    with pytest.raises(ConflitEtat) as exc:
        services.confirmer(attente, par=manager)
    assert exc.value.detail == services.MSG_CONFIRMER_ETAT


def test_a_confirmed_booking_is_finished_only_after_its_end(salle, manager):
    reservation = ReservationFactory(ressource=salle)
    with pytest.raises(ConflitEtat) as exc:
        services.terminer(
            reservation, par=manager, maintenant=reservation.fin - timedelta(seconds=1)
        )
    assert exc.value.detail == services.MSG_TERMINER_TROP_TOT
    fini = services.terminer(reservation, par=manager, maintenant=reservation.fin)
    assert fini.statut == StatutReservation.FINI
    with pytest.raises(ConflitEtat):
        services.terminer(reservation, par=manager, maintenant=reservation.fin)


def test_a_pending_booking_cannot_be_finished(salle, manager):
    reservation = ReservationFactory(ressource=salle, statut=StatutReservation.EN_ATTENTE)
    with pytest.raises(ConflitEtat):
        services.terminer(reservation, par=manager, maintenant=reservation.fin + timedelta(days=1))


def test_a_no_show_is_recorded_only_after_the_start(salle, manager):
    reservation = ReservationFactory(ressource=salle)
    with pytest.raises(ConflitEtat) as exc:
        services.marquer_non_present(
            reservation, par=manager, maintenant=reservation.debut - timedelta(seconds=1)
        )
    assert exc.value.detail == services.MSG_NON_PRESENT_TROP_TOT
    absent = services.marquer_non_present(reservation, par=manager, maintenant=reservation.debut)
    assert absent.statut == StatutReservation.NON_PRESENT


def test_closing_the_day_finishes_only_confirmed_bookings_that_are_over(salle):
    passee = ReservationFactory(
        ressource=salle, debut=demain_a(10, jours=-1), fin=demain_a(11, jours=-1)
    )
    attente = ReservationFactory(
        ressource=salle,
        debut=demain_a(12, jours=-1),
        fin=demain_a(13, jours=-1),
        statut=StatutReservation.EN_ATTENTE,
    )
    a_venir = ReservationFactory(ressource=salle)
    assert services.cloturer_journee() == 1
    statuts = dict(Reservation.objects.values_list("pk", "statut"))
    assert statuts == {passee.pk: "fini", attente.pk: "en_cours", a_venir.pk: "confirme"}


# enregistrer_disponibilite


def _maintenance(ressource, **champs):
    champs = {
        "type_disponibilite": TypeDisponibilite.MAINTENANCE,
        "debut": demain_a(9),
        "fin": demain_a(12),
        "raison_indisponibilite": "Peinture",
        **champs,
    }
    return ResourceAvailability(ressource=ressource, **champs)


def test_a_blocking_period_over_bookings_is_refused_with_them(salle, manager):
    reservation = ReservationFactory(ressource=salle)
    ReservationFactory(ressource=salle, debut=demain_a(13), fin=demain_a(14))
    with pytest.raises(regles.ConflitReservation) as exc:
        services.enregistrer_disponibilite(_maintenance(salle), par=manager)
    assert [c["id"] for c in exc.value.donnees["conflits"]] == [reservation.pk]
    assert not ResourceAvailability.objects.exists()


def test_a_blocking_period_may_cancel_the_bookings_it_covers(salle, manager):
    reservation = ReservationFactory(ressource=salle, note="Projecteur")
    attente = ReservationFactory(
        ressource=salle, debut=demain_a(11), fin=demain_a(12), statut=StatutReservation.EN_ATTENTE
    )
    periode, annulees = services.enregistrer_disponibilite(
        _maintenance(salle), par=manager, annuler_conflits=True
    )
    assert periode.pk and sorted(annulees) == sorted([reservation.pk, attente.pk])
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.ANNULE
    assert reservation.note == "Projecteur\n" + services.MSG_ANNULEE_PAR_INDISPONIBILITE.format(
        raison="Peinture"
    )


def test_a_repeating_blocking_period_finds_the_booking_weeks_later(salle, manager):
    lointaine = ReservationFactory(
        ressource=salle, debut=demain_a(10, jours=50), fin=demain_a(11, jours=50)
    )
    ReservationFactory(ressource=salle, debut=demain_a(14, jours=50), fin=demain_a(15, jours=50))
    with pytest.raises(regles.ConflitReservation) as exc:
        services.enregistrer_disponibilite(
            _maintenance(salle, recurrence=Recurrence.QUOTIDIEN), par=manager
        )
    assert [c["id"] for c in exc.value.donnees["conflits"]] == [lointaine.pk]
    services.enregistrer_disponibilite(
        _maintenance(
            salle,
            recurrence=Recurrence.QUOTIDIEN,
            fin_recurrence=timezone.localdate(demain_a(10, jours=49)),
        ),
        par=manager,
    )


def test_a_normal_availability_window_does_not_cancel_anything(salle, manager):
    ReservationFactory(ressource=salle)
    _, annulees = services.enregistrer_disponibilite(
        _maintenance(salle, type_disponibilite=TypeDisponibilite.DISPONIBILITE_NORMALE),
        par=manager,
        annuler_conflits=True,
    )
    assert annulees == []
    assert Reservation.objects.get().statut == StatutReservation.CONFIRME


def test_an_invalid_period_is_a_validation_error(salle, manager):
    with pytest.raises(ValidationError) as exc:
        services.enregistrer_disponibilite(
            _maintenance(salle, recurrence=Recurrence.QUOTIDIEN, fin=demain_a(10, jours=3)),
            par=manager,
        )
    assert "fin" in exc.value.message_dict


def test_moving_an_existing_period_checks_its_new_place(salle, manager):
    periode = ResourceAvailabilityFactory(ressource=salle, debut=demain_a(14), fin=demain_a(15))
    reservation = ReservationFactory(ressource=salle)
    periode.debut, periode.fin = demain_a(10), demain_a(11)
    with pytest.raises(regles.ConflitReservation):
        services.enregistrer_disponibilite(periode, par=manager)
    periode.refresh_from_db()
    assert periode.debut == demain_a(14)
    assert Reservation.objects.get(pk=reservation.pk).statut == StatutReservation.CONFIRME
