from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^statistiques/?$", views.StatistiquesView.as_view(), name="statistiques"),
    re_path(
        r"^statistiques/occupation-horaire/?$",
        views.OccupationHoraireView.as_view(),
        name="statistiques-occupation-horaire",
    ),
    re_path(
        r"^statistiques/rapport\.pdf$", views.RapportView.as_view(), name="statistiques-rapport"
    ),
    re_path(
        r"^reservations/export\.csv$",
        views.ExportReservationsView.as_view(),
        name="reservation-export",
    ),
]
