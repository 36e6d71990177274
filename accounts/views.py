"""``/auth`` (sessions) and ``/users`` (the back-office's accounts)."""

from django.conf import settings
from django.middleware.csrf import rotate_token
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from resa_project.pagination import ItemsMetaPagination

from . import openapi, services
from .authentication import CsrfRefuse, TokenAuthentication
from .filters import UserFilter
from .models import User
from .permissions import IsAdmin, IsManagerOrAdmin, ReadOnly
from .serializers import (
    ConnexionSerializer,
    InscriptionSerializer,
    MessageSerializer,
    PreferencesSerializer,
    UserPublicSerializer,
    UserSerializer,
)
from .throttling import InscriptionThrottle, limiter_echecs_connexion

MSG_INSCRIPTION = "Inscription réussie"
MSG_CONNEXION = "Connexion réussie"
MSG_DECONNEXION = "Déconnexion réussie"


class TokenAuthenticationFacultative(TokenAuthentication):
    """Registration is public: a stale cookie must not turn it into a 401, nor a cookie
    without its CSRF header into a 403; such a request is simply anonymous. A valid admin
    token (Bearer, or cookie with its CSRF header) still counts: an admin may register any
    role, and is not throttled."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except (exceptions.AuthenticationFailed, CsrfRefuse):
            return None


def _reponse_session(request, message, user, cle, *, status_code):
    """The session answer: the token in the body and the ``session_token`` cookie, and a
    fresh ``csrftoken`` cookie (set by ``CsrfViewMiddleware`` with the ``CSRF_COOKIE_*``
    settings; renewed at each login, as ``django.contrib.auth.login`` does)."""
    rotate_token(request)
    response = Response(
        {"message": message, "user": UserPublicSerializer(user).data, "token": cle},
        status=status_code,
    )
    response.set_cookie(
        settings.SESSION_TOKEN_COOKIE,
        cle,
        max_age=int(settings.TOKEN_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


class InscriptionView(generics.GenericAPIView):
    authentication_classes = [TokenAuthenticationFacultative]
    permission_classes = [AllowAny]
    throttle_classes = [InscriptionThrottle]
    serializer_class = InscriptionSerializer

    @openapi.INSCRIPTION
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with serializer.erreurs_du_modele():
            user, cle = services.inscrire(par=request.user, **serializer.validated_data)
        return _reponse_session(
            request, MSG_INSCRIPTION, user, cle, status_code=status.HTTP_201_CREATED
        )


class ConnexionView(generics.GenericAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ConnexionSerializer

    @openapi.CONNEXION
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with limiter_echecs_connexion(request, serializer.validated_data["email"]):
            user, cle = services.connecter(**serializer.validated_data)
        return _reponse_session(request, MSG_CONNEXION, user, cle, status_code=status.HTTP_200_OK)


class DeconnexionView(generics.GenericAPIView):
    serializer_class = MessageSerializer

    @openapi.DECONNEXION
    def post(self, request):
        services.deconnecter(request.auth)
        response = Response({"message": MSG_DECONNEXION})
        response.delete_cookie(settings.SESSION_TOKEN_COOKIE, samesite="Lax")
        return response


class MoiView(generics.GenericAPIView):
    serializer_class = UserPublicSerializer

    @openapi.MOI
    def get(self, request):
        return Response(UserPublicSerializer(request.user).data)


class PreferencesView(generics.GenericAPIView):
    """The caller's notification preferences (API.md C3)."""

    serializer_class = PreferencesSerializer

    @openapi.PREFERENCES_LIRE
    def get(self, request):
        return Response(PreferencesSerializer(request.user).data)

    @openapi.PREFERENCES_MODIFIER
    def patch(self, request):
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with serializer.erreurs_du_modele():
            user = services.modifier_preferences(
                request.user, par=request.user, **serializer.validated_data
            )
        return Response(PreferencesSerializer(user).data)


@openapi.utilisateurs
class UserViewSet(viewsets.ModelViewSet):
    """Admins manage every account; managers read the members of their departments."""

    permission_classes = [IsAdmin | (IsManagerOrAdmin & ReadOnly)]
    pagination_class = ItemsMetaPagination
    filterset_class = UserFilter
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        utilisateurs = User.objects.all()
        if not self.request.user.est_admin:
            utilisateurs = utilisateurs.filter(department__manager=self.request.user)
        return utilisateurs

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return UserSerializer
        return UserPublicSerializer

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer):
        with serializer.erreurs_du_modele():
            serializer.instance = services.creer_utilisateur(
                par=self.request.user, **serializer.validated_data
            )

    def perform_update(self, serializer):
        with serializer.erreurs_du_modele():
            serializer.instance = services.modifier_utilisateur(
                serializer.instance, par=self.request.user, **serializer.validated_data
            )

    def destroy(self, request, *args, **kwargs):
        services.supprimer_utilisateur(self.get_object(), par=request.user)
        return Response({"ok": True})
