"""Admin screens: administrators keep the catalogue, the warehouses and the capacity list;
balances and movements are shown, never edited (only the ledger services write them)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from supplies.models import ProductionCapacity, StockBalance, StockMovement, SupplyItem, Warehouse


@admin.register(SupplyItem)
class SupplyItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "category", "standard", "unit", "active"]
    list_filter = ["category", "unit", "active"]
    search_fields = ["code", "name_zh", "name_en", "standard"]

    def get_readonly_fields(self, request, obj=None):
        # The ledger's quantities were validated against the unit: it stays once stock exists.
        if obj is not None and obj.balances.exists():
            return ["code", "unit"]
        return []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organisation", "region", "address"]
    list_filter = ["region"]
    list_select_related = ["organisation", "region"]
    search_fields = ["code", "name", "address"]
    autocomplete_fields = ["organisation"]


@admin.register(ProductionCapacity)
class ProductionCapacityAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "item", "region", "daily_capacity", "committed", "valid_from", "valid_until"]
    list_filter = ["region", "item__category"]
    list_select_related = ["item", "region"]
    search_fields = ["enterprise", "item__name_zh", "item__code"]
    autocomplete_fields = ["item"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ["warehouse", "item", "on_hand", "reserved", "free", "updated_at"]
    list_filter = ["warehouse__region", "item__category"]
    list_select_related = ["warehouse", "item"]
    search_fields = ["warehouse__name", "item__name_zh", "item__code"]

    @admin.display(description=_("free"))
    def free(self, balance):
        return balance.free


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "kind", "warehouse", "item", "on_hand_delta", "reserved_delta", "actor", "reason"]
    list_filter = ["kind", "warehouse__region", "item__category"]
    list_select_related = ["warehouse", "item", "actor"]
    search_fields = ["warehouse__name", "item__name_zh", "item__code", "reason"]
    date_hierarchy = "at"
