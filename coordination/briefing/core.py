"""The core panels of the leaders' briefing, registered on import (coordination.briefing.service
imports this module, so the page, its JSON and the daily PDF always have them).

Each `compute(scope)` returns aggregates only — counts, rates, durations — never a name, and
the same shape: `columns` and `rows` (the table view, which is also what the PDF prints) and,
where a chart helps, `chart` (an ECharts option holding the same numbers).
"""

import statistics
from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.briefing import BriefingScope, Panel, register
from coordination.models import MeasureNotice, Mechanism, Organisation, Participant, Region
from coordination.my_work import open_states
from coordination.workflow.deadlines import case_models

PROVINCIAL = ("310000", "320000", "330000", "340000")
OFFICE = "office"  # the Regional Cooperation Office, which has no region
ACK_WINDOW = timedelta(days=30)


def scope_filter(model, scope: BriefingScope) -> Q:
    """Cases a region of the scope takes part in (everything, for all four).

    By the model's `participant_region_fields` when it has them (the regions taking part, kept
    on the row); else by its participants, with the organisations' ids spelled out: joining
    organisations inside the search made PostgreSQL hash every participant row of the content
    type (bench/briefing.py).
    """
    if set(PROVINCIAL) <= set(scope.region_codes):
        return Q()
    region_fields = getattr(model, "participant_region_fields", ())
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
    return sorted(getattr(model, "reference_codes", None) or [model.mechanism_code])


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


# --- acknowledgement of measure notices: issuing region × addressee region --------------------


def acknowledgement_figures(scope: BriefingScope) -> dict:
    """For notices issued in the last 30 days: the share of addressee receipts acknowledged and
    the median minutes from issue to acknowledgement, per issuing × addressee region."""
    since = scope.now - ACK_WINDOW
    notices = MeasureNotice.objects.filter(pk=OuterRef("object_id")).order_by()  # one row: no sort
    receipts = (
        Participant.objects.filter(
            content_type=ContentType.objects.get_for_model(MeasureNotice),
            role=Participant.Role.ADDRESSEE,
            joined_at__gte=since,
        )
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
        MeasureNotice.objects.filter(scope_filter(MeasureNotice, scope))
        .filter(Q(effective_from__lte=today) & (Q(effective_until__isnull=True) | Q(effective_until__gte=today)))
        .exclude(state=MeasureNotice.State.WITHDRAWN)
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
        key="acknowledgements",
        title=gettext_lazy("Acknowledgement of measure notices"),
        order=20,
        compute=acknowledgement_figures,
        template="briefing/panels/table_chart.html",
    )
)
register(
    Panel(
        key="measures_in_force",
        title=gettext_lazy("Measures in force today"),
        order=30,
        compute=measures_in_force_figures,
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
