"""The calendar feed addresses (API.md C5): made, replaced and revoked here, with the
actor ``par`` (the owner, or an admin revoking a lost phone's subscription)."""

import hashlib
import secrets

from django.db import transaction

from .models import FluxCalendrier

#: 32 random bytes, URL-safe (43 characters): the feed's only credential.
OCTETS_SECRET = 32


def empreinte(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def creer_flux(user, *, par) -> str:
    """Give ``user`` a new feed secret (the previous one stops working) and return it: it
    is never stored, only its hash."""
    secret = secrets.token_urlsafe(OCTETS_SECRET)
    FluxCalendrier.objects.filter(user=user).delete()
    FluxCalendrier.objects.create(user=user, empreinte=empreinte(secret))
    return secret


@transaction.atomic
def revoquer_flux(user, *, par) -> bool:
    """Revoke ``user``'s feed; False when there was none."""
    supprimes, _ = FluxCalendrier.objects.filter(user=user).delete()
    return bool(supprimes)


def flux_du_secret(secret: str) -> FluxCalendrier | None:
    """The active feed of this secret, with its owner (``None``: unknown, revoked, or the
    account is inactive)."""
    return (
        FluxCalendrier.objects.select_related("user")
        .filter(empreinte=empreinte(secret), user__compte_actif=True)
        .first()
    )
