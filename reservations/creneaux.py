"""What holds or opens the time of some ressources around some windows, loaded once.

``Occupation.charger`` reads, in at most three SQL queries whatever the number of windows
and ressources, the blocking reservations that overlap the windows, the periods that may
touch their span and which of the ressources have normal windows at all. ``regles`` then
decides every booking rule against it in Python (recurring periods expanded by
``calendrier``): for one window (a single booking), for the occurrences of a series, and
for the alternatives of the refused ones.
"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from . import calendrier
from .models import DUREE_MAXIMUM_ABSOLUE, Reservation, ResourceAvailability

COLONNES_PERIODE = (
    "pk",
    "ressource_id",
    "type_disponibilite",
    "debut",
    "fin",
    "recurrence",
    "fin_recurrence",
)


def fusionner(fenetres) -> list[tuple[datetime, datetime]]:
    """The union of ``fenetres`` as disjoint windows in UTC, by start (touching ones merge)."""
    fusionnees = []
    for debut, fin in sorted((d.astimezone(UTC), f.astimezone(UTC)) for d, f in fenetres):
        if fusionnees and debut <= fusionnees[-1][1]:
            fusionnees[-1] = (fusionnees[-1][0], max(fusionnees[-1][1], fin))
        else:
            fusionnees.append((debut, fin))
    return fusionnees


def _q_chevauche(fenetres) -> Q:
    # ReservationQuerySet.chevauche, once per window: the lower bound on ``debut`` lets the
    # (ressource, debut) index scan each window only.
    return reduce(
        or_,
        (Q(debut__lt=f, fin__gt=d, debut__gt=d - DUREE_MAXIMUM_ABSOLUE) for d, f in fenetres),
    )


@dataclass
class Occupation:
    """Blocking reservations and periods of some ressources, by ressource id."""

    reservations: dict = field(default_factory=lambda: defaultdict(list))
    bloquantes: dict = field(default_factory=lambda: defaultdict(list))
    normales: dict = field(default_factory=lambda: defaultdict(list))
    avec_normales: set = field(default_factory=set)

    @classmethod
    def charger(cls, ressources, fenetres, *, exclure=None) -> "Occupation":
        """What overlaps ``fenetres`` (``(debut, fin)`` pairs) on ``ressources`` (instances
        or ids). ``exclure``: a reservation being moved, which holds no time against itself.
        Only the windows given (or inside their span, for periods) are known afterwards."""
        occupation = cls()
        ids = sorted({getattr(r, "pk", r) for r in ressources})
        fusionnees = fusionner(fenetres)
        if not ids or not fusionnees:
            return occupation
        reservations = (
            Reservation.objects.bloquantes()
            .filter(_q_chevauche(fusionnees), ressource_id__in=ids)
            .only("pk", "ressource_id", "debut", "fin")
            .order_by("debut", "pk")
        )
        if exclure is not None and exclure.pk:
            reservations = reservations.exclude(pk=exclure.pk)
        for reservation in reservations:
            occupation.reservations[reservation.ressource_id].append(reservation)
        periodes = (
            ResourceAvailability.objects.filter(ressource_id__in=ids)
            .pouvant_toucher(fusionnees[0][0], fusionnees[-1][1])
            .only(*COLONNES_PERIODE)
            .order_by("debut", "pk")
        )
        for periode in periodes:
            cible = occupation.bloquantes if periode.est_bloquante else occupation.normales
            cible[periode.ressource_id].append(periode)
        occupation.avec_normales = set(occupation.normales)
        sans = [pk for pk in ids if pk not in occupation.avec_normales]
        if sans:
            occupation.avec_normales |= set(
                ResourceAvailability.objects.normales()
                .filter(ressource_id__in=sans)
                .order_by()
                .values_list("ressource_id", flat=True)
                .distinct()
            )
        return occupation

    def reservations_chevauchant(self, ressource_id, debut, fin) -> list:
        liste = self.reservations.get(ressource_id, ())
        if not liste:
            return []
        # Sorted by start and none longer than DUREE_MAXIMUM_ABSOLUE: look from there only.
        premier = bisect_left(liste, debut - DUREE_MAXIMUM_ABSOLUE, key=lambda r: r.debut)
        chevauchantes = []
        for reservation in liste[premier:]:
            if reservation.debut >= fin:
                break
            if reservation.fin > debut:
                chevauchantes.append(reservation)
        return chevauchantes

    def conflits(self, ressource_id, debut, fin) -> list[dict]:
        """The ``conflits`` entries of ``[debut, fin)``: reservations by start, then the
        occurrences of blocking periods."""
        conflits = [
            conflit_reservation(r) for r in self.reservations_chevauchant(ressource_id, debut, fin)
        ]
        for periode in self.bloquantes.get(ressource_id, ()):
            for o_debut, o_fin in calendrier.occurrences(periode, debut, fin):
                conflits.append(
                    {
                        "type": "indisponibilite",
                        "id": periode.pk,
                        "debut": timezone.localtime(o_debut),
                        "fin": timezone.localtime(o_fin),
                    }
                )
        return conflits

    def dans_une_fenetre_normale(self, ressource_id, debut, fin) -> bool:
        """Inside one occurrence of a normal window, or the ressource has none at all."""
        if ressource_id not in self.avec_normales:
            return True
        return any(calendrier.couvre(p, debut, fin) for p in self.normales.get(ressource_id, ()))


def conflit_reservation(reservation) -> dict:
    """A reservation as an entry of ``conflits``, its times in the organisation's zone."""
    return {
        "type": "reservation",
        "id": reservation.pk,
        "debut": timezone.localtime(reservation.debut),
        "fin": timezone.localtime(reservation.fin),
    }
