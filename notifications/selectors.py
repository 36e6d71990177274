"""Read-side queries of the notifications: who confirms a pending booking, what a
reservation looked like right after one of its events, who wants messages."""

from django.db.models import Q, QuerySet

from accounts.models import Autorisation, Role, User
from reservations import journal


def destinataires_possibles() -> QuerySet[User]:
    """Accounts that receive messages: active, with ``notifications_email`` on."""
    return User.objects.filter(compte_actif=True, notifications_email=True)


def confirmateurs(*, department_id: int | None, site_id: int | None) -> list[User]:
    """Who is told that a booking awaits approval (API.md C3): the manager of the
    beneficiary's department and the active holders of ``confirmer_reservations`` whose main
    site is the ressource's; when there is none, every active admin. Their own preferences
    are applied afterwards: someone who turned messages off still counts as a confirmer, so
    the admins are not told in their place."""
    actifs = User.objects.filter(compte_actif=True)
    portee = Q()
    if department_id is not None:
        portee |= Q(departments_geres__pk=department_id)
    if site_id is not None:
        portee |= Q(
            site_principal_id=site_id,
            autorisations__possede=Autorisation.CONFIRMER_RESERVATIONS.value,
        )
    trouves = list(actifs.filter(portee).distinct().order_by("id")) if portee else []
    return trouves or list(actifs.filter(role=Role.ADMIN).order_by("id"))


def etat_apres(evenement, evenements, reservation) -> dict | None:
    """The reservation's values (``journal.etat_reservation``'s names and API values) right
    after ``evenement``, from its journal ``evenements`` (all of them, by id).

    The reservation still exists: its current values with the later events undone (exact,
    even for a reservation older than the journal). It is gone: the events up to this one
    replayed from its creation; ``None`` when they do not say enough (no creation event).
    """
    if reservation is not None:
        etat = journal.etat_reservation(reservation)
        for plus_tard in reversed([e for e in evenements if e.pk > evenement.pk]):
            for champ, (avant, _apres) in plus_tard.changements.items():
                if champ in etat:
                    etat[champ] = avant
        return etat
    etat = {}
    for precedent in (e for e in evenements if e.pk <= evenement.pk):
        for champ, (_avant, apres) in precedent.changements.items():
            etat[champ] = apres
    if any(etat.get(champ) is None for champ in ("ressource_id", "user_id", "debut", "fin")):
        return None
    return etat
