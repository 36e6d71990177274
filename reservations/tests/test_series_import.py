"""POST /reservations/import (API.md C7): an iCalendar file booked as one series."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reservations import import_ics
from reservations.models import Evenement, Reservation, Serie
from reservations.tests.factories import ReservationFactory
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def ics(*evenements: str) -> bytes:
    lignes = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tests Resa//FR"]
    for evenement in evenements:
        lignes += ["BEGIN:VEVENT", *evenement.strip().splitlines(), "END:VEVENT"]
    lignes.append("END:VCALENDAR")
    return ("\r\n".join(lignes) + "\r\n").encode()


def lundi_prochain(semaines=1):
    jour = timezone.localdate() + timedelta(days=7 * semaines)
    return jour - timedelta(days=jour.weekday())


def local(jour, heure):
    return datetime.combine(jour, datetime.min.time()).replace(hour=heure).strftime("%Y%m%dT%H%M%S")


def importer(client, contenu, ressource, **parametres):
    requete = "&".join(f"{k}={v}" for k, v in {"ressource_id": ressource.pk, **parametres}.items())
    return client.post(f"/reservations/import?{requete}", contenu, content_type="text/calendar")


@pytest.fixture
def salle(db):
    return RessourceFactory()


def hebdo(jour, *, count=5, exdates=(), summary="Point hebdo", uid="hebdo@exemple"):
    lignes = [
        f"UID:{uid}",
        f"SUMMARY:{summary}",
        f"DTSTART;TZID=Europe/Paris:{local(jour, 10)}",
        f"DTEND;TZID=Europe/Paris:{local(jour, 11)}",
        f"RRULE:FREQ=WEEKLY;COUNT={count}",
    ]
    if exdates:
        lignes.append("EXDATE;TZID=Europe/Paris:" + ",".join(local(j, 10) for j in exdates))
    return "\n".join(lignes)


def test_an_rrule_is_expanded_minus_its_exdates(client_employe, employe, salle):
    premier = lundi_prochain()
    exclus = [premier + timedelta(days=7), premier + timedelta(days=21)]
    reponse = importer(client_employe, ics(hebdo(premier, exdates=exclus)), salle)
    assert reponse.status_code == 201, reponse.json()
    data = reponse.json()
    attendus = [premier + timedelta(days=7 * k) for k in (0, 2, 4)]
    assert [datetime.fromisoformat(o["debut"]).date() for o in data["occurrences"]] == attendus
    assert {
        datetime.fromisoformat(o["debut"]).astimezone(PARIS).hour for o in data["occurrences"]
    } == {10}
    assert data["resume"] == {"demandees": 3, "reservees": 3, "refusees": 0}
    assert data["serie"]["origine"] == "import"
    assert data["serie"]["recurrence"] is None
    serie = Serie.objects.get()
    reservations = list(serie.reservations.order_by("debut"))
    assert [timezone.localdate(r.debut) for r in reservations] == attendus
    assert {r.description for r in reservations} == {"Point hebdo"}
    assert {r.user_id for r in reservations} == {employe.pk}
    assert Evenement.objects.count() == 3


def test_the_same_file_works_as_a_multipart_upload(client_employe, salle):
    fichier = SimpleUploadedFile(
        "agenda.ics", ics(hebdo(lundi_prochain(), count=2)), "text/calendar"
    )
    reponse = client_employe.post(
        f"/reservations/import?ressource_id={salle.pk}", {"fichier": fichier}, format="multipart"
    )
    assert reponse.status_code == 201, reponse.json()
    assert Reservation.objects.count() == 2


def test_events_keep_their_own_zone_and_several_events_make_one_series(client_admin, salle):
    contenu = ics(
        # 09:00 in New York is 15:00 in Paris, 14:00 in the week between the two changes
        # (Europe on 31 October, America on 7 November).
        "UID:ny\nSUMMARY:New York\nDTSTART;TZID=America/New_York:20271025T090000\n"
        "DURATION:PT1H\nRRULE:FREQ=WEEKLY;UNTIL=20271108T140000Z",
        "UID:utc\nSUMMARY:En UTC\nDTSTART:20271026T090000Z\nDTEND:20271026T100000Z",
        "UID:flottant\nSUMMARY:Flottant\nDTSTART:20271027T090000\nDTEND:20271027T100000",
    )
    reponse = importer(client_admin, contenu, salle, simulation="true")
    assert reponse.status_code == 200, reponse.json()
    assert [(o["debut"], o["fin"]) for o in reponse.json()["occurrences"]] == [
        ("2027-10-25T15:00:00+02:00", "2027-10-25T16:00:00+02:00"),
        ("2027-10-26T11:00:00+02:00", "2027-10-26T12:00:00+02:00"),
        ("2027-10-27T09:00:00+02:00", "2027-10-27T10:00:00+02:00"),
        ("2027-11-01T14:00:00+01:00", "2027-11-01T15:00:00+01:00"),
        ("2027-11-08T15:00:00+01:00", "2027-11-08T16:00:00+01:00"),
    ]


def test_a_recurrence_id_moves_one_occurrence_and_cancelled_events_are_left_out(
    client_employe, salle
):
    premier = lundi_prochain()
    deplace = premier + timedelta(days=7)
    contenu = ics(
        hebdo(premier, count=3),
        "UID:hebdo@exemple\nSUMMARY:Déplacé\n"
        f"RECURRENCE-ID;TZID=Europe/Paris:{local(deplace, 10)}\n"
        f"DTSTART;TZID=Europe/Paris:{local(deplace, 15)}\n"
        f"DTEND;TZID=Europe/Paris:{local(deplace, 16)}",
        "UID:annule\nSTATUS:CANCELLED\nSUMMARY:Annulé\n"
        f"DTSTART;TZID=Europe/Paris:{local(premier, 8)}\n"
        f"DTEND;TZID=Europe/Paris:{local(premier, 9)}",
    )
    reponse = importer(client_employe, contenu, salle)
    assert reponse.status_code == 201, reponse.json()
    assert [
        (timezone.localtime(r.debut).strftime("%d %H"), r.description)
        for r in Reservation.objects.order_by("debut")
    ] == [
        (f"{premier:%d} 10", "Point hebdo"),
        (f"{deplace:%d} 15", "Déplacé"),
        (f"{premier + timedelta(days=14):%d} 10", "Point hebdo"),
    ]


def test_a_taken_date_follows_the_mode(client_employe, salle):
    premier = lundi_prochain()
    pris = datetime.combine(premier + timedelta(days=7), datetime.min.time()).replace(hour=10)
    ReservationFactory(
        ressource=salle,
        debut=timezone.make_aware(pris),
        fin=timezone.make_aware(pris) + timedelta(hours=1),
    )
    contenu = ics(hebdo(premier, count=3))
    refus = importer(client_employe, contenu, salle)
    assert refus.status_code == 409
    assert [o["statut"] for o in refus.json()["occurrences"]] == ["libre", "refusee", "libre"]
    assert not Serie.objects.exists()
    reponse = importer(client_employe, contenu, salle, mode="ignorer_conflits")
    assert reponse.status_code == 201
    assert reponse.json()["resume"] == {"demandees": 3, "reservees": 2, "refusees": 1}


def test_simulation_stores_nothing(client_employe, salle):
    reponse = importer(
        client_employe, ics(hebdo(lundi_prochain(), count=2)), salle, simulation="true"
    )
    assert reponse.status_code == 200
    assert [o["statut"] for o in reponse.json()["occurrences"]] == ["libre", "libre"]
    assert not Reservation.objects.exists()
    assert not Serie.objects.exists()
    assert not Evenement.objects.exists()


def test_an_endless_rule_is_refused_by_the_series_limits(client_employe, salle):
    evenement = hebdo(lundi_prochain()).replace("RRULE:FREQ=WEEKLY;COUNT=5", "RRULE:FREQ=WEEKLY")
    reponse = importer(client_employe, ics(evenement), salle)
    assert reponse.status_code == 400
    assert "365 jours" in reponse.json()["errors"]["fichier"][0]
    trop = hebdo(lundi_prochain(), count=300).replace("WEEKLY", "DAILY")
    assert importer(client_employe, ics(trop), salle).status_code == 400


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", import_ics.MSG_PAS_ICALENDAR),
        (b"Bonjour", import_ics.MSG_PAS_ICALENDAR),
        (b'{"ressource_id": 1}', import_ics.MSG_PAS_ICALENDAR),
        (b"/etc/passwd", import_ics.MSG_PAS_ICALENDAR),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270101T100000\r\n",
            import_ics.MSG_ILLISIBLE,
        ),
        (
            b"BEGIN:VCALENDAR\r\nceci n'est pas une ligne\r\nEND:VCALENDAR\r\n",
            import_ics.MSG_ILLISIBLE,
        ),
        (ics(), import_ics.MSG_AUCUN_EVENEMENT),
        (b"BEGIN:VCALENDAR\r\n\xff\xfe\r\nEND:VCALENDAR\r\n", import_ics.MSG_ILLISIBLE),
    ],
    ids=["empty", "text", "json", "path", "unterminated", "bad-line", "no-event", "not-utf8"],
)
def test_a_file_that_is_not_a_calendar_is_a_400_in_french(client_employe, salle, contenu, message):
    reponse = importer(client_employe, contenu, salle)
    if contenu == b"":
        assert reponse.status_code == 400
        assert "fichier" in reponse.json()["errors"]
        return
    assert reponse.status_code == 400, reponse.content
    assert reponse.json()["errors"] == {"fichier": [message]}
    assert reponse.json()["code"] == "validation"


@pytest.mark.parametrize(
    ("evenement", "raison"),
    [
        ("UID:x\nDTSTART;VALUE=DATE:20270322", import_ics.RAISON_JOURNEE),
        ("UID:x\nDTSTART:20270322T100000", import_ics.RAISON_SANS_FIN),
        ("UID:x\nDTEND:20270322T100000", import_ics.RAISON_SANS_DEBUT),
        ("UID:x\nDTSTART:2027XX\nDTEND:20270322T100000", "propriété DTSTART invalide"),
        ("UID:x\nDTSTART:20270322T110000\nDTEND:20270322T100000", import_ics.RAISON_FIN_AVANT),
        ("UID:x\nDTSTART:30270322T100000\nDTEND:30270322T110000", "Date hors de l'intervalle"),
        (
            "UID:x\nDTSTART:20270322T100000\nDTEND:20270322T110000\nRRULE:FREQ=SOUVENT",
            "RRULE",
        ),
        (
            "UID:x\nDTSTART:20270322T100000\nDTEND:20270322T110000\n"
            "RRULE:FREQ=DAILY;COUNT=2;UNTIL=20270330T000000Z",
            import_ics.RAISON_COUNT_UNTIL,
        ),
    ],
    ids=[
        "all-day",
        "no-end",
        "no-start",
        "bad-start",
        "end-first",
        "year-3027",
        "bad-rule",
        "count-until",
    ],
)
def test_an_event_that_cannot_be_booked_is_a_400_naming_it(client_admin, salle, evenement, raison):
    reponse = importer(client_admin, ics("SUMMARY:Réunion\n" + evenement), salle)
    assert reponse.status_code == 400, reponse.content
    (message,) = reponse.json()["errors"]["fichier"]
    assert message.startswith("Événement « Réunion » : ")
    assert raison in message


def test_a_file_over_1_mb_is_a_413_without_being_parsed(client_employe, salle):
    evenement = hebdo(lundi_prochain(), count=1) + "\nDESCRIPTION:" + "x" * 1_000_100
    reponse = importer(client_employe, ics(evenement), salle)
    assert reponse.status_code == 413
    assert reponse.json() == {"detail": import_ics.MSG_TROP_VOLUMINEUX, "code": "trop_volumineux"}
    fichier = SimpleUploadedFile("gros.ics", ics(evenement), "text/calendar")
    reponse = client_employe.post(
        f"/reservations/import?ressource_id={salle.pk}", {"fichier": fichier}, format="multipart"
    )
    assert reponse.status_code == 413


def test_a_path_like_body_is_never_read_as_a_file(client_employe, salle, tmp_path):
    chemin = tmp_path / "agenda.ics"
    chemin.write_bytes(ics(hebdo(lundi_prochain(), count=1)))
    reponse = importer(client_employe, str(chemin).encode(), salle)
    assert reponse.status_code == 400
    assert not Reservation.objects.exists()


@pytest.mark.parametrize(
    ("requete", "champ"),
    [
        ("", "ressource_id"),
        ("ressource_id=abc", "ressource_id"),
        ("ressource_id=9223372036854775808", "ressource_id"),
        ("ressource_id=999999", "ressource_id"),
        ("ressource_id={pk}&mode=parfois", "mode"),
        ("ressource_id={pk}&simulation=oui", "simulation"),
    ],
)
def test_bad_query_parameters_are_a_400(client_employe, salle, requete, champ):
    reponse = client_employe.post(
        "/reservations/import?" + requete.format(pk=salle.pk),
        ics(hebdo(lundi_prochain(), count=1)),
        content_type="text/calendar",
    )
    assert reponse.status_code == 400
    assert champ in reponse.json()["errors"]


def test_a_json_body_is_a_415_and_anonymous_callers_a_401(client_employe, api_client, salle):
    chemin = f"/reservations/import?ressource_id={salle.pk}"
    assert client_employe.post(chemin, {"a": 1}, format="json").status_code == 415
    assert api_client.post(chemin, ics(), content_type="text/calendar").status_code == 401


def test_a_multipart_form_without_the_file_is_a_400(client_employe, salle):
    reponse = client_employe.post(
        f"/reservations/import?ressource_id={salle.pk}", {"autre": "x"}, format="multipart"
    )
    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {
        "fichier": [
            "Envoyez le calendrier (.ics) comme corps de la requête (Content-Type: text/calendar) "
            "ou dans le champ fichier d'un formulaire multipart."
        ]
    }
