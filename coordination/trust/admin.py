"""The signing keys in the admin: listed and inspected, never edited; revoked with a reason.
The private key is not among the fields (not even encrypted)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coordination.trust.models import KeyStatus, SigningKey
from coordination.trust.services import SigningKeyError, key_revoke

SAFE_FIELDS = [
    "kid",
    "organisation",
    "is_root",
    "algorithm",
    "status_label",
    "valid_from",
    "valid_until",
    "retired_at",
    "revoked_at",
    "revocation_reason",
    "created_at",
    "certificate_pem",
]


class RevocationForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "organisation", "is_root", "status_label", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["is_root", ("revoked_at", admin.EmptyFieldListFilter), ("retired_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["kid", "organisation__name_zh", "organisation__name_en", "organisation__code"]
    fields = SAFE_FIELDS
    readonly_fields = SAFE_FIELDS
    actions = ["revoke"]

    @admin.display(description=_("status"))
    def status_label(self, key):
        return KeyStatus(key.status()).label

    def has_add_permission(self, request):
        return False  # keys are made by active_key() or `manage.py signing_keys create`

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted key would leave its documents unverifiable

    def get_queryset(self, request):
        return super().get_queryset(request).defer("private_key_encrypted")

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        form = RevocationForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            revoked = 0
            for key in queryset:
                try:
                    key_revoke(kid=key.kid, reason=form.cleaned_data["reason"])
                    revoked += 1
                except SigningKeyError as exc:
                    self.message_user(request, f"{key.kid}: {exc}", messages.WARNING)
            if revoked:
                self.message_user(
                    request,
                    ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked) % {"count": revoked},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revoke signing keys"),
            "keys": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "trust/revoke_keys.html", context)
