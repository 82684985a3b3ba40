from django.contrib import admin

from notices.models import Notice, NotificationPreference
from notices.models.circulars import Circular, IssuingBody


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "mark", "code"]
    search_fields = ["mark", "code", "organisation__name_zh"]
    autocomplete_fields = ["organisation"]


@admin.register(Circular)
class CircularAdmin(admin.ModelAdmin):
    """Circulars are issued through the service (numbering, rendering): the admin reads."""

    list_display = ["document_number", "title", "issuer", "status", "issued_at"]
    list_filter = ["status", "issuer"]
    search_fields = ["document_number", "title"]
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
