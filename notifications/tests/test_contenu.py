"""What the messages say: French, local times, a text body and an HTML alternative, and a
calendar attachment that clients can apply (UID, SEQUENCE, METHOD, STATUS, TZID)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from icalendar import Calendar

from notifications import rendu, services
from notifications.models import Courriel, MethodeIcs
from reservations import journal
from reservations import services as reservations
from reservations.models import Evenement, Reservation, TypeEvenement
from reservations.tests.factories import demain_a

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def calendrier(message):
    """``(Content-Type parameters, parsed VCALENDAR)`` of the message's .ics attachment."""
    (piece,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    assert piece.get_filename() == "reservation.ics"
    assert piece.get_content_disposition() == "attachment"
    return dict(piece.get_params()), Calendar.from_ical(piece.get_content())


def test_dates_are_written_out_in_french_in_the_organisations_zone():
    debut = datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Paris
    fin = datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("UTC"))

    assert rendu.creneau(debut, fin) == "mardi 8 décembre 2026 de 10:00 à 11:00"
    assert rendu.quand(datetime(2027, 1, 1, 8, 30, tzinfo=PARIS)) == (
        "vendredi 1er janvier 2027 à 08:30"
    )
    assert rendu.creneau(
        datetime(2027, 7, 14, 22, 0, tzinfo=PARIS), datetime(2027, 7, 15, 6, 0, tzinfo=PARIS)
    ) == ("du mercredi 14 juillet 2027 à 22:00 au jeudi 15 juillet 2027 à 06:00")


def test_a_confirmation_reads_in_french_with_local_times_and_the_place(reserver, alice, salle):
    reservation = reserver(alice, salle, description="Point d'équipe")

    (message,) = mail.outbox
    jour = rendu.jour_long(reservation.debut)
    assert message.subject == f"Réservation confirmée : Salle Bleue, {jour} à 10:00"
    assert message.from_email == "Resa <resa@localhost>"
    assert "Bonjour Alice Martin," in message.body
    assert f"Quand : {jour} de 10:00 à 11:00" in message.body
    assert "Lieu : Siège de Lyon, Bâtiment A, étage 2, n° 204" in message.body
    assert "(12 rue de la République, 69002 Lyon)" in message.body
    assert "Objet : Point d'équipe" in message.body
    assert "Statut : Confirmée" in message.body
    ((html, type_html),) = message.alternatives
    assert type_html == "text/html"
    assert "Point d&#x27;équipe" in html
    assert f"{jour} de 10:00 à 11:00" in html
    assert "<script" not in html and "<img" not in html and "http" not in html.split("<body")[1]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_invitation_is_a_request_with_the_reservations_uid_and_local_times(
    reserver, alice, salle, settings
):
    settings.RESA_URL = "https://resa.example.com"
    reservation = reserver(alice, salle, description="Point d'équipe")

    parametres, cal = calendrier(mail.outbox[0])
    assert parametres["method"] == "REQUEST"
    assert str(cal["METHOD"]) == "REQUEST"
    (evenement,) = cal.walk("VEVENT")
    assert str(evenement["UID"]) == f"reservation-{reservation.pk}@resa.example.com"
    assert evenement["SEQUENCE"] == 0
    assert str(evenement["STATUS"]) == "CONFIRMED"
    assert evenement["DTSTART"].params["TZID"] == "Europe/Paris"
    assert evenement["DTEND"].params["TZID"] == "Europe/Paris"
    assert evenement.start == reservation.debut
    assert evenement.end == reservation.fin
    assert evenement.start.replace(tzinfo=None) == demain_a(10).replace(tzinfo=None)
    assert str(evenement["SUMMARY"]) == "Salle Bleue — Point d'équipe"
    assert str(evenement["LOCATION"]) == "Siège de Lyon, Bâtiment A, étage 2, n° 204"
    assert str(evenement["ORGANIZER"]) == "mailto:resa@localhost"
    assert str(evenement["ATTENDEE"]) == "mailto:alice@example.com"
    assert evenement["ATTENDEE"].params["CN"] == "Alice Martin"
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"


def test_each_change_raises_the_sequence_and_a_cancellation_cancels(
    reserver, diffusion, alice, chef, salle
):
    reservation = reserver(alice, salle)
    with diffusion():
        reservations.modifier(reservation, par=alice, description="Sans effet sur l'agenda")
        reservations.modifier(reservation, par=alice, debut=demain_a(14), fin=demain_a(15))
        reservations.annuler(reservation, par=chef)

    creation, deplacement, annulation = (calendrier(m) for m in mail.outbox)
    sequences = [c.walk("VEVENT")[0]["SEQUENCE"] for _, c in (creation, deplacement, annulation)]
    assert sequences == [0, 2, 3]
    parametres, cal = deplacement
    assert parametres["method"] == "REQUEST"
    assert cal.walk("VEVENT")[0].start == demain_a(14)
    parametres, cal = annulation
    assert parametres["method"] == "CANCEL"
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(cal.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert {str(c.walk("VEVENT")[0]["UID"]) for _, c in (creation, deplacement, annulation)} == {
        f"reservation-{reservation.pk}@localhost"
    }


def test_a_pending_booking_is_tentative_in_the_calendar(reserver, alice, salle_a_valider):
    reserver(alice, salle_a_valider)

    message = next(m for m in mail.outbox if m.to == [alice.email])
    _, cal = calendrier(message)
    assert str(cal.walk("VEVENT")[0]["STATUS"]) == "TENTATIVE"


@pytest.mark.parametrize(
    ("type_evenement", "methode"),
    [
        (TypeEvenement.RESERVATION_LIBEREE, "CANCEL"),
        (TypeEvenement.RESERVATION_NON_PRESENTE, "CANCEL"),
    ],
)
def test_a_release_or_a_no_show_removes_the_booking_from_the_calendar(
    reserver, diffusion, alice, salle, type_evenement, methode
):
    reservation = reserver(alice, salle)
    mail.outbox.clear()

    with diffusion(), transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(statut="non_present")
        journal.enregistrer(
            type_evenement,
            par=None,
            reservation=reservation,
            changements={"statut": ["confirme", "non_present"]},
        )

    parametres, cal = calendrier(mail.outbox[0])
    assert parametres["method"] == methode
    assert str(cal.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert cal.walk("VEVENT")[0]["SEQUENCE"] == 1


def test_a_late_diffusion_tells_what_the_event_said_not_the_reservations_later_state(
    alice, salle, django_capture_on_commit_callbacks
):
    """The sweep may offer an event after later changes: its message describes the booking
    as it was right after that event."""
    with django_capture_on_commit_callbacks(execute=False):
        reservation = reservations.reserver(
            par=alice, ressource=salle, debut=demain_a(10), fin=demain_a(11)
        )
        reservations.modifier(reservation, par=alice, debut=demain_a(16), fin=demain_a(17))
    creation, deplacement = Evenement.objects.order_by("id")

    services.envoyer(services.preparer_courriels_evenement(creation))

    (message,) = mail.outbox
    assert "de 10:00 à 11:00" in message.body
    _, cal = calendrier(message)
    assert cal.walk("VEVENT")[0].start == demain_a(10)
    assert cal.walk("VEVENT")[0]["SEQUENCE"] == 0


def test_a_deleted_reservation_is_rendered_from_its_journal(alice, salle, admin_resa, diffusion):
    with transaction.atomic():
        reservation = reservations.reserver(
            par=alice, ressource=salle, debut=demain_a(10), fin=demain_a(11)
        )
    with diffusion():
        reservations.supprimer_reservation(reservation, par=admin_resa)
    assert not Reservation.objects.exists()
    suppression = Evenement.objects.get(type=TypeEvenement.RESERVATION_ANNULEE)

    services.envoyer(services.preparer_courriels_evenement(suppression))

    messages = [m for m in mail.outbox if "annulée" in m.subject]
    (message,) = messages
    assert "annulée par Ada Admin" in message.body
    assert "Motif : Réservation supprimée par un administrateur." in message.body
    assert "de 10:00 à 11:00" in message.body
    parametres, cal = calendrier(message)
    assert parametres["method"] == "CANCEL"
    assert str(cal.walk("VEVENT")[0]["UID"]) == f"reservation-{reservation.pk}@localhost"


def test_an_event_whose_reservation_left_no_trace_is_skipped_without_error(alice, salle):
    with transaction.atomic():
        evenement = journal.enregistrer(
            TypeEvenement.RESERVATION_ANNULEE,
            par=None,
            reservation=Reservation(pk=987654),
            changements={"statut": ["confirme", "annule"]},
        )

    assert services.preparer_courriels_evenement(evenement) == []
    assert journal.diffuser_evenement(evenement) is True


def test_the_stored_row_is_what_is_sent(reserver, alice, salle):
    reserver(alice, salle)

    courriel = Courriel.objects.get()
    (message,) = mail.outbox
    assert courriel.methode_ics == MethodeIcs.REQUEST
    assert message.subject == courriel.sujet
    assert message.body == courriel.texte
    assert message.alternatives[0].content == courriel.html
    assert message.extra_headers["Message-ID"] == f"<{courriel.cle}@localhost>"
    assert courriel.cle == f"evt-{Evenement.objects.get().pk}-{alice.pk}"
