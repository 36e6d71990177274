"""``/auth`` (sessions) and ``/users`` (the back-office's accounts)."""

from django.conf import settings
from django.middleware.csrf import rotate_token
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from resa_project.pagination import ItemsMetaPagination
from resa_project.schema import OK, erreurs

from . import services
from .authentication import CsrfRefuse, TokenAuthentication
from .filters import UserFilter
from .models import User
from .permissions import IsAdmin, IsManagerOrAdmin, ReadOnly
from .serializers import (
    ConnexionSerializer,
    InscriptionSerializer,
    MessageSerializer,
    SessionSerializer,
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

    @extend_schema(
        tags=["auth"],
        auth=[],
        summary="Créer un compte",
        description=(
            "Public pour `role: employe` et `priorite: standard` ; tout autre rôle ou "
            "priorité exige un jeton d'administrateur (403 sinon). Ouvre une session : le "
            "jeton est renvoyé et posé dans le cookie `session_token` (HttpOnly, "
            "SameSite=Lax, Secure en HTTPS), avec un nouveau cookie `csrftoken` : une "
            "requête POST, PUT, PATCH ou DELETE authentifiée par le cookie doit porter "
            "l'en-tête `X-CSRFToken` égal à ce cookie (403 sinon). Un administrateur "
            "authentifié n'est pas limité en nombre d'inscriptions."
        ),
        request=InscriptionSerializer,
        responses={201: SessionSerializer, **erreurs(400, 403, 409, 429)},
    )
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

    @extend_schema(
        tags=["auth"],
        auth=[],
        summary="Se connecter",
        description=(
            "Email (sans distinction de casse) et mot de passe. Après "
            "`LOGIN_ECHECS_MAX` (5) échecs pour un même email et une même adresse IP, ou "
            "`LOGIN_ECHECS_MAX_PAR_EMAIL` (20) échecs pour un même email depuis n'importe "
            "quelle adresse, pendant `LOGIN_ECHECS_FENETRE` (15 minutes), 429 jusqu'à la "
            "fin de la fenêtre, même avec le bon mot de passe. Comme l'inscription, pose "
            "le cookie `session_token` et un nouveau cookie `csrftoken` (à renvoyer dans "
            "l'en-tête `X-CSRFToken` des requêtes non sûres authentifiées par le cookie)."
        ),
        request=ConnexionSerializer,
        responses={200: SessionSerializer, **erreurs(400, 401, 429)},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with limiter_echecs_connexion(request, serializer.validated_data["email"]):
            user, cle = services.connecter(**serializer.validated_data)
        return _reponse_session(request, MSG_CONNEXION, user, cle, status_code=status.HTTP_200_OK)


class DeconnexionView(generics.GenericAPIView):
    serializer_class = MessageSerializer

    @extend_schema(
        tags=["auth"],
        summary="Se déconnecter",
        description=(
            "Révoque le jeton utilisé (en-tête ou cookie) et efface le cookie. Avec le "
            "cookie, l'en-tête `X-CSRFToken` (égal au cookie `csrftoken`) est exigé (403 "
            "sinon)."
        ),
        request=None,
        responses={200: MessageSerializer, **erreurs(401, 403)},
    )
    def post(self, request):
        services.deconnecter(request.auth)
        response = Response({"message": MSG_DECONNEXION})
        response.delete_cookie(settings.SESSION_TOKEN_COOKIE, samesite="Lax")
        return response


class MoiView(generics.GenericAPIView):
    serializer_class = UserPublicSerializer

    @extend_schema(
        tags=["auth"],
        summary="L'utilisateur connecté",
        responses={200: UserPublicSerializer, **erreurs(401)},
    )
    def get(self, request):
        return Response(UserPublicSerializer(request.user).data)


@extend_schema_view(
    list=extend_schema(
        summary="Lister les utilisateurs",
        description="Admin : tous ; manager : les membres des départements qu'il gère.",
        responses={200: UserPublicSerializer(many=True), **erreurs(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Lire un utilisateur",
        responses={200: UserPublicSerializer, **erreurs(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Créer un utilisateur (tout rôle)",
        request=UserSerializer,
        responses={201: UserPublicSerializer, **erreurs(400, 401, 403, 409)},
    ),
    update=extend_schema(
        summary="Modifier un utilisateur (partiel)",
        description=(
            "Mise à jour partielle, comme PATCH. Désactiver un compte ou changer son mot de "
            "passe révoque aussitôt tous ses jetons."
        ),
        request=UserSerializer,
        responses={200: UserPublicSerializer, **erreurs(400, 401, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary="Modifier un utilisateur (partiel)",
        description="Désactiver un compte ou changer son mot de passe révoque ses jetons.",
        request=UserSerializer,
        responses={200: UserPublicSerializer, **erreurs(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Supprimer un utilisateur",
        description="409 tant que des réservations ou des départements y font référence : "
        "désactivez plutôt le compte (`compte_actif: false`).",
        responses={200: OK, **erreurs(401, 403, 404, 409)},
    ),
)
@extend_schema(tags=["users"])
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

    def perform_update(self, serializer):
        serializer.save(par=self.request.user)

    def destroy(self, request, *args, **kwargs):
        services.supprimer_utilisateur(self.get_object(), par=request.user)
        return Response({"ok": True})
