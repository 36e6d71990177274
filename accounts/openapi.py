"""OpenAPI decoration of ``accounts.views``."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from resa_project.schema import OK, erreurs

from .serializers import (
    ConnexionSerializer,
    InscriptionSerializer,
    MessageSerializer,
    PreferencesSerializer,
    SessionSerializer,
    UserPublicSerializer,
    UserSerializer,
)

INSCRIPTION = extend_schema(
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

CONNEXION = extend_schema(
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

DECONNEXION = extend_schema(
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

MOI = extend_schema(
    tags=["auth"],
    summary="L'utilisateur connecté",
    responses={200: UserPublicSerializer, **erreurs(401)},
)

_PREFERENCES = (
    "`notifications_email` (par défaut true) : false, et le compte ne reçoit plus aucun "
    "message, rappels compris. `rappel_minutes` (par défaut 30) : combien de minutes avant "
    "le début d'une réservation confirmée part le rappel, de 0 à 10080 (une semaine) ; null : "
    "aucun rappel. Un rappel dont l'heure est déjà passée quand la réservation est faite ou "
    "déplacée part au passage suivant de la tâche des rappels (au plus une minute), tant que "
    "la réservation n'a pas commencé."
)

PREFERENCES_LIRE = extend_schema(
    tags=["auth"],
    summary="Mes préférences de notification",
    description=_PREFERENCES,
    responses={200: PreferencesSerializer, **erreurs(401)},
)

PREFERENCES_MODIFIER = extend_schema(
    tags=["auth"],
    summary="Modifier mes préférences de notification",
    description=(
        f"{_PREFERENCES}\n\nMise à jour partielle : les champs absents gardent leur valeur, "
        "les champs inconnus sont ignorés. Un booléen JSON pour `notifications_email`, un "
        'entier JSON ou null pour `rappel_minutes` (`"30"`, `30.0`, `10081` ou `-1` : 400). '
        "Avec le cookie de session, l'en-tête `X-CSRFToken` est exigé (403 sinon)."
    ),
    request=PreferencesSerializer,
    responses={200: PreferencesSerializer, **erreurs(400, 401, 403)},
)


def utilisateurs(viewset):
    viewset = extend_schema(tags=["users"])(viewset)
    return extend_schema_view(
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
    )(viewset)
