"""Read-side queries of reservations: who may see what."""

from importlib import import_module

from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Autorisation, Role
from sites.portee import AUCUN, q_sites

from .models import Reservation, Serie, StatutReservation


def q_portee_validation(user) -> Q:
    """The reservations whose approval is ``user``'s business (API.md B+ "Manager scope"):
    for a manager, those on the ressources of their sites and those of their departments'
    users; for a holder of ``confirmer_reservations``, those on their main site."""
    portee = q_sites(user, "ressource__site_id", autorisation=Autorisation.CONFIRMER_RESERVATIONS)
    if user.role == Role.MANAGER:
        portee |= Q(user__department__manager=user)
    return portee


def reservations_visibles(user) -> QuerySet[Reservation]:
    """The reservations ``user`` may see, as one filterable queryset.

    - everyone: their own, as the person booked for (``user``) or who booked (``createur``);
    - managers: also those of the users of the departments they manage;
    - the approval queue: the ``en_cours`` ones within ``q_portee_validation``;
    - admins: all.
    """
    reservations = Reservation.objects.all()
    if user.est_admin:
        return reservations
    visibles = Q(user=user) | Q(createur=user)
    if user.role == Role.MANAGER:
        visibles |= Q(user__department__manager=user)
    file = q_portee_validation(user)
    if file != AUCUN:
        visibles |= Q(statut=StatutReservation.EN_ATTENTE) & file
    return reservations.filter(visibles)


def series_visibles(user) -> QuerySet[Serie]:
    """The series ``user`` may see: those with a reservation they may see (admins: all)."""
    series = Serie.objects.all()
    if user.est_admin:
        return series
    return series.filter(Exists(reservations_visibles(user).filter(serie=OuterRef("pk"))))


# --- Exact totals of the list, from the counter the triggers keep (migration 0012) --------

# The worker's periodic job ``reservations.compteur`` folds the deltas into one row per
# statut once there are more than SEUIL_COMPACTAGE of them. A reader folds them itself only
# past SEUIL_LECTURE (a deployment whose worker is stopped): the sum stays cheap either way.
SEUIL_COMPACTAGE = 500
SEUIL_LECTURE = 50_000

# Whether all the triggers are there and enabled.
_TRIGGERS_EN_PLACE = {
    "postgresql": (
        "(SELECT COUNT(*) = 4 FROM pg_trigger "
        "WHERE tgrelid = 'reservations_reservation'::regclass AND tgenabled <> 'D' "
        "AND tgname IN ('reservations_compteur_ins', 'reservations_compteur_del', "
        "'reservations_compteur_upd', 'reservations_compteur_tru'))"
    ),
    "sqlite": (
        "(SELECT COUNT(*) = 3 FROM sqlite_master "
        "WHERE type = 'trigger' AND tbl_name = 'reservations_reservation' "
        "AND name IN ('reservations_compteur_ins', 'reservations_compteur_del', "
        "'reservations_compteur_upd'))"
    ),
}
# That, the sum and the number of delta rows, in one statement (one snapshot).
_TOTAL = {
    vendor: f"SELECT {en_place}, COALESCE(SUM(n), 0), COUNT(*) FROM reservations_compteur"  # noqa: S608
    for vendor, en_place in _TRIGGERS_EN_PLACE.items()
}


def total_reservations(statuts=None) -> int | None:
    """The exact number of reservations (with one of ``statuts``, or all), or None when the
    counter cannot be trusted (its triggers are missing or disabled: count the rows then).

    Exact and never stale: the deltas are written by triggers inside the transaction that
    changes the rows, so one statement reading their sum sees exactly the rows of its
    snapshot (the committed ones, plus its own transaction's writes), in every process,
    whatever wrote them. The trigger check is part of that statement: after a SQLite table
    rebuild (which drops triggers) or with them disabled, the counter is not believed."""
    sql = _TOTAL.get(connection.vendor)
    if sql is None:
        return None
    params = []
    if statuts is not None:
        params = sorted(set(statuts))
        marques = ", ".join(["%s"] * len(params))
        sql = f"{sql} WHERE statut IN ({marques})"  # noqa: S608 - placeholders only
    with connection.cursor() as curseur:
        curseur.execute(sql, params)
        en_place, total, lignes = curseur.fetchone()
    if not en_place:
        return None
    if lignes > SEUIL_LECTURE:
        compacter_compteur()
    return int(total)


def lignes_du_compteur() -> int:
    with connection.cursor() as curseur:
        curseur.execute("SELECT COUNT(*) FROM reservations_compteur")
        return curseur.fetchone()[0]


def compacter_compteur() -> None:
    """Fold the deltas into one row per statut. Safe beside writers and other compactors:
    each deletes (and adds back the sums of) only the rows it actually deleted, so a delta
    is never counted twice nor lost; readers see the sum before or after: the same."""
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("DELETE FROM reservations_compteur RETURNING statut, n")
        sommes = {}
        for statut, n in curseur.fetchall():
            sommes[statut] = sommes.get(statut, 0) + n
        lignes = [(statut, n) for statut, n in sorted(sommes.items()) if n]
        if lignes:
            curseur.executemany(
                "INSERT INTO reservations_compteur (statut, n) VALUES (%s, %s)", lignes
            )


def reparer_compteur(using: str = "default") -> bool:
    """On SQLite, recreate the counter's triggers when a table rebuild dropped them (Django
    remakes a table for most ``AlterField``/``AddField`` on SQLite, and its triggers go
    with it), and count the rows again, all in one transaction: rows changed while the
    triggers were missing are then counted right. Runs after every ``migrate``; True when it
    repaired something. PostgreSQL keeps triggers through ``ALTER TABLE``: nothing to do."""
    connexion = connections[using]
    if connexion.vendor != "sqlite":
        return False
    migration = import_module("reservations.migrations.0012_index_liste")
    with transaction.atomic(using=using), connexion.cursor() as curseur:
        curseur.execute(f"SELECT {_TRIGGERS_EN_PLACE['sqlite']}")
        (en_place,) = curseur.fetchone()
        tables = connexion.introspection.table_names(curseur)
        if en_place or migration.TABLE not in tables:
            return False
        curseur.execute(f"DELETE FROM {migration.TABLE}")  # noqa: S608 - a constant
        for sql in migration.SQLITE[1:]:  # the triggers, then the counts (not the table)
            curseur.execute(sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))
    return True
