"""WSGI entry point: ``application``, served by gunicorn (``gunicorn.conf.py``).

Django's own handler, with one change: a path's URL resolution is remembered. Django tries
the patterns one by one on every request (dozens of regular expressions: 50 to 90 µs for the
API's paths, a tenth of a light request); the same path always resolves to the same view
and arguments, so the answer is kept (up to ``RESOLUTIONS_MAX`` paths, then forgotten all
at once). A path that resolves to nothing (404) is never kept.
"""

import os

import django
from django.core.handlers.wsgi import WSGIHandler
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resa_project.settings")

RESOLUTIONS_MAX = 4096


class Resolutions:
    """``resolve(path)`` of a resolver, remembered per path while it is the same resolver
    (tests that swap ``ROOT_URLCONF`` get a new one, and so a fresh memory)."""

    def __init__(self, maximum: int = RESOLUTIONS_MAX):
        self.maximum = maximum
        self._etat = (None, {})  # (resolver, {path: ResolverMatch}), replaced as a whole

    def resoudre(self, resolveur, chemin):
        vu, correspondances = self._etat
        if vu is not resolveur:
            correspondances = {}
            self._etat = (resolveur, correspondances)
        correspondance = correspondances.get(chemin)
        if correspondance is None:
            correspondance = resolveur.resolve(chemin)  # Resolver404 propagates: not kept
            if len(correspondances) >= self.maximum:
                correspondances.clear()
            correspondances[chemin] = correspondance
        return correspondance


class GestionnaireWSGI(WSGIHandler):
    def __init__(self):
        super().__init__()
        self.resolutions = Resolutions()

    def resolve_request(self, request):
        if hasattr(request, "urlconf"):  # a middleware chose another URLconf: Django's way
            return super().resolve_request(request)
        correspondance = self.resolutions.resoudre(get_resolver(), request.path_info)
        request.resolver_match = correspondance
        return correspondance


def _application():
    django.setup(set_prefix=False)
    return GestionnaireWSGI()


application = _application()
