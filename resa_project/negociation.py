"""Content negotiation with a shortcut for what nearly every API request sends.

DRF parses the ``Accept`` header into media types and matches them against each renderer,
on every request, with no ``Accept`` header or ``*/*`` too. Here the common cases (no header,
``*/*``, exactly ``application/json``; no ``format`` override) pick the first renderer that
serves ``application/json`` at once, with the media type DRF would have chosen; anything
else (another type, parameters such as ``indent``, a ``?format=``) is DRF's own negotiation,
406 included.
"""

from rest_framework.negotiation import DefaultContentNegotiation

JSON = "application/json"
_ACCEPTS_SIMPLES = frozenset({"", "*/*", JSON})


class NegociationRapide(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "").strip()
        if (
            accept in _ACCEPTS_SIMPLES
            and not format_suffix
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            for renderer in renderers:
                if renderer.media_type == JSON:
                    return renderer, JSON
        return super().select_renderer(request, renderers, format_suffix)
