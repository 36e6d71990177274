"""Reminders (API.md C3): ``rappel_minutes`` before the start of a confirmed booking, once
per reservation and start time, for accounts that want them."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from icalendar import Calendar

from accounts.tests.factories import UserFactory
from notifications import services, taches
from notifications.models import Courriel, StatutCourriel, TypeCourriel
from reservations.models import Reservation, StatutReservation
from reservations.tests.factories import ReservationFactory, demain_a
from taches.registre import periodiques

pytestmark = pytest.mark.django_db

DEBUT = demain_a(10)


@pytest.fixture
def reservation(alice, salle):
    return ReservationFactory(user=alice, ressource=salle, debut=DEBUT, fin=demain_a(11))


def rappels(maintenant):
    """One run of the reminder job at ``maintenant``."""
    return services.envoyer(services.preparer_rappels(maintenant))


def test_the_reminder_leaves_rappel_minutes_before_the_start_not_a_minute_earlier(
    reservation, alice
):
    assert alice.rappel_minutes == 30

    assert rappels(DEBUT - timedelta(minutes=31)) == 0
    assert rappels(DEBUT - timedelta(minutes=30)) == 1

    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == f"Rappel : Salle Bleue, {services.rendu.quand(DEBUT)}"
    assert "Votre réservation commence bientôt" in message.body
    courriel = Courriel.objects.get()
    assert courriel.type == TypeCourriel.RAPPEL
    assert courriel.cle == f"rappel-{reservation.pk}-{int(DEBUT.timestamp())}"


def test_a_reminder_is_sent_once_however_many_runs(reservation):
    for minutes in (30, 29, 20, 1):
        rappels(DEBUT - timedelta(minutes=minutes))

    assert len(mail.outbox) == 1


def test_a_reminder_carries_the_calendar_copy_at_its_current_sequence(reservation):
    rappels(DEBUT - timedelta(minutes=10))

    (piece,) = [
        p for p in mail.outbox[0].message().walk() if p.get_content_type() == "text/calendar"
    ]
    assert piece.get_param("method") == "REQUEST"
    evenement = Calendar.from_ical(piece.get_content()).walk("VEVENT")[0]
    assert str(evenement["UID"]) == f"reservation-{reservation.pk}@localhost"
    assert evenement["SEQUENCE"] == 0  # a factory booking: no journal


def test_each_user_has_their_own_delay(alice, salle, siege):
    tot = UserFactory(site_principal=siege, rappel_minutes=120)
    ReservationFactory(user=tot, ressource=salle, debut=DEBUT, fin=demain_a(11))
    ReservationFactory(user=alice, ressource=salle, debut=demain_a(12), fin=demain_a(13))

    rappels(DEBUT - timedelta(minutes=120))

    assert [m.to for m in mail.outbox] == [[tot.email]]


def test_a_booking_made_after_its_reminder_moment_gets_it_at_the_next_run(reservation):
    assert rappels(DEBUT - timedelta(minutes=5)) == 1


def test_no_reminder_once_the_booking_has_started(reservation):
    assert rappels(DEBUT) == 0
    assert rappels(DEBUT + timedelta(minutes=1)) == 0
    assert Courriel.objects.count() == 0


def test_a_zero_minute_reminder_leaves_at_the_start(reservation, alice):
    alice.rappel_minutes = 0
    alice.save()

    assert rappels(DEBUT - timedelta(minutes=1)) == 0
    assert rappels(DEBUT + timedelta(seconds=30)) == 1
    assert rappels(DEBUT + services.TOLERANCE_RAPPEL_IMMEDIAT) == 0


def test_a_moved_booking_gets_a_new_reminder(reservation):
    rappels(DEBUT - timedelta(minutes=30))
    nouveau = DEBUT + timedelta(hours=3)
    Reservation.objects.filter(pk=reservation.pk).update(
        debut=nouveau, fin=nouveau + timedelta(hours=1)
    )

    rappels(DEBUT - timedelta(minutes=10))  # the old start: nothing now
    rappels(nouveau - timedelta(minutes=30))
    rappels(nouveau - timedelta(minutes=10))

    assert len(mail.outbox) == 2
    assert set(Courriel.objects.values_list("cle", flat=True)) == {
        f"rappel-{reservation.pk}-{int(DEBUT.timestamp())}",
        f"rappel-{reservation.pk}-{int(nouveau.timestamp())}",
    }


@pytest.mark.parametrize(
    "statut",
    [StatutReservation.EN_ATTENTE, StatutReservation.ANNULE, StatutReservation.NON_PRESENT],
)
def test_only_confirmed_bookings_get_a_reminder(reservation, statut):
    Reservation.objects.filter(pk=reservation.pk).update(statut=statut)

    assert rappels(DEBUT - timedelta(minutes=10)) == 0


@pytest.mark.parametrize(
    "preference",
    [{"rappel_minutes": None}, {"notifications_email": False}, {"compte_actif": False}],
    ids=["no reminder", "notifications off", "inactive"],
)
def test_no_reminder_for_accounts_that_do_not_want_it(reservation, alice, preference):
    for champ, valeur in preference.items():
        setattr(alice, champ, valeur)
    alice.save()

    assert services.preparer_rappels(DEBUT - timedelta(minutes=10)) == []
    assert rappels(DEBUT - timedelta(minutes=10)) == 0


def test_a_reminder_whose_booking_was_cancelled_before_its_retry_is_dropped(reservation, settings):
    settings.MAILERS = {"default": {"BACKEND": "notifications.tests.mailers.EnPanne"}}
    rappels(DEBUT - timedelta(minutes=10))
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    Reservation.objects.filter(pk=reservation.pk).update(statut=StatutReservation.ANNULE)
    Courriel.objects.update(prochaine_tentative=DEBUT - timedelta(days=2))

    assert services.envoyer() == 0
    courriel = Courriel.objects.get()
    assert courriel.statut == StatutCourriel.SANS_OBJET
    assert courriel.derniere_erreur == services.MSG_SANS_OBJET_RAPPEL
    assert mail.outbox == []


def test_the_reminder_job_reads_a_fixed_number_of_queries(
    alice, salle, siege, django_assert_max_num_queries
):
    maintenant = DEBUT - timedelta(minutes=20)
    for i in range(30):
        user = UserFactory(site_principal=siege) if i % 2 else alice
        debut = DEBUT + timedelta(minutes=i)  # all due (their 30 minutes have begun) or soon
        ReservationFactory(
            user=user, ressource=salle, debut=debut, fin=debut + timedelta(minutes=1)
        )

    with django_assert_max_num_queries(5):
        cles = services.preparer_rappels(maintenant)

    assert len(cles) == 11  # started within the next 10 minutes: 10:00 .. 10:10
    with django_assert_max_num_queries(3):
        assert services.preparer_rappels(maintenant) == cles


def test_the_periodic_job_sends_the_reminders_due_now(alice, salle):
    from django.utils import timezone

    debut = timezone.now() + timedelta(minutes=10)
    ReservationFactory(user=alice, ressource=salle, debut=debut, fin=debut + timedelta(hours=1))

    assert taches.envoyer_rappels() == 1
    assert taches.envoyer_rappels() == 0
    assert len(mail.outbox) == 1


def test_the_jobs_are_registered_for_the_worker():
    noms = [job.nom for job in periodiques()]

    assert "notifications.rappels" in noms
    assert "notifications.relances" in noms
    assert noms.index("notifications.rappels") < noms.index("notifications.relances")


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_the_same_due_reminders_send_each_once(salle, siege):
    debuts = [DEBUT + timedelta(minutes=15 * i) for i in range(8)]
    reservations = [
        ReservationFactory(
            user=UserFactory(site_principal=siege, rappel_minutes=240),
            ressource=salle,
            debut=debut,
            fin=debut + timedelta(minutes=15),
        )
        for debut in debuts
    ]
    depart = threading.Barrier(2)
    resultats, erreurs = [], []

    def worker():
        try:
            depart.wait(timeout=10)
            resultats.append(rappels(DEBUT - timedelta(minutes=5)))
        except Exception as exc:  # a failure must fail the test, not vanish in the thread
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=worker) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)

    assert erreurs == []
    assert sum(resultats) == len(reservations)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in reservations)
    assert Courriel.objects.filter(statut=StatutCourriel.ENVOYE).count() == len(reservations)
