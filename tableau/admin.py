"""Hooks the dashboard into the admin site: the index gets the dashboard's figures and the
planning pages are served under ``/admin/tableau/`` (``admin:tableau_planning_site``,
``admin:tableau_planning_ressource``), behind ``admin_view`` like every admin page."""

from django.contrib import admin
from django.urls import path

from . import selectors, views


def installer(site: admin.AdminSite) -> None:
    """Add the pages to ``site`` (the project keeps Django's default ``admin.site``)."""
    urls_d_origine = site.get_urls
    index_d_origine = site.index

    def get_urls():
        return [
            path(
                "tableau/planning/site/<int:pk>/",
                site.admin_view(views.planning_site),
                name="tableau_planning_site",
            ),
            path(
                "tableau/planning/ressource/<int:pk>/",
                site.admin_view(views.planning_ressource),
                name="tableau_planning_ressource",
            ),
            *urls_d_origine(),
        ]

    def index(request, extra_context=None):
        contexte = {"tableau": selectors.tableau_de_bord(), **(extra_context or {})}
        return index_d_origine(request, extra_context=contexte)

    site.get_urls = get_urls
    site.index = index


installer(admin.site)
