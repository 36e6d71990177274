"""Webhooks (API.md C6): subscriptions, the deliveries derived from the journal, and how
they leave.

Subscriptions. Every change goes through a function here, with the actor ``par``: the
URL's syntax and ``evenements`` are the model's rules (``full_clean``), the network rule
(``reseau.verifier_url``: the host resolves, to public addresses only) is checked when a
URL is set, before anything is written and outside any transaction (a DNS answer can take
seconds; no database lock waits for it).

Producing. ``preparer_livraisons(evenement)`` inserts one row per matching active
subscription with ``bulk_create(ignore_conflicts=True)`` on the unique
``(abonnement, evenement)``: offering the same event again inserts nothing, which keeps the
journal's receiver idempotent. The body is rendered once, here (``corps``).

Sending. ``livrer`` sends due rows, each claimed by one conditional UPDATE (still waiting,
due, with the number of attempts it was read with) that counts the attempt and pushes
``prochaine_tentative`` forward by ``BAIL``: another worker never sends the same attempt,
and an attempt whose worker died is simply due again later. A 2xx within
``envoi.DELAI_REPONSE`` seconds makes the row ``livree``; anything else waits
``DELAIS_RELANCE[n - 1]`` after the n-th attempt, and after ``MAX_TENTATIVES`` attempts
the row is ``echec`` (``rejouer`` starts a new series). No database transaction is open
while a request is under way.
"""

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from resa_project.erreurs import ConflitEtat
from taches.registre import apres_commit

from . import envoi, reseau
from .corps import corps_evenement, corps_ping
from .models import PING, Abonnement, Livraison, StatutLivraison

logger = logging.getLogger(__name__)

#: The wait after the 1st, 2nd, ... failed attempt: 10 attempts over about 28 hours.
DELAIS_RELANCE = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=12),
)
MAX_TENTATIVES = len(DELAIS_RELANCE) + 1
#: A claimed attempt is due again this long after its claim if its worker never reports
#: (process killed): longer than any attempt can take.
BAIL = timedelta(minutes=5)
LOT = 50
#: ``livrer`` stops after this many seconds (the rest waits for the next run), so that a
#: crowd of slow receivers never holds the worker's other periodic jobs for long.
BUDGET_SECONDES = 45.0

CHAMPS_MODIFIABLES = frozenset({"url", "evenements", "actif", "description"})

MSG_INACTIF = "Abonnement inactif : réactivez-le pour envoyer un essai ou rejouer une livraison."
MSG_ERREUR_INTERNE = "Erreur interne de Resa pendant la tentative (voir le journal du worker)."
MSG_INTERROMPU = "Dernière tentative interrompue (processus arrêté) : plus de nouvel essai."


def delai_apres(tentatives: int) -> timedelta:
    """The wait after the ``tentatives``-th failed attempt (1-based)."""
    return DELAIS_RELANCE[min(tentatives, len(DELAIS_RELANCE)) - 1]


def _hote(url) -> str:
    """The URL's host only, for logs (a path or a query may carry a token)."""
    try:
        return reseau.analyser(url).hote
    except reseau.DestinationRefusee:
        return "?"


def _livrer_apres_commit(ids: list[int]) -> None:
    from .taches import livrer  # the task module imports this one

    apres_commit(livrer, ids)


# --- Subscriptions ------------------------------------------------------------------------


def creer_abonnement(*, par, url, evenements, actif=True, description="") -> Abonnement:
    """A new subscription with a new secret (read it on the returned object: it is shown
    only now). ``ValidationError`` on ``url`` when the network rule refuses it."""
    abonnement = Abonnement(
        url=url,
        evenements=evenements,
        actif=actif,
        description=description,
        secret=envoi.nouveau_secret(),
    )
    abonnement.full_clean()
    reseau.verifier_url(abonnement.url)
    abonnement.save()
    logger.info(
        "Abonnement webhook %s créé par %s (hôte %s)",
        abonnement.pk,
        getattr(par, "pk", None),
        _hote(abonnement.url),
    )
    return abonnement


def modifier_abonnement(abonnement, *, par, **champs) -> Abonnement:
    """Change ``url``, ``evenements``, ``actif``, ``description``; a URL given is checked
    again (even unchanged: the name may resolve elsewhere now). A subscription deleted
    meanwhile is ``DoesNotExist`` (the API's 404)."""
    inconnus = set(champs) - CHAMPS_MODIFIABLES
    if inconnus:
        raise TypeError(f"Champs non modifiables : {sorted(inconnus)}")
    for champ, valeur in champs.items():
        setattr(abonnement, champ, valeur)
    abonnement.full_clean()
    if "url" in champs:
        reseau.verifier_url(abonnement.url)
    if champs:
        valeurs = {champ: getattr(abonnement, champ) for champ in champs}
        if not Abonnement.objects.filter(pk=abonnement.pk).update(**valeurs):
            raise Abonnement.DoesNotExist
        logger.info(
            "Abonnement webhook %s modifié par %s (%s)",
            abonnement.pk,
            getattr(par, "pk", None),
            ", ".join(sorted(champs)),
        )
    return abonnement


def supprimer_abonnement(abonnement, *, par) -> None:
    """Delete the subscription and its deliveries (pending ones are never sent)."""
    supprimes, _ = Abonnement.objects.filter(pk=abonnement.pk).delete()
    if not supprimes:
        raise Abonnement.DoesNotExist
    logger.info("Abonnement webhook %s supprimé par %s", abonnement.pk, getattr(par, "pk", None))


def renouveler_secret(abonnement, *, par) -> Abonnement:
    """Replace the secret at once: every later attempt, pending deliveries included, is
    signed with the new one, and the old one verifies nothing any more."""
    secret = envoi.nouveau_secret()
    if not Abonnement.objects.filter(pk=abonnement.pk).update(secret=secret):
        raise Abonnement.DoesNotExist
    abonnement.secret = secret
    logger.info(
        "Secret de l'abonnement webhook %s renouvelé par %s",
        abonnement.pk,
        getattr(par, "pk", None),
    )
    return abonnement


def _exiger_actif(abonnement_id) -> None:
    """In the caller's transaction: the row stays locked (no deletion) until it commits."""
    actif = (
        Abonnement.objects.select_for_update()
        .filter(pk=abonnement_id)
        .values_list("actif", flat=True)
        .first()
    )
    if actif is None:
        raise Abonnement.DoesNotExist
    if not actif:
        raise ConflitEtat(MSG_INACTIF)


@transaction.atomic
def envoyer_ping(abonnement, *, par) -> Livraison:
    """Queue a ``webhook.ping`` delivery to an active subscription (sent right after
    commit by the background, like any delivery)."""
    _exiger_actif(abonnement.pk)
    maintenant = timezone.now()
    livraison = Livraison.objects.create(
        abonnement_id=abonnement.pk,
        type=PING,
        corps=corps_ping(abonnement, maintenant),
        prochaine_tentative=maintenant,
        date_creation=maintenant,
    )
    _livrer_apres_commit([livraison.pk])
    return livraison


@transaction.atomic
def rejouer(livraison, *, par) -> Livraison:
    """Queue a delivery again, whatever its status: due now, a new series of attempts
    (``tentatives`` back to 0; the last code and error stay until the next attempt). The
    same body and the same ``webhook-id`` are sent."""
    _exiger_actif(livraison.abonnement_id)
    remises = Livraison.objects.filter(pk=livraison.pk).update(
        statut=StatutLivraison.EN_ATTENTE, tentatives=0, prochaine_tentative=timezone.now()
    )
    if not remises:
        raise Livraison.DoesNotExist
    logger.info("Livraison webhook %s rejouée par %s", livraison.pk, getattr(par, "pk", None))
    _livrer_apres_commit([livraison.pk])
    livraison.refresh_from_db()
    return livraison


# --- Producing ------------------------------------------------------------------------------


def preparer_livraisons(evenement) -> list[int]:
    """Insert the deliveries of ``evenement`` (once, however many times it is offered) for
    the active subscriptions that want its type and existed when it happened; return the
    ids of those still waiting, inserted now or before."""
    abonnes = [
        abonnement.pk
        for abonnement in Abonnement.objects.filter(
            actif=True, date_creation__lte=evenement.date
        ).only("pk", "evenements")
        if abonnement.recoit(evenement.type)
    ]
    if not abonnes:
        return []
    deja = set(
        Livraison.objects.filter(evenement_id=evenement.pk, abonnement_id__in=abonnes).values_list(
            "abonnement_id", flat=True
        )
    )
    nouveaux = [pk for pk in abonnes if pk not in deja]
    if nouveaux:
        corps = corps_evenement(evenement)
        maintenant = timezone.now()
        Livraison.objects.bulk_create(
            [
                Livraison(
                    abonnement_id=pk,
                    evenement_id=evenement.pk,
                    type=evenement.type,
                    corps=corps,
                    prochaine_tentative=maintenant,
                    date_creation=maintenant,
                )
                for pk in nouveaux
            ],
            ignore_conflicts=True,
        )
    return list(
        Livraison.objects.filter(
            evenement_id=evenement.pk,
            abonnement_id__in=abonnes,
            statut=StatutLivraison.EN_ATTENTE,
        ).values_list("pk", flat=True)
    )


# --- Sending --------------------------------------------------------------------------------


def livrer(ids=None, *, budget: float | None = None) -> int:
    """Send the due deliveries (only those of ``ids`` when given), oldest due first, for
    at most ``budget`` seconds (``BUDGET_SECONDES``). A subscription whose attempt failed
    gets no other attempt in this run: a receiver that is down costs one timeout per run,
    not one per waiting delivery. Returns how many were delivered."""
    budget = BUDGET_SECONDES if budget is None else budget
    debut = time.monotonic()
    livrees = 0
    en_panne = set()
    while True:
        dues = Livraison.objects.dues().filter(tentatives__lt=MAX_TENTATIVES)
        if ids is not None:
            dues = dues.filter(pk__in=list(ids))
        if en_panne:
            dues = dues.exclude(abonnement_id__in=en_panne)
        lot = list(
            dues.order_by("prochaine_tentative", "id").values_list(
                "pk", "abonnement_id", "tentatives"
            )[:LOT]
        )
        for pk, abonnement_id, tentatives in lot:
            if abonnement_id in en_panne:
                continue
            if time.monotonic() - debut > budget:
                return livrees
            reussi = tenter(pk, tentatives)
            if reussi:
                livrees += 1
            elif reussi is False:
                en_panne.add(abonnement_id)
        if len(lot) < LOT:
            return livrees


def tenter(pk: int, tentatives: int) -> bool | None:
    """One attempt of delivery ``pk``, read with ``tentatives`` attempts: True delivered,
    False failed (recorded, rescheduled or ``echec``), None when another worker claimed it
    first (or it changed meanwhile)."""
    maintenant = timezone.now()
    pris = Livraison.objects.filter(
        pk=pk,
        statut=StatutLivraison.EN_ATTENTE,
        prochaine_tentative__lte=maintenant,
        tentatives=tentatives,
    ).update(
        tentatives=F("tentatives") + 1,
        derniere_tentative=maintenant,
        prochaine_tentative=maintenant + BAIL,
    )
    if not pris:
        return None
    # Read after the claim: the URL and the secret as they are now (a rotation just
    # before this attempt already applies to it).
    livraison = Livraison.objects.select_related("abonnement").filter(pk=pk).first()
    if livraison is None:  # its subscription was deleted meanwhile
        return None
    corps = livraison.corps.encode("utf-8")
    try:
        resultat = envoi.poster(
            livraison.abonnement.url,
            corps,
            envoi.entetes(
                secret=livraison.abonnement.secret, webhook_id=livraison.webhook_id, corps=corps
            ),
        )
    except Exception:  # a bug, not the receiver: recorded as a failed attempt all the same
        logger.exception("Livraison webhook %s : tentative en erreur", pk)
        resultat = envoi.Resultat(erreur=MSG_ERREUR_INTERNE)
    _enregistrer(pk, tentatives + 1, maintenant, resultat)
    return resultat.reussi


def _enregistrer(pk, numero, reclamee_le, resultat: envoi.Resultat) -> None:
    """Record attempt ``numero`` unless the row was replayed or reclaimed meanwhile."""
    attendue = Livraison.objects.filter(
        pk=pk,
        statut=StatutLivraison.EN_ATTENTE,
        tentatives=numero,
        derniere_tentative=reclamee_le,
    )
    if resultat.reussi:
        attendue.update(
            statut=StatutLivraison.LIVREE,
            dernier_code=resultat.code,
            derniere_erreur="",
            prochaine_tentative=None,
        )
        return
    if numero >= MAX_TENTATIVES:
        attendue.update(
            statut=StatutLivraison.ECHEC,
            dernier_code=resultat.code,
            derniere_erreur=resultat.erreur,
            prochaine_tentative=None,
        )
        logger.warning("Livraison webhook %s en échec après %s tentatives", pk, numero)
        return
    attendue.update(
        dernier_code=resultat.code,
        derniere_erreur=resultat.erreur,
        prochaine_tentative=timezone.now() + delai_apres(numero),
    )


def clore_interrompues() -> int:
    """The rows whose last attempt never reported (its worker died) become ``echec``."""
    return Livraison.objects.filter(
        statut=StatutLivraison.EN_ATTENTE,
        tentatives__gte=MAX_TENTATIVES,
        prochaine_tentative__lte=timezone.now(),
    ).update(statut=StatutLivraison.ECHEC, prochaine_tentative=None, derniere_erreur=MSG_INTERROMPU)
