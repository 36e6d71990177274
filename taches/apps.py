from django.apps import AppConfig


class TachesConfig(AppConfig):
    name = "taches"
    verbose_name = "Travaux de fond"
