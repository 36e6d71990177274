"""The back-office for users: who gets in, creating users and changing passwords."""

import pytest
from django.contrib import admin as django_admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client

from accounts import services
from accounts.models import MSG_GERE_DEPARTEMENTS, AuthToken, Role, User
from accounts.services import MSG_SOI_MEME
from accounts.tests.factories import MOT_DE_PASSE, AdminFactory, ManagerFactory, UserFactory
from reservations.tests.factories import ReservationFactory
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

NOUVEAU_MOT_DE_PASSE = "Un-tout-autre-secret-2025"


@pytest.fixture
def back_office(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _connexion(email, password):
    client = Client()
    reponse = client.post("/admin/login/?next=/admin/", {"username": email, "password": password})
    return client, reponse


def test_an_admin_logs_into_the_back_office(admin_user):
    client, reponse = _connexion(admin_user.email, MOT_DE_PASSE)

    assert reponse.status_code == 302
    assert reponse["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", [Role.EMPLOYE, Role.MANAGER])
def test_managers_and_employees_cannot_log_into_the_back_office(role):
    user = UserFactory(role=role)

    client, reponse = _connexion(user.email, MOT_DE_PASSE)

    assert reponse.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", [Role.EMPLOYE, Role.MANAGER])
def test_a_logged_in_non_admin_is_sent_back_to_the_login_page(role):
    client = Client()
    client.force_login(UserFactory(role=role))

    reponse = client.get("/admin/accounts/user/")

    assert reponse.status_code == 302
    assert reponse["Location"].startswith("/admin/login/")


def test_a_deactivated_admin_cannot_log_in():
    admin = AdminFactory(compte_actif=False)

    client, reponse = _connexion(admin.email, MOT_DE_PASSE)

    assert reponse.status_code == 200
    assert "_auth_user_id" not in client.session


def test_createsuperuser_creates_an_admin_who_can_log_in(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NOUVEAU_MOT_DE_PASSE)

    call_command(
        "createsuperuser",
        interactive=False,
        email="Chef@Example.com",
        nom_utilisateur="chef",
        nom_prenom="Cheffe de projet",
        verbosity=0,
    )

    user = User.objects.get(nom_utilisateur="chef")
    assert user.role == Role.ADMIN
    assert user.email == "chef@example.com"
    assert user.check_password(NOUVEAU_MOT_DE_PASSE)
    client, reponse = _connexion("chef@example.com", NOUVEAU_MOT_DE_PASSE)
    assert reponse.status_code == 302
    assert client.get("/admin/").status_code == 200


def _donnees_creation(**valeurs):
    site = SiteFactory()
    return {
        "email": "Nouvelle.Recrue@example.com",
        "nom_utilisateur": "nrecrue",
        "nom_prenom": "Nouvelle Recrue",
        "role": Role.MANAGER,
        "priorite": "standard",
        "site_principal": site.pk,
        "department": "",
        "password1": NOUVEAU_MOT_DE_PASSE,
        "password2": NOUVEAU_MOT_DE_PASSE,
        **valeurs,
    }


def test_creating_a_user_stores_a_hashed_password(back_office):
    reponse = back_office.post("/admin/accounts/user/add/", _donnees_creation())

    assert reponse.status_code == 302
    user = User.objects.get(nom_utilisateur="nrecrue")
    assert user.email == "nouvelle.recrue@example.com"
    assert user.role == Role.MANAGER
    assert user.password != NOUVEAU_MOT_DE_PASSE
    assert user.check_password(NOUVEAU_MOT_DE_PASSE)


@pytest.mark.parametrize(
    ("password1", "password2"),
    [("123456789", "123456789"), ("court", "court"), (NOUVEAU_MOT_DE_PASSE, "différent-2025")],
)
def test_a_weak_or_mistyped_password_is_a_form_error(back_office, password1, password2):
    reponse = back_office.post(
        "/admin/accounts/user/add/", _donnees_creation(password1=password1, password2=password2)
    )

    assert reponse.status_code == 200
    assert reponse.context["adminform"].form.errors
    assert not User.objects.filter(nom_utilisateur="nrecrue").exists()


def test_a_duplicate_email_is_a_form_error_whatever_its_case(back_office, employe):
    reponse = back_office.post(
        "/admin/accounts/user/add/", _donnees_creation(email=employe.email.upper())
    )

    assert reponse.status_code == 200
    assert "email" in reponse.context["adminform"].form.errors


def _donnees_modification(user, **valeurs):
    return {
        "email": user.email,
        "nom_utilisateur": user.nom_utilisateur,
        "nom_prenom": user.nom_prenom,
        "role": user.role,
        "priorite": user.priorite,
        "autorisations": list(user.autorisations),
        "compte_actif": "on" if user.compte_actif else "",
        "site_principal": user.site_principal_id or "",
        "department": user.department_id or "",
        **valeurs,
    }


def test_the_change_form_never_lets_the_hash_be_edited(back_office, employe):
    hash_avant = employe.password

    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/change/",
        _donnees_modification(
            employe, password="pbkdf2_sha256$1$sel$faux", nom_prenom="Nom Changé"
        ),
    )

    assert reponse.status_code == 302
    employe.refresh_from_db()
    assert employe.nom_prenom == "Nom Changé"
    assert employe.password == hash_avant
    page = back_office.get(f"/admin/accounts/user/{employe.pk}/change/").content.decode()
    assert 'name="password"' not in page
    assert "../password/" in page


def test_autorisations_are_granted_with_checkboxes(back_office, employe):
    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/change/",
        _donnees_modification(employe, autorisations=["confirmer_reservations"]),
    )

    assert reponse.status_code == 302
    employe.refresh_from_db()
    assert employe.autorisations == ["confirmer_reservations"]


def test_an_unknown_autorisation_is_a_form_error(back_office, employe):
    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/change/",
        _donnees_modification(employe, autorisations=["tout_faire"]),
    )

    assert reponse.status_code == 200
    assert "autorisations" in reponse.context["adminform"].form.errors


def test_deactivating_an_account_in_the_back_office_revokes_its_tokens(back_office, employe):
    AuthToken.emettre(employe)

    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/change/",
        _donnees_modification(employe, compte_actif=""),
    )

    assert reponse.status_code == 302
    employe.refresh_from_db()
    assert employe.compte_actif is False
    assert not AuthToken.objects.filter(user=employe).exists()


def test_the_password_is_changed_through_the_admin_password_view(back_office, employe):
    url = f"/admin/accounts/user/{employe.pk}/password/"
    assert back_office.get(url).status_code == 200

    reponse = back_office.post(
        url,
        {
            "password1": NOUVEAU_MOT_DE_PASSE,
            "password2": NOUVEAU_MOT_DE_PASSE,
            "usable_password": "true",
        },
    )

    assert reponse.status_code == 302
    employe.refresh_from_db()
    assert employe.check_password(NOUVEAU_MOT_DE_PASSE)


def test_the_password_view_rejects_a_weak_password(back_office, employe):
    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/password/",
        {"password1": "azerty", "password2": "azerty", "usable_password": "true"},
    )

    assert reponse.status_code == 200
    employe.refresh_from_db()
    assert employe.check_password(MOT_DE_PASSE)


def test_a_user_with_reservations_cannot_be_deleted(back_office, employe):
    ReservationFactory(user=employe)
    url = f"/admin/accounts/user/{employe.pk}/delete/"

    page = back_office.get(url)
    reponse = back_office.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert page.context["protected"]
    assert reponse.status_code == 200
    assert User.objects.filter(pk=employe.pk).exists()


def test_the_department_manager_picker_only_offers_managers_and_admins(back_office, employe):
    manager = ManagerFactory()

    reponse = back_office.get(
        "/admin/autocomplete/",
        {
            "app_label": "sites",
            "model_name": "department",
            "field_name": "manager",
            "term": "",
        },
    )

    assert reponse.status_code == 200
    ids = {int(r["id"]) for r in reponse.json()["results"]}
    assert manager.pk in ids
    assert employe.pk not in ids


@pytest.mark.parametrize("nombre", [1, 40])
def test_the_user_list_answers_in_a_fixed_number_of_queries(
    back_office, django_assert_max_num_queries, nombre
):
    for _ in range(nombre):
        UserFactory(department=DepartmentFactory())

    with django_assert_max_num_queries(7):
        reponse = back_office.get("/admin/accounts/user/")

    assert reponse.status_code == 200


def test_an_admin_cannot_demote_or_delete_themselves_in_the_back_office(back_office, admin_user):
    client = back_office
    donnees = {
        "email": admin_user.email,
        "nom_utilisateur": admin_user.nom_utilisateur,
        "nom_prenom": admin_user.nom_prenom,
        "role": "employe",
        "priorite": "standard",
        "compte_actif": "on",
    }
    response = client.post(f"/admin/accounts/user/{admin_user.pk}/change/", donnees)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [MSG_SOI_MEME]
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"
    assert client.get(f"/admin/accounts/user/{admin_user.pk}/delete/").status_code == 403


def test_demoting_a_department_manager_is_a_form_error(back_office):
    client = back_office
    manager = ManagerFactory()
    DepartmentFactory(manager=manager)
    donnees = {
        "email": manager.email,
        "nom_utilisateur": manager.nom_utilisateur,
        "nom_prenom": manager.nom_prenom,
        "role": "employe",
        "priorite": "standard",
        "compte_actif": "on",
    }
    response = client.post(f"/admin/accounts/user/{manager.pk}/change/", donnees)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["role"] == [MSG_GERE_DEPARTEMENTS]
    manager.refresh_from_db()
    assert manager.role == "manager"


def test_a_new_password_closes_the_users_sessions_whatever_the_entry_point():
    user = UserFactory()
    AuthToken.emettre(user)
    user.set_password("Un-autre-mot-de-passe-2026")
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()


# Writes through accounts.services ---------------------------------------------------------


def _enregistrer_les_appels(monkeypatch, nom):
    service = getattr(services, nom)
    appels = []

    def enregistrer(*args, **kwargs):
        appels.append(kwargs)
        return service(*args, **kwargs)

    monkeypatch.setattr(services, nom, enregistrer)
    return appels


def test_a_user_created_in_the_back_office_goes_through_the_service(
    back_office, admin_user, monkeypatch
):
    appels = _enregistrer_les_appels(monkeypatch, "creer_utilisateur")

    reponse = back_office.post("/admin/accounts/user/add/", _donnees_creation())

    assert reponse.status_code == 302
    [appel] = appels
    assert appel["par"] == admin_user
    assert appel["password"] == NOUVEAU_MOT_DE_PASSE
    assert appel["nom_utilisateur"] == "nrecrue"
    assert User.objects.get(nom_utilisateur="nrecrue").check_password(NOUVEAU_MOT_DE_PASSE)


def test_a_change_in_the_back_office_passes_the_changed_fields_to_the_service(
    back_office, admin_user, employe, monkeypatch
):
    admin_change = django_admin.site._registry[User]
    appels = []

    def enregistrer(user, **kwargs):
        appels.append((user.nom_prenom, kwargs))
        return services.modifier_utilisateur(user, **kwargs)

    monkeypatch.setattr(admin_change, "service_modifier", enregistrer)
    ancien_nom = employe.nom_prenom

    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/change/",
        _donnees_modification(employe, nom_prenom="Nom Changé"),
    )

    assert reponse.status_code == 302
    assert appels == [(ancien_nom, {"par": admin_user, "nom_prenom": "Nom Changé"})]


def test_a_bulk_deletion_goes_through_the_service_one_user_at_a_time(
    back_office, admin_user, monkeypatch
):
    utilisateurs = UserFactory.create_batch(2)
    admin_users = django_admin.site._registry[User]
    appels = []

    def enregistrer(user, **kwargs):
        appels.append((user.pk, kwargs))
        return services.supprimer_utilisateur(user, **kwargs)

    monkeypatch.setattr(admin_users, "service_supprimer", enregistrer)

    reponse = back_office.post(
        "/admin/accounts/user/",
        {
            "action": "delete_selected",
            "_selected_action": [u.pk for u in utilisateurs],
            "post": "yes",
        },
    )

    assert reponse.status_code == 302
    assert sorted(appels) == sorted((u.pk, {"par": admin_user}) for u in utilisateurs)
    assert not User.objects.filter(pk__in=[u.pk for u in utilisateurs]).exists()


def test_a_user_referred_to_after_the_confirmation_page_is_kept_with_an_error_message(
    back_office, employe, monkeypatch
):
    ReservationFactory(user=employe)
    admin_users = django_admin.site._registry[User]
    monkeypatch.setattr(
        admin_users, "get_deleted_objects", lambda objs, request: ([], {}, set(), [])
    )
    url = f"/admin/accounts/user/{employe.pk}/delete/"

    reponse = back_office.post(url, {"post": "yes"})

    assert reponse.status_code == 302
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == [
        "Cet objet est encore référencé (réservations) : suppression impossible."
    ]
    assert User.objects.filter(pk=employe.pk).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_the_password_view_saves_through_the_service_and_closes_the_sessions(
    back_office, admin_user, employe, monkeypatch
):
    AuthToken.emettre(employe)
    appels = _enregistrer_les_appels(monkeypatch, "modifier_utilisateur")

    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/password/",
        {
            "password1": NOUVEAU_MOT_DE_PASSE,
            "password2": NOUVEAU_MOT_DE_PASSE,
            "usable_password": "true",
        },
    )

    assert reponse.status_code == 302
    assert appels == [{"par": admin_user, "password": NOUVEAU_MOT_DE_PASSE}]
    employe.refresh_from_db()
    assert employe.check_password(NOUVEAU_MOT_DE_PASSE)
    assert not AuthToken.objects.filter(user=employe).exists()


def test_disabling_password_login_goes_through_the_service(back_office, employe):
    reponse = back_office.post(
        f"/admin/accounts/user/{employe.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )

    assert reponse.status_code == 302
    employe.refresh_from_db()
    assert not employe.has_usable_password()
