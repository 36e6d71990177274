"""The outbox in the back-office: French, read-only, failed messages sent again."""

import re
from html import unescape

import pytest
from django.core import mail
from django.test import Client

from notifications import services
from notifications.admin import MSG_AUCUN_ECHEC, MSG_RENVOYES
from notifications.models import Courriel, StatutCourriel

pytestmark = pytest.mark.django_db

URL = "/admin/notifications/courriel/"
EN_PANNE = {"default": {"BACKEND": "notifications.tests.mailers.EnPanne"}}


@pytest.fixture
def back_office(admin_resa):
    client = Client()
    client.force_login(admin_resa)
    return client


@pytest.fixture
def en_echec(reserver, alice, salle, settings):
    settings.MAILERS = EN_PANNE
    reserver(alice, salle)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    Courriel.objects.update(
        statut=StatutCourriel.ECHEC,
        tentatives=services.MAX_TENTATIVES,
        derniere_erreur="SMTPServerDisconnected: Serveur de messagerie injoignable",
    )
    return Courriel.objects.get()


def _texte(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_field_of_the_outbox_has_a_french_label():
    for champ in Courriel._meta.concrete_fields:
        if champ.auto_created:
            continue
        assert "verbose_name" in champ.deconstruct()[3], champ.name
        assert str(champ.verbose_name) != champ.name.replace("_", " ") or champ.name in {
            "statut",
            "tentatives",
            "destinataire",
            "prochaine_tentative",
        }
    assert Courriel._meta.verbose_name_plural == "courriels"


def test_the_list_shows_status_attempts_and_error_in_french(back_office, en_echec):
    reponse = back_office.get(URL)

    assert reponse.status_code == 200
    texte = _texte(reponse.content.decode())
    for libelle in (
        "Courriels",
        "Type de message",
        "Adresse du destinataire",
        "Objet",
        "Statut",
        "Tentatives",
        "Prochaine tentative",
        "Envoyé le",
        "Dernière erreur",
        "Par statut",
        "Échec",
        "Serveur de messagerie injoignable",
        "Renvoyer les courriels en échec sélectionnés",
    ):
        assert libelle in texte, libelle
    assert f'href="{URL}add/"' not in reponse.content.decode()


def test_a_message_can_be_read_but_not_changed(back_office, en_echec):
    lecture = back_office.get(f"{URL}{en_echec.pk}/change/")

    assert lecture.status_code == 200
    assert "Réservation confirmée" in _texte(lecture.content.decode())
    assert back_office.post(f"{URL}{en_echec.pk}/change/", {"sujet": "x"}).status_code == 403
    assert back_office.get(f"{URL}add/").status_code == 403
    assert back_office.get(f"{URL}{en_echec.pk}/delete/").status_code == 403


def test_the_action_sends_failed_messages_again(back_office, en_echec, diffusion):
    with diffusion():
        reponse = back_office.post(
            URL, {"action": "renvoyer", "_selected_action": [en_echec.pk]}, follow=True
        )

    assert MSG_RENVOYES.format(n=1) in _texte(reponse.content.decode())
    en_echec.refresh_from_db()
    assert en_echec.statut == StatutCourriel.ENVOYE
    assert en_echec.tentatives == 1
    assert len(mail.outbox) == 1


def test_the_action_leaves_sent_messages_alone(back_office, reserver, alice, salle, diffusion):
    reserver(alice, salle)
    envoye = Courriel.objects.get()

    with diffusion():
        reponse = back_office.post(
            URL, {"action": "renvoyer", "_selected_action": [envoye.pk]}, follow=True
        )

    assert MSG_AUCUN_ECHEC in _texte(reponse.content.decode())
    assert len(mail.outbox) == 1
