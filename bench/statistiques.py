#!/usr/bin/env python
"""How long do the statistics take (API.md C8)? In-process, on the benchmark dataset.

    DATABASE_URL=... SECRET_KEY=x SECURE_SSL_REDIRECT=0 .venv/bin/python bench/statistiques.py \\
        --context bench/results/context_<db>.json [--repeat 10] [--pdf rapport.pdf] \\
        [--only grouper] [--sql] [--sans-export]

Each request goes through the whole stack (Django test client) as the benchmark's admin
(and manager for one case), over the last 365 days. Prints p50 / max wall time, p50 CPU
time of this process (on SQLite it includes the database's work: steadier than wall time
on a busy machine) and the number of SQL queries per case (``--sql``: also each query's
p50 time as Django saw it; ``--only``: the cases whose name contains a word), then the
time to stream ``/reservations/export.csv`` with the peak memory it allocated.
"""

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--context", default=str(RACINE / "bench" / "results" / "context.json"))
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--pdf", default=None, help="write one report to this file")
    parser.add_argument("--sans-export", action="store_true")
    parser.add_argument("--only", default=None, help="only the cases whose name contains this")
    parser.add_argument(
        "--sql", action="store_true", help="also print each query's p50 time and start"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    contexte = json.loads(Path(args.context).read_text())
    client = Client()
    admin = {"HTTP_AUTHORIZATION": f"Bearer {contexte['admin']['token']}"}
    manager = {"HTTP_AUTHORIZATION": f"Bearer {contexte['manager']['token']}"}
    au = timezone.localdate()
    du = au - timedelta(days=364)
    periode = {"du": du.isoformat(), "au": au.isoformat()}
    cas = [
        (f"grouper_par={g}", "/statistiques/", {**periode, "grouper_par": g}, admin)
        for g in ("site", "department", "ressource", "type_ressource", "jour", "semaine", "mois")
    ]
    cas += [
        ("manager, site", "/statistiques/", periode, manager),
        (
            "csv, ressource",
            "/statistiques/",
            {**periode, "grouper_par": "ressource", "format": "csv"},
            admin,
        ),
        ("occupation-horaire", "/statistiques/occupation-horaire", periode, admin),
        ("rapport.pdf", "/statistiques/rapport.pdf", periode, admin),
    ]
    if args.only:
        cas = [c for c in cas if args.only in c[0]]
    print(f"{'case':<28} {'p50 ms':>8} {'max ms':>8} {'cpu ms':>8} {'queries':>8}")
    for nom, chemin, params, entetes in cas:
        durees, cpu, sql = [], [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as requetes:
                debut, debut_cpu = time.perf_counter(), time.process_time()
                reponse = client.get(chemin, params, **entetes)
                if reponse.streaming:
                    b"".join(reponse.streaming_content)
                durees.append((time.perf_counter() - debut) * 1000)
                cpu.append((time.process_time() - debut_cpu) * 1000)
            assert reponse.status_code == 200, (nom, reponse.status_code, reponse.content[:300])
            sql.append([float(q["time"]) * 1000 for q in requetes.captured_queries])
        print(
            f"{nom:<28} {statistics.median(durees):8.1f} {max(durees):8.1f} "
            f"{statistics.median(cpu):8.1f} {len(requetes.captured_queries):8d}"
        )
        if args.sql:
            for i, requete in enumerate(requetes.captured_queries):
                p50 = statistics.median(t[i] for t in sql if i < len(t))
                print(f"    {p50:8.1f} ms  {requete['sql'][:110]}")
        if nom == "rapport.pdf" and args.pdf:
            Path(args.pdf).write_bytes(reponse.content)

    if args.sans_export:
        return
    tracemalloc.start()
    debut = time.perf_counter()
    reponse = client.get("/reservations/export.csv", **admin)
    lignes = octets = 0
    for morceau in reponse.streaming_content:
        lignes += morceau.count(b"\n")
        octets += len(morceau)
    duree = time.perf_counter() - debut
    _, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"export.csv: {lignes - 1} rows, {octets / 1e6:.1f} MB in {duree:.1f} s, "
        f"peak Python allocation {pic / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
