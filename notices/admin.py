from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notices.models import Notice, NotificationPreference, WebhookAttempt, WebhookDelivery, WebhookSubscription
from notices.models.circulars import Circular, IssuingBody
from notices.webhooks import WebhookTargetRefused, check_target, webhook_test_send


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "mark", "code"]
    search_fields = ["mark", "code", "organisation__name_zh"]
    autocomplete_fields = ["organisation", "joint_issuers"]


@admin.register(Circular)
class CircularAdmin(admin.ModelAdmin):
    """Circulars are issued through the service (numbering, rendering): the admin reads."""

    list_display = ["document_number", "title", "issuer", "status", "signed_off_by", "issued_at", "revoked_at"]
    list_filter = ["status", "issuer"]
    search_fields = ["document_number", "title", "verification_code"]
    readonly_fields = [f.name for f in Circular._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["recipient", "seq", "kind", "title_zh", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "reference", "title_zh"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False


admin.site.register(NotificationPreference)


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    readonly_fields = ["at", "status_code", "error", "duration_ms"]
    can_delete = False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "url", "format", "active"]
    list_filter = ["format", "active"]
    readonly_fields = ["secret", "created_at"]
    actions = ["send_test"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(self):
            data = original_clean(self)
            if data.get("url"):
                try:
                    check_target(data["url"])
                except WebhookTargetRefused as exc:
                    self.add_error("url", str(exc))
            return data

        form.clean = clean
        return form

    @admin.action(description=_("Send a test message"))
    def send_test(self, request, queryset):
        for subscription in queryset:
            delivery = webhook_test_send(subscription)
            self.message_user(request, f"{subscription}: {delivery.get_status_display()}")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "subscription", "kind", "status", "attempts", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False
