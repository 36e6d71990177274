from decimal import Decimal

import pytest

from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from sites.models import MSG_MANAGER_ROLE, Department
from sites.tests.factories import DepartmentFactory, SiteFactory

pytestmark = pytest.mark.django_db

DEPARTMENT = {"id", "nom", "site_id", "manager_id", "budgetAnnuel"}


@pytest.fixture
def department(manager):
    """A department run by the ``manager`` fixture."""
    return DepartmentFactory(nom="Informatique", budget_annuel=Decimal("12000.50"), manager=manager)


@pytest.fixture
def nouveau(department):
    """A department to create on the site of ``department`` (one of the manager's sites)."""
    return {"nom": "Ressources humaines", "site_id": department.site_id}


@pytest.mark.parametrize(
    ("methode", "chemin", "attendus"),
    [
        ("get", "/departments/", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
        ("get", "/departments", {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200}),
        (
            "get",
            "/departments/{id}",
            {"anonyme": 401, "employe": 200, "manager": 200, "admin": 200},
        ),
        ("post", "/departments/", {"anonyme": 401, "employe": 403, "manager": 201, "admin": 201}),
        (
            "put",
            "/departments/{id}",
            {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200},
        ),
        (
            "patch",
            "/departments/{id}",
            {"anonyme": 401, "employe": 403, "manager": 200, "admin": 200},
        ),
        (
            "delete",
            "/departments/{id}",
            {"anonyme": 401, "employe": 403, "manager": 403, "admin": 200},
        ),
    ],
)
@pytest.mark.parametrize("role", ["anonyme", "employe", "manager", "admin"])
def test_departments_permission_matrix(
    clients, department, nouveau, methode, chemin, attendus, role
):
    donnees = nouveau if methode == "post" else {"nom": "Informatique et réseaux"}
    response = getattr(clients[role], methode)(
        chemin.format(id=department.pk), donnees, format="json"
    )
    assert response.status_code == attendus[role]
    if response.status_code >= 400:
        assert response.json()["detail"]


def test_list_is_a_plain_array_with_budget_annuel_as_a_number(client_employe, department):
    response = client_employe.get("/departments/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": department.pk,
            "nom": "Informatique",
            "site_id": department.site_id,
            "manager_id": department.manager_id,
            "budgetAnnuel": 12000.5,
        }
    ]


def test_list_is_paginated_with_a_limit_of_at_most_100(client_employe):
    departments = DepartmentFactory.create_batch(3)
    page = client_employe.get("/departments/?offset=1&limit=1").json()
    assert [d["id"] for d in page] == [departments[1].pk]
    response = client_employe.get("/departments/?limit=101")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["limit"]


def test_read_one_department(client_employe, department):
    response = client_employe.get(f"/departments/{department.pk}")
    assert response.status_code == 200
    assert set(response.json()) == DEPARTMENT


def test_unknown_department_is_a_404(client_employe):
    response = client_employe.get("/departments/999999")
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("nombre", [1, 50])
def test_list_and_detail_query_counts_do_not_grow_with_rows(
    client_employe, nombre, django_assert_max_num_queries
):
    manager = ManagerFactory()
    departments = DepartmentFactory.create_batch(nombre, manager=manager)
    with django_assert_max_num_queries(2):
        response = client_employe.get("/departments/")
    assert len(response.json()) == nombre
    with django_assert_max_num_queries(2):
        assert client_employe.get(f"/departments/{departments[-1].pk}").status_code == 200


# --- create -----------------------------------------------------------------------------


@pytest.mark.parametrize("role_manager", [ManagerFactory, AdminFactory])
def test_admin_creates_a_department_led_by_a_manager_or_an_admin(
    client_admin, nouveau, role_manager
):
    chef = role_manager()
    response = client_admin.post(
        "/departments/",
        {**nouveau, "manager_id": chef.pk, "budgetAnnuel": "50000.00"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    department = Department.objects.get(pk=body["id"])
    assert body == {
        "id": department.pk,
        "nom": "Ressources humaines",
        "site_id": nouveau["site_id"],
        "manager_id": chef.pk,
        "budgetAnnuel": 50000.0,
    }
    assert department.manager == chef
    assert department.budget_annuel == Decimal("50000.00")


def test_manager_and_budget_are_optional(client_admin, nouveau):
    response = client_admin.post("/departments/", nouveau, format="json")
    assert response.status_code == 201
    assert response.json()["manager_id"] is None
    assert response.json()["budgetAnnuel"] is None


def test_a_zero_budget_is_accepted(client_admin, nouveau):
    response = client_admin.post("/departments/", {**nouveau, "budgetAnnuel": 0}, format="json")
    assert response.status_code == 201
    assert response.json()["budgetAnnuel"] == 0


def test_an_employee_cannot_manage_a_department(client_admin, nouveau):
    employe = UserFactory()
    response = client_admin.post(
        "/departments/", {**nouveau, "manager_id": employe.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": MSG_MANAGER_ROLE,
        "code": "validation",
        "errors": {"manager_id": [MSG_MANAGER_ROLE]},
    }
    assert not Department.objects.filter(nom="Ressources humaines").exists()


@pytest.mark.parametrize(
    ("changement", "champ"),
    [
        ({"nom": "RH"}, "nom"),
        ({"nom": None}, "nom"),
        ({"site_id": 999999}, "site_id"),
        ({"site_id": None}, "site_id"),
        ({"site_id": "abc"}, "site_id"),
        ({"site_id": 10**30}, "site_id"),
        ({"manager_id": 999999}, "manager_id"),
        ({"manager_id": "abc"}, "manager_id"),
        ({"budgetAnnuel": -1}, "budgetAnnuel"),
        ({"budgetAnnuel": "beaucoup"}, "budgetAnnuel"),
        ({"budgetAnnuel": 10**20}, "budgetAnnuel"),
        ({"budgetAnnuel": "NaN"}, "budgetAnnuel"),
        ({"budgetAnnuel": 1.234}, "budgetAnnuel"),
    ],
)
def test_create_refuses_each_invalid_field(client_admin, nouveau, changement, champ):
    response = client_admin.post("/departments/", {**nouveau, **changement}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [champ]
    assert not Department.objects.filter(nom="Ressources humaines").exists()


@pytest.mark.parametrize("champ", ["nom", "site_id"])
def test_create_requires_name_and_site(client_admin, nouveau, champ):
    del nouveau[champ]
    response = client_admin.post("/departments/", nouveau, format="json")
    assert response.status_code == 400
    assert champ in response.json()["errors"]


# --- update -----------------------------------------------------------------------------


@pytest.mark.parametrize("methode", ["put", "patch"])
def test_put_and_patch_are_partial(client_admin, department, methode):
    chef = ManagerFactory()
    response = getattr(client_admin, methode)(
        f"/departments/{department.pk}", {"manager_id": chef.pk}, format="json"
    )
    assert response.status_code == 200
    department.refresh_from_db()
    assert department.manager == chef
    assert department.nom == "Informatique"
    assert department.budget_annuel == Decimal("12000.50")


def test_update_refuses_an_employee_as_manager(client_admin, department):
    response = client_admin.patch(
        f"/departments/{department.pk}", {"manager_id": UserFactory().pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["manager_id"]
    manager = department.manager
    department.refresh_from_db()
    assert department.manager == manager


def test_update_can_remove_the_manager_and_the_budget(client_admin):
    department = DepartmentFactory(manager=ManagerFactory(), budget_annuel=Decimal(10))
    response = client_admin.put(
        f"/departments/{department.pk}", {"manager_id": None, "budgetAnnuel": None}, format="json"
    )
    assert response.status_code == 200
    department.refresh_from_db()
    assert department.manager is None and department.budget_annuel is None


def test_update_refuses_a_negative_budget(client_admin, department):
    response = client_admin.put(
        f"/departments/{department.pk}", {"budgetAnnuel": "-0.01"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["budgetAnnuel"]


def test_moving_a_department_to_another_site(client_admin, department):
    site = SiteFactory()
    response = client_admin.patch(
        f"/departments/{department.pk}", {"site_id": site.pk}, format="json"
    )
    assert response.json()["site_id"] == site.pk


# --- delete -----------------------------------------------------------------------------


def test_admin_deletes_an_empty_department(client_admin, department):
    response = client_admin.delete(f"/departments/{department.pk}")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert not Department.objects.filter(pk=department.pk).exists()


def test_a_department_with_members_cannot_be_deleted(client_admin, department):
    UserFactory(department=department)
    response = client_admin.delete(f"/departments/{department.pk}")
    assert response.status_code == 409
    assert "utilisateurs" in response.json()["detail"]
    assert Department.objects.filter(pk=department.pk).exists()


# --- manager scope ----------------------------------------------------------------------


def test_a_manager_may_not_take_over_another_department(client_manager, manager):
    autre = DepartmentFactory(manager=ManagerFactory())
    membre = UserFactory(department=autre)
    for donnees in ({"manager_id": manager.pk}, {"nom": "Repris"}):
        reponse = client_manager.patch(f"/departments/{autre.pk}", donnees, format="json")
        assert reponse.status_code == 403
        assert reponse.json()["code"] == "permission_refusee"
    autre.refresh_from_db()
    assert autre.manager != manager
    # ... and so never sees its members or their bookings.
    assert client_manager.get("/users/").json()["meta"]["total"] == 0
    assert client_manager.get(f"/users/{membre.pk}").status_code == 404


def test_a_manager_may_not_change_the_manager_of_their_own_department(client_manager, department):
    for nouveau_chef in (ManagerFactory().pk, None):
        reponse = client_manager.patch(
            f"/departments/{department.pk}", {"manager_id": nouveau_chef}, format="json"
        )
        assert reponse.status_code == 403
    department.refresh_from_db()
    assert department.manager_id is not None


def test_a_manager_renames_their_department_and_moves_it_within_their_sites(
    client_manager, department, site_du_manager
):
    reponse = client_manager.patch(
        f"/departments/{department.pk}",
        {"nom": "Informatique générale", "site_id": site_du_manager.pk},
        format="json",
    )
    assert reponse.status_code == 200
    department.refresh_from_db()
    assert (department.nom, department.site_id) == ("Informatique générale", site_du_manager.pk)
    reponse = client_manager.patch(
        f"/departments/{department.pk}", {"site_id": SiteFactory().pk}, format="json"
    )
    assert reponse.status_code == 403


def test_a_department_a_manager_creates_is_theirs_and_on_their_sites(
    client_manager, manager, nouveau
):
    reponse = client_manager.post("/departments/", nouveau, format="json")
    assert reponse.status_code == 201
    assert reponse.json()["manager_id"] == manager.pk
    refus = (
        {**nouveau, "nom": "Ailleurs", "site_id": SiteFactory().pk},
        {**nouveau, "nom": "Pour un autre", "manager_id": ManagerFactory().pk},
    )
    for donnees in refus:
        assert client_manager.post("/departments/", donnees, format="json").status_code == 403
    assert not Department.objects.filter(nom__in=["Ailleurs", "Pour un autre"]).exists()
