"""The core panels of the leaders' briefing, registered on import (coordination.briefing.service
imports this module, so the page, its JSON and the daily PDF always have them).

Each `compute(scope)` returns aggregates only — counts, rates, durations — never a name, and
the same shape: `columns` and `rows` (the table view, which is also what the PDF prints) and,
where a chart helps, `chart` (an ECharts option holding the same numbers).
"""

from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.briefing import BriefingScope, Panel, register
from coordination.models import Mechanism, Organisation, Participant, Region
from coordination.my_work import open_states
from coordination.workflow import mechanisms
from coordination.workflow.deadlines import case_models

PROVINCIAL = ("310000", "320000", "330000", "340000")
OFFICE = "office"  # the Regional Cooperation Office, which has no region
ACK_WINDOW = timedelta(days=30)


def scope_filter(model, scope: BriefingScope) -> Q:
    """Cases a region of the scope takes part in (everything, for all four).

    By the declaration's `region_fields` when it has them (the regions taking part, kept
    on the row); else by its participants, with the organisations' ids spelled out: joining
    organisations inside the search made PostgreSQL hash every participant row of the content
    type (bench/briefing.py).
    """
    if set(PROVINCIAL) <= set(scope.region_codes):
        return Q()
    region_fields = mechanisms.for_model(model).region_fields
    if region_fields:
        return reduce(or_, (Q(**{f"{name}_id__in": scope.region_codes}) for name in region_fields))
    organisations = list(Organisation.objects.filter(region_id__in=scope.region_codes).values_list("pk", flat=True))
    participants = Participant.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
        organisation_id__in=organisations,
    )
    return Q(Exists(participants))


def local_midnight(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localtime(now).date(), time.min))


def region_labels() -> dict[str, str]:
    labels = {r.code: r.name for r in Region.objects.provincial()}
    labels[OFFICE] = _("Regional Cooperation Office")
    return labels


def _mechanism_names() -> dict[str, str]:
    return {m.code: m.name for m in Mechanism.objects.all()}


def _mechanism_codes(model) -> list[str]:
    return sorted(mechanisms.for_model(model).all_codes())


def _bar_chart(categories: list[str], series: dict[str, list], *, stack: bool = False) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "category", "data": categories, "axisLabel": {"interval": 0, "hideOverlap": False}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": name, "type": "bar", "data": data, **({"stack": "total"} if stack else {})}
            for name, data in series.items()
        ],
    }


# --- cases open, new today and overdue, per mechanism -------------------------------------------


def cases_figures(scope: BriefingScope) -> dict:
    midnight = local_midnight(scope.now)
    counts: dict[str, dict[str, int]] = {}
    for model in case_models():
        for code in _mechanism_codes(model):
            counts.setdefault(code, {"open": 0, "new_today": 0, "overdue": 0})
        still_open = Q(state__in=sorted(open_states(model)))
        cases = model.objects.filter(scope_filter(model, scope)).order_by()
        # Three narrow counts, each answered by an index (state; created_at; due_at), instead of
        # one pass with conditional counts over every case ever filed (bench/briefing.py).
        for key, condition in (
            ("open", still_open),
            ("new_today", Q(created_at__gte=midnight)),
            ("overdue", still_open & Q(due_at__lte=scope.now)),
        ):
            for row in cases.filter(condition).values("mechanism_id").annotate(n=Count("pk")):
                counts.setdefault(row["mechanism_id"], {"open": 0, "new_today": 0, "overdue": 0})[key] += row["n"]
    names = _mechanism_names()
    codes = [code for code in names if code in counts]
    rows = [
        [code, names[code], counts[code]["open"], counts[code]["new_today"], counts[code]["overdue"]] for code in codes
    ]
    totals = {key: sum(c[key] for c in counts.values()) for key in ("open", "new_today", "overdue")}
    return {
        "columns": [_("Code"), _("Mechanism"), _("Open"), _("New today"), _("Overdue")],
        "rows": rows,
        "totals": totals,
        "chart": _bar_chart(
            codes,
            {
                _("Open"): [counts[c]["open"] for c in codes],
                _("New today"): [counts[c]["new_today"] for c in codes],
                _("Overdue"): [counts[c]["overdue"] for c in codes],
            },
        ),
    }


# --- escalations waiting for a leader -------------------------------------------------------------


def escalation_figures(scope: BriefingScope) -> dict:
    """Cases escalated (deadline.escalated, escalate audit entries) and still overdue in the
    state they were escalated in: a transition since would have reset the deadline."""
    waiting: dict[str, dict] = {}
    for model in case_models():
        rows = (
            model.objects.filter(scope_filter(model, scope))
            .filter(escalated_at__isnull=False, due_at__lte=scope.now, state__in=sorted(open_states(model)))
            .order_by()
            .values("mechanism_id")
            .annotate(n=Count("pk"), oldest=Min("escalated_at"))
        )
        for row in rows:
            entry = waiting.setdefault(row["mechanism_id"], {"n": 0, "oldest": row["oldest"]})
            entry["n"] += row["n"]
            entry["oldest"] = min(entry["oldest"], row["oldest"])
    names = _mechanism_names()
    codes = [code for code in names if code in waiting]
    rows = [
        [code, names[code], waiting[code]["n"], round((scope.now - waiting[code]["oldest"]).total_seconds() / 3600, 1)]
        for code in codes
    ]
    return {
        "columns": [_("Code"), _("Mechanism"), _("Escalated, waiting"), _("Oldest (hours)")],
        "rows": rows,
        "total": sum(row[2] for row in rows),
        "chart": _bar_chart(codes, {_("Escalated, waiting"): [waiting[c]["n"] for c in codes]}) if codes else None,
    }


register(
    Panel(
        key="cases",
        title=gettext_lazy("Cases by mechanism"),
        order=10,
        compute=cases_figures,
        template="briefing/panels/table_chart.html",
    )
)
register(
    Panel(
        key="escalations",
        title=gettext_lazy("Escalations waiting"),
        order=50,
        compute=escalation_figures,
        template="briefing/panels/table_chart.html",
    )
)
