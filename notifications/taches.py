"""The notifications' background work: the sending task and the periodic jobs."""

from django.tasks import task

from taches.registre import periodique

from . import services

#: At most this many messages per run of the retry job (the next run takes the rest).
MAXIMUM_PAR_PASSAGE = 2000


@task
def envoyer_courriels(cles: list[str]) -> int:
    """Send the due rows among ``cles``; returns how many were sent."""
    return services.envoyer(cles)


@periodique("notifications.rappels", ordre=110)
def envoyer_rappels() -> int:
    """Create the reminders due now (API.md C3) and send them."""
    cles = services.preparer_rappels()
    return services.envoyer(cles) if cles else 0


@periodique("notifications.relances", ordre=120)
def relancer() -> int:
    """Take back the rows whose sender died, then send every due row: retries after a
    failure, and anything whose sending task was lost."""
    services.reprendre_bloques()
    return services.envoyer(maximum=MAXIMUM_PAR_PASSAGE)
