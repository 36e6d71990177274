"""Two real ``manage.py worker --once`` processes racing on the same due work, against the
test database (committed data: ``transaction=True``): each effect happens once."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from reservations.models import Evenement, Reservation, StatutReservation, TypeEvenement
from reservations.tests.factories import ReservationFactory
from ressources.tests.factories import RessourceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def url_de_la_base_de_test() -> str:
    reglages = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{reglages['NAME']}"
    utilisateur = reglages["USER"] or "postgres"
    hote = reglages["HOST"] or "127.0.0.1"
    port = reglages["PORT"] or 5432
    return f"postgres://{utilisateur}@{hote}:{port}/{reglages['NAME']}"


def lancer_workers(nombre: int, dossier_courriels: Path) -> list[subprocess.CompletedProcess]:
    """``nombre`` worker processes started together on the test database; their results."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "resa_project.settings",
        "DATABASE_URL": url_de_la_base_de_test(),
        "TASKS_BACKEND": "database",
        "EMAIL_URL": f"filemail:///{dossier_courriels}",
        "SECRET_KEY": "tests-workers-" + "x" * 50,
        "DEBUG": "0",
        "TIME_ZONE": settings.TIME_ZONE,
    }
    processus = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--once"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(nombre)
    ]
    resultats = []
    for p in processus:
        sortie, erreurs = p.communicate(timeout=120)
        resultats.append(subprocess.CompletedProcess(p.args, p.returncode, sortie, erreurs))
    return resultats


def test_deux_workers_liberent_chaque_reservation_une_seule_fois(tmp_path):
    maintenant = timezone.now()
    salle = RessourceFactory(checkin_requis=True)
    expirees = [
        ReservationFactory(
            ressource=salle,
            debut=maintenant - timedelta(hours=2, minutes=30 * i),
            fin=maintenant - timedelta(hours=2, minutes=30 * i) + timedelta(minutes=30),
            checkin_limite=maintenant - timedelta(hours=2, minutes=30 * i - 15),
        )
        for i in range(20)
    ]

    resultats = lancer_workers(2, tmp_path)

    for resultat in resultats:
        assert resultat.returncode == 0, resultat.stderr
    assert set(
        Reservation.objects.filter(pk__in=[r.pk for r in expirees]).values_list("statut", flat=True)
    ) == {StatutReservation.NON_PRESENT}
    liberations = Evenement.objects.filter(type=TypeEvenement.RESERVATION_LIBEREE)
    assert liberations.count() == len(expirees)
    assert sorted(liberations.values_list("reservation_id", flat=True)) == sorted(
        r.pk for r in expirees
    )
