"""Alternatives to a window that is taken (API.md C7): what to offer beside the conflicts.

Up to ``NB_ALTERNATIVES`` proposals ``{"ressource_id", "nom", "site_id", "debut", "fin"}``:

1. other active ressources of the same type and site, with ``capacite_maximum >=
   nbr_participants`` and all the ``caracteristiques`` of the requested one, on which that
   exact window is bookable (every rule of a booking, for the caller), capacity closest to
   the need first, then by name;
2. then, if there is room left, the same ressource at the nearest bookable start of the
   same day within ``ECART_MAX`` (same duration; at equal distance, the earlier one).

The rules are ``regles.evaluer_creneau``'s, decided against ``Occupation``s loaded once for
all the windows asked about: a series asks for all its refused dates together, in a fixed
number of queries.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from ressources.models import Ressource

from . import regles
from .creneaux import Occupation

NB_ALTERNATIVES = 3
ECART_MAX = timedelta(hours=2)
PAS = timedelta(minutes=15)


def fenetres_avec_marge(fenetres):
    """The windows the requested ressource's ``Occupation`` must cover for ``proposer``."""
    return [(debut - ECART_MAX, fin + ECART_MAX) for debut, fin in fenetres]


def candidates(ressource, nbr_participants: int) -> list[Ressource]:
    """The other ressources that could take the booking, best first (one query)."""
    return list(
        Ressource.objects.actives()
        .filter(
            site_id=ressource.site_id,
            type_ressource=ressource.type_ressource,
            capacite_maximum__gte=nbr_participants,
        )
        .exclude(pk=ressource.pk)
        .avec_caracteristiques(ressource.caracteristiques or [])
        .select_related("site")
        .order_by("capacite_maximum", "nom", "pk")
    )


def _proposition(ressource, debut: datetime, fin: datetime) -> dict:
    return {
        "ressource_id": ressource.pk,
        "nom": ressource.nom,
        "site_id": ressource.site_id,
        "debut": timezone.localtime(debut),
        "fin": timezone.localtime(fin),
    }


def _decalages():
    """Shifts of the start, nearest first, the earlier one first at equal distance."""
    for pas in range(1, ECART_MAX // PAS + 1):
        yield -pas * PAS
        yield pas * PAS


def proposer(
    ressource,
    fenetres,
    *,
    nbr_participants: int,
    admin: bool,
    occupation: Occupation | None = None,
) -> dict[tuple[datetime, datetime], list[dict]]:
    """The alternatives of each window of ``fenetres`` (``(debut, fin)``, in UTC) on
    ``ressource``: ``{(debut, fin): [proposal, ...]}``.

    ``occupation`` is the requested ressource's, covering ``fenetres_avec_marge(fenetres)``
    (loaded here when not given). Four to seven queries whatever the number of windows.
    """
    fenetres = list(dict.fromkeys(fenetres))
    if not fenetres:
        return {}
    if occupation is None:
        occupation = Occupation.charger([ressource], fenetres_avec_marge(fenetres))
    autres = candidates(ressource, nbr_participants)
    occupation_autres = Occupation.charger(autres, fenetres)
    regles_de = {"nbr_participants": nbr_participants, "admin": admin}
    resultat = {}
    for debut, fin in fenetres:
        propositions = []
        for autre in autres:
            evaluation = regles.evaluer_creneau(
                autre, debut, fin, occupation=occupation_autres, **regles_de
            )
            if evaluation.acceptee:
                propositions.append(_proposition(autre, debut, fin))
                if len(propositions) == NB_ALTERNATIVES:
                    break
        if len(propositions) < NB_ALTERNATIVES:
            jour = timezone.localdate(debut)
            for decalage in _decalages():
                autre_debut, autre_fin = debut + decalage, fin + decalage
                if timezone.localdate(autre_debut) != jour:
                    continue
                evaluation = regles.evaluer_creneau(
                    ressource, autre_debut, autre_fin, occupation=occupation, **regles_de
                )
                if evaluation.acceptee:
                    propositions.append(_proposition(ressource, autre_debut, autre_fin))
                    break
        resultat[debut, fin] = propositions
    return resultat


def pour_creneau(ressource, debut, fin, *, nbr_participants: int, admin: bool) -> list[dict]:
    """The alternatives of one taken window (the 409 of a single booking)."""
    fenetre = (debut, fin)
    return proposer(ressource, [fenetre], nbr_participants=nbr_participants, admin=admin)[fenetre]
