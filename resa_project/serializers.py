"""Serializer bases shared by several apps (serializers parse; writes go through services).

A model ``ValidationError`` is reported under the JSON field names (``site_principal`` ->
``site_principal_id``, ``__all__`` -> ``non_field_errors``), so a client sees one name per
field whichever layer refused the value.
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings


class ErreursModeleMixin:
    """Turn a model ``ValidationError`` raised by a write into a 400 keyed by JSON names."""

    @contextmanager
    def erreurs_du_modele(self):
        try:
            yield
        except DjangoValidationError as exc:
            raise serializers.ValidationError(self.erreurs_json(exc)) from exc

    def erreurs_json(self, exc):
        noms = {champ.source: nom for nom, champ in self.fields.items()}
        noms[NON_FIELD_ERRORS] = api_settings.NON_FIELD_ERRORS_KEY
        erreurs = serializers.as_serializer_error(exc)
        return {noms.get(cle, cle): messages for cle, messages in erreurs.items()}
