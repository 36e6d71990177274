from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = "Réservations"

    def ready(self):
        from ressources.models import Ressource
        from ressources.services import reglages_checkin_modifies

        from . import services, taches  # noqa: F401  (taches registers the periodic jobs)

        reglages_checkin_modifies.connect(
            _suivre_les_reglages_checkin, sender=Ressource, dispatch_uid="reservations.checkin"
        )
        post_migrate.connect(_reparer_compteur, sender=self, dispatch_uid="reservations.compteur")


def _suivre_les_reglages_checkin(sender, ressource, **kwargs):
    from . import services

    services.recalculer_limites_checkin(ressource)


def _reparer_compteur(sender, using, **kwargs):
    from . import selectors

    selectors.reparer_compteur(using)
