"""``/statistiques`` (API.md C8) and ``/reservations/export.csv``: thin views over
``selectors``; managers and admins only for the statistics."""

from dataclasses import replace
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, mixins
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsManagerOrAdmin
from reservations.filters import ReservationFilter
from reservations.models import Reservation
from reservations.selectors import reservations_visibles
from ressources.models import TypeRessource
from sites.models import Site
from sites.portee import departements_geres

from . import openapi, rapport, selectors
from .export import COLONNES, lignes_export
from .parametres import PeriodeForm, lire_demande
from .tableur import reponse_csv


class CSVRenderer(BaseRenderer):
    """Lets ``?format=csv`` and ``Accept: text/csv`` through content negotiation; the view
    streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PDFRenderer(CSVRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None


class ErreursEnJSON:
    """Errors are JSON (API.md "Conventions") even when the request asked for CSV or PDF."""

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class VueStatistiques(ErreursEnJSON, APIView):
    permission_classes = [IsAuthenticated, IsManagerOrAdmin]
    renderer_classes = [JSONRenderer]


@openapi.STATISTIQUES
class StatistiquesView(VueStatistiques):
    renderer_classes = [JSONRenderer, CSVRenderer]

    def get(self, request):
        demande = lire_demande(request)
        resultat = selectors.statistiques(demande)
        if request.accepted_renderer.format == "csv":
            temps = demande.grouper_par in selectors.GROUPEMENTS_TEMPS
            entete = (["date"] if temps else ["id", "nom"]) + selectors.CHIFFRES
            lignes = (
                (
                    [ligne["cle"]["date"].isoformat()]
                    if temps
                    else [ligne["cle"]["id"], ligne["cle"]["nom"]]
                )
                + [ligne[chiffre] for chiffre in selectors.CHIFFRES]
                for ligne in resultat["lignes"]
            )
            nom = f"statistiques_{demande.grouper_par}_{demande.du}_{demande.au}.csv"
            return reponse_csv(entete, lignes, nom)
        return Response(resultat)


@openapi.OCCUPATION_HORAIRE
class OccupationHoraireView(VueStatistiques):
    def get(self, request):
        demande = lire_demande(request, PeriodeForm)
        return Response(selectors.occupation_horaire(demande))


@openapi.RAPPORT
class RapportView(VueStatistiques):
    renderer_classes = [JSONRenderer, PDFRenderer]

    def get(self, request):
        demande = lire_demande(request, PeriodeForm)
        user = request.user
        par_departement = not user.est_admin or demande.site_id is not None
        groupe = "department" if par_departement else "site"
        total = selectors.statistiques(replace(demande, grouper_par="site"))["total"]
        par_groupe = selectors.statistiques(replace(demande, grouper_par=groupe))["lignes"]
        ressources = selectors.statistiques(replace(demande, grouper_par="ressource"))["lignes"]
        contenu = rapport.rendre(
            periode=f"du {demande.du:%d/%m/%Y} au {demande.au:%d/%m/%Y}",
            portee=escape(_portee(user, demande)),
            total=total,
            par_groupe=par_groupe,
            titre_groupe="Taux d'occupation par "
            + ("département (%)" if par_departement else "site (%)"),
            horaire=selectors.occupation_horaire(demande),
            ressources=ressources,
        )
        reponse = HttpResponse(contenu, content_type="application/pdf")
        reponse["Content-Disposition"] = f'inline; filename="rapport_{demande.du}_{demande.au}.pdf"'
        return reponse


def _portee(user, demande) -> str:
    morceaux = []
    if user.est_admin:
        morceaux.append("toute l'organisation")
    else:
        noms = ", ".join(departements_geres(user).values_list("nom", flat=True))
        morceaux.append(f"réservations des départements gérés ({noms or 'aucun'})")
    if demande.site_id is not None:
        nom = Site.objects.filter(pk=demande.site_id).values_list("nom", flat=True).first()
        morceaux.append(f"site : {nom or demande.site_id}")
    if demande.type_of_ressource:
        morceaux.append(f"type : {TypeRessource(demande.type_of_ressource).label}")
    return " ; ".join(morceaux)


@openapi.EXPORT
class ExportReservationsView(ErreursEnJSON, mixins.ListModelMixin, generics.GenericAPIView):
    """Every reservation the caller may see that matches the list's filters, unpaginated."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = ReservationFilter
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reservation.objects.none()
        return reservations_visibles(self.request.user)

    def get(self, request):
        reservations = self.filter_queryset(self.get_queryset())
        return reponse_csv(COLONNES, lignes_export(reservations), "reservations.csv")
