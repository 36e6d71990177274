"""Database expressions that both SQLite and PostgreSQL compute natively."""

import functools
from datetime import UTC, datetime, timedelta

from django.db import models

JOUR, HEURE = timedelta(days=1), timedelta(hours=1)


@functools.lru_cache(maxsize=64)
def decalages(debut: datetime, fin: datetime, zone) -> tuple[tuple[datetime, int], ...]:
    """The UTC offsets of ``zone`` in minutes over ``[debut, fin)``, as ``((from, offset),
    ...)`` (the first from ``debut``); a year has at most three. Steps by the hour, where
    offsets change on the hour in every zone this organisation may use, but skips a whole
    day when its offset is the same at both ends (no zone changes twice in a day)."""

    def decalage(moment):
        return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)

    plages = []
    moment = debut
    while moment < fin:
        lendemain = moment + JOUR
        courant = plages[-1][1] if plages else None
        if lendemain < fin and decalage(moment) == courant == decalage(lendemain):
            moment = lendemain
            continue
        while moment < min(lendemain, fin):
            valeur = decalage(moment)
            if valeur != courant:
                plages.append((moment, valeur))
                courant = valeur
            moment += HEURE
    return tuple(plages) or ((debut, 0),)


class SecondesDuJour(models.Func):
    """Whole seconds since midnight of a time of day, as an integer."""

    output_field = models.IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        heure, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {heure})) AS INTEGER)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        heure, params = compiler.compile(self.get_source_expressions()[0])
        morceaux = [f"CAST(substr({heure}, {i}, 2) AS INTEGER)" for i in (1, 4, 7)]
        sql = f"({morceaux[0]} * 3600 + {morceaux[1]} * 60 + {morceaux[2]})"
        return sql, (*params, *params, *params)


class HeureLocaleSQLite(models.Func):
    """Local wall-clock arithmetic with SQLite's own date functions (Django's local-time
    functions call Python for every row there). ``modele`` is the SQL with ``{col}`` (the
    column, UTC text) and ``{mod}`` (its offset as a modifier, ``'+120 minutes'``, chosen
    by a CASE over the period's offsets)."""

    def __init__(self, champ, plages, modele, output_field):
        self.plages, self.modele = plages, modele
        super().__init__(champ, output_field=output_field)

    def as_sqlite(self, compiler, connection, **extra_context):
        colonne, params = compiler.compile(self.get_source_expressions()[0])
        assert not params, "a plain column is expected"
        return heure_locale_sqlite(colonne, self.plages, self.modele)


def heure_locale_sqlite(colonne: str, plages, modele: str) -> tuple[str, list]:
    """The SQL and parameters of ``HeureLocaleSQLite`` over a column already written as SQL
    (e.g. a column of a subquery)."""
    branches, valeurs = [], []
    for depuis, decalage in reversed(plages[1:]):
        branches.append(f"WHEN {colonne} >= %s THEN %s")
        valeurs += [
            depuis.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            f"{decalage:+d} minutes",
        ]
    valeurs.append(f"{plages[0][1]:+d} minutes")
    modificateur = f"(CASE {' '.join(branches)} ELSE %s END)" if branches else "%s"
    return modele.format(col=colonne, mod=modificateur), valeurs


class MinuteDeLaSemaine(models.Func):
    """Whole minutes since Monday 00:00 local time of a datetime, as an integer
    (PostgreSQL; ``date_part`` rather than EXTRACT's slower numeric)."""

    output_field = models.IntegerField()

    def __init__(self, champ, zone: str):
        self.zone = zone
        super().__init__(champ)

    def as_sql(self, compiler, connection, **extra_context):
        colonne, params = compiler.compile(self.get_source_expressions()[0])
        local = f"({colonne} AT TIME ZONE %s)"
        sql = (
            f"CAST((date_part('isodow', {local}) - 1) * 1440 + date_part('hour', {local}) * 60"
            f" + date_part('minute', {local}) AS INTEGER)"
        )
        return sql, (*params, self.zone) * 3
