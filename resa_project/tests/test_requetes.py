"""Queries compiled once (``resa_project.requetes``): the same rows as the ORM's, for every
parameter type, compiled once per database (and per shape), counted like any query."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resa_project import requetes
from resa_project.requetes import RequeteCompilee, RequeteParForme
from reservations.models import Reservation, StatutReservation
from reservations.tests.factories import ReservationFactory, demain_a
from ressources.models import Ressource
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reservations():
    ressource = RessourceFactory()
    statuts = [StatutReservation.CONFIRME, StatutReservation.ANNULE, StatutReservation.FINI]
    return [
        ReservationFactory(
            ressource=ressource,
            debut=demain_a(8) + timedelta(days=i),
            fin=demain_a(9) + timedelta(days=i),
            statut=statuts[i % 3],
        )
        for i in range(9)
    ]


def _orm(ressource_id, statut, apres, jour):
    return (
        Reservation.objects.filter(
            ressource_id=ressource_id, statut=statut, debut__gte=apres, debut__date__gte=jour
        )
        .order_by("debut")
        .values_list("id", "debut", "statut")
    )


def test_the_rows_are_the_orms_for_every_parameter_type(reservations):
    requete = RequeteCompilee(_orm, types=(int, str, requetes.datetime, requetes.date))
    ressource_id = reservations[0].ressource_id
    for statut in (StatutReservation.CONFIRME, StatutReservation.ANNULE, "inconnu"):
        for decalage in (0, 2, 5, 30):
            apres = demain_a(7) + timedelta(days=decalage)
            jour = (demain_a(7) + timedelta(days=decalage // 2)).date()
            attendu = list(_orm(ressource_id, statut, apres, jour))
            assert requete.lignes(ressource_id, statut, apres, jour) == attendu
    assert type(requete.lignes(ressource_id, "confirme", apres, jour)) is list
    premier = requete.lignes(ressource_id, "confirme", demain_a(0), demain_a(0).date())[0]
    assert premier[1] == reservations[0].debut  # converted: an aware datetime on both


@pytest.fixture
def compilations(monkeypatch):
    """``(alias, types)`` of each query compiled from now on."""
    vues = []
    origine = requetes._Compilee.__init__

    def compter(self, alias, types, *args, **kwargs):
        vues.append((alias, types))
        origine(self, alias, types, *args, **kwargs)

    monkeypatch.setattr(requetes._Compilee, "__init__", compter)
    return vues


def test_it_is_compiled_once_per_database_and_counted(reservations, compilations):
    requete = RequeteCompilee(
        lambda statut: Reservation.objects.filter(statut=statut).values_list("id")
    )
    with CaptureQueriesContext(connection) as requetes_vues:
        for statut in ("confirme", "annule", "fini", "confirme"):
            assert len(requete.lignes(statut)) == 3
    assert compilations == [("default", (str,))]
    assert len(requetes_vues) == 4  # each run is a query Django sees


def test_without_converters_the_drivers_tuples_come_back(reservations):
    fabrique = lambda pk: Reservation.objects.filter(pk=pk).values_list("debut")  # noqa: E731
    brute = RequeteCompilee(fabrique, types=(int,), convertir=False)
    (ligne,) = brute.lignes(reservations[0].pk)
    if connection.vendor == "sqlite":  # naive, in the connection's zone (UTC)
        assert ligne[0].tzinfo is None
        assert ligne[0] == reservations[0].debut.astimezone(requetes.UTC).replace(tzinfo=None)
    else:
        assert ligne[0] == reservations[0].debut


def test_a_parameter_the_query_does_not_use_is_refused():
    requete = RequeteCompilee(lambda statut: Reservation.objects.values_list("id"))
    with pytest.raises(ValueError, match="is not a parameter"):
        requete.lignes("confirme")
    with pytest.raises(TypeError, match="unsupported parameter type"):
        RequeteCompilee(lambda x: Reservation.objects.values_list("id"), types=(float,)).lignes(1.5)


def _par_forme(forme, *statuts):
    ordre, debut, fin = forme
    return (
        Reservation.objects.filter(statut__in=statuts)
        .order_by(ordre, "id")[debut:fin]
        .values_list("id", "statut")
    )


def test_one_query_per_shape_each_giving_the_orms_rows(reservations, compilations):
    requete = RequeteParForme(_par_forme)
    cas = [
        (("debut", 0, 4), ("confirme",)),
        (("-debut", 0, 4), ("confirme", "fini")),
        (("debut", 2, 8), ("annule", "fini", "confirme")),
        (("debut", 0, 4), ("fini",)),  # the first shape again, another statut
        (("-debut", 0, 4), ("annule", "confirme")),
    ]
    for forme, statuts in cas:
        assert requete.lignes(forme, *statuts) == list(_par_forme(forme, *statuts))
    assert [types for _, types in compilations] == [(str,), (str, str), (str, str, str)]


def test_past_its_maximum_the_shapes_are_compiled_again(reservations):
    requete = RequeteParForme(_par_forme, maximum=2)
    for fin in (1, 2, 3, 1):
        assert len(requete.lignes(("debut", 0, fin), "confirme")) == fin
    assert len(requete._compilees) == 2


def _ressources(forme, batiment, caracteristique, capacite):
    return (
        Ressource.objects.filter(
            localisation_batiment__icontains=batiment, capacite_maximum__gte=capacite
        )
        .avec_caracteristiques([caracteristique])
        .order_by("nom")
        .values_list("nom", "localisation_batiment")
    )


def test_values_are_placed_as_the_orm_encodes_them_as_a_like_pattern_json_or_wrapped():
    """``icontains`` (a LIKE pattern), a JSON lookup, an integer the PostgreSQL driver
    wraps (``Int4``): the rows are the ORM's for values with LIKE's and JSON's specials."""
    for nom, batiment, caracs, capacite in [
        ("Alpha", "Bât. 100%", ["wifi", 'dit "visio"'], 4),
        ("Bravo", "B_2", ["wifi"], 12),
        ("Charlie", "C\\3", ["écran"], 8),
    ]:
        RessourceFactory(
            nom=nom,
            localisation_batiment=batiment,
            caracteristiques=caracs,
            capacite_maximum=capacite,
        )
    requete = RequeteParForme(_ressources)
    for batiment, caracteristique, capacite in [
        ("100%", "wifi", 1),
        ("b_", "wifi", 1),
        ("_", "wifi", 5),
        ("c\\", "écran", 1),
        ("", 'dit "visio"', 0),
        ("%", "absente", 0),
    ]:
        valeurs = (batiment, caracteristique, capacite)
        assert requete.lignes(None, *valeurs) == list(_ressources(None, *valeurs)), valeurs


@pytest.mark.parametrize(
    ("fabrique", "types", "erreur"),
    [
        (  # arithmetic on a value: a parameter made from it, in no known form
            lambda debut: Reservation.objects.filter(debut__gte=debut + timedelta(days=1)),
            (requetes.datetime,),
            "in an unknown form",
        ),
        (
            lambda statut: Reservation.objects.filter(statut=statut + "x"),
            (str,),
            "in an unknown form",
        ),
        (lambda pk: Reservation.objects.filter(pk=pk + 1), (int,), "in an unknown form"),
        (  # a value the ORM writes in the SQL itself
            lambda pk: Reservation.objects.all()[:pk],
            (int,),
            "written in the SQL",
        ),
        (  # a value for which the ORM answers without SQL
            lambda statut: Reservation.objects.filter(statut=statut).none(),
            (str,),
            "EmptyResultSet",
        ),
    ],
)
def test_a_query_whose_values_cannot_all_be_placed_is_not_compiled(fabrique, types, erreur):
    requete = RequeteCompilee(lambda *v: fabrique(*v).values_list("id"), types=types)
    with pytest.raises(requetes.NonCompilable, match=erreur):
        requete.lignes(*(requetes._sentinelle(t, 0) for t in types))


def test_with_a_fallback_a_shape_that_cannot_be_compiled_answers_none_logged_once(
    reservations, caplog
):
    def fabrique(forme, statut, pk):
        queryset = Reservation.objects.filter(statut=statut)
        if forme == "derivee":
            queryset = queryset.filter(pk__gt=pk - 1)
        return queryset.order_by("id").values_list("id")  # ``pk`` unused otherwise

    requete = RequeteParForme(fabrique, repli="Essai")
    premier = reservations[0].pk
    with caplog.at_level(logging.WARNING, logger="resa_project.requetes"):
        for _ in range(2):
            assert requete.lignes("derivee", "confirme", premier) is None
            assert requete.lignes("sans", "confirme", premier) == list(
                fabrique("sans", "confirme", premier)
            )
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith("Essai : forme 'derivee' non compilée")
    with pytest.raises(requetes.NonCompilable, match="is not a parameter"):
        RequeteParForme(fabrique).lignes("sans", "confirme", premier)
