"""Deliveries to real receivers on loopback: signed (verified with the ``standardwebhooks``
reference library), the event's id as ``webhook-id`` on every retry, growing delays then
``echec``, no redirect followed, a timeout, the network rule again at delivery (addresses
pinned: the request goes where the check looked), filtering, idempotence, nothing for a
rolled-back change."""

import json
import socket
import ssl
import threading
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from accounts.tests.factories import UserFactory
from reservations import journal
from reservations import services as reservations
from reservations.models import Evenement, Recurrence, TypeDisponibilite, TypeEvenement
from reservations.serializers import DisponibiliteSerializer, ReservationSerializer
from reservations.tests.factories import demain_a
from ressources.tests.factories import RessourceFactory
from webhooks import envoi, services, taches
from webhooks.models import PING, Livraison, StatutLivraison
from webhooks.tests.conftest import Reponse
from webhooks.tests.factories import LivraisonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def diffusion(django_capture_on_commit_callbacks):
    """Commit callbacks run at the end of the block (the journal's diffusion, then the
    sending task), as after a real commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def reserver(diffusion):
    def reserver(ressource=None, **champs):
        with diffusion():
            return reservations.reserver(
                par=champs.pop("par", None) or UserFactory(),
                ressource=ressource or RessourceFactory(),
                debut=champs.pop("debut", demain_a(10)),
                fin=champs.pop("fin", demain_a(11)),
                **champs,
            )

    return reserver


def abonner(url, evenements=("*",), **champs):
    return services.creer_abonnement(par=None, url=url, evenements=list(evenements), **champs)


def verifier(abonnement, requete):
    """The payload, once its signature verified with the reference library."""
    return Webhook(abonnement.secret).verify(requete.corps, requete.entetes)


def rendre_dues():
    """Make every waiting delivery due now (as if its delay had passed)."""
    Livraison.objects.filter(statut=StatutLivraison.EN_ATTENTE).update(
        prochaine_tentative=timezone.now() - timedelta(seconds=1)
    )


# --- A delivery ---------------------------------------------------------------------------


def test_a_booking_is_posted_signed_with_the_event_id_and_the_reservation_as_the_api_shows_it(
    recepteur, boucle_autorisee, reserver
):
    abonnement = abonner(recepteur.url())

    reservation = reserver()

    (requete,) = recepteur.requetes
    evenement = Evenement.objects.get(reservation_id=reservation.pk)
    assert requete.methode == "POST"
    assert requete.chemin == "/recevoir?jeton=abc"
    assert requete.entetes["content-type"] == "application/json"
    assert requete.entetes["host"] == f"127.0.0.1:{recepteur.port}"
    assert requete.entetes["webhook-id"] == str(evenement.pk)
    assert abs(int(requete.entetes["webhook-timestamp"]) - time.time()) < 30
    assert requete.entetes["webhook-signature"].startswith("v1,")
    corps = verifier(abonnement, requete)
    assert corps == {
        "type": "reservation.creee",
        "timestamp": journal.valeur_api(evenement.date),
        "data": json.loads(json.dumps(ReservationSerializer(reservation).data)),
    }
    livraison = Livraison.objects.get()
    assert (livraison.statut, livraison.tentatives, livraison.dernier_code) == ("livree", 1, 200)
    assert livraison.evenement_id == evenement.pk
    assert livraison.prochaine_tentative is None
    assert livraison.derniere_erreur == ""


def test_the_signature_covers_the_exact_body_id_and_timestamp(
    recepteur, boucle_autorisee, reserver
):
    abonnement = abonner(recepteur.url())
    reserver(description="Réunion « été » 😀")
    (requete,) = recepteur.requetes

    falsifie = requete.corps.replace(b"reservation.creee", b"reservation.annulee")
    with pytest.raises(WebhookVerificationError):
        Webhook(abonnement.secret).verify(falsifie, requete.entetes)
    autre_id = {**requete.entetes, "webhook-id": "999999"}
    with pytest.raises(WebhookVerificationError):
        Webhook(abonnement.secret).verify(requete.corps, autre_id)
    assert "Réunion « été » 😀" in requete.corps.decode("utf-8")


def test_a_secret_is_whsec_and_base64_of_at_least_24_random_bytes():
    import base64

    premier, second = envoi.nouveau_secret(), envoi.nouveau_secret()

    assert premier.startswith("whsec_")
    assert len(base64.b64decode(premier.removeprefix("whsec_"))) >= 24
    assert premier != second


def test_a_ping_is_signed_with_its_own_id(recepteur, boucle_autorisee, diffusion):
    abonnement = abonner(recepteur.url())

    with diffusion():
        livraison = services.envoyer_ping(abonnement, par=None)

    (requete,) = recepteur.requetes
    assert requete.entetes["webhook-id"] == f"ping-{livraison.pk}"
    corps = verifier(abonnement, requete)
    assert corps["type"] == PING
    assert corps["data"]["abonnement_id"] == abonnement.pk
    livraison.refresh_from_db()
    assert livraison.statut == "livree"
    assert livraison.evenement_id is None


def test_an_ipv6_loopback_receiver_is_reached_when_allowed(recepteurs, boucle_autorisee, reserver):
    recepteur = recepteurs(hote="::1")
    abonnement = abonner(recepteur.url())

    reserver()

    (requete,) = recepteur.requetes
    verifier(abonnement, requete)
    assert Livraison.objects.get().statut == "livree"


# --- Retries --------------------------------------------------------------------------------


def test_a_receiver_answering_500_then_200_gets_the_same_id_and_body_again(
    recepteur, boucle_autorisee, reserver
):
    abonnement = abonner(recepteur.url())
    recepteur.repondre(Reponse(500), Reponse(200))

    avant = timezone.now()
    reserver()
    apres = timezone.now()

    livraison = Livraison.objects.get()
    assert (livraison.statut, livraison.tentatives, livraison.dernier_code) == (
        "en_attente",
        1,
        500,
    )
    assert "500" in livraison.derniere_erreur
    premier_delai = services.DELAIS_RELANCE[0]
    assert avant + premier_delai <= livraison.prochaine_tentative <= apres + premier_delai

    assert taches.livrer_les_dues() == 0  # not due yet
    assert len(recepteur.requetes) == 1

    rendre_dues()
    assert taches.livrer_les_dues() == 1

    premiere, seconde = recepteur.requetes
    assert premiere.entetes["webhook-id"] == seconde.entetes["webhook-id"]
    assert premiere.corps == seconde.corps
    verifier(abonnement, premiere)
    verifier(abonnement, seconde)
    livraison.refresh_from_db()
    assert (livraison.statut, livraison.tentatives, livraison.dernier_code) == ("livree", 2, 200)
    assert livraison.derniere_erreur == ""
    assert livraison.prochaine_tentative is None


def test_delays_grow_over_at_least_an_hour_then_the_delivery_is_echec(
    recepteur, boucle_autorisee, reserver
):
    abonner(recepteur.url())
    recepteur.defaut = Reponse(503)
    reserver()
    delais = []

    for _ in range(services.MAX_TENTATIVES - 1):
        livraison = Livraison.objects.get()
        assert livraison.statut == "en_attente"
        delais.append(livraison.prochaine_tentative - livraison.derniere_tentative)
        rendre_dues()
        taches.livrer_les_dues()

    livraison = Livraison.objects.get()
    assert livraison.statut == "echec"
    assert livraison.tentatives == services.MAX_TENTATIVES >= 5
    assert livraison.prochaine_tentative is None
    assert livraison.dernier_code == 503
    assert len(recepteur.requetes) == services.MAX_TENTATIVES
    assert len({r.entetes["webhook-id"] for r in recepteur.requetes}) == 1
    assert delais == sorted(delais)
    assert delais[0] >= timedelta(minutes=1)
    assert sum(delais, timedelta()) >= timedelta(hours=1)
    for attendu, observe in zip(services.DELAIS_RELANCE, delais, strict=True):
        assert attendu <= observe <= attendu + timedelta(seconds=5)

    rendre_dues()
    taches.livrer_les_dues()
    assert len(recepteur.requetes) == services.MAX_TENTATIVES  # no attempt after echec


def test_a_redirect_is_not_followed(recepteurs, boucle_autorisee, reserver):
    cible, redirigeant = recepteurs(), recepteurs()
    redirigeant.defaut = Reponse(302, {"Location": cible.url("/ailleurs")})
    abonner(redirigeant.url())

    reserver()

    assert len(redirigeant.requetes) == 1
    assert cible.requetes == []
    livraison = Livraison.objects.get()
    assert (livraison.statut, livraison.dernier_code) == ("en_attente", 302)
    assert "Redirection non suivie" in livraison.derniere_erreur


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    recepteur, boucle_autorisee, reserver, monkeypatch
):
    monkeypatch.setattr(envoi, "DELAI_REPONSE", 0.3)
    recepteur.repondre(Reponse(200, attente=1.5))
    abonner(recepteur.url())

    debut = time.monotonic()
    reserver()
    duree = time.monotonic() - debut

    assert duree < 1.2
    livraison = Livraison.objects.get()
    assert (livraison.statut, livraison.tentatives, livraison.dernier_code) == (
        "en_attente",
        1,
        None,
    )
    assert "délai" in livraison.derniere_erreur


def test_a_receiver_answering_byte_by_byte_is_cut_off_at_the_deadline(
    boucle_autorisee, reserver, monkeypatch
):
    """The deadline is for the whole answer, not for each read."""
    monkeypatch.setattr(envoi, "DELAI_REPONSE", 0.5)
    serveur = socket.create_server(("127.0.0.1", 0))
    arret = threading.Event()

    def goutte_a_goutte():
        connexion, _ = serveur.accept()
        with connexion:
            connexion.recv(65536)
            for octet in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                if arret.wait(0.1):
                    return
                try:
                    connexion.sendall(bytes([octet]))
                except OSError:
                    return

    fil = threading.Thread(target=goutte_a_goutte, daemon=True)
    fil.start()
    try:
        abonner(f"http://127.0.0.1:{serveur.getsockname()[1]}/")
        debut = time.monotonic()
        reserver()
        duree = time.monotonic() - debut
    finally:
        arret.set()
        fil.join(5)
        serveur.close()

    assert duree < 2.5
    livraison = Livraison.objects.get()
    assert livraison.statut == "en_attente"
    assert "délai" in livraison.derniere_erreur


def test_a_closed_port_is_a_failed_attempt(boucle_autorisee, reserver):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    abonner(f"http://127.0.0.1:{port}/")

    reserver()

    livraison = Livraison.objects.get()
    assert livraison.statut == "en_attente"
    assert livraison.derniere_erreur == envoi.MSG_REFUSEE


def test_a_receiver_that_fails_gets_no_other_attempt_in_the_same_run(
    recepteurs, boucle_autorisee, reserver
):
    en_panne, sain = recepteurs(), recepteurs()
    en_panne.defaut = Reponse(500)
    abonner(en_panne.url())
    abonner(sain.url())
    for heure in (9, 11, 13):
        reserver(debut=demain_a(heure), fin=demain_a(heure + 1))
    assert len(en_panne.requetes) == 3  # one per event's own task
    rendre_dues()

    taches.livrer_les_dues()

    assert len(en_panne.requetes) == 4  # one more, not three
    assert len(sain.requetes) == 3
    assert Livraison.objects.filter(statut="en_attente").count() == 3


# --- Claims -------------------------------------------------------------------------------


def test_an_attempt_is_claimed_once_and_never_from_a_stale_read(recepteur, boucle_autorisee):
    abonnement = abonner(recepteur.url())
    livraison = services.envoyer_ping(abonnement, par=None)
    recepteur.repondre(Reponse(500))

    assert services.tenter(livraison.pk, 0) is False
    assert services.tenter(livraison.pk, 0) is None  # claimed: not due any more
    rendre_dues()
    assert services.tenter(livraison.pk, 0) is None  # due, but read before that attempt
    assert len(recepteur.requetes) == 1
    assert services.tenter(livraison.pk, 1) is True
    assert services.tenter(livraison.pk, 2) is None  # delivered
    assert len(recepteur.requetes) == 2


def test_an_attempt_whose_worker_died_is_due_again_later_then_echec_at_the_last(
    recepteur, boucle_autorisee
):
    abonnement = abonner(recepteur.url())
    livraison = services.envoyer_ping(abonnement, par=None)
    # Claimed, then the process was killed before the answer was recorded.
    Livraison.objects.filter(pk=livraison.pk).update(
        tentatives=1, prochaine_tentative=timezone.now() + services.BAIL
    )
    assert taches.livrer_les_dues() == 0

    rendre_dues()
    assert taches.livrer_les_dues() == 1
    assert len(recepteur.requetes) == 1

    Livraison.objects.filter(pk=livraison.pk).update(
        statut="en_attente", tentatives=services.MAX_TENTATIVES
    )
    rendre_dues()
    taches.livrer_les_dues()
    livraison.refresh_from_db()
    assert livraison.statut == "echec"
    assert livraison.derniere_erreur == services.MSG_INTERROMPU
    assert len(recepteur.requetes) == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_delivery_once(recepteur, boucle_autorisee):
    from django.db import connection

    recepteur.defaut = Reponse(200, attente=0.02)
    abonnement = abonner(recepteur.url())
    LivraisonFactory.create_batch(20, abonnement=abonnement)
    depart = threading.Barrier(2)
    erreurs = []

    def worker():
        try:
            depart.wait()
            services.livrer()
        except Exception as exc:  # reported below
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=worker) for _ in range(2)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(60)

    assert erreurs == []
    ids = [r.entetes["webhook-id"] for r in recepteur.requetes]
    assert len(ids) == 20
    assert len(set(ids)) == 20
    assert Livraison.objects.filter(statut="livree", tentatives=1).count() == 20


# --- The network rule at delivery -----------------------------------------------------------


def test_the_request_goes_to_the_checked_address_with_the_name_in_host(
    recepteur, boucle_autorisee, dns, reserver
):
    dns.noms["recepteur.test"] = ["127.0.0.1"]
    abonnement = abonner(recepteur.url(hote="recepteur.test"))
    dns.appels.clear()

    reserver()

    (requete,) = recepteur.requetes
    assert requete.entetes["host"] == f"recepteur.test:{recepteur.port}"
    verifier(abonnement, requete)
    assert dns.appels == ["recepteur.test"]  # resolved once, by the check


def test_a_name_that_resolves_to_a_private_address_by_now_is_refused_at_delivery(
    recepteur, dns, reserver
):
    dns.noms["hooks.example.com"] = ["93.184.216.34"]
    abonner(f"http://hooks.example.com:{recepteur.port}/")
    dns.noms["hooks.example.com"] = ["10.0.0.7"]  # DNS rebinding

    reserver()

    livraison = Livraison.objects.get()
    assert livraison.statut == "en_attente"
    assert livraison.tentatives == 1
    assert "10.0.0.7" in livraison.derniere_erreur
    assert "privée" in livraison.derniere_erreur
    assert recepteur.requetes == []


def test_a_range_no_longer_allowed_is_refused_at_delivery(recepteur, settings, reserver):
    settings.WEBHOOKS_RESEAUX_AUTORISES = ["127.0.0.0/8"]
    abonner(recepteur.url())
    settings.WEBHOOKS_RESEAUX_AUTORISES = []

    reserver()

    livraison = Livraison.objects.get()
    assert "boucle locale" in livraison.derniere_erreur
    assert recepteur.requetes == []


def test_one_refused_address_among_several_refuses_the_name(recepteur, boucle_autorisee, dns):
    dns.noms["double.test"] = ["127.0.0.1", "169.254.169.254"]

    resultat = envoi.poster(recepteur.url(hote="double.test"), b"{}", {})

    assert not resultat.reussi
    assert "169.254.169.254" in resultat.erreur
    assert "lien local" in resultat.erreur
    assert recepteur.requetes == []


def test_https_keeps_sni_and_certificate_checks_on_the_name(
    recepteurs, certificats, boucle_autorisee, dns, monkeypatch
):
    recepteur = recepteurs(contexte_tls=certificats["serveur"])
    dns.noms["recepteur.test"] = ["127.0.0.1"]
    dns.noms["autre.test"] = ["127.0.0.1"]
    monkeypatch.setattr(
        envoi, "contexte_tls", lambda: ssl.create_default_context(cafile=certificats["ca"])
    )

    bon = envoi.poster(recepteur.url("/", hote="recepteur.test", schema="https"), b"{}", {})
    mauvais = envoi.poster(recepteur.url("/", hote="autre.test", schema="https"), b"{}", {})

    assert bon.reussi, bon.erreur
    assert recepteur.noms_sni[0] == "recepteur.test"
    assert len(recepteur.requetes) == 1
    assert not mauvais.reussi
    assert "Certificat TLS refusé" in mauvais.erreur


def test_an_untrusted_certificate_is_a_failed_attempt(
    recepteurs, certificats, boucle_autorisee, dns
):
    recepteur = recepteurs(contexte_tls=certificats["serveur"])
    dns.noms["recepteur.test"] = ["127.0.0.1"]

    resultat = envoi.poster(recepteur.url("/", hote="recepteur.test", schema="https"), b"{}", {})

    assert not resultat.reussi
    assert "Certificat TLS refusé" in resultat.erreur
    assert recepteur.requetes == []


# --- Which subscriptions ----------------------------------------------------------------------


def test_each_subscription_gets_the_types_it_asked_for(
    recepteurs, boucle_autorisee, reserver, diffusion
):
    tout, annulations, periodes = recepteurs(), recepteurs(), recepteurs()
    abonner(tout.url())
    abonner(annulations.url(), ["reservation.annulee", "reservation.confirmee"])
    abonner(periodes.url(), ["disponibilite.creee"])
    reservation = reserver()

    with diffusion():
        reservations.annuler(reservation, par=reservation.user)

    assert [json.loads(r.corps)["type"] for r in tout.requetes] == [
        "reservation.creee",
        "reservation.annulee",
    ]
    assert [json.loads(r.corps)["type"] for r in annulations.requetes] == ["reservation.annulee"]
    assert periodes.requetes == []


def test_an_inactive_subscription_gets_nothing_and_its_waiting_deliveries_wait(
    recepteur, boucle_autorisee, reserver
):
    abonnement = abonner(recepteur.url())
    recepteur.repondre(Reponse(500))
    reserver()
    services.modifier_abonnement(abonnement, par=None, actif=False)

    reserver(debut=demain_a(14), fin=demain_a(15))
    rendre_dues()
    taches.livrer_les_dues()

    assert len(recepteur.requetes) == 1
    assert Livraison.objects.count() == 1

    services.modifier_abonnement(abonnement, par=None, actif=True)
    taches.livrer_les_dues()
    assert len(recepteur.requetes) == 2
    assert Livraison.objects.get().statut == "livree"


def test_a_subscription_made_after_an_event_does_not_get_it(recepteur, boucle_autorisee):
    evenement_passe = timezone.now() - timedelta(minutes=5)
    abonner(recepteur.url())

    assert (
        services.preparer_livraisons(
            Evenement(pk=10**9, type=TypeEvenement.RESERVATION_CREEE, date=evenement_passe)
        )
        == []
    )


# --- Idempotence and transactions -----------------------------------------------------------


def test_an_event_offered_twice_gives_one_delivery_and_one_request(
    recepteur, boucle_autorisee, reserver, diffusion
):
    abonner(recepteur.url())
    reserver()
    evenement = Evenement.objects.get()

    Evenement.objects.update(diffuse_le=None)
    with diffusion():
        assert journal.diffuser_evenement(evenement) is True
    taches.livrer_les_dues()

    assert Livraison.objects.count() == 1
    assert len(recepteur.requetes) == 1


def test_an_event_whose_first_attempt_failed_offered_again_creates_nothing_more(
    recepteur, boucle_autorisee, reserver
):
    abonner(recepteur.url())
    recepteur.repondre(Reponse(500))
    reserver()
    evenement = Evenement.objects.get()

    ids = services.preparer_livraisons(evenement)

    assert ids == [Livraison.objects.get().pk]


def test_a_rolled_back_booking_delivers_nothing(recepteur, boucle_autorisee, diffusion):
    abonner(recepteur.url())

    with diffusion(), pytest.raises(RuntimeError), transaction.atomic():
        reservations.reserver(
            par=UserFactory(), ressource=RessourceFactory(), debut=demain_a(10), fin=demain_a(11)
        )
        raise RuntimeError("annulé")

    assert Evenement.objects.count() == 0
    assert Livraison.objects.count() == 0
    assert recepteur.requetes == []


# --- The payload ------------------------------------------------------------------------------


def test_the_payload_is_the_object_right_after_its_event_even_when_diffused_later(
    recepteur, boucle_autorisee, django_capture_on_commit_callbacks, diffusion
):
    abonner(recepteur.url())
    with django_capture_on_commit_callbacks(execute=False):  # not diffused yet
        reservation = reservations.reserver(
            par=UserFactory(), ressource=RessourceFactory(), debut=demain_a(10), fin=demain_a(11)
        )
        reservations.modifier(reservation, par=reservation.user, fin=demain_a(12))
        reservations.annuler(reservation, par=reservation.user)

    with diffusion():
        for evenement in Evenement.objects.order_by("id"):
            journal.diffuser_evenement(evenement)

    creee, modifiee, annulee = (json.loads(r.corps) for r in recepteur.requetes)
    assert creee["type"] == "reservation.creee"
    assert (creee["data"]["statut"], creee["data"]["duree_minutes"]) == ("confirme", 60)
    assert creee["data"]["fin"] == journal.valeur_api(demain_a(11))
    assert (modifiee["data"]["statut"], modifiee["data"]["duree_minutes"]) == ("confirme", 120)
    reservation.refresh_from_db()
    assert annulee["data"] == json.loads(json.dumps(ReservationSerializer(reservation).data))


def test_a_deleted_period_is_described_by_its_last_values(recepteur, boucle_autorisee, diffusion):
    abonner(recepteur.url(), ["disponibilite.creee", "disponibilite.supprimee"])
    with diffusion():
        periode, _ = reservations.enregistrer_disponibilite(
            par=UserFactory(),
            ressource=RessourceFactory(),
            type_disponibilite=TypeDisponibilite.MAINTENANCE,
            debut=demain_a(12),
            fin=demain_a(14),
            raison_indisponibilite="Peinture",
            recurrence=Recurrence.PONCTUEL,
        )
    representation = json.loads(json.dumps(DisponibiliteSerializer(periode).data))
    with diffusion():
        reservations.supprimer_disponibilite(periode, par=None)

    creee, supprimee = (json.loads(r.corps) for r in recepteur.requetes)
    assert creee["data"] == representation
    assert supprimee["type"] == "disponibilite.supprimee"
    attendu = {cle: valeur for cle, valeur in representation.items() if cle != "date_creation"}
    assert supprimee["data"] == attendu


def test_a_deleted_reservation_is_described_by_the_journal(
    recepteur, boucle_autorisee, reserver, diffusion
):
    abonner(recepteur.url(), ["reservation.annulee"])
    reservation = reserver(description="Comité")
    pk = reservation.pk

    with diffusion():
        reservations.supprimer_reservation(reservation, par=None)

    (requete,) = recepteur.requetes
    donnees = json.loads(requete.corps)["data"]
    assert donnees["id"] == pk
    assert donnees["statut"] == "annule"
    assert donnees["description"] == "Comité"
    assert donnees["debut"] == journal.valeur_api(demain_a(10))


# --- Replay and rotation -----------------------------------------------------------------------


def test_rejouer_sends_the_same_id_and_body_again_in_a_new_series(
    recepteur, boucle_autorisee, reserver, diffusion
):
    abonner(recepteur.url())
    recepteur.defaut = Reponse(500)
    reserver()
    Livraison.objects.update(statut="echec", tentatives=services.MAX_TENTATIVES)
    livraison = Livraison.objects.get()
    recepteur.defaut = Reponse(204)

    with diffusion():
        services.rejouer(livraison, par=None)

    premiere, rejouee = recepteur.requetes
    assert rejouee.entetes["webhook-id"] == premiere.entetes["webhook-id"]
    assert rejouee.corps == premiere.corps
    livraison.refresh_from_db()
    assert (livraison.statut, livraison.tentatives, livraison.dernier_code) == ("livree", 1, 204)


def test_after_a_rotation_only_the_new_secret_verifies(recepteur, boucle_autorisee, reserver):
    abonnement = abonner(recepteur.url())
    ancien = abonnement.secret
    recepteur.repondre(Reponse(500))
    reserver()

    nouveau = services.renouveler_secret(abonnement, par=None).secret
    rendre_dues()
    taches.livrer_les_dues()

    premiere, seconde = recepteur.requetes
    assert nouveau != ancien
    Webhook(ancien).verify(premiere.corps, premiere.entetes)
    Webhook(nouveau).verify(seconde.corps, seconde.entetes)
    with pytest.raises(WebhookVerificationError):
        Webhook(ancien).verify(seconde.corps, seconde.entetes)


def test_an_unexpected_error_is_a_failed_attempt_and_the_others_go_on(
    recepteurs, boucle_autorisee, monkeypatch
):
    casse, sain = recepteurs(), recepteurs()
    abonnement_casse, abonnement_sain = abonner(casse.url()), abonner(sain.url())
    services.envoyer_ping(abonnement_casse, par=None)
    services.envoyer_ping(abonnement_sain, par=None)
    poster = envoi.poster

    def poster_fragile(url, *args):
        if url == casse.url():
            raise RuntimeError("bogue")
        return poster(url, *args)

    monkeypatch.setattr(envoi, "poster", poster_fragile)

    assert taches.livrer_les_dues() == 1

    rate = Livraison.objects.get(abonnement=abonnement_casse)
    assert (rate.statut, rate.tentatives) == ("en_attente", 1)
    assert rate.derniere_erreur == services.MSG_ERREUR_INTERNE
    assert len(sain.requetes) == 1


def test_secrets_never_reach_the_logs(recepteur, boucle_autorisee, reserver, caplog):
    caplog.set_level("DEBUG")
    recepteur.repondre(Reponse(500))
    abonnement = abonner(recepteur.url())
    reserver()
    rendre_dues()
    taches.livrer_les_dues()
    ancien = abonnement.secret
    nouveau = services.renouveler_secret(abonnement, par=None).secret

    assert len(recepteur.requetes) == 2
    assert ancien not in caplog.text
    assert nouveau not in caplog.text
    assert "jeton=abc" not in caplog.text
