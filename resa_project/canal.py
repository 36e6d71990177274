"""The entry point the current code runs for: ``api``, ``admin``, ``commande`` or
``systeme`` (the default: background work, or code called from nowhere in particular).

Set once at the edge (a middleware for HTTP requests, the management commands' ``handle``)
and read where it is recorded (the event journal), so no service has to pass it along.
A ``ContextVar``: each thread, and each asyncio task, sees its own value.
"""

from contextlib import contextmanager
from contextvars import ContextVar

API = "api"
ADMIN = "admin"
COMMANDE = "commande"
SYSTEME = "systeme"

_courant: ContextVar[str] = ContextVar("canal", default=SYSTEME)


def canal_courant() -> str:
    return _courant.get()


@contextmanager
def canal(valeur: str):
    """Run the block with ``valeur`` as the current channel (nested blocks win)."""
    if valeur not in (API, ADMIN, COMMANDE, SYSTEME):
        raise ValueError(f"Canal inconnu : {valeur!r}")
    jeton = _courant.set(valeur)
    try:
        yield
    finally:
        _courant.reset(jeton)


class CanalMiddleware:
    """HTTP requests: ``admin`` under the back-office's prefix, ``api`` for the rest."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefixe_admin = None

    def __call__(self, request):
        if self._prefixe_admin is None:
            from django.urls import reverse

            self._prefixe_admin = reverse("admin:index")
        valeur = ADMIN if request.path.startswith(self._prefixe_admin) else API
        with canal(valeur):
            return self.get_response(request)
