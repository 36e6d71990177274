"""Offset/limit pagination in the contract's two shapes."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

OFFSET_MAXIMUM = 1_000_000_000
MSG_OFFSET = f"offset doit être un entier entre 0 et {OFFSET_MAXIMUM}."
MSG_LIMIT = "limit doit être un entier entre 1 et {maximum}."


def lire_offset_limit(request, *, defaut, maximum):
    """``(offset, limit)`` from the query string; a bad value is a 400, never a silent default."""
    erreurs = {}
    try:
        offset = int(request.query_params.get("offset", 0))
        if not 0 <= offset <= OFFSET_MAXIMUM:
            raise ValueError
    except ValueError:
        erreurs["offset"] = [MSG_OFFSET]
        offset = 0
    try:
        limit = int(request.query_params.get("limit", defaut))
        if not 1 <= limit <= maximum:
            raise ValueError
    except ValueError:
        erreurs["limit"] = [MSG_LIMIT.format(maximum=maximum)]
        limit = defaut
    if erreurs:
        raise ValidationError(erreurs)
    return offset, limit


class _OffsetLimit(BasePagination):
    default_limit = 100
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.offset, self.limit = lire_offset_limit(
            request, defaut=self.default_limit, maximum=self.max_limit
        )
        self.request = request
        return self._page(queryset)

    def _page(self, queryset):
        return list(queryset[self.offset : self.offset + self.limit])

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": OFFSET_MAXIMUM,
                    "default": 0,
                },
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
        ]


class PlainListPagination(_OffsetLimit):
    """The original API's lists: a plain JSON array."""

    def get_paginated_response(self, data):
        return Response(data)

    def get_paginated_response_schema(self, schema):
        return schema


class ItemsMetaPagination(_OffsetLimit):
    """``{"items": [...], "meta": {"total", "offset", "limit", "returned", ...}}``.

    A view may add keys to ``meta`` through ``get_meta_extra()``, and give the exact
    ``total`` some cheaper way than ``queryset.count()`` through ``compter_total(queryset)``.
    """

    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.view = view
        return super().paginate_queryset(queryset, request, view)

    def _page(self, queryset):
        compter = getattr(self.view, "compter_total", None)
        self.total = queryset.count() if compter is None else compter(queryset)
        return super()._page(queryset)

    def get_paginated_response(self, data):
        meta = {
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "returned": len(data),
        }
        view = self.request.parser_context.get("view")
        if view is not None and hasattr(view, "get_meta_extra"):
            meta.update(view.get_meta_extra())
        return Response({"items": data, "meta": meta})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["items", "meta"],
            "properties": {
                "items": schema,
                "meta": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "offset": {"type": "integer"},
                        "limit": {"type": "integer"},
                        "returned": {"type": "integer"},
                    },
                    "additionalProperties": True,
                },
            },
        }
