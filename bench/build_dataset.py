#!/usr/bin/env python
"""Build a large, realistic Resa dataset for the benchmark, fast.

    .venv/bin/python bench/build_dataset.py [--scale 0.1] [--flush] [--seed 42]

The database is the project's (``DATABASE_URL``, else the default SQLite file). Full size:
20 sites, 100 departments, 2,000 users, 5,000 ressources, 2,000 unavailability periods and
200,000 reservations over -180 .. +60 days. Rows go in with ``bulk_create`` in large
batches inside transactions, bypassing the booking services for speed, but the data keeps
the booking rules the benchmark relies on:

- blocking reservations of one ressource never overlap (PostgreSQL's exclusion constraint
  would refuse them anyway), are on the 15-minute grid, inside 08:00-19:00 local time and
  inside the ressource's opening hours;
- they avoid the blocking unavailabilities, and stay inside the ``disponibilite_normale``
  windows of the ressources that have some;
- ressources that are not active only have past reservations.

It then issues tokens for known users (``AuthToken.emettre``) and writes them, with sample
ids for the load generator, to ``bench/results/context.json``.
"""

import argparse
import json
import math
import os
import random
import sys
import time as horloge
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

RACINE = Path(__file__).resolve().parent.parent
RESULTATS = RACINE / "bench" / "results"
sys.path.insert(0, str(RACINE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")

MOT_DE_PASSE = "Bench-resa-2025!"
DOMAINE = "bench.resa.example"
JOURS_PASSES = 180
JOURS_FUTURS = 60
HEURE_MIN, HEURE_MAX = time(8, 0), time(19, 0)

VILLES = [
    "Paris",
    "Lyon",
    "Marseille",
    "Toulouse",
    "Nice",
    "Nantes",
    "Strasbourg",
    "Montpellier",
    "Bordeaux",
    "Lille",
    "Rennes",
    "Reims",
    "Toulon",
    "Grenoble",
    "Dijon",
    "Angers",
    "Nîmes",
    "Brest",
    "Tours",
    "Limoges",
]
HORAIRES_SITES = [
    (time(7, 0), time(20, 0)),
    (time(7, 30), time(19, 30)),
    (time(8, 0), time(19, 0)),
    (time(7, 0), time(21, 0)),
    (time(8, 0), time(20, 0)),
]
# Own hours of some rooms; a few narrower than 08:00-19:00.
HORAIRES_SALLES = [
    (time(7, 0), time(21, 0)),
    (time(7, 30), time(20, 0)),
    (time(8, 0), time(18, 0)),
    (time(9, 0), time(17, 0)),
    (time(8, 30), time(18, 30)),
]
NOMS_DEPARTEMENTS = [
    "Direction financière",
    "Ressources humaines",
    "Commercial",
    "Recherche et développement",
    "Logistique",
    "Marketing",
    "Service client",
    "Informatique",
    "Juridique",
    "Achats",
]
PRENOMS = [
    "Camille",
    "Lucas",
    "Léa",
    "Hugo",
    "Chloé",
    "Nathan",
    "Emma",
    "Louis",
    "Manon",
    "Jules",
    "Inès",
    "Gabriel",
    "Sarah",
    "Arthur",
    "Jade",
    "Adam",
    "Louise",
    "Raphaël",
    "Alice",
    "Paul",
]
NOMS = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
]
CARAC_SALLE = [
    ("wifi", 0.92),
    ("projecteur", 0.45),
    ("visio", 0.35),
    ("tableau_blanc", 0.5),
    ("ecran", 0.4),
    ("climatisation", 0.3),
    ("accessible_pmr", 0.25),
    ("sonorisation", 0.08),
    ("paperboard", 0.2),
]
CARAC_EQUIPEMENT = [
    ("hdmi", 0.5),
    ("usb_c", 0.4),
    ("wifi", 0.3),
    ("micro", 0.25),
    ("camera", 0.2),
    ("trepied", 0.1),
    ("batterie", 0.3),
]
CARAC_VEHICULE = [
    ("electrique", 0.35),
    ("hybride", 0.25),
    ("gps", 0.8),
    ("climatisation", 0.7),
    ("attelage", 0.1),
    ("utilitaire", 0.2),
]
CAPACITES_SALLE = [2, 4, 4, 6, 6, 8, 8, 10, 12, 12, 16, 20, 30, 50, 80, 120]
EQUIPEMENTS = [
    "Vidéoprojecteur",
    "Ordinateur portable",
    "Kit visio",
    "Caméra",
    "Sonorisation mobile",
    "Tablette",
]
VEHICULES = ["Renault Zoé", "Peugeot e-208", "Citroën Berlingo", "Renault Master", "Dacia Spring"]
DUREES = {  # minutes
    "salle": [30, 60, 60, 60, 90, 120, 120, 180, 240],
    "equipement": [60, 120, 120, 240, 480],
    "vehicule": [120, 240, 240, 480, 660],
}
MOTIFS = [
    "Réunion d'équipe",
    "Point projet",
    "Entretien",
    "Formation interne",
    "Comité de direction",
    "Atelier",
    "Revue de sprint",
    "Rendez-vous client",
    "Visite de site",
    "Démonstration",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size factor (1 = full size)")
    parser.add_argument("--flush", action="store_true", help="empty the tables first")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="do not refresh the planner statistics (ANALYZE) at the end",
    )
    parser.add_argument(
        "--historique-jours",
        type=int,
        default=JOURS_PASSES,
        help=f"days of past reservations (default {JOURS_PASSES}); the reservations grow with "
        f"them at the same density, e.g. 2340 for ten times as many (growth runs)",
    )
    parser.add_argument("--context", default=str(RESULTATS / "context.json"))
    return parser.parse_args()


class Chrono:
    def __init__(self):
        self.debut = self.etape = horloge.perf_counter()
        self.etapes = {}

    def top(self, nom, detail=""):
        maintenant = horloge.perf_counter()
        duree = maintenant - self.etape
        self.etapes[nom] = round(duree, 3)
        self.etape = maintenant
        print(f"  {nom:<28} {duree:7.2f} s  {detail}", flush=True)

    @property
    def total(self):
        return horloge.perf_counter() - self.debut


def creer_base_postgres_si_absente():
    """``createdb`` for a PostgreSQL DATABASE_URL whose database does not exist yet."""
    from django.conf import settings

    base = settings.DATABASES["default"]
    if base["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    params = {
        "host": base.get("HOST") or None,
        "port": base.get("PORT") or None,
        "user": base.get("USER") or None,
        "password": base.get("PASSWORD") or None,
    }
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        existe = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [base["NAME"]])
        if existe.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{base["NAME"]}"')
            print(f"  created database {base['NAME']}")


def vider(modeles):
    """Empty the project's tables (fast: TRUNCATE on PostgreSQL, raw DELETE on SQLite)."""
    from django.db import connection, transaction

    from sites.models import Department

    tables = [m._meta.db_table for m in modeles]
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "TRUNCATE {} RESTART IDENTITY CASCADE".format(
                    ", ".join(connection.ops.quote_name(t) for t in [*tables, "django_admin_log"])
                )
            )
            return
        cur.execute("DELETE FROM django_admin_log")
        Department.objects.update(manager=None)
        for table in tables:
            cur.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
        cur.execute(
            "DELETE FROM sqlite_sequence WHERE name IN ({})".format(",".join("%s" for _ in tables)),
            tables,
        )


def choisir_sous_liste(rng, table):
    return [nom for nom, proba in table if rng.random() < proba]


def poisson(rng, lam):
    """Knuth's Poisson sampler (small lambdas)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    seuil, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= seuil:
            return k
        k += 1


class Periodes:
    """The unavailability periods of one ressource in local naive time, for quick checks.

    Every period generated here stays within one day (or is a multi-day one-off), so a
    reservation of one day meets at most one occurrence of each repeating period."""

    def __init__(self):
        self.bloquantes = []  # (recurrence, debut_naif, fin_naif, fin_recurrence)
        self.normales = []

    @staticmethod
    def _occurrence(periode, jour):
        recurrence, debut, fin, fin_rec = periode
        if recurrence == "ponctuel":
            return debut, fin
        if jour < debut.date() or (fin_rec is not None and jour > fin_rec):
            return None
        if recurrence == "hebdomadaire" and jour.weekday() != debut.weekday():
            return None
        decalage = jour - debut.date()
        return debut + decalage, fin + decalage

    def admet(self, debut, fin):
        jour = debut.date()
        for periode in self.bloquantes:
            occ = self._occurrence(periode, jour)
            if occ and occ[0] < fin and occ[1] > debut:
                return False
        if not self.normales:
            return True
        for periode in self.normales:
            occ = self._occurrence(periode, jour)
            if occ and occ[0] <= debut and fin <= occ[1]:
                return True
        return False


def main():
    args = parse_args()
    chrono = Chrono()
    rng = random.Random(args.seed)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import MARQUE_COMPTES, AuthToken, Autorisation, Priorite, Role, User
    from reservations.models import Evenement, Reservation, ResourceAvailability
    from ressources.models import Ressource
    from ressources.recherche_texte import texte_de
    from sites.models import MARQUE_REFERENTIEL, Department, Site

    base = settings.DATABASES["default"]
    print(f"Database: {base['ENGINE'].rsplit('.', 1)[-1]} {base['NAME']}  scale={args.scale}")
    creer_base_postgres_si_absente()
    call_command("migrate", interactive=False, verbosity=0)
    chrono.top("migrate")

    modeles = [
        AuthToken,
        Evenement,
        Reservation,
        ResourceAvailability,
        Ressource,
        User,
        Department,
        Site,
    ]
    if args.flush:
        vider(modeles)
        chrono.top("flush")
    elif User.objects.exists() or Ressource.objects.exists():
        sys.exit("The database is not empty: add --flush to replace its contents.")

    def echelle(n, minimum=1):
        return max(minimum, round(n * args.scale))

    n_sites = echelle(20, 2)
    n_departements = echelle(100, n_sites)
    n_users = echelle(2000, 20)
    n_ressources = echelle(5000, 30)
    n_periodes = echelle(2000, 10)
    jours_passes = args.historique_jours
    # The same density per day: a longer history means proportionally more reservations.
    n_reservations = echelle(
        round(200_000 * (jours_passes + JOURS_FUTURS) / (JOURS_PASSES + JOURS_FUTURS)), 100
    )
    lot = args.batch_size
    zone = ZoneInfo(settings.TIME_ZONE)
    maintenant = timezone.now()
    maintenant_local = maintenant.astimezone(zone).replace(tzinfo=None)
    aujourdhui = maintenant_local.date()

    # --- Sites and departments ------------------------------------------------------------
    with transaction.atomic():
        sites = Site.objects.bulk_create(
            [
                Site(
                    nom=f"Site de {VILLES[i % len(VILLES)]}"
                    + (f" {i // len(VILLES) + 1}" if i >= len(VILLES) else ""),
                    adresse=f"{10 + i} avenue de la République, {VILLES[i % len(VILLES)]}",
                    horaires_ouverture=HORAIRES_SITES[i % len(HORAIRES_SITES)][0],
                    horaires_fermeture=HORAIRES_SITES[i % len(HORAIRES_SITES)][1],
                )
                for i in range(n_sites)
            ]
        )
        departements = Department.objects.bulk_create(
            [
                Department(
                    nom=f"{NOMS_DEPARTEMENTS[(i // n_sites) % len(NOMS_DEPARTEMENTS)]} "
                    f"{sites[i % n_sites].nom[8:]} {i // (n_sites * len(NOMS_DEPARTEMENTS)) or ''}".strip(),
                    site=sites[i % n_sites],
                    budget_annuel=Decimal(rng.randrange(100, 2000) * 1000),
                )
                for i in range(n_departements)
            ]
        )
    chrono.top("sites + departments", f"{len(sites)} sites, {len(departements)} departments")

    # --- Users --------------------------------------------------------------------------------
    mot_de_passe = make_password(MOT_DE_PASSE)
    n_admins = max(2, n_users // 200)
    n_managers = max(len(departements), n_users // 20) if n_users >= 200 else len(departements)
    users = []
    connus = [
        ("bench.admin", Role.ADMIN, "Admin Bench"),
        ("bench.manager", Role.MANAGER, "Manager Bench"),
        ("bench.employe", Role.EMPLOYE, "Employé Bench"),
    ]
    for i in range(n_users):
        if i < len(connus):
            identifiant, role, nom = connus[i]
        else:
            role = (
                Role.ADMIN
                if i < n_admins + len(connus)
                else Role.MANAGER
                if i < n_admins + n_managers + len(connus)
                else Role.EMPLOYE
            )
            identifiant = f"user{i:05d}"
            nom = f"{PRENOMS[i % len(PRENOMS)]} {NOMS[(i // len(PRENOMS)) % len(NOMS)]}"
        departement = departements[i % len(departements)]
        autorisations = []
        if role == Role.EMPLOYE and rng.random() < 0.03:
            autorisations = [
                rng.choice(
                    [
                        Autorisation.RESERVER_POUR_AUTRUI,
                        Autorisation.CONFIRMER_RESERVATIONS,
                        Autorisation.GERER_RESSOURCES,
                    ]
                ).value
            ]
        users.append(
            User(
                nom_utilisateur=identifiant,
                email=f"{identifiant}@{DOMAINE}",
                nom_prenom=nom,
                password=mot_de_passe,
                role=role,
                autorisations=autorisations,
                priorite=Priorite.PRIORITAIRE if rng.random() < 0.1 else Priorite.STANDARD,
                compte_actif=i < len(connus) or rng.random() > 0.02,
                site_principal_id=departement.site_id,
                department=departement,
            )
        )
    with transaction.atomic():
        users = User.objects.bulk_create(users, batch_size=lot)
        # Each department gets a manager of its own (the known manager heads the first one).
        managers = [u for u in users if u.role == Role.MANAGER]
        for i, departement in enumerate(departements):
            departement.manager = managers[i % len(managers)]
        Department.objects.bulk_update(departements, ["manager"], batch_size=lot)
    admin, manager, employe = users[0], users[1], users[2]
    chrono.top("users", f"{len(users)} users ({n_admins + 1} admins, {len(managers)} managers)")

    # --- Ressources ---------------------------------------------------------------------------
    ressources = []
    for i in range(n_ressources):
        site = sites[i % n_sites]
        tirage = rng.random()
        type_ = "salle" if tirage < 0.6 else "equipement" if tirage < 0.85 else "vehicule"
        ouverture = fermeture = None
        if type_ == "salle":
            nom = f"Salle {rng.choice(NOMS)} {i:05d}"
            capacite = rng.choice(CAPACITES_SALLE)
            carac = choisir_sous_liste(rng, CARAC_SALLE)
            batiment = f"Bâtiment {'ABCDEFGH'[rng.randrange(8)]}"
            if rng.random() < 0.2:
                ouverture, fermeture = rng.choice(HORAIRES_SALLES)
        elif type_ == "equipement":
            nom = f"{rng.choice(EQUIPEMENTS)} {i:05d}"
            capacite = 1
            carac = choisir_sous_liste(rng, CARAC_EQUIPEMENT)
            batiment = f"Bâtiment {'ABCDEFGH'[rng.randrange(8)]}"
        else:
            nom = f"{rng.choice(VEHICULES)} {i:05d}"
            capacite = rng.choice([2, 4, 5, 5, 7, 9])
            carac = choisir_sous_liste(rng, CARAC_VEHICULE)
            batiment = f"Parking P{rng.randrange(1, 4)}"
        tirage = rng.random()
        etat = "active" if tirage < 0.97 else "en_maintenance" if tirage < 0.99 else "hors_service"
        ressources.append(
            Ressource(
                nom=nom,
                type_ressource=type_,
                capacite_maximum=capacite,
                description=f"{nom}, {site.nom}",
                caracteristiques=carac,
                site=site,
                localisation_batiment=batiment,
                localisation_etage=str(rng.randrange(0, 7)),
                localisation_numero=f"{rng.randrange(1, 60):02d}",
                etat=etat,
                horaires_ouverture=ouverture,
                horaires_fermeture=fermeture,
                images=[f"https://images.{DOMAINE}/ressources/{i}.jpg"]
                if rng.random() < 0.3
                else [],
                tarifs_horaires=Decimal(rng.randrange(5, 200)) if rng.random() < 0.4 else None,
                validation_requise=rng.random() < 0.05,
            )
        )
    # bulk_create skips Ressource.save(): fill the search column as save() would.
    for ressource in ressources:
        ressource.texte_recherche = texte_de(ressource)
    with transaction.atomic():
        ressources = Ressource.objects.bulk_create(ressources, batch_size=lot)
    chrono.top("ressources", f"{len(ressources)} ressources")

    # --- Unavailability periods ---------------------------------------------------------------
    periodes_par_ressource = {}
    disponibilites = []
    premier_jour = aujourdhui - timedelta(days=jours_passes)

    def local(jour, heure):
        return datetime.combine(jour, heure)

    def ajouter_periode(ressource, type_, recurrence, debut, fin, fin_recurrence, raison):
        disponibilites.append(
            ResourceAvailability(
                ressource=ressource,
                type_disponibilite=type_,
                debut=debut.replace(tzinfo=zone),
                fin=fin.replace(tzinfo=zone),
                recurrence=recurrence,
                fin_recurrence=fin_recurrence,
                raison_indisponibilite=raison,
            )
        )
        periodes = periodes_par_ressource.setdefault(ressource.pk, Periodes())
        cible = periodes.normales if type_ == "disponibilite_normale" else periodes.bloquantes
        cible.append((recurrence, debut, fin, fin_recurrence))

    n_normales = max(1, n_periodes // 40)
    actives = [r for r in ressources if r.etat == "active"]
    # A few ressources are only bookable in their normal windows (weekday working hours).
    for ressource in rng.sample(actives, min(n_normales, len(actives))):
        jour = premier_jour - timedelta(days=rng.randrange(0, 30))
        if rng.random() < 0.7:
            ajouter_periode(
                ressource,
                "disponibilite_normale",
                "quotidien",
                local(jour, time(9, 0)),
                local(jour, time(17, 0)),
                None,
                "",
            )
        else:
            for decalage in range(rng.randrange(2, 5)):
                j = jour + timedelta(days=decalage)
                ajouter_periode(
                    ressource,
                    "disponibilite_normale",
                    "hebdomadaire",
                    local(j, time(8, 0)),
                    local(j, time(18, 0)),
                    None,
                    "",
                )
    while len(disponibilites) < n_periodes:
        ressource = rng.choice(ressources)
        type_ = "maintenance" if rng.random() < 0.7 else "evenement_special"
        raison = "Maintenance planifiée" if type_ == "maintenance" else "Événement interne"
        jour = premier_jour + timedelta(days=rng.randrange(0, jours_passes + JOURS_FUTURS))
        tirage = rng.random()
        if tirage < 0.72:  # one-off: a few hours, or whole days
            if rng.random() < 0.25:
                debut = local(jour, time(0, 0))
                fin = debut + timedelta(days=rng.randrange(1, 4))
            else:
                debut = local(jour, time(rng.randrange(8, 17), rng.choice([0, 15, 30, 45])))
                fin = debut + timedelta(minutes=rng.choice([60, 90, 120, 180, 240]))
            ajouter_periode(ressource, type_, "ponctuel", debut, fin, None, raison)
        else:
            recurrence = "quotidien" if tirage < 0.86 else "hebdomadaire"
            heure = rng.choice([time(7, 0), time(12, 0), time(12, 30), time(17, 30), time(8, 0)])
            debut = local(jour, heure)
            fin = debut + timedelta(minutes=rng.choice([30, 60, 60, 120]))
            fin_recurrence = (
                None if rng.random() < 0.4 else jour + timedelta(days=rng.randrange(7, 120))
            )
            ajouter_periode(
                ressource, type_, recurrence, debut, fin, fin_recurrence, "Entretien récurrent"
            )
    with transaction.atomic():
        ResourceAvailability.objects.bulk_create(disponibilites, batch_size=lot)
    chrono.top("unavailabilities", f"{len(disponibilites)} periods")

    # --- Reservations -------------------------------------------------------------------------
    users_par_site = {}
    for u in users:
        if u.compte_actif:
            users_par_site.setdefault(u.site_principal_id, []).append(u.pk)
    tous_users = [u.pk for u in users if u.compte_actif]
    createurs_autres = [u.pk for u in users if u.role in (Role.ADMIN, Role.MANAGER)]
    jours = [premier_jour + timedelta(days=k) for k in range(jours_passes + JOURS_FUTURS + 1)]
    # Popularity: log-normal, so a few ressources are busy and many are quiet.
    poids = [rng.lognormvariate(0, 0.9) for _ in ressources]
    somme = sum(poids)
    jours_ouvres = sum(1 for j in jours if j.weekday() < 5)
    vide = Periodes()
    lignes = []  # (ressource_id, user_id, createur_id, debut, fin, statut, participants, motif)
    for ressource, p in zip(ressources, poids, strict=True):
        type_ = ressource.type_ressource
        active = ressource.etat == "active"
        site = ressource.site
        ouverture, fermeture = (
            (ressource.horaires_ouverture, ressource.horaires_fermeture)
            if ressource.horaires_ouverture
            else (site.horaires_ouverture, site.horaires_fermeture)
        )
        h_min, h_max = max(ouverture, HEURE_MIN), min(fermeture, HEURE_MAX)
        m_min = h_min.hour * 60 + h_min.minute
        m_max = h_max.hour * 60 + h_max.minute
        m_min += -m_min % 15
        m_max -= m_max % 15
        durees = DUREES[type_]
        lam = n_reservations * p / somme / jours_ouvres * 1.035
        periodes = periodes_par_ressource.get(ressource.pk, vide)
        locaux = users_par_site.get(ressource.site_id) or tous_users
        for jour in jours:
            if jour.weekday() >= 5 and (type_ != "vehicule" or rng.random() > 0.15):
                continue
            if not active and jour >= aujourdhui:
                break
            k = poisson(rng, lam)
            curseur = m_min
            for _ in range(k):
                curseur += 15 * rng.choice((0, 0, 1, 2, 4, 8))
                duree = rng.choice(durees)
                if curseur + duree > m_max:
                    duree = max(30, (m_max - curseur) // 15 * 15)
                    if curseur + duree > m_max:
                        break
                debut = datetime(jour.year, jour.month, jour.day, curseur // 60, curseur % 60)
                fin = debut + timedelta(minutes=duree)
                if not periodes.admet(debut, fin):
                    curseur += 15
                    continue
                curseur += duree
                user_id = rng.choice(locaux) if rng.random() < 0.85 else rng.choice(tous_users)
                createur_id = user_id if rng.random() < 0.95 else rng.choice(createurs_autres)
                participants = rng.randint(1, ressource.capacite_maximum) if type_ == "salle" else 1
                lignes.append(
                    (ressource.pk, user_id, createur_id, debut, fin, participants, ressource)
                )
    chrono.top("reservations (generate)", f"{len(lignes)} slots")

    # The known employee books regularly (about 150 reservations, some ahead).
    for indice in rng.sample(range(len(lignes)), min(150, len(lignes))):
        ligne = list(lignes[indice])
        ligne[1] = ligne[2] = employe.pk
        lignes[indice] = tuple(ligne)

    def statut(debut, fin, ressource):
        t = rng.random()
        if fin <= maintenant_local:
            return (
                "fini"
                if t < 0.82
                else "annule"
                if t < 0.9
                else "non_present"
                if t < 0.93
                else "confirme"
            )
        if debut <= maintenant_local:
            return "confirme"
        if t < 0.08:
            return "annule"
        if ressource.validation_requise:
            return "en_cours" if t < 0.6 else "confirme"
        return "en_cours" if t < 0.13 else "confirme"

    # The facts reserver() freezes: the ressource's site, the beneficiary's department.
    departement_de = {u.pk: u.department_id for u in users}
    objets = [
        Reservation(
            ressource_id=rid,
            user_id=uid,
            createur_id=cid,
            site_id=ressource.site_id,
            department_id=departement_de.get(uid),
            debut=debut.replace(tzinfo=zone),
            fin=fin.replace(tzinfo=zone),
            statut=statut(debut, fin, ressource),
            description=MOTIFS[(rid + debut.day) % len(MOTIFS)],
            nbr_participants=participants,
        )
        for rid, uid, cid, debut, fin, participants, ressource in lignes
    ]
    del lignes
    # Rows reach a real table roughly in booking order, not ressource by ressource: insert
    # them by start time so the physical layout (and the planner's correlation) is realistic.
    objets.sort(key=lambda r: r.debut)
    chrono.top("reservations (objects)", f"{len(objets)} objects")
    for i in range(0, len(objets), 50_000):
        with transaction.atomic():
            Reservation.objects.bulk_create(objets[i : i + 50_000], batch_size=lot)
    chrono.top("reservations (insert)", f"{len(objets)} rows")

    # --- Statistics, tokens, context ----------------------------------------------------------
    if args.analyze:
        # What autovacuum would have done by then on PostgreSQL (statistics and the
        # visibility map, which index-only scans need); statistics only on SQLite.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        chrono.top("analyze")

    employes_tokens = [
        u for u in users if u.role == Role.EMPLOYE and u.compte_actif and not u.autorisations
    ][:16]
    contexte = {
        "built_at": maintenant.isoformat(),
        "database": {
            "vendor": connection.vendor,
            "name": str(base["NAME"]),
        },
        "scale": args.scale,
        "time_zone": settings.TIME_ZONE,
        "password": MOT_DE_PASSE,
        "counts": {
            "sites": len(sites),
            "departments": len(departements),
            "users": len(users),
            "ressources": len(ressources),
            "disponibilites": len(disponibilites),
            "reservations": len(objets),
        },
        "admin": {"id": admin.pk, "email": admin.email, "token": AuthToken.emettre(admin)},
        "manager": {"id": manager.pk, "email": manager.email, "token": AuthToken.emettre(manager)},
        "employe": {"id": employe.pk, "email": employe.email, "token": AuthToken.emettre(employe)},
        "employes": [
            {"id": u.pk, "email": u.email, "token": AuthToken.emettre(u)} for u in employes_tokens
        ],
        "site_ids": [s.pk for s in sites],
        "department_ids": [d.pk for d in departements],
        "ressource_id_range": [ressources[0].pk, ressources[-1].pk],
        "ressource_ids_sample": [r.pk for r in rng.sample(ressources, min(500, len(ressources)))],
        # Ressources a plain employee booking of 1 participant between 08:00 and 19:00 on a
        # weekday can land on: active, no approval, no normal windows, open 08:00-19:00.
        "ressource_ids_reservables": [
            r.pk
            for r in ressources
            if r.etat == "active"
            and not r.validation_requise
            and r.type_ressource != "vehicule"
            and r.pk not in periodes_par_ressource
            and (r.horaires_ouverture is None or r.horaires_ouverture <= HEURE_MIN)
            and (r.horaires_fermeture is None or r.horaires_fermeture >= HEURE_MAX)
        ],
        "caracteristiques": sorted(
            {c for table in (CARAC_SALLE, CARAC_EQUIPEMENT, CARAC_VEHICULE) for c, _ in table}
        ),
        "batiments": [f"Bâtiment {c}" for c in "ABCDEFGH"] + ["Parking P1"],
        "jours_futurs": JOURS_FUTURS,
        "timings_s": {**chrono.etapes, "total": round(chrono.total, 2)},
    }
    chemin = Path(args.context)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_text(json.dumps(contexte, indent=2, ensure_ascii=False))
    chrono.top("tokens + context", str(chemin))
    contexte["timings_s"]["total"] = round(chrono.total, 2)
    chemin.write_text(json.dumps(contexte, indent=2, ensure_ascii=False))
    # Bulk writes run no receiver: a server already running forgets what it kept.
    MARQUE_COMPTES.changer()
    MARQUE_REFERENTIEL.changer()
    print(f"Done in {chrono.total:.1f} s: {json.dumps(contexte['counts'])}")


if __name__ == "__main__":
    main()
