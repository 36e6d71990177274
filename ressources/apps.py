from django.apps import AppConfig


class RessourcesConfig(AppConfig):
    name = "ressources"
    verbose_name = "Ressources"
