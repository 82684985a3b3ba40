"""The leaders' briefing panels of measure notices: acknowledgement per issuing × addressee
region, and the measures in force today."""

import statistics

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.briefing import BriefingScope, Panel
from coordination.briefing.core import ACK_WINDOW, OFFICE, PROVINCIAL, _bar_chart, region_labels, scope_filter
from coordination.mechanisms.measure_notices.models import MeasureNotice
from coordination.models import Receipt

# --- acknowledgement of measure notices: issuing region × addressee region --------------------


def acknowledgement_figures(scope: BriefingScope) -> dict:
    """For notices issued in the last 30 days: the share of addressee receipts acknowledged and
    the median minutes from issue to acknowledgement, per issuing × addressee region."""
    since = scope.now - ACK_WINDOW
    notices = MeasureNotice.objects.filter(pk=OuterRef("object_id")).order_by()  # one row: no sort
    receipts = (
        Receipt.objects.filter(content_type=ContentType.objects.get_for_model(MeasureNotice), created_at__gte=since)
        .annotate(
            issuer_region=Subquery(notices.values("originator__region_id")[:1]),
            issued_at=Subquery(notices.values("created_at")[:1]),
            notice_state=Subquery(notices.values("state")[:1]),
        )
        .exclude(notice_state=MeasureNotice.State.WITHDRAWN)
        .values_list("issuer_region", "organisation__region_id", "acknowledged_at", "issued_at")
    )
    in_scope = set(scope.region_codes)
    cells: dict[tuple[str, str], dict] = {}
    for issuer, addressee, acknowledged_at, issued_at in receipts.iterator(chunk_size=5000):
        issuer, addressee = issuer or OFFICE, addressee or OFFICE
        if issuer not in in_scope and addressee not in in_scope:
            continue
        cell = cells.setdefault((issuer, addressee), {"receipts": 0, "minutes": []})
        cell["receipts"] += 1
        if acknowledged_at is not None:
            cell["minutes"].append(max(0.0, (acknowledged_at - issued_at).total_seconds() / 60))
    labels = region_labels()
    keys = [code for code in (*PROVINCIAL, OFFICE) if any(code in pair for pair in cells)] or list(PROVINCIAL)
    rows, heat = [], []
    for i, issuer in enumerate(keys):
        for j, addressee in enumerate(keys):
            cell = cells.get((issuer, addressee))
            if not cell:
                continue
            acknowledged = len(cell["minutes"])
            rate = round(100 * acknowledged / cell["receipts"], 1)
            median = round(statistics.median(cell["minutes"])) if cell["minutes"] else None
            rows.append([labels[issuer], labels[addressee], cell["receipts"], acknowledged, rate, median])
            heat.append([j, i, rate])
    return {
        "columns": [
            _("Issuing region"),
            _("Addressee region"),
            _("Receipts"),
            _("Acknowledged"),
            _("Acknowledged (%)"),
            _("Median minutes to acknowledge"),
        ],
        "rows": rows,
        "window_days": ACK_WINDOW.days,
        "chart": {
            "tooltip": {"position": "top"},
            "grid": {"left": 8, "right": 8, "bottom": 56, "top": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": [labels[k] for k in keys], "axisLabel": {"interval": 0}},
            "yAxis": {"type": "category", "data": [labels[k] for k in keys], "axisLabel": {"interval": 0}},
            "visualMap": {
                "min": 0,
                "max": 100,
                "calculable": False,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
                "inRange": {"color": ["#f6d5d7", "#1a7f37"]},
            },
            "series": [
                {"name": _("Acknowledged (%)"), "type": "heatmap", "data": heat, "label": {"show": True}},
            ],
        },
    }


# --- measures in force today ----------------------------------------------------------------------


def measures_in_force_figures(scope: BriefingScope) -> dict:
    today = timezone.localtime(scope.now).date()
    counts = (
        MeasureNotice.in_force(MeasureNotice.objects.filter(scope_filter(MeasureNotice, scope)), on=today)
        .order_by()
        .values("originator__region_id", "category")
        .annotate(n=Count("pk"))
    )
    labels = region_labels()
    categories = dict(MeasureNotice.Category.choices)
    table: dict[str, dict[str, int]] = {}
    for row in counts:
        region = row["originator__region_id"] or OFFICE
        table.setdefault(row["category"], {})[region] = row["n"]
    has_office = any(OFFICE in by_region for by_region in table.values())
    regions = [*PROVINCIAL, OFFICE] if has_office else list(PROVINCIAL)
    rows = [
        [
            str(categories.get(category, category)),
            *[by_region.get(code, 0) for code in regions],
            sum(by_region.values()),
        ]
        for category, by_region in sorted(table.items())
    ]
    return {
        "columns": [_("Category"), *[labels[code] for code in regions], _("Total")],
        "rows": rows,
        "date": today.isoformat(),
        "total": sum(row[-1] for row in rows),
        "chart": _bar_chart(
            [labels[code] for code in regions],
            {
                str(categories.get(category, category)): [by_region.get(code, 0) for code in regions]
                for category, by_region in sorted(table.items())
            },
            stack=True,
        ),
    }


PANELS = (
    Panel(
        key="acknowledgements",
        title=gettext_lazy("Acknowledgement of measure notices"),
        order=20,
        compute=acknowledgement_figures,
        template="briefing/panels/table_chart.html",
    ),
    Panel(
        key="measures_in_force",
        title=gettext_lazy("Measures in force today"),
        order=30,
        compute=measures_in_force_figures,
        template="briefing/panels/table_chart.html",
        headline=lambda data: {"key": "measures_in_force", "label": _("Measures in force"), "value": data["total"]},
    ),
)
