"""The back-office of the webhooks: French labels, subscriptions created and changed
through the services (network rule included), the secret shown only on the page that
answers a creation or a rotation, recent deliveries on the change page, "rejouer"."""

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from standardwebhooks import Webhook

from webhooks.models import Abonnement, Livraison
from webhooks.tests.factories import AbonnementFactory, LivraisonFactory

pytestmark = pytest.mark.django_db

URL_ABONNEMENTS = "/admin/webhooks/abonnement/"
URL_LIVRAISONS = "/admin/webhooks/livraison/"
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")
MOTS_SANS_ACCENT = {"evenement", "evenements", "creation", "derniere", "livree", "reseau"}


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def noms(dns):
    dns.noms["hooks.example.com"] = ["93.184.216.34"]
    dns.noms["interne.example.com"] = ["10.1.2.3"]
    return dns


def _texte(reponse):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", reponse.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("modele", [Abonnement, Livraison], ids=lambda m: m.__name__)
def test_every_field_has_an_explicit_french_label(modele):
    assert "verbose_name" in modele._meta.original_attrs
    for champ in modele._meta.concrete_fields:
        if champ.auto_created:
            continue
        _, _, _, kwargs = champ.deconstruct()
        assert "verbose_name" in kwargs, champ.name
        assert not set(re.split(r"[\s']", str(champ.verbose_name))) & MOTS_SANS_ACCENT


def test_creating_a_subscription_shows_its_secret_once(back_office):
    reponse = back_office.post(
        f"{URL_ABONNEMENTS}add/",
        {
            "url": "https://hooks.example.com/resa",
            "evenements": ["reservation.creee", "reservation.annulee"],
            "actif": "on",
            "description": "Écran du hall",
        },
    )

    assert reponse.status_code == 200
    abonnement = Abonnement.objects.get()
    assert abonnement.evenements == ["reservation.creee", "reservation.annulee"]
    assert SECRET.findall(reponse.content.decode()) == [abonnement.secret]
    assert "no-store" in reponse["Cache-Control"] or "no-cache" in reponse["Cache-Control"]
    assert "il ne sera plus jamais affiché" in _texte(reponse)
    for url in (URL_ABONNEMENTS, f"{URL_ABONNEMENTS}{abonnement.pk}/change/"):
        page = back_office.get(url)
        assert page.status_code == 200
        assert abonnement.secret not in page.content.decode()
        assert not SECRET.search(page.content.decode())


def test_the_network_rule_and_event_types_are_form_errors(back_office):
    reponse = back_office.post(
        f"{URL_ABONNEMENTS}add/",
        {"url": "https://interne.example.com/", "evenements": ["*", "reservation.creee"]},
    )

    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.errors
    assert "10.1.2.3" in erreurs["url"][0]
    assert "s'emploie seul" in erreurs["evenements"][0]
    assert not Abonnement.objects.exists()


def test_changing_a_subscription_goes_through_the_service(back_office):
    abonnement = AbonnementFactory(url="https://hooks.example.com/a", evenements=["*"])

    reponse = back_office.post(
        f"{URL_ABONNEMENTS}{abonnement.pk}/change/",
        {"url": "https://hooks.example.com/b", "evenements": ["disponibilite.creee"]},
    )

    assert reponse.status_code == 302
    abonnement.refresh_from_db()
    assert abonnement.url == "https://hooks.example.com/b"
    assert abonnement.evenements == ["disponibilite.creee"]
    assert abonnement.actif is False  # unchecked box


def test_the_change_page_lists_recent_deliveries_in_french(back_office):
    abonnement = AbonnementFactory()
    LivraisonFactory(abonnement=abonnement, statut="echec", dernier_code=500)
    LivraisonFactory(abonnement=abonnement, statut="livree", dernier_code=200)
    LivraisonFactory()  # another subscription's

    texte = _texte(back_office.get(f"{URL_ABONNEMENTS}{abonnement.pk}/change/"))

    assert "20 dernières livraisons" in texte
    assert "Échec" in texte and "Livrée" in texte
    assert texte.count("webhook.ping") == 2
    assert "Toutes les livraisons de cet abonnement" in texte
    assert "Types d'événements" in texte


def test_the_rotation_action_shows_the_new_secrets_once(back_office):
    premier, second = AbonnementFactory(), AbonnementFactory()
    anciens = {premier.secret, second.secret}

    reponse = back_office.post(
        URL_ABONNEMENTS,
        {"action": "renouveler_secret", "_selected_action": [premier.pk, second.pk]},
    )

    premier.refresh_from_db()
    second.refresh_from_db()
    montres = SECRET.findall(reponse.content.decode())
    assert sorted(montres) == sorted([premier.secret, second.secret])
    assert not anciens & set(montres)
    Webhook(premier.secret)


def test_the_rejouer_action_queues_deliveries_again(back_office):
    abonnement = AbonnementFactory()
    echec = LivraisonFactory(abonnement=abonnement, statut="echec", tentatives=10)
    inactive = LivraisonFactory(abonnement=AbonnementFactory(actif=False), statut="echec")

    reponse = back_office.post(
        URL_LIVRAISONS,
        {"action": "rejouer", "_selected_action": [echec.pk, inactive.pk]},
        follow=True,
    )

    echec.refresh_from_db()
    inactive.refresh_from_db()
    assert (echec.statut, echec.tentatives) == ("en_attente", 0)
    assert inactive.statut == "echec"
    messages = [str(m) for m in get_messages(reponse.wsgi_request)]
    assert "1 livraison(s) remise(s) en file." in messages
    assert "1 livraison(s) non rejouée(s) : abonnement inactif." in messages


def test_the_delivery_pages_are_read_only_and_name_things_in_french(back_office):
    livraison = LivraisonFactory(statut="echec", derniere_erreur="Réponse HTTP 500")

    liste = back_office.get(URL_LIVRAISONS)
    detail = back_office.get(f"{URL_LIVRAISONS}{livraison.pk}/change/")

    assert liste.status_code == detail.status_code == 200
    texte = _texte(liste)
    for mot in ("Rejouer les livraisons sélectionnées", "Dernier code HTTP", "Prochaine tentative"):
        assert mot in texte
    assert livraison.abonnement.secret not in liste.content.decode()
    assert livraison.abonnement.secret not in detail.content.decode()
    assert back_office.get(f"{URL_LIVRAISONS}add/").status_code == 403


def test_deleting_a_subscription_in_the_back_office_takes_its_deliveries(back_office):
    abonnement = AbonnementFactory()
    LivraisonFactory.create_batch(2, abonnement=abonnement)

    back_office.post(f"{URL_ABONNEMENTS}{abonnement.pk}/delete/", {"post": "yes"})

    assert not Abonnement.objects.exists()
    assert not Livraison.objects.exists()


def test_the_ping_action_queues_a_ping_per_active_subscription(back_office):
    actif, inactif = AbonnementFactory(), AbonnementFactory(actif=False)

    back_office.post(
        URL_ABONNEMENTS, {"action": "envoyer_essai", "_selected_action": [actif.pk, inactif.pk]}
    )

    assert list(Livraison.objects.values_list("abonnement_id", "type")) == [
        (actif.pk, "webhook.ping")
    ]
