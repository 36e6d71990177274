from django.apps import AppConfig


class TachesConfig(AppConfig):
    name = "taches"
    verbose_name = "Travaux de fond"

    def ready(self):
        from . import purge  # noqa: F401  (registers its periodic job)
