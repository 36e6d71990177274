"""The event journal (API.md C1): one ``Evenement`` per state change of a reservation or an
unavailability period.

The services write it **inside their own transaction** (``enregistrer`` refuses to run
outside one), so a change and its event are committed or rolled back together: no change
without its event, no event for a change that did not happen. The actor is the service's
``par`` (``None`` for the system); the channel (``api``, ``admin``, ``commande``,
``systeme``) comes from ``resa_project.canal``, set at the edge.

``changements`` maps the API's field names to ``[before, after]`` with the values the API
shows (ids as integers, datetimes as ISO strings in the organisation's zone, enums as wire
values); a creation lists every initial value as ``[None, value]``, a deletion every last
value as ``[value, None]``.

What happens next hooks onto two signals, neither ever sent for a rolled-back change:

- ``evenement_enregistre``, in the process that made the change, right after it commits
  (light, in-process reactions);
- ``evenement_a_diffuser``, in the background (``reservations.taches.diffuser``, enqueued
  after commit, and a periodic sweep for any event it missed): notifications and webhooks
  derive their work from it. Its receivers must be idempotent: an event whose diffusion
  failed is offered again to every receiver.
"""

import datetime
import enum
import logging

from django.db import transaction
from django.db.models import Model
from django.dispatch import Signal
from django.utils import timezone
from rest_framework import serializers

from resa_project.canal import canal, canal_courant
from taches.registre import mettre_en_file

from .models import Evenement, TypeEvenement

__all__ = [
    "TypeEvenement",
    "canal",
    "creation",
    "differences",
    "diffuser_evenement",
    "enregistrer",
    "enregistrer_tous",
    "etat_disponibilite",
    "etat_reservation",
    "evenement",
    "evenement_a_diffuser",
    "evenement_enregistre",
    "historique",
    "suppression",
]

logger = logging.getLogger(__name__)

#: Sent after commit, once per event: ``receiver(sender=Evenement, evenement=...)``.
evenement_enregistre = Signal()
#: Sent in the background for each committed event (see the module's docstring).
evenement_a_diffuser = Signal()

CHAMPS_RESERVATION = (
    "ressource_id",
    "user_id",
    "createur_id",
    "debut",
    "fin",
    "statut",
    "description",
    "nbr_participants",
    "note",
)
CHAMPS_DISPONIBILITE = (
    "ressource_id",
    "type_disponibilite",
    "debut",
    "fin",
    "raison_indisponibilite",
    "recurrence",
    "fin_recurrence",
)

# The API's own rendering of a datetime (ISO 8601, offset of the current zone).
_DATE_HEURE = serializers.DateTimeField()


def valeur_api(valeur):
    """``valeur`` as the API shows it, JSON-ready."""
    if isinstance(valeur, Model):
        return valeur.pk
    if isinstance(valeur, datetime.datetime):
        return _DATE_HEURE.to_representation(valeur)
    if isinstance(valeur, datetime.date):
        return valeur.isoformat()
    if isinstance(valeur, enum.Enum):
        return valeur.value
    return valeur


def _etat(objet, champs) -> dict:
    return {champ: valeur_api(getattr(objet, champ)) for champ in champs}


def etat_reservation(reservation) -> dict:
    return _etat(reservation, CHAMPS_RESERVATION)


def etat_disponibilite(periode) -> dict:
    return _etat(periode, CHAMPS_DISPONIBILITE)


def creation(etat: dict) -> dict:
    return {champ: [None, valeur] for champ, valeur in etat.items()}


def suppression(etat: dict) -> dict:
    return {champ: [valeur, None] for champ, valeur in etat.items()}


def differences(avant: dict, apres: dict) -> dict:
    """The fields whose value changed, as ``{field: [before, after]}``."""
    return {
        champ: [avant.get(champ), valeur]
        for champ, valeur in apres.items()
        if avant.get(champ) != valeur
    }


def evenement(
    type, *, par, reservation=None, disponibilite=None, changements, note="", date=None
) -> Evenement:
    """An unsaved event: the actor is ``par`` (``None``: the system), the channel the
    current one. Save it with ``enregistrer_tous``."""
    return Evenement(
        type=TypeEvenement(type),
        acteur=par,
        canal=canal_courant(),
        reservation=reservation,
        disponibilite=disponibilite,
        changements=changements,
        note=note or "",
        date=date or timezone.now(),
    )


def enregistrer_tous(evenements: list[Evenement]) -> list[Evenement]:
    """Insert ``evenements`` (one INSERT per batch) in the current transaction and send
    ``evenement_enregistre`` for each once it commits."""
    if not evenements:
        return evenements
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Le journal s'écrit dans la transaction du changement.")
    Evenement.objects.bulk_create(evenements)
    transaction.on_commit(lambda: _apres_commit(evenements), robust=True)
    return evenements


def enregistrer(
    type, *, par, reservation=None, disponibilite=None, changements, note="", date=None
) -> Evenement:
    """Record one event in the current transaction (see the module's docstring)."""
    (enregistre,) = enregistrer_tous(
        [
            evenement(
                type,
                par=par,
                reservation=reservation,
                disponibilite=disponibilite,
                changements=changements,
                note=note,
                date=date,
            )
        ]
    )
    return enregistre


def apres_commit(evenement: Evenement) -> None:
    """Hand one committed event to the subscribers; a failing one is logged and skipped,
    the others still run (the change is committed: nothing can undo it now)."""
    for receveur, resultat in evenement_enregistre.send_robust(
        sender=Evenement, evenement=evenement
    ):
        if isinstance(resultat, Exception):
            logger.error(
                "Abonné %r en échec sur l'événement %s",
                receveur,
                evenement.pk,
                exc_info=resultat,
            )


def _apres_commit(evenements):
    for enregistre in evenements:
        apres_commit(enregistre)
    from .taches import diffuser

    mettre_en_file(diffuser, [e.pk for e in evenements])


def diffuser_evenement(evenement: Evenement) -> bool:
    """Offer ``evenement`` to the ``evenement_a_diffuser`` receivers; mark it diffused when
    none failed (True). A failing receiver is logged and the event stays for the sweep."""
    echecs = [
        (receveur, resultat)
        for receveur, resultat in evenement_a_diffuser.send_robust(
            sender=Evenement, evenement=evenement
        )
        if isinstance(resultat, Exception)
    ]
    for receveur, erreur in echecs:
        logger.error(
            "Diffusion de l'événement %s en échec chez %r",
            evenement.pk,
            receveur,
            exc_info=erreur,
        )
    if echecs:
        return False
    Evenement.objects.filter(pk=evenement.pk, diffuse_le__isnull=True).update(
        diffuse_le=timezone.now()
    )
    return True


def historique(reservation):
    """The events of ``reservation``, oldest first (one query, no join)."""
    return Evenement.objects.filter(reservation_id=reservation.pk).order_by("id")
