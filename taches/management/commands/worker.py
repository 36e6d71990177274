"""``manage.py worker``: runs the queued tasks and, at least once a minute, the periodic
jobs (reminders, automatic releases, retries, closing the day).

- ``TASKS_BACKEND=database`` (default): the tasks stored in Resa's database
  (django-tasks-db), claimed so that several workers never run one twice.
- ``TASKS_BACKEND=rq``: the tasks of the Redis queue (django-tasks-rq), in burst mode
  between two ticks.
- ``TASKS_BACKEND=immediate``: tasks run inside the process that enqueues them; the worker
  only runs the periodic jobs.

``--once`` processes every task that is due, runs each periodic job once, processes what
those jobs enqueued, and exits: for cron, scripts and tests.
"""

import logging
import os
import signal
import socket
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from resa_project.canal import SYSTEME, canal
from taches.registre import executer_periodiques

logger = logging.getLogger("taches.worker")


def _file_db(worker_id):
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


class Command(BaseCommand):
    help = "Exécute les tâches en file et, au moins une fois par minute, les tâches périodiques."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Traite ce qui est dû, exécute une fois chaque tâche périodique, puis s'arrête.",
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=60.0,
            help="Secondes entre deux passages des tâches périodiques (défaut 60, au plus 60).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Secondes d'attente quand la file est vide (défaut 1).",
        )

    def handle(self, *args, once=False, tick=60.0, interval=1.0, verbosity=1, **options):
        self.verbosity = verbosity
        if not 0 < tick <= 60:
            raise CommandError("--tick : entre 0 et 60 secondes.")
        if interval < 0:
            raise CommandError("--interval : un nombre de secondes positif.")
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]
        self.en_marche = True
        self.file = None
        with canal(SYSTEME):
            if once:
                self.une_fois()
            else:
                self.boucle(tick, interval)

    def traiter_file(self) -> None:
        """Run every task that is ready now, then return."""
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        module = type(backend).__module__
        if module.startswith("django_tasks_db"):
            self.file = _file_db(self.worker_id)
            self.file.running = self.en_marche
            self.file.run()
            self.file = None
        elif module.startswith("django_tasks_rq"):
            import django_rq
            from django_tasks_rq import Job

            django_rq.get_worker(*backend.queues, job_class=Job).work(
                burst=True, with_scheduler=True
            )
        # immediate and dummy backends: nothing is queued here.

    def tick(self, *, forcer=False) -> None:
        resultats = executer_periodiques(forcer=forcer)
        effets = ", ".join(
            f"{nom}={n if n is not None else 'échec'}" for nom, n in resultats.items()
        )
        if forcer:
            if self.verbosity >= 1:
                self.stdout.write(f"Tâches périodiques : {effets or 'aucune'}")
        elif effets:
            logger.info("Tâches périodiques : %s", effets)

    def une_fois(self) -> None:
        self.traiter_file()
        self.tick(forcer=True)
        self.traiter_file()

    def arreter(self, signum, frame):
        logger.warning("Signal %s reçu : arrêt après la tâche en cours.", signal.strsignal(signum))
        self.en_marche = False
        if self.file is not None:
            self.file.running = False

    def boucle(self, tick: float, interval: float) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.arreter)
        logger.info("Worker %s démarré (tâches périodiques toutes les %s s)", self.worker_id, tick)
        prochain_tick = 0.0
        while self.en_marche:
            close_old_connections()
            if time.monotonic() >= prochain_tick:
                try:
                    self.tick()
                except Exception:  # the database is away: try again at the next tick
                    logger.exception("Passage des tâches périodiques en échec")
                prochain_tick = time.monotonic() + tick
            try:
                self.traiter_file()
            except Exception:
                logger.exception("Lecture de la file de tâches en échec")
            close_old_connections()
            if self.en_marche:
                time.sleep(interval)
        logger.info("Worker %s arrêté.", self.worker_id)
