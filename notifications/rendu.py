"""What a message says: subject, plain text and HTML (templates ``emails/<type>.txt|html``)
and the calendar attachment, rendered once when the outbox row is created.

Everything here is in French and in the organisation's zone (``TIME_ZONE``); dates are
written out by this module ("mardi 8 décembre 2026 de 10:00 à 11:00") rather than by the
active locale, so a worker renders the same text whatever language its process runs in.
"""

import email.policy
import re
from dataclasses import dataclass, field
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from reservations import ics

from .models import MethodeIcs, TypeCourriel

JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

NOM_SYSTEME = "Resa"
SOI_MEME = "vous-même"

SUJETS = {
    TypeCourriel.CREEE: "Réservation confirmée : {ressource}, {quand}",
    TypeCourriel.CREEE_POUR_AUTRUI: "Réservation faite pour {beneficiaire} : {ressource}, {quand}",
    TypeCourriel.EN_ATTENTE: "Réservation en attente de validation : {ressource}, {quand}",
    TypeCourriel.A_VALIDER: "Réservation à valider : {ressource}, {quand} ({beneficiaire})",
    TypeCourriel.CONFIRMEE: "Réservation validée : {ressource}, {quand}",
    TypeCourriel.MODIFIEE: "Réservation modifiée : {ressource}, {quand}",
    TypeCourriel.ANNULEE: "Réservation annulée : {ressource}, {quand}",
    TypeCourriel.LIBEREE: "Réservation libérée faute d'arrivée : {ressource}, {quand}",
    TypeCourriel.NON_PRESENTE: "Absence constatée : {ressource}, {quand}",
    TypeCourriel.RAPPEL: "Rappel : {ressource}, {quand}",
}

#: The messages a beneficiary receives carry the calendar copy of the booking: they are the
#: only ones who receive every later change too, which keeps that copy up to date. The
#: creator booking for someone else and the confirmers get no invitation to someone else's
#: booking.
METHODES_ICS = {
    TypeCourriel.CREEE: MethodeIcs.REQUEST,
    TypeCourriel.EN_ATTENTE: MethodeIcs.REQUEST,
    TypeCourriel.CONFIRMEE: MethodeIcs.REQUEST,
    TypeCourriel.MODIFIEE: MethodeIcs.REQUEST,
    TypeCourriel.RAPPEL: MethodeIcs.REQUEST,
    TypeCourriel.ANNULEE: MethodeIcs.CANCEL,
    TypeCourriel.LIBEREE: MethodeIcs.CANCEL,
    TypeCourriel.NON_PRESENTE: MethodeIcs.CANCEL,
}

NOM_PIECE_JOINTE = "reservation.ics"


def jour_long(moment) -> str:
    """ "mardi 8 décembre 2026", "vendredi 1er janvier 2027" (local date)."""
    local = timezone.localtime(moment)
    jour = "1er" if local.day == 1 else str(local.day)
    return f"{JOURS[local.weekday()]} {jour} {MOIS[local.month - 1]} {local.year}"


def heure(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def quand(moment) -> str:
    """ "mardi 8 décembre 2026 à 10:00"."""
    return f"{jour_long(moment)} à {heure(moment)}"


def creneau(debut, fin) -> str:
    """ "mardi 8 décembre 2026 de 10:00 à 11:00", or across two days "du mardi 8 décembre
    2026 à 22:00 au mercredi 9 décembre 2026 à 06:00"."""
    if timezone.localdate(debut) == timezone.localdate(fin):
        return f"{jour_long(debut)} de {heure(debut)} à {heure(fin)}"
    return f"du {quand(debut)} au {quand(fin)}"


@dataclass
class Sujet:
    """The reservation a message is about, as it was after the event it reports (rebuilt
    from the journal: the row may have changed since, or be gone). ``reservation`` is an
    unsaved ``Reservation`` with its ``ressource`` (and site) and ``user`` set."""

    reservation: object
    sequence: int
    horodatage: object
    acteur: object = None
    createur: object = None
    note: str = ""
    periode: object = None
    avant: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rendu:
    sujet: str
    texte: str
    html: str
    ics: str
    methode_ics: str


def _nom_acteur(acteur, destinataire) -> str:
    if acteur is None:
        return NOM_SYSTEME
    if acteur.pk == destinataire.pk:
        return SOI_MEME
    return acteur.nom_prenom


def rendre(type_courriel: TypeCourriel, destinataire, sujet: Sujet, *, lien: str = "") -> Rendu:
    """Render one message of ``type_courriel`` about ``sujet`` for ``destinataire``."""
    reservation = sujet.reservation
    ressource = reservation.ressource
    contexte = {
        "destinataire": destinataire,
        "reservation": reservation,
        "ressource": ressource,
        "site": ressource.site,
        "adresse": ", ".join(
            ligne.strip() for ligne in ressource.site.adresse.splitlines() if ligne.strip()
        ),
        "lieu": ics.lieu(ressource),
        "creneau": creneau(reservation.debut, reservation.fin),
        "beneficiaire": reservation.user,
        "createur": sujet.createur,
        "debut_quand": quand(reservation.debut),
        "pour_soi": reservation.user.pk == destinataire.pk,
        "statut": reservation.get_statut_display(),
        "acteur": _nom_acteur(sujet.acteur, destinataire),
        "note": sujet.note,
        "periode": sujet.periode,
        "periode_creneau": (
            creneau(sujet.periode.debut, sujet.periode.fin) if sujet.periode else ""
        ),
        "lien": lien,
        **sujet.avant,
    }
    methode = METHODES_ICS.get(type_courriel, MethodeIcs.AUCUNE)
    contexte["invitation"] = bool(methode)
    titre = SUJETS[type_courriel].format(
        ressource=ressource.nom,
        quand=quand(reservation.debut),
        beneficiaire=reservation.user.nom_prenom,
    )
    contexte["titre"] = titre
    calendrier = ""
    if methode:
        calendrier = ics.calendrier(
            [ics.vevent(reservation, sequence=sujet.sequence, horodatage=sujet.horodatage)],
            methode=methode,
        ).decode()
    return Rendu(
        sujet=" ".join(titre.split())[:255],
        texte=_paragraphes(render_to_string(f"emails/{type_courriel}.txt", contexte)),
        html=render_to_string(f"emails/{type_courriel}.html", contexte),
        ics=calendrier,
        methode_ics=methode,
    )


def _paragraphes(texte: str) -> str:
    """Plain text with at most one blank line between paragraphs and no trailing spaces."""
    lignes = "\n".join(ligne.rstrip() for ligne in texte.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", lignes) + "\n"


def message(courriel) -> EmailMultiAlternatives:
    """The email of an outbox row, as stored: nothing is looked up or rendered again.

    Its ``Message-ID`` is derived from the row's key, so a message that a crash made us send
    twice reads as one in the recipient's client; ``References`` threads the messages of one
    reservation; ``Auto-Submitted`` keeps auto-responders quiet (RFC 3834).
    """
    hote = ics.hote()
    entetes = {
        "Message-ID": f"<{courriel.cle}@{hote}>",
        "Auto-Submitted": "auto-generated",
    }
    if courriel.reservation_id:
        entetes["References"] = f"<{ics.uid(courriel.reservation_id)}>"
    courrier = EmailMultiAlternatives(
        courriel.sujet,
        courriel.texte,
        settings.DEFAULT_FROM_EMAIL,
        [courriel.adresse],
        headers=entetes,
    )
    courrier.attach_alternative(courriel.html, "text/html")
    if courriel.ics:
        piece = MIMEPart(policy=email.policy.default)
        piece.set_content(
            courriel.ics,
            subtype="calendar",
            charset="utf-8",
            params={"method": courriel.methode_ics},
            disposition="attachment",
            filename=NOM_PIECE_JOINTE,
        )
        courrier.attach(piece)
    return courrier
