"""The leaders' briefing panel of F2: per region, the supply-chain requests still open that its
enterprises filed and that it was asked to answer, the employees whose production waits on
them, and the requests it has answered. Aggregates only."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.briefing import BriefingScope, Panel
from coordination.briefing.core import PROVINCIAL, _bar_chart, region_labels, scope_filter
from coordination.my_work import open_states
from supplies.chain.models import SupplyChainRequest

S = SupplyChainRequest.S
REPLIED = (S.REPLIED, S.CLOSED)


def supply_chain_figures(scope: BriefingScope) -> dict:
    requests = SupplyChainRequest.objects.filter(scope_filter(SupplyChainRequest, scope)).order_by()
    still_open = Q(state__in=sorted(open_states(SupplyChainRequest)))
    filed = {
        row["requester_region_id"]: row
        for row in requests.filter(still_open)
        .values("requester_region_id")
        .annotate(open=Count("pk"), employees=Sum("employees_affected"))
    }
    asked = {
        row["supplier_region_id"]: row
        for row in requests.values("supplier_region_id").annotate(
            open=Count("pk", filter=still_open), replied=Count("pk", filter=Q(state__in=REPLIED))
        )
    }
    labels = region_labels()
    regions = [code for code in PROVINCIAL if code in scope.region_codes]
    rows = [
        [
            labels[code],
            filed.get(code, {}).get("open", 0),
            filed.get(code, {}).get("employees") or 0,
            asked.get(code, {}).get("open", 0),
            asked.get(code, {}).get("replied", 0),
        ]
        for code in regions
    ]
    if not any(any(row[1:]) for row in rows):
        rows = []
    return {
        "columns": [
            _("Region"),
            _("Open requests filed"),
            _("Employees affected (open requests)"),
            _("Open requests to answer"),
            _("Replied"),
        ],
        "rows": rows,
        "open": sum(row[1] for row in rows),
        "employees_affected": sum(row[2] for row in rows),
        "replied": sum(row[4] for row in rows),
        "chart": _bar_chart(
            [row[0] for row in rows],
            {
                _("Open requests filed"): [row[1] for row in rows],
                _("Open requests to answer"): [row[3] for row in rows],
                _("Replied"): [row[4] for row in rows],
            },
        )
        if rows
        else None,
    }


PANELS = (
    Panel(
        key="supply_chain",
        title=gettext_lazy("Supply-chain requests"),
        order=70,
        compute=supply_chain_figures,
        template="briefing/panels/table_chart.html",
        headline=lambda data: {
            "key": "supply_chain_employees",
            "label": _("Employees waiting on parts"),
            "value": data["employees_affected"],
        },
    ),
)
