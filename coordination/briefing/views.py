"""The briefing dashboard page (`/briefing/`) and its JSON (`/api/v1/briefing/`), both served from
the scope's snapshot (coordination/briefing/snapshots.py)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied as APIPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.briefing import BriefingScope, panels
from coordination.briefing.core import region_labels
from coordination.briefing.service import briefing_scope_for, scope_for_leader
from coordination.briefing.snapshots import BriefingFigures, briefing_read
from coordination.workflow.access import membership_of


def headline(computed: list[dict]) -> list[dict]:
    """The few numbers a leader reads first, from the core panels' figures."""
    by_key = {panel["key"]: panel["data"] for panel in computed}
    items = []
    if "cases" in by_key:
        totals = by_key["cases"]["totals"]
        items += [
            {"key": "open", "label": _("Cases open"), "value": totals["open"]},
            {"key": "new_today", "label": _("New today"), "value": totals["new_today"]},
            {"key": "overdue", "label": _("Overdue"), "value": totals["overdue"], "alert": totals["overdue"] > 0},
        ]
    if "escalations" in by_key:
        total = by_key["escalations"]["total"]
        items.append({"key": "escalations", "label": _("Escalations waiting"), "value": total, "alert": total > 0})
    declared = {panel.key: panel for panel in panels()}
    for key, data in by_key.items():
        panel = declared.get(key)
        if panel is not None and panel.headline is not None and key not in ("cases", "escalations"):
            items.append(panel.headline(data))
    return items


def dashboard_context(scope: BriefingScope, figures: BriefingFigures) -> dict:
    labels = region_labels()
    return {
        "panels": figures.panels,
        "headline": headline(figures.panels),
        "scope_regions": [labels[code] for code in scope.region_codes],
        "generated_at": figures.computed_at,
        "stale": figures.stale,
    }


def briefing_document(scope: BriefingScope, figures: BriefingFigures) -> dict:
    """The JSON of the briefing: `generated_at` is when its figures were computed, `stale` true
    while newer ones are being computed."""
    return {
        "generated_at": figures.computed_at.isoformat(),
        "stale": figures.stale,
        "regions": list(scope.region_codes),
        "panels": [{k: v for k, v in panel.items() if k != "template"} for panel in figures.panels],
    }


@login_required
@never_cache
def dashboard(request):
    scope = briefing_scope_for(request.user)
    context = dashboard_context(scope, briefing_read(scope))
    template = "briefing/_panels.html" if request.headers.get("HX-Request") else "briefing/dashboard.html"
    return render(request, template, context)


class BriefingView(APIView):
    """Aggregates of every briefing panel for the leader's regions (no personal data)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiResponse(description="panels with their figures"), 403: None})
    def get(self, request):
        scope = scope_for_leader(membership_of(request.user), now=timezone.now())
        if scope is None:
            raise APIPermissionDenied
        return Response(briefing_document(scope, briefing_read(scope)))


@login_required
def daily_pdf(request):
    """The leader's daily briefing rendered now (on demand)."""
    from coordination.briefing.daily import daily_briefing_render, scope_key

    scope = briefing_scope_for(request.user)
    rendered = daily_briefing_render(scope)
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    filename = f"daily-briefing-{scope_key(scope)}-{timezone.localtime(scope.now):%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
