"""The webhooks' background work: the sending task and the periodic job that sends what is
due (retries, and anything whose task was lost)."""

from django.tasks import task

from taches.registre import periodique

from . import services


@task
def livrer(ids: list[int]) -> int:
    """Send the due deliveries among ``ids``; returns how many were delivered."""
    return services.livrer(ids)


@periodique("webhooks.livraisons", ordre=130)
def livrer_les_dues() -> int:
    """Close the deliveries whose last attempt never reported, then send every due one."""
    services.clore_interrompues()
    return services.livrer()
