"""The journal's subscriber: each diffused event becomes its deliveries (API.md C6)."""

from taches.registre import apres_commit

from . import services
from .taches import livrer


def livrer_evenement(sender, evenement, **kwargs):
    """Receiver of ``journal.evenement_a_diffuser``: insert the event's deliveries (once,
    however many times the event is offered) and queue their sending, after commit, in
    the background. An error here leaves the event to the journal's sweep."""
    ids = services.preparer_livraisons(evenement)
    if ids:
        apres_commit(livrer, ids)
