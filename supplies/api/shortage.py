"""`/api/v1/shortage/` and `/api/v1/supply-flows/`: the shortage and capacity board's data.

GET shortage/            per item: still needed by requesting region, pledged, uncovered,
                         free stock and uncommitted capacity by region (?item=, ?region=)
GET shortage/lines/      the newest open lines still short (no contacts, no addresses)
GET supply-flows/        quantities moved between regions per item (?since=YYYY-MM-DD)

Seen by those who see every region's stock (liaison offices, leading groups, the Office):
the board is how a region that is not on a request learns of it and pledges.
"""

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from coordination.errors import Invalid
from coordination.workflow.access import membership_of
from supplies.access import sees_all_stock
from supplies.api.common import MemberPermission
from supplies.quantities import quantity_text
from supplies.shortage import flows, open_lines_page, shortage_list


def _quantities(values: dict) -> dict:
    return {key: quantity_text(value) for key, value in sorted(values.items())}


def _board_viewer(request) -> None:
    if not sees_all_stock(membership_of(request.user)):
        raise PermissionDenied(_("The shortage board is for the regions' liaison offices, leaders and the Office."))


def _filters(request) -> dict:
    item, region = request.query_params.get("item") or None, request.query_params.get("region") or None
    for name, value in (("item", item), ("region", region)):
        if value is not None and (len(value) > 64 or "\x00" in value):
            raise Invalid(_("Not a valid filter."), details={name: [_("Not a valid filter.")]})
    return {"item": item, "region": region}


def shortage_row(row) -> dict:
    return {
        "item": row.item.code,
        "item_name": row.item.name,
        "unit": row.item.unit,
        "lines": row.lines,
        "needed": _quantities(row.needed),
        "pledged": _quantities(row.pledged),
        "total_needed": quantity_text(row.total_needed),
        "total_pledged": quantity_text(row.total_pledged),
        "uncovered": quantity_text(row.uncovered),
        "free_stock": _quantities(row.free_stock),
        "capacity_per_day": _quantities(row.capacity),
        "days_to_cover": row.days_to_cover,
    }


def open_line_row(line) -> dict:
    request = line.request
    return {
        "request": request.pk,
        "reference": request.reference,
        "line": line.number,
        "region": line.region_id,
        "item": line.item.code,
        "item_name": line.item.name,
        "quantity": quantity_text(line.quantity),
        "allocated": quantity_text(line.allocated),
        "pledged": quantity_text(line.pledged),
        "still_needed": quantity_text(line.still_needed),
        "urgency": request.urgency,
        "needed_by": request.needed_by.isoformat(),
        "pledges_due": request.due_at.isoformat() if request.due_at else None,
        "state": request.state,
    }


class ShortageViewSet(viewsets.ViewSet):
    permission_classes = [MemberPermission]

    def list(self, request):
        _board_viewer(request)
        return Response({"results": [shortage_row(row) for row in shortage_list(**_filters(request))]})

    @action(detail=False, methods=["get"], url_path="lines")
    def lines(self, request):
        _board_viewer(request)
        return Response({"results": [open_line_row(line) for line in open_lines_page(**_filters(request))]})


class SupplyFlowViewSet(viewsets.ViewSet):
    permission_classes = [MemberPermission]

    def list(self, request):
        _board_viewer(request)
        since = request.query_params.get("since")
        day = parse_date(since) if since and len(since) <= 10 else None
        if since and day is None:
            raise Invalid(_("Enter a date (YYYY-MM-DD)."), details={"since": [_("Enter a date (YYYY-MM-DD).")]})
        results = [
            {**flow, "dispatched": quantity_text(flow["dispatched"]), "received": quantity_text(flow["received"])}
            for flow in flows(since=day)
        ]
        return Response({"results": results})
