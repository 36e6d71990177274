"""A bare DRF view for the benchmark only (``bench/run.sh`` sets ``RESA_BENCH=1``).

``GET /bench/vide`` answers a constant ``{"ok": true}``: no authentication, no permission, no
throttle, no database query. It is what DRF, Django's middleware and gunicorn cost by
themselves on the same server and in the same run as the real endpoints. ``urls.py`` serves
it only when ``RESA_BENCH`` is ``"1"``; normal deployments do not have it.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView


@extend_schema(exclude=True)
class VueNue(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get(self, request):
        return Response({"ok": True})
