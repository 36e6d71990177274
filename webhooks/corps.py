"""The body of a delivery: ``{"type", "timestamp", "data"}``, serialised once.

``data`` is the reservation or the unavailability period **as the API shows it, as it was
right after the event**: the event is diffused in the background, so the object may have
changed again (or been deleted) by the time the delivery is made. The journal says how:

- the object still exists: its current API representation, with the fields that later
  events changed put back to their value before those events (``changements`` holds
  ``[before, after]`` in the API's own representation); ``date_modification`` is then the
  event's date and ``duree_minutes`` follows ``debut`` and ``fin``;
- the object is gone (a deleted period, a deleted reservation): ``{"id": ...}`` and the
  last values the journal knows of it up to that event (the fields of the journal:
  ``ressource_id``, ``debut``, ``fin``, ``statut``...; not ``date_creation``).

``timestamp`` is the event's date (ISO 8601, the organisation's offset), the same on every
attempt; the signed ``webhook-timestamp`` header is the attempt's.
"""

import json
from datetime import datetime

from rest_framework.utils.encoders import JSONEncoder

from reservations.journal import valeur_api
from reservations.models import Evenement, Reservation, ResourceAvailability, TypeEvenement
from reservations.serializers import DisponibiliteSerializer, ReservationSerializer

from .models import PING

RESERVATION, DISPONIBILITE = "reservation.", "disponibilite."


def serialiser(type_evenement: str, timestamp: str, donnees: dict) -> str:
    """The body's exact text (UTF-8 once encoded): compact JSON, keys in a fixed order."""
    return json.dumps(
        {"type": type_evenement, "timestamp": timestamp, "data": donnees},
        cls=JSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def corps_evenement(evenement: Evenement) -> str:
    return serialiser(evenement.type, valeur_api(evenement.date), donnees(evenement))


def corps_ping(abonnement, maintenant) -> str:
    donnees_ping = {
        "abonnement_id": abonnement.pk,
        "evenements": abonnement.evenements,
        "message": "Essai de l'abonnement : si vous lisez ceci, la livraison fonctionne.",
    }
    return serialiser(PING, valeur_api(maintenant), donnees_ping)


def donnees(evenement: Evenement) -> dict:
    """``data`` for ``evenement`` (see the module's docstring)."""
    if evenement.type.startswith(RESERVATION):
        pk, modele, serializer = evenement.reservation_id, Reservation, ReservationSerializer
        filtre = {"reservation_id": pk, "type__startswith": RESERVATION}
    else:
        pk, modele, serializer = (
            evenement.disponibilite_id,
            ResourceAvailability,
            DisponibiliteSerializer,
        )
        filtre = {"disponibilite_id": pk, "type__startswith": DISPONIBILITE}
    if pk is None:
        return {}
    objet = modele.objects.filter(pk=pk).first()
    if objet is None:
        return _dernier_etat_connu(evenement, pk, filtre)
    representation = dict(serializer(objet).data)
    plus_recents = list(
        Evenement.objects.filter(**filtre, id__gt=evenement.pk)
        .order_by("-id")
        .values_list("changements", flat=True)
    )
    if not plus_recents:
        return representation
    for changements in plus_recents:
        for champ, paire in (changements or {}).items():
            if champ in representation and isinstance(paire, list) and len(paire) == 2:
                representation[champ] = paire[0]
    if "date_modification" in representation:
        representation["date_modification"] = valeur_api(evenement.date)
    if "duree_minutes" in representation:
        representation["duree_minutes"] = _duree_minutes(representation)
    return representation


def _dernier_etat_connu(evenement, pk, filtre) -> dict:
    etat = {"id": pk}
    for type_evenement, changements in (
        Evenement.objects.filter(**filtre, id__lte=evenement.pk)
        .order_by("id")
        .values_list("type", "changements")
    ):
        suppression = type_evenement == TypeEvenement.DISPONIBILITE_SUPPRIMEE
        for champ, paire in (changements or {}).items():
            if isinstance(paire, list) and len(paire) == 2:
                etat[champ] = paire[0] if suppression else paire[1]
    return etat


def _duree_minutes(representation) -> int | None:
    try:
        debut = datetime.fromisoformat(representation["debut"])
        fin = datetime.fromisoformat(representation["fin"])
    except (KeyError, TypeError, ValueError):
        return representation.get("duree_minutes")
    return int((fin - debut).total_seconds() // 60)
