"""``/reservations`` and ``/disponibilites``: thin viewsets over ``services`` and
``selectors``. Visibility comes from ``get_queryset`` (404 for what the caller may not see);
who may act is a permission (403); whether the action is possible now is the service's
answer (409)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Autorisation
from accounts.permissions import IsAdmin, IsManagerOrAdmin
from resa_project.pagination import ItemsMetaPagination
from resa_project.parametres import parametre_booleen, tri_applique
from resa_project.schema import OK, erreurs
from sites.permissions import exiger_site

from . import journal, services
from .filters import DisponibiliteFilter, ReservationFilter
from .models import Reservation, ResourceAvailability
from .permissions import (
    DansSaFileDeValidation,
    EstTitulaireOuGestionnaire,
    PeutConfirmer,
    PeutGererRessources,
    PeutReserverPourAutrui,
    SurLesSitesDeLaPeriode,
)
from .selectors import reservations_visibles
from .serializers import (
    DisponibiliteEnregistreeSerializer,
    DisponibiliteSerializer,
    EvenementSerializer,
    ReservationCreationSerializer,
    ReservationModificationSerializer,
    ReservationSerializer,
)

_EXEMPLE_CONFLIT = OpenApiExample(
    "Créneau pris",
    value={
        "detail": "Le créneau demandé est déjà pris.",
        "conflits": [
            {
                "type": "reservation",
                "id": 12,
                "debut": "2027-03-29T09:00:00+02:00",
                "fin": "2027-03-29T10:00:00+02:00",
            },
            {
                "type": "indisponibilite",
                "id": 3,
                "debut": "2027-03-29T10:00:00+02:00",
                "fin": "2027-03-29T11:00:00+02:00",
            },
        ],
    },
    response_only=True,
    status_codes=["409"],
)
_EXEMPLE_400 = OpenApiExample(
    "Hors grille",
    value={
        "detail": "Les horaires doivent tomber sur la grille de 15 minutes (minutes 00, 15, 30 ou 45, sans secondes).",
        "errors": {
            "debut": [
                "Les horaires doivent tomber sur la grille de 15 minutes (minutes 00, 15, 30 ou 45, sans secondes)."
            ]
        },
    },
    response_only=True,
    status_codes=["400"],
)
_ETAT = "Action impossible dans l'état actuel (statut, horaire)."


def _reponse_etat(description):
    return {
        200: ReservationSerializer,
        **erreurs(401, 403, 404),
        409: OpenApiResponse(erreurs(409)[409].response, description=description),
    }


@extend_schema_view(
    list=extend_schema(
        summary="Lister les réservations visibles",
        description=(
            "employe : les siennes (bénéficiaire ou créateur) ; manager : aussi celles des "
            "utilisateurs des départements qu'il gère ; managers et détenteurs de "
            "`confirmer_reservations` : aussi toutes les réservations `en_cours` ; admin : toutes. "
            "`meta` contient aussi `sort_by` et `sort_order`."
        ),
        responses={200: ReservationSerializer(many=True), **erreurs(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Lire une réservation",
        responses={200: ReservationSerializer, **erreurs(401, 404)},
    ),
    create=extend_schema(
        summary="Réserver",
        description=(
            "Toutes les règles du contrat s'appliquent (grille de 15 minutes, durée, capacité, "
            "passé, horaires, fenêtres de disponibilité normale, chevauchements). Statut : "
            "`confirme`, ou `en_cours` sur une ressource à validation si l'appelant n'est ni "
            "manager ni admin. `user_id` (autre que soi) : manager, admin ou "
            "`reserver_pour_autrui`, sinon 403."
        ),
        request=ReservationCreationSerializer,
        responses={
            201: ReservationSerializer,
            **erreurs(400, 401, 403),
            409: OpenApiResponse(
                erreurs(409)[409].response,
                description="Créneau pris (`conflits`) ou ressource inactive.",
            ),
        },
        examples=[_EXEMPLE_CONFLIT, _EXEMPLE_400],
    ),
    update=extend_schema(
        summary="Modifier une réservation (partiel)",
        description=(
            "Titulaire (bénéficiaire ou créateur), manager ou admin. Mise à jour partielle de "
            "`ressource_id, debut, fin, description, nbr_participants, note` ; toutes les règles "
            "sont revérifiées (la réservation n'entre pas en conflit avec elle-même). 409 une "
            "fois `annule`, `fini` ou `non_present`. Sur une ressource à validation, déplacer "
            "la réservation (ressource, début ou fin) sans être manager ni admin la remet "
            "`en_cours`."
        ),
        request=ReservationModificationSerializer,
        responses={200: ReservationSerializer, **erreurs(400, 401, 403, 404, 409)},
        examples=[_EXEMPLE_CONFLIT],
    ),
    partial_update=extend_schema(
        summary="Modifier une réservation (partiel)",
        description="Comme PUT.",
        request=ReservationModificationSerializer,
        responses={200: ReservationSerializer, **erreurs(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Supprimer une réservation (admin)",
        responses={200: OK, **erreurs(401, 403, 404)},
    ),
)
@extend_schema(tags=["reservations"])
class ReservationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReservationSerializer
    pagination_class = ItemsMetaPagination
    filterset_class = ReservationFilter
    permissions_par_action = {
        "create": [IsAuthenticated, PeutReserverPourAutrui],
        "update": [IsAuthenticated, EstTitulaireOuGestionnaire],
        "partial_update": [IsAuthenticated, EstTitulaireOuGestionnaire],
        "annuler": [IsAuthenticated, EstTitulaireOuGestionnaire],
        "confirmer": [IsAuthenticated, PeutConfirmer, DansSaFileDeValidation],
        "terminer": [IsAuthenticated, IsManagerOrAdmin],
        "non_present": [IsAuthenticated, IsManagerOrAdmin],
        "destroy": [IsAuthenticated, IsAdmin],
    }

    def get_permissions(self):
        return [p() for p in self.permissions_par_action.get(self.action, [IsAuthenticated])]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reservation.objects.none()
        return reservations_visibles(self.request.user)

    def get_meta_extra(self):
        return tri_applique(self)

    def create(self, request):
        entree = ReservationCreationSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        reservation = services.reserver(par=request.user, **entree.validated_data)
        return Response(ReservationSerializer(reservation).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        reservation = self.get_object()
        entree = ReservationModificationSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        reservation = services.modifier(reservation, par=request.user, **entree.validated_data)
        return Response(ReservationSerializer(reservation).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)

    def destroy(self, request, pk=None):
        services.supprimer_reservation(self.get_object(), par=request.user)
        return Response({"ok": True})

    @extend_schema(
        summary="Historique d'une réservation",
        description=(
            "Le journal de la réservation, du plus ancien au plus récent : type d'événement, "
            "date, acteur (null : le système), changements `{champ: [avant, après]}` avec les "
            "noms et valeurs de l'API (une création liste chaque valeur initiale comme "
            "`[null, valeur]`) et note. Visible de qui peut voir la réservation (sinon 404)."
        ),
        responses={200: EvenementSerializer(many=True), **erreurs(401, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def historique(self, request, pk=None):
        evenements = journal.historique(self.get_object())
        return Response(EvenementSerializer(evenements, many=True).data)

    @extend_schema(
        summary="Annuler une réservation",
        description=(
            "Titulaire jusqu'à 2 heures avant le début ; manager ou admin jusqu'à la fin. "
            "Le créneau est libéré."
        ),
        request=None,
        responses=_reponse_etat(_ETAT),
    )
    @action(detail=True, methods=["post"])
    def annuler(self, request, pk=None):
        return self._changer(services.annuler)

    @extend_schema(
        summary="Confirmer une réservation en attente",
        description="Manager, admin ou `confirmer_reservations` : en_cours → confirme.",
        request=None,
        responses=_reponse_etat("La réservation n'est pas en_cours."),
    )
    @action(detail=True, methods=["post"])
    def confirmer(self, request, pk=None):
        return self._changer(services.confirmer)

    @extend_schema(
        summary="Terminer une réservation",
        description="Manager ou admin : confirme → fini, seulement après la fin.",
        request=None,
        responses=_reponse_etat("La réservation n'est pas confirmée ou pas encore finie."),
    )
    @action(detail=True, methods=["post"])
    def terminer(self, request, pk=None):
        return self._changer(services.terminer)

    @extend_schema(
        summary="Marquer le titulaire non présent",
        description="Manager ou admin : confirme → non_present, seulement après le début.",
        request=None,
        responses=_reponse_etat("La réservation n'est pas confirmée ou pas encore commencée."),
    )
    @action(detail=True, methods=["post"], url_path="non-present")
    def non_present(self, request, pk=None):
        return self._changer(services.marquer_non_present)

    def _changer(self, service):
        reservation = service(self.get_object(), par=self.request.user)
        return Response(ReservationSerializer(reservation).data)


_PARAM_ANNULER_CONFLITS = OpenApiParameter(
    "annuler_conflits",
    OpenApiTypes.BOOL,
    description=(
        "true : annule les réservations en_cours/confirme que la période bloquerait (raison "
        "dans leur note) au lieu de répondre 409 ; leurs ids sont renvoyés dans "
        "`reservations_annulees`."
    ),
    default=False,
)
_REPONSES_ECRITURE = {
    **erreurs(400, 401, 403),
    409: OpenApiResponse(
        erreurs(409)[409].response,
        description="Des réservations en_cours/confirme chevauchent la période (`conflits`).",
    ),
}


@extend_schema_view(
    list=extend_schema(
        summary="Lister les périodes de disponibilité et d'indisponibilité",
        description=(
            "`du`/`au` : une période ponctuelle est retenue si elle chevauche la fenêtre ; une "
            "période répétée si son étendue (première occurrence jusqu'à `fin_recurrence`, ou "
            "sans fin) peut l'atteindre. Les occurrences ne sont pas dépliées (voir "
            "`/ressources/{id}/planning`)."
        ),
        responses={200: DisponibiliteSerializer(many=True), **erreurs(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Lire une période",
        responses={200: DisponibiliteSerializer, **erreurs(401, 404)},
    ),
    create=extend_schema(
        summary="Créer une période (manager, admin, gerer_ressources)",
        parameters=[_PARAM_ANNULER_CONFLITS],
        request=DisponibiliteSerializer,
        responses={201: DisponibiliteEnregistreeSerializer, **_REPONSES_ECRITURE},
        examples=[
            OpenApiExample(
                "Maintenance chaque jour de 9 h à 10 h",
                value={
                    "ressource_id": 3,
                    "type_disponibilite": "maintenance",
                    "debut": "2027-03-01T09:00:00+01:00",
                    "fin": "2027-03-01T10:00:00+01:00",
                    "raison_indisponibilite": "Nettoyage",
                    "recurrence": "quotidien",
                    "fin_recurrence": "2027-12-31",
                },
                request_only=True,
            ),
            _EXEMPLE_CONFLIT,
        ],
    ),
    update=extend_schema(
        summary="Modifier une période (partiel)",
        parameters=[_PARAM_ANNULER_CONFLITS],
        request=DisponibiliteSerializer,
        responses={200: DisponibiliteEnregistreeSerializer, **_REPONSES_ECRITURE, **erreurs(404)},
    ),
    partial_update=extend_schema(
        summary="Modifier une période (partiel)",
        parameters=[_PARAM_ANNULER_CONFLITS],
        request=DisponibiliteSerializer,
        responses={200: DisponibiliteEnregistreeSerializer, **_REPONSES_ECRITURE, **erreurs(404)},
    ),
    destroy=extend_schema(
        summary="Supprimer une période",
        responses={200: OK, **erreurs(401, 403, 404)},
    ),
)
@extend_schema(tags=["disponibilites"])
class DisponibiliteViewSet(viewsets.ModelViewSet):
    queryset = ResourceAvailability.objects.select_related("ressource")
    serializer_class = DisponibiliteSerializer
    pagination_class = ItemsMetaPagination
    filterset_class = DisponibiliteFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [IsAuthenticated()]
        return [IsAuthenticated(), PeutGererRessources(), SurLesSitesDeLaPeriode()]

    def create(self, request):
        return self._enregistrer(None, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=True):
        return self._enregistrer(self.get_object(), status.HTTP_200_OK)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)

    def destroy(self, request, pk=None):
        services.supprimer_disponibilite(self.get_object(), par=request.user)
        return Response({"ok": True})

    def _enregistrer(self, periode, code):
        annuler_conflits = parametre_booleen(self.request, "annuler_conflits")
        entree = DisponibiliteSerializer(
            periode, data=self.request.data, partial=periode is not None
        )
        entree.is_valid(raise_exception=True)
        if "ressource" in entree.validated_data:
            exiger_site(
                self.request.user,
                entree.validated_data["ressource"].site_id,
                autorisation=Autorisation.GERER_RESSOURCES,
            )
        periode, annulees = services.enregistrer_disponibilite(
            periode,
            par=self.request.user,
            annuler_conflits=annuler_conflits,
            **entree.validated_data,
        )
        sortie = DisponibiliteSerializer(periode).data
        return Response({**sortie, "reservations_annulees": annulees}, status=code)
