#!/usr/bin/env python
"""How long one worker takes to deliver the mails of a burst of bookings (API.md C2, C3).

    .venv/bin/python bench/rafale_courriels.py [--evenements 1000] [--database-url URL]

The database is a dedicated one: by default a fresh SQLite file
``bench/results/rafale.sqlite3``; with ``--database-url`` (e.g.
``postgres://postgres@127.0.0.1:5432/resa_bench_rafale``, created if absent) a database
whose name contains "bench", emptied first. Tasks use the database backend
(``TASKS_BACKEND=database``), as in production; mail goes to an in-memory mailer, so the
time is Resa's own (rendering, outbox, claims, tasks), not a mail server's.

1. ``--evenements`` bookings are made through ``reservations.services.reserver``, one
   transaction each, as that many API requests would: each commit enqueues the diffusion
   of its event. Nothing is sent yet.
2. ``manage.py worker --once`` is timed: it runs every diffusion (the notification
   receiver renders and inserts the outbox rows, then enqueues their sending), every
   sending task, and the periodic jobs once.

Prints the time of each phase, the mails delivered and the rate.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "results"
sys.path.insert(0, str(RACINE))

RESSOURCES = 40
CRENEAUX_PAR_JOUR = 25  # 30-minute slots from 07:00, inside the sites' opening hours
RESERVATIONS_PAR_EMPLOYE = 10


def _preparer_environnement(url: str | None) -> None:
    if url is None:
        RESULTATS.mkdir(parents=True, exist_ok=True)
        fichier = RESULTATS / "rafale.sqlite3"
        for chemin in RESULTATS.glob("rafale.sqlite3*"):
            chemin.unlink()
        url = f"sqlite:///{fichier}"
    elif "bench" not in urlsplit(url).path:
        raise SystemExit(
            "--database-url : le nom de la base doit contenir « bench » (elle est vidée)."
        )
    else:
        _creer_base_postgresql(url)
    os.environ["DATABASE_URL"] = url
    os.environ["TASKS_BACKEND"] = "database"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")


def _creer_base_postgresql(url: str) -> None:
    parties = urlsplit(url)
    if not parties.scheme.startswith("postgres"):
        return
    import psycopg

    nom = parties.path.lstrip("/")
    serveur = urlunsplit(parties._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(serveur, autocommit=True) as connexion:
        existe = connexion.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom]).fetchone()
        if not existe:
            connexion.execute(f'CREATE DATABASE "{nom}"')


def _donnees(nombre: int):
    """A site, its ressources and employees: ``nombre`` free slots, tomorrow onwards."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from accounts.models import User
    from ressources.models import Ressource, TypeRessource
    from sites.models import Department, Site

    site = Site.objects.create(
        nom="Site de la rafale",
        adresse="1 place du Banc d'essai\n69000 Lyon",
        horaires_ouverture=time(7, 0),
        horaires_fermeture=time(20, 0),
    )
    departement = Department.objects.create(nom="Essais", site=site)
    ressources = Ressource.objects.bulk_create(
        Ressource(
            nom=f"Salle {i:03d}", type_ressource=TypeRessource.SALLE, capacite_maximum=10, site=site
        )
        for i in range(RESSOURCES)
    )
    employes = User.objects.bulk_create(
        User(
            nom_utilisateur=f"rafale{i:05d}",
            email=f"rafale{i:05d}@bench.resa.example",
            nom_prenom=f"Employé Rafale {i:05d}",
            site_principal=site,
            department=departement,
            password="!",  # unusable: these accounts never log in
        )
        for i in range((nombre + RESERVATIONS_PAR_EMPLOYE - 1) // RESERVATIONS_PAR_EMPLOYE)
    )
    demain = timezone.localdate() + timedelta(days=1)
    creneaux = []
    for i in range(nombre):
        jour, reste = divmod(i, RESSOURCES * CRENEAUX_PAR_JOUR)
        ressource, creneau = divmod(reste, CRENEAUX_PAR_JOUR)
        debut = timezone.make_aware(
            datetime.combine(demain + timedelta(days=jour), time(7, 0))
            + timedelta(minutes=30 * creneau)
        )
        creneaux.append(
            (
                employes[i // RESERVATIONS_PAR_EMPLOYE],
                ressources[ressource],
                debut,
                debut + timedelta(minutes=30),
            )
        )
    return creneaux


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evenements", type=int, default=1000, help="bookings in the burst")
    parser.add_argument("--database-url", default=None, help="a dedicated database (see above)")
    options = parser.parse_args()
    _preparer_environnement(options.database_url)

    import logging

    import django

    django.setup()
    # One INFO line per task start and end would be 4,000 lines on the console: not the
    # cost being measured.
    for nom in ("django.tasks", "django_tasks_db"):
        logging.getLogger(nom).setLevel(logging.WARNING)

    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from notifications.models import Courriel, StatutCourriel
    from resa_project.canal import API, canal
    from reservations import services

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    creneaux = _donnees(options.evenements)

    debut = time.perf_counter()
    with canal(API):
        for user, ressource, de, a in creneaux:
            services.reserver(par=user, ressource=ressource, debut=de, fin=a)
    reservations = time.perf_counter() - debut
    en_file = DBTaskResult.objects.count()
    assert not getattr(mail, "outbox", []), "nothing is sent before the worker runs"

    debut = time.perf_counter()
    call_command("worker", "--once", verbosity=0)
    livraison = time.perf_counter() - debut

    envoyes = len(getattr(mail, "outbox", []))
    statuts = dict(Courriel.objects.values_list("statut").annotate(n=django.db.models.Count("id")))
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"{options.evenements} réservations en {reservations:.2f} s ({en_file} tâches en file)")
    print(
        f"Worker --once : {envoyes} courriels livrés en {livraison:.2f} s "
        f"({envoyes / livraison:.0f} courriels/s, {1000 * livraison / max(envoyes, 1):.1f} ms par courriel)"
    )
    print(f"Boîte d'envoi : {statuts}")
    if envoyes != options.evenements or statuts.get(StatutCourriel.ENVOYE) != options.evenements:
        raise SystemExit("Tous les courriels n'ont pas été livrés.")


if __name__ == "__main__":
    main()
