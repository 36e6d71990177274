"""Account actions: registration, login, logout, and the back-office's user management.

Every write calls ``full_clean()`` so the model's rules (lengths, unique email and user name,
known ``autorisations``) apply whatever the entry point; Django's password validators run on
every new password. Errors are Django ``ValidationError`` (400, keyed by model field) or
domain errors carrying their status. ``par`` is the user acting: ``None`` for the system
(commands, demo data) or an anonymous registration.
"""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from resa_project.erreurs import ConflitEtat, ErreurDomaine, ObjetReference

from .models import AuthToken, Priorite, Role, User

MSG_INSCRIPTION_RESERVEE = (
    "Seul un administrateur authentifié peut créer un compte autre que « employe » / « standard »."
)
MSG_IDENTIFIANTS = "Email ou mot de passe incorrect."
MSG_COMPTE_DESACTIVE = "Ce compte est désactivé."
MSG_SOI_MEME = (
    "Un administrateur ne peut pas supprimer, désactiver ou rétrograder son propre compte."
)
MSG_PREFERENCES_D_AUTRUI = (
    "Seul le titulaire du compte ou un administrateur modifie ses préférences."
)

#: What ``modifier_preferences`` changes (API.md C3).
CHAMPS_PREFERENCES = ("notifications_email", "rappel_minutes")


class InscriptionInterdite(ErreurDomaine):
    status_code = 403
    code = "permission_refusee"
    detail = MSG_INSCRIPTION_RESERVEE


class PreferencesInterdites(ErreurDomaine):
    status_code = 403
    code = "permission_refusee"
    detail = MSG_PREFERENCES_D_AUTRUI


class IdentifiantsInvalides(ErreurDomaine):
    status_code = 401
    code = "non_authentifie"
    detail = MSG_IDENTIFIANTS


def _valider_et_definir_mot_de_passe(user, password, erreurs):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        erreurs["password"] = exc.messages
    user.set_password(password)


def _enregistrer(user, *, password=None):
    """``full_clean()`` (and the password validators) then save; all errors reported at once."""
    erreurs = {}
    try:
        user.full_clean(exclude=["password", "last_login"])
    except ValidationError as exc:
        erreurs = exc.update_error_dict(erreurs)
    if password is not None:
        _valider_et_definir_mot_de_passe(user, password, erreurs)
    if erreurs:
        raise ValidationError(erreurs)
    user.save()
    return user


def est_inscription_standard(*, role, priorite, autorisations=()) -> bool:
    return role == Role.EMPLOYE and priorite == Priorite.STANDARD and not autorisations


def _definir_hash(user, mot_de_passe_hache):
    if mot_de_passe_hache is not None:
        user.password = mot_de_passe_hache


@transaction.atomic
def creer_utilisateur(
    *, par: User | None, password: str | None = None, mot_de_passe_hache=None, **champs
) -> User:
    """A new account with any role: the caller has already been checked as allowed to.

    ``password`` is validated and hashed; ``mot_de_passe_hache`` (demo data, imports) is an
    already hashed password stored as is: no validator can read it. One of them is required.
    """
    if (password is None) == (mot_de_passe_hache is None):
        raise TypeError("creer_utilisateur() takes either password or mot_de_passe_hache")
    user = User(**champs)
    _definir_hash(user, mot_de_passe_hache)
    return _enregistrer(user, password=password)


@transaction.atomic
def inscrire(*, par, password, **champs) -> tuple[User, str]:
    """Public registration: ``employe``/``standard`` only, unless ``par`` is an active admin.

    Returns the new user and the clear value of their first token.
    """
    champs.setdefault("role", Role.EMPLOYE)
    champs.setdefault("priorite", Priorite.STANDARD)
    standard = est_inscription_standard(
        role=champs["role"],
        priorite=champs["priorite"],
        autorisations=champs.get("autorisations", ()),
    )
    if not standard and not (par is not None and par.est_admin):
        raise InscriptionInterdite()
    user = creer_utilisateur(par=par, password=password, **champs)
    return user, AuthToken.emettre(user)


# A hash to check against when the email is unknown, so that a wrong email costs as much
# time as a wrong password (no user enumeration through timing).
_HASH_FACTICE = None


def _verifier_contre_hash_factice(password):
    global _HASH_FACTICE
    if _HASH_FACTICE is None:
        _HASH_FACTICE = make_password("mot-de-passe-factice")
    User(password=_HASH_FACTICE).check_password(password)


def connecter(*, email, password) -> tuple[User, str]:
    """Check the credentials and open a session; ``IdentifiantsInvalides`` (401) otherwise."""
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        _verifier_contre_hash_factice(password)
        raise IdentifiantsInvalides()
    if not user.check_password(password):
        raise IdentifiantsInvalides()
    if not user.compte_actif:
        raise IdentifiantsInvalides(MSG_COMPTE_DESACTIVE)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return user, AuthToken.emettre(user)


def deconnecter(token: AuthToken) -> None:
    """Revoke the token of the session: it no longer authenticates anyone."""
    AuthToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def modifier_utilisateur(
    user: User, *, par: User | None, password=None, mot_de_passe_hache=None, **champs
) -> User:
    """Partial update. A new ``password`` is validated and hashed; it closes every open
    session, as deactivation does (``User.save``). ``mot_de_passe_hache``: see
    ``creer_utilisateur``."""
    verifier_pas_contre_soi(
        user,
        par=par,
        role=champs.get("role", user.role),
        compte_actif=champs.get("compte_actif", user.compte_actif),
    )
    for champ, valeur in champs.items():
        setattr(user, champ, valeur)
    _definir_hash(user, mot_de_passe_hache)
    return _enregistrer(user, password=password)


def verifier_pas_contre_soi(user: User, *, par: User | None, role, compte_actif) -> None:
    """An admin may not lock themselves out (API and back-office alike): 409. The check
    alone, for the back-office's form; ``modifier_utilisateur`` runs it too."""
    if _soi_meme(user, par) and (not compte_actif or role != Role.ADMIN):
        raise ConflitEtat(MSG_SOI_MEME)


def _soi_meme(user, par):
    return par is not None and user.pk == par.pk


@transaction.atomic
def supprimer_utilisateur(user: User, *, par: User | None) -> None:
    """Delete an account; ``ObjetReference`` (409) while reservations or departments
    refer to it: deactivate it instead."""
    if _soi_meme(user, par):
        raise ConflitEtat(MSG_SOI_MEME)
    try:
        user.delete()
    except ProtectedError as exc:
        raise ObjetReference.depuis(exc) from None


def modifier_preferences(user: User, *, par: User | None, **preferences) -> User:
    """Partial update of the notification preferences (``CHAMPS_PREFERENCES``) of ``user``,
    by the account's holder, an admin or the system (``par=None``): 403 for anyone else.

    The values are checked by the fields' validators (``rappel_minutes``: null or
    0..10080), then one UPDATE writes these columns only (its own transaction): a concurrent
    change of the rest of the account is never overwritten.
    """
    inconnus = set(preferences) - set(CHAMPS_PREFERENCES)
    if inconnus:
        raise ValueError(f"Préférences inconnues : {sorted(inconnus)}")
    if par is not None and not _soi_meme(user, par) and not par.est_admin:
        raise PreferencesInterdites()
    if not preferences:
        return user
    for champ, valeur in preferences.items():
        setattr(user, champ, valeur)
    autres = [f.name for f in User._meta.concrete_fields if f.name not in preferences]
    user.clean_fields(exclude=autres)
    user.save(update_fields=list(preferences))
    return user
