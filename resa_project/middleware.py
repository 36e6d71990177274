"""Middleware that only the back-office needs, kept off the API's path.

Sessions, Django's ``request.user`` and messages serve the Django admin (and its
dashboard and plannings). The API authenticates with its own tokens (DRF's
``request.user``), keeps no session and shows no message, yet each of these costs every
request a little (objects built, cookies parsed, response hooks run): together about a
third of a bare DRF view's time. ``BackOfficeMiddleware`` runs them, in their usual order,
for the paths under the admin's prefix only. None of them has a ``process_view`` hook, so
wrapping them loses nothing; CSRF protection stays in the main chain, for every path.
"""

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.urls import reverse
from django.utils.module_loading import import_string


class BackOfficeMiddleware:
    """``settings.MIDDLEWARE_BACK_OFFICE`` around the admin's paths; the rest goes straight on."""

    def __init__(self, get_response):
        self.get_response = get_response
        chaine = get_response
        for chemin in reversed(settings.MIDDLEWARE_BACK_OFFICE):
            # As Django's handler chains them: an exception becomes a response at each layer.
            chaine = convert_exception_to_response(import_string(chemin)(chaine))
        self.back_office = chaine
        self._prefixe = None

    def __call__(self, request):
        if self._prefixe is None:
            self._prefixe = reverse("admin:index")
        if request.path.startswith(self._prefixe):
            return self.back_office(request)
        return self.get_response(request)
