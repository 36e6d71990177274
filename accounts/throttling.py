"""Throttles of the public auth endpoints.

The client address is DRF's ``get_ident``: ``REMOTE_ADDR`` while
``REST_FRAMEWORK["NUM_PROXIES"]`` is 0 (the default: a client-supplied ``X-Forwarded-For``
is ignored); with N trusted reverse proxies, the N-th address from the end of
``X-Forwarded-For`` (the one the outermost trusted proxy appended).

- Registration: a DRF rate throttle per client address, scope ``auth``
  (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"]``). Requests authenticated as an admin
  are neither counted nor refused.
- Login: failed attempts are counted in Django's cache twice, per (email, address) and per
  email alone, within ``settings.LOGIN_ECHECS_FENETRE``. Once either counter reaches its
  limit (``LOGIN_ECHECS_MAX`` for the pair, ``LOGIN_ECHECS_MAX_PAR_EMAIL`` for the email)
  every attempt on that email (from that address, or from anywhere) is a 429 until the
  window ends, even with the right password. A successful login is not counted and clears
  the pair's counter only: the per-email one keeps running, so that a guesser rotating
  addresses gets no fresh budget each time the account's owner logs in.
"""

import hashlib
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from .services import IdentifiantsInvalides


def adresse_client(request) -> str:
    """The client's address as every throttle of Resa sees it (``NUM_PROXIES`` aware)."""
    return BaseThrottle().get_ident(request)


class InscriptionThrottle(SimpleRateThrottle):
    """Every anonymous or non-admin request counts, per client address."""

    scope = "auth"

    def get_cache_key(self, request, view):
        if getattr(request.user, "est_admin", False):
            return None  # an admin creating accounts is not throttled
        return self.cache_format % {"scope": self.scope, "ident": adresse_client(request)}


class CompteurEchecs:
    """A counter of failed logins in the cache, with its own limit and a fixed window that
    starts at the first failure."""

    def __init__(self, nom: str, *parties: str, maximum: int):
        empreinte = hashlib.sha256("|".join(parties).encode()).hexdigest()
        self.cle = f"login-echecs:{nom}:{empreinte}"
        self.cle_fin = f"{self.cle}:fin"
        self.maximum = maximum

    @property
    def fenetre(self) -> int:
        return int(settings.LOGIN_ECHECS_FENETRE.total_seconds())

    def attente(self) -> int | None:
        """Seconds until the window ends once the limit is reached, else ``None``."""
        if cache.get(self.cle, 0) < self.maximum:
            return None
        fin = cache.get(self.cle_fin)
        return max(1, int(fin - time.time() if fin else self.fenetre))

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
    """Wrap a login attempt: refuse it (429 with ``Retry-After``) when either counter is
    full, count a failure on both when the credentials are wrong, clear the pair's counter
    on success."""
    email = email.strip().lower()
    par_adresse = CompteurEchecs(
        "paire", email, adresse_client(request), maximum=settings.LOGIN_ECHECS_MAX
    )
    par_email = CompteurEchecs("email", email, maximum=settings.LOGIN_ECHECS_MAX_PAR_EMAIL)
    compteurs = (par_adresse, par_email)
    attentes = [a for a in (c.attente() for c in compteurs) if a is not None]
    if attentes:
        raise Throttled(wait=max(attentes))
    try:
        yield
    except IdentifiantsInvalides:
        for compteur in compteurs:
            compteur.noter_echec()
        raise
    par_adresse.oublier()
