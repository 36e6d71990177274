"""Daily closing: confirmed reservations whose end has passed become ``fini``.

Run it from cron once a day (or more often), e.g. ``5 0 * * * .venv/bin/python manage.py
cloturer_journee``.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from reservations import journal, services


class Command(BaseCommand):
    help = "Passe à « fini » les réservations confirmées dont la fin est passée."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche seulement combien de réservations seraient clôturées.",
        )

    def handle(self, *args, dry_run=False, **options):
        # The dry run applies the real service and rolls back, so it counts by the same rule.
        with journal.canal("commande"), transaction.atomic():
            nombre = services.cloturer_journee()
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write(
                f"{nombre} réservation(s) seraient clôturée(s) (simulation : rien n'a été modifié)."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{nombre} réservation(s) clôturée(s)."))
