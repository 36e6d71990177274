"""``MARQUE_REFERENTIEL`` changes whenever a site or a department is saved or deleted, so
that no process keeps a stale /sites or /departments list in its memo (sites/views.py).
Both are written by the services, the admin and the commands, always through ``save()``
and ``delete()``."""

from .models import MARQUE_REFERENTIEL, Department, Site

MARQUE_REFERENTIEL.suivre(Site, Department)
