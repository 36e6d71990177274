#!/usr/bin/env python
"""How long does a calendar feed take (API.md C5)? In-process, on the benchmark dataset.

    DATABASE_URL=... SECRET_KEY=x SECURE_SSL_REDIRECT=0 .venv/bin/python bench/flux.py \\
        [--evenements 500] [--repeat 50]

A dedicated account, ``flux.bench@resa.example``, is given ``--evenements`` reservations in
the feed's window the first time (spread over the dataset's active rooms, one per room and slot, with a journal
event each so ``SEQUENCE`` is computed over real rows); later runs reuse them. Then
``GET /calendrier/<secret>.ics`` goes through the whole stack (Django test client:
middleware, view, rendering) ``--repeat`` times, and once with ``If-None-Match``.

Prints p50, p90 and max wall time, the number of SQL queries, the feed's size and events.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as heure
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")

EMAIL = "flux.bench@resa.example"


def preparer(nombre: int):
    """The bench account and its ``nombre`` reservations (made once, kept)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from reservations.models import Evenement, Reservation, StatutReservation, TypeEvenement
    from ressources.models import Ressource

    user, _ = User.objects.get_or_create(
        email=EMAIL, defaults={"nom_utilisateur": "flux.bench", "nom_prenom": "Flux Bench"}
    )
    existantes = Reservation.objects.filter(user=user).count()
    if existantes >= nombre:
        return user
    salles = list(
        Ressource.objects.actives()
        .filter(type_ressource="salle")
        .select_related("site")
        .order_by("id")[: nombre // 5 + 1]
    )
    zone = timezone.get_current_timezone()
    debut_jour = timezone.localdate() + timedelta(days=7)
    a_creer = []
    k = 0
    # Late evenings (20:00-20:30): the dataset's bookings stop at 19:00, so no overlap.
    while len(a_creer) < nombre - existantes:
        salle = salles[k % len(salles)]
        jour = debut_jour + timedelta(days=k // len(salles))
        debut = datetime.combine(jour, heure(20, 0), tzinfo=zone)
        a_creer.append(
            Reservation(
                ressource=salle,
                user=user,
                createur=user,
                site_id=salle.site_id,
                debut=debut,
                fin=debut + timedelta(minutes=30),
                statut=StatutReservation.CONFIRME,
                description=f"Réunion de suivi n°{k}, salle « {salle.nom} »",
            )
        )
        k += 1
    with transaction.atomic():
        creees = Reservation.objects.bulk_create(a_creer, batch_size=500)
        Evenement.objects.bulk_create(
            [
                Evenement(
                    type=TypeEvenement.RESERVATION_CREEE,
                    reservation=r,
                    changements={},
                    diffuse_le=timezone.now(),
                )
                for r in creees
            ],
            batch_size=500,
        )
    return user


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evenements", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from calendriers import services

    user = preparer(args.evenements)
    secret = services.creer_flux(user, par=user)
    client = Client()
    adresse = f"/calendrier/{secret}.ics"
    reponse = client.get(adresse)  # warm-up
    assert reponse.status_code == 200, reponse.status_code
    durees = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        reponse = client.get(adresse)
        durees.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as requetes:
        client.get(adresse)
    t0 = time.perf_counter()
    inchange = client.get(adresse, HTTP_IF_NONE_MATCH=reponse["ETag"])
    duree_304 = (time.perf_counter() - t0) * 1000
    durees.sort()
    print(
        f"{connection.vendor}: feed of {reponse.content.count(b'BEGIN:VEVENT')} events, "
        f"{len(reponse.content) // 1024} KiB, {len(requetes)} queries: "
        f"p50 {statistics.median(durees):.1f} ms, p90 {durees[int(len(durees) * 0.9)]:.1f} ms, "
        f"max {durees[-1]:.1f} ms; 304 in {duree_304:.1f} ms ({inchange.status_code})"
    )
    services.revoquer_flux(user, par=user)


if __name__ == "__main__":
    main()
