#!/usr/bin/env python3
"""Race real clients for one slot against a running Resa server (standard library only).

    python3 bench/race.py --base http://127.0.0.1:8000 [--clients 64] [--rounds 5] \
        [--email admin@resa.example] [--password Resa-demo-2025]

Each round picks a free ressource for a one-hour window (a different future day per round),
then releases ``--clients`` threads together (a barrier) that all POST that exact booking,
and a second wave that POSTs overlapping windows staggered by 15 minutes. It then reads the
ressource's planning and checks that no two blocking bookings overlap. Exit status 1 on any
5xx, transport error, double booking, or when the first wave did not get exactly one 201.
Works against the demo data (``seed_demo``) or the benchmark dataset.
"""

import argparse
import json
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import pairwise


def appel(base, methode, chemin, token=None, corps=None, timeout=60):
    donnees = json.dumps(corps).encode() if corps is not None else None
    requete = urllib.request.Request(base + chemin, data=donnees, method=methode)
    requete.add_header("Content-Type", "application/json")
    if token:
        requete.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(requete, timeout=timeout) as reponse:  # noqa: S310 (loopback)
            return reponse.status, json.loads(reponse.read() or b"null")
    except urllib.error.HTTPError as erreur:
        return erreur.code, json.loads(erreur.read() or b"null")


def vague(base, token, corps_par_client):
    """POST every body at once (one thread each); return the list of (status, body)."""
    barriere = threading.Barrier(len(corps_par_client))
    resultats = [None] * len(corps_par_client)

    def client(i):
        barriere.wait()
        try:
            resultats[i] = appel(base, "POST", "/reservations/", token, corps_par_client[i])
        except Exception as erreur:  # transport error, timeout: counted, not raised
            resultats[i] = ("erreur", repr(erreur))

    fils = [threading.Thread(target=client, args=(i,)) for i in range(len(corps_par_client))]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    return resultats


def jour_ouvre(decalage):
    jour = date.today() + timedelta(days=decalage)
    while jour.weekday() >= 5:
        jour += timedelta(days=1)
    return jour


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--email", default="admin@resa.example")
    parser.add_argument("--password", default="Resa-demo-2025")
    parser.add_argument("--first-day", type=int, default=45, help="days from today")
    args = parser.parse_args()

    statut, corps = appel(
        args.base, "POST", "/auth/login", corps={"email": args.email, "password": args.password}
    )
    if statut != 200:
        sys.exit(f"login failed: {statut} {corps}")
    token = corps["token"]
    echec = False
    for tour in range(args.rounds):
        jour = jour_ouvre(args.first_day + 7 * tour)
        debut = datetime.combine(jour, datetime.min.time()).replace(hour=10)
        fin = debut + timedelta(hours=1)
        statut, libres = appel(
            args.base,
            "GET",
            f"/ressources/disponibles?debut={debut:%Y-%m-%dT%H:%M}&fin={fin:%Y-%m-%dT%H:%M}"
            "&type_of_ressource=salle&limit=1",
            token,
        )
        if statut != 200 or not libres["items"]:
            sys.exit(f"no free room for {debut}: {statut} {libres}")
        ressource = libres["items"][0]["id"]

        def corps_de(d, f, ressource=ressource):
            return {
                "ressource_id": ressource,
                "debut": f"{d:%Y-%m-%dT%H:%M}",
                "fin": f"{f:%Y-%m-%dT%H:%M}",
                "description": "course",
            }

        meme_creneau = vague(args.base, token, [corps_de(debut, fin)] * args.clients)
        decales = vague(
            args.base,
            token,
            [
                corps_de(
                    fin + timedelta(minutes=15 * (i % 8)),
                    fin + timedelta(minutes=15 * (i % 8) + 60),
                )
                for i in range(args.clients)
            ],
        )
        statuts1 = Counter(s for s, _ in meme_creneau)
        statuts2 = Counter(s for s, _ in decales)
        _, planning = appel(
            args.base,
            "GET",
            f"/ressources/{ressource}/planning?du={jour}&au={jour + timedelta(days=1)}",
            token,
        )
        occupes = sorted((i["debut"], i["fin"]) for i in planning if i["type"] == "reservation")
        chevauchements = sum(1 for a, b in pairwise(occupes) if b[0] < a[1])
        mauvais = [s for s in list(statuts1) + list(statuts2) if s == "erreur" or s >= 500]
        ok = statuts1.get(201) == 1 and not mauvais and not chevauchements
        echec |= not ok
        print(
            f"round {tour + 1}: ressource {ressource} {jour}: same slot x{args.clients} "
            f"{dict(statuts1)}; staggered x{args.clients} {dict(statuts2)}; "
            f"{len(occupes)} bookings stored that day, {chevauchements} overlaps -> "
            f"{'OK' if ok else 'FAILED'}"
        )
    sys.exit(1 if echec else 0)


if __name__ == "__main__":
    main()
