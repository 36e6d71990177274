"""Database expressions that both SQLite and PostgreSQL compute natively."""

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
        # ``date_part`` is a float, several times cheaper than EXTRACT's numeric; it is exact
        # here (microseconds, far below 2**53), and rounding half away from zero by hand
        # gives what ROUND(EXTRACT(...)) gave, ties included.
        debut, fin, params = self._sql(compiler)
        x = f"date_part('epoch', {fin} - {debut})"
        sql = f"CAST(CASE WHEN {x} >= 0 THEN FLOOR({x} + 0.5) ELSE CEIL({x} - 0.5) END AS BIGINT)"
        return sql, params * 3

    def as_sqlite(self, compiler, connection, **extra_context):
        debut, fin, params = self._sql(compiler)
        return f"CAST(ROUND((julianday({fin}) - julianday({debut})) * 86400.0) AS INTEGER)", params
