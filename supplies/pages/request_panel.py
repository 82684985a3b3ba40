"""The M4 request's panel on the generic case page (the declaration's `case_panel` and
`case_context`): its lines with what is pledged, allocated, dispatched and received; the
pledges; the allocation orders; the shipments with their journeys; the shortfalls — and the
forms of the transitions the user may fire that act on them, each shown only when there is
something to act on. A fixed number of queries, whatever the number of lines or pledges.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.workflow.access import membership_of
from supplies.models import Pledge, ShipmentHop, ShipmentLine, Shortfall, StockBalance
from supplies.pages.forms import READERS, FormErrors, form_errors
from supplies.quantities import quantity_text
from supplies.selectors import capacity_current

ZERO = Decimal(0)
ALLOCATION_ORDER_PDF = "/api/v1/allocation-orders/{pk}/pdf/"  # the API's download (§5.1)


class Typed:
    """What the user typed into one form before it was refused (None when it is not this form:
    another action, or the same action on another shipment), and the refusal's errors."""

    def __init__(self, action: str, submitted, errors, *, match: dict | None = None, form_name: str | None = None):
        submitted = submitted or {}
        values = submitted.get("values") if submitted.get("action") == action else None
        if values is not None and match and any(values.get(k, "") != str(v) for k, v in match.items()):
            values = None
        self.values = values
        self.message = submitted.get("message", "") if values is not None else ""
        self.errors = FormErrors()
        if values is not None and errors and errors.get("action") == action:
            self.errors = form_errors(errors.get("errors"), READERS[form_name or action](values))

    def get(self, name: str, default="") -> str:
        if self.values is None:
            return "" if default is None else str(default)
        return self.values.get(name, "")

    def row(self, key: int) -> dict[str, list[str]]:
        return self.errors.rows.get(key, {})


def _form(action: str, typed: Typed, **extra) -> dict:
    return {"action": action, "typed": typed, "errors": typed.errors, "message": typed.message, **extra}


def _number(value: Decimal) -> str:
    return quantity_text(value)


# --- where a pledge may come from --------------------------------------------------------------------


def pledge_sources(organisation, items) -> dict[int, list[tuple[str, str]]]:
    """item id → the choices an organisation pledges it from: its warehouses holding free
    stock of it (the free quantity shown), then its region's enterprises with uncommitted
    daily capacity. Two queries for any number of items."""
    sources: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if organisation is None:
        return sources
    item_ids = {item.pk for item in items}
    units = {item.pk: item.get_unit_display() for item in items}
    balances = (
        StockBalance.objects.filter(warehouse__organisation=organisation, item_id__in=item_ids)
        .select_related("warehouse")
        .order_by("warehouse__code")
    )
    for balance in balances:
        if balance.free > 0:
            sources[balance.item_id].append(
                (
                    f"warehouse:{balance.warehouse.code}",
                    _("%(warehouse)s — %(free)s %(unit)s free")
                    % {
                        "warehouse": balance.warehouse.name,
                        "free": _number(balance.free),
                        "unit": units[balance.item_id],
                    },
                )
            )
    capacities = (
        capacity_current(timezone.localdate())
        .filter(region_id=organisation.region_id, item_id__in=item_ids)
        .order_by("enterprise")
    )
    for capacity in capacities:
        if capacity.uncommitted > 0:
            sources[capacity.item_id].append(
                (
                    f"capacity:{capacity.pk}",
                    _("%(enterprise)s (production) — %(free)s %(unit)s a day uncommitted")
                    % {
                        "enterprise": capacity.enterprise,
                        "free": _number(capacity.uncommitted),
                        "unit": units[capacity.item_id],
                    },
                )
            )
    return sources


def pledge_rows(lines, sources, typed: Typed) -> list[dict]:
    """The pledge form's rows: a line still short, what it may come from, what was typed."""
    rows = []
    for line in lines:
        if line.still_needed <= 0:
            continue
        choices = sources.get(line.item_id, [])
        errors = typed.row(line.number)
        rows.append(
            {
                "line": line,
                "prefix": f"line-{line.number}",
                "sources": choices,
                "quantity": typed.get(f"line-{line.number}-quantity"),
                "source": typed.get(f"line-{line.number}-source", choices[0][0] if choices else ""),
                "ready_on": typed.get(f"line-{line.number}-ready_on"),
                "note": typed.get(f"line-{line.number}-note"),
                "errors": {
                    "quantity": errors.get("quantity", []),
                    "source": errors.get("warehouse", []) + errors.get("capacity", []),
                    "ready_on": errors.get("ready_on", []),
                    "other": errors.get("line", []) + errors.get("note", []) + errors.get("non_field_errors", []),
                },
            }
        )
    return rows


# --- the panel --------------------------------------------------------------------------------------


def request_panel_context(case, user, *, allowed, errors=None, submitted=None) -> dict:
    membership = membership_of(user)
    mine = membership.organisation if membership else None
    lines = list(case.lines.select_related("item"))
    pledges = list(case.pledges.select_related("organisation", "line__item", "warehouse", "capacity"))
    pledges_by_id = {pledge.pk: pledge for pledge in pledges}
    for line in lines:
        line.pledge_list = [pledge for pledge in pledges if pledge.line_id == line.pk]
    orders = list(case.allocations.select_related("supplier").prefetch_related("pledges"))
    for order in orders:
        order.pledge_list = [pledges_by_id[p.pk] for p in order.pledges.all() if p.pk in pledges_by_id]
        order.pdf_url = ALLOCATION_ORDER_PDF.format(pk=order.pk)
    shipments = list(
        case.shipments.select_related("allocation__supplier").prefetch_related(
            Prefetch("hops", queryset=ShipmentHop.objects.order_by("at", "id")),
            Prefetch("lines", queryset=ShipmentLine.objects.order_by("id")),
        )
    )
    for shipment in shipments:
        shipment.line_list = list(shipment.lines.all())
        for shipment_line in shipment.line_list:
            shipment_line.pledge = pledges_by_id[shipment_line.pledge_id]
    shortfalls = list(case.shortfalls.select_related("shipment_line__shipment", "resolved_by").order_by("id"))
    for shortfall in shortfalls:
        shortfall.pledge = pledges_by_id[shortfall.shipment_line.pledge_id]

    forms = _forms(case, mine, set(allowed), lines, pledges, orders, shipments, shortfalls, errors, submitted)
    return {
        "lines": lines,
        "pledges": pledges,
        "orders": orders,
        "shipments": shipments,
        "shortfalls": shortfalls,
        "mine": mine,
        "forms": forms,
        "resolutions": Shortfall.Resolution.choices,
        "hop_kinds": [(k, label) for k, label in ShipmentHop.Kind.choices if k != ShipmentHop.Kind.DEPARTED],
    }


def _forms(case, mine, allowed, lines, pledges, orders, shipments, shortfalls, errors, submitted) -> dict:
    """The forms of the allowed transitions that have something to act on."""
    forms: dict = {}

    def typed(action, **kwargs):
        return Typed(action, submitted, errors, **kwargs)

    if "pledge" in allowed and any(line.still_needed > 0 for line in lines):
        t = typed("pledge")
        sources = pledge_sources(mine, [line.item for line in lines])
        rows = pledge_rows(lines, sources, t)
        if any(row["sources"] for row in rows):  # nothing to pledge from: no form
            forms["pledge"] = _form("pledge", t, rows=rows)

    mine_pk = mine.pk if mine else None
    if "withdraw_pledge" in allowed:
        withdrawable = [
            p
            for p in pledges
            if p.organisation_id == mine_pk
            and (p.state == Pledge.S.OFFERED or (p.state == Pledge.S.ACCEPTED and p.dispatchable > 0))
        ]
        if withdrawable:
            t = typed("withdraw_pledge")
            forms["withdraw_pledge"] = _form(
                "withdraw_pledge",
                t,
                rows=[{"pledge": p, "checked": bool(t.get(f"withdraw-{p.pk}"))} for p in withdrawable],
                reason=t.get("reason"),
            )

    if "allocate" in allowed:
        offered = [p for p in pledges if p.state == Pledge.S.OFFERED]
        if offered:
            t = typed("allocate")
            # Prefilled with what was pledged, as far as the line still needs it (first come first).
            left = {line.pk: line.still_needed for line in lines}
            rows = []
            for p in offered:
                default = min(p.offered, max(left[p.line_id], ZERO))
                left[p.line_id] -= default
                rows.append({"pledge": p, "quantity": t.get(f"accept-{p.pk}", _number(default)), "errors": t.row(p.pk)})
            forms["allocate"] = _form("allocate", t, rows=rows)

    if "dispatch" in allowed:
        for order in orders:
            if order.supplier_id != mine_pk:
                continue
            sendable = [p for p in order.pledge_list if p.dispatchable > 0]
            if not sendable:
                continue
            t = typed("dispatch", match={"allocation": order.pk})
            rows = [
                {"pledge": p, "quantity": t.get(f"ship-{p.pk}", _number(p.dispatchable)), "errors": t.row(p.pk)}
                for p in sendable
            ]
            arrival = timezone.localtime() + timedelta(hours=6)
            order.dispatch_form = _form(
                "dispatch",
                t,
                order=order,
                rows=rows,
                values={
                    name: t.get(name)
                    for name in ("vehicle_plate", "driver_name", "driver_phone", "route", "expected_arrival")
                }
                | {"expected_arrival": t.get("expected_arrival", arrival.strftime("%Y-%m-%dT%H:%M"))},
            )
            forms["dispatch"] = True

    if "record_hop" in allowed:
        own = [s for s in shipments if s.allocation.supplier_id == mine_pk]
        if own:
            t = typed("record_hop")
            on_road = [s for s in own if s.received_at is None and s.arrived_at is None]
            default = (on_road or own)[-1].number
            forms["record_hop"] = _form(
                "record_hop",
                t,
                shipments=own,
                values={
                    "shipment": t.get("shipment", default),
                    "kind": t.get("kind", ShipmentHop.Kind.CHECKPOINT),
                    "place": t.get("place"),
                    "at": t.get("at"),
                    "note": t.get("note"),
                },
            )

    if "confirm_receipt" in allowed:
        for shipment in shipments:
            if shipment.received_at is not None:
                continue
            t = typed("confirm_receipt", match={"shipment": shipment.number})
            rows = [
                {
                    "line": sl,
                    "received": t.get(f"received-{sl.pk}", _number(sl.quantity)),
                    "reason": t.get(f"reason-{sl.pk}"),
                    "errors": t.row(sl.pk),
                }
                for sl in shipment.line_list
            ]
            shipment.receipt_form = _form("confirm_receipt", t, shipment=shipment, rows=rows)
            forms["confirm_receipt"] = True

    if "reconcile_shortfall" in allowed:
        for shortfall in shortfalls:
            if shortfall.resolution:
                continue
            t = typed("reconcile_shortfall", match={"shortfall": shortfall.pk})
            shortfall.reconcile_form = _form(
                "reconcile_shortfall",
                t,
                shortfall=shortfall,
                values={"resolution": t.get("resolution"), "note": t.get("note")},
            )
            forms["reconcile_shortfall"] = True
    return forms
