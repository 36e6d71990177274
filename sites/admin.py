"""Back-office for sites and their departments (``ressources.admin`` lists the ressources
under their site)."""

from django.contrib import admin
from django.db.models import Count

from resa_project.admin import ServicesAdminMixin
from resa_project.admin_services import EcrituresParServicesMixin

from . import services
from .models import Department, Site


class DepartmentInline(admin.TabularInline):
    model = Department
    fields = ("nom", "manager", "budget_annuel")
    autocomplete_fields = ("manager",)
    extra = 0
    show_change_link = True


@admin.register(Site)
class SiteAdmin(EcrituresParServicesMixin, ServicesAdminMixin, admin.ModelAdmin):
    service_creer = staticmethod(services.creer_site)
    service_modifier = staticmethod(services.modifier_site)
    service_supprimer = staticmethod(services.supprimer_site)
    list_display = (
        "nom",
        "adresse",
        "horaires_ouverture",
        "horaires_fermeture",
        "nombre_ressources",
        "nombre_departments",
    )
    search_fields = ("nom", "adresse")
    ordering = ("nom",)
    inlines = (DepartmentInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                nb_ressources=Count("ressources", distinct=True),
                nb_departments=Count("departments", distinct=True),
            )
        )

    @admin.display(description="ressources", ordering="nb_ressources")
    def nombre_ressources(self, site):
        return site.nb_ressources

    @admin.display(description="départements", ordering="nb_departments")
    def nombre_departments(self, site):
        return site.nb_departments


@admin.register(Department)
class DepartmentAdmin(EcrituresParServicesMixin, ServicesAdminMixin, admin.ModelAdmin):
    service_creer = staticmethod(services.creer_departement)
    service_modifier = staticmethod(services.modifier_departement)
    service_supprimer = staticmethod(services.supprimer_departement)
    list_display = ("nom", "site", "manager", "budget_annuel", "nombre_membres")
    list_filter = ("site",)
    list_select_related = ("site", "manager")
    search_fields = ("nom", "site__nom", "manager__nom_prenom", "manager__email")
    autocomplete_fields = ("site", "manager")
    ordering = ("site__nom", "nom")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(nb_membres=Count("membres"))

    @admin.display(description="membres", ordering="nb_membres")
    def nombre_membres(self, department):
        return department.nb_membres
