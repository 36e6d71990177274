from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from reservations import journal

        # checks registers the system check of WEBHOOKS_RESEAUX_AUTORISES; taches the
        # periodic job.
        from . import checks, receivers, taches  # noqa: F401

        journal.evenement_a_diffuser.connect(
            receivers.livrer_evenement, dispatch_uid="webhooks.livrer_evenement"
        )
