"""OpenAPI decoration of ``calendriers.views`` (the feeds themselves are plain Django views,
described in the README)."""

from drf_spectacular.utils import extend_schema

from resa_project.schema import OK, erreurs

from .serializers import AdresseFluxSerializer, EtatFluxSerializer

ETAT = extend_schema(
    tags=["auth"],
    summary="État de mon flux de calendrier",
    description="`actif` : une adresse de flux existe ; `date_creation` : quand elle a été créée.",
    responses={200: EtatFluxSerializer, **erreurs(401)},
)

CREER = extend_schema(
    tags=["auth"],
    summary="Créer (ou remplacer) mon flux de calendrier",
    description=(
        "Crée l'adresse secrète du flux ICS de mes réservations (bénéficiaire ou créateur, "
        "de 90 jours avant à 365 jours après aujourd'hui). L'adresse n'est montrée que dans "
        "cette réponse (seule son empreinte est conservée) ; en créer une nouvelle rend "
        "l'ancienne inutilisable aussitôt. `/calendrier/<secret>/ressources/<id>.ics` donne "
        "l'occupation d'une ressource avec le même secret."
    ),
    request=None,
    responses={201: AdresseFluxSerializer, **erreurs(401)},
)

REVOQUER = extend_schema(
    tags=["auth"],
    summary="Révoquer mon flux de calendrier",
    description="L'adresse du flux cesse de fonctionner (404) immédiatement.",
    request=None,
    responses={200: OK, **erreurs(401)},
)
