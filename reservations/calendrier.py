"""Calendar arithmetic in the organisation's time zone: occurrences of repeating periods,
opening hours and the 15-minute grid.

Repeating periods repeat at the same *wall-clock* time (a daily 09:00-10:00 maintenance
stays at 09:00 across daylight-saving changes), so occurrences are computed on naive local
datetimes and made aware afterwards.
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from .models import PAS_RECURRENCE, Recurrence


def local_naif(moment: datetime, zone=None) -> datetime:
    return moment.astimezone(zone or timezone.get_current_timezone()).replace(tzinfo=None)


def rendre_conscient(naif: datetime, zone=None) -> datetime:
    return timezone.make_aware(naif, zone or timezone.get_current_timezone())


def sur_la_grille(moment: datetime) -> bool:
    """On the 15-minute grid of the organisation's zone, with no seconds."""
    local = timezone.localtime(moment)
    return local.minute % 15 == 0 and local.second == 0 and local.microsecond == 0


def occurrences(periode, debut: datetime, fin: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Occurrences ``(debut, fin)`` of ``periode`` that overlap ``[debut, fin)``."""
    if periode.recurrence == Recurrence.PONCTUEL:
        if periode.debut < fin and periode.fin > debut:
            yield periode.debut, periode.fin
        return
    pas = PAS_RECURRENCE[periode.recurrence]
    # Look the zone up once: each lookup goes through asgiref's Local (about 10 us), and the
    # free search expands hundreds of periods per request.
    zone = timezone.get_current_timezone()
    d0, f0 = local_naif(periode.debut, zone), local_naif(periode.fin, zone)
    fenetre_debut, fenetre_fin = local_naif(debut, zone), local_naif(fin, zone)
    # One step of slack on each side absorbs the hour that a DST change adds or removes.
    k_min = max(0, (fenetre_debut - f0) // pas - 1)
    k_max = (fenetre_fin - d0) // pas + 1
    for k in range(k_min, k_max + 1):
        occ_debut_naif = d0 + k * pas
        if periode.fin_recurrence is not None and occ_debut_naif.date() > periode.fin_recurrence:
            return
        occ_debut = rendre_conscient(occ_debut_naif, zone)
        occ_fin = rendre_conscient(f0 + k * pas, zone)
        if occ_debut < fin and occ_fin > debut:
            yield occ_debut, occ_fin


def touche(periode, debut: datetime, fin: datetime) -> bool:
    return next(occurrences(periode, debut, fin), None) is not None


def couvre(periode, debut: datetime, fin: datetime) -> bool:
    """One occurrence of ``periode`` contains all of ``[debut, fin)``."""
    return any(
        o_debut <= debut and fin <= o_fin for o_debut, o_fin in occurrences(periode, debut, fin)
    )


def union_couvre(intervalles, debut: datetime, fin: datetime) -> bool:
    """The union of ``intervalles`` covers all of ``[debut, fin)``."""
    curseur = debut
    for i_debut, i_fin in sorted(intervalles):
        if i_debut > curseur:
            return False
        curseur = max(curseur, i_fin)
        if curseur >= fin:
            return True
    return curseur >= fin


def bornes_du_jour(
    jour: date, ouverture: time, fermeture: time, zone: tzinfo | None = None
) -> tuple[datetime, datetime]:
    """Aware opening and closing instants of ``jour`` (in ``zone``, default the current
    one: a caller computing many days passes it, looked up once)."""
    return (
        rendre_conscient(datetime.combine(jour, ouverture), zone),
        rendre_conscient(datetime.combine(jour, fermeture), zone),
    )


def debut_du_jour(jour: date, zone: tzinfo | None = None) -> datetime:
    return rendre_conscient(datetime.combine(jour, time.min), zone)


def jours(premier: date, nombre: int) -> list[date]:
    return [premier + timedelta(days=i) for i in range(nombre)]
