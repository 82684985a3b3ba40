"""The leaders' briefing panels of M4 mutual aid: the shortage by item and requesting region
with the requests behind it, and the aid delivered — fulfilment rate, median hours from
request to receipt, and the quantities moved between regions (a Sankey)."""

import statistics
from datetime import timedelta
from decimal import Decimal

from django.db.models import Min, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.briefing import BriefingScope, Panel
from coordination.briefing.core import PROVINCIAL, _bar_chart, region_labels
from supplies.models import RequestLine, Shipment, SupplyRequest
from supplies.quantities import quantity_text
from supplies.shortage import flows, shortage_list

WINDOW = timedelta(days=30)
ZERO = Decimal(0)


def shortage_figures(scope: BriefingScope) -> dict:
    """Open requests and what they still need, per item × requesting region in scope."""
    labels = region_labels()
    regions = [code for code in PROVINCIAL if code in scope.region_codes]
    rows, series = [], {labels[code]: [] for code in regions}
    categories = []
    for row in shortage_list():
        needed = {code: row.needed.get(code, ZERO) for code in regions}
        if not any(needed.values()):
            continue
        categories.append(row.item.name)
        for code in regions:
            series[labels[code]].append(float(needed[code]))
        rows.append(
            [
                row.item.name,
                row.item.get_unit_display(),
                *(quantity_text(needed[code]) for code in regions),
                quantity_text(row.total_pledged),
                quantity_text(row.uncovered),
                quantity_text(row.total_free),
            ]
        )
    open_requests = SupplyRequest.objects.filter(
        state__in=SupplyRequest.OPEN_STATES, requesting_region_id__in=regions
    ).count()
    return {
        "columns": [
            _("Item"),
            _("Unit"),
            *(_("%(region)s needs") % {"region": labels[code]} for code in regions),
            _("Pledged"),
            _("Uncovered"),
            _("Free stock in the Delta"),
        ],
        "rows": rows,
        "open_requests": open_requests,
        "chart": _bar_chart(categories, series, stack=True) if rows else None,
    }


def _median_hours_to_receipt(requests) -> float | None:
    """From a request's filing to the first receipt confirmed on it, in hours."""
    first_receipts = (
        Shipment.objects.filter(request__in=requests, received_at__isnull=False)
        .values("request_id", "request__created_at")
        .annotate(first=Min("received_at"))
    )
    hours = [(row["first"] - row["request__created_at"]).total_seconds() / 3600 for row in first_receipts]
    return round(statistics.median(hours), 1) if hours else None


def aid_delivered_figures(scope: BriefingScope) -> dict:
    """Requests filed in the last 30 days by regions in scope: share of the asked quantity
    received (fulfilment), median hours to the first receipt; and the flows between regions."""
    labels = region_labels()
    since = scope.now - WINDOW
    requests = SupplyRequest.objects.filter(created_at__gte=since, requesting_region_id__in=scope.region_codes)
    lines = RequestLine.objects.filter(request__in=requests).exclude(request__state=SupplyRequest.S.CANCELLED)
    totals = lines.aggregate(asked=Sum("quantity"), received=Sum("received"), allocated=Sum("allocated"))
    # Fulfilment per line, so a mask count does not drown a ventilator count.
    per_line = [
        min(float(line["received"] / line["quantity"]), 1.0)
        for line in lines.values("received", "quantity")
        if line["quantity"]
    ]
    fulfilment = round(100 * sum(per_line) / len(per_line), 1) if per_line else None
    moved = [
        flow
        for flow in flows(since=since.date())
        if flow["from"] in scope.region_codes or flow["to"] in scope.region_codes
    ]
    by_pair: dict[tuple[str, str], Decimal] = {}
    for flow in moved:
        by_pair[flow["from"], flow["to"]] = by_pair.get((flow["from"], flow["to"]), ZERO) + flow["dispatched"]
    rows = [
        [
            labels.get(flow["from"], flow["from"]),
            labels.get(flow["to"], flow["to"]),
            flow["item"],
            quantity_text(flow["dispatched"]),
            quantity_text(flow["received"]),
        ]
        for flow in moved
    ]
    nodes = sorted({code for pair in by_pair for code in pair})
    chart = None
    if by_pair:
        # A Sankey needs distinct node names for senders and receivers: "浙江省 →" and "→ 江苏省".
        chart = {
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "type": "sankey",
                    "emphasis": {"focus": "adjacency"},
                    "data": [{"name": f"{labels[c]} →"} for c in nodes] + [{"name": f"→ {labels[c]}"} for c in nodes],
                    "links": [
                        {"source": f"{labels[s]} →", "target": f"→ {labels[t]}", "value": float(v)}
                        for (s, t), v in sorted(by_pair.items())
                    ],
                }
            ],
        }
    return {
        "columns": [_("From"), _("To"), _("Item"), _("Dispatched"), _("Received")],
        "rows": rows,
        "window_days": WINDOW.days,
        "requests": requests.count(),
        "fulfilment_rate": fulfilment,
        "median_hours_to_receipt": _median_hours_to_receipt(requests),
        "asked": quantity_text(totals["asked"] or ZERO),
        "received": quantity_text(totals["received"] or ZERO),
        "chart": chart,
    }


PANELS = (
    Panel(
        key="supply_shortage",
        title=gettext_lazy("Supply shortage by item and region"),
        order=40,
        compute=shortage_figures,
        template="briefing/panels/table_chart.html",
        headline=lambda data: {
            "key": "supply_requests_open",
            "label": _("Open supply requests"),
            "value": data["open_requests"],
            "alert": bool(data["rows"]),
        },
    ),
    Panel(
        key="supply_aid_delivered",
        title=gettext_lazy("Supplies moved between regions"),
        order=45,
        compute=aid_delivered_figures,
        template="supplies/briefing_aid.html",
        headline=lambda data: {
            "key": "supply_fulfilment",
            "label": _("Supply requests fulfilled (%)"),
            "value": data["fulfilment_rate"] if data["fulfilment_rate"] is not None else "—",
        },
    ),
)
