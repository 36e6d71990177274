"""The ressource list compiled once per shape (``ressources.views._PageCompilee``) answers
byte for byte what DRF's own serializer and renderer give for the ORM's queryset."""

import logging
from datetime import time
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from rest_framework.renderers import JSONRenderer

from resa_project import requetes
from resa_project.parametres import ID_MAX, MSG_BOOLEEN, MSG_ID
from resa_project.rendu import LignesBrutes, _ColonneBrute
from ressources import views
from ressources.filters import RessourceFilterSet
from ressources.models import Etat, Ressource, TypeRessource
from ressources.serializers import RessourceSerializer
from ressources.services import ajouter_favori
from sites.tests.factories import SiteFactory

from .factories import RessourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(employe):
    """Values of every kind the list renders: prices (none, zero, cents), hours, JSON lists
    with accents and quotes, buildings with LIKE's special characters, favourites."""
    paris, lyon = SiteFactory(nom="Paris"), SiteFactory(nom="Lyon")
    lignes = [
        ("Alpha", TypeRessource.SALLE, 4, paris, "Bât. 100%", ["wifi", "écran"], None),
        ("Bravo", TypeRessource.SALLE, 12, paris, "B_2", ["wifi"], Decimal("12.5")),
        ("Charlie", TypeRessource.SALLE, 8, lyon, "C\\3", ["projecteur", 'dit "visio"'], 0),
        ("Delta", TypeRessource.EQUIPEMENT, 1, lyon, "Bât. 100", [], Decimal("9.99")),
        ("Echo", TypeRessource.VEHICULE, 5, paris, "Parking", ["wifi", "gps"], Decimal("80")),
        ("Foxtrot", TypeRessource.SALLE, 4, lyon, "Bâtiment A", ["écran"], None),
        ("Golf", TypeRessource.SALLE, 20, paris, "", ["wifi", "écran"], Decimal("0.01")),
        ("Hotel", TypeRessource.EQUIPEMENT, 2, paris, "B_2", ["ecran"], None),
    ]
    ressources = []
    for rang, (nom, type_, capacite, site, batiment, caracs, tarif) in enumerate(lignes):
        salle = type_ == TypeRessource.SALLE
        ressources.append(
            RessourceFactory(
                nom=nom,
                type_ressource=type_,
                capacite_maximum=capacite,
                site=site,
                localisation_batiment=batiment,
                localisation_etage=str(rang),
                caracteristiques=caracs,
                tarifs_horaires=tarif,
                description="Salle\u2028claire" if rang == 2 else f"Description {rang}",
                images=[f"https://exemple.fr/{rang}.png"] if rang % 3 == 0 else [],
                horaires_ouverture=time(8, 30) if salle and rang % 2 == 0 else None,
                horaires_fermeture=time(18, 45, 30) if salle and rang % 2 == 0 else None,
                etat=Etat.EN_MAINTENANCE if rang == 3 else Etat.ACTIVE,
                validation_requise=rang % 2 == 1,
                checkin_requis=rang % 3 == 1,
            )
        )
    for ressource in ressources[1::3]:
        ajouter_favori(ressource, par=employe)
    return {"paris": paris, "lyon": lyon, "ressources": ressources}


def attendu(user, requete: str) -> bytes:
    """What DRF gives for ``requete``: the FilterSet's queryset, the serializer's own
    representation of each instance, DRF's JSON renderer."""
    donnees = QueryDict(requete)
    filtres = RessourceFilterSet(
        data=donnees,
        queryset=Ressource.objects.all().avec_est_favori(user),
        request=SimpleNamespace(user=user),
    )
    assert filtres.is_valid(), filtres.errors
    offset, limit = int(donnees.get("offset", 0)), int(donnees.get("limit", 100))
    lignes = filtres.qs
    page = list(lignes[offset : offset + limit])
    items = [RessourceSerializer(r).representation_drf(r) for r in page]
    sort_by, sort_order = filtres.tri()
    meta = {
        "total": lignes.count(),
        "offset": offset,
        "limit": limit,
        "returned": len(items),
        "sort_by": sort_by,
        "sort_order": sort_order,
    }
    return JSONRenderer().render({"items": items, "meta": meta})


def _oublier_les_formes():
    views._PAGES._compilees.clear()
    views._TOTAUX._compilees.clear()


def _compilees():
    """The list's compiled queries, pages and counts."""
    return {**views._PAGES._compilees, **views._TOTAUX._compilees}


def _requete(**parametres):
    return urlencode(parametres)


REQUETES = [
    _requete(limit=100),
    _requete(limit=3),
    _requete(limit=3, offset=3),
    _requete(limit=3, offset=6),
    _requete(limit=5, offset=50),
    _requete(type_of_ressource="salle"),
    _requete(type_of_ressource="vehicule"),  # same shape, another value
    _requete(type_of_ressource="salle", minimum_capacity=4, sort_by="capacite", sort_order="desc"),
    _requete(
        type_of_ressource="equipement", minimum_capacity=2, sort_by="capacite", sort_order="desc"
    ),
    _requete(minimum_capacity=0),
    _requete(minimum_capacity=21),
    _requete(batiment="100%"),
    _requete(batiment="100"),
    _requete(batiment="b_"),
    _requete(batiment="_"),
    _requete(batiment="C\\3"),
    _requete(batiment="bât"),
    _requete(caracteristiques="wifi"),
    _requete(caracteristiques="écran"),
    _requete(caracteristiques="wifi,écran"),
    _requete(caracteristiques=" wifi , gps ,"),
    _requete(caracteristiques='dit "visio"'),
    _requete(caracteristiques=",,"),
    _requete(caracteristiques="absente"),
    _requete(disponible="true"),
    _requete(disponible="false", sort_by="type"),
    _requete(favoris="true"),
    _requete(favoris="false", sort_order="desc"),
    _requete(sort_by="nom", sort_order="desc", limit=4),
    _requete(sort_by="type", sort_order="asc"),
    _requete(sort_by="pertinence"),
    _requete(sort_by="pertinence", sort_order="asc"),
    _requete(
        type_of_ressource="salle",
        batiment="b",
        caracteristiques="wifi",
        minimum_capacity=4,
        disponible="true",
        favoris="true",
        sort_by="capacite",
        sort_order="asc",
        limit=2,
        offset=1,
    ),
    _requete(q="alpha"),  # the ORM's path: relevance needs more than a shape
    _requete(minimum_capacity=3_000_000_000),  # beyond PostgreSQL's column: the ORM's path
    _requete(minimum_capacity=2**63 - 1),
    _requete(type_of_ressource="", batiment="", sort_by=""),
]


def _site_ids(catalogue):
    return [
        _requete(site_id=catalogue["paris"].pk),
        _requete(site_id=catalogue["lyon"].pk, sort_by="capacite"),
        _requete(site_id=2**63 - 1),
    ]


@pytest.mark.parametrize("tour", [1, 2])
def test_every_list_is_drfs_byte_for_byte_first_compiled_then_rerun(
    client_employe, employe, catalogue, caplog, tour
):
    """Each shape is compiled by its first request, then rerun with other values (the same
    list twice, and shapes repeated with other values): always DRF's bytes."""
    if tour == 1:
        _oublier_les_formes()
    caplog.set_level(logging.WARNING, logger="resa_project.requetes")
    for requete in [*REQUETES, *_site_ids(catalogue)]:
        reponse = client_employe.get(f"/ressources/?{requete}")

        assert reponse.status_code == 200, requete
        assert reponse.content == attendu(employe, requete), requete
    assert not caplog.records  # every shape compiled


def test_an_admin_sees_their_own_favourites(client_admin, admin_user, catalogue):
    ajouter_favori(catalogue["ressources"][0], par=admin_user)
    for requete in (_requete(limit=100), _requete(favoris="true"), _requete(favoris="false")):
        reponse = client_admin.get(f"/ressources/?{requete}")

        assert reponse.content == attendu(admin_user, requete)
    favoris = client_admin.get("/ressources/", {"favoris": "true"}).json()["items"]
    assert [r["nom"] for r in favoris] == ["Alpha"]


def test_the_list_is_compiled_per_shape_and_rerun_with_the_callers_values(
    client_employe, employe, catalogue
):
    _oublier_les_formes()
    client_employe.get("/ressources/", {"type_of_ressource": "salle", "limit": 3})
    compilees = _compilees()
    assert len(compilees) == 2  # the count and the page
    assert all(compilee is not None for compilee in compilees.values())

    autre = client_employe.get("/ressources/", {"type_of_ressource": "vehicule", "limit": 3})

    assert compilees == _compilees()  # the same shape: nothing compiled again
    assert [r["nom"] for r in autre.json()["items"]] == ["Echo"]
    assert autre.json()["meta"]["total"] == 1


def test_compiling_a_shape_runs_no_query_of_its_own(
    client_employe, catalogue, django_assert_num_queries
):
    _oublier_les_formes()
    # page + count, the first time of this shape as later (and the token the first time:
    # the process keeps it after, see accounts.authentication.MEMO_JETONS)
    with django_assert_num_queries(3):
        reponse = client_employe.get("/ressources/", {"caracteristiques": "wifi", "limit": 2})
    with django_assert_num_queries(2):
        client_employe.get("/ressources/", {"caracteristiques": "écran", "limit": 2})

    assert reponse.json()["meta"]["total"] == 4


@pytest.mark.parametrize(
    ("parametres", "requetes", "total"),
    [
        ({"caracteristiques": "wifi,écran"}, 2, 2),  # all on the page: its rows are the total
        ({"type_of_ressource": "salle", "limit": 2, "offset": 4}, 2, 5),  # the last page
        ({"caracteristiques": "absente"}, 2, 0),
        ({"type_of_ressource": "salle", "limit": 2}, 3, 5),  # a full page: counted
        ({"type_of_ressource": "salle", "offset": 5}, 3, 5),  # past the end: counted
    ],
)
def test_a_page_that_ends_before_its_limit_gives_the_total_without_counting(
    client_employe, employe, catalogue, django_assert_num_queries, parametres, requetes, total
):
    with django_assert_num_queries(requetes):  # the token, the page, the count if needed
        reponse = client_employe.get("/ressources/", parametres)

    assert reponse.json()["meta"]["total"] == total
    assert reponse.content == attendu(employe, urlencode(parametres))


def test_a_shape_whose_parameters_cannot_be_placed_takes_the_orms_path(
    client_employe, employe, catalogue, caplog, monkeypatch
):
    """A lookup encoding its value in a way not recognised (here: LIKE patterns, as if
    unknown) is never compiled: the ORM answers, the same bytes."""
    _oublier_les_formes()
    monkeypatch.setattr(requetes, "_encodages", lambda connexion, valeur: (lambda v: v,))
    caplog.set_level(logging.WARNING, logger="resa_project.requetes")
    for requete in (_requete(batiment="b_"), _requete(batiment="100%"), _requete(limit=2)):
        reponse = client_employe.get(f"/ressources/?{requete}")

        assert reponse.content == attendu(employe, requete)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1  # its page, once (each page ends early: no count)
    assert all(m.startswith("Liste des ressources : forme ") for m in messages)
    assert all(repr(_forme("batiment=b")[0]) in m for m in messages)
    assert all("non compilée" in m and "in an unknown form" in m for m in messages)


@pytest.mark.parametrize(
    ("requete", "erreurs"),
    [
        ("type_of_ressource=bateau", {"type_of_ressource"}),
        ("site_id=abc", {"site_id"}),
        ("site_id=0&disponible=oui", {"site_id", "disponible"}),
        ("minimum_capacity=-1", {"minimum_capacity"}),
        ("sort_by=prix", {"sort_by"}),
        ("limit=0", {"limit"}),
        ("offset=-3", {"offset"}),
        ("limit=500&type_of_ressource=bateau", {"type_of_ressource"}),  # the filters first
    ],
)
def test_bad_parameters_are_the_same_400_as_before(client_employe, catalogue, requete, erreurs):
    reponse = client_employe.get(f"/ressources/?{requete}")

    assert reponse.status_code == 400
    corps = reponse.json()
    assert set(corps["errors"]) == erreurs
    if "site_id" in erreurs:
        assert corps["errors"]["site_id"] == [MSG_ID]
    if "disponible" in erreurs:
        assert corps["errors"]["disponible"] == [MSG_BOOLEEN]


def _forme(requete):
    filtres = RessourceFilterSet(data=QueryDict(requete))
    assert filtres.is_valid()
    return filtres.forme_sql()


def test_the_shape_of_a_query_is_what_its_sql_depends_on():
    forme = _forme
    salle, valeurs = forme("type_of_ressource=salle&caracteristiques=wifi, gps")
    vehicule, autres = forme("type_of_ressource=vehicule&caracteristiques=a,b")
    assert salle == vehicule
    assert (valeurs, autres) == (["salle", "wifi", "gps"], ["vehicule", "a", "b"])
    assert forme("caracteristiques=a")[0] != salle
    assert forme("sort_by=nom")[0] != forme("sort_by=nom&sort_order=desc")[0]
    assert forme("favoris=true")[0] != forme("favoris=false")[0]
    assert forme("q=salle") is None
    haut = connection.ops.integer_field_range("PositiveIntegerField")[1]  # the ORM's bound
    if haut < ID_MAX:  # PostgreSQL's integer; SQLite's goes as far as the parameter
        assert forme(f"minimum_capacity={haut + 1}") is None
    assert forme(f"minimum_capacity={haut}")[1] == [haut]
    donnees = RessourceFilterSet.donnees_de_forme(salle, ["x", "y", "z"])
    assert donnees["type_of_ressource"] == "x" and donnees["caracteristiques"] == "y,z"


def test_raw_rows_convert_as_the_orm_then_drf_do_and_lists_come_out_immutable(employe, catalogue):
    queryset = RessourceSerializer.en_valeurs(
        Ressource.objects.avec_est_favori(employe).order_by("pk")
    )
    compiler = queryset.query.get_compiler(connection.alias)
    sql, parametres = compiler.as_sql()
    rendre = LignesBrutes(RessourceSerializer, compiler)
    with connection.cursor() as curseur:
        curseur.execute(sql, parametres)
        brutes = curseur.fetchall()
    reference = RessourceSerializer.depuis_valeurs(queryset)

    for _ in range(2):  # computed, then from the memo
        objets = rendre(brutes)
        assert [_en_listes(o) for o in objets] == reference
        assert [list(o) for o in objets] == [list(r) for r in reference]  # key order
        assert all(type(o["caracteristiques"]) is tuple for o in objets)
        assert JSONRenderer().render(objets) == JSONRenderer().render(reference)


def _en_listes(objet):
    return {cle: list(v) if isinstance(v, tuple) else v for cle, v in objet.items()}


def test_values_equal_as_numbers_but_not_as_text_are_memoised_apart():
    vus = []
    colonne = _ColonneBrute(0, lambda brute: vus.append(brute) or repr(brute), par_repr=True)
    for brute in (0.0, -0.0, Decimal("1.5"), Decimal("1.50"), 0.0, Decimal("1.5")):
        if colonne.lire(brute, None) is None:
            colonne.calculer(brute)

    assert vus == [0.0, -0.0, Decimal("1.5"), Decimal("1.50")]
    assert colonne.lire(-0.0, None) == "-0.0"


def test_a_filterset_that_only_validates_copies_no_filter_and_one_that_filters_its_own():
    assert RessourceFilterSet(data=QueryDict()).is_valid()  # the form class, once per process
    seul = RessourceFilterSet(data=QueryDict("type_of_ressource=salle&favoris=true"))
    assert seul.is_valid()
    assert seul._filtres is None  # validated from the shared form fields only

    filtres = seul.filters
    assert filtres is seul.filters
    assert all(f.parent is seul for f in filtres.values())
    assert filtres["favoris"] is not RessourceFilterSet.base_filters["favoris"]
    autre = RessourceFilterSet(data=QueryDict("favoris=true"))
    assert autre.filters["favoris"].parent is autre
