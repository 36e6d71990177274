"""Routes of ``/ressources``, with and without trailing slash.

``SimpleRouter`` registers the list-level actions (``ressources/disponibles``) before the
detail route, and the detail routes only match digits.
"""

from rest_framework.routers import SimpleRouter

from .views import RessourceViewSet

router = SimpleRouter()
# DRF's constructor turns any truthy ``trailing_slash`` into "/": set the optional slash after.
router.trailing_slash = "/?"
router.register("ressources", RessourceViewSet, basename="ressource")

urlpatterns = router.urls
