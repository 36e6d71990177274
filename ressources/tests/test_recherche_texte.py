"""``q`` on ``/ressources/`` and ``/ressources/disponibles`` (API.md C9): every word starts a
word of the searched fields, ignoring case and accents; relevance order; hostile inputs."""

import pytest

from reservations.tests.factories import ReservationFactory, demain_a
from ressources import recherche_texte
from ressources.models import Etat, Ressource, TypeRessource
from ressources.tests.factories import RessourceFactory
from sites.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

LISTE = "/ressources/"
LIBRES = "/ressources/disponibles"


def _noms(reponse):
    assert reponse.status_code == 200, reponse.json()
    return [r["nom"] for r in reponse.json()["items"]]


def _fenetre(debut, fin, **autres):
    return {"debut": debut.isoformat(), "fin": fin.isoformat(), **autres}


@pytest.fixture
def catalogue():
    nord = SiteFactory(nom="Campus Nord")
    sud = SiteFactory(nom="Siège Élysée")
    return {
        "reunion": RessourceFactory(
            nom="Salle de réunion",
            site=nord,
            caracteristiques=["projecteur", "wifi"],
            description="Grande table ovale.",
        ),
        "conference": RessourceFactory(
            nom="Salle de conférence",
            site=sud,
            caracteristiques=["visio"],
            description="Estrade et micro ; idéale pour une réunion plénière.",
            localisation_batiment="Bâtiment Éole",
        ),
        "projecteur": RessourceFactory(
            nom="Projecteur portable",
            site=nord,
            type_ressource=TypeRessource.EQUIPEMENT,
            capacite_maximum=1,
        ),
        "voiture": RessourceFactory(
            nom="Clio électrique",
            site=sud,
            type_ressource=TypeRessource.VEHICULE,
            capacite_maximum=5,
            description="Véhicule de service",
        ),
    }


# --- Normalisation and tokenisation --------------------------------------------------------


def test_words_are_lower_case_without_accents_and_punctuation_separates_them():
    assert recherche_texte.termes('"Réunion" AND proj* -Écran 😀 l\'été') == [
        "reunion",
        "and",
        "proj",
        "ecran",
        "l",
        "ete",
    ]
    assert recherche_texte.termes('"" *** -- 😀 \x00 _') == []


def test_the_search_text_keeps_the_nom_words_first():
    ressource = Ressource.objects.get(
        pk=RessourceFactory(nom="Salle Œuvre", description="Écran").pk
    )
    assert ressource.texte_recherche.startswith(" salle œuvre | ecran ")
    assert ressource.texte_recherche.endswith(f" {recherche_texte.mots(ressource.site.nom)[-1]} ")


# --- Matching ----------------------------------------------------------------------------


def test_words_without_accents_find_accented_words_by_prefix(client_employe, catalogue):
    noms = _noms(client_employe.get(LISTE, {"q": "reunion proj"}))

    assert noms == ["Salle de réunion"]


def test_accented_words_find_words_written_without_accents(client_employe, catalogue):
    RessourceFactory(nom="Salle Ete", site=catalogue["reunion"].site)

    assert _noms(client_employe.get(LISTE, {"q": "ÉTÉ"})) == ["Salle Ete"]
    assert _noms(client_employe.get(LISTE, {"q": "Électri"})) == ["Clio électrique"]


def test_case_is_ignored(client_employe, catalogue):
    assert _noms(client_employe.get(LISTE, {"q": "CLIO"})) == ["Clio électrique"]


def test_a_word_must_start_a_word_not_sit_inside_one(client_employe, catalogue):
    # "union" is inside "réunion", "ecteur" inside "projecteur": no match.
    assert _noms(client_employe.get(LISTE, {"q": "union"})) == []
    assert _noms(client_employe.get(LISTE, {"q": "ecteur"})) == []


def test_every_word_must_match(client_employe, catalogue):
    assert _noms(client_employe.get(LISTE, {"q": "salle visio"})) == ["Salle de conférence"]
    assert _noms(client_employe.get(LISTE, {"q": "salle voiture"})) == []


def test_each_searched_field_matches(client_employe, catalogue):
    assert _noms(client_employe.get(LISTE, {"q": "ovale"})) == ["Salle de réunion"]  # description
    assert _noms(client_employe.get(LISTE, {"q": "wif"})) == ["Salle de réunion"]  # caracteristique
    assert _noms(client_employe.get(LISTE, {"q": "eole"})) == ["Salle de conférence"]  # bâtiment
    assert sorted(_noms(client_employe.get(LISTE, {"q": "siege"}))) == [
        "Clio électrique",
        "Salle de conférence",
    ]  # site's nom


def test_words_may_match_different_fields(client_employe, catalogue):
    assert _noms(client_employe.get(LISTE, {"q": "projecteur campus"})) == [
        "Projecteur portable",
        "Salle de réunion",
    ]


def test_renaming_a_site_updates_the_search(client_admin, catalogue):
    site = catalogue["reunion"].site
    reponse = client_admin.put(f"/sites/{site.pk}", {"nom": "Quartier Horizon"}, format="json")
    assert reponse.status_code == 200, reponse.json()

    assert _noms(client_admin.get(LISTE, {"q": "horizon"})) == [
        "Projecteur portable",
        "Salle de réunion",
    ]
    assert _noms(client_admin.get(LISTE, {"q": "campus"})) == []


def test_updating_a_ressource_through_the_api_updates_the_search(client_admin, catalogue):
    ressource = catalogue["voiture"]
    reponse = client_admin.put(
        f"/ressources/{ressource.pk}", {"caracteristiques": ["attelage"]}, format="json"
    )
    assert reponse.status_code == 200, reponse.json()

    assert _noms(client_admin.get(LISTE, {"q": "attel"})) == ["Clio électrique"]


# --- Order ---------------------------------------------------------------------------------


def test_with_q_and_no_sort_the_order_is_by_relevance(client_employe, catalogue):
    reponse = client_employe.get(LISTE, {"q": "reunion"})

    # "réunion" is in the nom of the first, in the description of the second.
    assert _noms(reponse) == ["Salle de réunion", "Salle de conférence"]
    assert reponse.json()["meta"]["sort_by"] == "pertinence"
    assert reponse.json()["meta"]["sort_order"] == "desc"


def test_a_whole_word_of_the_nom_ranks_before_a_prefix_of_it(client_employe, catalogue):
    site = catalogue["reunion"].site
    RessourceFactory(nom="Salle Proj", site=site)

    noms = _noms(client_employe.get(LISTE, {"q": "proj"}))

    assert noms == ["Salle Proj", "Projecteur portable", "Salle de réunion"]


def test_an_explicit_sort_wins_over_relevance(client_employe, catalogue):
    reponse = client_employe.get(LISTE, {"q": "reunion", "sort_by": "nom"})

    assert _noms(reponse) == ["Salle de conférence", "Salle de réunion"]
    assert reponse.json()["meta"]["sort_by"] == "nom"


def test_relevance_may_be_asked_explicitly_and_reversed(client_employe, catalogue):
    reponse = client_employe.get(
        LISTE, {"q": "reunion", "sort_by": "pertinence", "sort_order": "asc"}
    )

    assert _noms(reponse) == ["Salle de conférence", "Salle de réunion"]
    assert (
        reponse.json()["meta"] | {"sort_by": "pertinence", "sort_order": "asc"}
        == (reponse.json()["meta"])
    )


def test_relevance_without_q_orders_by_nom(client_employe, catalogue):
    reponse = client_employe.get(LISTE, {"sort_by": "pertinence"})

    assert _noms(reponse) == sorted(r.nom for r in catalogue.values())


# --- Combined with the filters and the free search -----------------------------------------


def test_q_combines_with_the_list_filters(client_employe, catalogue):
    site = catalogue["reunion"].site
    assert _noms(
        client_employe.get(LISTE, {"q": "proj", "site_id": site.pk, "type_of_ressource": "salle"})
    ) == ["Salle de réunion"]
    assert _noms(client_employe.get(LISTE, {"q": "salle", "caracteristiques": "visio"})) == [
        "Salle de conférence"
    ]
    assert _noms(client_employe.get(LISTE, {"q": "salle", "minimum_capacity": 11})) == []


def test_q_combines_with_the_free_search(client_employe, catalogue):
    ReservationFactory(ressource=catalogue["reunion"], debut=demain_a(9), fin=demain_a(10))
    fenetre = _fenetre(demain_a(9), demain_a(10))

    assert _noms(client_employe.get(LIBRES, {**fenetre, "q": "salle"})) == ["Salle de conférence"]
    reponse = client_employe.get(LIBRES, {**fenetre, "q": "reunion"})
    assert _noms(reponse) == ["Salle de conférence"]
    assert reponse.json()["meta"]["sort_by"] == "pertinence"
    libre_plus_tard = _fenetre(demain_a(11), demain_a(12), q="reunion")
    assert _noms(client_employe.get(LIBRES, libre_plus_tard)) == [
        "Salle de réunion",
        "Salle de conférence",
    ]


def test_the_free_search_with_q_still_skips_inactive_ressources(client_employe, catalogue):
    Ressource.objects.filter(pk=catalogue["conference"].pk).update(etat=Etat.EN_MAINTENANCE)
    fenetre = _fenetre(demain_a(11), demain_a(12), q="reunion")

    assert _noms(client_employe.get(LIBRES, fenetre)) == ["Salle de réunion"]


# --- Hostile inputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"foo AND',
        "AND",
        "OR NOT",
        "*",
        "proj*",
        "-reunion",
        "reunion:*",
        "a & b | !c",
        "'",
        "''",
        "\\",
        "%",
        "_",
        "(salle",
        "NEAR(a b)",
        "😀",
        "😀 salle",
        "\x00",
        "x" * 200,
        "é" * 200,
        "a " * 100,
        "١٢٣",
        "ǅemal",
        "ß",
    ],
)
def test_hostile_queries_are_answered(client_employe, catalogue, q):
    liste = client_employe.get(LISTE, {"q": q})
    libres = client_employe.get(LIBRES, _fenetre(demain_a(11), demain_a(12), q=q))

    assert liste.status_code in (200, 400), liste.content
    assert libres.status_code in (200, 400), libres.content


def test_special_characters_are_word_separators(client_employe, catalogue):
    assert _noms(client_employe.get(LISTE, {"q": '"réunion" AND'})) == []
    assert _noms(client_employe.get(LISTE, {"q": '"reunion" proj*'})) == ["Salle de réunion"]
    assert _noms(client_employe.get(LISTE, {"q": "-clio"})) == ["Clio électrique"]
    assert _noms(client_employe.get(LISTE, {"q": "_%"})) == _noms(client_employe.get(LISTE))


def test_a_like_wildcard_is_not_a_wildcard(client_employe, catalogue):
    assert _noms(client_employe.get(LISTE, {"q": "sal%nion"})) == []
    assert _noms(client_employe.get(LISTE, {"q": "s%e"})) == _noms(
        client_employe.get(LISTE, {"q": "s e"})
    )


def test_a_query_longer_than_200_characters_is_a_400(client_employe, catalogue):
    reponse = client_employe.get(LISTE, {"q": "x" * 201})

    assert reponse.status_code == 400
    assert reponse.json()["code"] == "validation"
    assert "q" in reponse.json()["errors"]
    libres = client_employe.get(LIBRES, _fenetre(demain_a(11), demain_a(12), q="é" * 1000))
    assert libres.status_code == 400
    assert "q" in libres.json()["errors"]


# --- Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("nombre", [1, 50])
def test_search_query_count_does_not_grow(client_employe, django_assert_max_num_queries, nombre):
    site = SiteFactory(nom="Campus")
    RessourceFactory.create_batch(nombre, site=site, description="Salle avec écran")

    with django_assert_max_num_queries(3):  # token, count, page
        reponse = client_employe.get(LISTE, {"q": "ecran campus", "limit": 200})
    assert reponse.json()["meta"]["total"] == nombre

    with django_assert_max_num_queries(5):
        reponse = client_employe.get(
            LIBRES, _fenetre(demain_a(11), demain_a(12), q="ecran", limit=200)
        )
    assert reponse.json()["meta"]["total"] == nombre
