"""Write services of M4 mutual-aid requests: creating a request, and the work behind each of the
request–offers–allocation pattern's transitions (coordination/workflow/patterns/offers.py).

Each hook runs inside `transition_fire`'s transaction with the request's row locked, so the
running totals of its lines and pledges change one transition at a time. The stock they
reserve, release, dispatch and receive goes through the ledger (ledger.py), whose balance
locks are taken in (warehouse, item) order within a transition, so two transitions reserving
the same two balances cannot deadlock. Any refusal raises and rolls the whole transition
back: a multi-line pledge either reserves every line or none.

Payloads arrive validated in shape by supplies/api/aid.py (lines, pledges and shipments of
this request, not another's); what depends on quantities and state is checked here, and each
refusal names the line, pledge or shipment it is about.
"""

import math
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coordination.errors import Conflict, Invalid
from coordination.models import Membership, Organisation, ReferenceSequence
from coordination.workflow.engine import case_create
from supplies.models import ProductionCapacity, SupplyItem, Warehouse
from supplies.models.aid import (
    AllocationOrder,
    Pledge,
    RequestLine,
    Shipment,
    ShipmentHop,
    ShipmentLine,
    Shortfall,
    SupplyRequest,
    Urgency,
)
from supplies.quantities import quantity_clean, quantity_text
from supplies.services.ledger import stock_arrive, stock_dispatch, stock_receive, stock_release, stock_reserve

ZERO = Decimal(0)
PLEDGE_WINDOW = {
    Urgency.CRITICAL: timedelta(hours=2),
    Urgency.URGENT: timedelta(hours=8),
    Urgency.ROUTINE: timedelta(hours=24),
}
MAX_LINES = 50
ALLOCATION_SEQUENCE_CODE = "DBD"  # 调拨单


def _line_error(index: int, field: str, message) -> Invalid:
    return Invalid(message, details={"lines": {str(index): {field: [message]}}})


# --- deadlines --------------------------------------------------------------------------------


def request_deadline(request: SupplyRequest, state: str, now):
    """Open: pledges within the urgency's window (critical 2 h, urgent 8 h, routine 24 h; a
    per-request time limit overrides it). Being fulfilled: the pledgers deliver by the end of
    the day it is needed (at least an hour from now)."""
    S = SupplyRequest.S
    if state == S.OPEN:
        return now + (request.time_limit or PLEDGE_WINDOW.get(request.urgency, PLEDGE_WINDOW[Urgency.ROUTINE]))
    if state == S.ALLOCATED:
        end_of_day = timezone.make_aware(datetime.combine(request.needed_by, time(23, 59)))
        return max(end_of_day, now + timedelta(hours=1))
    return None


# --- creating ---------------------------------------------------------------------------------


def _request_title(region, lines: list[tuple[SupplyItem, Decimal]]) -> str:
    """江苏省请求支援医用防护口罩（N95/KN95）100000只等2项: stored once, so in the platform's
    language (Chinese) whatever the filer's."""
    with translation.override("zh-hans"):
        return _request_title_text(region, lines)


def _request_title_text(region, lines) -> str:
    item, quantity = lines[0]
    more = _("and %(count)s more items") % {"count": len(lines) - 1} if len(lines) > 1 else ""
    title = _("%(region)s asks for %(item)s %(quantity)s %(unit)s %(more)s") % {
        "region": region.name_zh,
        "item": item.name_zh,
        "quantity": quantity_text(quantity),
        "unit": item.get_unit_display(),
        "more": more,
    }
    return title.strip()[:200]


def supply_request_create(
    *,
    by,
    lines: list[dict],
    needed_by,
    delivery_address: str,
    receiving_warehouse: Warehouse,
    contact_name: str,
    contact_phone: str,
    urgency: str = Urgency.URGENT,
    purpose: str = "",
    title: str = "",
    time_limit: timedelta | None = None,
) -> SupplyRequest:
    """A liaison office asks the other regions for supplies, line by line ({item, quantity,
    note}). Who may: the declaration's `may_create`, which `case_create` checks."""
    from coordination.workflow.access import membership_of

    membership = membership_of(by)
    if membership is None:
        raise PermissionDenied
    if receiving_warehouse.organisation_id != membership.organisation_id:
        message = _("Choose one of your organisation's warehouses.")
        raise Invalid(message, details={"receiving_warehouse": [message]})
    if not lines:
        message = _("Ask for at least one item.")
        raise Invalid(message, details={"lines": [message]})
    if len(lines) > MAX_LINES:
        message = _("At most %(max)s lines in one request.") % {"max": MAX_LINES}
        raise Invalid(message, details={"lines": [message]})
    cleaned, seen = [], set()
    for index, line in enumerate(lines):
        item = line["item"]
        if item.pk in seen:
            raise _line_error(index, "item", _("Each item once per request: add the quantities up."))
        seen.add(item.pk)
        try:
            quantity = quantity_clean(item, line["quantity"])
        except Invalid as error:
            raise _line_error(index, "quantity", error.message) from None
        cleaned.append((item, quantity, line.get("note", "")))
    region = membership.organisation.region
    with transaction.atomic():
        request = case_create(
            SupplyRequest,
            by=by,
            title=title or _request_title(region, [(item, quantity) for item, quantity, _note in cleaned]),
            requesting_region=region,
            urgency=urgency,
            needed_by=needed_by,
            purpose=purpose,
            delivery_address=delivery_address,
            receiving_warehouse=receiving_warehouse,
            contact_name=contact_name,
            contact_phone=contact_phone,
            time_limit=time_limit,
        )
        RequestLine.objects.bulk_create(
            RequestLine(request=request, number=number, item=item, quantity=quantity, note=note, region=region)
            for number, (item, quantity, note) in enumerate(cleaned, start=1)
        )
    return request


# --- pledging ---------------------------------------------------------------------------------


def pledge_refusal(request: SupplyRequest, membership: Membership | None) -> str | None:
    """Who pledges: a liaison office of another region. The requester's own region is told
    why not; anybody else is not told the request exists (an empty refusal: 404)."""
    if membership is None:
        return ""
    organisation = membership.organisation
    if organisation.kind != Organisation.Kind.LIAISON_OFFICE:
        return (
            ""
            if organisation.kind != Organisation.Kind.COOPERATION_OFFICE
            else _("Regions' liaison offices pledge; the Office coordinates.")
        )
    if organisation.region_id == request.requesting_region_id:
        return _("A region does not pledge to its own request.")
    return None


def _capacity_share(item: SupplyItem, quantity: Decimal, ready_on, today) -> Decimal:
    """The daily output a capacity pledge takes until it is ready: the quantity spread over
    the days left (at least one), rounded up (to whole units for counted items)."""
    days = max((ready_on - today).days, 1)
    share = quantity / days
    if item.countable:
        return Decimal(math.ceil(share))
    return share.quantize(Decimal("0.001"), rounding="ROUND_UP")


def _reserve_from_capacity(pledge: Pledge, line: RequestLine, index: int, today) -> None:
    capacity = ProductionCapacity.objects.select_for_update().get(pk=pledge.capacity_id)
    share = _capacity_share(line.item, pledge.offered, pledge.ready_on, today)
    if capacity.committed + share > capacity.daily_capacity:
        raise Conflict(
            _(
                "Line %(line)s: %(enterprise)s has %(free)s %(unit)s a day uncommitted; this pledge needs "
                "%(share)s a day until %(date)s."
            )
            % {
                "line": line.number,
                "enterprise": capacity.enterprise,
                "free": quantity_text(capacity.uncommitted),
                "unit": line.item.get_unit_display(),
                "share": quantity_text(share),
                "date": pledge.ready_on.isoformat(),
            },
            code="insufficient_capacity",
            details={
                "line": line.number,
                "index": index,
                "capacity": capacity.pk,
                "uncommitted": quantity_text(capacity.uncommitted),
                "daily_share": quantity_text(share),
            },
        )
    capacity.committed = F("committed") + share
    capacity.save(update_fields=["committed", "updated_at"])
    pledge.daily_share = share
    pledge.save(update_fields=["daily_share"])


def _release_capacity(pledge: Pledge) -> None:
    if pledge.daily_share:
        ProductionCapacity.objects.filter(pk=pledge.capacity_id).update(committed=F("committed") - pledge.daily_share)
        pledge.daily_share = ZERO


def _reshare_capacity(pledge: Pledge) -> None:
    """A capacity pledge that still holds part of what it offered (the rest not allocated)
    commits only that part's share: spread over the days the pledge was made for, so it never
    grows, and the output given back is free for other pledges at once."""
    pledged_on = timezone.localdate(pledge.created_at)
    share = min(_capacity_share(pledge.line.item, pledge.held, pledge.ready_on, pledged_on), pledge.daily_share)
    if share < pledge.daily_share:
        ProductionCapacity.objects.filter(pk=pledge.capacity_id).update(
            committed=F("committed") - (pledge.daily_share - share)
        )
        pledge.daily_share = share


def _refuse_stock(error: Conflict, line: RequestLine, index: int) -> Conflict:
    """The ledger's refusal, naming the request's line."""
    details = {**(error.details or {}), "line": line.number, "index": index}
    return Conflict(
        _("Line %(line)s: %(message)s") % {"line": line.number, "message": error.message},
        code=error.error_code,
        details=details,
    )


def pledge_lines(request: SupplyRequest, ctx) -> None:
    """A region pledges one or more lines, each from free stock in one of its warehouses
    (reserved now) or from an enterprise's capacity in its region (committed until the date it
    is ready). More than a line still needs, or than is free, refuses the whole pledge."""
    entries = ctx.data["lines"]
    organisation = ctx.organisation
    today = timezone.localdate(ctx.now)
    lines = {line.pk: line for line in request.lines.select_related("item").select_for_update(of=("self",))}
    offered_per_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    prepared = []
    for index, entry in enumerate(entries):
        line = lines[entry["line"].pk]
        try:
            quantity = quantity_clean(line.item, entry["quantity"])
        except Invalid as error:
            raise _line_error(index, "quantity", error.message) from None
        offered_per_line[line.pk] += quantity
        if offered_per_line[line.pk] > line.still_needed:
            raise Conflict(
                _("Line %(line)s needs only %(needed)s %(unit)s more.")
                % {
                    "line": line.number,
                    "needed": quantity_text(line.still_needed),
                    "unit": line.item.get_unit_display(),
                },
                code="pledge_exceeds_need",
                details={"line": line.number, "index": index, "still_needed": quantity_text(line.still_needed)},
            )
        warehouse, capacity = entry.get("warehouse"), entry.get("capacity")
        if warehouse is not None and warehouse.organisation_id != organisation.pk:
            raise _line_error(index, "warehouse", _("Pledge from one of your organisation's warehouses."))
        if capacity is not None:
            if capacity.region_id != organisation.region_id:
                raise _line_error(index, "capacity", _("Pledge the capacity of an enterprise in your region."))
            if capacity.item_id != line.item_id:
                raise _line_error(index, "capacity", _("This enterprise makes another item."))
            ready_on = entry["ready_on"]
            if (capacity.valid_until and ready_on > capacity.valid_until) or ready_on < capacity.valid_from:
                raise _line_error(index, "ready_on", _("The capacity is not listed for that date."))
        prepared.append((index, line, quantity, entry))
    pledges = []
    # Balances locked in one order (warehouse, item) by every transition: no deadlocks.
    for index, line, quantity, entry in sorted(
        prepared, key=lambda p: (p[3].get("warehouse").pk if p[3].get("warehouse") else 0, p[1].item_id)
    ):
        warehouse = entry.get("warehouse")
        pledge = Pledge.objects.create(
            request=request,
            line=line,
            organisation=organisation,
            source=Pledge.Source.STOCK if warehouse is not None else Pledge.Source.CAPACITY,
            warehouse=warehouse,
            capacity=entry.get("capacity"),
            ready_on=entry.get("ready_on") if warehouse is None else None,
            offered=quantity,
            held=quantity,
            note=entry.get("note", ""),
            pledged_by=ctx.by,
        )
        if warehouse is not None:
            # The balance's row lock is what every pledge of the item queues on: taken last.
            ctx.late.append(_reservation(warehouse, line, quantity, pledge, index, ctx.by))
        else:
            _reserve_from_capacity(pledge, line, index, today)
        pledges.append(pledge)
    for line_pk, quantity in offered_per_line.items():
        RequestLine.objects.filter(pk=line_pk).update(pledged=F("pledged") + quantity)
    ctx.record = {"pledges": [p.pk for p in pledges]}


def _reservation(warehouse, line: RequestLine, quantity: Decimal, pledge: Pledge, index: int, by):
    """The stock reservation of a pledge, to run at the end of its transition: a refusal names
    the request's line."""

    def reserve():
        try:
            stock_reserve(warehouse, line.item, quantity, by=by, reference=pledge)
        except Conflict as error:
            raise _refuse_stock(error, line, index) from None

    return reserve


def _give_back(pledge: Pledge, quantity: Decimal, ctx, *, reason: str, on_behalf: bool) -> None:
    """Release what the pledge holds, up to `quantity`: reserved stock, or of its capacity
    commitment all once it holds nothing more, else what the rest no longer needs."""
    quantity = min(quantity, pledge.held)
    if quantity <= 0:
        return
    if pledge.source == Pledge.Source.STOCK:
        stock_release(
            pledge.warehouse,
            pledge.line.item,
            quantity,
            by=ctx.by,
            reference=pledge,
            reason=reason,
            on_behalf=on_behalf,
        )
    pledge.held -= quantity
    if pledge.source == Pledge.Source.CAPACITY and pledge.held == 0:
        _release_capacity(pledge)
    elif pledge.source == Pledge.Source.CAPACITY:
        _reshare_capacity(pledge)


def _locked_pledges(request: SupplyRequest, pks) -> list[Pledge]:
    return list(
        request.pledges.filter(pk__in=pks)
        .select_related("line__item", "warehouse", "capacity")
        .select_for_update(of=("self",))
        .order_by("warehouse_id", "line__item_id", "pk")
    )


def pledge_withdraw(request: SupplyRequest, ctx) -> None:
    """A pledging region takes back pledges not yet allocated, or the undispatched rest of
    allocated ones (the request needs it again: it reopens to pledges)."""
    reason = ctx.data.get("reason", "")
    pledges = _locked_pledges(request, [p.pk for p in ctx.data["pledges"]])
    reopens = False
    for pledge in pledges:
        if pledge.organisation_id != ctx.organisation.pk:
            raise PermissionDenied
        if pledge.state == Pledge.S.OFFERED:
            _give_back(pledge, pledge.held, ctx, reason=reason, on_behalf=False)
            pledge.state = Pledge.S.WITHDRAWN
            RequestLine.objects.filter(pk=pledge.line_id).update(pledged=F("pledged") - pledge.offered)
        elif pledge.state == Pledge.S.ACCEPTED and pledge.dispatchable > 0:
            rest = pledge.dispatchable
            _give_back(pledge, rest, ctx, reason=reason, on_behalf=False)
            pledge.returned += rest
            RequestLine.objects.filter(pk=pledge.line_id).update(allocated=F("allocated") - rest)
            reopens = True
        else:
            raise Conflict(
                _("Pledge %(pledge)s has nothing left to withdraw.") % {"pledge": pledge.pk},
                code="nothing_to_withdraw",
                details={"pledge": pledge.pk, "state": pledge.state},
            )
        pledge.version += 1
        pledge.save()
    ctx.record = {"pledges": [p.pk for p in pledges], "reopens": reopens}


# --- allocating -------------------------------------------------------------------------------


def _allocation_number(issuer: Organisation, year: int) -> tuple[int, str]:
    [reference] = ReferenceSequence.allocate(region_abbr=issuer.region.abbr, code=ALLOCATION_SEQUENCE_CODE, year=year)
    serial = int(reference.rsplit("-", 1)[1])
    return serial, f"{issuer.region.plate_prefix[:1]}联防调〔{year}〕{serial}号"


def allocation_make(request: SupplyRequest, ctx) -> None:
    """The requester accepts pledges, each in full or in part; every other pledge still open is
    released. One allocation order (调拨单) per supplying organisation, numbered without gaps."""
    from coordination.verification import new_code

    accepted = {entry["pledge"].pk: entry["quantity"] for entry in ctx.data["accept"]}
    open_pledges = _locked_pledges(request, request.pledges.filter(state=Pledge.S.OFFERED).values("pk"))
    unknown = set(accepted) - {p.pk for p in open_pledges}
    if unknown:
        pk = min(unknown)
        raise Conflict(
            _("Pledge %(pledge)s is no longer open to allocation.") % {"pledge": pk},
            code="pledge_not_open",
            details={"pledge": pk},
        )
    per_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_supplier: dict[int, list[Pledge]] = defaultdict(list)
    for pledge in open_pledges:
        line = pledge.line
        if pledge.pk in accepted:
            try:
                quantity = quantity_clean(line.item, accepted[pledge.pk], field="quantity")
            except Invalid as error:
                raise Invalid(
                    error.message, details={"accept": {str(pledge.pk): {"quantity": [error.message]}}}
                ) from None
            if quantity > pledge.offered:
                raise Conflict(
                    _("Line %(line)s: %(organisation)s pledged %(offered)s %(unit)s; %(quantity)s cannot be allocated.")
                    % {
                        "line": line.number,
                        "organisation": pledge.organisation.name_zh,
                        "offered": quantity_text(pledge.offered),
                        "unit": line.item.get_unit_display(),
                        "quantity": quantity_text(quantity),
                    },
                    code="allocation_exceeds_pledge",
                    details={"line": line.number, "pledge": pledge.pk, "pledged": quantity_text(pledge.offered)},
                )
            per_line[line.pk] += quantity
            if line.allocated + per_line[line.pk] > line.quantity:
                raise Conflict(
                    _("Line %(line)s asks for %(quantity)s %(unit)s; %(allocated)s would be allocated.")
                    % {
                        "line": line.number,
                        "quantity": quantity_text(line.quantity),
                        "unit": line.item.get_unit_display(),
                        "allocated": quantity_text(line.allocated + per_line[line.pk]),
                    },
                    code="allocation_exceeds_request",
                    details={"line": line.number, "still_needed": quantity_text(line.still_needed)},
                )
            pledge.accepted = quantity
            pledge.state = Pledge.S.ACCEPTED
            _give_back(pledge, pledge.offered - quantity, ctx, reason=_("Not allocated"), on_behalf=True)
            by_supplier[pledge.organisation_id].append(pledge)
        else:
            pledge.state = Pledge.S.RELEASED
            _give_back(pledge, pledge.held, ctx, reason=_("Not allocated"), on_behalf=True)
        pledge.version += 1
        pledge.save()
    # One update per line (not per pledge): its pledges leave `pledged`, the accepted join `allocated`.
    no_longer_pledged: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pledge in open_pledges:
        no_longer_pledged[pledge.line_id] += pledge.offered
    for line_pk, offered in no_longer_pledged.items():
        RequestLine.objects.filter(pk=line_pk).update(
            pledged=F("pledged") - offered, allocated=F("allocated") + per_line.get(line_pk, ZERO)
        )
    year = timezone.localdate(ctx.now).year
    orders = []
    for supplier_pk, pledges in sorted(by_supplier.items()):
        serial, number = _allocation_number(request.originator, year)
        order = AllocationOrder.objects.create(
            request=request,
            issuer=request.originator,
            supplier_id=supplier_pk,
            year=year,
            serial=serial,
            document_number=number,
            created_at=ctx.now,
            created_by=ctx.by,
            verification_code=new_code(),
        )
        order.pledges.set(pledges)
        orders.append(order)
    ctx.record = {
        "accepted": {str(pk): quantity_text(Decimal(str(q))) for pk, q in accepted.items()},
        "released": [p.pk for p in open_pledges if p.state == Pledge.S.RELEASED],
        "allocation_orders": [o.document_number for o in orders],
    }
    if orders:
        from supplies.documents import allocation_orders_enqueue

        ids = [o.pk for o in orders]
        transaction.on_commit(lambda: allocation_orders_enqueue(ids))


# --- dispatch and the journey -----------------------------------------------------------------


def shipment_dispatch(request: SupplyRequest, ctx) -> None:
    """The supplying region sends (part of) an allocation: one vehicle, several lines. Stock
    leaves its warehouse (what is to be sent again is reserved anew first)."""
    data = ctx.data
    allocation = data["allocation"]
    if allocation.supplier_id != ctx.organisation.pk:
        raise PermissionDenied
    pledges = {p.pk: p for p in _locked_pledges(request, [e["pledge"].pk for e in data["lines"]])}
    in_order = {p.pk for p in allocation.pledges.all()}
    number = (request.shipments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    shipment = Shipment.objects.create(
        request=request,
        allocation=allocation,
        number=number,
        vehicle_plate=data["vehicle_plate"],
        driver_name=data["driver_name"],
        driver_phone=data["driver_phone"],
        route=data.get("route", ""),
        expected_arrival=data["expected_arrival"],
        dispatched_at=ctx.now,
        dispatched_by=ctx.by,
    )
    seen = set()
    for index, entry in enumerate(data["lines"]):
        pledge = pledges[entry["pledge"].pk]
        if pledge.pk not in in_order or pledge.pk in seen:
            raise Invalid(
                _("Pledge %(pledge)s is not (or twice) in allocation %(number)s.")
                % {"pledge": pledge.pk, "number": allocation.document_number},
                details={"lines": {str(index): {"pledge": [_("Not in this allocation, or given twice.")]}}},
            )
        seen.add(pledge.pk)
        item = pledge.line.item
        try:
            quantity = quantity_clean(item, entry["quantity"])
        except Invalid as error:
            raise _line_error(index, "quantity", error.message) from None
        if quantity > pledge.dispatchable:
            raise Conflict(
                _("Line %(line)s: %(left)s %(unit)s of this allocation are left to send; %(quantity)s were given.")
                % {
                    "line": pledge.line.number,
                    "left": quantity_text(pledge.dispatchable),
                    "unit": item.get_unit_display(),
                    "quantity": quantity_text(quantity),
                },
                code="dispatch_exceeds_allocation",
                details={"line": pledge.line.number, "pledge": pledge.pk, "left": quantity_text(pledge.dispatchable)},
            )
        movement = None
        if pledge.source == Pledge.Source.STOCK:
            if quantity > pledge.held:  # sending again what went missing: reserve it first
                try:
                    stock_reserve(pledge.warehouse, item, quantity - pledge.held, by=ctx.by, reference=pledge)
                except Conflict as error:
                    raise _refuse_stock(error, pledge.line, index) from None
                pledge.held = quantity
            movement = stock_dispatch(pledge.warehouse, item, quantity, by=ctx.by, reference=shipment)
            pledge.held -= quantity
        else:
            pledge.held = max(pledge.held - quantity, ZERO)
            if pledge.held == 0:
                _release_capacity(pledge)
        ShipmentLine.objects.create(shipment=shipment, pledge=pledge, quantity=quantity, dispatch_movement=movement)
        pledge.dispatched += quantity
        pledge.version += 1
        pledge.save()
        RequestLine.objects.filter(pk=pledge.line_id).update(dispatched=F("dispatched") + quantity)
    origin = next(iter(pledges.values()))
    ShipmentHop.objects.create(
        shipment=shipment,
        kind=ShipmentHop.Kind.DEPARTED,
        place=origin.warehouse.name if origin.warehouse else origin.capacity.enterprise,
        at=ctx.now,
        recorded_by=ctx.by,
    )
    ctx.record = {"shipment": shipment.number, "allocation": allocation.document_number}


def shipment_hop(request: SupplyRequest, ctx) -> None:
    shipment = ctx.data["shipment"]
    if shipment.allocation.supplier_id != ctx.organisation.pk:
        raise PermissionDenied
    at = ctx.data.get("at") or ctx.now
    if at < shipment.dispatched_at:
        message = _("A hop comes after the dispatch.")
        raise Invalid(message, details={"at": [message]})
    if at > ctx.now + timedelta(minutes=10):
        message = _("A hop cannot be in the future.")
        raise Invalid(message, details={"at": [message]})
    hop = ShipmentHop.objects.create(
        shipment=shipment,
        kind=ctx.data["kind"],
        place=ctx.data["place"],
        at=at,
        note=ctx.data.get("note", ""),
        recorded_by=ctx.by,
    )
    if hop.kind == ShipmentHop.Kind.ARRIVED and shipment.arrived_at is None:
        shipment.arrived_at = at
        shipment.save(update_fields=["arrived_at"])
    ctx.record = {"shipment": shipment.number, "hop": hop.kind}


# --- receipt and shortfalls -------------------------------------------------------------------


def receipt_confirm(request: SupplyRequest, ctx) -> None:
    """The requester confirms what arrived of one shipment, line by line; less than was sent
    is a shortfall with its reason, to be reconciled. Goods go into the receiving warehouse."""
    shipment = Shipment.objects.select_for_update().get(pk=ctx.data["shipment"].pk)
    if shipment.received_at is not None:
        raise Conflict(
            _("Shipment %(number)s has been received already.") % {"number": shipment.number},
            code="already_received",
            details={"shipment": shipment.number},
        )
    lines = {sl.pk: sl for sl in shipment.lines.select_related("pledge__line__item", "dispatch_movement")}
    given = {entry["shipment_line"]: entry for entry in ctx.data["lines"]}
    # A line named twice would be collapsed here (the last entry silently winning): refuse it.
    if set(given) != set(lines) or len(given) != len(ctx.data["lines"]):
        message = _("Confirm every line of the shipment, each once.")
        raise Invalid(message, details={"lines": [message]})
    warehouse = request.receiving_warehouse
    shortfalls = []
    for index, (pk, shipment_line) in enumerate(sorted(lines.items())):
        entry = given[pk]
        pledge = shipment_line.pledge
        item = pledge.line.item
        received = entry["received"]
        if received != 0:
            try:
                received = quantity_clean(item, received, field="received")
            except Invalid as error:
                raise _line_error(index, "received", error.message) from None
        else:
            received = ZERO
        if received > shipment_line.quantity:
            raise Conflict(
                _("Line %(line)s: %(sent)s %(unit)s were sent; %(received)s cannot have arrived.")
                % {
                    "line": pledge.line.number,
                    "sent": quantity_text(shipment_line.quantity),
                    "unit": item.get_unit_display(),
                    "received": quantity_text(received),
                },
                code="receipt_exceeds_dispatch",
                details={
                    "line": pledge.line.number,
                    "shipment_line": pk,
                    "sent": quantity_text(shipment_line.quantity),
                },
            )
        short = shipment_line.quantity - received
        if short and not entry.get("shortfall_reason", "").strip():
            raise _line_error(index, "shortfall_reason", _("Say why less arrived than was sent."))
        if received:
            if shipment_line.dispatch_movement_id:
                stock_arrive(
                    warehouse, received, dispatch=shipment_line.dispatch_movement, by=ctx.by, reference=shipment
                )
            else:
                stock_receive(warehouse, item, received, by=ctx.by, reference=shipment, reason=_("From production"))
        shipment_line.received = received
        shipment_line.save(update_fields=["received"])
        Pledge.objects.filter(pk=pledge.pk).update(received=F("received") + received, version=F("version") + 1)
        RequestLine.objects.filter(pk=pledge.line_id).update(received=F("received") + received)
        if short:
            shortfalls.append(
                Shortfall.objects.create(
                    request=request, shipment_line=shipment_line, quantity=short, reason=entry["shortfall_reason"]
                )
            )
    shipment.received_at = ctx.now
    shipment.arrived_at = shipment.arrived_at or ctx.now
    shipment.save(update_fields=["received_at", "arrived_at"])
    ctx.record = {"shipment": shipment.number, "shortfalls": [s.pk for s in shortfalls]}


def shortfall_reconcile(request: SupplyRequest, ctx) -> None:
    """Settle a shortfall: sent again by the same pledger, written off (accepted as lost), or
    pledged anew (the line needs it again; the request reopens to pledges)."""
    shortfall = (
        Shortfall.objects.select_for_update().select_related("shipment_line__pledge").get(pk=ctx.data["shortfall"].pk)
    )
    if shortfall.resolution:
        raise Conflict(
            _("This shortfall has been reconciled already."),
            code="already_reconciled",
            details={"shortfall": shortfall.pk, "resolution": shortfall.resolution},
        )
    pledge = Pledge.objects.select_for_update().get(pk=shortfall.shipment_line.pledge_id)
    resolution, quantity = ctx.data["resolution"], shortfall.quantity
    R = Shortfall.Resolution
    if resolution == R.RESENT:
        pledge.resend += quantity
    elif resolution == R.WRITTEN_OFF:
        pledge.written_off += quantity
        RequestLine.objects.filter(pk=pledge.line_id).update(written_off=F("written_off") + quantity)
    else:
        pledge.repledged += quantity
        RequestLine.objects.filter(pk=pledge.line_id).update(allocated=F("allocated") - quantity)
    pledge.version += 1
    pledge.save()
    shortfall.resolution = resolution
    shortfall.resolved_at = ctx.now
    shortfall.resolved_by = ctx.by
    shortfall.note = ctx.data.get("note", "")
    shortfall.save()
    ctx.record = {"shortfall": shortfall.pk, "resolution": resolution, "reopens": resolution == R.REPLEDGED}


# --- cancelling -------------------------------------------------------------------------------


def request_release_all(request: SupplyRequest, ctx) -> None:
    """Cancelled: every reservation and commitment the request's pledges hold is released, at
    whatever stage (goods already on the road are not recalled by the platform; their
    shipments stay on record)."""
    released = []
    pledges = _locked_pledges(request, request.pledges.filter(held__gt=0).values("pk"))
    for pledge in pledges:
        _give_back(pledge, pledge.held, ctx, reason=_("Request cancelled"), on_behalf=True)
        released.append(pledge.pk)
    for pledge in pledges:
        pledge.version += 1
        pledge.save()
    request.pledges.filter(state=Pledge.S.OFFERED).update(state=Pledge.S.RELEASED, version=F("version") + 1)
    ctx.record = {"released": released}


# --- personal numbers -------------------------------------------------------------------------


def supply_request_unmask(*, by, pk, reason: str) -> dict:
    """The full phone numbers of a request's contact and of its shipments' drivers, for the
    request's participants only, with a stated reason (recorded in the personal-data access
    log). Invisible → 404."""
    from coordination.pii.access import Action, personal_data_access_record
    from coordination.workflow.access import case_for_user

    reason = (reason or "").strip()
    if not reason or len(reason) > 500 or "\x00" in reason:
        message = _("Say why you need the full numbers (at most 500 characters).")
        raise Invalid(message, details={"reason": [message]})
    with transaction.atomic():
        request = case_for_user(by, SupplyRequest, pk)
        personal_data_access_record(request, by=by, action=Action.UNMASK, reason=reason)
        return {
            "contact_phone": request.contact_phone,
            "shipments": [
                {"number": shipment.number, "driver_phone": shipment.driver_phone}
                for shipment in request.shipments.order_by("number")
            ],
        }
