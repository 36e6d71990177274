"""Token authentication: ``Authorization: Bearer <token>`` or the ``session_token`` cookie.

A browser sends the cookie by itself, whichever page makes the request, so a request that
the cookie authenticates with an unsafe method (POST, PUT, PATCH, DELETE) must also carry
the header ``X-CSRFToken`` equal to the ``csrftoken`` cookie (set by login and register),
checked by Django's CSRF machinery as DRF's ``SessionAuthentication`` does (Origin, and
Referer on HTTPS, included); else 403. A Bearer header is only sent by code that holds the
token: no CSRF check.
"""

import logging

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from resa_project.marques import Memo
from resa_project.requetes import RequeteCompilee

from .models import MARQUE_COMPTES, AuthToken, User

MSG_JETON_INVALIDE = "Jeton d'authentification invalide, expiré ou révoqué."
MSG_CSRF = (
    "Vérification CSRF échouée : avec le cookie de session, une requête POST, PUT, PATCH ou "
    "DELETE doit porter l'en-tête X-CSRFToken égal au cookie csrftoken."
)

logger = logging.getLogger("django.security.csrf")


class CsrfRefuse(exceptions.PermissionDenied):
    default_detail = MSG_CSRF


def _sans_suite(request):  # pragma: no cover - the CSRF check never calls the next handler
    return None


_CHAMPS_JETON = [champ.attname for champ in AuthToken._meta.concrete_fields]
_CHAMPS_USER = [champ.attname for champ in User._meta.concrete_fields]
# Every authenticated request runs it: one lookup on the unique index of cle_hash, joined to
# its user, compiled once (see resa_project.requetes); the expiry is checked in Python.
_JETON_ET_USER = RequeteCompilee(
    lambda empreinte: AuthToken.objects.filter(cle_hash=empreinte).values_list(
        *_CHAMPS_JETON, *(f"user__{nom}" for nom in _CHAMPS_USER)
    )
)


# The rows found, kept in the process while no token or account changed on the host (see
# resa_project.marques and accounts.signaux): most requests then skip the query.
MEMO_JETONS = Memo(MARQUE_COMPTES)


def jeton_valide(cle: str) -> AuthToken | None:
    """The unexpired token of clear value ``cle``, with its user, or None."""
    empreinte = AuthToken.hacher(cle)
    ligne = MEMO_JETONS.lire(empreinte)
    if ligne is None:
        marque = MEMO_JETONS.avant_lecture()
        lignes = _JETON_ET_USER.lignes(empreinte)
        if not lignes:
            return None
        (ligne,) = lignes
        MEMO_JETONS.garder(empreinte, ligne, marque)
    token = AuthToken.from_db("default", _CHAMPS_JETON, ligne[: len(_CHAMPS_JETON)])
    if token.expire_le <= timezone.now():
        return None
    token.user = User.from_db("default", _CHAMPS_USER, ligne[len(_CHAMPS_JETON) :])
    return token


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        cle, par_cookie = self._cle(request)
        if cle is None:
            return None
        token = jeton_valide(cle)
        if token is None or not token.user.compte_actif:
            raise exceptions.AuthenticationFailed(MSG_JETON_INVALIDE)
        if par_cookie:
            self.enforce_csrf(request)
        return token.user, token

    def enforce_csrf(self, request):
        """``CsrfRefuse`` (403) unless Django's CSRF check passes (safe methods always do)."""
        verification = authentication.CSRFCheck(_sans_suite)
        verification.process_request(request)  # reads the csrftoken cookie into META
        raison = verification.process_view(request, None, (), {})
        if raison:
            logger.warning("Forbidden (%s): %s", raison, request.path)
            raise CsrfRefuse()

    def _cle(self, request) -> tuple[str | None, bool]:
        """The token and whether it came from the cookie (the header wins)."""
        entete = authentication.get_authorization_header(request).split()
        if entete and entete[0].lower() == self.keyword.lower().encode():
            if len(entete) != 2:
                raise exceptions.AuthenticationFailed(MSG_JETON_INVALIDE)
            try:
                return entete[1].decode(), False
            except UnicodeError:
                raise exceptions.AuthenticationFailed(MSG_JETON_INVALIDE) from None
        return request.COOKIES.get(settings.SESSION_TOKEN_COOKIE) or None, True

    def authenticate_header(self, request):
        return self.keyword


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = ["bearerAuth", "cookieAuth"]

    def get_security_requirement(self, auto_schema):
        # Either scheme is enough: two requirement objects (OR), not one with both (AND).
        return [{nom: []} for nom in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "Le jeton renvoyé par `/auth/login` ou `/auth/register`. "
                "Aucun jeton CSRF n'est demandé.",
            },
            {
                "type": "apiKey",
                "in": "cookie",
                "name": settings.SESSION_TOKEN_COOKIE,
                "description": (
                    f"Cookie `{settings.SESSION_TOKEN_COOKIE}` (HttpOnly) posé par "
                    "`/auth/login` et `/auth/register`, avec le cookie "
                    f"`{settings.CSRF_COOKIE_NAME}` (lisible par JavaScript). Toute requête "
                    "POST, PUT, PATCH ou DELETE authentifiée par ce cookie doit porter "
                    f"l'en-tête `X-CSRFToken` égal au cookie `{settings.CSRF_COOKIE_NAME}` "
                    "(403 sinon) ; l'en-tête `Origin` (en HTTPS sans `Origin` : le "
                    "`Referer`) doit désigner le site lui-même ou une origine de "
                    "`CSRF_TRUSTED_ORIGINS`."
                ),
            },
        ]
