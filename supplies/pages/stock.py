"""Stock pages: the balances a user sees (supplies/access.py: every region's for liaison
offices, leading groups and the Office; an organisation's own otherwise), and one warehouse
with its ledger of movements — shown to the warehouse's organisation and the Office only —
each exported as CSV and XLSX through the registers' export helpers."""

import functools
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from coordination.models import Region
from coordination.registers import csv_response, local_time, xlsx_response
from coordination.workflow.access import membership_of
from coordination.workflow.mechanisms import Column
from supplies.access import (
    balances_visible,
    may_operate,
    movements_visible,
    sees_all_movements,
    sees_all_stock,
    warehouse_for_user,
    warehouses_visible,
)
from supplies.models import SupplyItem, Warehouse


@dataclass(frozen=True)
class Table:
    """An export the registers' helpers write (coordination/registers.py): a file name's
    slug, a sheet title and columns."""

    slug: str
    title: object
    table_columns: tuple[Column, ...]

    def columns(self) -> list[Column]:
        return list(self.table_columns)


def number(value: Decimal):
    """A quantity as a spreadsheet number: whole for counted items, else its decimals."""
    return int(value) if value == value.to_integral_value() else value.normalize()


BALANCE_COLUMNS = (
    Column("region", _("Region"), lambda b: b.warehouse.region.name),
    Column("warehouse", _("Warehouse code"), lambda b: b.warehouse.code),
    Column("warehouse_name", _("Warehouse"), lambda b: b.warehouse.name),
    Column("organisation", _("Organisation"), lambda b: b.warehouse.organisation.name),
    Column("item", _("Item code"), lambda b: b.item.code),
    Column("item_name", _("Item"), lambda b: b.item.name),
    Column("unit", _("Unit"), lambda b: b.item.get_unit_display()),
    Column("on_hand", _("On hand"), lambda b: number(b.on_hand)),
    Column("reserved", _("Reserved"), lambda b: number(b.reserved)),
    Column("free", _("Free"), lambda b: number(b.free)),
    Column("updated_at", _("Updated"), lambda b: local_time(b.updated_at)),
)

MOVEMENT_COLUMNS = (
    Column("id", _("Movement"), lambda m: m.pk),
    Column("at", _("Time"), lambda m: local_time(m.at)),
    Column("kind", _("Kind"), lambda m: m.get_kind_display()),
    Column("item", _("Item code"), lambda m: m.item.code),
    Column("item_name", _("Item"), lambda m: m.item.name),
    Column("on_hand_delta", _("Change on hand"), lambda m: number(m.on_hand_delta)),
    Column("reserved_delta", _("Change reserved"), lambda m: number(m.reserved_delta)),
    Column("on_hand_after", _("On hand after"), lambda m: number(m.on_hand_after)),
    Column("reserved_after", _("Reserved after"), lambda m: number(m.reserved_after)),
    Column("reason", _("Reason"), lambda m: m.reason),
    Column("actor", _("Actor"), lambda m: m.actor.get_full_name() or m.actor.username),
    Column("organisation", _("Organisation"), lambda m: m.organisation.name),
)


def stock_viewer_required(view):
    """For those who see some stock: every region's (liaison offices, leaders, the Office) or
    their own organisation's warehouses; 403 for the others."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        membership = membership_of(request.user)
        if not (
            sees_all_stock(membership)
            or (membership and Warehouse.objects.filter(organisation_id=membership.organisation_id).exists())
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _export(table: Table, queryset, kind: str):
    return csv_response(table, queryset) if kind == "csv" else xlsx_response(table, queryset)


@stock_viewer_required
@require_GET
def stock_list(request):
    """The balances the user sees, by region, warehouse and item; filtered; exported."""
    regions = list(Region.objects.provincial().order_by("code"))
    filters = {name: request.GET.get(name, "")[:64] for name in ("region", "warehouse", "item")}
    balances = balances_visible(request.user).select_related("warehouse__region", "warehouse__organisation", "item")
    if filters["region"]:
        balances = balances.filter(warehouse__region_id=filters["region"])
    if filters["warehouse"]:
        balances = balances.filter(warehouse__code=filters["warehouse"])
    if filters["item"]:
        balances = balances.filter(item__code=filters["item"])
    balances = balances.order_by("warehouse__region_id", "warehouse__code", "item__code")
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _export(Table("stock", _("Stock"), BALANCE_COLUMNS), balances, export)
    page = Paginator(balances, 100).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "supplies/stock.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "regions": regions,
            "warehouses": warehouses_visible(request.user).order_by("region_id", "code"),
            "items": SupplyItem.objects.filter(active=True).order_by("category", "code"),
        },
    )


@login_required
@require_GET
def warehouse_detail(request, code: str):
    """One warehouse: its balances and, for its own organisation and the Office, its ledger."""
    warehouse = warehouse_for_user(request.user, code)
    shows_movements = may_operate(request.user, warehouse) or sees_all_movements(membership_of(request.user))
    movements = (
        movements_visible(request.user)
        .filter(warehouse=warehouse)
        .select_related("item", "actor", "organisation")
        .order_by("-id")
    )
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        if not shows_movements:
            raise PermissionDenied
        return _export(
            Table(f"movements-{warehouse.code}", _("Stock movements"), MOVEMENT_COLUMNS),
            movements.order_by("id"),
            export,
        )
    balances = warehouse.balances.select_related("item").order_by("item__category", "item__code")
    page = Paginator(movements, 50).get_page(request.GET.get("page")) if shows_movements else None
    return render(
        request,
        "supplies/warehouse.html",
        {"warehouse": warehouse, "balances": balances, "page": page, "shows_movements": shows_movements},
    )
