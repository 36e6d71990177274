"""Receivers that keep ``Ressource.texte_recherche`` true when its site is renamed (the site's
nom is one of the searched fields, but lives in another table), and ``MARQUE_CATALOGUE``
changed whenever what the catalogue's list reads changes (its memo, ressources/views.py):
ressources, favourites and sites, all written through ``save()`` and ``delete()`` (the
site receiver's bulk update is in the same transaction as the site's save)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from sites.models import Site

from .models import MARQUE_CATALOGUE, Favori, Ressource
from .recherche_texte import texte_de

MARQUE_CATALOGUE.suivre(Ressource, Favori, Site)


@receiver(post_save, sender=Site, dispatch_uid="ressources_site_renomme")
def actualiser_site(sender, instance, created, update_fields=None, **kwargs):
    """Rewrites the search text of the site's ressources whose text changed: one read, and
    one bulk update only when the nom changed."""
    if created or (update_fields is not None and "nom" not in update_fields):
        return
    ressources = list(
        instance.ressources.only(
            "id",
            "nom",
            "description",
            "caracteristiques",
            "localisation_batiment",
            "texte_recherche",
            "site_id",
        )
    )
    changees = []
    for ressource in ressources:
        ressource.site = instance
        texte = texte_de(ressource)
        if texte != ressource.texte_recherche:
            ressource.texte_recherche = texte
            changees.append(ressource)
    if changees:
        type(changees[0]).objects.bulk_update(changees, ["texte_recherche"], batch_size=500)
