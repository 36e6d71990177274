from django.conf import settings
from django.db import models


class FluxCalendrier(models.Model):
    """The secret address of a user's calendar feed (API.md C5). Only a SHA-256 of the
    secret is stored: the address is shown once, when it is made; replacing it or revoking
    it makes the old one stop working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flux_calendrier",
        verbose_name="utilisateur",
    )
    empreinte = models.CharField("empreinte du secret", max_length=64, unique=True)
    date_creation = models.DateTimeField("date de création", auto_now_add=True)

    class Meta:
        verbose_name = "flux de calendrier"
        verbose_name_plural = "flux de calendrier"
        ordering = ["-date_creation"]

    def __str__(self):
        return f"Flux de calendrier de {self.user}"
