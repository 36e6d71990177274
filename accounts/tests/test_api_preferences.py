"""GET/PATCH ``/auth/me/preferences`` (API.md C3) and the service behind it."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts import services
from accounts.models import RAPPEL_MINUTES_MAX, User
from accounts.tests.factories import MOT_DE_PASSE, AdminFactory, UserFactory
from accounts.tests.test_api_auth import USER_PUBLIC
from resa_project.parametres import MSG_BOOLEEN, MSG_ENTIER_BORNES

pytestmark = pytest.mark.django_db

URL = "/auth/me/preferences"
MSG_RAPPEL = MSG_ENTIER_BORNES.format(minimum=0, maximum=RAPPEL_MINUTES_MAX)


def _preferences(user):
    user.refresh_from_db()
    return {"notifications_email": user.notifications_email, "rappel_minutes": user.rappel_minutes}


@pytest.mark.parametrize("methode", ["get", "patch"])
def test_the_preferences_are_for_authenticated_users(api_client, methode):
    reponse = getattr(api_client, methode)(URL, {"rappel_minutes": 5}, format="json")

    assert reponse.status_code == 401
    assert reponse.json()["code"] == "non_authentifie"


def test_the_defaults_are_messages_on_and_a_reminder_30_minutes_before(client_employe):
    reponse = client_employe.get(URL)

    assert reponse.status_code == 200
    assert reponse.json() == {"notifications_email": True, "rappel_minutes": 30}
    assert client_employe.get(f"{URL}/").json() == reponse.json()


@pytest.mark.parametrize(
    ("corps", "attendu"),
    [
        ({"rappel_minutes": 60}, {"notifications_email": True, "rappel_minutes": 60}),
        ({"rappel_minutes": None}, {"notifications_email": True, "rappel_minutes": None}),
        ({"rappel_minutes": 0}, {"notifications_email": True, "rappel_minutes": 0}),
        (
            {"rappel_minutes": RAPPEL_MINUTES_MAX},
            {"notifications_email": True, "rappel_minutes": RAPPEL_MINUTES_MAX},
        ),
        ({"notifications_email": False}, {"notifications_email": False, "rappel_minutes": 30}),
        (
            {"notifications_email": False, "rappel_minutes": 15},
            {"notifications_email": False, "rappel_minutes": 15},
        ),
        ({}, {"notifications_email": True, "rappel_minutes": 30}),
        (
            {"theme": "sombre", "rappel_minutes": 45},
            {"notifications_email": True, "rappel_minutes": 45},
        ),
    ],
    ids=["delay", "no reminder", "zero", "a week", "off", "both", "nothing", "unknown ignored"],
)
def test_a_patch_changes_only_what_it_names(client_employe, employe, corps, attendu):
    reponse = client_employe.patch(URL, corps, format="json")

    assert reponse.status_code == 200
    assert reponse.json() == attendu
    assert _preferences(employe) == attendu
    assert client_employe.get(URL).json() == attendu


@pytest.mark.parametrize(
    ("corps", "champ", "message"),
    [
        ({"rappel_minutes": "30"}, "rappel_minutes", MSG_RAPPEL),
        ({"rappel_minutes": 10081}, "rappel_minutes", MSG_RAPPEL),
        ({"rappel_minutes": -1}, "rappel_minutes", MSG_RAPPEL),
        ({"rappel_minutes": 30.0}, "rappel_minutes", MSG_RAPPEL),
        ({"rappel_minutes": 1.5}, "rappel_minutes", MSG_RAPPEL),
        ({"rappel_minutes": True}, "rappel_minutes", MSG_RAPPEL),
        ({"rappel_minutes": [30]}, "rappel_minutes", MSG_RAPPEL),
        ({"rappel_minutes": 2**70}, "rappel_minutes", MSG_RAPPEL),
        ({"notifications_email": "oui"}, "notifications_email", MSG_BOOLEEN),
        ({"notifications_email": 0}, "notifications_email", MSG_BOOLEEN),
        ({"notifications_email": None}, "notifications_email", None),
    ],
)
def test_a_bad_value_is_a_400_naming_the_field_and_changes_nothing(
    client_employe, employe, corps, champ, message
):
    reponse = client_employe.patch(URL, corps, format="json")

    assert reponse.status_code == 400
    corps_reponse = reponse.json()
    assert corps_reponse["code"] == "validation"
    assert list(corps_reponse["errors"]) == [champ]
    if message:
        assert corps_reponse["errors"][champ] == [message]
    assert _preferences(employe) == {"notifications_email": True, "rappel_minutes": 30}


@pytest.mark.parametrize("brut", ["1e400", "[]", '"rappel"', "{"])
def test_a_body_that_is_not_an_object_is_a_400(client_employe, brut):
    reponse = client_employe.patch(
        URL,
        '{"rappel_minutes": 1e400}' if brut == "1e400" else brut,
        content_type="application/json",
    )

    assert reponse.status_code == 400
    assert {"code", "detail"} <= set(reponse.json())


def test_put_and_post_are_not_allowed(client_employe):
    assert client_employe.put(URL, {"rappel_minutes": 5}, format="json").status_code == 405
    assert client_employe.post(URL, {"rappel_minutes": 5}, format="json").status_code == 405


def test_each_user_changes_their_own_preferences_only(client_employe, employe):
    autre = UserFactory()

    client_employe.patch(URL, {"notifications_email": False}, format="json")

    assert _preferences(autre) == {"notifications_email": True, "rappel_minutes": 30}
    assert _preferences(employe)["notifications_email"] is False


def test_me_keeps_its_shape(client_employe):
    assert set(client_employe.get("/auth/me").json()) == USER_PUBLIC


def test_a_cookie_session_needs_its_csrf_header_to_patch(employe):
    navigateur = APIClient(enforce_csrf_checks=True)
    connexion = navigateur.post(
        "/auth/login", {"email": employe.email, "password": MOT_DE_PASSE}, format="json"
    )
    assert connexion.status_code == 200

    sans = navigateur.patch(URL, {"rappel_minutes": 5}, format="json")
    avec = navigateur.patch(
        URL,
        {"rappel_minutes": 5},
        format="json",
        HTTP_X_CSRFTOKEN=navigateur.cookies["csrftoken"].value,
    )

    assert sans.status_code == 403
    assert avec.status_code == 200
    assert _preferences(employe)["rappel_minutes"] == 5


def test_reading_takes_one_query_and_writing_two(client_employe, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client_employe.get(URL).status_code == 200
    with django_assert_max_num_queries(2):
        assert client_employe.patch(URL, {"rappel_minutes": 10}, format="json").status_code == 200


def test_a_write_touches_only_the_preference_columns(client_employe, employe):
    User.objects.filter(pk=employe.pk).update(nom_prenom="Renommé Ailleurs")

    client_employe.patch(URL, {"rappel_minutes": 10}, format="json")

    employe.refresh_from_db()
    assert (employe.nom_prenom, employe.rappel_minutes) == ("Renommé Ailleurs", 10)


# --- the service -------------------------------------------------------------------------


def test_an_admin_or_the_system_may_change_someones_preferences(employe):
    services.modifier_preferences(employe, par=AdminFactory(), rappel_minutes=90)
    services.modifier_preferences(employe, par=None, notifications_email=False)

    assert _preferences(employe) == {"notifications_email": False, "rappel_minutes": 90}


def test_nobody_else_may_change_someones_preferences(employe):
    with pytest.raises(services.PreferencesInterdites):
        services.modifier_preferences(employe, par=UserFactory(), rappel_minutes=90)

    assert _preferences(employe)["rappel_minutes"] == 30


def test_the_service_checks_the_bounds_itself(employe):
    with pytest.raises(ValidationError) as erreur:
        services.modifier_preferences(employe, par=employe, rappel_minutes=RAPPEL_MINUTES_MAX + 1)

    assert list(erreur.value.message_dict) == ["rappel_minutes"]
    assert _preferences(employe)["rappel_minutes"] == 30


def test_the_service_refuses_other_fields(employe):
    with pytest.raises(ValueError, match="role"):
        services.modifier_preferences(employe, par=employe, role="admin")
