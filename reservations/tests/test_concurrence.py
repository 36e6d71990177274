"""Races for one slot, through real concurrent HTTP requests against a live server.

The contract: two clients racing for one slot get one 201 and one 409, never two bookings
and never a 500, on SQLite (IMMEDIATE transactions serialise writers) and on PostgreSQL
(row lock on the ressource, backed by the exclusion constraint).
"""

import http.client
import json
import threading
import time
from itertools import combinations

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from accounts.models import AuthToken
from accounts.tests.factories import ManagerFactory, UserFactory
from conftest import client_pour
from resa_project.erreurs import ConflitEtat
from reservations import regles, services
from reservations.models import (
    STATUTS_BLOQUANTS,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeDisponibilite,
)
from reservations.tests.factories import ReservationFactory, demain_a
from ressources.models import Ressource
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.race

NB_CLIENTS = 12
sur_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only"
)


def iso(moment):
    return timezone.localtime(moment).isoformat()


def en_meme_temps(live_server, requetes):
    """Send ``requetes`` ``[(method, path, token, body)]`` at once, one thread and one
    connection each, released together by a barrier. Returns ``[(status, json)]`` in order
    and the elapsed seconds."""
    hote, port = live_server.thread.host, live_server.thread.port
    depart = threading.Barrier(len(requetes))
    resultats = [None] * len(requetes)

    def envoyer(i, methode, chemin, token, corps):
        conn = http.client.HTTPConnection(hote, port, timeout=30)
        try:
            conn.connect()
            depart.wait(timeout=10)
            conn.request(
                methode,
                chemin,
                body=json.dumps(corps),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            reponse = conn.getresponse()
            contenu = reponse.read()
            try:
                resultats[i] = (reponse.status, json.loads(contenu))
            except ValueError:
                resultats[i] = (reponse.status, contenu.decode(errors="replace"))
        except Exception as exc:  # a failed request must fail the test, not vanish
            resultats[i] = (None, repr(exc))
        finally:
            conn.close()

    fils = [threading.Thread(target=envoyer, args=(i, *r)) for i, r in enumerate(requetes)]
    debut = time.perf_counter()
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=60)
    return resultats, time.perf_counter() - debut


def chevauchements(ressource):
    """Pairs of blocking reservations of ``ressource`` that overlap (should be none)."""
    bloquantes = list(Reservation.objects.filter(ressource=ressource, statut__in=STATUTS_BLOQUANTS))
    return [
        (a.pk, b.pk) for a, b in combinations(bloquantes, 2) if a.debut < b.fin and b.debut < a.fin
    ]


def test_the_live_server_is_threaded_and_sqlite_takes_the_write_lock_at_begin(live_server):
    assert isinstance(live_server.thread.httpd, ThreadedWSGIServer)
    if connection.vendor == "sqlite":
        options = settings.DATABASES["default"]["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] >= 5
        assert not connection.is_in_memory_db()


def test_clients_racing_for_one_slot_get_one_201_and_409s(live_server, capsys):
    salle = RessourceFactory()
    tokens = [AuthToken.emettre(UserFactory()) for _ in range(NB_CLIENTS)]
    corps = {"ressource_id": salle.pk, "debut": iso(demain_a(10)), "fin": iso(demain_a(11))}

    resultats, duree = en_meme_temps(
        live_server, [("POST", "/reservations/", token, corps) for token in tokens]
    )

    statuts = sorted(status for status, _ in resultats)
    with capsys.disabled():
        print(
            f"\n[race:{connection.vendor}] {NB_CLIENTS} POST same slot: {statuts} in {duree:.2f}s"
        )
    assert statuts == [201] + [409] * (NB_CLIENTS - 1), resultats
    (gagnant,) = [data for status, data in resultats if status == 201]
    reservation = Reservation.objects.get()
    assert gagnant["id"] == reservation.pk
    for status, data in resultats:
        if status == 409:
            assert data["conflits"] == [
                {
                    "type": "reservation",
                    "id": reservation.pk,
                    "debut": corps["debut"],
                    "fin": corps["fin"],
                }
            ]


def test_racing_moves_and_bookings_never_store_an_overlap(live_server, capsys):
    salle = RessourceFactory()
    proprietaires = [UserFactory() for _ in range(4)]
    a, b, c, d = (
        ReservationFactory(ressource=salle, user=u, debut=demain_a(h), fin=demain_a(h + 1))
        for u, h in zip(proprietaires, (8, 9, 10, 11), strict=True)
    )
    jetons = {r.pk: AuthToken.emettre(r.user) for r in (a, b, c, d)}

    def deplacer(r, debut, fin):
        return (
            "PATCH",
            f"/reservations/{r.pk}",
            jetons[r.pk],
            {"debut": iso(debut), "fin": iso(fin)},
        )

    def reserver(debut, fin):
        corps = {"ressource_id": salle.pk, "debut": iso(debut), "fin": iso(fin)}
        return ("POST", "/reservations/", AuthToken.emettre(UserFactory()), corps)

    requetes = [
        # a and b swap their slots: each move alone lands on the other.
        deplacer(a, demain_a(9), demain_a(10)),
        deplacer(b, demain_a(8), demain_a(9)),
        # c and d both move onto the same free slot, which new bookings also want.
        deplacer(c, demain_a(14), demain_a(15)),
        deplacer(d, demain_a(14), demain_a(15)),
        reserver(demain_a(14), demain_a(15)),
        reserver(demain_a(14, 30), demain_a(15, 30)),
        reserver(demain_a(13, 30), demain_a(14, 30)),
        reserver(demain_a(15), demain_a(16)),
    ]
    resultats, duree = en_meme_temps(live_server, requetes)

    statuts = [status for status, _ in resultats]
    with capsys.disabled():
        print(
            f"\n[race:{connection.vendor}] {len(requetes)} moves/bookings: {statuts} in {duree:.2f}s"
        )
    assert all(s in (200, 201, 409) for s in statuts), resultats
    assert statuts[:2] == [409, 409]
    # Exactly one of the four requests for 14:00-15:00 (or overlapping it) won it.
    vers_14h = [statuts[i] for i in (2, 3, 4, 5, 6)]
    assert sum(s in (200, 201) for s in vers_14h) in (1, 2)
    assert chevauchements(salle) == []
    # The 15:00-16:00 booking only conflicts with the 14:30-15:30 one.
    assert statuts[7] == 201 or statuts[5] == 201


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_rejects_an_overlap_that_bypasses_the_services():
    existante = ReservationFactory(debut=demain_a(10), fin=demain_a(11))
    with (
        pytest.raises(IntegrityError, match="reservation_sans_chevauchement"),
        transaction.atomic(),
    ):
        Reservation.objects.create(
            ressource=existante.ressource,
            site=existante.site,
            user=existante.user,
            createur=existante.user,
            debut=demain_a(10, 30),
            fin=demain_a(11, 30),
        )
    # Touching ends and closed reservations are allowed by the constraint too.
    Reservation.objects.create(
        ressource=existante.ressource,
        site=existante.site,
        user=existante.user,
        createur=existante.user,
        debut=demain_a(11),
        fin=demain_a(12),
    )
    Reservation.objects.create(
        ressource=existante.ressource,
        site=existante.site,
        user=existante.user,
        createur=existante.user,
        debut=demain_a(10),
        fin=demain_a(11),
        statut="annule",
    )
    assert Reservation.objects.count() == 3


def _rater_le_conflit(monkeypatch, fois):
    """Make the Python conflict check see nothing for the next ``fois`` calls."""
    vrai = regles.conflits_du_creneau
    restant = {"n": fois}

    def aveugle(*args, **kwargs):
        if restant["n"] > 0:
            restant["n"] -= 1
            return []
        return vrai(*args, **kwargs)

    monkeypatch.setattr(regles, "conflits_du_creneau", aveugle)


@sur_postgresql
@pytest.mark.django_db
def test_a_constraint_violation_becomes_the_usual_409_with_the_conflicts(monkeypatch):
    existante = ReservationFactory(debut=demain_a(10), fin=demain_a(11))
    _rater_le_conflit(monkeypatch, fois=1)
    client = client_pour(UserFactory())
    reponse = client.post(
        "/reservations/",
        {
            "ressource_id": existante.ressource_id,
            "debut": iso(demain_a(10, 30)),
            "fin": iso(demain_a(11, 30)),
        },
        format="json",
    )
    assert reponse.status_code == 409
    ressource = existante.ressource
    assert reponse.json() == {
        "detail": regles.MSG_CONFLIT,
        "code": "conflit_reservation",
        "conflits": [
            {
                "type": "reservation",
                "id": existante.pk,
                "debut": iso(demain_a(10)),
                "fin": iso(demain_a(11)),
            }
        ],
        "alternatives": [
            {
                "ressource_id": ressource.pk,
                "nom": ressource.nom,
                "site_id": ressource.site_id,
                "debut": iso(demain_a(11)),
                "fin": iso(demain_a(12)),
            }
        ],
    }
    assert Reservation.objects.count() == 1


@sur_postgresql
@pytest.mark.django_db
def test_a_constraint_violation_on_a_move_is_a_409_even_when_nothing_is_found_again(monkeypatch):
    existante = ReservationFactory(debut=demain_a(10), fin=demain_a(11))
    deplacee = ReservationFactory(
        ressource=existante.ressource, debut=demain_a(14), fin=demain_a(15)
    )
    _rater_le_conflit(monkeypatch, fois=2)
    reponse = client_pour(deplacee.user).patch(
        f"/reservations/{deplacee.pk}",
        {"debut": iso(demain_a(10)), "fin": iso(demain_a(11))},
        format="json",
    )
    assert reponse.status_code == 409
    assert reponse.json() == {"detail": regles.MSG_CONFLIT, "code": "conflit_reservation"}
    deplacee.refresh_from_db()
    assert deplacee.debut == demain_a(14)


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_booking_locks_the_ressource_row_but_not_its_site():
    from django.db import DatabaseError

    from sites.models import Site

    salle = RessourceFactory()
    voisine = RessourceFactory(site=salle.site)
    verdicts = {}
    verrou_pris, fin = threading.Event(), threading.Event()

    def detenteur():
        with transaction.atomic():
            services.verrouiller(salle)
            verrou_pris.set()
            fin.wait(timeout=10)
        connections.close_all()

    def essayer(nom, requete):
        try:
            with transaction.atomic():
                requete.select_for_update(nowait=True).get()
            verdicts[nom] = "libre"
        except DatabaseError:
            verdicts[nom] = "verrouillee"
        finally:
            connections.close_all()

    fil = threading.Thread(target=detenteur)
    fil.start()
    assert verrou_pris.wait(timeout=10)
    for nom, requete in [
        ("salle", Ressource.objects.filter(pk=salle.pk)),
        ("site", Site.objects.filter(pk=salle.site_id)),
        ("voisine", Ressource.objects.filter(pk=voisine.pk)),
    ]:
        autre = threading.Thread(target=essayer, args=(nom, requete))
        autre.start()
        autre.join(timeout=10)
    fin.set()
    fil.join(timeout=10)
    assert verdicts == {"salle": "verrouillee", "site": "libre", "voisine": "libre"}


def test_moves_crossing_between_two_ressources_neither_deadlock_nor_overlap(live_server, capsys):
    r1, r2 = RessourceFactory(), RessourceFactory()
    requetes = []
    for heure in (8, 9, 10):
        a = ReservationFactory(ressource=r1, debut=demain_a(heure), fin=demain_a(heure + 1))
        b = ReservationFactory(ressource=r2, debut=demain_a(heure), fin=demain_a(heure + 1))
        for reservation, vers in ((a, r2), (b, r1)):
            requetes.append(
                (
                    "PATCH",
                    f"/reservations/{reservation.pk}",
                    AuthToken.emettre(reservation.user),
                    {"ressource_id": vers.pk, "debut": iso(demain_a(15)), "fin": iso(demain_a(16))},
                )
            )
    for ressource in (r1, r2):
        corps = {"ressource_id": ressource.pk, "debut": iso(demain_a(15)), "fin": iso(demain_a(16))}
        requetes.append(("POST", "/reservations/", AuthToken.emettre(UserFactory()), corps))

    resultats, duree = en_meme_temps(live_server, requetes)

    statuts = [status for status, _ in resultats]
    with capsys.disabled():
        print(
            f"\n[race:{connection.vendor}] {len(requetes)} crossing moves: {statuts} in {duree:.2f}s"
        )
    assert all(s in (200, 201, 409) for s in statuts), resultats
    assert statuts.count(409) == len(requetes) - 2
    assert chevauchements(r1) == [] and chevauchements(r2) == []


def _attendre_une_attente_de_verrou(secondes=5):
    """True once another session of this test database waits for a lock (PostgreSQL)."""
    limite = time.monotonic() + secondes
    with connection.cursor() as curseur:
        while time.monotonic() < limite:
            curseur.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if curseur.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


def _dans_un_fil(action, *, tenu=None, relacher=None):
    """Run ``action`` in one transaction of a thread of its own (its own connection).

    With ``tenu``: set it once ``action`` has run, and keep the transaction (and its locks)
    open until ``relacher``. Returns the thread and ``{"valeur": ...}`` or ``{"erreur": ...}``.
    """
    resultat = {}

    def executer():
        try:
            with transaction.atomic():
                resultat["valeur"] = action()
                if tenu is not None:
                    tenu.set()
                    relacher.wait(timeout=5)
        except Exception as exc:
            resultat["erreur"] = exc
        finally:
            if tenu is not None:
                tenu.set()
            connections.close_all()

    fil = threading.Thread(target=executer)
    fil.start()
    return fil, resultat


def _maintenance_sur(reservation):
    return ResourceAvailability(
        ressource=reservation.ressource,
        type_disponibilite=TypeDisponibilite.MAINTENANCE,
        debut=demain_a(9),
        fin=demain_a(12),
        raison_indisponibilite="Peinture",
    )


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_period_waits_for_a_no_show_committed_meanwhile_and_leaves_it_alone():
    absente = ReservationFactory(debut=demain_a(10), fin=demain_a(11), note="Projecteur")
    autre = ReservationFactory(ressource=absente.ressource, debut=demain_a(9), fin=demain_a(10))
    manager = ManagerFactory()
    tenu, relacher = threading.Event(), threading.Event()

    non_present, marquage = _dans_un_fil(
        lambda: services.marquer_non_present(absente, par=manager, maintenant=absente.debut),
        tenu=tenu,
        relacher=relacher,
    )
    assert tenu.wait(timeout=5)
    periode, enregistrement = _dans_un_fil(
        lambda: services.enregistrer_disponibilite(
            _maintenance_sur(absente), par=manager, annuler_conflits=True
        )
    )
    try:
        assert _attendre_une_attente_de_verrou(), "the period should wait for the row lock"
    finally:
        relacher.set()
        non_present.join(timeout=10)
        periode.join(timeout=10)

    assert "erreur" not in marquage and "erreur" not in enregistrement, (marquage, enregistrement)
    _, annulees = enregistrement["valeur"]
    assert annulees == [autre.pk]
    absente.refresh_from_db()
    assert absente.statut == StatutReservation.NON_PRESENT
    assert absente.note == "Projecteur"
    assert Reservation.objects.get(pk=autre.pk).statut == StatutReservation.ANNULE


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_no_show_waits_for_a_period_that_cancelled_the_reservation_and_is_refused():
    reservation = ReservationFactory(debut=demain_a(10), fin=demain_a(11))
    manager = ManagerFactory()
    tenu, relacher = threading.Event(), threading.Event()

    periode, enregistrement = _dans_un_fil(
        lambda: services.enregistrer_disponibilite(
            _maintenance_sur(reservation), par=manager, annuler_conflits=True
        ),
        tenu=tenu,
        relacher=relacher,
    )
    assert tenu.wait(timeout=5)
    non_present, marquage = _dans_un_fil(
        lambda: services.marquer_non_present(reservation, par=manager, maintenant=reservation.debut)
    )
    try:
        assert _attendre_une_attente_de_verrou(), "the no-show should wait for the row lock"
    finally:
        relacher.set()
        periode.join(timeout=10)
        non_present.join(timeout=10)

    assert "erreur" not in enregistrement, enregistrement
    assert enregistrement["valeur"][1] == [reservation.pk]
    assert isinstance(marquage.get("erreur"), ConflitEtat), marquage
    assert marquage["erreur"].detail == services.MSG_NON_PRESENT_ETAT
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.ANNULE
    assert reservation.note == services.MSG_ANNULEE_PAR_INDISPONIBILITE.format(raison="Peinture")
