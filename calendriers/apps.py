from django.apps import AppConfig


class CalendriersConfig(AppConfig):
    name = "calendriers"
    verbose_name = "Calendriers"
