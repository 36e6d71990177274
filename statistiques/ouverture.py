"""Open time of ressources over a period of local days: opening hours less blocking
unavailabilities, computed without a loop over every day of every ressource.

Everything is counted in local wall-clock time (the organisation's ``TIME_ZONE``): a day
opened 08:00-18:00 counts 10 hours, also on a daylight-saving change day (opening hours
never span the changed hour). Each ressource is open every day of the period within its
hours (a room's own, else its site's; equipment and vehicles use their site's).

A blocking period (``maintenance``, ``evenement_special``), once or repeating, is cut into
*pieces*: one day's part of an occurrence, as seconds of that day, repeated every ``pas``
days ``nombre`` times (an arithmetic progression of day indices). Each piece is clipped to
the ressource's opening hours. Overlapping unavailabilities of one ressource are counted
once each, and a group's open time never goes below zero.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from reservations.models import PAS_RECURRENCE, Recurrence

JOUR = 86400
HEURE = 3600


def secondes(moment: time) -> int:
    return moment.hour * HEURE + moment.minute * 60 + moment.second


@dataclass(frozen=True)
class RessourceOuverte:
    id: int
    cle: object  # the group it counts for (site id, type, ressource id; None: one group)
    ouverture: int  # seconds of the local day
    fermeture: int


@dataclass(frozen=True)
class Morceau:
    """Seconds ``[debut, fin)`` of day ``premier`` blocked, and of every ``pas``-th day
    after it, ``nombre`` times in all."""

    ressource: int
    premier: int
    pas: int
    nombre: int
    debut: int
    fin: int

    def jours(self):
        return range(self.premier, self.premier + self.pas * self.nombre, self.pas)

    def par_jour_semaine(self, jour0: date) -> list[int]:
        """How many of its days fall on each weekday (0 = Monday)."""
        comptes = [0] * 7
        base = jour0.weekday()
        if self.pas % 7 == 0:
            comptes[(base + self.premier) % 7] = self.nombre
            return comptes
        complets, reste = divmod(self.nombre, 7)
        for decalage in range(7):
            comptes[(base + self.premier + decalage) % 7] = complets + (decalage < reste)
        return comptes


def _local(moment: datetime, zone) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def morceaux(periodes, jour0: date, nb_jours: int, horaires: dict[int, tuple[int, int]]):
    """The pieces of ``periodes`` inside days ``0 .. nb_jours - 1`` (day 0 is ``jour0``),
    clipped to the opening hours of their ressource (``horaires[id]``)."""
    zone = timezone.get_current_timezone()
    minuit0 = datetime.combine(jour0, time.min)
    for periode in periodes:
        if periode.ressource_id not in horaires:
            continue
        ouverture, fermeture = horaires[periode.ressource_id]
        debut, fin = _local(periode.debut, zone), _local(periode.fin, zone)
        jour_debut = (debut.date() - jour0).days
        if periode.recurrence == Recurrence.PONCTUEL:
            pas, repetitions = 1, 1
        else:
            pas = PAS_RECURRENCE[periode.recurrence].days
            if periode.fin_recurrence is None:
                repetitions = max(0, (nb_jours - jour_debut) // pas + 2)
            else:
                repetitions = max(0, (periode.fin_recurrence - debut.date()).days // pas + 1)
        curseur = debut
        while curseur < fin:
            minuit = datetime.combine(curseur.date(), time.min)
            jusqua = min(fin, minuit + timedelta(days=1))
            d = max(secondes(curseur.time()), ouverture)
            f = min(int((jusqua - minuit).total_seconds()), fermeture)
            premier_k = (minuit - minuit0).days
            curseur = jusqua
            if f <= d:
                continue
            # Repetitions k = 0 .. repetitions - 1 on day premier_k + k * pas, kept in range.
            k_min = max(0, (pas - 1 - premier_k) // pas)
            k_max = min(repetitions - 1, (nb_jours - 1 - premier_k) // pas)
            if k_max >= k_min:
                yield Morceau(
                    periode.ressource_id,
                    premier_k + k_min * pas,
                    pas,
                    k_max - k_min + 1,
                    d,
                    f,
                )


class TempsOuvert:
    """Open seconds of groups of ressources over buckets of days.

    ``seau_du_jour[i]`` is the bucket of day ``i`` (``None``: one bucket for the whole
    period). ``secondes(cle, seau)`` is the group's open time in that bucket;
    ``cle=TOUT`` the whole set.
    """

    TOUT = object()

    def __init__(self, ressources, periodes, jour0: date, nb_jours: int, seau_du_jour=None):
        self.jour0, self.nb_jours = jour0, nb_jours
        self.seau_du_jour = seau_du_jour or [0] * nb_jours
        self.jours_par_seau: dict[int, int] = {}
        for seau in self.seau_du_jour:
            self.jours_par_seau[seau] = self.jours_par_seau.get(seau, 0) + 1
        self.par_jour: dict[object, int] = {self.TOUT: 0}
        self.ressources = {r.id: r for r in ressources}
        for r in ressources:
            duree = max(0, r.fermeture - r.ouverture)
            self.par_jour[r.cle] = self.par_jour.get(r.cle, 0) + duree
            self.par_jour[self.TOUT] += duree
        horaires = {r.id: (r.ouverture, r.fermeture) for r in ressources}
        self.morceaux = list(morceaux(periodes, jour0, nb_jours, horaires))
        self.bloque: dict[tuple[object, int], int] = {}
        if seau_du_jour is None:
            for morceau in self.morceaux:
                cle = self.ressources[morceau.ressource].cle
                self._bloquer(cle, 0, (morceau.fin - morceau.debut) * morceau.nombre)
            return
        # Seconds blocked per group and day: a piece adds its seconds every ``pas``-th day
        # from ``premier``, ``nombre`` times; one difference array per group and step.
        ecarts: dict[tuple[object, int], list[int]] = {}
        for morceau in self.morceaux:
            cle = self.ressources[morceau.ressource].cle
            pas = morceau.pas
            ecart = ecarts.setdefault((cle, pas), [0] * (nb_jours + pas))
            ecart[morceau.premier] += morceau.fin - morceau.debut
            ecart[morceau.premier + pas * morceau.nombre] -= morceau.fin - morceau.debut
        for (cle, pas), ecart in ecarts.items():
            for jour in range(nb_jours):
                if jour >= pas:
                    ecart[jour] += ecart[jour - pas]
                if ecart[jour]:
                    self._bloquer(cle, self.seau_du_jour[jour], ecart[jour])

    def _bloquer(self, cle, seau, duree):
        for k in ((cle, seau), (self.TOUT, seau)):
            self.bloque[k] = self.bloque.get(k, 0) + duree

    def secondes(self, cle, seau=0) -> int:
        ouvert = self.par_jour.get(cle, 0) * self.jours_par_seau.get(seau, 0)
        return max(0, ouvert - self.bloque.get((cle, seau), 0))

    def secondes_periode(self, cle) -> int:
        return sum(self.secondes(cle, seau) for seau in self.jours_par_seau)

    def par_jour_et_heure(self) -> list[list[float]]:
        """Open seconds per local weekday (0 = Monday) and hour, over the whole period."""
        jours_semaine = [0] * 7
        for i in range(self.nb_jours):
            jours_semaine[(self.jour0.weekday() + i) % 7] += 1
        grille = [[0.0] * 24 for _ in range(7)]
        # Ressources with the same hours, and pieces with the same seconds, add up alike.
        par_horaires: dict[tuple[int, int], int] = {}
        for r in self.ressources.values():
            par_horaires[r.ouverture, r.fermeture] = (
                par_horaires.get((r.ouverture, r.fermeture), 0) + 1
            )
        for (ouverture, fermeture), nombre in par_horaires.items():
            for heure in range(24):
                part = _recouvrement(ouverture, fermeture, heure * HEURE, (heure + 1) * HEURE)
                if part:
                    for jour in range(7):
                        grille[jour][heure] += part * jours_semaine[jour] * nombre
        par_secondes: dict[tuple[int, int], list[int]] = {}
        for morceau in self.morceaux:
            comptes = par_secondes.setdefault((morceau.debut, morceau.fin), [0] * 7)
            for jour, nombre in enumerate(morceau.par_jour_semaine(self.jour0)):
                comptes[jour] += nombre
        for (debut, fin), comptes in par_secondes.items():
            for heure in range(debut // HEURE, min(24, (fin - 1) // HEURE + 1)):
                part = _recouvrement(debut, fin, heure * HEURE, (heure + 1) * HEURE)
                for jour in range(7):
                    grille[jour][heure] -= part * comptes[jour]
        return [[max(0.0, valeur) for valeur in ligne] for ligne in grille]


def _recouvrement(a, b, c, d) -> int:
    return max(0, min(b, d) - max(a, c))
