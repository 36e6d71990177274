from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from reservations import journal

        from . import receivers, taches  # noqa: F401  (taches registers the periodic jobs)

        journal.evenement_a_diffuser.connect(
            receivers.notifier_evenement, dispatch_uid="notifications.notifier_evenement"
        )
