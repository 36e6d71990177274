import os

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularJSONAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

admin.site.site_header = "Resa — back-office"
admin.site.site_title = "Resa"
admin.site.index_title = "Administration"

handler400 = "resa_project.exceptions.requete_invalide"
handler404 = "resa_project.exceptions.page_introuvable"
handler500 = "resa_project.exceptions.erreur_serveur"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path(
        "redoc",
        # Same page as drf-spectacular's, without the Google Fonts links (works offline).
        SpectacularRedocView.as_view(url_name="schema", template_name="docs/redoc.html"),
        name="redoc",
    ),
    path("", include("accounts.urls")),
    path("", include("ressources.urls")),
    path("", include("sites.urls")),
    path("", include("reservations.urls")),
    path("", include("calendriers.urls")),
    path("", include("webhooks.urls")),
    path("", include("statistiques.urls")),
]

if os.environ.get("RESA_BENCH") == "1":  # bench/run.sh only: the bare DRF view to compare with
    from resa_project.bench_view import VueNue

    # First, so that resolving its path costs what it costs the shortest of the API's.
    urlpatterns.insert(0, path("bench/vide", VueNue.as_view()))
