"""State changes of reservations and unavailability periods.

Each service runs in one transaction, locks the ressource right before the availability
check (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction already
holds the database's write lock), checks every rule through ``regles`` and saves. On
PostgreSQL the exclusion constraint backs this up: if it fires anyway, the caller still gets
the contract's 409 with the conflicts.

Each change also writes its event (``journal``) in that same transaction, so a refused or
rolled-back change leaves no event and a committed one always has its event.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Autorisation
from resa_project.erreurs import ConflitEtat
from ressources import services as catalogue
from ressources.models import Ressource

from . import calendrier, journal, regles
from .creneaux import Occupation
from .models import (
    STATUTS_BLOQUANTS,
    Recurrence,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeEvenement,
    q_a_liberer,
)

DELAI_ANNULATION_PROPRIETAIRE = timedelta(hours=2)
CHAMPS_MODIFIABLES = ("ressource", "debut", "fin", "description", "nbr_participants", "note")
CHAMPS_DISPONIBILITE = (
    "ressource",
    "type_disponibilite",
    "debut",
    "fin",
    "raison_indisponibilite",
    "recurrence",
    "fin_recurrence",
)
# Derived from rows the service has just read (and locked): not looked up again.
CHAMPS_DERIVES = ["site", "department"]

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
MSG_SUPPRIMEE = "Réservation supprimée par un administrateur."
# Check-in and release (API.md C4).
AVANCE_CHECKIN = timedelta(minutes=15)
MSG_CHECKIN_DEJA = "L'arrivée a déjà été signalée pour cette réservation."
MSG_CHECKIN_ETAT = "Seule une réservation confirmée peut recevoir une arrivée."
MSG_CHECKIN_TROP_TOT = "L'arrivée se signale au plus tôt 15 minutes avant le début ({moment})."
MSG_CHECKIN_TROP_TARD = "Il est trop tard pour signaler l'arrivée (au plus tard {moment})."
MSG_LIBEREE_AUTOMATIQUEMENT = "Libérée automatiquement : personne ne s'est présenté."
MSG_LIBEREE_PAR = "Libérée par {nom} : personne ne s'est présenté."
MSG_EXPIREE = (
    "Personne ne s'est présenté avant la limite d'arrivée : cette réservation est libérée."
)
MSG_LIBERER_ETAT = "Seule une réservation confirmée sans arrivée signalée peut être libérée."
MSG_LIBERER_TROP_TOT = "Une réservation ne peut être libérée qu'à partir de son début."
MSG_LIBERER_AVANT_LIMITE = "Le délai d'arrivée de cette réservation n'est pas écoulé."
MSG_LIBERER_TERMINEE = "Cette réservation est terminée : marquez-la non présente."
LOT_LIBERATIONS = 500


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


def limite_checkin(reservation, ressource):
    """The moment from which ``reservation`` is released if nobody checked in: ``debut``
    plus the ressource's delay, never after ``fin`` (the check-in closes there, and the
    closing of the day must find an unclaimed booking released, not ``fini``), on a
    ressource that requires check-in (else ``None``)."""
    if not ressource.checkin_requis:
        return None
    return min(
        reservation.debut + timedelta(minutes=ressource.delai_checkin_minutes), reservation.fin
    )


def _liberer_les_expirees(ressource, debut, fin, *, exclure=None):
    """Release, in the current transaction, the unclaimed holds past their check-in
    deadline that overlap ``[debut, fin)`` (the rules already treat them as free): the
    booking that takes their time records their release, worker or not.

    Looked up whatever the ressource's current setting: a booking started before its
    ressource stopped requiring check-in keeps its deadline (``recalculer_limites_checkin``),
    and on PostgreSQL the exclusion constraint refuses an INSERT over such a hold that
    is still ``confirme``."""
    expirees = (
        Reservation.objects.a_liberer()
        .filter(ressource=ressource)
        .chevauche(debut, fin)
        .select_for_update()
        .order_by("pk")
    )
    if exclure is not None:
        expirees = expirees.exclude(pk=exclure.pk)
    journal.enregistrer_tous(
        [
            _changer_statut(
                expiree,
                StatutReservation.NON_PRESENT,
                TypeEvenement.RESERVATION_LIBEREE,
                par=None,
                note=MSG_LIBEREE_AUTOMATIQUEMENT,
            )
            for expiree in expirees
        ]
    )


def _enregistrer(reservation, *, ressource, exclure=None):
    """Save (with its check-in deadline), after releasing the expired holds of its slot;
    a last-line exclusion-constraint violation becomes the usual 409."""
    reservation.checkin_limite = limite_checkin(reservation, ressource)
    _liberer_les_expirees(ressource, reservation.debut, reservation.fin, exclure=exclure)
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


@dataclass(frozen=True)
class Verifiee:
    """A reservation checked against every rule, under the locks its check took, and not
    saved yet: what ``preparer_reservation`` and ``preparer_modification`` return and
    ``enregistrer_verifiee`` saves, in the same transaction."""

    reservation: Reservation
    par: object
    ressource: Ressource
    #: The API's values before a modification; ``None`` for a new booking.
    avant: dict | None


def _exiger_transaction():
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "À appeler dans une transaction : les verrous du contrôle doivent tenir jusqu'à "
            "l'enregistrement."
        )


def preparer_reservation(
    *,
    par,
    ressource,
    debut,
    fin,
    user=None,
    description="",
    nbr_participants=1,
    note="",
) -> Verifiee:
    """The check-only half of ``reserver``: locks the ressource, applies every rule and
    returns the booking unsaved (raises what ``reserver`` raises). The back-office form
    validates with it, then ``save_model`` saves with ``enregistrer_verifiee``, in the admin's
    one transaction: the rules run once."""
    _exiger_transaction()
    (ressource,) = verrouiller(ressource)
    regles.verifier_creneau(
        ressource, debut, fin, nbr_participants=nbr_participants, admin=par.est_admin
    )
    reservation = nouvelle_reservation(
        par=par,
        ressource=ressource,
        debut=debut,
        fin=fin,
        user=user,
        description=description,
        nbr_participants=nbr_participants,
        note=note,
    )
    return Verifiee(reservation, par, ressource, None)


def nouvelle_reservation(
    *,
    par,
    ressource,
    debut,
    fin,
    user=None,
    description="",
    nbr_participants=1,
    note="",
    serie=None,
) -> Reservation:
    """The unsaved booking that the rules accepted, with its initial status (pending on a
    ressource with ``validation_requise`` unless a manager or admin booked it) and the
    facts frozen at booking time; ``ressource`` is the locked one (its site loaded)."""
    attente = ressource.validation_requise and not par.est_manager_ou_admin
    beneficiaire = user or par
    reservation = Reservation(
        ressource=ressource,
        user=beneficiaire,
        createur=par,
        site_id=ressource.site_id,
        department_id=beneficiaire.department_id,
        debut=debut,
        fin=fin,
        description=description,
        nbr_participants=nbr_participants,
        note=note,
        statut=StatutReservation.EN_ATTENTE if attente else StatutReservation.CONFIRME,
        serie=serie,
    )
    # The related rows were just loaded (the ressource is locked) and the CHECK constraints
    # mirror rules verifier_creneau already applied; the database still enforces them on
    # INSERT. This saves 12 queries (3 FK lookups, 3 x SAVEPOINT/SELECT/RELEASE).
    reservation.full_clean(
        exclude=["ressource", "user", "createur", "serie", *CHAMPS_DERIVES],
        validate_constraints=False,
    )
    return reservation


def preparer_modification(reservation, *, par, **champs) -> Verifiee:
    """The check-only half of ``modifier`` (see ``preparer_reservation``)."""
    _exiger_transaction()
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
    etat_avant = journal.etat_reservation(reservation)
    avant = (reservation.ressource_id, reservation.debut, reservation.fin)
    for champ, valeur in champs.items():
        setattr(reservation, champ, valeur)
    reservation.ressource = nouvelle
    reservation.site_id = nouvelle.site_id
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
    reservation.full_clean(exclude=CHAMPS_DERIVES)
    return Verifiee(reservation, par, nouvelle, etat_avant)


def enregistrer_verifiee(verifiee: Verifiee) -> Reservation:
    """Save what ``preparer_*`` checked, in its transaction, with its event."""
    _exiger_transaction()
    reservation = verifiee.reservation
    if verifiee.avant is None:
        _enregistrer(reservation, ressource=verifiee.ressource)
        type_evenement = TypeEvenement.RESERVATION_CREEE
        changements = journal.creation(journal.etat_reservation(reservation))
    else:
        changements = journal.differences(verifiee.avant, journal.etat_reservation(reservation))
        if not changements:
            return reservation
        _enregistrer(reservation, ressource=verifiee.ressource, exclure=reservation)
        type_evenement = TypeEvenement.RESERVATION_MODIFIEE
    journal.enregistrer(
        type_evenement,
        par=verifiee.par,
        reservation=reservation,
        changements=changements,
        date=reservation.date_modification,
    )
    return reservation


@transaction.atomic
def reserver(**champs) -> Reservation:
    """Book ``ressource`` for ``user`` (default: the caller). Permission to book for others
    is the caller's business (see ``peut_reserver_pour_autrui``); the rules are checked here.
    The booking freezes the beneficiary's department and the ressource's site.

    Takes the keyword arguments of ``preparer_reservation``
    (``par, ressource, debut, fin, user, description, nbr_participants, note``).
    """
    return enregistrer_verifiee(preparer_reservation(**champs))


def enregistrer_lot(reservations, *, par, ressource) -> list[Reservation]:
    """Save bookings of ``ressource`` that the rules accepted (``nouvelle_reservation``:
    the occurrences of a series) as ``enregistrer_verifiee`` saves one, in a fixed number
    of queries: check-in deadlines, release of the expired holds in their span, one INSERT
    per batch, one ``reservation.creee`` event each. To call in the transaction that holds
    the ressource's lock; a last-line exclusion-constraint violation becomes the usual 409
    with the conflicts."""
    _exiger_transaction()
    if not reservations:
        return []
    for reservation in reservations:
        reservation.checkin_limite = limite_checkin(reservation, ressource)
    _liberer_les_expirees(
        ressource, min(r.debut for r in reservations), max(r.fin for r in reservations)
    )
    try:
        with transaction.atomic():
            Reservation.objects.bulk_create(reservations, batch_size=500)
    except IntegrityError:
        occupation = Occupation.charger([ressource], [(r.debut, r.fin) for r in reservations])
        conflits = {
            (c["type"], c["id"], c["debut"]): c
            for r in reservations
            for c in occupation.conflits(ressource.pk, r.debut, r.fin)
        }
        if conflits:
            raise regles.ConflitReservation(list(conflits.values())) from None
        raise
    journal.enregistrer_tous(
        [
            journal.evenement(
                TypeEvenement.RESERVATION_CREEE,
                par=par,
                reservation=reservation,
                changements=journal.creation(journal.etat_reservation(reservation)),
                date=reservation.date_modification,
            )
            for reservation in reservations
        ]
    )
    return reservations


@transaction.atomic
def modifier(reservation, *, par, **champs) -> Reservation:
    """Partial update of ``CHAMPS_MODIFIABLES``; every rule is checked again.

    On a ressource with ``validation_requise``, a reservation moved (ressource, debut or fin)
    by someone who is neither manager nor admin waits for confirmation again. Its ``site``
    follows the ressource; its ``department`` stays the one of booking time. Nothing is
    written (and no event recorded) when no value changes.
    """
    return enregistrer_verifiee(preparer_modification(reservation, par=par, **champs))


def est_expiree(reservation, maintenant=None) -> bool:
    """A confirmed booking nobody checked in for by its deadline: it holds nothing any more,
    whether or not its release has been recorded yet (``q_a_liberer`` in Python)."""
    return (
        reservation.statut == StatutReservation.CONFIRME
        and reservation.checkin_le is None
        and reservation.checkin_limite is not None
        and reservation.checkin_limite <= (maintenant or timezone.now())
    )


def _exiger_ouverte(reservation):
    if reservation.statut not in STATUTS_BLOQUANTS:
        raise ConflitEtat(MSG_DEJA_CLOSE.format(statut=reservation.get_statut_display().lower()))
    # Not brought back to life by a move, nor turned into a cancellation: it is released.
    if est_expiree(reservation):
        raise ConflitEtat(MSG_EXPIREE)


def _changer_statut(reservation, statut, type_evenement, *, par, note=None, disponibilite=None):
    """Save the new status (and ``note`` appended to the reservation's note); return the
    event to record (unsaved: callers record one or many with ``journal.enregistrer_tous``)."""
    changements = {"statut": [reservation.statut, statut]}
    reservation.statut = statut
    champs = ["statut", "date_modification"]
    if note:
        nouvelle_note = f"{reservation.note}\n{note}".strip()
        changements["note"] = [reservation.note, nouvelle_note]
        reservation.note = nouvelle_note
        champs.append("note")
    reservation.save(update_fields=champs)
    return journal.evenement(
        type_evenement,
        par=par,
        reservation=reservation,
        disponibilite=disponibilite,
        changements={
            champ: [journal.valeur_api(v) for v in paire] for champ, paire in changements.items()
        },
        note=note,
        date=reservation.date_modification,
    )


def _changer_et_journaliser(reservation, statut, type_evenement, *, par):
    journal.enregistrer_tous([_changer_statut(reservation, statut, type_evenement, par=par)])
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
    return _changer_et_journaliser(
        reservation, StatutReservation.ANNULE, TypeEvenement.RESERVATION_ANNULEE, par=par
    )


@transaction.atomic
def confirmer(reservation, *, par) -> Reservation:
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.statut != StatutReservation.EN_ATTENTE:
        raise ConflitEtat(MSG_CONFIRMER_ETAT)
    return _changer_et_journaliser(
        reservation, StatutReservation.CONFIRME, TypeEvenement.RESERVATION_CONFIRMEE, par=par
    )


@transaction.atomic
def terminer(reservation, *, par, maintenant=None) -> Reservation:
    maintenant = maintenant or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.statut != StatutReservation.CONFIRME:
        raise ConflitEtat(MSG_TERMINER_ETAT)
    if maintenant < reservation.fin:
        raise ConflitEtat(MSG_TERMINER_TROP_TOT)
    if est_expiree(reservation, maintenant):
        raise ConflitEtat(MSG_EXPIREE)
    return _changer_et_journaliser(
        reservation, StatutReservation.FINI, TypeEvenement.RESERVATION_TERMINEE, par=par
    )


@transaction.atomic
def marquer_non_present(reservation, *, par, maintenant=None) -> Reservation:
    maintenant = maintenant or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.statut != StatutReservation.CONFIRME:
        raise ConflitEtat(MSG_NON_PRESENT_ETAT)
    if maintenant < reservation.debut:
        raise ConflitEtat(MSG_NON_PRESENT_TROP_TOT)
    return _changer_et_journaliser(
        reservation,
        StatutReservation.NON_PRESENT,
        TypeEvenement.RESERVATION_NON_PRESENTE,
        par=par,
    )


def fenetre_checkin(reservation, ressource):
    """``[ouverture, fermeture)`` of the check-in: from 15 minutes before ``debut`` to the
    release deadline (``debut`` + the ressource's delay), never after ``fin``."""
    limite = reservation.checkin_limite or (
        reservation.debut + timedelta(minutes=ressource.delai_checkin_minutes)
    )
    return reservation.debut - AVANCE_CHECKIN, min(limite, reservation.fin)


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


@transaction.atomic
def signaler_arrivee(reservation, *, par, maintenant=None) -> Reservation:
    """Check-in (API.md C4): a confirmed reservation, within ``fenetre_checkin``, once."""
    maintenant = maintenant or timezone.now()
    reservation = (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("ressource")
        .get(pk=reservation.pk)
    )
    if reservation.checkin_le is not None:
        raise ConflitEtat(MSG_CHECKIN_DEJA)
    if reservation.statut != StatutReservation.CONFIRME:
        raise ConflitEtat(MSG_CHECKIN_ETAT)
    ouverture, fermeture = fenetre_checkin(reservation, reservation.ressource)
    if maintenant < ouverture:
        raise ConflitEtat(MSG_CHECKIN_TROP_TOT.format(moment=_local(ouverture)))
    if maintenant >= fermeture:
        raise ConflitEtat(MSG_CHECKIN_TROP_TARD.format(moment=_local(fermeture)))
    reservation.checkin_le = maintenant
    reservation.save(update_fields=["checkin_le", "date_modification"])
    journal.enregistrer(
        TypeEvenement.RESERVATION_CHECKIN,
        par=par,
        reservation=reservation,
        changements={"checkin_le": [None, journal.valeur_api(maintenant)]},
        date=reservation.date_modification,
    )
    return reservation


@transaction.atomic
def liberer(reservation, *, par=None, maintenant=None) -> Reservation:
    """Release a confirmed booking nobody checked in for: it becomes ``non_present`` with
    its note and a ``reservation.liberee`` event, and its time is free.

    ``par=None``: the automatic release, from the check-in deadline on. An admin's
    release by hand (``par``): once the booking has started and before its end.
    """
    maintenant = maintenant or timezone.now()
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.statut != StatutReservation.CONFIRME or reservation.checkin_le is not None:
        raise ConflitEtat(MSG_LIBERER_ETAT)
    if par is None:
        if reservation.checkin_limite is None or maintenant < reservation.checkin_limite:
            raise ConflitEtat(MSG_LIBERER_AVANT_LIMITE)
        note = MSG_LIBEREE_AUTOMATIQUEMENT
    else:
        if maintenant < reservation.debut:
            raise ConflitEtat(MSG_LIBERER_TROP_TOT)
        if maintenant >= reservation.fin:
            raise ConflitEtat(MSG_LIBERER_TERMINEE)
        note = MSG_LIBEREE_PAR.format(nom=par.nom_prenom)
    journal.enregistrer_tous(
        [
            _changer_statut(
                reservation,
                StatutReservation.NON_PRESENT,
                TypeEvenement.RESERVATION_LIBEREE,
                par=par,
                note=note,
            )
        ]
    )
    return reservation


def liberer_les_reservations_expirees(*, maintenant=None) -> int:
    """The periodic release (API.md C4): each expired hold in its own transaction, locked
    and checked again (one checked in a moment ago, or released by the booking that took
    its time, is skipped). Returns how many this call released."""
    maintenant = maintenant or timezone.now()
    ids = list(
        Reservation.objects.a_liberer(maintenant)
        .order_by("checkin_limite", "pk")
        .values_list("pk", flat=True)[:LOT_LIBERATIONS]
    )
    liberees = 0
    for pk in ids:
        try:
            liberer(Reservation(pk=pk), par=None, maintenant=maintenant)
        except (ConflitEtat, Reservation.DoesNotExist):
            continue
        liberees += 1
    return liberees


def recalculer_limites_checkin(ressource, *, maintenant=None) -> int:
    """After a change of ``ressource``'s check-in settings: the deadlines of its coming
    bookings follow (those already started keep theirs). Returns how many changed."""
    maintenant = maintenant or timezone.now()
    a_venir = list(
        Reservation.objects.filter(
            ressource=ressource,
            statut__in=STATUTS_BLOQUANTS,
            checkin_le__isnull=True,
            debut__gt=maintenant,
        ).only("pk", "debut", "fin", "checkin_limite")
    )
    changees = []
    for reservation in a_venir:
        limite = limite_checkin(reservation, ressource)
        if limite != reservation.checkin_limite:
            reservation.checkin_limite = limite
            changees.append(reservation)
    Reservation.objects.bulk_update(changees, ["checkin_limite"], batch_size=500)
    return len(changees)


LOT_CLOTURE = 500


@transaction.atomic
def cloturer_journee(*, maintenant=None) -> int:
    """Confirmed reservations whose end has passed become ``fini``, each with its
    ``reservation.terminee`` event by the system. Returns how many.

    The rows are locked in id order (as ``enregistrer_disponibilite`` locks them), then
    updated and journaled by batches: a few queries per ``LOT_CLOTURE`` reservations.
    """
    maintenant = maintenant or timezone.now()
    ids = list(
        Reservation.objects.filter(statut=StatutReservation.CONFIRME, fin__lte=maintenant)
        # An unclaimed hold is not a booking that took place: it is released, not closed.
        .exclude(q_a_liberer(maintenant))
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changements = {"statut": [StatutReservation.CONFIRME.value, StatutReservation.FINI.value]}
    for i in range(0, len(ids), LOT_CLOTURE):
        lot = ids[i : i + LOT_CLOTURE]
        Reservation.objects.filter(pk__in=lot).update(
            statut=StatutReservation.FINI, date_modification=maintenant
        )
        journal.enregistrer_tous(
            [
                journal.evenement(
                    TypeEvenement.RESERVATION_TERMINEE,
                    par=None,
                    reservation=Reservation(pk=pk),
                    changements=changements,
                    date=maintenant,
                )
                for pk in lot
            ]
        )
    return len(ids)


@transaction.atomic
def supprimer_reservation(reservation, *, par) -> None:
    """Delete a reservation (admin). Its journal stays. Deleting one that still holds its
    slot (``en_cours``, ``confirme``) frees it, which the journal's readers must learn as
    they learn any freed slot: it is recorded as ``reservation.annulee`` with a note saying
    it was deleted. A closed one (``annule``, ``fini``, ``non_present``) changes nothing for
    anyone: no new event."""
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if reservation.est_bloquante:
        journal.enregistrer(
            TypeEvenement.RESERVATION_ANNULEE,
            par=par,
            reservation=reservation,
            changements={"statut": [reservation.statut, StatutReservation.ANNULE.value]},
            note=MSG_SUPPRIMEE,
        )
    reservation.delete()


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
def enregistrer_disponibilite(periode=None, *, par, annuler_conflits=False, **champs):
    """Create (``periode`` None, or a new unsaved instance) or update (``periode`` as read
    from the database, unmodified) an unavailability period with the values ``champs``
    (any of ``CHAMPS_DISPONIBILITE``); records ``disponibilite.creee`` or ``.modifiee``
    with the values before and after (nothing is written when no value changes).

    A blocking period over ``en_cours``/``confirme`` reservations is refused with the list of
    them (409), unless ``annuler_conflits``: then they are cancelled, with the reason in their
    note, each with its ``reservation.annulee`` event. Returns ``(periode, ids of the
    cancelled reservations)``: exactly the reservations this call set to ``annule``.

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
    return enregistrer_periode_verifiee(
        preparer_disponibilite(periode, par=par, annuler_conflits=annuler_conflits, **champs)
    )


@dataclass(frozen=True)
class PeriodeVerifiee:
    """A period checked by ``preparer_disponibilite``, not saved yet, with the reservations
    it will cancel (locked)."""

    periode: ResourceAvailability
    par: object
    #: The API's values before a modification; ``None`` for a new period.
    avant: dict | None
    conflits: list


def preparer_disponibilite(periode=None, *, par, annuler_conflits=False, **champs):
    """The check-only half of ``enregistrer_disponibilite`` (the back-office form validates
    with it; see ``preparer_reservation``): raises the 409 of conflicting reservations unless
    ``annuler_conflits``."""
    _exiger_transaction()
    inconnus = set(champs) - set(CHAMPS_DISPONIBILITE)
    if inconnus:
        raise ValueError(f"Champs non modifiables : {sorted(inconnus)}")
    if periode is None:
        periode = ResourceAvailability()
    etat_avant = journal.etat_disponibilite(periode) if periode.pk else None
    for champ, valeur in champs.items():
        setattr(periode, champ, valeur)
    verrouiller(periode.ressource)
    periode.full_clean()
    conflits = reservations_en_conflit(periode, verrou=True)
    if conflits and not annuler_conflits:
        raise regles.ConflitReservation(
            [regles.conflit_reservation(r) for r in conflits], detail=MSG_PERIODE_OCCUPEE
        )
    return PeriodeVerifiee(periode, par, etat_avant, conflits)


def enregistrer_periode_verifiee(verifiee: PeriodeVerifiee):
    """Save what ``preparer_disponibilite`` checked, cancel its conflicts, record the events.
    Returns ``(periode, ids of the cancelled reservations)``."""
    _exiger_transaction()
    periode, par, etat_avant, conflits = (
        verifiee.periode,
        verifiee.par,
        verifiee.avant,
        verifiee.conflits,
    )
    evenements = []
    etat_apres = journal.etat_disponibilite(periode)
    if etat_avant is None:
        periode.save()
        evenements.append(
            journal.evenement(
                TypeEvenement.DISPONIBILITE_CREEE,
                par=par,
                disponibilite=periode,
                changements=journal.creation(etat_apres),
            )
        )
    elif changements := journal.differences(etat_avant, etat_apres):
        periode.save()
        evenements.append(
            journal.evenement(
                TypeEvenement.DISPONIBILITE_MODIFIEE,
                par=par,
                disponibilite=periode,
                changements=changements,
            )
        )
    raison = periode.raison_indisponibilite or periode.get_type_disponibilite_display()
    for reservation in conflits:
        evenements.append(
            _changer_statut(
                reservation,
                StatutReservation.ANNULE,
                TypeEvenement.RESERVATION_ANNULEE,
                par=par,
                note=MSG_ANNULEE_PAR_INDISPONIBILITE.format(raison=raison),
                disponibilite=periode,
            )
        )
    journal.enregistrer_tous(evenements)
    return periode, [r.pk for r in conflits]


def _evenement_suppression(periode, *, par):
    return journal.evenement(
        TypeEvenement.DISPONIBILITE_SUPPRIMEE,
        par=par,
        disponibilite=periode,
        changements=journal.suppression(journal.etat_disponibilite(periode)),
    )


@transaction.atomic
def supprimer_disponibilite(periode, *, par) -> None:
    """Delete a period, recording ``disponibilite.supprimee`` with its last values. A
    period already deleted by someone else is ``DoesNotExist`` (the API's 404)."""
    supprimees, _ = ResourceAvailability.objects.filter(pk=periode.pk).delete()
    if not supprimees:
        raise ResourceAvailability.DoesNotExist
    journal.enregistrer_tous([_evenement_suppression(periode, par=par)])


@transaction.atomic
def supprimer_ressource_et_periodes(ressource, *, par) -> None:
    """Delete a ressource (``ressources.services.supprimer_ressource``) and its periods,
    each period with its ``disponibilite.supprimee`` (its last values), as
    ``supprimer_disponibilite`` records it: the database's cascade would delete them
    without a trace. A ressource still referenced is the catalogue's 409
    (``ObjetReference``) and nothing is kept, periods and events included; one already
    deleted is ``DoesNotExist`` (404).

    Every entry point that deletes a ressource (API, back-office) calls this, never the
    catalogue's service directly. The ressource is locked first, as every writer of its
    periods does, then its periods (a period being moved to another ressource is either
    deleted here or moved, never both): no period can slip in or out unjournaled.
    """
    if not Ressource.objects.select_for_update().filter(pk=ressource.pk).exists():
        raise Ressource.DoesNotExist
    periodes = list(
        ResourceAvailability.objects.select_for_update()
        .filter(ressource_id=ressource.pk)
        .order_by("pk")
    )
    if periodes:
        ResourceAvailability.objects.filter(pk__in=[p.pk for p in periodes]).delete()
        journal.enregistrer_tous([_evenement_suppression(p, par=par) for p in periodes])
    catalogue.supprimer_ressource(ressource, par=par)
