"""Receivers that change ``MARQUE_COMPTES`` whenever a token or an account may have changed,
so that no process keeps a revoked token or a stale account in its memo: a token's deletion
(logout, a new password, a deactivated or deleted account, the admin), an account's save or
deletion. A new token needs nothing: no memo holds it yet. (An account's site and department
are protected: deleting them never changes an account behind its back.)"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import MARQUE_COMPTES, AuthToken, User


@receiver(post_save, sender=User, dispatch_uid="comptes_user_enregistre")
@receiver(post_save, sender=AuthToken, dispatch_uid="comptes_jeton_enregistre")
def compte_enregistre(sender, instance, created, using, **kwargs):
    if not (created and sender is AuthToken):
        MARQUE_COMPTES.changer_apres_commit(using)


@receiver(post_delete, sender=User, dispatch_uid="comptes_user_supprime")
@receiver(post_delete, sender=AuthToken, dispatch_uid="comptes_jeton_supprime")
def compte_supprime(sender, instance, using, **kwargs):
    MARQUE_COMPTES.changer_apres_commit(using)
