"""The API's JSON parser: DRF's, refusing what Python's ``json`` lets through but no
database or renderer can hold (lone UTF-16 surrogates such as ``"\\ud800"``)."""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONStrictParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        donnees = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(donnees, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("Texte invalide : caractère Unicode isolé (surrogate).") from None
        return donnees
