"""``/auth/me/calendrier`` (the caller's feed address) and the feeds themselves,
``/calendrier/<secret>.ics`` and ``/calendrier/<secret>/ressources/<id>.ics`` (API.md C5).

The feeds are plain Django views: calendar clients send no credentials but the secret in
the address, and expect ``text/calendar`` whatever their ``Accept`` says. They answer with
an ``ETag`` (a hash of the body, which is stable while nothing changes) and
``Last-Modified``, and honour ``If-None-Match`` / ``If-Modified-Since`` with a 304.
"""

import hashlib
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from rest_framework import generics, status
from rest_framework.response import Response

from resa_project.parametres import ID_MAX
from reservations import ics
from ressources.models import Ressource

from . import flux, openapi, services
from .serializers import AdresseFluxSerializer, EtatFluxSerializer

MSG_FLUX_INTROUVABLE = "Flux de calendrier introuvable (adresse inconnue ou révoquée)."
MSG_RESSOURCE_INTROUVABLE = "Ressource introuvable."


def _base(request) -> str:
    if settings.RESA_URL:
        return ics.url_base()
    return request.build_absolute_uri("/").rstrip("/")


def adresses(request, secret: str) -> dict:
    url = f"{_base(request)}/calendrier/{secret}.ics"
    morceaux = urlsplit(url)
    return {"url": url, "webcal": urlunsplit(("webcal", *morceaux[1:]))}


class MonCalendrierView(generics.GenericAPIView):
    serializer_class = EtatFluxSerializer

    @openapi.ETAT
    def get(self, request):
        actuel = getattr(request.user, "flux_calendrier", None)
        return Response(
            {
                "actif": actuel is not None,
                "date_creation": actuel.date_creation if actuel else None,
            }
        )

    @openapi.CREER
    def post(self, request):
        secret = services.creer_flux(request.user, par=request.user)
        corps = AdresseFluxSerializer(adresses(request, secret)).data
        return Response(corps, status=status.HTTP_201_CREATED)

    @openapi.REVOQUER
    def delete(self, request):
        services.revoquer_flux(request.user, par=request.user)
        return Response({"ok": True})


def _introuvable(message):
    return JsonResponse({"detail": message, "code": "introuvable"}, status=404)


def _repondre(request, corps: bytes, derniere_modification, nom_fichier: str):
    etag = f'"{hashlib.sha256(corps).hexdigest()[:32]}"'
    horodatage = int(derniere_modification.timestamp()) if derniere_modification else None
    response = get_conditional_response(request, etag=etag, last_modified=horodatage)
    if response is None:
        response = HttpResponse(corps, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{nom_fichier}"'
    response["ETag"] = etag
    if horodatage is not None:
        response["Last-Modified"] = http_date(horodatage)
    # Calendar clients revalidate at each poll (a 304 costs nothing); the secret in the
    # address never leaks through a Referer.
    response["Cache-Control"] = "private, no-cache"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def flux_personnel(request, secret):
    abonnement = services.flux_du_secret(secret)
    if abonnement is None:
        return _introuvable(MSG_FLUX_INTROUVABLE)
    corps, modifie = flux.flux_personnel(abonnement.user)
    return _repondre(request, corps, modifie or abonnement.date_creation, "resa.ics")


@require_safe
def flux_ressource(request, secret, ressource_id):
    abonnement = services.flux_du_secret(secret)
    if abonnement is None:
        return _introuvable(MSG_FLUX_INTROUVABLE)
    ressource = (
        Ressource.objects.filter(pk=int(ressource_id)).first()
        if int(ressource_id) <= ID_MAX
        else None
    )
    if ressource is None:
        return _introuvable(MSG_RESSOURCE_INTROUVABLE)
    corps, modifie = flux.flux_ressource(ressource)
    return _repondre(
        request, corps, modifie or abonnement.date_creation, f"ressource-{ressource.pk}.ics"
    )
