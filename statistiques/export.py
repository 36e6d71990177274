"""The rows of ``/reservations/export.csv``: the Reservation fields as the API's JSON
shows them, read with ``values_list(...).iterator()`` so memory stays constant."""

from django.utils import timezone

from reservations.serializers import COLONNES_LISTE, ReservationSerializer

TAILLE_PAQUET = 2000

COLONNES = list(ReservationSerializer.Meta.fields)
CHAMPS_BASE = list(COLONNES_LISTE)
DATES = {"debut", "fin", "date_creation", "date_modification", "checkin_le"}


def _iso(moment, zone) -> str:
    """As DRF's ``DateTimeField`` shows it (local offset, ``Z`` for UTC), with the zone
    looked up once per export instead of once per value."""
    texte = moment.astimezone(zone).isoformat()
    return texte[:-6] + "Z" if texte.endswith("+00:00") else texte


def lignes_export(reservations):
    """One list per reservation, in ``COLONNES`` order."""
    zone = timezone.get_current_timezone()
    position = {nom: i for i, nom in enumerate(CHAMPS_BASE)}
    i_debut, i_fin = position["debut"], position["fin"]
    for valeurs in reservations.values_list(*CHAMPS_BASE).iterator(chunk_size=TAILLE_PAQUET):
        duree = int((valeurs[i_fin] - valeurs[i_debut]).total_seconds() // 60)
        ligne = []
        for nom, valeur in zip(CHAMPS_BASE, valeurs, strict=True):
            if nom in DATES and valeur is not None:
                valeur = _iso(valeur, zone)
            ligne.append(valeur)
            if nom == "date_modification":
                ligne.append(duree)
        yield ligne
