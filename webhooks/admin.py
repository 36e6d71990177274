"""Back-office of the webhooks: subscriptions (with their latest deliveries on the change
page) and the delivery log, read-only, with a "rejouer" action.

Every write goes through ``webhooks.services``, like the API. The secret is never part of a
form, a list or a change page: it is shown once, on the page that answers the creation of a
subscription or the "renouveler le secret" action (a page rendered for that answer, never
stored in a message or the session).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from resa_project.admin import ServicesAdminMixin
from resa_project.admin_services import EcrituresParServicesMixin
from resa_project.erreurs import ConflitEtat

from . import reseau, services
from .models import CHOIX_EVENEMENTS, Abonnement, Livraison, normaliser_evenements

NOMBRE_RECENTES = 20
GABARIT_SECRET = "admin/webhooks/abonnement/secret.html"

MSG_REJOUEES = "{n} livraison(s) remise(s) en file."
MSG_INACTIFS = "{n} livraison(s) non rejouée(s) : abonnement inactif."
MSG_ESSAIS = "{n} essai(s) (webhook.ping) mis en file."
MSG_ESSAIS_INACTIFS = "{n} abonnement(s) inactif(s) : pas d'essai."


class AbonnementForm(forms.ModelForm):
    evenements = forms.MultipleChoiceField(
        label="Types d'événements",
        choices=CHOIX_EVENEMENTS,
        widget=forms.CheckboxSelectMultiple,
        help_text="« Tous les événements » seul, ou les types voulus.",
    )

    class Meta:
        model = Abonnement
        fields = ("url", "evenements", "actif", "description")

    def clean_evenements(self):
        return normaliser_evenements(list(self.cleaned_data["evenements"]))

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.instance.pk is None or "url" in self.changed_data:
            try:
                reseau.verifier_url(url)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["url"]) from None
        return url


def _page_secrets(request, model_admin, abonnements, *, titre):
    reponse = TemplateResponse(
        request,
        GABARIT_SECRET,
        {
            **model_admin.admin_site.each_context(request),
            "title": titre,
            "opts": Abonnement._meta,
            "abonnements": abonnements,
            "url_liste": reverse("admin:webhooks_abonnement_changelist"),
        },
    )
    add_never_cache_headers(reponse)
    return reponse


@admin.register(Abonnement)
class AbonnementAdmin(ServicesAdminMixin, EcrituresParServicesMixin, admin.ModelAdmin):
    form = AbonnementForm
    service_creer = staticmethod(services.creer_abonnement)
    service_modifier = staticmethod(services.modifier_abonnement)
    service_supprimer = staticmethod(services.supprimer_abonnement)
    list_display = ("id", "url", "types", "actif", "description", "date_creation")
    list_display_links = ("id", "url")
    list_filter = ("actif",)
    search_fields = ("url", "description")
    fields = ("url", "evenements", "actif", "description", "date_creation", "livraisons_recentes")
    readonly_fields = ("date_creation", "livraisons_recentes")
    actions = ("renouveler_secret", "envoyer_essai")

    @admin.display(description="types d'événements")
    def types(self, abonnement):
        return Truncator(", ".join(abonnement.evenements)).chars(80)

    @admin.display(description=f"{NOMBRE_RECENTES} dernières livraisons")
    def livraisons_recentes(self, abonnement):
        if abonnement.pk is None:
            return "—"
        livraisons = list(
            Livraison.objects.filter(abonnement_id=abonnement.pk)
            .defer("corps")
            .order_by("-id")[:NOMBRE_RECENTES]
        )
        if not livraisons:
            return "Aucune livraison."
        lignes = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    reverse("admin:webhooks_livraison_change", args=[livraison.pk]),
                    livraison.pk,
                    livraison.type,
                    livraison.get_statut_display(),
                    livraison.tentatives,
                    livraison.dernier_code or "—",
                    Truncator(livraison.derniere_erreur).chars(80) or "—",
                    _date(livraison.prochaine_tentative),
                    _date(livraison.date_creation),
                )
                for livraison in livraisons
            ),
        )
        tout = (
            reverse("admin:webhooks_livraison_changelist")
            + f"?abonnement__id__exact={abonnement.pk}"
        )
        return format_html(
            "<table><thead><tr><th>N°</th><th>Type</th><th>Statut</th><th>Tentatives</th>"
            "<th>Dernier code</th><th>Dernière erreur</th><th>Prochaine tentative</th>"
            '<th>Créée le</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">Toutes '
            "les livraisons de cet abonnement</a></p>",
            lignes,
            tout,
        )

    def response_add(self, request, obj, post_url_continue=None):
        """The only page that shows a new subscription's secret."""
        return _page_secrets(request, self, [obj], titre="Abonnement créé : son secret")

    @admin.action(description="Renouveler le secret des abonnements sélectionnés")
    def renouveler_secret(self, request, queryset):
        abonnements = [
            services.renouveler_secret(abonnement, par=request.user)
            for abonnement in queryset.order_by("id")
        ]
        return _page_secrets(request, self, abonnements, titre="Nouveaux secrets")

    @admin.action(description="Envoyer un essai (webhook.ping) aux abonnements sélectionnés")
    def envoyer_essai(self, request, queryset):
        envoyes = inactifs = 0
        for abonnement in queryset:
            try:
                services.envoyer_ping(abonnement, par=request.user)
            except ConflitEtat:
                inactifs += 1
            except ObjectDoesNotExist:  # deleted meanwhile
                continue
            else:
                envoyes += 1
        if envoyes:
            self.message_user(request, MSG_ESSAIS.format(n=envoyes), messages.SUCCESS)
        if inactifs:
            self.message_user(request, MSG_ESSAIS_INACTIFS.format(n=inactifs), messages.WARNING)


def _date(moment):
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "d/m/Y H:i:s")


@admin.register(Livraison)
class LivraisonAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "abonnement",
        "type",
        "evenement_no",
        "statut",
        "tentatives",
        "dernier_code",
        "erreur",
        "prochaine_tentative",
        "date_creation",
    )
    list_filter = ("statut", "type", "abonnement")
    date_hierarchy = "date_creation"
    actions = ("rejouer",)
    fields = (
        "abonnement",
        "type",
        "evenement_no",
        "statut",
        "tentatives",
        "dernier_code",
        "derniere_erreur",
        "derniere_tentative",
        "prochaine_tentative",
        "date_creation",
        "corps",
    )
    readonly_fields = fields

    @admin.display(description="événement n°")
    def evenement_no(self, livraison):
        return livraison.evenement_id or "— (essai)"

    @admin.display(description="dernière erreur")
    def erreur(self, livraison):
        return Truncator(livraison.derniere_erreur).chars(80)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Rejouer les livraisons sélectionnées")
    def rejouer(self, request, queryset):
        rejouees = inactives = 0
        for livraison in queryset:
            try:
                services.rejouer(livraison, par=request.user)
            except ConflitEtat:
                inactives += 1
            except ObjectDoesNotExist:  # deleted meanwhile
                continue
            else:
                rejouees += 1
        if rejouees:
            self.message_user(request, MSG_REJOUEES.format(n=rejouees), messages.SUCCESS)
        if inactives:
            self.message_user(request, MSG_INACTIFS.format(n=inactives), messages.WARNING)
