#!/usr/bin/env python
"""Where does the time of a hot endpoint go? In-process, no HTTP server, no concurrency.

    DATABASE_URL=... .venv/bin/python bench/profile_endpoints.py [--repeat 20]
        [--only free_search,...] [--cprofile free_search] [--explain] [--explain-all]

For each hot endpoint of the benchmark, on the dataset of ``bench/results/context.json``:
mean wall time of the whole request (Django test client, middleware and rendering
included), number of SQL queries, time spent in SQL (as seen by Django, i.e. including the
driver's result conversion) and the remaining Python time. ``--explain`` prints the
database's plan of the slowest query of each endpoint (EXPLAIN ANALYZE on PostgreSQL,
EXPLAIN QUERY PLAN on SQLite), ``--explain-all`` those of every query of the last request;
``--cprofile NAME`` prints the top functions of one endpoint.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.append(str(RACINE / "bench"))  # after the apps: bench/statistiques.py
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--context", default=str(RACINE / "bench" / "results" / "context.json"))
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="")
    parser.add_argument("--cprofile", default="")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--explain-all",
        action="store_true",
        help="the plan of every query of the last request (the free search: count and page)",
    )
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh one each run")
    parser.add_argument("--queries", action="store_true", help="print every SQL query once")
    args = parser.parse_args()

    import django

    django.setup()
    import load
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ctx = load.Contexte(json.loads(Path(args.context).read_text()))
    rng = random.Random(args.seed)
    client = Client()
    noms = args.only.split(",") if args.only else list(load.SCENARIOS)

    def envoyer(nom):
        methode, chemin, token, corps = load.SCENARIOS[nom][0](rng, ctx)
        entetes = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if methode == "GET":
            return chemin, client.get(chemin, **entetes)
        return chemin, client.post(
            chemin, json.dumps(corps), content_type="application/json", **entetes
        )

    print(f"{connection.vendor}: {ctx.d['counts']}")
    print(
        f"{'endpoint':<26} {'wall ms':>8} {'sql ms':>8} {'py ms':>8} {'queries':>8} "
        f"{'slowest q ms':>12}  statuses"
    )
    for nom in noms:
        envoyer(nom)  # warm-up
        murs, sqls, nb, statuts, pire = [], [], [], {}, (0.0, "", None)
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as requetes:
                t0 = time.perf_counter()
                chemin, reponse = envoyer(nom)
                murs.append(time.perf_counter() - t0)
            sqls.append(sum(float(q["time"]) for q in requetes.captured_queries))
            nb.append(len(requetes.captured_queries))
            statuts[reponse.status_code] = statuts.get(reponse.status_code, 0) + 1
            if reponse.status_code == 401:
                sys.exit(
                    f"401 on {chemin}: the tokens of {args.context} are not from this database"
                )
            for q in requetes.captured_queries:
                if float(q["time"]) > pire[0]:
                    pire = (float(q["time"]), q["sql"], chemin)
            dernier = requetes.captured_queries
        mur, sql = statistics.mean(murs) * 1000, statistics.mean(sqls) * 1000
        print(
            f"{nom:<26} {mur:8.1f} {sql:8.1f} {mur - sql:8.1f} {max(nb):8d} "
            f"{pire[0] * 1000:12.1f}  {statuts}",
            flush=True,
        )
        if args.queries:
            for q in dernier:
                print(f"    [{float(q['time']) * 1000:6.1f} ms] {q['sql'][:600]}")
        if args.explain and pire[1]:
            print(f"  slowest query ({pire[2]}):\n    {pire[1][:1500]}")
            expliquer(connection, pire[1])
        if args.explain_all:
            for q in dernier:
                print(f"  [{float(q['time']) * 1000:6.1f} ms] {q['sql'][:300]}")
                expliquer(connection, q["sql"])
        if args.cprofile == nom:
            profil = cProfile.Profile()
            profil.enable()
            for _ in range(args.repeat):
                envoyer(nom)
            profil.disable()
            pstats.Stats(profil).sort_stats("cumulative").print_stats(35)
            pstats.Stats(profil).sort_stats("tottime").print_stats(20)


def expliquer(connection, sql):
    """The database's plan of ``sql`` (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on
    SQLite), printed indented."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + sql)
        for ligne in cur.fetchall():
            print("    | " + " ".join(str(c) for c in ligne))


if __name__ == "__main__":
    main()
