from rest_framework.routers import SimpleRouter

from .views import DisponibiliteViewSet, ReservationViewSet

router = SimpleRouter(trailing_slash="/?")
router.register("reservations", ReservationViewSet, basename="reservation")
router.register("disponibilites", DisponibiliteViewSet, basename="disponibilite")

urlpatterns = router.urls
