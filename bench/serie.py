#!/usr/bin/env python
"""How long does a recurring series take (API.md C7)? In-process, on the benchmark dataset.

    DATABASE_URL=... SECRET_KEY=x SECURE_SSL_REDIRECT=0 .venv/bin/python bench/serie.py \\
        --context bench/results/context_<db>.json [--repeat 10] [--seed 1]

Each request goes through the whole stack (Django test client: middleware, DRF, rendering)
as an employee, on a random bookable ressource, a weekly series starting on a random
future weekday. Cases:

- ``4 semaines`` / ``52 semaines``: booked (``ignorer_conflits``), each inside a
  transaction rolled back afterwards, so the dataset does not change;
- ``52 semaines, simulation``: the same report, nothing stored;
- ``52 semaines, toutes prises``: the same series asked again once booked, so all 52
  dates are refused by a conflict and each gets its alternatives (the worst case).

Prints the mean and max wall time, the number of SQL queries (the same for 4 and 52
weeks, inserts aside) and the number of alternatives offered.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")


class Annuler(Exception):
    """Raised to roll the measured booking back."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--context", default=str(RACINE / "bench" / "results" / "context.json"))
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    contexte = json.loads(Path(args.context).read_text())
    zone = ZoneInfo(contexte.get("time_zone", "Europe/Paris"))
    rng = random.Random(args.seed)
    client = Client()
    jeton = contexte["employe"]["token"]
    entetes = {"HTTP_AUTHORIZATION": f"Bearer {jeton}"}

    def corps(semaines):
        jour = datetime.now(zone).date() + timedelta(days=rng.randint(1, 60))
        debut = datetime(
            jour.year, jour.month, jour.day, rng.randint(9, 16), 15 * rng.randint(0, 3)
        )
        return {
            "ressource_id": rng.choice(contexte["ressource_ids_reservables"]),
            "debut": debut.replace(tzinfo=zone).isoformat(),
            "fin": (debut + timedelta(hours=1)).replace(tzinfo=zone).isoformat(),
            "nbr_participants": 1,
            "recurrence": {"frequence": "hebdomadaire", "nombre": semaines},
            "mode": "ignorer_conflits",
        }

    def poster(donnees, simulation=False):
        chemin = "/reservations/series" + ("?simulation=true" if simulation else "")
        return client.post(chemin, json.dumps(donnees), content_type="application/json", **entetes)

    def mesurer(nom, preparer, simulation=False):
        murs, requetes, statuts, alternatives = [], [], {}, []
        for _ in range(args.repeat):
            try:
                with transaction.atomic():
                    donnees = preparer()
                    with CaptureQueriesContext(connection) as capture:
                        t0 = time.perf_counter()
                        reponse = poster(donnees, simulation=simulation)
                        murs.append(time.perf_counter() - t0)
                    raise Annuler(reponse)
            except Annuler as annulation:
                reponse = annulation.args[0]
            statuts[reponse.status_code] = statuts.get(reponse.status_code, 0) + 1
            requetes.append(len(capture.captured_queries))
            occurrences = reponse.json().get("occurrences", [])
            alternatives.append(sum(len(o["alternatives"]) for o in occurrences))
        print(
            f"{nom:<34} {statistics.mean(murs) * 1000:8.1f} {max(murs) * 1000:8.1f} "
            f"{min(requetes):4d}-{max(requetes):<4d} {statistics.mean(alternatives):8.1f}  {statuts}",
            flush=True,
        )

    def deja_reservee():
        donnees = corps(52)
        poster(donnees)  # inside the measured transaction: rolled back with it
        return donnees

    print(f"{connection.vendor}: {contexte['counts']}")
    print(f"{'case':<34} {'mean ms':>8} {'max ms':>8} {'queries':>9} {'altern.':>8}  statuses")
    mesurer("4 semaines", lambda: corps(4))
    mesurer("52 semaines", lambda: corps(52))
    mesurer("52 semaines, simulation", lambda: corps(52), simulation=True)
    mesurer("52 semaines, toutes prises", deja_reservee, simulation=True)


if __name__ == "__main__":
    main()
