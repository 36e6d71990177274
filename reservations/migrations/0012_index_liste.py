"""The list's totals: an index for the window's count, and the exact number of reservations
per statut kept by triggers (``meta.total``).

``(debut, fin)``: a ``du``/``au`` window's count is read from the index alone (an
index-only scan on PostgreSQL; the row's ``fin`` was fetched from the table otherwise).

``GET /reservations/`` gives an exact ``meta.total``; for an admin that is a ``COUNT(*)``
over every reservation (tens of milliseconds on PostgreSQL at 200,000 rows, even as an
index-only scan). The table ``reservations_compteur`` holds signed deltas ``(statut, n)``
written by triggers on ``reservations_reservation`` in the writing transaction itself, so
the sum per statut is exact in every snapshot (MVCC), across processes, whatever writes the
rows (ORM, ``bulk_create``, ``update()``, raw SQL, the admin). Writers only *insert* deltas:
no shared row is updated, so concurrent bookings never wait for each other on it (nor
deadlock). ``selectors.total_reservations`` reads the sum and folds the deltas now and then.

PostgreSQL: statement-level triggers with transition tables (one delta per statut and
statement), a TRUNCATE trigger (Django's flush), enabled ALWAYS (logical replication
applies rows as a replica). SQLite: row-level triggers; a table rebuild (a later
migration altering the table) drops them, which the reader detects (it then counts), and
``selectors.reparer_compteur`` recreates them and counts again after every ``migrate``.
"""

from django.db import migrations, models

TABLE = "reservations_compteur"
RESERVATIONS = "reservations_reservation"
SEMER = (
    f"INSERT INTO {TABLE} (statut, n) SELECT statut, COUNT(*) FROM {RESERVATIONS} GROUP BY statut"
)

POSTGRESQL = [
    f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, statut varchar(16) NOT NULL, "
    "n bigint NOT NULL)",
    f"""
    CREATE FUNCTION reservations_compteur_lignes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO {TABLE} (statut, n)
            SELECT statut, COUNT(*) FROM nouvelles GROUP BY statut;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO {TABLE} (statut, n)
            SELECT statut, -COUNT(*) FROM anciennes GROUP BY statut;
        ELSE
            INSERT INTO {TABLE} (statut, n)
            SELECT statut, SUM(n) FROM (
                SELECT statut, 1 AS n FROM nouvelles
                UNION ALL SELECT statut, -1 FROM anciennes
            ) AS d GROUP BY statut HAVING SUM(n) <> 0;
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION reservations_compteur_vider() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {TABLE};
        RETURN NULL;
    END $$
    """,
    f"CREATE TRIGGER reservations_compteur_ins AFTER INSERT ON {RESERVATIONS} "
    "REFERENCING NEW TABLE AS nouvelles FOR EACH STATEMENT "
    "EXECUTE FUNCTION reservations_compteur_lignes()",
    f"CREATE TRIGGER reservations_compteur_del AFTER DELETE ON {RESERVATIONS} "
    "REFERENCING OLD TABLE AS anciennes FOR EACH STATEMENT "
    "EXECUTE FUNCTION reservations_compteur_lignes()",
    f"CREATE TRIGGER reservations_compteur_upd AFTER UPDATE ON {RESERVATIONS} "
    "REFERENCING OLD TABLE AS anciennes NEW TABLE AS nouvelles FOR EACH STATEMENT "
    "EXECUTE FUNCTION reservations_compteur_lignes()",
    f"CREATE TRIGGER reservations_compteur_tru AFTER TRUNCATE ON {RESERVATIONS} "
    "FOR EACH STATEMENT EXECUTE FUNCTION reservations_compteur_vider()",
    *(
        f"ALTER TABLE {RESERVATIONS} ENABLE ALWAYS TRIGGER reservations_compteur_{suffixe}"
        for suffixe in ("ins", "del", "upd", "tru")
    ),
    SEMER,
]
POSTGRESQL_RETOUR = [
    *(
        f"DROP TRIGGER reservations_compteur_{suffixe} ON {RESERVATIONS}"
        for suffixe in ("ins", "del", "upd", "tru")
    ),
    "DROP FUNCTION reservations_compteur_lignes()",
    "DROP FUNCTION reservations_compteur_vider()",
    f"DROP TABLE {TABLE}",
]

SQLITE = [
    f"CREATE TABLE {TABLE} (id integer PRIMARY KEY AUTOINCREMENT, statut varchar(16) NOT NULL, "
    "n integer NOT NULL)",
    f"CREATE TRIGGER reservations_compteur_ins AFTER INSERT ON {RESERVATIONS} BEGIN "
    f"INSERT INTO {TABLE} (statut, n) VALUES (NEW.statut, 1); END",
    f"CREATE TRIGGER reservations_compteur_del AFTER DELETE ON {RESERVATIONS} BEGIN "
    f"INSERT INTO {TABLE} (statut, n) VALUES (OLD.statut, -1); END",
    f"CREATE TRIGGER reservations_compteur_upd AFTER UPDATE OF statut ON {RESERVATIONS} "
    "WHEN OLD.statut IS NOT NEW.statut BEGIN "
    f"INSERT INTO {TABLE} (statut, n) VALUES (OLD.statut, -1), (NEW.statut, 1); END",
    SEMER,
]
SQLITE_RETOUR = [
    *(
        f"DROP TRIGGER IF EXISTS reservations_compteur_{suffixe}"
        for suffixe in ("ins", "del", "upd")
    ),
    f"DROP TABLE {TABLE}",
]


def _executer(instructions):
    def operation(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in instructions.get(vendor, ()):
            schema_editor.execute(sql, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0009_series"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reservation",
            index=models.Index(fields=["debut", "fin"], name="reservation_debut_fin_idx"),
        ),
        migrations.RunPython(
            _executer({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _executer({"postgresql": POSTGRESQL_RETOUR, "sqlite": SQLITE_RETOUR}),
        ),
    ]
