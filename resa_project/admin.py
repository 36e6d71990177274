"""Back-office glue shared by the apps' admins."""

from dataclasses import replace

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from resa_project.erreurs import ErreurDomaine


class ServicesAdminMixin:
    """Last resort: a domain error raised while saving (the forms already checked the rules,
    so only a race could get here) is shown as a message, never a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ErreurDomaine, ValidationError) as exc:
            detail = exc.detail if isinstance(exc, ErreurDomaine) else " ".join(exc.messages)
            self.message_user(request, detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class SuppressionAuFemininMixin:
    """Django's bulk deletion reads "Supprimer les <pluriel> sélectionnés", in the masculine;
    réservations, disponibilités and ressources are feminine."""

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        suppression = actions.get("delete_selected")
        if suppression is not None:
            description = f"Supprimer les {self.model._meta.verbose_name_plural} sélectionnées"
            actions["delete_selected"] = replace(
                suppression, description=description, plural_description=description
            )
        return actions
