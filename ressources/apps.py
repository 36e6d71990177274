from django.apps import AppConfig


class RessourcesConfig(AppConfig):
    name = "ressources"
    verbose_name = "Ressources"

    def ready(self):
        from . import signaux  # noqa: F401  (connects the site-rename receiver)
