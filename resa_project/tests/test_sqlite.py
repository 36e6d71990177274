"""Resa's SQLite backend: Django's, each statement's placeholders converted once."""

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3 import base as base_django

from resa_project.sqlite import base
from sites.models import Site
from sites.tests.factories import SiteFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend"),
]


@pytest.fixture
def conversions(monkeypatch):
    """The statements Django's own conversion was asked for, from an empty memory."""
    monkeypatch.setattr(base, "_conversions", {})
    vues = []
    origine = base_django.SQLiteCursorWrapper.convert_query

    def compter(self, query, *, param_names=None):
        vues.append(query)
        return origine(self, query, param_names=param_names)

    monkeypatch.setattr(base_django.SQLiteCursorWrapper, "convert_query", compter)
    return vues


def test_settings_select_it_for_sqlite_urls():
    assert isinstance(connections["default"], base.DatabaseWrapper)
    with connection.cursor() as curseur:
        assert isinstance(curseur.cursor, base.SQLiteCursorWrapper)


def test_a_statement_is_converted_once_and_answers_the_same(conversions):
    sites = [SiteFactory(nom=f"Site {i}") for i in range(3)]
    for site in sites * 2:
        assert Site.objects.get(pk=site.pk).nom == site.nom
    selects = [sql for sql in conversions if sql.startswith("SELECT")]
    assert len(selects) == 1


def test_literal_percent_signs_and_named_parameters_are_djangos(conversions):
    SiteFactory(nom="Remise 50% nord")
    SiteFactory(nom="Remise 50 nord")
    with connection.cursor() as curseur:
        for _ in range(2):
            curseur.execute(
                "SELECT nom FROM sites_site WHERE nom = 'Remise 50%% nord' AND id > %s", [0]
            )
            assert curseur.fetchall() == [("Remise 50% nord",)]
        curseur.execute("SELECT %(un)s + %(deux)s", {"un": 1, "deux": 2})
        assert curseur.fetchone() == (3,)
        curseur.execute("SELECT %(un)s + %(deux)s", {"un": 10, "deux": 20})
        assert curseur.fetchone() == (30,)


def test_past_its_maximum_the_memory_starts_afresh(conversions, monkeypatch):
    monkeypatch.setattr(base, "CONVERSIONS_MAX", 2)
    with connection.cursor() as curseur:
        for valeur in (1, 2, 3):
            curseur.execute(f"SELECT {valeur} + %s", [1])
            assert curseur.fetchone() == (valeur + 1,)
    assert len(base._conversions) == 1
