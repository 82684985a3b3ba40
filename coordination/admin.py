from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from coordination.models import Mechanism, Membership, Organisation, Region


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
