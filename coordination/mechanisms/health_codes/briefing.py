"""The leaders' briefing panel of F1: per region, today's health-code verifications — status
tokens its code service issued that checkpoints verified, and the checks its own checkpoints
made — with the latest red/yellow list's size. Aggregates only."""

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination import briefing
from coordination.briefing import BriefingScope, Panel
from coordination.briefing.core import PROVINCIAL, _bar_chart, region_labels
from coordination.mechanisms.health_codes.lookups import latest_lists
from coordination.mechanisms.health_codes.models import CodeList, VerificationCount


def health_code_figures(scope: BriefingScope) -> dict:
    today = timezone.localdate(scope.now)
    counts = VerificationCount.objects.filter(day=today).order_by()
    issued = dict(counts.values("issuer_region").annotate(n=Sum("count")).values_list("issuer_region", "n"))
    checked = dict(counts.values("verifier_region").annotate(n=Sum("count")).values_list("verifier_region", "n"))
    refused = dict(
        counts.exclude(result="valid")
        .values("issuer_region")
        .annotate(n=Sum("count"))
        .values_list("issuer_region", "n")
    )
    sizes = {
        item.region_id: item
        for item in CodeList.objects.filter(pk__in=[ref.id for ref in latest_lists()]).only(
            "region_id", "list_date", "red", "yellow"
        )
    }
    labels = region_labels()
    rows = []
    for code in [c for c in PROVINCIAL if c in scope.region_codes]:
        held = sizes.get(code)
        rows.append(
            [
                labels[code],
                issued.get(code, 0),
                refused.get(code, 0),
                checked.get(code, 0),
                held.list_date.isoformat() if held else "—",
                held.red if held else 0,
                held.yellow if held else 0,
            ]
        )
    if not any(row[1] or row[3] or row[5] or row[6] for row in rows):
        rows = []
    return {
        "columns": [
            _("Region"),
            _("Its tokens verified today"),
            _("Of them not valid"),
            _("Checks by its checkpoints"),
            _("Latest list"),
            _("Red"),
            _("Yellow"),
        ],
        "rows": rows,
        "verified": sum(row[1] for row in rows),
        "chart": _bar_chart(
            [row[0] for row in rows],
            {
                _("Its tokens verified today"): [row[1] for row in rows],
                _("Checks by its checkpoints"): [row[3] for row in rows],
            },
        )
        if rows
        else None,
    }


briefing.register(
    Panel(
        key="health_codes",
        title=gettext_lazy("Health-code mutual recognition"),
        order=75,
        compute=health_code_figures,
        template="briefing/panels/table_chart.html",
        headline=lambda data: {
            "key": "health_code_verifications",
            "label": _("Health codes verified today"),
            "value": data["verified"],
        },
    )
)
