"""The journal's subscribers: each diffused event becomes its notices (API.md C3)."""

from taches.registre import apres_commit

from . import services
from .taches import envoyer_courriels


def notifier_evenement(sender, evenement, **kwargs):
    """Receiver of ``journal.evenement_a_diffuser``: insert the event's messages (once,
    however many times the event is offered) and queue their sending. An error here leaves
    the event to the journal's sweep, which offers it again."""
    cles = services.preparer_courriels_evenement(evenement)
    if cles:
        apres_commit(envoyer_courriels, cles)
