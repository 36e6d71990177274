from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
# DRF's constructor turns any truthy ``trailing_slash`` into "/": set the optional slash after.
router.trailing_slash = "/?"
router.register("users", views.UserViewSet, basename="user")

urlpatterns = [
    re_path(r"^auth/register/?$", views.InscriptionView.as_view(), name="auth-register"),
    re_path(r"^auth/login/?$", views.ConnexionView.as_view(), name="auth-login"),
    re_path(r"^auth/logout/?$", views.DeconnexionView.as_view(), name="auth-logout"),
    re_path(r"^auth/me/?$", views.MoiView.as_view(), name="auth-me"),
    re_path(
        r"^auth/me/preferences/?$", views.PreferencesView.as_view(), name="auth-me-preferences"
    ),
    *router.urls,
]
