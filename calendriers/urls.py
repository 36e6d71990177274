from django.urls import re_path

from . import views

SECRET = r"(?P<secret>[A-Za-z0-9_-]{20,100})"

urlpatterns = [
    re_path(r"^auth/me/calendrier/?$", views.MonCalendrierView.as_view(), name="auth-calendrier"),
    re_path(rf"^calendrier/{SECRET}\.ics$", views.flux_personnel, name="flux-personnel"),
    re_path(
        rf"^calendrier/{SECRET}/ressources/(?P<ressource_id>[0-9]{{1,20}})\.ics$",
        views.flux_ressource,
        name="flux-ressource",
    ),
]
