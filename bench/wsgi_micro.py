#!/usr/bin/env python
"""CPU cost of one request through Resa's WSGI application, without a server or a network.

    DATABASE_URL=... .venv/bin/python bench/wsgi_micro.py --context bench/results/context_<db>.json \\
        [--only auth_me,sites] [--n 2000] [--cprofile auth_me]

Calls ``resa_project.wsgi.application`` directly with a prepared environ, as gunicorn would,
and reads the whole body: what a request costs in Django, DRF and Resa's code (middleware,
authentication, queries, serialisation, rendering), one at a time. The same request is
repeated, so this is the best case of the hot path; ``bench/load.py`` measures the server.
Production settings (``DEBUG=0``), ``RESA_BENCH=1`` for the bare DRF view.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("RESA_BENCH", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")


# Scenarios of ``bench/load.py`` drawn at random here too: ``<scenario>_random`` cycles over
# this many of its requests (fixed seed, so before/after runs see the same ones).
TIRAGES = 200
ALEATOIRES = ("ressource_list", "ressource_list_filtered")


def _tirages(ctx, scenario):
    """``TIRAGES`` requests (paths) of ``bench/load.py``'s ``scenario``, and their token."""
    import random

    sys.path.insert(0, str(RACINE / "bench"))
    import load

    rng, contexte = random.Random(13), load.Contexte(ctx)
    fabrique, _ = load.SCENARIOS[scenario]
    tirages = [fabrique(rng, contexte) for _ in range(TIRAGES)]
    return [chemin for _, chemin, _, _ in tirages], tirages[0][2]


def requetes(ctx):
    """name -> (path and query string, or a list of them to cycle over; token or None)."""
    admin, employe = ctx["admin"]["token"], ctx["employes"][0]["token"]
    premier = ctx["ressource_id_range"][0]
    return {
        "bare_drf": ("/bench/vide", None),
        "auth_me": ("/auth/me", employe),
        "sites": ("/sites/", employe),
        "ressource_list": ("/ressources/?limit=100", admin),
        "ressource_list_filtered": (
            "/ressources/?limit=50&type_of_ressource=salle&minimum_capacity=4"
            "&sort_by=capacite&sort_order=desc",
            admin,
        ),
        "ressource_detail": (f"/ressources/{premier + 17}", employe),
        "free_search": (
            "/ressources/disponibles?debut=2027-01-12T10:00:00%2B01:00"
            "&fin=2027-01-12T12:00:00%2B01:00",
            employe,
        ),
        "reservation_list_admin": ("/reservations/?limit=50", admin),
        "reservation_list_employe": ("/reservations/?limit=50", employe),
        **{f"{nom}_random": _tirages(ctx, nom) for nom in ALEATOIRES},
    }


def environ_de(chemin, token):
    chemin, _, requete = chemin.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": chemin,
        "QUERY_STRING": requete,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--context", default=str(RACINE / "bench" / "results" / "context.json"))
    parser.add_argument("--only", default="")
    parser.add_argument("--n", type=int, default=1000, help="requests per endpoint")
    parser.add_argument("--cprofile", default="", help="profile this endpoint instead")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    ctx = json.loads(Path(args.context).read_text())
    from resa_project.wsgi import application

    statut = []

    def start_response(status, headers, exc_info=None):
        statut.append(status)

    def une(chemins, token, rang=0):
        statut.clear()
        chemin = chemins if isinstance(chemins, str) else chemins[rang % len(chemins)]
        corps = b"".join(application(environ_de(chemin, token), start_response))
        return statut[0], corps

    toutes = requetes(ctx)
    noms = args.only.split(",") if args.only else list(toutes)
    if args.cprofile:
        chemin, token = toutes[args.cprofile]
        for rang in range(50):
            une(chemin, token, rang)
        profil = cProfile.Profile()
        profil.enable()
        for rang in range(args.n):
            une(chemin, token, rang)
        profil.disable()
        pstats.Stats(profil).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profil).sort_stats("tottime").print_stats(args.top)
        return
    print(f"{'endpoint':<26} {'status':<8} {'bytes':>7} {'p50 us':>8} {'cpu us':>8}")
    for nom in noms:
        chemin, token = toutes[nom]
        status, corps = une(chemin, token)
        for rang in range(max(min(50, args.n), 0 if isinstance(chemin, str) else len(chemin))):
            une(chemin, token, rang)  # warm: every drawn request once (shapes compiled)
        durees, cpu = [], time.process_time()
        for rang in range(args.n):
            t0 = time.perf_counter()
            une(chemin, token, rang)
            durees.append(time.perf_counter() - t0)
        cpu = (time.process_time() - cpu) / args.n  # this process only: less noisy
        print(
            f"{nom:<26} {status.split()[0]:<8} {len(corps):>7} "
            f"{statistics.median(durees) * 1e6:>8.0f} {cpu * 1e6:>8.0f}"
        )


if __name__ == "__main__":
    main()
