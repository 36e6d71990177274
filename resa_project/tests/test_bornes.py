"""Boundary values in every parameter of every operation of the OpenAPI schema (issue 7).

The cases are derived from the schema the application generates, so a new endpoint, query
parameter or body field is covered without touching this file: every path parameter, query
parameter and top-level property of the JSON request body of every operation receives years
1 and 9999, naive times that daylight saving skips or repeats, ids beyond 64 bits, negative
and huge offsets, empty, non-ASCII, NUL and 10 kB strings, lone surrogates, wrong JSON types,
and the whole body is replaced by values of the wrong type (a body field the schema does not
describe as a date gets three of the date values, not all). Each request runs against a
small realistic dataset, starting from a valid query and a valid body where one is known, so
that detail endpoints and cross-field rules are reached; it must be answered below 500, and
an error must be JSON with a ``detail`` string (API.md, "Conventions").

Each request runs in a savepoint rolled back afterwards (and with an empty cache, so that
throttles never answer for the handler), so cases neither depend on their order nor on what
an accepted value changed. One test per (role, operation) sends the values to all its
parameters and reports every failing request at once: method, URL, parameter, value,
status and, for a server error, the exception, the frame that raised it and the project
frame it came through. Admins get every value; employees a sample; anonymous callers every
value on public operations and a sample elsewhere (they stop at authentication).
"""

import json
import logging
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import MOT_DE_PASSE
from reservations.models import Recurrence, TypeDisponibilite
from reservations.tests.factories import (
    ReservationFactory,
    ResourceAvailabilityFactory,
    demain_a,
)
from reservations.tests.factories_series import SerieFactory
from ressources.models import TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import DepartmentFactory, SiteFactory
from webhooks.tests.factories import AbonnementFactory

pytestmark = pytest.mark.django_db

RACINE = Path(__file__).resolve().parents[2]
METHODES = ("get", "post", "put", "patch", "delete")
SURES = ("get",)


# --- The values -------------------------------------------------------------------------


@dataclass(frozen=True)
class Brut:
    """A fragment sent as is: raw JSON text in a body, raw (already encoded) text in a URL."""

    texte: str

    def __repr__(self):
        return f"brut({self.texte})"


DATES = [
    "0001-01-01",
    "0001-01-02",
    "9999-12-31",
    "0001-01-01T09:00:00",
    "9999-12-31T23:45:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "2027-03-28T02:30:00",  # skipped by the spring change in Europe/Paris
    "2027-10-31T02:30:00",  # repeated by the autumn change
    "1899-12-31",
    "3000-01-01T00:00:00",
    "2026-02-30",
]
NOMBRES = [
    "9223372036854775808",  # 2**63
    "9223372036854775807",
    "-9223372036854775809",
    str(10**30),
    "0",
    "-1",
    "1.5",
    "1e3",
]
TEXTES = ["", " ", "é€😀", "\x00", "x" * 10240, "maybe", "null", "[]"]
URL_BRUTES = [Brut("%FF%FE"), Brut("%ED%A0%80")]  # invalid UTF-8, an encoded lone surrogate

# Query strings and path segments carry text only.
VALEURS_TEXTE = DATES + NOMBRES + TEXTES + URL_BRUTES
# JSON bodies also carry the wrong types (the numbers mostly as numbers).
VALEURS_JSON = [
    *(d for d in DATES if d not in ("0001-01-02", "2026-02-30")),
    "9223372036854775808",
    str(10**30),
    "-1",
    "",
    "é€😀",
    "\x00",
    "x" * 10240,
    "maybe",
    2**63,
    2**63 - 1,
    10**30,
    -(10**30),
    0,
    -1,
    1.5,
    1e308,
    True,
    False,
    None,
    [],
    {},
    ["é€😀"],
    [None],
    [{}],
    {"a": 1},
    Brut("1e400"),  # parses as float("inf")
    Brut('"\\ud800"'),  # a lone surrogate, which UTF-8 cannot encode
]
# A body field that the schema does not describe as a date or datetime gets these three only.
DATES_PARTOUT = ("9999-12-31", "0001-01-01T09:00:00", "2027-03-28T02:30:00")
# Whole bodies of the wrong shape.
CORPS_ENTIERS = [None, [], [{}], "chaîne", "", 10**30, True, 1.5, Brut("1e400"), Brut("[")]

# Employees and anonymous callers get a smaller sample (public operations get everything).
REDUITES_TEXTE = [
    "9999-12-31",
    "0001-01-01T09:00:00",
    "2027-03-28T02:30:00",
    "9223372036854775808",
    str(10**30),
    "-1",
    "",
    "é€😀",
    "\x00",
]
REDUITES_JSON = REDUITES_TEXTE + [None, [], {"a": 1}]
REDUITS_CORPS = [None, [], "chaîne"]
REDUITES_ANONYME = ["9223372036854775808", "é€😀"]

# Parameters that make a window together: a boundary value in one is also sent with the
# other one just after (or before) it, so that a window entirely in year 1 or 9999 is tried.
PARTENAIRES = {"debut": "fin", "du": "au", "fin": "debut", "au": "du"}
DEBUTS = {"debut", "du"}


def _partenaire(nom, valeur):
    """The value of the other end of the window for ``valeur`` in ``nom``, or None."""
    if nom not in PARTENAIRES or not isinstance(valeur, str) or len(valeur) < 10:
        return None
    try:
        moment = datetime.fromisoformat(valeur)
    except ValueError:
        return None
    date_seule = "T" not in valeur
    ecart = timedelta(days=1) if date_seule else timedelta(hours=2)
    try:
        autre = moment + ecart if nom in DEBUTS else moment - ecart
    except OverflowError:
        return None
    return autre.date().isoformat() if date_seule else autre.isoformat()


# --- The schema -------------------------------------------------------------------------


SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPOSANTS = SCHEMA.get("components", {}).get("schemas", {})


def _resoudre(noeud):
    while isinstance(noeud, dict) and "$ref" in noeud:
        noeud = COMPOSANTS[noeud["$ref"].rsplit("/", 1)[-1]]
    return noeud


@dataclass(frozen=True)
class Operation:
    methode: str
    chemin: str
    public: bool
    params_chemin: tuple
    params_requete: tuple
    requis: frozenset  # the required query parameters
    composant: str | None  # the request body's component, if it is one
    champs: tuple = field(default=())  # top-level properties of the JSON body
    champs_dates: frozenset = field(default=frozenset())  # those that are dates or datetimes

    def __str__(self):
        return f"{self.methode.upper()} {self.chemin}"


def _est_une_date(nom, prop):
    formats = {prop.get("format")} | {
        _resoudre(p).get("format") for p in prop.get("allOf", []) + prop.get("oneOf", [])
    }
    return bool(formats & {"date", "date-time"}) or nom in PARTENAIRES or nom.startswith("date")


def _operations():
    operations = []
    for chemin, par_methode in SCHEMA["paths"].items():
        for methode, op in par_methode.items():
            if methode not in METHODES:
                continue
            parametres = [_resoudre(p) for p in op.get("parameters", [])]
            contenu = op.get("requestBody", {}).get("content", {}).get("application/json")
            corps = (contenu or {}).get("schema", {})
            composant = corps["$ref"].rsplit("/", 1)[-1] if "$ref" in corps else None
            proprietes = {
                nom: prop
                for nom, prop in _resoudre(corps).get("properties", {}).items()
                if not prop.get("readOnly")
            }
            securite = op.get("security")
            operations.append(
                Operation(
                    methode=methode,
                    chemin=chemin,
                    public=securite is None or {} in securite,
                    params_chemin=tuple(p["name"] for p in parametres if p["in"] == "path"),
                    params_requete=tuple(p["name"] for p in parametres if p["in"] == "query"),
                    requis=frozenset(
                        p["name"] for p in parametres if p["in"] == "query" and p.get("required")
                    ),
                    composant=composant,
                    champs=tuple(proprietes),
                    champs_dates=frozenset(
                        nom for nom, prop in proprietes.items() if _est_une_date(nom, prop)
                    ),
                )
            )
    return operations


OPERATIONS = _operations()


@dataclass(frozen=True)
class Cas:
    """One parameter of one operation: ``lieu`` is path, query, body or "corps" (the whole
    body)."""

    operation: Operation
    lieu: str
    nom: str

    def __str__(self):
        return f"{self.operation} {self.lieu}:{self.nom}"


CAS = [
    cas
    for op in OPERATIONS
    for cas in (
        *(Cas(op, "path", nom) for nom in op.params_chemin),
        *(Cas(op, "query", nom) for nom in op.params_requete),
        *(Cas(op, "body", nom) for nom in op.champs),
        Cas(op, "corps", "*"),
    )
]
ROLES = ("admin", "employe", "anonyme")
PAR_ROLE = [(role, op) for role in ROLES for op in OPERATIONS]


def _valeurs(role, operation):
    """Every value for admins, and for anonymous callers of public operations; samples for
    the others (an anonymous caller of a protected operation never gets past
    authentication)."""
    if role == "admin" or (role == "anonyme" and operation.public):
        return VALEURS_TEXTE, VALEURS_JSON, CORPS_ENTIERS
    if role == "employe":
        return REDUITES_TEXTE, REDUITES_JSON, REDUITS_CORPS
    return REDUITES_ANONYME, REDUITES_ANONYME, REDUITS_CORPS[:1]


def test_the_schema_enumeration_finds_the_whole_api(api_client):
    """The cases come from the schema that /openapi.json serves, and there are enough of them
    for this file not to test nothing."""
    servi = api_client.get("/openapi.json").json()
    operations_servies = {
        (methode, chemin)
        for chemin, par_methode in servi["paths"].items()
        for methode in par_methode
        if methode in METHODES
    }
    assert operations_servies == {(op.methode, op.chemin) for op in OPERATIONS}
    assert len(OPERATIONS) >= 30
    assert sum(cas.lieu == "query" for cas in CAS) >= 30
    assert sum(cas.lieu == "body" for cas in CAS) >= 50
    assert sum(cas.lieu == "path" for cas in CAS) >= 20


# --- The dataset, valid queries and valid bodies ------------------------------------------


@pytest.fixture
def jeu(employe, manager, admin_user):
    site = SiteFactory()
    departement = DepartmentFactory(site=site, manager=manager, budget_annuel=50000)
    employe.department = departement
    employe.site_principal = site
    employe.save(update_fields=["department", "site_principal"])
    salle, salle_libre = RessourceFactory.create_batch(
        2, site=site, type_ressource=TypeRessource.SALLE, caracteristiques=["wifi"]
    )
    RessourceFactory.create_batch(
        2, site=site, type_ressource=TypeRessource.EQUIPEMENT, capacite_maximum=1
    )
    RessourceFactory.create_batch(
        2, site=site, type_ressource=TypeRessource.VEHICULE, capacite_maximum=5
    )
    reservation = ReservationFactory(ressource=salle, user=employe, nbr_participants=2)
    ReservationFactory(ressource=salle, user=employe, debut=demain_a(16, jours=2))
    indisponibilite = ResourceAvailabilityFactory(ressource=salle)
    serie = SerieFactory(ressource=salle, user=employe)
    ReservationFactory(ressource=salle, user=employe, serie=serie, debut=demain_a(8, jours=3))
    # A literal public address: no DNS lookup in the tests.
    abonnement = AbonnementFactory(url=URL_WEBHOOK)
    return SimpleNamespace(
        abonnement=abonnement,
        site=site,
        departement=departement,
        salle=salle,
        salle_libre=salle_libre,
        reservation=reservation,
        indisponibilite=indisponibilite,
        serie=serie,
        employe=employe,
        manager=manager,
        admin=admin_user,
    )


# The existing object a path's ``{id}`` names, by the path's first segment.
URL_WEBHOOK = "https://93.184.216.34/resa"

OBJETS_REELS = {
    "sites": "site",
    "departments": "departement",
    "ressources": "salle",
    "reservations": "reservation",
    "disponibilites": "indisponibilite",
    "reservations/series": "serie",
    "users": "employe",
    "webhooks": "abonnement",
    "auth": "salle",  # /auth/me/favoris/{ressource_id}
}


def _id_reel(operation, jeu):
    segments = operation.chemin.strip("/").split("/")
    objet = OBJETS_REELS.get("/".join(segments[:2])) or OBJETS_REELS.get(segments[0])
    return str(getattr(jeu, objet).pk) if objet else "1"


def _requete_valide(operation):
    """The query every case starts from: a valid window where the operation requires one
    (``debut``/``fin``, ``du``/``au``)."""
    requete = {}
    for debut, fin in (("debut", "fin"), ("du", "au")):
        if {debut, fin} <= set(operation.params_requete) and {debut, fin} & operation.requis:
            requete[debut] = demain_a(9).isoformat()
            requete[fin] = demain_a(11).isoformat()
    return requete


def _corps_valide(operation, jeu):
    """A valid JSON body for the operation, from the dataset; ``{}`` when none is known."""
    nom = (operation.composant or "").removeprefix("Patched")
    corps = {
        "ConnexionRequest": {"email": jeu.admin.email, "password": MOT_DE_PASSE},
        "InscriptionRequest": {
            "nom_utilisateur": "nouvelle.personne",
            "email": "nouvelle.personne@example.com",
            "nom_prenom": "Nouvelle Personne",
            "password": MOT_DE_PASSE,
            "site_principal_id": jeu.site.pk,
            "department_id": jeu.departement.pk,
        },
        "DepartmentRequest": {
            "nom": "Département des bornes",
            "site_id": jeu.site.pk,
            "manager_id": jeu.manager.pk,
            "budgetAnnuel": 1000.5,
        },
        "DisponibiliteRequest": {
            "ressource_id": jeu.salle_libre.pk,
            "type_disponibilite": TypeDisponibilite.MAINTENANCE,
            "debut": demain_a(14).isoformat(),
            "fin": demain_a(16).isoformat(),
            "raison_indisponibilite": "Contrôle",
            "recurrence": Recurrence.HEBDOMADAIRE,
            "fin_recurrence": (demain_a(14) + timedelta(days=28)).date().isoformat(),
        },
        "ReservationCreationRequest": {
            "ressource_id": jeu.salle_libre.pk,
            "debut": demain_a(14).isoformat(),
            "fin": demain_a(15).isoformat(),
            "description": "Réunion",
            "nbr_participants": 2,
            "note": "",
            "user_id": jeu.employe.pk,
        },
        "SerieCreationRequest": {
            "ressource_id": jeu.salle_libre.pk,
            "debut": demain_a(14).isoformat(),
            "fin": demain_a(15).isoformat(),
            "description": "Réunion",
            "nbr_participants": 2,
            "note": "",
            "user_id": jeu.employe.pk,
            "recurrence": {"frequence": "hebdomadaire", "nombre": 3},
            "mode": "ignorer_conflits",
        },
        "AnnulationSerieRequest": {"a_partir_du": demain_a(8).date().isoformat()},
        "AbonnementRequest": {
            "url": URL_WEBHOOK,
            "evenements": ["reservation.creee"],
            "actif": True,
            "description": "Bornes",
        },
        "ReservationModificationRequest": {
            "ressource_id": jeu.salle.pk,
            "debut": demain_a(15).isoformat(),
            "fin": demain_a(16).isoformat(),
            "description": "Réunion déplacée",
            "nbr_participants": 3,
            "note": "Note",
        },
        "RessourceRequest": {
            "nom": "Salle des bornes",
            "type_ressource": TypeRessource.SALLE,
            "capacite_maximum": 8,
            "description": "Au bout du couloir.",
            "caracteristiques": ["wifi", "ecran"],
            "site_id": jeu.site.pk,
            "localisation_batiment": "Bâtiment B",
            "localisation_etage": "1",
            "localisation_numero": "101",
            "etat": "active",
            "horaires_ouverture": "08:00:00",
            "horaires_fermeture": "19:00:00",
            "images": ["https://example.com/salle.png"],
            "tarifs_horaires": 12.5,
            "validation_requise": False,
        },
        "SiteRequest": {
            "nom": "Site des bornes",
            "adresse": "1 rue des Bornes, Paris",
            "horaires_ouverture": "07:00:00",
            "horaires_fermeture": "20:00:00",
        },
        "UserRequest": {
            "nom_utilisateur": "bornes.personne",
            "email": "bornes.personne@example.com",
            "nom_prenom": "Personne des Bornes",
            "password": "Un-mot-de-passe-neuf-73",
            "role": "employe",
            "priorite": "standard",
            "department_id": jeu.departement.pk,
            "site_principal_id": jeu.site.pk,
            "autorisations": [],
            "compte_actif": True,
        },
    }.get(nom, {})
    return {cle: valeur for cle, valeur in corps.items() if cle in operation.champs}


# --- Sending, checking, reporting -------------------------------------------------------


@pytest.fixture(autouse=True)
def _journal_de_requetes_muet():
    """Thousands of 4xx (and the 5xx, reported by the test itself) need no log line each."""
    journal = logging.getLogger("django.request")
    niveau = journal.level
    journal.setLevel(logging.CRITICAL)
    yield
    journal.setLevel(niveau)


ABSENT = object()


def _encoder(valeur):
    return valeur.texte if isinstance(valeur, Brut) else quote(str(valeur), safe="")


def _url(operation, chemin_params, requete):
    url = operation.chemin
    for nom, valeur in chemin_params.items():
        url = url.replace("{" + nom + "}", _encoder(valeur))
    if requete:
        url += "?" + "&".join(f"{quote(k)}={_encoder(v)}" for k, v in requete.items())
    return url


def _json(corps):
    """JSON text of ``corps``, with its ``Brut`` fragments inserted as they are."""
    fragments = []

    def remplacer(valeur):
        if isinstance(valeur, Brut):
            fragments.append(valeur.texte)
            return f"@@BRUT{len(fragments) - 1}@@"
        if isinstance(valeur, dict):
            return {cle: remplacer(v) for cle, v in valeur.items()}
        return valeur

    texte = json.dumps(remplacer(corps))
    for indice, fragment in enumerate(fragments):
        texte = texte.replace(f'"@@BRUT{indice}@@"', fragment)
    return texte


def _envoyer(client, methode, url, corps):
    """(response, None) or (None, exception): the request runs in a savepoint rolled back
    afterwards, with no throttle counter and no cookie left from an earlier request."""
    cache.clear()
    client.cookies.clear()
    try:
        with transaction.atomic():
            if corps is ABSENT:
                reponse = client.generic(methode.upper(), url)
            else:
                reponse = client.generic(
                    methode.upper(), url, data=_json(corps), content_type="application/json"
                )
            transaction.set_rollback(True)
    except Exception as exc:  # the test client re-raises what the view did not handle
        return None, exc
    finally:
        client.cookies.clear()
    return reponse, None


def _cadre(cadre):
    chemin = Path(cadre.filename)
    if "site-packages" in chemin.parts:
        chemin = Path(*chemin.parts[chemin.parts.index("site-packages") + 1 :])
    elif chemin.is_relative_to(RACINE):
        chemin = chemin.relative_to(RACINE)
    return f"{chemin}:{cadre.lineno} in {cadre.name}"


def _origine(exc):
    """An unhandled exception: its type and message, the frame that raised it and the
    deepest frame of the project's own code on the way."""
    cadres = traceback.extract_tb(exc.__traceback__)
    projet = [
        c
        for c in cadres
        if Path(c.filename).is_relative_to(RACINE)
        and "site-packages" not in Path(c.filename).parts
        and "/tests/" not in c.filename
    ]
    message = str(exc).splitlines()[0][:120] if str(exc) else ""
    lieu = _cadre(cadres[-1])
    if projet and projet[-1] is not cadres[-1]:
        lieu += f" <- {_cadre(projet[-1])}"
    return f"{type(exc).__name__}: {message} [{lieu}]"


def _defaut(reponse, exc):
    """What is wrong with the answer, or None."""
    if exc is not None:
        return f"500 {_origine(exc)}"
    if reponse.status_code >= 500:
        return f"{reponse.status_code} {reponse.content[:200]!r}"
    if reponse.status_code >= 400:
        try:
            corps = json.loads(reponse.content)
        except ValueError:
            return f"{reponse.status_code} corps non JSON: {reponse.content[:100]!r}"
        if not isinstance(corps, dict) or not isinstance(corps.get("detail"), str):
            return f"{reponse.status_code} sans detail: {reponse.content[:100]!r}"
    return None


def _court(valeur):
    texte = repr(valeur)
    return texte if len(texte) <= 60 else f"{texte[:40]}…({len(texte)} car.)"


def _envois(cas, jeu, valeurs_texte, valeurs_json, corps_entiers):
    """(label, url, body) of every request of the case, without duplicates."""
    op = cas.operation
    chemin_reel = {nom: _id_reel(op, jeu) for nom in op.params_chemin}
    requete_valide = _requete_valide(op)
    corps_valide = _corps_valide(op, jeu) if op.methode not in SURES else ABSENT
    if cas.lieu == "path":
        for valeur in valeurs_texte:
            url = _url(op, {**chemin_reel, cas.nom: valeur}, requete_valide)
            yield _court(valeur), url, corps_valide
    elif cas.lieu == "query":
        for valeur in valeurs_texte:
            variantes = [{**requete_valide, cas.nom: valeur}]
            if cas.nom in requete_valide:  # without the other end of the window too
                variantes.append({cas.nom: valeur})
            autre = _partenaire(cas.nom, valeur)
            if autre is not None and PARTENAIRES[cas.nom] in op.params_requete:
                variantes.append({**requete_valide, cas.nom: valeur, PARTENAIRES[cas.nom]: autre})
            for requete in _uniques(variantes):
                libelle = _court(valeur) + ("" if len(requete) == 1 else f" avec {requete}")
                yield libelle, _url(op, chemin_reel, requete), corps_valide
    elif cas.lieu == "body":
        url = _url(op, chemin_reel, requete_valide)
        if cas.nom not in op.champs_dates:
            valeurs_json = [v for v in valeurs_json if v in DATES_PARTOUT or not _date_texte(v)]
        for valeur in valeurs_json:
            variantes = [{**corps_valide, cas.nom: valeur}]
            autre = _partenaire(cas.nom, valeur)
            if autre is not None and PARTENAIRES[cas.nom] in op.champs:
                variantes.append({**variantes[0], PARTENAIRES[cas.nom]: autre})
            if not corps_valide or (op.methode == "patch" and autre is not None):
                variantes.append({cas.nom: valeur})
            for corps in _uniques(variantes):
                autres = {k: v for k, v in corps.items() if k != cas.nom}
                libelle = _court(valeur) + (f" avec {_court(autres)}" if autres else " seul")
                yield libelle, url, corps
    else:
        url = _url(op, chemin_reel, requete_valide)
        for valeur in corps_entiers:
            yield _court(valeur), url, valeur


def _date_texte(valeur):
    return isinstance(valeur, str) and valeur in DATES


def _uniques(variantes):
    vues = []
    for variante in variantes:
        if variante not in vues:
            vues.append(variante)
    return vues


@pytest.mark.parametrize(
    ("role", "operation"), PAR_ROLE, ids=[f"{role}-{op}" for role, op in PAR_ROLE]
)
def test_no_boundary_value_is_a_server_error(request, jeu, role, operation):
    client = request.getfixturevalue("api_client" if role == "anonyme" else f"client_{role}")
    # Wrong credentials are a 401 on a public operation (login); elsewhere a 401 would mean
    # that the token was lost and the request never reached the handler.
    authentifie = role != "anonyme" and not operation.public
    echecs = []
    envois = 0
    for cas in (c for c in CAS if c.operation == operation):
        for libelle, url, corps in _envois(cas, jeu, *_valeurs(role, operation)):
            envois += 1
            reponse, exc = _envoyer(client, operation.methode, url, corps)
            defaut = _defaut(reponse, exc)
            if not defaut and authentifie and reponse.status_code == 401:
                defaut = "401 pour un appelant authentifié : le cas ne teste rien"
            if defaut:
                affichee = url if len(url) <= 150 else url[:150] + "…"
                echecs.append(
                    f"{operation.methode.upper()} {affichee} [{cas.lieu} {cas.nom}={libelle}]"
                    f" -> {defaut}"
                )
    assert envois, f"aucune requête pour {operation}"
    assert not echecs, f"{len(echecs)}/{envois} requêtes en échec ({role}):\n" + "\n".join(echecs)


# --- The starting points reach the handlers ---------------------------------------------


OPERATIONS_AVEC_CORPS = [op for op in OPERATIONS if op.champs and op.methode not in SURES]


@pytest.mark.parametrize("operation", OPERATIONS_AVEC_CORPS, ids=str)
def test_the_valid_body_each_case_starts_from_is_accepted(client_admin, jeu, operation):
    """Otherwise the boundary values would stop at another field's error, before the rules
    that combine fields."""
    corps = _corps_valide(operation, jeu)
    url = _url(
        operation,
        {nom: _id_reel(operation, jeu) for nom in operation.params_chemin},
        _requete_valide(operation),
    )
    reponse, exc = _envoyer(client_admin, operation.methode, url, corps)
    assert exc is None, _origine(exc)
    assert reponse.status_code < 300, (url, corps, reponse.content)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.methode == "get"], ids=str)
def test_the_valid_query_each_case_starts_from_is_accepted(client_admin, jeu, operation):
    url = _url(
        operation,
        {nom: _id_reel(operation, jeu) for nom in operation.params_chemin},
        _requete_valide(operation),
    )
    reponse, exc = _envoyer(client_admin, "get", url, ABSENT)
    assert exc is None, _origine(exc)
    assert reponse.status_code == 200, (url, reponse.content)


def test_every_path_with_an_id_has_a_real_object_to_name():
    prefixes = {op.chemin.strip("/").split("/")[0] for op in OPERATIONS if op.params_chemin}
    assert prefixes <= set(OBJETS_REELS)
