"""State changes of reservations and unavailability periods.

Each service runs in one transaction, locks the ressource right before the availability
check (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction already
holds the database's write lock), checks every rule through ``regles`` and saves. On
PostgreSQL the exclusion constraint backs this up: if it fires anyway, the caller still gets
the contract's 409 with the conflicts.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Autorisation
from resa_project.erreurs import ConflitEtat
from ressources.models import Ressource

from . import calendrier, regles
from .models import (
    STATUTS_BLOQUANTS,
    Recurrence,
    Reservation,
    StatutReservation,
)

DELAI_ANNULATION_PROPRIETAIRE = timedelta(hours=2)
CHAMPS_MODIFIABLES = ("ressource", "debut", "fin", "description", "nbr_participants", "note")

MSG_DEJA_CLOSE = "Cette réservation est {statut} : elle ne peut plus être modifiée."
MSG_MODIFIEE_ENTRE_TEMPS = "La réservation vient d'être modifiée par ailleurs : réessayez."
MSG_ANNULATION_TARDIVE = (
    "Une réservation ne peut être annulée par son titulaire que jusqu'à 2 heures avant son début."
)
MSG_ANNULATION_TERMINEE = "Cette réservation est terminée : elle ne peut plus être annulée."
MSG_CONFIRMER_ETAT = "Seule une réservation en attente (en_cours) peut être confirmée."
MSG_TERMINER_ETAT = "Seule une réservation confirmée peut être terminée."
MSG_TERMINER_TROP_TOT = "Une réservation ne peut être terminée qu'après sa fin."
MSG_NON_PRESENT_ETAT = "Seule une réservation confirmée peut être marquée non présente."
MSG_NON_PRESENT_TROP_TOT = "Une réservation ne peut être marquée non présente qu'après son début."
MSG_ANNULEE_PAR_INDISPONIBILITE = "Annulée : la ressource est indisponible ({raison})."
MSG_PERIODE_OCCUPEE = (
    "Des réservations occupent cette période : annulez-les ou passez annuler_conflits=true."
)


def verrouiller(*ressources):
    """Lock ressources in id order (no deadlock when two moves cross) and return them fresh.

    Only the ressource rows are locked (``of=("self",)``): locking the joined site too would
    serialise every booking of a site and let two writers of one site deadlock.
    """
    ids = sorted({r.pk for r in ressources})
    verrouillees = {
        r.pk: r
        for r in Ressource.objects.select_for_update(of=("self",))
        .select_related("site")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    return [verrouillees[r.pk] for r in ressources]


def peut_reserver_pour_autrui(user) -> bool:
    return user.est_manager_ou_admin or user.a_autorisation(Autorisation.RESERVER_POUR_AUTRUI)


def _enregistrer(reservation, *, ressource, exclure=None):
    """Save, turning a last-line exclusion-constraint violation into the usual 409."""
    try:
        with transaction.atomic():
            reservation.save()
    except IntegrityError:
        conflits = regles.conflits_du_creneau(
            ressource, reservation.debut, reservation.fin, exclure=exclure
        )
        if conflits:
            raise regles.ConflitReservation(conflits) from None
        raise


@transaction.atomic
def reserver(
    *,
    par,
    ressource,
    debut,
    fin,
    user=None,
    description="",
    nbr_participants=1,
    note="",
) -> Reservation:
    """Book ``ressource`` for ``user`` (default: the caller). Permission to book for others
    is the caller's business (see ``peut_reserver_pour_autrui``); the rules are checked here."""
    (ressource,) = verrouiller(ressource)
    regles.verifier_creneau(
        ressource, debut, fin, nbr_participants=nbr_participants, admin=par.est_admin
    )
    attente = ressource.validation_requise and not par.est_manager_ou_admin
    reservation = Reservation(
        ressource=ressource,
        user=user or par,
        createur=par,
        debut=debut,
        fin=fin,
        description=description,
        nbr_participants=nbr_participants,
        note=note,
        statut=StatutReservation.EN_ATTENTE if attente else StatutReservation.CONFIRME,
    )
    # The related rows were just loaded (the ressource is locked) and the CHECK constraints
    # mirror rules verifier_creneau already applied; the database still enforces them on
    # INSERT. This saves 12 queries (3 FK lookups, 3 x SAVEPOINT/SELECT/RELEASE).
    reservation.full_clean(exclude=["ressource", "user", "createur"], validate_constraints=False)
    _enregistrer(reservation, ressource=ressource)
    return reservation


@transaction.atomic
def modifier(reservation, *, par, **champs) -> Reservation:
    """Partial update of ``CHAMPS_MODIFIABLES``; every rule is checked again.

    On a ressource with ``validation_requise``, a reservation moved (ressource, debut or fin)
    by someone who is neither manager nor admin waits for confirmation again.
    """
    inconnus = set(champs) - set(CHAMPS_MODIFIABLES)
    if inconnus:
        raise ValueError(f"Champs non modifiables : {sorted(inconnus)}")
    actuelle = Reservation.objects.select_related("ressource").get(pk=reservation.pk)
    # Ressources first, then the row: the order in which every other writer locks.
    ancienne, nouvelle = verrouiller(
        actuelle.ressource, champs.get("ressource", actuelle.ressource)
    )
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.ressource_id != ancienne.pk:
        raise ConflitEtat(MSG_MODIFIEE_ENTRE_TEMPS)
    _exiger_ouverte(reservation)
    avant = (reservation.ressource_id, reservation.debut, reservation.fin)
    for champ, valeur in champs.items():
        setattr(reservation, champ, valeur)
    reservation.ressource = nouvelle
    regles.verifier_creneau(
        nouvelle,
        reservation.debut,
        reservation.fin,
        nbr_participants=reservation.nbr_participants,
        admin=par.est_admin,
        passe_verifie=reservation.debut != avant[1],
        exclure=reservation,
    )
    deplacee = (nouvelle.pk, reservation.debut, reservation.fin) != avant
    if deplacee and nouvelle.validation_requise and not par.est_manager_ou_admin:
        reservation.statut = StatutReservation.EN_ATTENTE
    reservation.full_clean()
    _enregistrer(reservation, ressource=nouvelle, exclure=reservation)
    return reservation


def _exiger_ouverte(reservation):
    if reservation.statut not in STATUTS_BLOQUANTS:
        raise ConflitEtat(MSG_DEJA_CLOSE.format(statut=reservation.get_statut_display().lower()))


def _changer_statut(reservation, statut, note=None):
    reservation.statut = statut
    champs = ["statut", "date_modification"]
    if note:
        reservation.note = f"{reservation.note}\n{note}".strip()
        champs.append("note")
    reservation.save(update_fields=champs)
    return reservation


@transaction.atomic
def annuler(reservation, *, par, maintenant=None) -> Reservation:
    """The holder may cancel up to 2 h before the start; managers and admins until the end."""
    maintenant = maintenant or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    _exiger_ouverte(reservation)
    if par.est_manager_ou_admin:
        if maintenant >= reservation.fin:
            raise ConflitEtat(MSG_ANNULATION_TERMINEE)
    elif maintenant > reservation.debut - DELAI_ANNULATION_PROPRIETAIRE:
        raise ConflitEtat(MSG_ANNULATION_TARDIVE)
    return _changer_statut(reservation, StatutReservation.ANNULE)


@transaction.atomic
def confirmer(reservation, *, par) -> Reservation:
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.statut != StatutReservation.EN_ATTENTE:
        raise ConflitEtat(MSG_CONFIRMER_ETAT)
    return _changer_statut(reservation, StatutReservation.CONFIRME)


@transaction.atomic
def terminer(reservation, *, par, maintenant=None) -> Reservation:
    maintenant = maintenant or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.statut != StatutReservation.CONFIRME:
        raise ConflitEtat(MSG_TERMINER_ETAT)
    if maintenant < reservation.fin:
        raise ConflitEtat(MSG_TERMINER_TROP_TOT)
    return _changer_statut(reservation, StatutReservation.FINI)


@transaction.atomic
def marquer_non_present(reservation, *, par, maintenant=None) -> Reservation:
    maintenant = maintenant or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.statut != StatutReservation.CONFIRME:
        raise ConflitEtat(MSG_NON_PRESENT_ETAT)
    if maintenant < reservation.debut:
        raise ConflitEtat(MSG_NON_PRESENT_TROP_TOT)
    return _changer_statut(reservation, StatutReservation.NON_PRESENT)


@transaction.atomic
def cloturer_journee(*, maintenant=None) -> int:
    """Confirmed reservations whose end has passed become ``fini``. Returns how many."""
    maintenant = maintenant or timezone.now()
    return Reservation.objects.filter(
        statut=StatutReservation.CONFIRME, fin__lte=maintenant
    ).update(statut=StatutReservation.FINI, date_modification=maintenant)


def reservations_en_conflit(periode, *, verrou=False):
    """Blocking reservations that an occurrence of ``periode`` overlaps, by ``(debut, id)``.

    With ``verrou`` (in a transaction that already holds the ressource's lock) they are
    also locked, in id order, and read again once locked: on PostgreSQL a reservation whose
    status another transaction committed meanwhile (``non_present``, ``fini``, ``annule``)
    is left out, and the others come with their latest note.
    """
    if not periode.est_bloquante:
        return []
    candidates = Reservation.objects.bloquantes().filter(ressource_id=periode.ressource_id)
    if periode.recurrence == Recurrence.PONCTUEL:
        conflits = candidates.chevauche(periode.debut, periode.fin)
    else:
        candidates = candidates.filter(fin__gt=periode.debut)
        if periode.fin_recurrence is not None:
            limite = calendrier.debut_du_jour(periode.fin_recurrence + timedelta(days=1))
            candidates = candidates.filter(debut__lt=limite + (periode.fin - periode.debut))
        # Occurrences are decided in Python: keep (and lock) only the reservations they touch.
        touchees = [
            r.pk
            for r in candidates.only("pk", "debut", "fin")
            if calendrier.touche(periode, r.debut, r.fin)
        ]
        conflits = candidates.filter(pk__in=touchees)
    if verrou:
        conflits = conflits.select_for_update().order_by("pk")
    return sorted(conflits, key=lambda r: (r.debut, r.pk))


@transaction.atomic
def enregistrer_disponibilite(periode, *, par, annuler_conflits=False):
    """Create or update an unavailability period.

    A blocking period over ``en_cours``/``confirme`` reservations is refused with the list of
    them (409), unless ``annuler_conflits``: then they are cancelled, with the reason in their
    note. Returns ``(periode, ids of the cancelled reservations)``: exactly the reservations
    this call set to ``annule``.

    Locks the ressource, then the conflicting reservation rows in id order. The ressource
    lock keeps every reservation of it where it is (``reserver`` and ``modifier`` take it
    first), but the status changes (``annuler``, ``confirmer``, ``terminer``,
    ``marquer_non_present``) lock only their reservation row. Locking the rows makes them
    wait for this transaction (and then refuse a status that is now ``annule``), or makes
    this one wait for theirs (and then skip a reservation that is no longer blocking),
    instead of overwriting a ``non_present`` committed in between. This cannot deadlock with
    them: each holds a single row and asks for nothing after it; ``modifier`` locks
    ressources before its row, the same order as here.
    """
    verrouiller(periode.ressource)
    periode.full_clean()
    conflits = reservations_en_conflit(periode, verrou=True)
    if conflits and not annuler_conflits:
        raise regles.ConflitReservation(
            [regles.conflit_reservation(r) for r in conflits], detail=MSG_PERIODE_OCCUPEE
        )
    raison = periode.raison_indisponibilite or periode.get_type_disponibilite_display()
    for reservation in conflits:
        _changer_statut(
            reservation,
            StatutReservation.ANNULE,
            note=MSG_ANNULEE_PAR_INDISPONIBILITE.format(raison=raison),
        )
    periode.save()
    return periode, [r.pk for r in conflits]
