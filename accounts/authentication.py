"""Token authentication: ``Authorization: Bearer <token>`` or the ``session_token`` cookie."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import AuthToken

MSG_JETON_INVALIDE = "Jeton d'authentification invalide, expiré ou révoqué."


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        cle = self._cle(request)
        if cle is None:
            return None
        token = (
            AuthToken.objects.valides()
            .select_related("user")
            .filter(cle_hash=AuthToken.hacher(cle))
            .first()
        )
        if token is None or not token.user.compte_actif:
            raise exceptions.AuthenticationFailed(MSG_JETON_INVALIDE)
        return token.user, token

    def _cle(self, request):
        entete = authentication.get_authorization_header(request).split()
        if entete and entete[0].lower() == self.keyword.lower().encode():
            if len(entete) != 2:
                raise exceptions.AuthenticationFailed(MSG_JETON_INVALIDE)
            try:
                return entete[1].decode()
            except UnicodeError:
                raise exceptions.AuthenticationFailed(MSG_JETON_INVALIDE) from None
        return request.COOKIES.get(settings.SESSION_TOKEN_COOKIE) or None

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
            {"type": "http", "scheme": "bearer"},
            {"type": "apiKey", "in": "cookie", "name": settings.SESSION_TOKEN_COOKIE},
        ]
