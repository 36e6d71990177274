from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import AuthToken, Priorite, Role, User
from accounts.tests.factories import MOT_DE_PASSE, AdminFactory, UserFactory
from accounts.throttling import InscriptionThrottle
from resa_project.exceptions import MSG_TROP_DE_TENTATIVES
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

USER_PUBLIC = {
    "id",
    "nom_utilisateur",
    "email",
    "nom_prenom",
    "role",
    "autorisations",
    "priorite",
    "compte_actif",
    "site_principal_id",
    "department_id",
    "date_creation",
}


@pytest.fixture
def site():
    return SiteFactory()


@pytest.fixture
def inscription(site):
    return {
        "nom_utilisateur": "alice",
        "email": "Alice.Martin@Example.com",
        "nom_prenom": "Alice Martin",
        "password": "Un-mot-de-passe-solide-7",
        "site_principal_id": site.pk,
    }


def sans_secret(response, user):
    """Neither the word password nor the stored hash appear anywhere in the body."""
    corps = response.content.decode()
    user.refresh_from_db()
    return "password" not in corps and user.password not in corps


# --- register ---------------------------------------------------------------------------


def test_register_creates_an_employee_opens_a_session_and_sets_the_cookie(
    api_client, inscription, site
):
    response = api_client.post("/auth/register", inscription, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Inscription réussie"
    assert set(body["user"]) == USER_PUBLIC
    user = User.objects.get(nom_utilisateur="alice")
    assert body["user"]["id"] == user.pk
    assert body["user"]["email"] == "alice.martin@example.com"
    assert body["user"]["role"] == Role.EMPLOYE
    assert body["user"]["priorite"] == Priorite.STANDARD
    assert body["user"]["site_principal_id"] == site.pk
    assert body["user"]["department_id"] is None
    assert user.email == "alice.martin@example.com"
    assert user.check_password("Un-mot-de-passe-solide-7")
    assert AuthToken.objects.get(user=user).cle_hash == AuthToken.hacher(body["token"])
    cookie = response.cookies[settings.SESSION_TOKEN_COOKIE]
    assert cookie.value == body["token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    assert cookie["max-age"] == int(settings.TOKEN_LIFETIME.total_seconds())
    assert sans_secret(response, user)


def test_register_token_authenticates_the_new_user(api_client, inscription):
    token = api_client.post("/auth/register", inscription, format="json").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/auth/me").json()["nom_utilisateur"] == "alice"


def test_register_over_https_sets_a_secure_cookie(api_client, inscription):
    response = api_client.post("/auth/register", inscription, format="json", secure=True)
    assert response.status_code == 201
    assert response.cookies[settings.SESSION_TOKEN_COOKIE]["secure"] is True


def test_register_with_a_department(api_client, inscription):
    department = DepartmentFactory()
    response = api_client.post(
        "/auth/register", {**inscription, "department_id": department.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["user"]["department_id"] == department.pk


@pytest.mark.parametrize(
    ("champ", "valeur"),
    [
        ("nom_utilisateur", "ab"),
        ("nom_prenom", "Al"),
        ("email", "pas-un-email"),
        ("email", ""),
        ("password", "court"),
        ("password", "12345678901"),
        ("password", "password123"),
        ("role", "superadmin"),
        ("priorite", "urgente"),
        ("site_principal_id", 999999),
        ("site_principal_id", None),
        ("site_principal_id", "abc"),
        ("site_principal_id", 10**30),
        ("department_id", 999999),
        ("department_id", [1]),
        ("nom_utilisateur", {"a": 1}),
    ],
)
def test_register_refuses_invalid_fields_with_a_400_on_that_field(
    api_client, inscription, champ, valeur
):
    response = api_client.post("/auth/register", {**inscription, champ: valeur}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [champ]
    assert body["detail"] == body["errors"][champ][0]
    assert not User.objects.filter(nom_utilisateur=inscription["nom_utilisateur"]).exists()
    assert settings.SESSION_TOKEN_COOKIE not in response.cookies


@pytest.mark.parametrize("champ", ["nom_utilisateur", "email", "nom_prenom", "password"])
def test_register_requires_each_mandatory_field(api_client, inscription, champ):
    del inscription[champ]
    response = api_client.post("/auth/register", inscription, format="json")
    assert response.status_code == 400
    assert champ in response.json()["errors"]


def test_register_requires_a_main_site(api_client, inscription):
    del inscription["site_principal_id"]
    response = api_client.post("/auth/register", inscription, format="json")
    assert response.status_code == 400
    assert "site_principal_id" in response.json()["errors"]


def test_password_errors_are_in_french(api_client, inscription):
    response = api_client.post(
        "/auth/register", {**inscription, "password": "court"}, format="json"
    )
    messages = response.json()["errors"]["password"]
    assert any("trop court" in message for message in messages)


def test_register_reports_every_invalid_field_at_once(api_client, inscription):
    UserFactory(nom_utilisateur="alice")
    response = api_client.post(
        "/auth/register", {**inscription, "nom_prenom": "A", "password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"nom_utilisateur", "nom_prenom", "password"}


def test_register_refuses_a_taken_user_name(api_client, inscription):
    UserFactory(nom_utilisateur="alice")
    response = api_client.post("/auth/register", inscription, format="json")
    assert response.status_code == 400
    assert "nom_utilisateur" in response.json()["errors"]


def test_register_refuses_a_taken_email_whatever_its_case(api_client, inscription):
    UserFactory(email="alice.martin@example.com")
    response = api_client.post(
        "/auth/register", {**inscription, "email": "ALICE.MARTIN@EXAMPLE.COM"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]
    assert User.objects.filter(email__iexact="alice.martin@example.com").count() == 1


def test_malformed_json_is_a_400(api_client):
    response = api_client.post("/auth/register", "{pas du json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "demande",
    [
        {"role": Role.ADMIN},
        {"role": Role.MANAGER},
        {"priorite": Priorite.PRIORITAIRE},
    ],
)
def test_public_registration_cannot_ask_for_more_than_a_standard_employee(
    api_client, inscription, demande
):
    response = api_client.post("/auth/register", {**inscription, **demande}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == services.MSG_INSCRIPTION_RESERVEE
    assert not User.objects.filter(nom_utilisateur="alice").exists()


@pytest.mark.parametrize("role", ["employe", "manager"])
def test_only_an_admin_token_allows_registering_a_privileged_account(clients, inscription, role):
    response = clients[role].post(
        "/auth/register", {**inscription, "role": Role.MANAGER}, format="json"
    )
    assert response.status_code == 403


def test_an_authenticated_admin_may_register_any_role(client_admin, inscription):
    response = client_admin.post(
        "/auth/register",
        {**inscription, "role": Role.ADMIN, "priorite": Priorite.PRIORITAIRE},
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(nom_utilisateur="alice")
    assert (user.role, user.priorite) == (Role.ADMIN, Priorite.PRIORITAIRE)


def test_a_stale_cookie_does_not_block_registration(api_client, inscription):
    api_client.cookies[settings.SESSION_TOKEN_COOKIE] = "jeton-perime"
    response = api_client.post("/auth/register", inscription, format="json")
    assert response.status_code == 201


def test_register_is_rate_limited(api_client, inscription, monkeypatch):
    monkeypatch.setattr(InscriptionThrottle, "rate", "2/min", raising=False)
    for i in range(2):
        donnees = {**inscription, "nom_utilisateur": f"alice{i}", "email": f"a{i}@example.com"}
        assert api_client.post("/auth/register", donnees, format="json").status_code == 201

    response = api_client.post("/auth/register", inscription, format="json")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"] == MSG_TROP_DE_TENTATIVES.format(
        secondes=int(response["Retry-After"])
    )
    assert not User.objects.filter(nom_utilisateur="alice").exists()


def test_register_accepts_a_trailing_slash(api_client, inscription):
    assert api_client.post("/auth/register/", inscription, format="json").status_code == 201


# --- login ------------------------------------------------------------------------------


def test_login_with_any_email_case_returns_the_user_a_token_and_the_cookie(api_client):
    user = UserFactory(email="bob@example.com")

    response = api_client.post(
        "/auth/login", {"email": "BOB@Example.COM", "password": MOT_DE_PASSE}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Connexion réussie"
    assert set(body["user"]) == USER_PUBLIC
    assert body["user"]["id"] == user.pk
    assert AuthToken.objects.filter(user=user, cle_hash=AuthToken.hacher(body["token"])).exists()
    cookie = response.cookies[settings.SESSION_TOKEN_COOKIE]
    assert cookie.value == body["token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert sans_secret(response, user)
    user.refresh_from_db()
    assert user.last_login is not None


def test_each_login_opens_its_own_session(api_client):
    user = UserFactory()
    for _ in range(2):
        api_client.post(
            "/auth/login", {"email": user.email, "password": MOT_DE_PASSE}, format="json"
        )
    assert AuthToken.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("email", "password"),
    [("bob@example.com", "mauvais-mot-de-passe"), ("inconnu@example.com", MOT_DE_PASSE)],
)
def test_wrong_credentials_are_a_401_without_session(api_client, email, password):
    UserFactory(email="bob@example.com")

    response = api_client.post("/auth/login", {"email": email, "password": password}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": services.MSG_IDENTIFIANTS, "code": "non_authentifie"}
    assert settings.SESSION_TOKEN_COOKIE not in response.cookies
    assert not AuthToken.objects.exists()


def test_an_inactive_account_cannot_log_in(api_client):
    user = UserFactory(compte_actif=False)
    response = api_client.post(
        "/auth/login", {"email": user.email, "password": MOT_DE_PASSE}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"detail": services.MSG_COMPTE_DESACTIVE, "code": "non_authentifie"}
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    "donnees",
    [
        {},
        {"email": "bob@example.com"},
        {"password": "x"},
        {"email": "pas-un-email", "password": "x"},
    ],
)
def test_login_with_missing_or_malformed_fields_is_a_400(api_client, donnees):
    response = api_client.post("/auth/login", donnees, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_stale_cookie_does_not_block_login(api_client):
    user = UserFactory()
    api_client.cookies[settings.SESSION_TOKEN_COOKIE] = "jeton-perime"
    response = api_client.post(
        "/auth/login", {"email": user.email, "password": MOT_DE_PASSE}, format="json"
    )
    assert response.status_code == 200


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(api_client, settings):
    settings.LOGIN_ECHECS_MAX = 3
    user = UserFactory()
    mauvais = {"email": user.email, "password": "mauvais"}
    for _ in range(3):
        assert api_client.post("/auth/login", mauvais, format="json").status_code == 401

    response = api_client.post(
        "/auth/login", {"email": user.email, "password": MOT_DE_PASSE}, format="json"
    )

    assert response.status_code == 429
    attente = int(response["Retry-After"])
    assert 0 < attente <= settings.LOGIN_ECHECS_FENETRE.total_seconds()
    assert response.json() == {
        "detail": MSG_TROP_DE_TENTATIVES.format(secondes=attente),
        "code": "trop_de_tentatives",
    }
    assert not AuthToken.objects.exists()


def test_the_failed_login_counter_is_per_email(api_client):
    victime, autre = UserFactory(), UserFactory()
    for _ in range(settings.LOGIN_ECHECS_MAX):
        api_client.post(
            "/auth/login", {"email": victime.email, "password": "mauvais"}, format="json"
        )
    assert (
        api_client.post(
            "/auth/login", {"email": victime.email, "password": "x"}, format="json"
        ).status_code
        == 429
    )

    response = api_client.post(
        "/auth/login", {"email": autre.email, "password": MOT_DE_PASSE}, format="json"
    )

    assert response.status_code == 200


def test_the_failed_login_counter_ignores_the_email_case(api_client):
    user = UserFactory()
    for _ in range(settings.LOGIN_ECHECS_MAX):
        api_client.post(
            "/auth/login", {"email": user.email.upper(), "password": "mauvais"}, format="json"
        )
    response = api_client.post(
        "/auth/login", {"email": user.email, "password": MOT_DE_PASSE}, format="json"
    )
    assert response.status_code == 429


def test_successful_logins_are_not_counted_and_reset_the_failures(api_client):
    user = UserFactory()
    bon = {"email": user.email, "password": MOT_DE_PASSE}
    mauvais = {"email": user.email, "password": "mauvais"}
    for _ in range(settings.LOGIN_ECHECS_MAX - 1):
        assert api_client.post("/auth/login", mauvais, format="json").status_code == 401
    for _ in range(settings.LOGIN_ECHECS_MAX + 1):
        assert api_client.post("/auth/login", bon, format="json").status_code == 200
    for _ in range(settings.LOGIN_ECHECS_MAX - 1):
        assert api_client.post("/auth/login", mauvais, format="json").status_code == 401
    assert api_client.post("/auth/login", bon, format="json").status_code == 200


# --- logout -----------------------------------------------------------------------------


def test_logout_through_the_header_revokes_that_token_only(api_client):
    user = UserFactory()
    cle, autre = AuthToken.emettre(user), AuthToken.emettre(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")

    response = api_client.post("/auth/logout")

    assert response.status_code == 200
    assert response.json() == {"message": "Déconnexion réussie"}
    cookie = response.cookies[settings.SESSION_TOKEN_COOKIE]
    assert cookie.value == ""
    assert cookie["max-age"] == 0
    assert not AuthToken.objects.filter(cle_hash=AuthToken.hacher(cle)).exists()
    assert AuthToken.objects.filter(cle_hash=AuthToken.hacher(autre)).exists()
    assert api_client.get("/auth/me").status_code == 401
    assert api_client.post("/auth/logout").status_code == 401


def test_logout_through_the_cookie_revokes_the_token_and_deletes_the_cookie():
    user = UserFactory()
    api_client = APIClient(enforce_csrf_checks=True)
    response = api_client.post(
        "/auth/login", {"email": user.email, "password": MOT_DE_PASSE}, format="json"
    )
    cle = response.json()["token"]
    assert api_client.get("/auth/me").status_code == 200  # the test client keeps the cookie

    response = api_client.post(
        "/auth/logout", HTTP_X_CSRFTOKEN=api_client.cookies[settings.CSRF_COOKIE_NAME].value
    )

    assert response.status_code == 200
    assert response.cookies[settings.SESSION_TOKEN_COOKIE].value == ""
    assert not AuthToken.objects.filter(user=user).exists()
    ancien = APIClient()
    ancien.cookies[settings.SESSION_TOKEN_COOKIE] = cle
    assert ancien.get("/auth/me").status_code == 401


def test_logout_without_a_session_is_a_401(api_client):
    response = api_client.post("/auth/logout")
    assert response.status_code == 401
    assert response.json()["detail"]


# --- me and tokens ----------------------------------------------------------------------


def test_me_returns_the_public_user(client_employe, employe):
    response = client_employe.get("/auth/me")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_PUBLIC
    assert body["id"] == employe.pk
    assert body["email"] == employe.email
    assert sans_secret(response, employe)


def test_me_without_credentials_is_a_401(api_client):
    response = api_client.get("/auth/me")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("entete", ["Bearer inconnu", "Bearer", "Bearer a b"])
def test_an_unknown_or_malformed_token_is_a_401(api_client, entete):
    api_client.credentials(HTTP_AUTHORIZATION=entete)
    assert api_client.get("/auth/me").status_code == 401


def test_an_expired_token_is_a_401(api_client):
    user = UserFactory()
    cle = AuthToken.emettre(user)
    AuthToken.objects.filter(user=user).update(expire_le=timezone.now() - timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {cle}")
    assert api_client.get("/auth/me").status_code == 401


def test_tokens_expire_after_the_configured_lifetime():
    user = UserFactory()
    avant = timezone.now()
    AuthToken.emettre(user)
    expire_le = AuthToken.objects.get(user=user).expire_le
    assert avant + settings.TOKEN_LIFETIME <= expire_le <= timezone.now() + settings.TOKEN_LIFETIME


def test_the_token_of_a_deactivated_account_stops_working_at_once(client_employe, employe):
    assert client_employe.get("/auth/me").status_code == 200
    employe.compte_actif = False
    employe.save()
    assert client_employe.get("/auth/me").status_code == 401


def test_me_uses_a_single_query(client_employe, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client_employe.get("/auth/me").status_code == 200


@pytest.mark.parametrize(
    ("methode", "chemin", "attendus"),
    [
        ("get", "/auth/me", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
        ("post", "/auth/logout", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
        ("post", "/auth/login", {"anonyme": 400, "employe": 400, "manager": 400, "admin": 400}),
        ("post", "/auth/register", {"anonyme": 400, "employe": 400, "manager": 400, "admin": 400}),
    ],
)
@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
def test_auth_permission_matrix(clients, methode, chemin, attendus, role):
    response = getattr(clients[role], methode)(chemin, {}, format="json")
    assert response.status_code == attendus[role]


def test_the_admin_factory_can_log_in(api_client):
    admin = AdminFactory()
    response = api_client.post(
        "/auth/login", {"email": admin.email, "password": MOT_DE_PASSE}, format="json"
    )
    assert response.json()["user"]["role"] == Role.ADMIN


def test_the_schema_documents_login_and_register_as_public(api_client):
    response = api_client.get("/openapi.json")
    assert response.status_code == 200
    chemins = response.json()["paths"]
    for chemin in ("/auth/login", "/auth/register"):
        operation = chemins[chemin]["post"]
        assert not operation.get("security")
        assert operation["tags"] == ["auth"]
        assert {"400", "429"} <= set(operation["responses"])
    assert chemins["/auth/me"]["get"]["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert chemins["/users/"]["get"]["tags"] == ["users"]
    assert chemins["/sites/"]["get"]["tags"] == ["sites"]
    assert chemins["/departments/{id}"]["delete"]["tags"] == ["departments"]
