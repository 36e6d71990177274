"""``/reservations`` and ``/disponibilites``: thin viewsets over ``services`` and
``selectors``. Visibility comes from ``get_queryset`` (404 for what the caller may not see);
who may act is a permission (403); whether the action is possible now is the service's
answer (409)."""

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.functions import Coalesce
from django_filters.utils import translate_validation
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import Autorisation
from accounts.permissions import IsAdmin, IsManagerOrAdmin
from resa_project.pagination import ItemsMetaPagination
from resa_project.parametres import parametre_booleen, tri_applique
from resa_project.requetes import RequeteParForme
from sites.permissions import exiger_site

from . import alternatives, journal, openapi, regles, services
from .filters import TRIS, DisponibiliteFilter, ReservationFilter
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
from .selectors import reservations_visibles, total_reservations
from .serializers import (
    COLONNES_LISTE,
    DisponibiliteSerializer,
    EvenementSerializer,
    ReservationCreationSerializer,
    ReservationModificationSerializer,
    ReservationSerializer,
    lignes_liste,
)


class _LignesBrutes:
    """The list's queryset as the paginator reads it: ``count()`` as is, a slice run on the
    cursor and returned as the driver's tuples of ``COLONNES_LISTE``: no ORM converter per
    value, no model instance (``lignes_liste`` reads the driver's naive datetimes itself).

    ``forme``: for a list of all reservations filtered at most by ``statut`` (an admin's),
    ``(statuts, sort_by, sort_order)``; its SQL is then compiled once per process and shape
    (``_PAGE_ADMIN``) from the same queryset with placeholder statuts, and run with the
    request's ones."""

    def __init__(self, fabrique, forme=None):
        self._fabrique, self._queryset, self.forme = fabrique, None, forme

    @property
    def queryset(self):
        if self._queryset is None:
            self._queryset = self._fabrique()
        return self._queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, tranche):
        if self.forme is not None:
            statuts, sort_by, sort_order = self.forme
            return _PAGE_ADMIN.lignes(
                (sort_by, sort_order, tranche.start, tranche.stop),
                *statuts,
                using=router.db_for_read(Reservation),
            )
        page = self.queryset[tranche].values_list(*COLONNES_LISTE)
        try:
            sql, params = page.query.sql_with_params()
        except EmptyResultSet:
            return []
        with connections[page.db].cursor() as curseur:
            curseur.execute(sql, params)
            return curseur.fetchall()


def _queryset_admin(statuts, sort_by, sort_order):
    """What ``ReservationFilter`` builds for an admin's list filtered at most by ``statut``
    (``test_liste_rapide`` compares their SQL)."""
    queryset = Reservation.objects.all()
    if statuts:
        queryset = queryset.filter(statut__in=statuts)
    signe = "-" if sort_order == "desc" else ""
    return queryset.order_by(f"{signe}{TRIS[sort_by]}", f"{signe}id")


# An admin's page: one compiled query per (order, slice, number of statuts).
_PAGE_ADMIN = RequeteParForme(
    lambda forme, *statuts: _queryset_admin(statuts, forme[0], forme[1])[
        forme[2] : forme[3]
    ].values_list(*COLONNES_LISTE),
    convertir=False,
)


def _trier_sans_index(queryset, filtres):
    """The same order, on an expression no index provides: what others than admins see is
    a few hundred rows (their own, their departments', their queue), found through the
    indexes on ``user``/``createur``; sorted on the column, PostgreSQL instead walks the
    index on ``debut`` and filters (45,000 rows read for an employee's first page)."""
    sort_by, sort_order = filtres.tri()
    cle = Coalesce(filtres.tris[sort_by], filtres.tris[sort_by])
    if sort_order == "desc":
        return queryset.order_by(cle.desc(), "-id")
    return queryset.order_by(cle.asc(), "id")


# Filters after which an admin's total is the counter's (``statut`` is read from it).
_FILTRES_SANS_EFFET_SUR_LE_TOTAL = frozenset({"statut", "sort_by", "sort_order"})


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

    def list(self, request):
        # Rows as tuples, shaped by ``lignes_liste``: no model instance per row.
        filtres = self._filtres_liste()
        forme = None
        if self._sans_autre_filtre_que_statut(filtres):
            statuts = tuple(dict.fromkeys(filtres.form.cleaned_data.get("statut") or ()))
            forme = (statuts, *filtres.tri())
        lignes = _LignesBrutes(lambda: self._trier(filtres.qs, filtres), forme)
        page = self.paginate_queryset(lignes)
        zone_base = connections[router.db_for_read(Reservation)].timezone
        return self.get_paginated_response(lignes_liste(page, zone_base=zone_base))

    def _filtres_liste(self):
        filtres = self.filterset_class(
            data=self.request.query_params, queryset=self.get_queryset(), request=self.request
        )
        if not filtres.is_valid():
            raise translate_validation(filtres.errors)
        self.filterset_applique = filtres  # what tri_applique() reads back for meta
        return filtres

    def _sans_autre_filtre_que_statut(self, filtres) -> bool:
        """A list of every reservation (an admin's: what they see is not filtered), filtered
        at most by ``statut``, sorting aside."""
        return not filtres.queryset.query.where and all(
            valeur in (None, "", [])
            for nom, valeur in filtres.form.cleaned_data.items()
            if nom not in _FILTRES_SANS_EFFET_SUR_LE_TOTAL
        )

    def _trier(self, queryset, filtres):
        if self.request.user.est_admin:
            return queryset
        return _trier_sans_index(queryset, filtres)

    def compter_total(self, lignes) -> int:
        """``meta.total``, exact. An admin's list filtered at most by ``statut`` is every
        reservation (of those statuts): the counter kept by triggers answers without
        counting 200,000 rows (``selectors.total_reservations``). Anything else counts."""
        if lignes.forme is not None:
            total = total_reservations(lignes.forme[0] or None)
            if total is not None:
                return total
        return lignes.count()

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
