from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "Sites et départements"

    def ready(self):
        from . import signaux  # noqa: F401  (keeps the lists' memos true)
