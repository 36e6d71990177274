"""``/reservations/series`` and ``/reservations/import`` (API.md C7): thin views over
``series`` and ``import_ics``. Visibility comes from ``series_visibles`` (404 for a series
the caller may not see), who may act from the permissions (403), the rest from the
services: a series refused as a whole is their ``SerieRefusee`` (409), whose body is the
report."""

from django import forms
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from resa_project.parametres import MSG_CHOIX, BooleenField, IdField, parametre_booleen
from ressources.models import Ressource

from . import import_ics, openapi_series, series
from .models import ModeSerie, OrigineSerie, Serie
from .parsers import CalendrierParser
from .permissions import EstTitulaireOuGestionnaire, PeutReserverPourAutrui
from .selectors import reservations_visibles, series_visibles
from .serializers import MSG_RESSOURCE_INCONNUE, ReservationSerializer
from .serializers_series import (
    AnnulationSerieSerializer,
    RapportSerializer,
    SerieCreationSerializer,
    SerieSerializer,
    recurrence_api,
)

MSG_FICHIER_MANQUANT = (
    "Envoyez le calendrier (.ics) comme corps de la requête (Content-Type: text/calendar) "
    "ou dans le champ fichier d'un formulaire multipart."
)


def repondre(rapport_de, *, simulation: bool) -> Response:
    """Run ``rapport_de()`` (a ``series.reserver_serie``) and answer its report: 201 once
    stored, 200 for a simulation; a series refused as a whole leaves as its 409 with the
    report in the body."""
    try:
        rapport = rapport_de()
    except series.SerieRefusee as exc:
        exc.donnees = RapportSerializer(exc.rapport).data
        raise
    code = status.HTTP_200_OK if simulation else status.HTTP_201_CREATED
    return Response(RapportSerializer(rapport).data, status=code)


@openapi_series.series
class SerieViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SerieSerializer
    lookup_value_regex = r"[0-9]+"
    pagination_class = None
    filterset_class = None
    permissions_par_action = {
        "create": [IsAuthenticated, PeutReserverPourAutrui],
        "annuler": [IsAuthenticated, EstTitulaireOuGestionnaire],
    }

    def get_permissions(self):
        return [p() for p in self.permissions_par_action.get(self.action, [IsAuthenticated])]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Serie.objects.none()
        return series_visibles(self.request.user)

    def create(self, request):
        simulation = parametre_booleen(request, "simulation")
        entree = SerieCreationSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        champs = dict(entree.validated_data)
        regle, mode = champs.pop("recurrence"), champs.pop("mode")
        creneaux = series.creneaux_de_la_regle(champs["debut"], champs["fin"], **regle)
        for champ in ("debut", "fin"):
            del champs[champ]
        return repondre(
            lambda: series.reserver_serie(
                par=request.user,
                creneaux=creneaux,
                recurrence=recurrence_api(regle, creneaux[0].debut),
                origine=OrigineSerie.RECURRENCE,
                mode=mode,
                simulation=simulation,
                **champs,
            ),
            simulation=simulation,
        )

    def retrieve(self, request, pk=None):
        serie = self.get_object()
        reservations = (
            reservations_visibles(request.user).filter(serie=serie).order_by("debut", "pk")
        )
        return Response(
            {
                "serie": SerieSerializer(serie).data,
                "reservations": ReservationSerializer(reservations, many=True).data,
            }
        )

    @openapi_series.ANNULER_SERIE
    @action(detail=True, methods=["post"])
    def annuler(self, request, pk=None):
        serie = self.get_object()
        entree = AnnulationSerieSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        a_partir_du = entree.validated_data.get("a_partir_du") or timezone.localdate()
        resultat = series.annuler_serie(
            serie,
            par=request.user,
            a_partir_du=a_partir_du,
            reservations=list(reservations_visibles(request.user).filter(serie=serie)),
        )
        return Response({"annulees": resultat.annulees, "refusees": resultat.refusees})


class ParametresImport(forms.Form):
    ressource_id = IdField()
    mode = forms.ChoiceField(
        choices=ModeSerie.choices,
        required=False,
        error_messages={
            "invalid_choice": MSG_CHOIX.format(nom="mode", choix=", ".join(ModeSerie.values))
        },
    )
    simulation = BooleenField(required=False)

    def clean_ressource_id(self):
        pk = self.cleaned_data["ressource_id"]
        ressource = Ressource.objects.select_related("site").filter(pk=pk).first()
        if ressource is None:
            raise forms.ValidationError(MSG_RESSOURCE_INCONNUE.format(pk_value=pk))
        return ressource


@openapi_series.IMPORT
class ImportCalendrierView(APIView):
    """POST /reservations/import: the events of an iCalendar file booked as one series."""

    parser_classes = [CalendrierParser, MultiPartParser]

    def post(self, request):
        parametres = ParametresImport(request.query_params)
        if not parametres.is_valid():
            raise serializers.ValidationError(
                {nom: list(messages) for nom, messages in parametres.errors.items()}
            )
        simulation = bool(parametres.cleaned_data.get("simulation"))
        creneaux = import_ics.creneaux_du_fichier(self._fichier(request))
        return repondre(
            lambda: series.reserver_serie(
                par=request.user,
                ressource=parametres.cleaned_data["ressource_id"],
                creneaux=creneaux,
                origine=OrigineSerie.IMPORT,
                mode=parametres.cleaned_data.get("mode") or ModeSerie.TOUT_OU_RIEN,
                simulation=simulation,
            ),
            simulation=simulation,
        )

    def _fichier(self, request) -> bytes:
        if isinstance(request.data, bytes):
            return request.data
        fichier = request.FILES.get("fichier")
        if fichier is None:
            raise serializers.ValidationError({"fichier": [MSG_FICHIER_MANQUANT]})
        if fichier.size > import_ics.TAILLE_MAX:
            raise import_ics.FichierTropVolumineux
        return fichier.read(import_ics.TAILLE_MAX + 1)
