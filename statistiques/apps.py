from django.apps import AppConfig


class StatistiquesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "statistiques"
    verbose_name = "Statistiques"
