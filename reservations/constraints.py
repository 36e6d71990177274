"""The database's own guarantee against double booking.

On PostgreSQL an exclusion constraint (btree_gist) forbids two blocking reservations of one
ressource whose ``[debut, fin)`` ranges overlap. SQLite has no such constraint: there the
services serialise writers with IMMEDIATE transactions. The constraint is declared once, in
the model's Meta, and this subclass makes it a no-op where the vendor cannot build it.
"""

from django.contrib.postgres.constraints import ExclusionConstraint


class PostgresExclusionConstraint(ExclusionConstraint):
    def _supported(self, schema_editor):
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor) if self._supported(schema_editor) else None
        )

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._supported(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._supported(schema_editor) else None

    def validate(self, *args, **kwargs):
        # The booking services check conflicts themselves (and report them as a 409 with
        # the list of conflicts); the constraint is the last line of defence, not a form rule.
        return None
