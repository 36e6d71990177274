"""System check: every entry of ``WEBHOOKS_RESEAUX_AUTORISES`` is a network (an invalid
one would be ignored at run time, allowing nothing)."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, register

MSG_RESEAU = "WEBHOOKS_RESEAUX_AUTORISES : « {texte} » n'est pas un réseau (CIDR)."
AIDE = "Exemples : 10.0.0.0/8, 192.168.1.0/24, fd00::/8 (séparés par des virgules)."


@register()
def verifier_reseaux_autorises(app_configs=None, **kwargs):
    erreurs = []
    for texte in settings.WEBHOOKS_RESEAUX_AUTORISES:
        try:
            ipaddress.ip_network(str(texte).strip(), strict=False)
        except ValueError:
            erreurs.append(Error(MSG_RESEAU.format(texte=texte), hint=AIDE, id="webhooks.E001"))
    return erreurs
