#!/usr/bin/env python3
"""Load generator for the Resa API: standard library only.

    python3 bench/load.py --base http://127.0.0.1:8000 --context bench/results/context.json \
        [--clients 1,8] [--duration 10] [--warmup 2] [--label sqlite] [--only free_search,...]

Each scenario runs at each ``--clients`` level (concurrent clients) for ``--duration`` seconds (after a
warm-up that is not counted). A client is an asyncio task holding one HTTP/1.1 keep-alive
connection, sending a request as soon as the previous answer is fully read (closed loop).
Latency is measured from the first byte written to the last byte of the body read.

An answer counts as an error when its status is not one the scenario expects (e.g. a 5xx),
when the connection fails, or when it takes more than ``--timeout`` seconds. The
``concurrency_64`` scenario runs 64 clients on a mix of every hot endpoint and also checks
that every client finished on time (no hang). The ``bare_drf`` scenario calls a DRF view that
does nothing (``GET /bench/vide``, served only when the server runs with ``RESA_BENCH=1``, as
``bench/run.sh`` starts it): the floor of what any endpoint costs on that server, in the same run.

Prints a markdown table and writes everything (status histograms included) as JSON to
``bench/results/load_<label>_<timestamp>.json``.
"""

import argparse
import asyncio
import json
import os
import random
import sys
import time
import urllib.parse
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

RESULTATS = Path(__file__).resolve().parent / "results"


# --- A minimal HTTP/1.1 keep-alive client ------------------------------------------------------


class Connexion:
    garder = True  # keep-alive; ``--no-keepalive``: one connection per request

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def ouvrir(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def fermer(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def requete(self, methode, chemin, token=None, corps=None):
        """Send one request, return ``(status, body bytes)``. Reconnects when needed."""
        if self.writer is None:
            await self.ouvrir()
        lignes = [
            f"{methode} {chemin} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Accept: application/json",
            "Connection: keep-alive" if self.garder else "Connection: close",
        ]
        if token:
            lignes.append(f"Authorization: Bearer {token}")
        donnees = b""
        if corps is not None:
            donnees = json.dumps(corps).encode()
            lignes.append("Content-Type: application/json")
        if corps is not None or methode in ("POST", "PUT", "PATCH"):
            lignes.append(f"Content-Length: {len(donnees)}")
        self.writer.write(("\r\n".join(lignes) + "\r\n\r\n").encode() + donnees)
        await self.writer.drain()

        ligne = await self.reader.readline()
        if not ligne:
            raise ConnectionError("connection closed by the server")
        status = int(ligne.split(b" ", 2)[1])
        entetes = {}
        while True:
            ligne = await self.reader.readline()
            if ligne in (b"\r\n", b"\n", b""):
                break
            nom, _, valeur = ligne.decode("latin-1").partition(":")
            entetes[nom.strip().lower()] = valeur.strip()
        if "content-length" in entetes:
            corps_reponse = await self.reader.readexactly(int(entetes["content-length"]))
        elif entetes.get("transfer-encoding", "").lower() == "chunked":
            morceaux = []
            while True:
                taille = int((await self.reader.readline()).split(b";")[0].strip(), 16)
                if taille == 0:
                    await self.reader.readline()
                    break
                morceaux.append(await self.reader.readexactly(taille))
                await self.reader.readline()
            corps_reponse = b"".join(morceaux)
        else:
            corps_reponse = await self.reader.read()
            self.fermer()
        if entetes.get("connection", "").lower() == "close" or not self.garder:
            self.fermer()
        return status, corps_reponse


# --- Scenarios -----------------------------------------------------------------------------------


class Contexte:
    """What the dataset builder wrote, plus helpers to draw realistic requests."""

    def __init__(self, donnees):
        self.d = donnees
        self.zone = ZoneInfo(donnees.get("time_zone", "Europe/Paris"))
        self.premier_id, self.dernier_id = donnees["ressource_id_range"]
        self.reservables = donnees["ressource_ids_reservables"]
        self.employes = [donnees["employe"], *donnees.get("employes", [])]

    @property
    def admin_token(self):
        return self.d["admin"]["token"]

    def jour_futur(self, rng, ouvre=True):
        aujourdhui = datetime.now(self.zone).date()
        while True:
            jour = aujourdhui + timedelta(days=rng.randint(1, self.d.get("jours_futurs", 60)))
            if not ouvre or jour.weekday() < 5:
                return jour

    def fenetre(self, rng, duree_minutes, heure_min=8, heure_max=19):
        """A window on the 15-minute grid of a future weekday, inside heure_min..heure_max."""
        jour = self.jour_futur(rng)
        quarts = (heure_max - heure_min) * 4 - duree_minutes // 15
        debut = datetime(jour.year, jour.month, jour.day, heure_min) + timedelta(
            minutes=15 * rng.randint(0, quarts)
        )
        return debut, debut + timedelta(minutes=duree_minutes)


def _qs(params):
    return urllib.parse.urlencode(params, safe=",")


def filtres_liste(rng, ctx):
    params = {}
    if rng.random() < 0.4:
        params["type_of_ressource"] = rng.choice(["salle", "equipement", "vehicule"])
    if rng.random() < 0.4:
        params["site_id"] = rng.choice(ctx.d["site_ids"])
    if rng.random() < 0.15:
        params["batiment"] = rng.choice(ctx.d["batiments"])[-1:]  # substring, e.g. "C"
    if rng.random() < 0.3:
        params["disponible"] = "true"
    if rng.random() < 0.3:
        params["caracteristiques"] = ",".join(
            rng.sample(["wifi", "projecteur", "visio", "tableau_blanc", "ecran"], rng.randint(1, 2))
        )
    if rng.random() < 0.3:
        params["minimum_capacity"] = rng.choice([2, 4, 8, 12, 20])
    if rng.random() < 0.3:
        params["sort_by"] = rng.choice(["nom", "capacite", "type"])
        params["sort_order"] = rng.choice(["asc", "desc"])
    return params


def sc_bare_drf(rng, ctx):
    # resa_project/bench_view.py: constant body, no authentication, no throttle, no query.
    return "GET", "/bench/vide", None, None


def sc_auth_me(rng, ctx):
    return "GET", "/auth/me", rng.choice(ctx.employes)["token"], None


def sc_sites(rng, ctx):
    return "GET", "/sites/", rng.choice(ctx.employes)["token"], None


def sc_ressource_list_filtered(rng, ctx):
    """The issue's "filtered and sorted, limit 50": always a filter and a sort."""
    params = {
        "limit": 50,
        "type_of_ressource": rng.choice(["salle", "equipement", "vehicule"]),
        "sort_by": rng.choice(["nom", "capacite", "type"]),
        "sort_order": rng.choice(["asc", "desc"]),
    }
    if rng.random() < 0.5:
        params["site_id"] = rng.choice(ctx.d["site_ids"])
    if rng.random() < 0.5:
        params["minimum_capacity"] = rng.choice([2, 4, 8, 12])
    return "GET", f"/ressources/?{_qs(params)}", ctx.admin_token, None


MOTS_RECHERCHE = ["salle", "proj", "visio", "réunion", "vehic", "ecran", "tableau", "bat"]


def sc_search_q(rng, ctx):
    """C9 full-text ``q`` over the 5,000 ressources (issue 12: p50 under 30 ms)."""
    mots = " ".join(rng.sample(MOTS_RECHERCHE, rng.choice([1, 1, 2])))
    params = {"q": mots, "limit": 50}
    return "GET", f"/ressources/?{_qs(params)}", rng.choice(ctx.employes)["token"], None


def sc_statistiques_annee(rng, ctx):
    """C8 statistics over the last 365 days (the longest period C8 allows is 366), grouped at random (issue 12: p50 under 500 ms)."""
    au = date.today()
    params = {
        "du": (au - timedelta(days=364)).isoformat(),
        "au": au.isoformat(),
        "grouper_par": rng.choice(["site", "department", "type_ressource", "mois", "semaine"]),
    }
    return "GET", f"/statistiques/?{_qs(params)}", ctx.admin_token, None


def sc_ressource_list(rng, ctx):
    params = {"limit": 100, **filtres_liste(rng, ctx)}
    if rng.random() < 0.2:
        params["offset"] = rng.choice([100, 500, 1000])
    return "GET", f"/ressources/?{_qs(params)}", ctx.admin_token, None


def sc_ressource_detail(rng, ctx):
    rid = rng.randint(ctx.premier_id, ctx.dernier_id)
    token = rng.choice(ctx.employes)["token"]
    return "GET", f"/ressources/{rid}", token, None


def _recherche(rng, ctx, filtres):
    debut, fin = ctx.fenetre(rng, 120)
    params = {"debut": debut.isoformat(), "fin": fin.isoformat()}
    if filtres:
        params.update(filtres_liste(rng, ctx) or {"type_of_ressource": "salle"})
        params.pop("disponible", None)
    token = rng.choice(ctx.employes)["token"]
    return "GET", f"/ressources/disponibles?{_qs(params)}", token, None


def sc_free_search(rng, ctx):
    return _recherche(rng, ctx, filtres=False)


def sc_free_search_filtered(rng, ctx):
    return _recherche(rng, ctx, filtres=True)


def _liste_reservations(rng, ctx, token):
    params = {"limit": 50}
    tirage = rng.random()
    if tirage < 0.2:
        params["statut"] = rng.choice(["confirme", "en_cours", "confirme,en_cours", "fini"])
    elif tirage < 0.35:
        jour = ctx.jour_futur(rng, ouvre=False)
        params["du"] = jour.isoformat()
        params["au"] = (jour + timedelta(days=7)).isoformat()
    elif tirage < 0.45:
        params["sort_by"] = "date_creation"
        params["sort_order"] = "desc"
    if rng.random() < 0.15:
        params["offset"] = rng.choice([50, 200, 1000])
    return "GET", f"/reservations/?{_qs(params)}", token, None


def sc_reservation_list_admin(rng, ctx):
    return _liste_reservations(rng, ctx, ctx.admin_token)


def sc_reservation_list_employe(rng, ctx):
    return _liste_reservations(rng, ctx, rng.choice(ctx.employes)["token"])


def sc_reservation_create(rng, ctx):
    debut, fin = ctx.fenetre(rng, rng.choice([30, 60, 60, 90, 120]))
    corps = {
        "ressource_id": rng.choice(ctx.reservables),
        "debut": debut.isoformat(),
        "fin": fin.isoformat(),
        "description": "Réservation de charge (bench)",
        "nbr_participants": 1,
    }
    return "POST", "/reservations/", rng.choice(ctx.employes)["token"], corps


def sc_series_52_simulation(rng, ctx):
    """A weekly series over a year (52 dates) with its report and the alternatives of the
    taken dates, in simulation (nothing stored, so the run can repeat it)."""
    debut, fin = ctx.fenetre(rng, rng.choice([60, 90]), heure_min=9, heure_max=17)
    corps = {
        "ressource_id": rng.choice(ctx.reservables),
        "debut": debut.isoformat(),
        "fin": fin.isoformat(),
        "description": "Série de charge (bench)",
        "nbr_participants": 1,
        "recurrence": {"frequence": "hebdomadaire", "nombre": 52},
        "mode": "ignorer_conflits",
    }
    return "POST", "/reservations/series?simulation=true", rng.choice(ctx.employes)["token"], corps


OK = frozenset({200})
SCENARIOS = {
    # name: (request factory, expected statuses)
    "bare_drf": (sc_bare_drf, OK),
    "auth_me": (sc_auth_me, OK),
    "sites": (sc_sites, OK),
    "ressource_list": (sc_ressource_list, OK),
    "ressource_list_filtered": (sc_ressource_list_filtered, OK),
    "ressource_detail": (sc_ressource_detail, OK),
    "free_search": (sc_free_search, OK),
    "free_search_filtered": (sc_free_search_filtered, OK),
    "reservation_list_admin": (sc_reservation_list_admin, OK),
    "reservation_list_employe": (sc_reservation_list_employe, OK),
    "reservation_create": (sc_reservation_create, frozenset({201, 409})),
    "series_52_simulation": (sc_series_52_simulation, frozenset({200, 409})),
    "search_q": (sc_search_q, OK),
    "statistiques_annee": (sc_statistiques_annee, OK),
}
MIX = [  # (scenario, weight) of the concurrency_64 scenario (real endpoints only: no bare_drf)
    ("ressource_list", 15),
    ("ressource_detail", 25),
    ("free_search", 10),
    ("free_search_filtered", 10),
    ("reservation_list_admin", 10),
    ("reservation_list_employe", 15),
    ("reservation_create", 15),
]


# --- Running ------------------------------------------------------------------------------------


def _temps_cpu():
    with open("/proc/stat") as f:
        valeurs = [int(v) for v in f.readline().split()[1:]]
    return sum(valeurs), valeurs[3] + valeurs[4]  # total, idle + iowait


async def cpu_occupe(duree=1.0):
    """Percent of the machine's CPU busy during ``duree`` seconds while we send nothing:
    what other processes take from the benchmark (None where /proc/stat is missing)."""
    try:
        total0, libre0 = _temps_cpu()
        await asyncio.sleep(duree)
        total1, libre1 = _temps_cpu()
    except OSError:
        return None
    total = total1 - total0
    return round(100 * (1 - (libre1 - libre0) / total), 1) if total else None


def percentile(valeurs_triees, p):
    if not valeurs_triees:
        return None
    rang = max(0, min(len(valeurs_triees) - 1, round(p / 100 * len(valeurs_triees) + 0.5) - 1))
    return valeurs_triees[rang]


class Mesures:
    def __init__(self):
        self.latences = []
        self.statuts = {}
        self.erreurs = 0
        self.exemples_erreurs = []

    def noter(self, statut, latence, attendu, detail=None):
        self.statuts[str(statut)] = self.statuts.get(str(statut), 0) + 1
        self.latences.append(latence)
        if not attendu:
            self.erreurs += 1
            if len(self.exemples_erreurs) < 5:
                self.exemples_erreurs.append(f"{statut}: {detail}"[:300])


async def client(hote, port, tirage, rng, ctx, fin_mesure, debut_mesure, mesures, timeout):
    conn = Connexion(hote, port)
    try:
        while time.perf_counter() < fin_mesure:
            nom, (fabrique, attendus) = tirage(rng)
            methode, chemin, token, corps = fabrique(rng, ctx)
            t0 = time.perf_counter()
            try:
                statut, reponse = await asyncio.wait_for(
                    conn.requete(methode, chemin, token, corps), timeout
                )
                detail = None if statut in attendus else f"{methode} {chemin} -> {reponse[:200]!r}"
            except TimeoutError:
                statut, detail = "timeout", f"{methode} {chemin}"
                conn.fermer()
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                statut, detail = "connexion", f"{methode} {chemin}: {exc!r}"
                conn.fermer()
            t1 = time.perf_counter()
            if t0 >= debut_mesure:
                mesures[nom].noter(statut, t1 - t0, statut in attendus, detail)
    finally:
        conn.fermer()


async def lancer(hote, port, ctx, nom, tirage, noms, clients, duree, warmup, timeout, graine):
    mesures = {n: Mesures() for n in noms}
    debut = time.perf_counter()
    debut_mesure = debut + warmup
    fin_mesure = debut_mesure + duree
    taches = [
        asyncio.create_task(
            client(
                hote,
                port,
                tirage,
                random.Random(f"{graine}-{nom}-{i}"),
                ctx,
                fin_mesure,
                debut_mesure,
                mesures,
                timeout,
            )
        )
        for i in range(clients)
    ]
    # Every client must finish its last request within the timeout: otherwise it hung.
    fini, en_retard = await asyncio.wait(taches, timeout=warmup + duree + timeout + 5)
    for tache in en_retard:
        tache.cancel()
    for tache in fini:
        if tache.exception() is not None:
            raise tache.exception()
    ecoule = min(time.perf_counter(), fin_mesure + timeout) - debut_mesure
    return mesures, len(en_retard), ecoule


def resumer(nom, clients, mesures, ecoule, bloques=0, brut=False):
    lat = sorted(mesures.latences)
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {
        "scenario": nom,
        "clients": clients,
        "count": len(lat),
        "errors": mesures.erreurs + bloques,
        "hung_clients": bloques,
        "throughput_rps": round(len(lat) / ecoule, 1) if ecoule > 0 else None,
        "p50_ms": ms(percentile(lat, 50)),
        "p90_ms": ms(percentile(lat, 90)),
        "p99_ms": ms(percentile(lat, 99)),
        "max_ms": ms(lat[-1] if lat else None),
        "statuses": dict(sorted(mesures.statuts.items())),
        "error_samples": mesures.exemples_erreurs,
        **({"latencies_ms": [round(v * 1000, 2) for v in mesures.latences]} if brut else {}),
    }


def _part_du_plancher(ligne, lignes):
    """req/s as a share of the bare DRF view's at the same concurrency, in the same run: what
    the endpoint keeps of the framework's ceiling on the machine at hand."""
    plancher = next(
        (
            r["throughput_rps"]
            for r in lignes
            if r["scenario"] == "bare_drf" and r["clients"] == ligne["clients"]
        ),
        None,
    )
    if not plancher or not ligne["throughput_rps"]:
        return ""
    return f"{ligne['throughput_rps'] / plancher:.2f}"


def tableau(lignes):
    entete = (
        "| scenario | clients | requests | errors | req/s | / bare DRF | p50 ms | p90 ms | p99 ms "
        "| max ms | statuses | CPU busy before |"
    )
    sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
    corps = [
        f"| {r['scenario']} | {r['clients']} | {r['count']} | {r['errors']} | "
        f"{r['throughput_rps']} | {_part_du_plancher(r, lignes)} | {r['p50_ms']} | {r['p90_ms']} "
        f"| {r['p99_ms']} | {r['max_ms']} | "
        + " ".join(f"{k}:{v}" for k, v in r["statuses"].items())
        + f" | {'' if r.get('cpu_busy_before_pct') is None else str(r['cpu_busy_before_pct']) + '%'} |"
        for r in lignes
    ]
    return "\n".join([entete, sep, *corps])


async def verifier_tokens(hote, port, ctx):
    """Tokens expire (24 h): log in again with the dataset's password when one is refused."""
    conn = Connexion(hote, port)
    try:
        for compte in [ctx.d["admin"], ctx.d["manager"], *ctx.employes]:
            statut, _ = await conn.requete("GET", "/auth/me", compte["token"])
            if statut == 401:
                statut, corps = await conn.requete(
                    "POST",
                    "/auth/login",
                    corps={"email": compte["email"], "password": ctx.d["password"]},
                )
                if statut != 200:
                    sys.exit(f"login of {compte['email']} failed: {statut} {corps[:200]!r}")
                compte["token"] = json.loads(corps)["token"]
            elif statut != 200:
                print(f"warning: GET /auth/me -> {statut} for {compte['email']}", file=sys.stderr)
    finally:
        conn.fermer()


async def sonder(hote, port, ctx, noms):
    """One request per scenario before measuring: say what answers what."""
    conn = Connexion(hote, port)
    rng = random.Random(0)
    try:
        for nom in noms:
            fabrique, attendus = SCENARIOS[nom]
            methode, chemin, token, corps = fabrique(rng, ctx)
            t0 = time.perf_counter()
            statut, reponse = await conn.requete(methode, chemin, token, corps)
            duree = (time.perf_counter() - t0) * 1000
            etat = "ok" if statut in attendus else "UNEXPECTED"
            print(
                f"  probe {nom:<26} {statut} {etat:<10} {len(reponse):>8} B {duree:7.1f} ms  "
                f"{methode} {chemin[:90]}",
                flush=True,
            )
            if statut not in attendus:
                print(f"      {reponse[:300]!r}", flush=True)
                if nom == "bare_drf" and statut == 404:
                    print(
                        "      the server does not serve /bench/vide: start it with RESA_BENCH=1 "
                        "(bench/run.sh does)",
                        flush=True,
                    )
    finally:
        conn.fermer()


async def principal(args):
    Connexion.garder = not args.no_keepalive
    url = urllib.parse.urlsplit(args.base)
    hote, port = url.hostname, url.port or 80
    ctx = Contexte(json.loads(Path(args.context).read_text()))
    noms = [n for n in (args.only.split(",") if args.only else SCENARIOS) if n]
    inconnus = [n for n in noms if n not in SCENARIOS and n != "concurrency_64"]
    if inconnus:
        sys.exit(f"unknown scenario(s): {', '.join(inconnus)}")
    charge = await cpu_occupe(2.0)
    if charge is not None and charge > 10:
        print(
            f"warning: {charge}% of the CPU busy before the run: other processes share the "
            "machine, latencies will be inflated",
            file=sys.stderr,
        )
    await verifier_tokens(hote, port, ctx)
    await sonder(hote, port, ctx, [n for n in noms if n in SCENARIOS])

    lignes, details_mix = [], None
    for niveau in args.clients:
        for nom in noms:
            if nom == "concurrency_64":
                continue
            fixe = (nom, SCENARIOS[nom])
            charge = await cpu_occupe()
            mesures, bloques, ecoule = await lancer(
                hote,
                port,
                ctx,
                nom,
                lambda _rng, f=fixe: f,
                [nom],
                niveau,
                args.duration,
                args.warmup,
                args.timeout,
                args.seed,
            )
            ligne = resumer(nom, niveau, mesures[nom], ecoule, bloques, args.raw)
            ligne["cpu_busy_before_pct"] = charge
            lignes.append(ligne)
            print(
                f"  {nom:<26} c={niveau:<3} {ligne['count']:>6} req  "
                f"{ligne['throughput_rps']:>7} req/s  p50 {ligne['p50_ms']} ms  "
                f"p99 {ligne['p99_ms']} ms  errors {ligne['errors']}  (CPU busy before: {charge}%)",
                flush=True,
            )

    if not args.only or "concurrency_64" in noms:
        noms_mix, poids = zip(*MIX, strict=True)

        def tirage(rng):
            nom = rng.choices(noms_mix, poids)[0]
            return nom, SCENARIOS[nom]

        charge = await cpu_occupe()
        mesures, bloques, ecoule = await lancer(
            hote,
            port,
            ctx,
            "concurrency_64",
            tirage,
            noms_mix,
            64,
            args.duration,
            args.warmup,
            args.timeout,
            args.seed,
        )
        total = Mesures()
        for m in mesures.values():
            total.latences += m.latences
            total.erreurs += m.erreurs
            total.exemples_erreurs += m.exemples_erreurs[: 5 - len(total.exemples_erreurs)]
            for k, v in m.statuts.items():
                total.statuts[k] = total.statuts.get(k, 0) + v
        ligne = resumer("concurrency_64 (mix)", 64, total, ecoule, bloques)
        ligne["cpu_busy_before_pct"] = charge
        lignes.append(ligne)
        details_mix = [
            resumer(f"  64 / {n}", 64, mesures[n], ecoule) for n in noms_mix if mesures[n].latences
        ]
        print(
            f"  concurrency_64 (mix)       {ligne['count']:>6} req  {ligne['throughput_rps']:>7} "
            f"req/s  p50 {ligne['p50_ms']} ms  p99 {ligne['p99_ms']} ms  errors {ligne['errors']}  "
            f"hung clients {bloques}",
            flush=True,
        )

    horodatage = datetime.now().strftime("%Y%m%d-%H%M%S")
    resultat = {
        "label": args.label,
        "date": datetime.now().isoformat(timespec="seconds"),
        "base": args.base,
        "clients": args.clients,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "cpus": os.cpu_count(),
        "timeout_s": args.timeout,
        "keepalive": not args.no_keepalive,
        "dataset": ctx.d.get("counts"),
        "database": ctx.d.get("database"),
        "scenarios": lignes,
        "concurrency_64_breakdown": details_mix,
    }
    RESULTATS.mkdir(parents=True, exist_ok=True)
    chemin = Path(args.output or RESULTATS / f"load_{args.label}_{horodatage}.json")
    chemin.write_text(json.dumps(resultat, indent=2, ensure_ascii=False))
    print()
    print(f"### {args.label}: {args.duration} s per scenario and concurrency level")
    print()
    print(tableau(lignes + (details_mix or [])))
    print()
    print(f"JSON: {chemin}")
    erreurs = sum(r["errors"] for r in lignes)
    for r in lignes:
        for exemple in r["error_samples"]:
            print(f"  error sample [{r['scenario']}] {exemple}")
    return 1 if erreurs and args.strict else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--context", default=str(RESULTATS / "context.json"))
    parser.add_argument(
        "--clients",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1, 8],
        help="concurrency levels, e.g. 1,8 (each scenario runs at each level)",
    )
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--label", default="run")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--output", default="")
    parser.add_argument("--seed", default="resa")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any error")
    parser.add_argument(
        "--no-keepalive",
        action="store_true",
        help="a new connection per request (spreads requests over gunicorn's workers)",
    )
    parser.add_argument(
        "--raw", action="store_true", help="also write every latency (in sending order)"
    )
    args = parser.parse_args()
    sys.exit(asyncio.run(principal(args)))


if __name__ == "__main__":
    main()
