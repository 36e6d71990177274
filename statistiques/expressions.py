"""Database expressions that both SQLite and PostgreSQL compute natively."""

from datetime import UTC, datetime, timedelta

from django.db import models


class SecondesEntre(models.Func):
    """Whole seconds from ``debut`` to ``fin`` (two datetimes), as an integer.

    Django's ``F("fin") - F("debut")`` calls a Python function per row on SQLite; this
    stays in SQL on both databases."""

    output_field = models.IntegerField()

    def __init__(self, debut, fin):
        super().__init__(debut, fin)

    def _sql(self, compiler):
        (debut, p_debut), (fin, p_fin) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return debut, fin, (*p_fin, *p_debut)

    def as_sql(self, compiler, connection, **extra_context):
        debut, fin, params = self._sql(compiler)
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({fin} - {debut}))) AS BIGINT)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        debut, fin, params = self._sql(compiler)
        return f"CAST(ROUND((julianday({fin}) - julianday({debut})) * 86400.0) AS INTEGER)", params


def decalages(debut: datetime, fin: datetime, zone) -> list[tuple[datetime, int]]:
    """The UTC offsets of ``zone`` in minutes over ``[debut, fin)``, as ``[(from, offset)]``
    (the first from ``debut``); a year has at most three. Steps by the hour: offsets
    change on the hour in every zone this organisation may use."""
    plages = []
    moment = debut
    while moment < fin:
        decalage = int(moment.astimezone(zone).utcoffset().total_seconds() // 60)
        if not plages or plages[-1][1] != decalage:
            plages.append((moment, decalage))
        moment += timedelta(hours=1)
    return plages or [(debut, 0)]


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
        branches, valeurs = [], []
        for depuis, decalage in reversed(self.plages[1:]):
            branches.append(f"WHEN {colonne} >= %s THEN %s")
            valeurs += [
                depuis.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                f"{decalage:+d} minutes",
            ]
        valeurs.append(f"{self.plages[0][1]:+d} minutes")
        modificateur = f"(CASE {' '.join(branches)} ELSE %s END)" if branches else "%s"
        sql = self.modele.format(col=colonne, mod=modificateur)
        return sql, valeurs
