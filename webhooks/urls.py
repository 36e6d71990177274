"""Routes of ``/webhooks``, with and without trailing slash."""

from rest_framework.routers import SimpleRouter

from .views import AbonnementViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy ``trailing_slash`` into "/": set the optional slash after.
router.trailing_slash = "/?"
router.register("webhooks", AbonnementViewSet, basename="webhook")

urlpatterns = router.urls
