"""``caracteristiques__possede="wifi"``: a JSON list holds that exact string.

PostgreSQL answers with jsonb containment (index-friendly); SQLite, whose JSONField has no
``contains`` lookup, with ``json_each``. One lookup, so callers never branch on the vendor.
"""

import json

from django.db.models import JSONField, Lookup


@JSONField.register_lookup
class Possede(Lookup):
    lookup_name = "possede"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def process_rhs(self, compiler, connection):
        return "%s", [json.dumps([self.rhs])]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> {rhs}::jsonb", (*lhs_params, *rhs_params)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) AS je WHERE je.value = %s)",  # noqa: S608
            (*lhs_params, self.rhs),
        )
