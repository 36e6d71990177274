"""The benchmark's bare DRF view (``GET /bench/vide``) exists only where ``RESA_BENCH=1``."""

import importlib.util
import sys

import pytest

import resa_project.urls
from resa_project.exceptions import MSG_CHEMIN_INCONNU

pytestmark = pytest.mark.django_db


def _urlconf(monkeypatch, resa_bench):
    """``resa_project/urls.py`` executed afresh with ``RESA_BENCH`` set (or not)."""
    if resa_bench is None:
        monkeypatch.delenv("RESA_BENCH", raising=False)
    else:
        monkeypatch.setenv("RESA_BENCH", resa_bench)
    nom = f"resa_project.tests._urls_bench_{resa_bench}"
    spec = importlib.util.spec_from_file_location(nom, resa_project.urls.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, nom, module)
    return nom


def test_a_normal_deployment_has_no_bench_path(api_client):
    response = api_client.get("/bench/vide")
    assert response.status_code == 404
    assert response.json() == {"detail": MSG_CHEMIN_INCONNU, "code": "introuvable"}


@pytest.mark.parametrize("resa_bench", [None, "0", "true"])
def test_only_resa_bench_1_serves_it(api_client, monkeypatch, settings, resa_bench):
    settings.ROOT_URLCONF = _urlconf(monkeypatch, resa_bench)
    assert api_client.get("/bench/vide").status_code == 404


def test_with_resa_bench_1_it_answers_without_authentication_nor_query(
    api_client, monkeypatch, settings, django_assert_num_queries
):
    settings.ROOT_URLCONF = _urlconf(monkeypatch, "1")
    with django_assert_num_queries(0):
        response = api_client.get("/bench/vide")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
