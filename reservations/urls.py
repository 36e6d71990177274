"""Routes of ``/reservations`` and ``/disponibilites``, with and without trailing slash."""

from rest_framework.routers import SimpleRouter

from .views import DisponibiliteViewSet, ReservationViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy ``trailing_slash`` into "/": set the optional slash after.
router.trailing_slash = "/?"
router.register("reservations", ReservationViewSet, basename="reservation")
router.register("disponibilites", DisponibiliteViewSet, basename="disponibilite")

urlpatterns = router.urls
