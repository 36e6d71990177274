"""The request body of a calendar import: ``text/calendar``, read as bytes."""

from rest_framework.parsers import BaseParser

from .import_ics import TAILLE_MAX


class CalendrierParser(BaseParser):
    """The body as **bytes**, never decoded nor treated as a path (see ``import_ics``),
    and never more than one byte past ``TAILLE_MAX``: a larger body is refused by its
    length without being read whole."""

    media_type = "text/calendar"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(TAILLE_MAX + 1)
