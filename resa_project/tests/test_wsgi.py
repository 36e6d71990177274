"""The WSGI application gunicorn serves: Django's handler, a path's resolution remembered."""

import io
import json

import pytest
from django.core import signals
from django.db import close_old_connections
from django.urls import Resolver404, get_resolver

from accounts.tests.factories import UserFactory
from resa_project.wsgi import GestionnaireWSGI, Resolutions, application

pytestmark = pytest.mark.django_db


def _get(app, chemin, jeton=None, query=""):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": chemin,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    if jeton:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {jeton}"
    statut = []
    # As Django's test client does: the test's transaction outlives the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        reponse = app(environ, lambda s, h: statut.append(s))
        corps = b"".join(reponse)
        reponse.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return int(statut[0].split()[0]), json.loads(corps)


@pytest.fixture
def jeton(api_client):
    user = UserFactory(password="motdepasse-solide-1")
    reponse = api_client.post(
        "/auth/login", {"email": user.email, "password": "motdepasse-solide-1"}, format="json"
    )
    return reponse.json()["token"]


def test_the_application_answers_as_the_test_client_does(api_client, jeton):
    assert isinstance(application, GestionnaireWSGI)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {jeton}")
    for chemin in ("/auth/me", "/sites/", "/auth/me", "/sites/"):
        statut, corps = _get(application, chemin, jeton)
        attendu = api_client.get(chemin)
        assert (statut, corps) == (attendu.status_code, attendu.json())
    assert _get(application, "/nulle-part", jeton) == (
        404,
        api_client.get("/nulle-part").json(),
    )


def test_a_path_is_resolved_once_then_remembered(jeton, monkeypatch):
    app = GestionnaireWSGI()
    resolveur = get_resolver()
    appels = []
    origine = type(resolveur).resolve

    def compter(self, chemin):
        if self is resolveur:  # not the included URLconfs it tries in turn
            appels.append(chemin)
        return origine(self, chemin)

    monkeypatch.setattr(type(resolveur), "resolve", compter)
    for _ in range(3):
        assert _get(app, "/auth/me", jeton)[0] == 200
        assert _get(app, "/sites/", jeton)[0] == 200
        assert _get(app, "/inconnu", jeton)[0] == 404
    assert appels == ["/auth/me", "/sites/"] + ["/inconnu"] * 3  # a 404 is never kept


def test_the_arguments_of_each_path_are_its_own(api_client, jeton):
    from sites.tests.factories import SiteFactory

    premier, second = SiteFactory(nom="Site Alpha"), SiteFactory(nom="Site Beta")
    for _ in range(2):
        assert _get(application, f"/sites/{premier.pk}", jeton)[1]["nom"] == "Site Alpha"
        assert _get(application, f"/sites/{second.pk}", jeton)[1]["nom"] == "Site Beta"


def test_a_new_resolver_or_the_maximum_starts_afresh():
    resolutions = Resolutions(maximum=2)
    resolveur = get_resolver()
    premiere = resolutions.resoudre(resolveur, "/auth/me")
    assert resolutions.resoudre(resolveur, "/auth/me") is premiere
    resolutions.resoudre(resolveur, "/sites/")
    resolutions.resoudre(resolveur, "/ressources/")  # past the maximum: forgotten at once
    assert resolutions.resoudre(resolveur, "/auth/me") is not premiere

    autre = type(resolveur)(resolveur.pattern, resolveur.urlconf_name)
    assert resolutions.resoudre(autre, "/auth/me").func.__name__ == premiere.func.__name__
    with pytest.raises(Resolver404):
        resolutions.resoudre(autre, "/inconnu")
