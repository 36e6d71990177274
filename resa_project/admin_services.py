"""Back-office writes through the apps' services, with the logged-in admin as the actor.

A ``ModelAdmin`` names its services and the admin calls them instead of saving or deleting
the model itself: the page's form (and its inlines, when the inline's model has such an
admin), the delete page and the "delete selected" action. A refusal of the service (a domain
error, say an object still referred to) becomes an error message on the page, never a
server error, and nothing of the refused request is kept (the log entry included).
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect

from resa_project.erreurs import ErreurDomaine


def champs_du_formulaire(form, *, change) -> dict:
    """The model fields a ModelForm sets, with the values it gives them: every field of the
    form at creation, only the changed ones on a change."""
    modele = {champ.name for champ in form.instance._meta.concrete_fields if not champ.primary_key}
    noms = form.changed_data if change else form.fields
    return {nom: getattr(form.instance, nom) for nom in noms if nom in modele}


def copier(source, cible) -> None:
    """Copy the saved values of ``source`` onto the admin's own instance ``cible``."""
    for champ in source._meta.concrete_fields:
        setattr(cible, champ.attname, getattr(source, champ.attname))
    cible._state.adding = False


def stocke(objet):
    """The object as stored: the admin's instance already carries the form's values, and a
    service must see what it changes from."""
    return type(objet)._default_manager.get(pk=objet.pk)


class EcrituresParServicesMixin:
    """Save and delete through the services ``creer(*, par, **champs)``,
    ``modifier(objet, *, par, **champs)`` and ``supprimer(objet, *, par)``, given as
    ``staticmethod``s by the ModelAdmin."""

    service_creer = service_modifier = service_supprimer = None

    def save_model(self, request, obj, form, change):
        champs = champs_du_formulaire(form, change=change)
        if change:
            if not champs:
                return
            enregistre = self.service_modifier(stocke(obj), par=request.user, **champs)
        else:
            enregistre = self.service_creer(par=request.user, **champs)
        copier(enregistre, obj)

    def delete_model(self, request, obj):
        self.service_supprimer(obj, par=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for objet in queryset:
                self.service_supprimer(objet, par=request.user)

    def save_formset(self, request, form, formset, change):
        """Inline objects whose model has such an admin go through its services too."""
        admin_en_ligne = self.admin_site._registry.get(formset.model)
        if not isinstance(admin_en_ligne, EcrituresParServicesMixin):
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for objet in formset.deleted_objects:
            admin_en_ligne.service_supprimer(objet, par=request.user)
        changes = [objet for objet, _ in formset.changed_objects]
        for form_en_ligne in formset.saved_forms:
            objet = form_en_ligne.instance
            if objet in formset.new_objects:
                enregistre = admin_en_ligne.service_creer(
                    par=request.user, **champs_du_formulaire(form_en_ligne, change=False)
                )
            elif objet in changes:
                enregistre = admin_en_ligne.service_modifier(
                    stocke(objet),
                    par=request.user,
                    **champs_du_formulaire(form_en_ligne, change=True),
                )
            else:
                continue
            copier(enregistre, objet)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ErreurDomaine as exc:
            return self._refus(request, exc)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        # An action (the bulk deletion) is one transaction: all of it or, refused, nothing.
        try:
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        except ErreurDomaine as exc:
            return self._refus(request, exc)

    def _refus(self, request, exc):
        self.message_user(request, exc.detail, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())
