"""``reservations.ics``: the iCalendar data shared by invitations (C3) and feeds (C5)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from accounts.models import User
from reservations import ics
from reservations.models import Reservation, StatutReservation
from ressources.models import Ressource
from sites.models import Site

PARIS = ZoneInfo("Europe/Paris")


def _reservation(statut=StatutReservation.CONFIRME, debut=None, fin=None, description=""):
    site = Site(nom="Siège", adresse="1 rue X")
    ressource = Ressource(nom="Salle Bleue", site=site, localisation_numero="12")
    user = User(email="alice@example.com", nom_prenom="Alice Martin")
    return Reservation(
        pk=42,
        ressource=ressource,
        user=user,
        debut=debut or datetime(2027, 3, 27, 10, tzinfo=PARIS),
        fin=fin or datetime(2027, 3, 29, 9, tzinfo=PARIS),
        statut=statut,
        description=description,
    )


@pytest.mark.parametrize(
    ("statut", "attendu"),
    [
        (StatutReservation.EN_ATTENTE, "TENTATIVE"),
        (StatutReservation.CONFIRME, "CONFIRMED"),
        (StatutReservation.FINI, "CONFIRMED"),
        (StatutReservation.ANNULE, "CANCELLED"),
        (StatutReservation.NON_PRESENT, "CANCELLED"),
    ],
)
def test_every_status_has_its_calendar_status(statut, attendu):
    assert str(ics.vevent(_reservation(statut), sequence=0)["STATUS"]) == attendu


def test_a_feed_has_no_method_a_name_and_a_timezone_covering_the_daylight_saving_change():
    donnees = ics.calendrier([ics.vevent(_reservation(), sequence=4)], nom="Mes réservations")

    cal = Calendar.from_ical(donnees)
    assert "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == "Mes réservations"
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"]) == ics.PRODID
    (zone,) = cal.walk("VTIMEZONE")
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    (evenement,) = cal.walk("VEVENT")
    # Across the spring change, each end keeps its own offset.
    assert evenement.start.utcoffset().total_seconds() == 3600
    assert evenement.end.utcoffset().total_seconds() == 7200
    assert evenement["SEQUENCE"] == 4
    assert b"DTSTART;TZID=Europe/Paris:20270327T100000" in donnees
    assert b"DTEND;TZID=Europe/Paris:20270329T090000" in donnees
    assert str(evenement["SUMMARY"]) == "Salle Bleue"
    assert str(evenement["LOCATION"]) == "Siège, n° 12"


@pytest.mark.parametrize(
    ("resa_url", "hote"),
    [("", "localhost"), ("https://resa.example.com:8443/base", "resa.example.com")],
)
def test_the_uid_is_the_reservations_on_the_public_host(settings, resa_url, hote):
    settings.RESA_URL = resa_url

    assert ics.uid(42) == f"reservation-42@{hote}"
    assert str(ics.vevent(_reservation(), sequence=0)["UID"]) == f"reservation-42@{hote}"


def test_the_summary_joins_ressource_and_description_on_one_line():
    reservation = _reservation(description="Point\nd'équipe")

    assert ics.resume(reservation) == "Salle Bleue — Point d'équipe"
