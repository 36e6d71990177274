"""``/reservations`` and ``/disponibilites``: thin viewsets over ``services`` and
``selectors``. Visibility comes from ``get_queryset`` (404 for what the caller may not see);
who may act is a permission (403); whether the action is possible now is the service's
answer (409)."""

from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Autorisation
from accounts.permissions import IsAdmin, IsManagerOrAdmin
from resa_project.pagination import ItemsMetaPagination
from resa_project.parametres import parametre_booleen, tri_applique
from sites.permissions import exiger_site

from . import alternatives, journal, openapi, regles, services
from .filters import DisponibiliteFilter, ReservationFilter
from .models import Reservation, ResourceAvailability
from .permissions import (
    DansSaFileDeValidation,
    EstTitulaireOuGestionnaire,
    PeutConfirmer,
    PeutGererRessources,
    PeutReserverPourAutrui,
    PeutSignalerArrivee,
    SurLesSitesDeLaPeriode,
)
from .selectors import reservations_visibles
from .serializers import (
    DisponibiliteSerializer,
    EvenementSerializer,
    ReservationCreationSerializer,
    ReservationModificationSerializer,
    ReservationSerializer,
)


@openapi.reservations
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
        "checkin": [IsAuthenticated, PeutSignalerArrivee],
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
        champs = entree.validated_data
        try:
            reservation = services.reserver(par=request.user, **champs)
        except regles.ConflitReservation as exc:
            # The slot is taken: the 409 also offers what could be booked instead (C7).
            exc.donnees["alternatives"] = alternatives.pour_creneau(
                champs["ressource"],
                champs["debut"],
                champs["fin"],
                nbr_participants=champs.get("nbr_participants", 1),
                admin=request.user.est_admin,
            )
            raise
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

    @openapi.HISTORIQUE
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def historique(self, request, pk=None):
        evenements = journal.historique(self.get_object())
        return Response(EvenementSerializer(evenements, many=True).data)

    @openapi.ANNULER
    @action(detail=True, methods=["post"])
    def annuler(self, request, pk=None):
        return self._changer(services.annuler)

    @openapi.CONFIRMER
    @action(detail=True, methods=["post"])
    def confirmer(self, request, pk=None):
        return self._changer(services.confirmer)

    @openapi.TERMINER
    @action(detail=True, methods=["post"])
    def terminer(self, request, pk=None):
        return self._changer(services.terminer)

    @openapi.NON_PRESENT
    @action(detail=True, methods=["post"], url_path="non-present")
    def non_present(self, request, pk=None):
        return self._changer(services.marquer_non_present)

    @openapi.CHECKIN
    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        return self._changer(services.signaler_arrivee)

    def _changer(self, service):
        reservation = service(self.get_object(), par=self.request.user)
        return Response(ReservationSerializer(reservation).data)


@openapi.disponibilites
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
