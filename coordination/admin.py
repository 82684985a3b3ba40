from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.contenttypes.admin import GenericTabularInline

from coordination.models import (
    AuditEntry,
    CalendarDay,
    Mechanism,
    Membership,
    Organisation,
    OutboxEvent,
    Participant,
    PersonalDataAccess,
    Receipt,
    Region,
)
from coordination.workflow import mechanisms


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "parent", "plate_prefix", "abbr"]
    list_filter = ["level", "parent"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Mechanism)
class MechanismAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "pattern", "secondary_pattern", "default_deadline", "deadline_basis"]
    list_filter = ["pattern"]
    readonly_fields = ["code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "kind", "region", "city"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [MembershipInline]


class MembershipUserInline(admin.StackedInline):
    model = Membership
    can_delete = True
    autocomplete_fields = ["organisation"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    inlines = [MembershipUserInline]
    list_display = ["username", "first_name", "membership", "is_staff", "is_active"]
    list_select_related = ["membership__organisation"]


class ReadOnlyCaseInline(GenericTabularInline):
    """Rows of a case shown in its admin page, never edited there (the engine writes them)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class ParticipantInline(ReadOnlyCaseInline):
    model = Participant
    fields = ["organisation", "role", "joined_at"]


class ReceiptInline(ReadOnlyCaseInline):
    model = Receipt
    fields = ["organisation", "state", "read_at", "acknowledged_at", "objection", "version"]


class AuditEntryInline(ReadOnlyCaseInline):
    model = AuditEntry
    fields = ["seq", "at", "actor", "organisation", "transition", "from_state", "to_state", "comment", "hash"]
    ordering = ["seq"]


class CaseAdmin(admin.ModelAdmin):
    """Cases change only through their workflow: the admin reads, it does not edit."""

    list_display = ["reference", "title", "state", "originator", "due_at", "created_at"]
    list_filter = ["state", "originator__region"]
    search_fields = ["reference", "title"]
    list_select_related = ["originator"]
    inlines = [ParticipantInline, AuditEntryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def case_admin_for(declaration) -> type[CaseAdmin]:
    """The read-only admin of a registered mechanism's cases: CaseAdmin with the options its
    declaration adds, its personal data excluded, receipts shown for notices."""
    from coordination.workflow.patterns import NoticeCase

    options = dict(declaration.admin)
    if declaration.personal:
        options.setdefault("exclude", list(declaration.personal.encrypted))
    if issubclass(declaration.model, NoticeCase):
        options.setdefault("inlines", [ParticipantInline, ReceiptInline, AuditEntryInline])
    return type(f"{declaration.model.__name__}Admin", (CaseAdmin,), options)


def _register_case_admin(declaration) -> None:
    if not admin.site.is_registered(declaration.model):
        admin.site.register(declaration.model, case_admin_for(declaration))


# The admin discovers this module before the mechanisms' apps register their declarations.
mechanisms.each_registered(_register_case_admin)


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "created_at", "delivered_at", "attempts", "last_error"]
    list_filter = ["kind", ("delivered_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The working-day calendar the Office keeps: public holidays and make-up working days."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The personal-data access log: read only, for the record."""

    list_display = ["at", "user", "organisation", "action", "content_type", "object_id", "reason"]
    list_filter = ["action", "content_type"]
    readonly_fields = [f.name for f in PersonalDataAccess._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
