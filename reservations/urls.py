"""Routes of ``/ressources``, ``/reservations`` and ``/disponibilites``, with and without
trailing slash.

``SimpleRouter`` registers the list-level actions (``ressources/disponibles``) before the
detail route, and the detail routes only match digits.
"""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .views import DisponibiliteViewSet, ReservationViewSet
from .views_ressources import RessourceAvecOccupationViewSet
from .views_series import ImportCalendrierView, SerieViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy ``trailing_slash`` into "/": set the optional slash after.
router.trailing_slash = "/?"
router.register("ressources", RessourceAvecOccupationViewSet, basename="ressource")
# Before ``reservations``, whose detail route would take "series" for an id.
router.register("reservations/series", SerieViewSet, basename="serie")
router.register("reservations", ReservationViewSet, basename="reservation")
router.register("disponibilites", DisponibiliteViewSet, basename="disponibilite")

urlpatterns = [
    re_path(r"^reservations/import/?$", ImportCalendrierView.as_view(), name="reservation-import"),
    *router.urls,
]
