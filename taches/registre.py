"""Background work (API.md C2): tasks enqueued after commit, and periodic jobs.

Application code uses Django's tasks framework only (``@task``, ``.enqueue()``); which
backend stores and runs the tasks is configuration (``TASKS_BACKEND``: ``database`` by
default, ``immediate``, ``rq``). Two helpers sit on top of it:

- ``apres_commit(tache, ...)`` enqueues once the current transaction has committed, so a
  rolled-back change enqueues nothing and a request never runs (or waits for) the work.
- ``periodique(nom, toutes_les=...)`` registers a job that the worker's tick runs (at least
  once a minute). Time-based work lives in database rows that the jobs pick up when due;
  the ``Horloge`` row of a job is claimed by one conditional UPDATE before it runs, so
  several workers run each job once per period, and every job is idempotent anyway (its
  rows are claimed the same way), so an overlap is harmless.
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from resa_project.canal import SYSTEME, canal

from .models import Horloge

logger = logging.getLogger(__name__)

__all__ = [
    "Periodique",
    "apres_commit",
    "executer_periodiques",
    "mettre_en_file",
    "periodique",
    "periodiques",
]


@dataclass(frozen=True)
class Periodique:
    nom: str
    fonction: object
    toutes_les: timedelta
    ordre: int


_REGISTRE: dict[str, Periodique] = {}


def periodique(nom: str, *, toutes_les: timedelta = timedelta(minutes=1), ordre: int = 100):
    """Register ``fonction()`` (no argument; returns how many effects it had) as the
    periodic job ``nom``, run every ``toutes_les`` by the worker's tick, in ``ordre``."""

    def enregistrer(fonction):
        _REGISTRE[nom] = Periodique(nom, fonction, toutes_les, ordre)
        return fonction

    return enregistrer


def periodiques() -> list[Periodique]:
    return sorted(_REGISTRE.values(), key=lambda job: (job.ordre, job.nom))


def mettre_en_file(tache, *args, **kwargs) -> bool:
    """Enqueue ``tache`` now; a failure is logged, not raised (the caller's change is
    committed already, and every task is backed by a periodic sweep that finds its work)."""
    try:
        tache.enqueue(*args, **kwargs)
    except Exception:
        logger.exception("Mise en file impossible de %s", tache.name)
        return False
    return True


def apres_commit(tache, *args, **kwargs) -> None:
    """Enqueue ``tache`` with JSON-safe arguments once the current transaction commits (at
    once outside a transaction): a rolled-back change enqueues nothing."""
    transaction.on_commit(lambda: mettre_en_file(tache, *args, **kwargs), robust=True)


def _reclamer(job: Periodique, maintenant, *, forcer: bool) -> bool:
    """Claim this period of ``job`` (True: this process runs it)."""
    with contextlib.suppress(IntegrityError):  # another worker created it meanwhile
        Horloge.objects.get_or_create(nom=job.nom, defaults={"prochaine_le": maintenant})
    horloge = Horloge.objects.filter(nom=job.nom)
    if not forcer:
        horloge = horloge.filter(prochaine_le__lte=maintenant)
    return bool(horloge.update(prochaine_le=maintenant + job.toutes_les, derniere_le=maintenant))


def executer_periodiques(*, forcer: bool = False) -> dict[str, int | None]:
    """Run the periodic jobs that are due (every one with ``forcer``), each claimed first.

    Returns ``{nom: effects}`` for the jobs this call ran (``None`` for a job that failed:
    it is logged, recorded on its ``Horloge`` row, and retried at its next period).
    """
    resultats = {}
    for job in periodiques():
        try:
            if not _reclamer(job, timezone.now(), forcer=forcer):
                continue
        except DatabaseError:  # a locked SQLite database: the next tick will try again
            logger.warning("Tâche périodique %s : horloge indisponible", job.nom, exc_info=True)
            continue
        with canal(SYSTEME):
            try:
                effets = int(job.fonction() or 0)
            except Exception as erreur:
                logger.exception("Tâche périodique %s en échec", job.nom)
                Horloge.objects.filter(nom=job.nom).update(derniere_erreur=repr(erreur)[:2000])
                resultats[job.nom] = None
                continue
        Horloge.objects.filter(nom=job.nom).update(dernier_resultat=effets, derniere_erreur="")
        resultats[job.nom] = effets
    return resultats
