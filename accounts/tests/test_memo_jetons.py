"""The process's memo of tokens and their users (accounts.authentication.MEMO_JETONS): a
request whose token the process already checked runs no query for it, and no change made
by the app, in this process or another one of the host, leaves a revoked token or a stale
account in use."""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from accounts import services
from accounts.authentication import MEMO_JETONS
from accounts.models import MARQUE_COMPTES, AuthToken, Role
from accounts.tests.factories import AdminFactory, UserFactory
from resa_project.marques import Marque
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(api_client):
    user = UserFactory()
    cle = AuthToken.emettre(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")
    assert api_client.get("/auth/me").status_code == 200  # now in the memo
    return api_client, user, cle


def _supprimer_sans_receveur(table, pk):
    """What a change made outside the app (raw SQL) does: no receiver runs."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])


def test_a_token_checked_once_is_served_from_the_memo(session, django_assert_num_queries):
    client, user, _ = session
    with django_assert_num_queries(0):
        reponse = client.get("/auth/me")

    assert reponse.status_code == 200
    assert reponse.json()["id"] == user.pk


def test_an_unknown_token_is_looked_up_every_time(api_client, django_assert_num_queries):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer inconnu")
    for _ in range(2):
        with django_assert_num_queries(1):
            assert api_client.get("/auth/me").status_code == 401


def test_logout_ends_the_memoised_session(session):
    client, _, _ = session
    assert client.post("/auth/logout").status_code == 200

    assert client.get("/auth/me").status_code == 401


@pytest.mark.parametrize(
    "changement",
    [
        pytest.param(
            lambda u: services.modifier_utilisateur(u, par=None, compte_actif=False),
            id="deactivated",
        ),
        pytest.param(
            lambda u: services.modifier_utilisateur(u, par=None, password="Nouveau-secret-2027"),
            id="new-password",
        ),
        pytest.param(lambda u: u.tokens.all().delete(), id="tokens-deleted"),
        pytest.param(lambda u: u.delete(), id="account-deleted"),
    ],
)
def test_a_revocation_by_the_app_ends_the_memoised_session(session, changement):
    client, user, _ = session
    changement(user)

    assert client.get("/auth/me").status_code == 401


def test_an_account_changed_by_the_app_is_read_again(session, django_assert_num_queries):
    client, user, _ = session
    services.modifier_utilisateur(user, par=None, role=Role.MANAGER, nom_prenom="Nouveau Nom")

    with django_assert_num_queries(1):
        reponse = client.get("/auth/me")

    assert reponse.json()["role"] == "manager"
    assert reponse.json()["nom_prenom"] == "Nouveau Nom"


def test_a_new_token_changes_nothing_for_the_memoised_ones(session, django_assert_num_queries):
    client, user, _ = session
    avant = MARQUE_COMPTES.lire()
    AuthToken.emettre(user)

    assert MARQUE_COMPTES.lire() == avant
    with django_assert_num_queries(0):
        assert client.get("/auth/me").status_code == 200


def test_the_expiry_is_checked_on_every_request(session, monkeypatch):
    client, user, _ = session
    expire_le = AuthToken.objects.get(user=user).expire_le
    plus_tard = expire_le + timedelta(seconds=1)
    monkeypatch.setattr("accounts.authentication.timezone.now", lambda: plus_tard)

    assert client.get("/auth/me").status_code == 401


def test_a_change_made_in_another_process_is_seen_at_the_next_request(session, autre_processus):
    # Another process deletes the token: its receiver changes the host's stamp, which is
    # all this process can see of it.
    client, user, _ = session
    _supprimer_sans_receveur(AuthToken._meta.db_table, AuthToken.objects.get(user=user).pk)
    autre_processus("accounts.models", "MARQUE_COMPTES")

    assert client.get("/auth/me").status_code == 401


def test_a_change_the_app_does_not_see_lasts_memo_secondes_at_most(session, monkeypatch, settings):
    client, user, _ = session
    _supprimer_sans_receveur(AuthToken._meta.db_table, AuthToken.objects.get(user=user).pk)
    assert client.get("/auth/me").status_code == 200  # raw SQL: no receiver, no new stamp

    maintenant = time.monotonic()
    monkeypatch.setattr(
        "resa_project.marques.time.monotonic", lambda: maintenant + settings.MEMO_SECONDES + 1
    )
    assert client.get("/auth/me").status_code == 401


def test_the_stamp_changes_after_the_commit_too(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks() as rappels, transaction.atomic():
        user.delete()
        pendant = MARQUE_COMPTES.lire()
    for rappel in rappels:
        rappel()

    assert MARQUE_COMPTES.lire() != pendant


def test_without_memo_every_request_looks_the_token_up(
    session, settings, django_assert_num_queries
):
    client, _, _ = session
    settings.MEMO_SECONDES = 0
    MEMO_JETONS.vider()
    client.get("/auth/me")
    with django_assert_num_queries(1):
        assert client.get("/auth/me").status_code == 200


def test_an_unreadable_stamp_keeps_nothing_and_fails_nothing(tmp_path, settings):
    fichier = tmp_path / "pas-un-dossier"
    fichier.write_text("")
    settings.MARQUES_DIR = str(fichier)  # a file where the directory should be
    marque = Marque("essai")

    assert marque.lire() is None
    marque.changer()  # logged, not raised


def test_the_memo_of_an_admin_keeps_its_role(api_client, django_assert_num_queries):
    admin = AdminFactory(site_principal=SiteFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.emettre(admin)}")
    api_client.get("/auth/me")

    with django_assert_num_queries(2):  # the users' page and count: no token lookup
        reponse = api_client.get("/users/", {"limit": 1})

    assert reponse.status_code == 200
