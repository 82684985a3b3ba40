"""The shortage and capacity board (缺口与产能看板) and the flows between regions: pages for those
who see every region's stock (supplies/access.py: liaison offices, leading groups, the Office).

The board is how a region not yet on a request learns of it and pledges: each open line still
short carries a pledge form for a liaison office of another region, posting the pattern's
joining `pledge` transition; once pledged, the office is a participant and goes on to the
request's page. The board refreshes itself every 30 seconds and when a notice arrives, unless
the user is filling in a form.
"""

from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.case_pages import form_values, link_required
from coordination.errors import Conflict, DomainError, Invalid, PreconditionFailed
from coordination.models import Region
from coordination.workflow.access import membership_of, visible_cases
from coordination.workflow.engine import transition_fire
from supplies.models import SupplyItem, SupplyRequest
from supplies.pages.forms import pledge_form
from supplies.pages.request_panel import Typed, pledge_rows, pledge_sources
from supplies.quantities import quantity_text
from supplies.services.aid import pledge_refusal
from supplies.shortage import flows, open_lines_page, shortage_list

RESOURCE = "supply-requests"
BOARD_FORM = "supplies_board_pledge"  # the session key of a refused pledge from the board
CHARTED_ITEMS = 8


def _float(value) -> float:
    return float(value or 0)


def board_filters(params) -> dict:
    """The item and region filters, each kept only when it names a catalogue item or a
    provincial region (anything else is ignored, as the registers' filters are)."""
    item, region = params.get("item", "")[:64], params.get("region", "")[:6]
    return {
        "item": item if item and SupplyItem.objects.filter(code=item).exists() else "",
        "region": region if region and Region.objects.provincial().filter(code=region).exists() else "",
    }


def _query(filters: dict) -> str:
    return urlencode({k: v for k, v in filters.items() if v})


def _item_chart(row, regions) -> dict:
    """One item's bars across the four regions: what each region's requests still need (and
    how much of it is pledged), its free stock and uncommitted daily capacity."""
    names = [region.name for region in regions]

    def series(name, values, **extra):
        return {"name": name, "type": "bar", "data": [_float(values.get(r.code)) for r in regions], **extra}

    return {
        "title": {"text": f"{row.item.name}（{row.item.get_unit_display()}）", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "itemWidth": 14, "itemHeight": 10, "textStyle": {"fontSize": 11}},
        "grid": {"left": 8, "right": 12, "top": 50, "bottom": 64, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value"},
        "series": [
            series(_("Still needed"), row.needed),
            series(_("Pledged"), row.pledged),
            series(_("Free stock"), row.free_stock),
            series(_("Uncommitted capacity per day"), row.capacity),
        ],
    }


def _board_context(request, filters) -> dict:
    membership = membership_of(request.user)
    organisation = membership.organisation if membership else None
    regions = list(Region.objects.provincial().order_by("code"))
    rows = shortage_list(item=filters["item"] or None, region=filters["region"] or None)
    for row in rows:
        row.by_region = [
            {
                "region": region,
                "needed": row.needed.get(region.code),
                "pledged": row.pledged.get(region.code),
                "free": row.free_stock.get(region.code),
                "capacity": row.capacity.get(region.code),
            }
            for region in regions
        ]
    lines = list(open_lines_page(item=filters["item"] or None, region=filters["region"] or None))
    visible = set(
        visible_cases(request.user, SupplyRequest)
        .filter(pk__in={line.request_id for line in lines})
        .values_list("pk", flat=True)
    )
    refused = request.session.pop(BOARD_FORM, None)
    sources = pledge_sources(organisation, {line.item for line in lines}) if organisation else {}
    for line in lines:
        line.visible = line.request_id in visible
        # A line carries its request's region: who may pledge is judged on it (the request's
        # own rule, supplies/services/aid.py), without loading each request.
        refusal = pledge_refusal(SimpleNamespace(requesting_region_id=line.region_id), membership)
        line.may_pledge = refusal is None and line.request.state == SupplyRequest.S.OPEN
        line.refusal = refusal
        if line.may_pledge:
            typed = Typed(
                "pledge",
                refused and {"action": "pledge", "values": refused["values"], "message": refused.get("message", "")},
                refused and refused.get("errors") and {"action": "pledge", "errors": refused["errors"]},
                match={"request": line.request_id, "line": line.number},
            )
            line.form = {"typed": typed, "errors": typed.errors, "message": typed.message}
            line.form["rows"] = pledge_rows([line], sources, typed)
            line.has_sources = bool(sources.get(line.item_id))
    charts = [
        {"id": f"chart-item-{row.item.code}", "option": _item_chart(row, regions)} for row in rows[:CHARTED_ITEMS]
    ]
    return {
        "filters": filters,
        "query": _query(filters),
        "regions": regions,
        "items": SupplyItem.objects.filter(active=True).order_by("category", "code"),
        "rows": rows,
        "charts": charts,
        "lines": lines,
        "refused": bool(refused),
    }


@link_required(RESOURCE, "supplies-shortage")
@require_GET
def shortage_board(request):
    filters = board_filters(request.GET)
    context = _board_context(request, filters)
    template = "supplies/_board_live.html" if request.headers.get("HX-Request") else "supplies/shortage_board.html"
    return render(request, template, context)


@link_required(RESOURCE, "supplies-shortage")
@require_POST
def board_pledge(request, pk: int):
    """A pledge from the board: the same payload as the request page's pledge form (and the
    API's), fired as the joining transition. Pledged, the office goes on to the request's
    page; refused, back to the board with the form as it was typed and the reason beside it."""
    form = pledge_form(request.POST)
    filters = board_filters(
        {"item": request.POST.get("filter_item", ""), "region": request.POST.get("filter_region", "")}
    )
    refused = {"values": {**form_values(request.POST), "request": str(pk)}}
    try:
        case = transition_fire(SupplyRequest, pk, "pledge", by=request.user, data=form.payload)
    except Invalid as exc:
        refused["errors"] = exc.details
    except (Conflict, PreconditionFailed) as exc:
        refused["message"] = str(exc.message)
        messages.error(request, str(exc.message))
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(getattr(exc, "message", "")) or _("You may not pledge to this request."))
        refused = None
    else:
        messages.success(request, _("Pledged to %(reference)s.") % {"reference": case.reference})
        return redirect("case-detail", resource=RESOURCE, pk=case.pk)
    if refused is not None:
        request.session[BOARD_FORM] = refused
    query = _query(filters)
    line = request.POST.get("line", "")
    anchor = f"#line-{pk}-{line}" if line.isdigit() else ""
    return redirect(f"{reverse('supplies-shortage')}{'?' + query if query else ''}{anchor}")


# --- flows ------------------------------------------------------------------------------------------


# One colour per region, on both sides of the diagram.
REGION_COLOURS = {"310000": "#b3131b", "320000": "#0969da", "330000": "#1a7f37", "340000": "#9a6700"}


def _sankey(totals: dict[tuple[str, str], float], names: dict[str, str]) -> dict:
    """Regions send on the left and receive on the right: a region that does both appears
    twice, so the diagram has no cycles (ECharts' Sankey draws none)."""
    sends = {source for source, _target in totals}
    receives = {target for _source, target in totals}

    def sender(code):
        return _("%(region)s (sends)") % {"region": names.get(code, code)}

    def receiver(code):
        return _("%(region)s (receives)") % {"region": names.get(code, code)}

    return {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "sankey",
                "left": 8,
                "right": 120,
                "emphasis": {"focus": "adjacency"},
                "nodeAlign": "justify",
                "data": [
                    {"name": name(code), "itemStyle": {"color": REGION_COLOURS.get(code, "#57606a")}}
                    for name, codes in ((sender, sends), (receiver, receives))
                    for code in sorted(codes)
                ],
                "links": [
                    {"source": sender(s), "target": receiver(t), "value": value}
                    for (s, t), value in sorted(totals.items())
                    if value > 0
                ],
                "lineStyle": {"color": "source", "opacity": 0.35, "curveness": 0.5},
                "label": {"fontSize": 13},
            }
        ],
    }


@link_required(RESOURCE, "supplies-flows")
@require_GET
def flows_view(request):
    """Quantities dispatched between regions (supplies.shortage.flows), for one item or all."""
    filters = board_filters(request.GET)
    since_text = request.GET.get("since", "")[:10]
    since = parse_date(since_text) if since_text else None
    rows = [flow for flow in flows(since=since) if not filters["item"] or flow["item"] == filters["item"]]
    regions = {region.code: region.name for region in Region.objects.provincial()}
    items = {item.code: item for item in SupplyItem.objects.filter(code__in={row["item"] for row in rows})}
    totals: dict[tuple[str, str], float] = {}
    for row in rows:
        row["from_name"], row["to_name"] = regions.get(row["from"], row["from"]), regions.get(row["to"], row["to"])
        row["item_obj"] = items.get(row["item"])
        row["dispatched_text"], row["received_text"] = quantity_text(row["dispatched"]), quantity_text(row["received"])
        totals[row["from"], row["to"]] = totals.get((row["from"], row["to"]), 0.0) + float(row["dispatched"])
    return render(
        request,
        "supplies/flows.html",
        {
            "filters": filters,
            "since": since.isoformat() if since else "",
            "since_invalid": bool(since_text) and since is None,
            "items": SupplyItem.objects.filter(active=True).order_by("category", "code"),
            "rows": rows,
            "chart": _sankey(totals, regions) if totals else None,
            # Units differ between items: the diagram adds them up only for one item.
            "mixed_units": not filters["item"] and len({item.unit for item in items.values()}) > 1,
        },
    )
