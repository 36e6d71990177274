from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
# DRF's constructor turns any truthy ``trailing_slash`` into "/": set the optional slash after.
router.trailing_slash = "/?"
router.register("sites", views.SiteViewSet, basename="site")
router.register("departments", views.DepartmentViewSet, basename="department")

urlpatterns = router.urls
