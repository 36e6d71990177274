import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import MSG_GERE_DEPARTEMENTS, AuthToken, Autorisation, Priorite, Role, User
from accounts.tests.factories import MOT_DE_PASSE, ManagerFactory, UserFactory
from conftest import client_pour
from resa_project.parametres import MSG_BOOLEEN
from reservations.tests.factories import ReservationFactory
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
def cible():
    return UserFactory()


@pytest.fixture
def nouveau():
    return {
        "nom_utilisateur": "claire",
        "email": "Claire@Example.com",
        "nom_prenom": "Claire Dupont",
        "password": "Un-mot-de-passe-solide-7",
    }


def sans_secret(response):
    corps = response.content.decode()
    return "password" not in corps and not any(
        hash_ in corps for hash_ in User.objects.values_list("password", flat=True)
    )


# --- permission matrix ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("methode", "chemin", "attendus"),
    [
        ("get", "/users/", {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200}),
        ("get", "/users", {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200}),
        ("post", "/users/", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 201}),
        ("get", "/users/{id}", {"anonyme": 401, "employe": 403, "manager": 404, "admin": 200}),
        ("put", "/users/{id}", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 200}),
        ("patch", "/users/{id}", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 200}),
        ("delete", "/users/{id}", {"anonyme": 401, "employe": 403, "manager": 403, "admin": 200}),
    ],
)
@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
def test_users_permission_matrix(clients, cible, nouveau, methode, chemin, attendus, role):
    donnees = nouveau if methode == "post" else {"nom_prenom": "Nouveau Nom"}
    response = getattr(clients[role], methode)(chemin.format(id=cible.pk), donnees, format="json")
    assert response.status_code == attendus[role]
    assert "detail" in response.json() or response.status_code < 400


# --- list -------------------------------------------------------------------------------


def test_admin_lists_every_user_as_items_meta(client_admin, admin_user, cible):
    response = client_admin.get("/users/")

    assert response.status_code == 200
    body = response.json()
    assert [u["id"] for u in body["items"]] == [admin_user.pk, cible.pk]
    assert set(body["items"][0]) == USER_PUBLIC
    assert body["meta"] == {"total": 2, "offset": 0, "limit": 100, "returned": 2}
    assert sans_secret(response)


def test_list_is_paginated(client_admin):
    UserFactory.create_batch(4)
    body = client_admin.get("/users/?offset=2&limit=2").json()
    assert body["meta"] == {"total": 5, "offset": 2, "limit": 2, "returned": 2}


@pytest.mark.parametrize("parametres", ["limit=0", "limit=201", "offset=-1", "limit=abc"])
def test_bad_pagination_is_a_400(client_admin, parametres):
    response = client_admin.get(f"/users/?{parametres}")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_manager_sees_only_the_members_of_the_departments_they_manage(client_manager, manager):
    geres = [DepartmentFactory(manager=manager), DepartmentFactory(manager=manager)]
    membres = [UserFactory(department=geres[0]), UserFactory(department=geres[1])]
    UserFactory(department=DepartmentFactory(manager=ManagerFactory()))
    UserFactory()

    response = client_manager.get("/users/")

    assert [u["id"] for u in response.json()["items"]] == [m.pk for m in membres]
    assert response.json()["meta"]["total"] == 2


def test_manager_reads_a_member_but_not_another_user(client_manager, manager):
    membre = UserFactory(department=DepartmentFactory(manager=manager))
    etranger = UserFactory(department=DepartmentFactory())

    assert client_manager.get(f"/users/{membre.pk}").json()["id"] == membre.pk
    response = client_manager.get(f"/users/{etranger.pk}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_manager_cannot_modify_a_member(client_manager, manager):
    membre = UserFactory(department=DepartmentFactory(manager=manager))
    response = client_manager.patch(f"/users/{membre.pk}", {"role": "admin"}, format="json")
    assert response.status_code == 403
    membre.refresh_from_db()
    assert membre.role == Role.EMPLOYE


def test_filters_role_site_department_and_active(client_admin, admin_user):
    site = SiteFactory()
    department = DepartmentFactory(site=site)
    a = UserFactory(site_principal=site, department=department)
    b = UserFactory(site_principal=site, role=Role.MANAGER)
    c = UserFactory(compte_actif=False)

    def ids(parametres):
        response = client_admin.get(f"/users/?{parametres}")
        assert response.status_code == 200
        return [u["id"] for u in response.json()["items"]]

    assert ids("role=manager") == [b.pk]
    assert ids("role=admin") == [admin_user.pk]
    assert ids(f"site_id={site.pk}") == [a.pk, b.pk]
    assert ids(f"department_id={department.pk}") == [a.pk]
    assert ids("compte_actif=false") == [c.pk]
    assert ids("compte_actif=true") == [admin_user.pk, a.pk, b.pk]
    assert ids(f"site_id={site.pk}&role=employe") == [a.pk]
    assert ids("site_id=999999") == []


def test_q_searches_user_name_email_and_full_name_case_insensitively(client_admin):
    a = UserFactory(nom_utilisateur="jdurand", nom_prenom="Jeanne Durand")
    b = UserFactory(email="contact.durand@example.com")
    c = UserFactory(nom_prenom="Paul DURAND")
    UserFactory(nom_prenom="Autre Personne")

    response = client_admin.get("/users/?q=durand")

    assert [u["id"] for u in response.json()["items"]] == [a.pk, b.pk, c.pk]


@pytest.mark.parametrize(
    ("parametres", "champ"),
    [
        ("role=chef", "role"),
        ("site_id=abc", "site_id"),
        ("site_id=1.5", "site_id"),
        ("site_id=0", "site_id"),
        (f"site_id={10**30}", "site_id"),
        ("department_id=x", "department_id"),
        ("compte_actif=peut-etre", "compte_actif"),
    ],
)
def test_an_invalid_filter_is_a_400_on_that_parameter(client_admin, parametres, champ):
    response = client_admin.get(f"/users/?{parametres}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [champ]


def test_an_invalid_boolean_says_so_in_french(client_admin):
    response = client_admin.get("/users/?compte_actif=oui")
    assert response.json()["errors"]["compte_actif"] == [MSG_BOOLEEN]


@pytest.mark.parametrize("nombre", [1, 50])
def test_list_query_count_does_not_grow_with_rows(
    client_admin, nombre, django_assert_max_num_queries
):
    department = DepartmentFactory()
    UserFactory.create_batch(nombre, department=department)
    with django_assert_max_num_queries(3):
        response = client_admin.get("/users/")
    assert len(response.json()["items"]) == nombre + 1


@pytest.mark.parametrize("nombre", [1, 50])
def test_manager_list_query_count_does_not_grow_with_rows(
    client_manager, manager, nombre, django_assert_max_num_queries
):
    UserFactory.create_batch(nombre, department=DepartmentFactory(manager=manager))
    with django_assert_max_num_queries(3):
        response = client_manager.get("/users/")
    assert len(response.json()["items"]) == nombre


@pytest.mark.parametrize("nombre", [1, 50])
def test_detail_query_count_does_not_grow_with_rows(
    client_admin, nombre, django_assert_max_num_queries
):
    users = UserFactory.create_batch(nombre)
    with django_assert_max_num_queries(2):
        assert client_admin.get(f"/users/{users[-1].pk}").status_code == 200


# --- read -------------------------------------------------------------------------------


def test_admin_reads_a_user(client_admin, cible):
    response = client_admin.get(f"/users/{cible.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == USER_PUBLIC
    assert body["site_principal_id"] == cible.site_principal_id
    assert sans_secret(response)


@pytest.mark.parametrize("pk", ["999999", "abc", str(10**30)])
def test_unknown_or_malformed_id_is_a_404(client_admin, pk):
    response = client_admin.get(f"/users/{pk}")
    assert response.status_code == 404
    assert response.json()["detail"]


# --- create -----------------------------------------------------------------------------


def test_admin_creates_a_user_with_any_role_and_rights(client_admin, nouveau):
    site = SiteFactory()
    department = DepartmentFactory()

    response = client_admin.post(
        "/users/",
        {
            **nouveau,
            "role": Role.MANAGER,
            "priorite": Priorite.PRIORITAIRE,
            "autorisations": [Autorisation.CONFIRMER_RESERVATIONS],
            "site_principal_id": site.pk,
            "department_id": department.pk,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == USER_PUBLIC
    user = User.objects.get(nom_utilisateur="claire")
    assert body["id"] == user.pk
    assert user.email == "claire@example.com"
    assert user.role == Role.MANAGER
    assert user.priorite == Priorite.PRIORITAIRE
    assert user.autorisations == ["confirmer_reservations"]
    assert (user.site_principal_id, user.department_id) == (site.pk, department.pk)
    assert user.compte_actif
    assert user.check_password("Un-mot-de-passe-solide-7")
    assert user.password != "Un-mot-de-passe-solide-7"
    assert sans_secret(response)


def test_created_user_defaults_to_a_standard_employee_without_site(client_admin, nouveau):
    body = client_admin.post("/users/", nouveau, format="json").json()
    assert (body["role"], body["priorite"], body["autorisations"]) == ("employe", "standard", [])
    assert body["site_principal_id"] is None
    assert body["compte_actif"] is True


@pytest.mark.parametrize(
    ("champ", "valeur"),
    [
        ("nom_utilisateur", "ab"),
        ("nom_prenom", ""),
        ("email", "pas-un-email"),
        ("password", "123"),
        ("role", "chef"),
        ("priorite", 3),
        ("autorisations", ["voler_des_salles"]),
        ("autorisations", "reserver_pour_autrui"),
        ("compte_actif", "peut-etre"),
        ("site_principal_id", 999999),
        ("department_id", 999999),
        ("department_id", "abc"),
    ],
)
def test_create_refuses_each_invalid_field(client_admin, nouveau, champ, valeur):
    response = client_admin.post("/users/", {**nouveau, champ: valeur}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [champ]
    assert not User.objects.filter(nom_utilisateur="claire").exists()


def test_create_refuses_a_taken_email_whatever_its_case(client_admin, nouveau):
    UserFactory(email="claire@example.com")
    response = client_admin.post(
        "/users/", {**nouveau, "email": "CLAIRE@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_unknown_autorisation_is_named_in_the_error(client_admin, nouveau):
    response = client_admin.post(
        "/users/", {**nouveau, "autorisations": ["voler_des_salles"]}, format="json"
    )
    assert "voler_des_salles" in response.json()["errors"]["autorisations"][0]


# --- update -----------------------------------------------------------------------------


@pytest.mark.parametrize("methode", ["put", "patch"])
def test_put_and_patch_are_both_partial(client_admin, cible, methode):
    avant = User.objects.get(pk=cible.pk)

    response = getattr(client_admin, methode)(
        f"/users/{cible.pk}", {"priorite": "prioritaire"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["priorite"] == "prioritaire"
    cible.refresh_from_db()
    assert cible.priorite == Priorite.PRIORITAIRE
    assert (cible.nom_utilisateur, cible.email, cible.role, cible.password) == (
        avant.nom_utilisateur,
        avant.email,
        avant.role,
        avant.password,
    )


def test_admin_updates_every_writable_field(client_admin, cible):
    site, department = SiteFactory(), DepartmentFactory()
    response = client_admin.patch(
        f"/users/{cible.pk}",
        {
            "nom_utilisateur": "renomme",
            "nom_prenom": "Nom Changé",
            "email": "Nouveau@Example.com",
            "role": "manager",
            "priorite": "prioritaire",
            "autorisations": ["reserver_pour_autrui", "gerer_ressources"],
            "site_principal_id": site.pk,
            "department_id": department.pk,
        },
        format="json",
    )
    assert response.status_code == 200
    cible.refresh_from_db()
    assert cible.nom_utilisateur == "renomme"
    assert cible.nom_prenom == "Nom Changé"
    assert cible.email == "nouveau@example.com"
    assert cible.role == Role.MANAGER
    assert cible.autorisations == ["reserver_pour_autrui", "gerer_ressources"]
    assert (cible.site_principal_id, cible.department_id) == (site.pk, department.pk)
    assert response.json()["email"] == "nouveau@example.com"


def test_department_and_site_can_be_cleared(client_admin):
    cible = UserFactory(department=DepartmentFactory())
    response = client_admin.patch(
        f"/users/{cible.pk}", {"department_id": None, "site_principal_id": None}, format="json"
    )
    assert response.status_code == 200
    cible.refresh_from_db()
    assert cible.department_id is None and cible.site_principal_id is None


@pytest.mark.parametrize(
    ("champ", "valeur"),
    [
        ("nom_utilisateur", "x"),
        ("email", "nope"),
        ("role", "roi"),
        ("autorisations", ["inconnue"]),
        ("autorisations", [1]),
        ("department_id", 999999),
        ("site_principal_id", "abc"),
        ("password", "motdepasse"),
        ("nom_prenom", None),
    ],
)
def test_update_refuses_each_invalid_field(client_admin, cible, champ, valeur):
    avant = User.objects.get(pk=cible.pk)
    response = client_admin.patch(f"/users/{cible.pk}", {champ: valeur}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [champ]
    cible.refresh_from_db()
    assert (cible.nom_utilisateur, cible.email, cible.role, cible.password) == (
        avant.nom_utilisateur,
        avant.email,
        avant.role,
        avant.password,
    )


def test_update_refuses_an_email_taken_by_someone_else(client_admin, cible):
    UserFactory(email="pris@example.com")
    response = client_admin.patch(
        f"/users/{cible.pk}", {"email": "PRIS@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_keeping_ones_own_email_is_not_a_duplicate(client_admin, cible):
    response = client_admin.patch(f"/users/{cible.pk}", {"email": cible.email}, format="json")
    assert response.status_code == 200


def test_new_password_is_hashed_and_closes_open_sessions(client_admin, cible):
    client_cible = client_pour(cible)

    response = client_admin.patch(
        f"/users/{cible.pk}", {"password": "Autre-mot-de-passe-99"}, format="json"
    )

    assert response.status_code == 200
    assert sans_secret(response)
    cible.refresh_from_db()
    assert cible.check_password("Autre-mot-de-passe-99")
    assert not cible.check_password(MOT_DE_PASSE)
    assert client_cible.get("/auth/me").status_code == 401
    login = APIClient().post(
        "/auth/login", {"email": cible.email, "password": "Autre-mot-de-passe-99"}, format="json"
    )
    assert login.status_code == 200


def test_deactivating_an_account_revokes_its_tokens_at_once(client_admin, cible):
    client_cible = client_pour(cible)
    assert client_cible.get("/auth/me").status_code == 200

    response = client_admin.patch(f"/users/{cible.pk}", {"compte_actif": False}, format="json")

    assert response.status_code == 200
    assert response.json()["compte_actif"] is False
    assert not AuthToken.objects.filter(user=cible).exists()
    assert client_cible.get("/auth/me").status_code == 401
    login = APIClient().post(
        "/auth/login", {"email": cible.email, "password": MOT_DE_PASSE}, format="json"
    )
    assert login.status_code == 401


@pytest.mark.parametrize("changement", [{"compte_actif": False}, {"role": "manager"}])
def test_an_admin_cannot_deactivate_or_demote_themselves(client_admin, admin_user, changement):
    response = client_admin.patch(f"/users/{admin_user.pk}", changement, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == services.MSG_SOI_MEME
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN and admin_user.compte_actif


def test_a_manager_of_departments_cannot_become_an_employee(client_admin, manager):
    DepartmentFactory(manager=manager)
    response = client_admin.patch(f"/users/{manager.pk}", {"role": "employe"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["role"] == [MSG_GERE_DEPARTEMENTS]
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER


# --- delete -----------------------------------------------------------------------------


def test_admin_deletes_a_user_and_their_tokens(client_admin, cible):
    AuthToken.emettre(cible)
    response = client_admin.delete(f"/users/{cible.pk}")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert not User.objects.filter(pk=cible.pk).exists()
    assert not AuthToken.objects.filter(user_id=cible.pk).exists()


def test_a_user_with_reservations_cannot_be_deleted(client_admin, cible):
    ReservationFactory(user=cible)
    response = client_admin.delete(f"/users/{cible.pk}")
    assert response.status_code == 409
    assert "réservations" in response.json()["detail"]
    assert User.objects.filter(pk=cible.pk).exists()


def test_the_manager_of_a_department_cannot_be_deleted(client_admin, manager):
    DepartmentFactory(manager=manager)
    response = client_admin.delete(f"/users/{manager.pk}")
    assert response.status_code == 409
    assert User.objects.filter(pk=manager.pk).exists()


def test_an_admin_cannot_delete_themselves(client_admin, admin_user):
    response = client_admin.delete(f"/users/{admin_user.pk}")
    assert response.status_code == 409
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_deleting_an_unknown_user_is_a_404(client_admin):
    assert client_admin.delete("/users/999999").status_code == 404
