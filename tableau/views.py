"""The back-office pages of the dashboard app: the week planning of a site or a ressource.

Served by the admin site (``tableau.admin`` adds the URLs), so only admins reach them.
"""

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from reservations import calendrier
from ressources.models import Ressource
from sites.models import Site

from . import selectors

HAUTEUR_HEURE_PX = 44


def _heures_de_la_grille(jours, ouverture: time, fermeture: time) -> tuple[int, int]:
    """First and last (excluded) hour of the grid: 07:00-21:00 widened to the opening
    hours and to any block that starts earlier or ends later."""
    premiere = min(selectors.HEURE_DEBUT_GRILLE.hour, ouverture.hour)
    derniere = max(selectors.HEURE_FIN_GRILLE.hour, fermeture.hour + (1 if fermeture.minute else 0))
    for jour in jours:
        lendemain = calendrier.debut_du_jour(jour.date + timedelta(days=1))
        for bloc in jour.blocs:
            debut = timezone.localtime(bloc.debut)
            premiere = min(premiere, debut.hour)
            if bloc.fin >= lendemain:
                derniere = 24
            else:
                fin = timezone.localtime(bloc.fin)
                derniere = max(derniere, fin.hour + (1 if fin.minute else 0))
    return premiere, derniere


def _position(bloc, jour, premiere: int, derniere: int) -> str:
    """Inline CSS placing ``bloc`` in its day column (percentages of the column). The
    grid is wall-clock time, as its hour labels: on a daylight-saving day a block stays
    level with the hours it shows."""
    origine = datetime.combine(jour, time(premiere))
    etendue = (derniere - premiere) * 3600
    haut = (calendrier.local_naif(bloc.debut) - origine).total_seconds() / etendue * 100
    fin = calendrier.local_naif(bloc.fin)
    if fin.date() > jour:  # clipped at midnight: the bottom of the column
        fin = datetime.combine(jour, time(premiere)) + timedelta(seconds=etendue)
    bas = min(100.0, (fin - origine).total_seconds() / etendue * 100)
    haut = max(0.0, haut)
    largeur = 100 / bloc.nb_couloirs
    return (
        f"top:{haut:.3f}%;height:{max(bas - haut, 0.5):.3f}%;"
        f"left:{bloc.couloir * largeur:.3f}%;width:{largeur:.3f}%"
    )


def _contexte_planning(request, *, titre, lundi, jours, ouverture, fermeture, url, objet):
    premiere, derniere = _heures_de_la_grille(jours, ouverture, fermeture)
    aujourdhui = timezone.localdate()
    for jour in jours:
        jour.est_aujourdhui = jour.date == aujourdhui
        for bloc in jour.blocs:
            bloc.style = _position(bloc, jour.date, premiere, derniere)
            bloc.heures = (
                f"{timezone.localtime(bloc.debut):%H:%M}–{timezone.localtime(bloc.fin):%H:%M}"
            )
            if bloc.type == "reservation":
                bloc.url = reverse("admin:reservations_reservation_change", args=[bloc.pk])
            else:
                bloc.url = reverse("admin:reservations_resourceavailability_change", args=[bloc.pk])
    return {
        **admin.site.each_context(request),
        "title": titre,
        "objet": objet,
        "lundi": lundi,
        "dimanche": lundi + timedelta(days=6),
        "jours": jours,
        "heures": [f"{h:02d}:00" for h in range(premiere, derniere)],
        "hauteur_grille": (derniere - premiere) * HAUTEUR_HEURE_PX,
        "hauteur_heure": HAUTEUR_HEURE_PX,
        "url_precedente": f"{url}?semaine={lundi - timedelta(days=7):%Y-%m-%d}",
        "url_suivante": f"{url}?semaine={lundi + timedelta(days=7):%Y-%m-%d}",
        "url_courante": url,
        "est_semaine_courante": lundi == selectors.debut_de_semaine(aujourdhui),
        "ouverture": ouverture,
        "fermeture": fermeture,
    }


def planning_site(request, pk):
    site = get_object_or_404(Site, pk=pk)
    lundi = selectors.semaine_demandee(request.GET.get("semaine"))
    jours = selectors.planning_semaine(lundi, site=site)
    contexte = _contexte_planning(
        request,
        titre=f"Planning du site {site.nom}",
        lundi=lundi,
        jours=jours,
        ouverture=site.horaires_ouverture,
        fermeture=site.horaires_fermeture,
        url=reverse("admin:tableau_planning_site", args=[site.pk]),
        objet=site,
    )
    contexte["site"] = site
    contexte["ressources"] = list(site.ressources.order_by("nom", "id"))
    return TemplateResponse(request, "admin/tableau/planning.html", contexte)


def planning_ressource(request, pk):
    ressource = get_object_or_404(Ressource.objects.select_related("site"), pk=pk)
    lundi = selectors.semaine_demandee(request.GET.get("semaine"))
    jours = selectors.planning_semaine(lundi, ressource=ressource)
    ouverture, fermeture = ressource.horaires()
    contexte = _contexte_planning(
        request,
        titre=f"Planning de {ressource.nom}",
        lundi=lundi,
        jours=jours,
        ouverture=ouverture,
        fermeture=fermeture,
        url=reverse("admin:tableau_planning_ressource", args=[ressource.pk]),
        objet=ressource,
    )
    contexte["site"] = ressource.site
    contexte["ressource"] = ressource
    return TemplateResponse(request, "admin/tableau/planning.html", contexte)
