from django.apps import AppConfig


class TableauConfig(AppConfig):
    name = "tableau"
    verbose_name = "Tableau de bord"
