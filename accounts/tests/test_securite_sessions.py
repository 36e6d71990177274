"""Client address, failed-login counters, registration throttle and CSRF on cookie sessions,
through HTTP (B+ amendments "Client address" and "Cookie sessions and CSRF")."""

import pytest
from django.conf import settings as django_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from accounts import services
from accounts.authentication import MSG_CSRF
from accounts.models import AuthToken, Role, User
from accounts.tests.factories import MOT_DE_PASSE, UserFactory
from accounts.throttling import InscriptionThrottle
from reservations.models import StatutReservation
from reservations.tests.factories import ReservationFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

CSRF = django_settings.CSRF_COOKIE_NAME
SESSION = django_settings.SESSION_TOKEN_COOKIE


def tenter(client, email, password="mauvais", **extra):
    return client.post(
        "/auth/login", {"email": email, "password": password}, format="json", **extra
    )


@pytest.fixture
def un_proxy(settings):
    """One trusted reverse proxy; override_settings makes DRF reload ``api_settings``."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_settings.NUM_PROXIES == 1


@pytest.fixture
def inscription():
    site = SiteFactory()

    def donnees(n):
        return {
            "nom_utilisateur": f"nouveau{n}",
            "email": f"nouveau{n}@example.com",
            "nom_prenom": f"Nouveau Numéro {n}",
            "password": "Un-mot-de-passe-solide-7",
            "site_principal_id": site.pk,
        }

    return donnees


# --- client address ---------------------------------------------------------------------


def test_by_default_forwarded_for_is_ignored_so_rotating_it_does_not_help(api_client):
    assert api_settings.NUM_PROXIES == 0
    user = UserFactory()

    statuts = [
        tenter(api_client, user.email, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(7)
    ]

    assert statuts == [401] * 5 + [429] * 2


def test_with_one_trusted_proxy_the_last_forwarded_hop_is_the_client(api_client, un_proxy):
    user = UserFactory()

    statuts = [
        tenter(api_client, user.email, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 203.0.113.7").status_code
        for i in range(7)
    ]

    assert statuts == [401] * 5 + [429] * 2
    # Another client behind the same proxy (same REMOTE_ADDR) is a different address.
    autre = tenter(api_client, user.email, MOT_DE_PASSE, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert autre.status_code == 200


def test_with_one_trusted_proxy_distinct_clients_have_their_own_counters(api_client, un_proxy):
    user = UserFactory()
    for i in range(7):
        reponse = tenter(api_client, user.email, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        assert reponse.status_code == 401


# --- failed-login counters --------------------------------------------------------------


def test_rotating_client_addresses_hits_the_per_email_limit(api_client):
    user, autre = UserFactory(), UserFactory()
    limite = django_settings.LOGIN_ECHECS_MAX_PAR_EMAIL
    assert limite == 20
    for i in range(limite):
        assert tenter(api_client, user.email, REMOTE_ADDR=f"198.51.100.{i}").status_code == 401

    reponse = tenter(api_client, user.email.upper(), MOT_DE_PASSE, REMOTE_ADDR="192.0.2.1")

    assert reponse.status_code == 429
    attente = int(reponse["Retry-After"])
    assert 0 < attente <= django_settings.LOGIN_ECHECS_FENETRE.total_seconds()
    assert not AuthToken.objects.filter(user=user).exists()
    # The limit is per email: another account from the same address logs in.
    assert tenter(api_client, autre.email, MOT_DE_PASSE, REMOTE_ADDR="192.0.2.1").status_code == 200


def test_the_per_email_limit_is_a_setting(api_client, settings):
    settings.LOGIN_ECHECS_MAX_PAR_EMAIL = 3
    user = UserFactory()
    for i in range(3):
        assert tenter(api_client, user.email, REMOTE_ADDR=f"198.51.100.{i}").status_code == 401
    assert tenter(api_client, user.email, REMOTE_ADDR="198.51.100.9").status_code == 429


def test_a_success_clears_the_pair_counter_but_not_the_per_email_one(api_client):
    user = UserFactory()
    for i in range(19):
        assert tenter(api_client, user.email, REMOTE_ADDR=f"198.51.100.{i}").status_code == 401
    # The owner logs in from their own address: that pair starts again from zero...
    assert tenter(api_client, user.email, MOT_DE_PASSE, REMOTE_ADDR="192.0.2.1").status_code == 200
    # ...but the guesser's budget on this email is not renewed.
    assert tenter(api_client, user.email, REMOTE_ADDR="198.51.100.50").status_code == 401
    assert tenter(api_client, user.email, MOT_DE_PASSE, REMOTE_ADDR="192.0.2.1").status_code == 429


# --- registration throttle --------------------------------------------------------------


def test_the_registration_throttle_ignores_forwarded_for_rotation(
    api_client, inscription, monkeypatch
):
    monkeypatch.setattr(InscriptionThrottle, "rate", "2/min", raising=False)
    statuts = [
        api_client.post(
            "/auth/register", inscription(i), format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        ).status_code
        for i in range(3)
    ]
    assert statuts == [201, 201, 429]
    assert not User.objects.filter(nom_utilisateur="nouveau2").exists()


def test_behind_a_trusted_proxy_registrations_are_counted_per_client(
    api_client, inscription, monkeypatch, un_proxy
):
    monkeypatch.setattr(InscriptionThrottle, "rate", "1/min", raising=False)
    premier = {"HTTP_X_FORWARDED_FOR": "203.0.113.1"}
    assert (
        api_client.post("/auth/register", inscription(0), format="json", **premier).status_code
        == 201
    )
    assert (
        api_client.post("/auth/register", inscription(1), format="json", **premier).status_code
        == 429
    )
    second = {"HTTP_X_FORWARDED_FOR": "203.0.113.2"}
    assert (
        api_client.post("/auth/register", inscription(2), format="json", **second).status_code
        == 201
    )


def test_an_admin_registering_users_is_never_throttled_while_anonymous_is(
    client_admin, api_client, inscription, monkeypatch
):
    monkeypatch.setattr(InscriptionThrottle, "rate", "10/min", raising=False)

    admin = [
        client_admin.post("/auth/register", inscription(i), format="json").status_code
        for i in range(15)
    ]
    anonyme = [
        api_client.post("/auth/register", inscription(100 + i), format="json").status_code
        for i in range(11)
    ]

    assert admin == [201] * 15
    assert anonyme == [201] * 10 + [429]


def test_a_non_admin_token_does_not_lift_the_registration_throttle(
    client_employe, inscription, monkeypatch
):
    monkeypatch.setattr(InscriptionThrottle, "rate", "1/min", raising=False)
    assert client_employe.post("/auth/register", inscription(0), format="json").status_code == 201
    assert client_employe.post("/auth/register", inscription(1), format="json").status_code == 429


# --- CSRF on cookie sessions ------------------------------------------------------------


def navigateur(user) -> APIClient:
    """A browser: logs in through HTTP, keeps the cookies, and is CSRF-checked for real."""
    client = APIClient(enforce_csrf_checks=True)
    assert tenter(client, user.email, MOT_DE_PASSE).status_code == 200
    assert {SESSION, CSRF} <= set(client.cookies)
    return client


def entete_csrf(client) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies[CSRF].value}


@pytest.fixture
def employe_connecte(employe):
    return navigateur(employe)


@pytest.fixture
def reservation(employe):
    return ReservationFactory(user=employe, description="Réunion d'équipe")


def annuler(client, reservation, **extra):
    return client.post(f"/reservations/{reservation.pk}/annuler", **extra)


def modifier(client, reservation, **extra):
    return client.patch(
        f"/reservations/{reservation.pk}", {"description": "Modifiée"}, format="json", **extra
    )


def deconnecter(client, reservation, **extra):
    return client.post("/auth/logout", **extra)


def inchangee(reservation, employe) -> bool:
    reservation.refresh_from_db()
    return (
        reservation.statut == StatutReservation.CONFIRME
        and reservation.description == "Réunion d'équipe"
        and AuthToken.objects.filter(user=employe).exists()
    )


ACTIONS = pytest.mark.parametrize("action", [annuler, modifier, deconnecter])


@ACTIONS
def test_a_cookie_request_without_the_csrf_header_is_a_403_and_changes_nothing(
    employe_connecte, reservation, employe, action
):
    reponse = action(employe_connecte, reservation)

    assert reponse.status_code == 403
    assert reponse.json()["detail"] == MSG_CSRF
    assert inchangee(reservation, employe)


@ACTIONS
@pytest.mark.parametrize("valeur", ["a" * 32, "pas-un-jeton", ""])
def test_a_cookie_request_with_a_wrong_csrf_header_is_a_403(
    employe_connecte, reservation, employe, action, valeur
):
    reponse = action(employe_connecte, reservation, HTTP_X_CSRFTOKEN=valeur)

    assert reponse.status_code == 403
    assert reponse.json()["detail"] == MSG_CSRF
    assert inchangee(reservation, employe)


def test_a_cookie_request_with_the_csrf_header_cancels(employe_connecte, reservation):
    reponse = annuler(employe_connecte, reservation, **entete_csrf(employe_connecte))

    assert reponse.status_code == 200
    reservation.refresh_from_db()
    assert reservation.statut == StatutReservation.ANNULE


def test_a_cookie_request_with_the_csrf_header_updates(employe_connecte, reservation):
    reponse = modifier(employe_connecte, reservation, **entete_csrf(employe_connecte))

    assert reponse.status_code == 200
    reservation.refresh_from_db()
    assert reservation.description == "Modifiée"


def test_logout_with_the_cookie_and_the_csrf_header(employe_connecte, employe):
    reponse = employe_connecte.post("/auth/logout", **entete_csrf(employe_connecte))

    assert reponse.status_code == 200
    assert reponse.cookies[SESSION].value == ""
    assert not AuthToken.objects.filter(user=employe).exists()


@ACTIONS
def test_bearer_requests_need_no_csrf_token(employe, reservation, action):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.emettre(employe)}")

    assert action(client, reservation).status_code == 200


def test_the_bearer_header_wins_over_the_cookie_and_needs_no_csrf_token(
    employe_connecte, reservation, employe
):
    employe_connecte.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.emettre(employe)}")
    assert annuler(employe_connecte, reservation).status_code == 200


def test_safe_methods_with_the_cookie_need_no_csrf_token(employe_connecte, reservation):
    assert employe_connecte.get("/auth/me").status_code == 200
    assert employe_connecte.get(f"/reservations/{reservation.pk}").status_code == 200


def test_an_invalid_cookie_is_still_a_401_before_any_csrf_check(reservation):
    client = APIClient(enforce_csrf_checks=True)
    client.cookies[SESSION] = "jeton-perime"
    assert annuler(client, reservation).status_code == 401


def test_a_foreign_origin_is_refused_even_with_the_right_header(employe_connecte, reservation):
    entetes = entete_csrf(employe_connecte)

    etranger = annuler(
        employe_connecte, reservation, HTTP_ORIGIN="https://attaquant.example", **entetes
    )
    meme_origine = annuler(
        employe_connecte, reservation, HTTP_ORIGIN="http://testserver", **entetes
    )

    assert etranger.status_code == 403
    assert meme_origine.status_code == 200


def test_over_https_a_same_origin_browser_request_passes(employe, reservation):
    client = navigateur(employe)
    entetes = entete_csrf(client)

    sans_origine = annuler(client, reservation, secure=True, **entetes)
    origine = modifier(
        client, reservation, secure=True, HTTP_ORIGIN="https://testserver", **entetes
    )
    referer = annuler(
        client, reservation, secure=True, HTTP_REFERER="https://testserver/app/", **entetes
    )

    assert sans_origine.status_code == 403  # HTTPS without Origin nor Referer
    assert origine.status_code == 200
    assert referer.status_code == 200


def test_a_trusted_origin_passes_over_https(employe, reservation, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.resa.example"]
    client = navigateur(employe)
    reponse = annuler(
        client,
        reservation,
        secure=True,
        HTTP_ORIGIN="https://app.resa.example",
        **entete_csrf(client),
    )
    assert reponse.status_code == 200


def test_registration_with_an_admin_cookie_but_no_csrf_header_is_anonymous(admin_user, inscription):
    client = navigateur(admin_user)
    demande = {**inscription(0), "role": Role.MANAGER}

    sans = client.post("/auth/register", demande, format="json")
    avec = client.post("/auth/register", demande, format="json", **entete_csrf(client))

    assert sans.status_code == 403
    assert sans.json()["detail"] == services.MSG_INSCRIPTION_RESERVEE
    assert avec.status_code == 201
    assert User.objects.get(nom_utilisateur="nouveau0").role == Role.MANAGER


# --- the csrftoken cookie ---------------------------------------------------------------


def verifier_cookie_csrf(reponse, *, secure=None):
    cookie = reponse.cookies[CSRF]
    assert len(cookie.value) == 32
    assert not cookie["httponly"]  # the browser client reads it to fill X-CSRFToken
    assert cookie["samesite"] == django_settings.CSRF_COOKIE_SAMESITE
    assert cookie["path"] == django_settings.CSRF_COOKIE_PATH
    assert cookie["max-age"] == django_settings.CSRF_COOKIE_AGE
    attendu = django_settings.CSRF_COOKIE_SECURE if secure is None else secure
    assert bool(cookie["secure"]) is attendu


def test_login_sets_a_fresh_csrftoken_cookie(api_client):
    user = UserFactory()
    api_client.cookies[CSRF] = "b" * 32  # planted before login

    reponse = tenter(api_client, user.email, MOT_DE_PASSE)

    assert reponse.status_code == 200
    verifier_cookie_csrf(reponse)
    assert reponse.cookies[CSRF].value != "b" * 32


def test_register_sets_the_csrftoken_cookie(api_client, inscription):
    reponse = api_client.post("/auth/register", inscription(0), format="json")

    assert reponse.status_code == 201
    verifier_cookie_csrf(reponse)


def test_the_csrftoken_cookie_follows_the_csrf_cookie_settings(api_client, settings):
    settings.CSRF_COOKIE_SECURE = not settings.CSRF_COOKIE_SECURE
    user = UserFactory()
    reponse = tenter(api_client, user.email, MOT_DE_PASSE)
    verifier_cookie_csrf(reponse, secure=settings.CSRF_COOKIE_SECURE)


def test_a_failed_login_sets_no_cookie(api_client):
    reponse = tenter(api_client, UserFactory().email)
    assert reponse.status_code == 401
    assert CSRF not in reponse.cookies
    assert SESSION not in reponse.cookies


def test_the_schema_tells_cookie_clients_about_the_csrf_header(api_client):
    schema = api_client.get("/openapi.json").json()
    assert "X-CSRFToken" in schema["components"]["securitySchemes"]["cookieAuth"]["description"]
    assert "X-CSRFToken" in schema["paths"]["/auth/logout"]["post"]["description"]
    assert "csrftoken" in schema["paths"]["/auth/login"]["post"]["description"]
