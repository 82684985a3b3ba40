"""The shortage list (缺口清单) and the flows between regions: the reads behind the shortage
and capacity board, the briefing's supply panels and the API's `/api/v1/shortage/`.

Shortage is computed, never stored: per item and requesting region, what open requests still
need (asked − allocated), how much of that is pledged and awaiting allocation, and the rest
uncovered — set beside every region's free stock and uncommitted production capacity of the
item. Open lines carry their region and an `open` flag, and database triggers keep their totals
per item and region (supplies.models.ShortageTotal), so the board reads a few hundred rows
however many lines are open; `shortage_check()` holds the totals against the lines.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Least
from django.utils import timezone

from supplies.models import RequestLine, ShipmentLine, ShortageTotal, SupplyItem
from supplies.selectors import capacity_current, free_stock_by_region_and_item

ZERO = Decimal(0)


@dataclass
class ShortageRow:
    """One item: what the Delta's open requests still need of it, and what could cover it."""

    item: SupplyItem
    needed: dict[str, Decimal] = field(default_factory=dict)  # requesting region → asked − allocated
    pledged: dict[str, Decimal] = field(default_factory=dict)  # requesting region → awaiting allocation
    lines: int = 0
    free_stock: dict[str, Decimal] = field(default_factory=dict)  # region → free stock
    capacity: dict[str, Decimal] = field(default_factory=dict)  # region → uncommitted daily output

    @property
    def total_needed(self) -> Decimal:
        return sum(self.needed.values(), ZERO)

    @property
    def total_pledged(self) -> Decimal:
        return sum(self.pledged.values(), ZERO)

    @property
    def uncovered(self) -> Decimal:
        return max(self.total_needed - self.total_pledged, ZERO)

    @property
    def total_free(self) -> Decimal:
        return sum(self.free_stock.values(), ZERO)

    @property
    def total_capacity(self) -> Decimal:
        return sum(self.capacity.values(), ZERO)

    @property
    def days_to_cover(self) -> float | None:
        """Days of the Delta's uncommitted output the uncovered rest takes beyond free stock
        (None: no capacity to make it)."""
        rest = self.uncovered - self.total_free
        if rest <= 0:
            return 0.0
        if not self.total_capacity:
            return None
        return round(float(rest / self.total_capacity), 1)


def open_lines(*, item: str | None = None, region: str | None = None):
    lines = RequestLine.objects.filter(open=True)
    if item:
        lines = lines.filter(item__code=item)
    if region:
        lines = lines.filter(region_id=region)
    return lines


def _open_totals(*, item: str | None = None, region: str | None = None):
    """Per item and requesting region, the open lines' need, pledges up to need and count:
    from the trigger-kept totals (items × regions × slots rows, whatever the number of lines)."""
    totals = ShortageTotal.objects.all()
    if item:
        totals = totals.filter(item__code=item)
    if region:
        totals = totals.filter(region_id=region)
    return (
        totals.order_by()
        .values("item_id", "region_id")
        .annotate(needed=Sum("needed"), pledged=Sum("pledged"), lines=Sum("lines"))
        .filter(lines__gt=0)
    )


def _open_totals_counted(*, item: str | None = None, region: str | None = None):
    """The same totals counted from the lines themselves (what the triggers must agree with)."""
    return (
        open_lines(item=item, region=region)
        .filter(allocated__lt=F("quantity"))
        .order_by()
        .values("item_id", "region_id")
        .annotate(
            needed=Sum(F("quantity") - F("allocated")),
            # A line pledged beyond its need covers that line only, not the region's others.
            pledged=Sum(Least("pledged", F("quantity") - F("allocated"))),
            lines=Count("id"),
        )
    )


def shortage_check() -> list[tuple]:
    """The (item, region) pairs whose kept totals differ from their open lines, with both
    figures: none while the triggers hold (the supplies tests assert it after every test)."""

    def as_map(groups):
        return {
            (g["item_id"], g["region_id"]): (Decimal(g["needed"]), Decimal(g["pledged"]), g["lines"]) for g in groups
        }

    kept, counted = as_map(_open_totals()), as_map(_open_totals_counted())
    empty = (ZERO, ZERO, 0)
    return [
        (key, kept.get(key, empty), counted.get(key, empty))
        for key in sorted(kept.keys() | counted.keys())
        if kept.get(key, empty) != counted.get(key, empty)
    ]


def shortage_list(*, item: str | None = None, region: str | None = None, on_date=None) -> list[ShortageRow]:
    """Items with open need, most uncovered first: three grouped queries over small tables (the
    kept totals, free stock, current capacity), whatever the number of lines."""
    grouped = _open_totals(item=item, region=region)
    rows: dict[int, ShortageRow] = {}
    for group in grouped:
        row = rows.setdefault(group["item_id"], ShortageRow(item=None))
        row.needed[group["region_id"]] = group["needed"]
        row.pledged[group["region_id"]] = min(group["pledged"], group["needed"])
        row.lines += group["lines"]
    if not rows:
        return []
    for catalogue_item in SupplyItem.objects.filter(pk__in=rows):
        rows[catalogue_item.pk].item = catalogue_item
    codes = {row.item.code: row for row in rows.values()}
    for balance in free_stock_by_region_and_item().filter(item__code__in=codes):
        if balance["free_total"] > 0:
            codes[balance["item_code"]].free_stock[balance["region"]] = balance["free_total"]
    capacity = (
        capacity_current(on_date or timezone.localdate())
        .filter(item_id__in=rows)
        .order_by()
        .values("item_id", "region_id")
        .annotate(uncommitted=Sum(F("daily_capacity") - F("committed")))
    )
    for group in capacity:
        if group["uncommitted"] > 0:
            rows[group["item_id"]].capacity[group["region_id"]] = group["uncommitted"]
    return sorted(rows.values(), key=lambda row: (-row.uncovered, row.item.code))


def open_lines_page(*, item: str | None = None, region: str | None = None, limit: int = 50):
    """The newest open lines still short, with what the board shows of their requests (no
    contact, no address: those are for the request's participants)."""
    return (
        open_lines(item=item, region=region)
        .filter(allocated__lt=F("quantity"))
        .select_related("item", "request")
        .only(
            "number",
            "quantity",
            "allocated",
            "pledged",
            "region_id",
            "item__code",
            "item__name_zh",
            "item__name_en",
            "item__unit",
            "request__reference",
            "request__urgency",
            "request__needed_by",
            "request__due_at",
            "request__state",
        )
        .order_by("-pk")[:limit]
    )


def flows(*, since=None) -> list[dict]:
    """Quantities moved between regions, per item: from the supplying region to the requesting
    one, counting what arrived (and, separately, what is on the road)."""
    lines = ShipmentLine.objects.all()
    if since is not None:
        lines = lines.filter(shipment__dispatched_at__date__gte=since)
    grouped = (
        lines.order_by()
        .values(
            source=F("shipment__allocation__supplier__region_id"),
            target=F("shipment__request__requesting_region_id"),
            item_code=F("pledge__line__item__code"),
        )
        .annotate(
            dispatched=Sum("quantity"),
            received=Sum("received", filter=Q(received__isnull=False)),
        )
        .order_by("source", "target", "item_code")
    )
    return [
        {
            "from": group["source"],
            "to": group["target"],
            "item": group["item_code"],
            "dispatched": group["dispatched"],
            "received": group["received"] or ZERO,
        }
        for group in grouped
    ]


def flows_by_region(*, since=None) -> dict[tuple[str, str], Decimal]:
    """(from region, to region) → units dispatched, every item together (for a Sankey)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for flow in flows(since=since):
        totals[flow["from"], flow["to"]] += flow["dispatched"]
    return dict(totals)
