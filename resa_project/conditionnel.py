"""HTTP revalidation for what changes rarely (sites, departments): ``ETag`` and 304.

A client that keeps the list sends ``If-None-Match`` with the ETag it got; while nothing
changed, the answer is a 304 without a body. ``Cache-Control: private, no-cache``: a
browser or an app may keep the answer but asks again each time (a site renamed by an admin
shows at once), and no shared cache keeps it (every request is authenticated).
"""

import hashlib

from django.utils.cache import get_conditional_response

CACHE_CONTROL = "private, no-cache"


class RevalidationMixin:
    """For a DRF view: successful GET and HEAD answers carry an ``ETag`` (a hash of the
    rendered body, so it changes exactly when the body does) and answer 304 to an
    ``If-None-Match`` that names it."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
        # A 304 keeps the ETag, Cache-Control and Vary headers of the answer it replaces.
        return get_conditional_response(request, etag=etag, response=response)
