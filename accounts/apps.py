from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from . import signaux  # noqa: F401  (connects the receivers that keep the memos true)
