"""Fixtures shared by every app's tests: an API client per role."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AuthToken
from accounts.tests.factories import AdminFactory, ManagerFactory, UserFactory
from sites.tests.factories import DepartmentFactory, SiteFactory


@pytest.fixture(autouse=True)
def _cache_vide():
    """Throttling counters live in the cache, tokens and lists in the process's memos
    (resa_project.marques): every test starts with none."""
    from django.core.cache import cache

    from resa_project.marques import vider_les_memos

    cache.clear()
    vider_les_memos()
    yield
    cache.clear()
    vider_les_memos()


@pytest.fixture(autouse=True)
def _worker_dans_la_transaction_du_test(monkeypatch):
    """``manage.py worker`` (django-tasks-db's loop) closes stale connections between
    tasks, as a long-running process must; inside a test's transaction that would close the
    test's own connection. Tests keep it open (tests with ``transaction=True`` too: nothing
    is stale within a test)."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )


def client_pour(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.emettre(user)}")
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def employe(db):
    return UserFactory()


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def site_du_manager(manager):
    """A site where ``manager`` acts: the site of a department they manage."""
    site = SiteFactory()
    DepartmentFactory(site=site, manager=manager)
    return site


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def client_employe(employe):
    return client_pour(employe)


@pytest.fixture
def client_manager(manager):
    return client_pour(manager)


@pytest.fixture
def client_admin(admin_user):
    return client_pour(admin_user)


@pytest.fixture
def clients(db, client_employe, client_manager, client_admin):
    """One client per role, for permission matrices: ``clients[role]``."""
    return {
        "anonyme": APIClient(),
        "employe": client_employe,
        "manager": client_manager,
        "admin": client_admin,
    }


@pytest.fixture
def autre_processus(settings):
    """``changer("ressources.models", "MARQUE_CATALOGUE")`` changes a stamp from another
    process of this host, as that process's receivers do (resa_project.marques)."""
    import subprocess
    import sys

    def changer(module, marque):
        code = f"import django; django.setup(); from {module} import {marque}; {marque}.changer()"
        subprocess.run(  # noqa: S603 - the tests' own module and name
            [sys.executable, "-c", code],
            check=True,
            env={
                "DJANGO_SETTINGS_MODULE": "resa_project.settings_test",
                "MARQUES_DIR": settings.MARQUES_DIR,
                "PATH": "",
            },
            cwd=str(settings.BASE_DIR),
        )

    return changer
