"""The leaders' briefing panel of INS: aggregates only (never a name or number) — filings by
corridor (insuring → treating region) and type, approval rate, median and p90 time to
decision, and how many are overdue, over the last 30 days."""

from datetime import timedelta
from statistics import median, quantiles

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.briefing import BriefingScope, Panel
from coordination.mechanisms.insurance.models import InsuranceFiling
from coordination.models import Region

WINDOW_DAYS = 30


class Percentile(Aggregate):
    """PostgreSQL's ordered-set PERCENTILE_CONT, so the median and p90 are computed where the
    rows are instead of fetching every decision."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=percentile, **extra)


def decision_hours(decided) -> tuple[float | None, float | None]:
    """Median and 90th percentile of the time from filing to decision, in hours."""
    if connection.vendor == "postgresql":
        taken = ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())
        figures = decided.aggregate(p50=Percentile(taken, 0.5), p90=Percentile(taken, 0.9))
        return tuple(
            round(figures[key].total_seconds() / 3600, 1) if figures[key] is not None else None
            for key in ("p50", "p90")
        )
    hours = sorted((d - c).total_seconds() / 3600 for c, d in decided.values_list("created_at", "decided_at"))
    if not hours:
        return None, None
    p90 = quantiles(hours, n=10)[-1] if len(hours) >= 2 else hours[0]
    return round(median(hours), 1), round(p90, 1)


def insurance_figures(scope: BriefingScope) -> dict:
    since = scope.now - timedelta(days=WINDOW_DAYS)
    codes = list(scope.region_codes)
    filings = InsuranceFiling.objects.filter(created_at__gte=since).filter(
        Q(insuring_region_id__in=codes) | Q(treating_region_id__in=codes)
    )
    S = InsuranceFiling.S
    # One pass over the filings, by corridor and type (the table and the by-type figures).
    groups = (
        filings.values("insuring_region_id", "treating_region_id", "filing_type")
        .annotate(
            total=Count("id"),
            approved=Count("id", filter=Q(state=S.APPROVED)),
            rejected=Count("id", filter=Q(state=S.REJECTED)),
            pending=Count("id", filter=Q(state__in=InsuranceFiling.OPEN_STATES)),
            overdue=Count("id", filter=Q(state=S.SUBMITTED, due_at__lte=scope.now)),
        )
        .order_by()
    )
    corridors: dict[tuple[str, str], list[int]] = {}
    by_type: dict[str, int] = {}
    for group in groups:
        corridor = (group["insuring_region_id"], group["treating_region_id"])
        figures = corridors.setdefault(corridor, [0, 0, 0, 0, 0])
        for i, key in enumerate(("total", "approved", "rejected", "pending", "overdue")):
            figures[i] += group[key]
        by_type[group["filing_type"]] = by_type.get(group["filing_type"], 0) + group["total"]
    names = {r.code: r.name for r in Region.objects.provincial()}
    rows = [
        [f"{names.get(insuring, '?')} → {names.get(treating, '?')}", *figures]
        for (insuring, treating), figures in sorted(corridors.items(), key=lambda item: (-item[1][0], item[0]))
    ]
    decided = filings.filter(state__in=[S.APPROVED, S.REJECTED], decided_at__isnull=False)
    median_hours, p90_hours = decision_hours(decided)
    approved = sum(row[2] for row in rows)
    decisions = approved + sum(row[3] for row in rows)
    return {
        "window_days": WINDOW_DAYS,
        "columns": [
            _("Corridor (insuring → treating)"),
            _("Filings"),
            _("Approved"),
            _("Rejected"),
            _("Open"),
            _("Overdue"),
        ],
        "rows": rows,
        "by_type": [[str(label), by_type.get(value, 0)] for value, label in InsuranceFiling.FilingType.choices],
        "approval_rate": round(100 * approved / decisions, 1) if decisions else None,
        "median_hours": median_hours,
        "p90_hours": p90_hours,
        "overdue": sum(row[5] for row in rows),
        "total": sum(row[1] for row in rows),
    }


PANELS = (
    Panel(
        key="insurance",
        title=gettext_lazy("Insurance filings"),
        order=60,
        compute=insurance_figures,
        template="insurance/briefing_panel.html",
    ),
)
