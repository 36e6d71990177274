"""Throttles of the public auth endpoints.

- Registration: a DRF rate throttle per client IP, scope ``auth``
  (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"]``).
- Login: failed attempts are counted per (email, IP) in Django's cache; after
  ``settings.LOGIN_ECHECS_MAX`` failures within ``settings.LOGIN_ECHECS_FENETRE`` every
  attempt for that pair is a 429, even with the right password. A successful login is not
  counted and clears the counter.
"""

import hashlib
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from .services import IdentifiantsInvalides


class InscriptionThrottle(SimpleRateThrottle):
    """Every request counts, per client IP (``NUM_PROXIES`` aware)."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EchecsConnexion:
    """The counter of failed logins of one (email, IP) pair."""

    def __init__(self, email: str, ident: str):
        empreinte = hashlib.sha256(f"{email.strip().lower()}|{ident}".encode()).hexdigest()
        self.cle = f"login-echecs:{empreinte}"
        self.cle_fin = f"{self.cle}:fin"

    @property
    def fenetre(self) -> int:
        return int(settings.LOGIN_ECHECS_FENETRE.total_seconds())

    def verifier(self) -> None:
        """``Throttled`` (429, with ``Retry-After``) once the pair has used its attempts."""
        if cache.get(self.cle, 0) >= settings.LOGIN_ECHECS_MAX:
            fin = cache.get(self.cle_fin)
            attente = fin - time.time() if fin else self.fenetre
            raise Throttled(wait=max(1, int(attente)))

    def noter_echec(self) -> None:
        if cache.add(self.cle, 1, timeout=self.fenetre):
            cache.set(self.cle_fin, time.time() + self.fenetre, timeout=self.fenetre)
            return
        try:
            cache.incr(self.cle)
        except ValueError:  # expired between add() and incr()
            cache.add(self.cle, 1, timeout=self.fenetre)

    def oublier(self) -> None:
        cache.delete_many([self.cle, self.cle_fin])


@contextmanager
def limiter_echecs_connexion(request, email: str):
    """Wrap a login attempt: refuse it when throttled, count it when the credentials fail."""
    compteur = EchecsConnexion(email, BaseThrottle().get_ident(request))
    compteur.verifier()
    try:
        yield
    except IdentifiantsInvalides:
        compteur.noter_echec()
        raise
    compteur.oublier()
