"""Keep the database queue small: finished tasks are kept a week for inspection (they are
listed in the back-office), then deleted."""

from datetime import timedelta

from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone

from .registre import periodique

CONSERVATION = timedelta(days=7)
LOT = 5000


@periodique("taches.purge", toutes_les=timedelta(hours=6), ordre=1000)
def purger_les_taches_terminees() -> int:
    """Delete the finished tasks older than ``CONSERVATION`` (database backend only)."""
    if not type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__module__.startswith("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    limite = timezone.now() - CONSERVATION
    supprimees = 0
    while True:
        lot = list(
            DBTaskResult.objects.finished()
            .filter(finished_at__lt=limite)
            .values_list("pk", flat=True)[:LOT]
        )
        if not lot:
            return supprimees
        supprimees += DBTaskResult.objects.filter(pk__in=lot).delete()[0]
