"""Receivers that change ``MARQUE_REFERENTIEL`` whenever a site or a department is saved or
deleted, so that no process keeps a stale /sites or /departments list in its memo
(sites/views.py). Both are written by the services, the admin and the commands, always
through ``save()`` and ``delete()``."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import MARQUE_REFERENTIEL, Department, Site


@receiver(post_save, sender=Site, dispatch_uid="referentiel_site_enregistre")
@receiver(post_save, sender=Department, dispatch_uid="referentiel_departement_enregistre")
@receiver(post_delete, sender=Site, dispatch_uid="referentiel_site_supprime")
@receiver(post_delete, sender=Department, dispatch_uid="referentiel_departement_supprime")
def referentiel_change(sender, instance, using, **kwargs):
    MARQUE_REFERENTIEL.changer_apres_commit(using)
