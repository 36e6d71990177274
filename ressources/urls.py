"""Routes of the caller's favourites, with and without trailing slash."""

from django.urls import re_path

from .views_favoris import FavorisView, FavoriView

urlpatterns = [
    re_path(r"^auth/me/favoris/?$", FavorisView.as_view(), name="auth-me-favoris"),
    re_path(
        r"^auth/me/favoris/(?P<ressource_id>[0-9]{1,30})/?$",
        FavoriView.as_view(),
        name="auth-me-favori",
    ),
]
