"""Reads of supplies that the API, the pages and (later) the shortage list share."""

from django.db.models import F, Q, QuerySet, Sum

from supplies.models import ProductionCapacity, StockBalance, SupplyItem


def supply_items_active() -> QuerySet:
    return SupplyItem.objects.filter(active=True)


def free_stock_by_region_and_item(balances: QuerySet | None = None) -> QuerySet:
    """Per provincial region and item: on hand, reserved and free summed over the region's
    warehouses (of `balances`, every balance by default) — one grouped query; rows as dicts
    `{"region", "item_code", "on_hand_total", "reserved_total", "free_total"}` (the balance's
    own field names cannot be reused for sums), by region then item code."""
    balances = StockBalance.objects.all() if balances is None else balances
    return (
        balances.order_by()
        .values(region=F("warehouse__region_id"), item_code=F("item__code"))
        .annotate(on_hand_total=Sum("on_hand"), reserved_total=Sum("reserved"))
        .annotate(free_total=F("on_hand_total") - F("reserved_total"))
        .order_by("region", "item_code")
    )


def capacity_current(on_date, capacities: QuerySet | None = None) -> QuerySet:
    """The production capacity rows (of `capacities`, all by default) valid on `on_date`."""
    capacities = ProductionCapacity.objects.all() if capacities is None else capacities
    return capacities.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on_date), valid_from__lte=on_date)
