"""Calendar feeds (API.md C5): the secret address, the personal feed and a ressource's busy
feed, parsed back with ``icalendar`` and checked property by property."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from accounts.tests.factories import AdminFactory, UserFactory
from calendriers import flux, services
from calendriers.models import FluxCalendrier
from conftest import client_pour
from reservations import services as reservations
from reservations.models import Recurrence, StatutReservation, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(settings.TIME_ZONE)


@pytest.fixture
def titulaire(db):
    return UserFactory(nom_prenom="Alice Martin")


@pytest.fixture
def salle(db):
    site = SiteFactory(nom="Siège")
    return RessourceFactory(
        nom="Salle Jupiter",
        site=site,
        localisation_batiment="Bâtiment A",
        localisation_etage="2",
        localisation_numero="204",
    )


def chemin(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def abonner(user) -> str:
    """The path of a new feed of ``user`` (through the API)."""
    reponse = client_pour(user).post("/auth/me/calendrier")
    assert reponse.status_code == 201, reponse.content
    return chemin(reponse.json()["url"])


def lire(reponse) -> Calendar:
    assert reponse.status_code == 200, reponse.content
    assert reponse["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(reponse.content)


def evenements(calendrier: Calendar) -> dict:
    return {str(e["UID"]): e for e in calendrier.walk("VEVENT")}


# --- the address --------------------------------------------------------------------------


def test_creer_le_flux_donne_l_adresse_une_seule_fois(titulaire):
    client = client_pour(titulaire)
    assert client.get("/auth/me/calendrier").json() == {"actif": False, "date_creation": None}

    reponse = client.post("/auth/me/calendrier")

    assert reponse.status_code == 201
    corps = reponse.json()
    secret = corps["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert corps["url"] == f"http://testserver/calendrier/{secret}.ics"
    assert corps["webcal"] == f"webcal://testserver/calendrier/{secret}.ics"
    assert len(secret) >= 40
    # Stored hashed: the secret itself is nowhere in the database.
    abonnement = FluxCalendrier.objects.get(user=titulaire)
    assert secret not in abonnement.empreinte
    assert abonnement.empreinte == services.empreinte(secret)
    etat = client.get("/auth/me/calendrier").json()
    assert etat["actif"] is True
    assert secret not in str(etat)
    assert etat["date_creation"] is not None


def test_l_adresse_suit_resa_url(titulaire, settings):
    settings.RESA_URL = "https://resa.example.com"
    corps = client_pour(titulaire).post("/auth/me/calendrier").json()
    assert corps["url"].startswith("https://resa.example.com/calendrier/")
    assert corps["webcal"].startswith("webcal://resa.example.com/calendrier/")


def test_remplacer_le_flux_coupe_l_ancien_aussitot(titulaire):
    ancien = abonner(titulaire)
    nouveau = abonner(titulaire)
    assert Client().get(ancien).status_code == 404
    assert Client().get(nouveau).status_code == 200


def test_revoquer_le_flux(titulaire):
    adresse = abonner(titulaire)
    reponse = client_pour(titulaire).delete("/auth/me/calendrier")
    assert reponse.status_code == 200
    assert reponse.json() == {"ok": True}
    introuvable = Client().get(adresse)
    assert introuvable.status_code == 404
    assert introuvable.json()["code"] == "introuvable"
    assert client_pour(titulaire).get("/auth/me/calendrier").json()["actif"] is False


def test_un_compte_desactive_n_a_plus_de_flux(titulaire):
    adresse = abonner(titulaire)
    titulaire.compte_actif = False
    titulaire.save()
    assert Client().get(adresse).status_code == 404


@pytest.mark.parametrize(
    "adresse",
    [
        "/calendrier/inconnu-inconnu-inconnu-inconnu.ics",
        "/calendrier/court.ics",
        "/calendrier/%00%00.ics",
        "/calendrier/../../etc/passwd.ics",
    ],
)
def test_un_secret_inconnu_ou_malforme_est_un_404(db, adresse):
    reponse = Client().get(adresse)
    assert reponse.status_code == 404
    assert reponse.json()["code"] == "introuvable"


def test_l_adresse_exige_d_etre_authentifie(api_client):
    for methode in ("get", "post", "delete"):
        reponse = getattr(api_client, methode)("/auth/me/calendrier")
        assert reponse.status_code == 401
        assert reponse.json()["code"] == "non_authentifie"


def test_le_flux_ne_s_ecrit_pas(titulaire):
    adresse = abonner(titulaire)
    assert Client().post(adresse).status_code == 405
    assert Client().head(adresse).status_code == 200


# --- the personal feed --------------------------------------------------------------------


def test_le_flux_personnel_decrit_chaque_reservation(titulaire, salle):
    reservation = reservations.reserver(
        par=titulaire,
        ressource=salle,
        debut=demain_a(10),
        fin=demain_a(11),
        description="Point d'équipe; budget, planning",
    )
    reservations.modifier(reservation, par=titulaire, fin=demain_a(11, 30))
    reservation.refresh_from_db()

    calendrier = lire(Client().get(abonner(titulaire)))

    assert str(calendrier["VERSION"]) == "2.0"
    assert "Resa" in str(calendrier["PRODID"])
    assert str(calendrier["X-WR-CALNAME"]) == "Resa — Alice Martin"
    (fuseau,) = calendrier.walk("VTIMEZONE")
    assert str(fuseau["TZID"]) == settings.TIME_ZONE
    (evenement,) = calendrier.walk("VEVENT")
    assert str(evenement["UID"]) == f"reservation-{reservation.pk}@localhost"
    assert evenement["DTSTART"].params["TZID"] == settings.TIME_ZONE
    assert evenement.start == demain_a(10).astimezone(ZONE)
    assert evenement.end == demain_a(11, 30).astimezone(ZONE)
    assert evenement.start.tzinfo is not None
    assert str(evenement["SUMMARY"]) == "Salle Jupiter — Point d'équipe; budget, planning"
    assert str(evenement["LOCATION"]) == "Siège, Bâtiment A, étage 2, n° 204"
    assert str(evenement["STATUS"]) == "CONFIRMED"
    assert evenement["SEQUENCE"] == 1  # one change after the creation
    assert evenement["DTSTAMP"].dt == reservation.date_modification.replace(microsecond=0)
    assert evenement["LAST-MODIFIED"].dt == reservation.date_modification.replace(microsecond=0)


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
def test_le_statut_de_chaque_reservation(titulaire, salle, statut, attendu):
    ReservationFactory(user=titulaire, ressource=salle, statut=statut)
    (evenement,) = lire(Client().get(abonner(titulaire))).walk("VEVENT")
    assert str(evenement["STATUS"]) == attendu
    assert evenement["SEQUENCE"] == 0  # no journal event at all: still 0


def test_le_flux_couvre_titulaire_et_createur_dans_sa_fenetre(titulaire, salle):
    maintenant = timezone.now()
    autre = UserFactory()
    pour_moi = ReservationFactory(user=titulaire, ressource=salle)
    par_moi = ReservationFactory(
        user=autre, createur=titulaire, ressource=salle, debut=demain_a(12), fin=demain_a(13)
    )
    pas_a_moi = ReservationFactory(
        user=autre, ressource=salle, debut=demain_a(14), fin=demain_a(15)
    )

    def le(jours):
        debut = maintenant + timedelta(days=jours)
        return ReservationFactory(
            user=titulaire, ressource=salle, debut=debut, fin=debut + timedelta(hours=1)
        )

    dedans = [le(-89), le(364)]
    dehors = [le(-91), le(366)]

    uids = set(evenements(lire(Client().get(abonner(titulaire)))))

    def uid(r):
        return f"reservation-{r.pk}@localhost"

    assert {uid(r) for r in [pour_moi, par_moi, *dedans]} == uids
    assert not {uid(r) for r in [pas_a_moi, *dehors]} & uids


def test_les_longues_lignes_sont_pliees_sans_couper_un_caractere(titulaire, salle):
    description = "Réunion « très » importante — " * 12 + "\nDeuxième ligne"
    ReservationFactory(user=titulaire, ressource=salle, description=description)
    reponse = Client().get(abonner(titulaire))
    for ligne in reponse.content.split(b"\r\n"):
        assert len(ligne) <= 75
        ligne.decode()  # never cut inside a UTF-8 sequence
    (evenement,) = lire(reponse).walk("VEVENT")
    assert str(evenement["SUMMARY"]) == "Salle Jupiter — " + " ".join(description.split())


def test_le_flux_est_du_calendrier_quel_que_soit_accept(titulaire):
    reponse = Client().get(abonner(titulaire), HTTP_ACCEPT="application/json")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/calendar; charset=utf-8"


# --- caching ------------------------------------------------------------------------------


def test_etag_last_modified_et_304(titulaire, salle):
    reservation = ReservationFactory(user=titulaire, ressource=salle)
    adresse = abonner(titulaire)
    premiere = Client().get(adresse)
    etag = premiere["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert premiere["Last-Modified"]
    assert "no-cache" in premiere["Cache-Control"]
    assert premiere["Referrer-Policy"] == "no-referrer"

    # The same data gives the same bytes: the client's copy is still good.
    assert Client().get(adresse)["ETag"] == etag
    inchange = Client().get(adresse, HTTP_IF_NONE_MATCH=etag)
    assert inchange.status_code == 304
    assert inchange.content == b""
    assert inchange["ETag"] == etag
    assert (
        Client().get(adresse, HTTP_IF_MODIFIED_SINCE=premiere["Last-Modified"]).status_code == 304
    )

    reservations.annuler(reservation, par=AdminFactory())
    apres = Client().get(adresse, HTTP_IF_NONE_MATCH=etag)
    assert apres.status_code == 200
    assert apres["ETag"] != etag


# --- the busy feed of a ressource ---------------------------------------------------------


def test_le_flux_d_une_ressource_montre_l_occupation_sans_les_descriptions(titulaire, salle):
    autre = UserFactory()
    occupee = ReservationFactory(user=autre, ressource=salle, description="Entretien confidentiel")
    ReservationFactory(
        user=autre,
        ressource=salle,
        statut=StatutReservation.ANNULE,
        debut=demain_a(14),
        fin=demain_a(15),
    )
    periode = ResourceAvailabilityFactory(
        ressource=salle,
        type_disponibilite=TypeDisponibilite.MAINTENANCE,
        raison_indisponibilite="Peinture",
        recurrence=Recurrence.QUOTIDIEN,
        debut=demain_a(7),
        fin=demain_a(8),
        fin_recurrence=(demain_a(7) + timedelta(days=2)).date(),
    )
    adresse = abonner(titulaire).removesuffix(".ics") + f"/ressources/{salle.pk}.ics"

    reponse = Client().get(adresse)

    assert b"confidentiel" not in reponse.content
    calendrier = lire(reponse)
    assert str(calendrier["X-WR-CALNAME"]) == "Resa — Salle Jupiter (occupation)"
    tous = calendrier.walk("VEVENT")
    reserves = [e for e in tous if str(e["SUMMARY"]) == "Réservé"]
    indisponibles = [e for e in tous if str(e["SUMMARY"]) == "Indisponible : Peinture"]
    assert len(tous) == len(reserves) + len(indisponibles)
    assert [e.start for e in reserves] == [occupee.debut.astimezone(ZONE)]  # not the cancelled
    assert [e.start for e in indisponibles] == [
        (demain_a(7) + timedelta(days=k)).astimezone(ZONE) for k in range(3)
    ]
    assert len({str(e["UID"]) for e in tous}) == len(tous)
    assert all(str(e["UID"]).startswith(f"indisponibilite-{periode.pk}-") for e in indisponibles)


def test_le_flux_d_une_ressource_inconnue_est_un_404(titulaire):
    base = abonner(titulaire).removesuffix(".ics")
    for ressource_id in ("999999", "99999999999999999999"):
        reponse = Client().get(f"{base}/ressources/{ressource_id}.ics")
        assert reponse.status_code == 404
        assert reponse.json()["code"] == "introuvable"


def test_le_flux_d_une_ressource_exige_un_secret_valide(salle):
    reponse = Client().get(f"/calendrier/{'x' * 43}/ressources/{salle.pk}.ics")
    assert reponse.status_code == 404


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("nombre", [1, 40])
def test_le_flux_personnel_en_un_nombre_fixe_de_requetes(
    titulaire, salle, nombre, django_assert_max_num_queries
):
    for k in range(nombre):
        debut = demain_a(8) + timedelta(days=k)
        reservation = reservations.reserver(
            par=titulaire, ressource=salle, debut=debut, fin=debut + timedelta(hours=1)
        )
        reservations.modifier(reservation, par=titulaire, description=f"n°{k}")
    adresse = abonner(titulaire)
    with django_assert_max_num_queries(2):
        calendrier = lire(Client().get(adresse))
    assert len(calendrier.walk("VEVENT")) == nombre
    assert {e["SEQUENCE"] for e in calendrier.walk("VEVENT")} == {1}


@pytest.mark.parametrize("nombre", [1, 40])
def test_le_flux_d_une_ressource_en_un_nombre_fixe_de_requetes(
    titulaire, salle, nombre, django_assert_max_num_queries
):
    for k in range(nombre):
        debut = demain_a(8) + timedelta(days=k)
        ReservationFactory(ressource=salle, debut=debut, fin=debut + timedelta(hours=1))
        ResourceAvailabilityFactory(
            ressource=salle,
            type_disponibilite=TypeDisponibilite.MAINTENANCE,
            debut=debut + timedelta(hours=2),
            fin=debut + timedelta(hours=3),
        )
    adresse = abonner(titulaire).removesuffix(".ics") + f"/ressources/{salle.pk}.ics"
    with django_assert_max_num_queries(4):
        calendrier = lire(Client().get(adresse))
    assert len(calendrier.walk("VEVENT")) == 2 * nombre


# --- RFC 5545 text ------------------------------------------------------------------------


def test_le_texte_est_echappe():
    assert flux.texte("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_plier_respecte_75_octets():
    ligne = "SUMMARY:" + "é" * 100
    pliee = flux.plier(ligne)
    morceaux = pliee.split("\r\n")
    assert all(len(m.encode()) <= 75 for m in morceaux)
    assert "".join(m.removeprefix(" ") for m in morceaux) == ligne


# --- the back-office ----------------------------------------------------------------------


def test_un_admin_revoque_le_flux_de_n_importe_qui(titulaire):
    adresse = abonner(titulaire)
    admin = AdminFactory()
    navigateur = Client()
    navigateur.force_login(admin)
    abonnement = FluxCalendrier.objects.get(user=titulaire)

    liste = navigateur.get("/admin/calendriers/fluxcalendrier/")
    assert liste.status_code == 200
    assert titulaire.email in liste.content.decode()
    reponse = navigateur.post(
        "/admin/calendriers/fluxcalendrier/",
        {"action": "revoquer", "_selected_action": [abonnement.pk]},
        follow=True,
    )

    assert "1 flux révoqué(s)." in [str(m) for m in get_messages(reponse.wsgi_request)]
    assert Client().get(adresse).status_code == 404
    assert navigateur.get("/admin/calendriers/fluxcalendrier/add/").status_code == 403
