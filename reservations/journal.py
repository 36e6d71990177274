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

What happens next (notifications, webhooks...) hooks onto ``evenement_enregistre``: it is
sent for each event once the transaction has committed, never for a rolled-back one.
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

from .models import Evenement, TypeEvenement

__all__ = [
    "TypeEvenement",
    "canal",
    "creation",
    "differences",
    "enregistrer",
    "enregistrer_tous",
    "etat_disponibilite",
    "etat_reservation",
    "evenement",
    "evenement_enregistre",
    "historique",
    "suppression",
]

logger = logging.getLogger(__name__)

#: Sent after commit, once per event: ``receiver(sender=Evenement, evenement=...)``.
evenement_enregistre = Signal()

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


def historique(reservation):
    """The events of ``reservation``, oldest first (one query, no join)."""
    return Evenement.objects.filter(reservation_id=reservation.pk).order_by("id")
