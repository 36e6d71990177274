"""/docs and /redoc are self-contained (API.md, B+): every script, stylesheet and icon they
load, and the schema their inline script fetches, is served by Resa itself, so the pages
render on an intranet with no internet access."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

# Closing a streamed static response sends request_finished, which checks the DB connection.
pytestmark = pytest.mark.django_db

# A string literal in inline JavaScript that starts with a scheme or is protocol-relative.
URL_ABSOLUE_DANS_JS = re.compile(r"""["'`]\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE)
TYPES_ATTENDUS = {
    "script": ("javascript",),
    "stylesheet": ("text/css",),
    "icon": ("image/",),
    "schema": ("json",),
}


def _client():
    """Over HTTPS behind a proxy, as in production (with DEBUG off, HTTP is redirected)."""
    return Client(headers={"X-Forwarded-Proto": "https"})


class _Page(HTMLParser):
    """Every URL a page's markup points at, and the text of its inline scripts."""

    def __init__(self):
        super().__init__()
        self.ressources = []  # (kind, url)
        self.autres_urls = []  # any other src/href/spec-url attribute
        self.scripts_inline = []
        self._dans_script_inline = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.ressources.append(("script", attrs["src"]))
            else:
                self._dans_script_inline = True
                self.scripts_inline.append("")
        elif tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if "stylesheet" in rels:
                self.ressources.append(("stylesheet", attrs["href"]))
            elif "icon" in rels:
                self.ressources.append(("icon", attrs["href"]))
            else:
                self.autres_urls.append(attrs.get("href") or "")
        elif tag == "redoc":
            self.ressources.append(("schema", attrs["spec-url"]))
        else:
            for nom in ("src", "href", "spec-url"):
                if attrs.get(nom):
                    self.autres_urls.append(attrs[nom])

    def handle_endtag(self, tag):
        if tag == "script":
            self._dans_script_inline = False

    def handle_data(self, data):
        if self._dans_script_inline:
            self.scripts_inline[-1] += data


def _analyser(client, chemin):
    response = client.get(chemin)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = _Page()
    page.feed(response.content.decode())
    return page


def _locale(url):
    """A path on Resa itself: no scheme, no host (`//host/...` included)."""
    morceaux = urlsplit(url)
    return not morceaux.scheme and not morceaux.netloc and url.startswith("/")


def _verifier_servies(client, ressources):
    for genre, url in ressources:
        assert _locale(url), f"{genre} {url!r} is not served by Resa itself"
        response = client.get(url)
        assert response.status_code == 200, (genre, url)
        type_recu = response["Content-Type"]
        assert any(t in type_recu for t in TYPES_ATTENDUS[genre]), (genre, url, type_recu)
        contenu = b"".join(response.streaming_content) if response.streaming else response.content
        response.close()
        assert contenu, (genre, url)


def _verifier_page(client, chemin, scripts_attendus, schema_dans_js):
    page = _analyser(client, chemin)
    assert not [u for u in page.autres_urls if not _locale(u)], page.autres_urls
    for script in page.scripts_inline:
        assert not URL_ABSOLUE_DANS_JS.search(script), script
    ressources = list(page.ressources)
    if schema_dans_js:
        # Swagger UI's init script: SwaggerUIBundle({url: "/openapi.json", ...}).
        urls = re.findall(r'\burl:\s*"([^"]*)"', "".join(page.scripts_inline))
        assert urls == ["/openapi.json"], urls
        ressources.append(("schema", urls[0]))
    assert ("schema", "/openapi.json") in ressources
    noms = [urlsplit(url).path.rsplit("/", 1)[-1] for genre, url in ressources if genre == "script"]
    for attendu in scripts_attendus:
        assert any(re.fullmatch(attendu, nom) for nom in noms), (attendu, noms)
    _verifier_servies(client, ressources)
    return ressources


def _verifier_les_deux_pages(client):
    docs = _verifier_page(
        client,
        "/docs",
        [
            r"swagger-ui-bundle(\.[0-9a-f]{12})?\.js",
            r"swagger-ui-standalone-preset(\.[0-9a-f]{12})?\.js",
        ],
        schema_dans_js=True,
    )
    assert {genre for genre, _ in docs} == {"script", "stylesheet", "icon", "schema"}
    redoc = _verifier_page(
        client, "/redoc", [r"redoc\.standalone(\.[0-9a-f]{12})?\.js"], schema_dans_js=False
    )
    assert {genre for genre, _ in redoc} == {"script", "schema"}
    return docs + redoc


def test_docs_and_redoc_load_nothing_from_another_host():
    _verifier_les_deux_pages(_client())


def test_the_bundles_are_the_real_swagger_ui_and_redoc():
    client = _client()
    for chemin, marqueur in (("/docs", b"SwaggerUIBundle"), ("/redoc", b"Redoc")):
        for genre, url in _analyser(client, chemin).ressources:
            if genre == "script":
                response = client.get(url)
                assert marqueur in b"".join(response.streaming_content)
                response.close()
                break


@pytest.mark.parametrize("chemin", ["/docs", "/redoc"])
def test_the_pages_name_no_cdn(chemin):
    contenu = _client().get(chemin).content.decode()
    for interdit in ("cdn.", "jsdelivr", "unpkg", "@latest", "fonts.googleapis", "fonts.gstatic"):
        assert interdit not in contenu


def test_production_static_files_after_collectstatic(tmp_path):
    """The production path: manifest storage (hashed names), files collected by
    collectstatic into STATIC_ROOT and served from there by WhiteNoise, without finders."""
    stockage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES=stockage,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        # Only the documentation's assets: the admin's are not under test here.
        call_command(
            "collectstatic", "--noinput", "-i", "admin", "-i", "rest_framework", verbosity=0
        )
        ressources = _verifier_les_deux_pages(_client())
    statiques = [url for genre, url in ressources if genre != "schema"]
    assert statiques
    for url in statiques:
        assert url.startswith("/static/drf_spectacular_sidecar/")
        assert re.search(r"\.[0-9a-f]{12}\.[a-z]+$", url), url  # hashed: cacheable forever
