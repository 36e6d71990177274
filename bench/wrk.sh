#!/usr/bin/env bash
# The issue-13 table with wrk: req/s of the light and heavy read endpoints against a running
# server, 8 connections, side by side with the bare DRF view of the same server and run.
#
#   bench/wrk.sh http://127.0.0.1:8765 bench/results/context_sqlite.json [seconds] [connections]
#
# Needs wrk (Debian: apt install wrk) and a server started with RESA_BENCH=1 (bench/run.sh
# does; see bench/README.md). Each endpoint runs for `seconds` (10) after a 2-second warm-up.
set -euo pipefail
BASE=${1:?base URL}
CONTEXTE=${2:?context file}
DUREE=${3:-10}
CONNEXIONS=${4:-8}
PY=${PY:-python3}

lire() { "$PY" -c "import json,sys; d=json.load(open('$CONTEXTE')); print($1)"; }
ADMIN=$(lire 'd["admin"]["token"]')
EMPLOYE=$(lire 'd["employes"][0]["token"]')
PREMIER=$(lire 'd["ressource_id_range"][0]')
JOUR=$(lire '__import__("datetime").date.today().isoformat()')
DEMAIN=$("$PY" -c "import datetime as d; j=d.date.today()+d.timedelta(days=1)
while j.weekday()>4: j+=d.timedelta(days=1)
print(j.isoformat())")

ENDPOINTS=(
    "bare_drf|-|/bench/vide"
    "auth_me|$EMPLOYE|/auth/me"
    "sites|$EMPLOYE|/sites/"
    "ressource_list_100|$ADMIN|/ressources/?limit=100"
    "ressource_list_filtered_50|$ADMIN|/ressources/?limit=50&type_of_ressource=salle&minimum_capacity=4&sort_by=capacite&sort_order=desc"
    "ressource_detail|$EMPLOYE|/ressources/$((PREMIER + 17))"
    "free_search_2h|$EMPLOYE|/ressources/disponibles?debut=${DEMAIN}T10:00:00%2B01:00&fin=${DEMAIN}T12:00:00%2B01:00"
    "reservation_list_admin_50|$ADMIN|/reservations/?limit=50"
)

printf '| endpoint | req/s | / bare DRF | p50 ms | non-2xx |\n|---|---:|---:|---:|---:|\n'
PLANCHER=""
for ligne in "${ENDPOINTS[@]}"; do
    IFS='|' read -r nom jeton chemin <<<"$ligne"
    entete=()
    [[ "$jeton" != "-" ]] && entete=(-H "Authorization: Bearer $jeton")
    wrk -t2 -c"$CONNEXIONS" -d2s "${entete[@]}" "$BASE$chemin" >/dev/null
    sortie=$(wrk -t2 -c"$CONNEXIONS" -d"${DUREE}s" --latency "${entete[@]}" "$BASE$chemin")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$sortie")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$sortie")
    erreurs=$(awk '/Non-2xx/ {print $5}' <<<"$sortie")
    [[ -z "$PLANCHER" ]] && PLANCHER=$rps
    part=$("$PY" -c "print(f'{$rps / $PLANCHER:.2f}')")
    printf '| %s | %s | %s | %s | %s |\n' "$nom" "$rps" "$part" "$p50" "${erreurs:-0}"
done
echo
echo "($JOUR, $CONNEXIONS connections, ${DUREE} s each, $BASE)"
