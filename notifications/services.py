"""Email notifications (API.md C3): what goes in the outbox, and how it leaves.

Producing. ``preparer_courriels_evenement`` (a journal event) and ``preparer_rappels`` (the
reminders due now) decide the recipients, render each message and insert the rows with
``bulk_create(ignore_conflicts=True)`` on their unique key: calling them twice for the same
event or the same due reminder inserts nothing more, which is what makes the journal's
receivers idempotent and the reminder job exactly-once.

Sending. ``envoyer`` claims due rows with one conditional UPDATE (``a_envoyer`` and due ->
``en_cours`` with a random token, attempts + 1), then sends what it claimed, one message at
a time, through the default mailer: a row is claimed by one sender only, whatever number of
workers run. A failure puts the row back with a growing delay (``DELAIS_RELANCE``); after
``MAX_TENTATIVES`` attempts it is ``echec`` (logged as an error, sent again from the
back-office). A row left ``en_cours`` longer than ``DELAI_BLOCAGE`` (its worker died) goes
back to ``a_envoyer`` (``reprendre_bloques``).
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.core import mail
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from accounts.models import User
from reservations import ics
from reservations.models import (
    Evenement,
    Reservation,
    ResourceAvailability,
    StatutReservation,
    TypeEvenement,
)
from ressources.models import Ressource
from taches.registre import apres_commit

from . import rendu, selectors
from .models import Courriel, StatutCourriel, TypeCourriel

logger = logging.getLogger(__name__)

MAX_TENTATIVES = 5
#: The wait after the 1st, 2nd, 3rd and 4th failed attempt.
DELAIS_RELANCE = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
DELAI_BLOCAGE = timedelta(minutes=10)
LOT_ENVOI = 100
#: A reminder set to 0 minutes is due at the start itself: it may still leave this long
#: after it (the job runs once a minute); any other reminder only before the start.
TOLERANCE_RAPPEL_IMMEDIAT = timedelta(minutes=5)

CHEMIN_FILE_VALIDATION = "/admin/reservations/reservation/?statut__exact=en_cours"

MSG_AUCUN_ACCEPTE = "Le serveur de messagerie n'a accepté aucun message."
MSG_INTERROMPU = "Envoi interrompu (processus arrêté) à la dernière tentative."
MSG_SANS_OBJET_RAPPEL = "Rappel sans objet : la réservation a été annulée ou déplacée."
MSG_SANS_OBJET_DESTINATAIRE = "Sans objet : le compte est désactivé ou ne veut plus de messages."

TYPES_POUR_LE_BENEFICIAIRE = {
    TypeEvenement.RESERVATION_CONFIRMEE: TypeCourriel.CONFIRMEE,
    TypeEvenement.RESERVATION_MODIFIEE: TypeCourriel.MODIFIEE,
    TypeEvenement.RESERVATION_ANNULEE: TypeCourriel.ANNULEE,
    TypeEvenement.RESERVATION_LIBEREE: TypeCourriel.LIBEREE,
    TypeEvenement.RESERVATION_NON_PRESENTE: TypeCourriel.NON_PRESENTE,
}
#: A modification is told only when the booking moved (in time or to another ressource).
CHAMPS_DEPLACEMENT = frozenset({"debut", "fin", "ressource_id"})


class ErreurEnvoi(Exception):
    pass


def cle_evenement(evenement_id: int, user_id: int) -> str:
    return f"evt-{evenement_id}-{user_id}"


def cle_rappel(reservation_id: int, debut: datetime) -> str:
    return f"rappel-{reservation_id}-{int(debut.timestamp())}"


def url_file_validation() -> str:
    return f"{ics.url_base()}{CHEMIN_FILE_VALIDATION}"


# --- Producing: journal events ----------------------------------------------------------


def est_notifie(evenement) -> bool:
    """Whether anyone is told of this event at all (API.md C3's table)."""
    if evenement.reservation_id is None:
        return False
    if evenement.type == TypeEvenement.RESERVATION_CREEE:
        return True
    if evenement.type == TypeEvenement.RESERVATION_MODIFIEE:
        return bool(CHAMPS_DEPLACEMENT & set(evenement.changements))
    return evenement.type in TYPES_POUR_LE_BENEFICIAIRE


def preparer_courriels_evenement(evenement) -> list[str]:
    """Insert the notices of ``evenement`` (once, whatever number of calls) and return
    their keys, those inserted earlier included. Nothing for an event nobody is told of,
    or one whose reservation cannot be rebuilt (gone with no journal to say what it was)."""
    if not est_notifie(evenement):
        return []
    sujet = _sujet_evenement(evenement)
    if sujet is None:
        logger.warning(
            "Événement %s : réservation %s introuvable, aucune notification.",
            evenement.pk,
            evenement.reservation_id,
        )
        return []
    envois = _destinataires(evenement, sujet)
    lien = url_file_validation()
    lignes = {}
    for user, type_courriel in envois:
        if _veut_des_messages(user):
            lignes.setdefault(cle_evenement(evenement.pk, user.pk), (user, type_courriel))
    if not lignes:
        return []
    existantes = set(
        Courriel.objects.filter(cle__in=list(lignes)).order_by().values_list("cle", flat=True)
    )
    Courriel.objects.bulk_create(
        [
            _courriel(
                cle,
                type_courriel,
                user,
                sujet,
                evenement_id=evenement.pk,
                lien=lien if type_courriel == TypeCourriel.A_VALIDER else "",
            )
            for cle, (user, type_courriel) in lignes.items()
            if cle not in existantes
        ],
        ignore_conflicts=True,
    )
    return list(lignes)


def _veut_des_messages(user) -> bool:
    return user is not None and user.compte_actif and user.notifications_email


def _courriel(cle, type_courriel, user, sujet, *, evenement_id=None, lien="") -> Courriel:
    message = rendu.rendre(type_courriel, user, sujet, lien=lien)
    return Courriel(
        cle=cle,
        type=type_courriel,
        destinataire=user,
        adresse=user.email,
        reservation_id=sujet.reservation.pk,
        evenement_id=evenement_id,
        sujet=message.sujet,
        texte=message.texte,
        html=message.html,
        ics=message.ics,
        methode_ics=message.methode_ics,
    )


def _moment(valeur):
    return datetime.fromisoformat(valeur) if isinstance(valeur, str) else valeur


def _sujet_evenement(evenement) -> rendu.Sujet | None:
    """The reservation as it was right after ``evenement`` (see ``selectors.etat_apres``),
    with what its messages name: ressource and site, people, period, former slot."""
    evenements = list(
        Evenement.objects.filter(reservation_id=evenement.reservation_id)
        .only("id", "changements")
        .order_by("id")
    )
    actuelle = Reservation.objects.filter(pk=evenement.reservation_id).first()
    etat = selectors.etat_apres(evenement, evenements, actuelle)
    if etat is None:
        return None
    changements = evenement.changements or {}
    ids_ressources = {etat["ressource_id"]}
    if "ressource_id" in changements and changements["ressource_id"][0]:
        ids_ressources.add(changements["ressource_id"][0])
    ressources = Ressource.objects.select_related("site").in_bulk(ids_ressources)
    personnes = User.objects.in_bulk(
        {etat["user_id"], etat.get("createur_id"), evenement.acteur_id} - {None}
    )
    ressource, beneficiaire = ressources.get(etat["ressource_id"]), personnes.get(etat["user_id"])
    if ressource is None or beneficiaire is None:
        return None
    reservation = Reservation(
        pk=evenement.reservation_id,
        ressource=ressource,
        user=beneficiaire,
        site_id=ressource.site_id,
        department_id=actuelle.department_id if actuelle else beneficiaire.department_id,
        debut=_moment(etat["debut"]),
        fin=_moment(etat["fin"]),
        statut=etat.get("statut") or StatutReservation.CONFIRME,
        description=etat.get("description") or "",
        nbr_participants=etat.get("nbr_participants") or 1,
        note=etat.get("note") or "",
    )
    avant = {}
    if evenement.type == TypeEvenement.RESERVATION_MODIFIEE:
        debut = _moment(changements.get("debut", [etat["debut"]])[0])
        fin = _moment(changements.get("fin", [etat["fin"]])[0])
        ancienne_ressource = ""
        if "ressource_id" in changements:
            ancienne = ressources.get(changements["ressource_id"][0])
            ancienne_ressource = ancienne.nom if ancienne else "?"
        avant = {
            "ancien_creneau": rendu.creneau(debut, fin),
            "ancienne_ressource": ancienne_ressource,
        }
    periode = None
    if evenement.disponibilite_id:
        periode = ResourceAvailability.objects.filter(pk=evenement.disponibilite_id).first()
    return rendu.Sujet(
        reservation=reservation,
        sequence=max(sum(1 for e in evenements if e.pk <= evenement.pk) - 1, 0),
        horodatage=evenement.date,
        acteur=personnes.get(evenement.acteur_id),
        createur=personnes.get(etat.get("createur_id")),
        note=evenement.note,
        periode=periode,
        avant=avant,
    )


def _destinataires(evenement, sujet) -> list[tuple[User, TypeCourriel]]:
    """``(user, kind of message)`` per API.md C3's table, preferences not applied yet."""
    reservation = sujet.reservation
    beneficiaire = reservation.user
    if evenement.type != TypeEvenement.RESERVATION_CREEE:
        return [(beneficiaire, TYPES_POUR_LE_BENEFICIAIRE[evenement.type])]
    if reservation.statut == StatutReservation.EN_ATTENTE:
        confirmateurs = selectors.confirmateurs(
            department_id=reservation.department_id, site_id=reservation.site_id
        )
        return [(beneficiaire, TypeCourriel.EN_ATTENTE)] + [
            (user, TypeCourriel.A_VALIDER) for user in confirmateurs
        ]
    envois = [(beneficiaire, TypeCourriel.CREEE)]
    if sujet.createur is not None and sujet.createur.pk != beneficiaire.pk:
        envois.append((sujet.createur, TypeCourriel.CREEE_POUR_AUTRUI))
    return envois


# --- Producing: reminders ----------------------------------------------------------------


def rappel_du(debut, rappel_minutes: int, maintenant) -> bool:
    """A reminder set ``rappel_minutes`` before ``debut`` is due at ``maintenant``: its
    moment has come (however late: a booking made or moved after it still gets one) and the
    booking has not started (``TOLERANCE_RAPPEL_IMMEDIAT`` after the start for 0)."""
    limite = debut if rappel_minutes else debut + TOLERANCE_RAPPEL_IMMEDIAT
    return debut - timedelta(minutes=rappel_minutes) <= maintenant < limite


def preparer_rappels(maintenant=None) -> list[str]:
    """Insert the reminders due at ``maintenant`` (each once per reservation and start time)
    and return the keys of every reminder due now, inserted earlier or not.

    A fixed number of queries whatever the number of reservations: the longest reminder of
    the accounts that want one bounds the window read; the rest is decided in Python.
    """
    maintenant = maintenant or timezone.now()
    horizon = (
        selectors.destinataires_possibles()
        .filter(rappel_minutes__isnull=False)
        .aggregate(plus_long=Max("rappel_minutes"))["plus_long"]
    )
    if horizon is None:
        return []
    candidates = (
        Reservation.objects.filter(
            statut=StatutReservation.CONFIRME,
            debut__gt=maintenant - TOLERANCE_RAPPEL_IMMEDIAT,
            debut__lte=maintenant + timedelta(minutes=horizon),
            user__compte_actif=True,
            user__notifications_email=True,
            user__rappel_minutes__isnull=False,
        )
        .select_related("user", "ressource__site")
        .order_by("debut", "id")
    )
    dues = {
        cle_rappel(r.pk, r.debut): r
        for r in candidates
        if rappel_du(r.debut, r.user.rappel_minutes, maintenant)
    }
    if not dues:
        return []
    existantes = set(
        Courriel.objects.filter(cle__in=list(dues)).order_by().values_list("cle", flat=True)
    )
    nouvelles = {cle: r for cle, r in dues.items() if cle not in existantes}
    if nouvelles:
        changements = dict(
            Evenement.objects.filter(reservation_id__in=[r.pk for r in nouvelles.values()])
            .values("reservation_id")
            .annotate(nombre=Count("id"))
            .values_list("reservation_id", "nombre")
        )
        Courriel.objects.bulk_create(
            [
                _courriel(
                    cle,
                    TypeCourriel.RAPPEL,
                    r.user,
                    rendu.Sujet(
                        reservation=r,
                        sequence=max(changements.get(r.pk, 1) - 1, 0),
                        horodatage=maintenant,
                    ),
                )
                for cle, r in nouvelles.items()
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
    return list(dues)


# --- Sending ----------------------------------------------------------------------------


def envoyer(cles=None, *, maximum: int | None = None) -> int:
    """Claim and send the due rows: those of ``cles`` when given (one event's, one run's),
    else the oldest due first by batches of ``LOT_ENVOI``, at most ``maximum``. Returns how
    many were sent."""
    if cles is not None:
        cles = list(cles)
        return sum(
            _reclamer_et_envoyer(Q(cle__in=cles[i : i + LOT_ENVOI]))
            for i in range(0, len(cles), LOT_ENVOI)
        )
    envoyes = traites = 0
    while maximum is None or traites < maximum:
        taille = LOT_ENVOI if maximum is None else min(LOT_ENVOI, maximum - traites)
        ids = list(
            Courriel.objects.dus()
            .order_by("prochaine_tentative", "id")
            .values_list("pk", flat=True)[:taille]
        )
        if not ids:
            break
        envoyes += _reclamer_et_envoyer(Q(pk__in=ids))
        traites += len(ids)
        if len(ids) < taille:
            break
    return envoyes


def _reclamer_et_envoyer(filtre: Q) -> int:
    """The claim: one conditional UPDATE takes the due rows of ``filtre`` that no one else
    took (``a_envoyer`` and due, re-checked row by row by the database) and marks them with
    a fresh token; then the rows bearing the token are sent."""
    maintenant = timezone.now()
    jeton = secrets.token_hex(16)
    pris = (
        Courriel.objects.dus(maintenant)
        .filter(filtre)
        .update(
            statut=StatutCourriel.EN_COURS,
            jeton=jeton,
            reclame_le=maintenant,
            tentatives=F("tentatives") + 1,
        )
    )
    return _envoyer_reclames(jeton) if pris else 0


def _envoyer_reclames(jeton: str) -> int:
    courriels = list(
        Courriel.objects.filter(jeton=jeton, statut=StatutCourriel.EN_COURS)
        .select_related("destinataire")
        .order_by("id")
    )
    caducs = _sans_objet(courriels)
    connexion = mail.mailers.default
    try:
        connexion.open()
    except Exception as erreur:
        for courriel in courriels:
            _echouer(courriel, erreur)
        return 0
    envoyes = 0
    try:
        for courriel in courriels:
            if courriel.pk in caducs:
                _terminer(courriel, StatutCourriel.SANS_OBJET, caducs[courriel.pk])
                continue
            try:
                if connexion.send_messages([rendu.message(courriel)]) != 1:
                    raise ErreurEnvoi(MSG_AUCUN_ACCEPTE)
            except Exception as erreur:
                _echouer(courriel, erreur)
                _fermer(connexion)  # the next message opens a fresh connection
                continue
            _terminer(courriel, StatutCourriel.ENVOYE)
            envoyes += 1
    finally:
        _fermer(connexion)
    return envoyes


def _sans_objet(courriels) -> dict[int, str]:
    """The claimed rows that must not leave any more, with why: the recipient turned
    messages off or was deactivated since; a reminder whose booking was cancelled or moved
    (its key names the start it was for)."""
    caducs = {
        c.pk: MSG_SANS_OBJET_DESTINATAIRE
        for c in courriels
        if not _veut_des_messages(c.destinataire)
    }
    rappels = [c for c in courriels if c.type == TypeCourriel.RAPPEL and c.pk not in caducs]
    if rappels:
        valides = {
            cle_rappel(pk, debut)
            for pk, debut in Reservation.objects.filter(
                pk__in={c.reservation_id for c in rappels}, statut=StatutReservation.CONFIRME
            ).values_list("pk", "debut")
        }
        caducs.update({c.pk: MSG_SANS_OBJET_RAPPEL for c in rappels if c.cle not in valides})
    return caducs


def _fermer(connexion) -> None:
    try:
        connexion.close()
    except Exception:
        logger.warning("Fermeture de la connexion au serveur de messagerie en échec", exc_info=True)


def _terminer(courriel, statut, erreur: str = "") -> None:
    champs = {"statut": statut, "derniere_erreur": erreur}
    if statut == StatutCourriel.ENVOYE:
        champs["envoye_le"] = timezone.now()
    Courriel.objects.filter(
        pk=courriel.pk, jeton=courriel.jeton, statut=StatutCourriel.EN_COURS
    ).update(**champs)
    if statut == StatutCourriel.ECHEC:
        logger.error(
            "Courriel %s (%s) en échec après %s tentatives : %s",
            courriel.cle,
            courriel.adresse,
            courriel.tentatives,
            erreur,
        )


def _echouer(courriel, erreur: Exception) -> None:
    """Put the row back with the next delay, or mark it ``echec`` after the last attempt."""
    texte = f"{type(erreur).__name__}: {erreur}"[:2000]
    if courriel.tentatives >= MAX_TENTATIVES:
        _terminer(courriel, StatutCourriel.ECHEC, texte)
        return
    delai = DELAIS_RELANCE[min(courriel.tentatives, len(DELAIS_RELANCE)) - 1]
    Courriel.objects.filter(
        pk=courriel.pk, jeton=courriel.jeton, statut=StatutCourriel.EN_COURS
    ).update(
        statut=StatutCourriel.A_ENVOYER,
        prochaine_tentative=timezone.now() + delai,
        derniere_erreur=texte,
    )
    logger.warning(
        "Courriel %s : tentative %s en échec (%s), nouvel essai dans %s",
        courriel.cle,
        courriel.tentatives,
        texte,
        delai,
    )


def reprendre_bloques(maintenant=None) -> int:
    """Rows claimed more than ``DELAI_BLOCAGE`` ago and still ``en_cours`` (their sender
    died): back to ``a_envoyer``, or ``echec`` if that was their last attempt."""
    maintenant = maintenant or timezone.now()
    bloques = Courriel.objects.filter(
        statut=StatutCourriel.EN_COURS, reclame_le__lt=maintenant - DELAI_BLOCAGE
    )
    epuises = bloques.filter(tentatives__gte=MAX_TENTATIVES).update(
        statut=StatutCourriel.ECHEC, derniere_erreur=MSG_INTERROMPU
    )
    if epuises:
        logger.error("%s courriel(s) en échec : envoi interrompu à la dernière tentative", epuises)
    return epuises + bloques.update(statut=StatutCourriel.A_ENVOYER, prochaine_tentative=maintenant)


def renvoyer(courriels, *, par) -> list[str]:
    """Give failed rows (``echec``) a new series of attempts, sent in the background after
    the caller's transaction commits. Returns the keys queued again."""
    from .taches import envoyer_courriels

    cles = list(courriels.filter(statut=StatutCourriel.ECHEC).values_list("cle", flat=True))
    if not cles:
        return []
    Courriel.objects.filter(cle__in=cles, statut=StatutCourriel.ECHEC).update(
        statut=StatutCourriel.A_ENVOYER, tentatives=0, prochaine_tentative=timezone.now()
    )
    logger.info("%s courriel(s) remis en envoi par %s", len(cles), par)
    apres_commit(envoyer_courriels, cles)
    return cles
