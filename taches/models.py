from django.db import models


class Horloge(models.Model):
    """When each periodic job ran last and is due next: the row a worker claims (one
    conditional UPDATE) before running the job, so that several workers run it once."""

    nom = models.CharField("nom", max_length=100, primary_key=True)
    prochaine_le = models.DateTimeField("prochaine exécution")
    derniere_le = models.DateTimeField("dernière exécution", null=True, blank=True)
    dernier_resultat = models.PositiveIntegerField("effets de la dernière exécution", default=0)
    derniere_erreur = models.TextField("dernière erreur", blank=True, default="")

    class Meta:
        verbose_name = "tâche périodique"
        verbose_name_plural = "tâches périodiques"
        ordering = ["nom"]

    def __str__(self):
        return self.nom
