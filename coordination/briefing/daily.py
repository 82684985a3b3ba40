"""The daily briefing (每日简报): a PDF of yesterday's figures and today's panels, rendered by the
circulars' one render service on the one template base of official documents.

Issued at 08:00 Asia/Shanghai by Celery beat for the Office (all four regions) and for each
regional leading group (its region), stored as `briefings/<date>/<scope>.pdf` with its SHA-256
beside it; any leader can also have theirs rendered on demand (`/briefing/daily.pdf`).
Aggregates only, like the dashboard.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.utils import timezone, translation

from coordination import documents
from coordination.briefing import BriefingScope
from coordination.briefing.core import PROVINCIAL, region_labels, scope_filter
from coordination.briefing.service import briefing_compute
from coordination.models import Mechanism, Organisation
from coordination.my_work import open_states
from coordination.workflow.deadlines import case_models

CHART_COLOURS = ("#b3131b", "#0969da", "#9a6700", "#1a7f37", "#8250df")


@dataclass(frozen=True)
class IssuedBriefing:
    scope_key: str
    path: str
    sha256: str
    pages: int


def scope_key(scope: BriefingScope) -> str:
    return "yrd" if set(PROVINCIAL) <= set(scope.region_codes) else "-".join(scope.region_codes)


def daily_scopes(now: datetime) -> list[BriefingScope]:
    """The Office's (all four regions) and each regional leading group's."""
    regions = (
        Organisation.objects.filter(kind=Organisation.Kind.LEADING_GROUP, region__isnull=False)
        .order_by("region_id")
        .values_list("region_id", flat=True)
        .distinct()
    )
    return [BriefingScope(region_codes=PROVINCIAL, now=now)] + [
        BriefingScope(region_codes=(code,), now=now) for code in regions
    ]


def yesterday_figures(scope: BriefingScope) -> dict:
    """Per mechanism: cases created yesterday and overdue now; yesterday's new cases by region."""
    today = timezone.localtime(scope.now).date()
    start = timezone.make_aware(datetime.combine(today - timedelta(days=1), time.min))
    end = start + timedelta(days=1)
    names = {m.code: m.name for m in Mechanism.objects.all()}
    counts: dict[str, list[int]] = {}
    for model in case_models():
        rows = (
            model.objects.filter(scope_filter(model, scope))
            .order_by()
            .values("mechanism_id")
            .annotate(
                new=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
                overdue=Count("pk", filter=Q(state__in=sorted(open_states(model)), due_at__lte=scope.now)),
            )
        )
        for row in rows:
            figures = counts.setdefault(row["mechanism_id"], [0, 0])
            figures[0] += row["new"]
            figures[1] += row["overdue"]
    labels = region_labels()
    by_region: dict[str, int] = {}
    for model in case_models():
        rows = (
            model.objects.filter(scope_filter(model, scope), created_at__gte=start, created_at__lt=end)
            .order_by()
            .values("originator__region_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            region = row["originator__region_id"] or "office"
            by_region[region] = by_region.get(region, 0) + row["n"]
    return {
        "day": start.date(),
        "mechanisms": [[code, names.get(code, code), *counts[code]] for code in names if code in counts],
        "by_region": [[labels.get(region, ""), n] for region, n in sorted(by_region.items())],
    }


def bar_chart_svg(categories: list[str], series: list[tuple[str, list[float]]], *, width=440, height=170) -> str:
    """A grouped bar chart as SVG (WeasyPrint draws it; no script in a PDF)."""
    if not categories or not series:
        return ""
    top = max([1, *[v or 0 for _, values in series for v in values]])
    left, bottom, legend = 28, 22, 16
    plot_w, plot_h = width - left - 4, height - bottom - legend - 4
    group = plot_w / len(categories)
    bar = max(2.0, min(18.0, (group - 6) / len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" viewBox="0 0 {width} {height}">'
    ]
    base = legend + 4 + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#57606a" stroke-width="0.6"/>')
    parts.append(f'<text x="{left - 3}" y="{legend + 10}" font-size="7" text-anchor="end">{top:g}</text>')
    for s, (name, values) in enumerate(series):
        colour = CHART_COLOURS[s % len(CHART_COLOURS)]
        x = left + s * 70
        parts.append(f'<rect x="{x}" y="2" width="8" height="8" fill="{colour}"/>')
        parts.append(f'<text x="{x + 11}" y="9" font-size="8">{escape(str(name))}</text>')
        for i, value in enumerate(values):
            h = plot_h * (value or 0) / top
            bx = left + i * group + 3 + s * bar
            parts.append(
                f'<rect x="{bx:.1f}" y="{base - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
    for i, category in enumerate(categories):
        cx = left + i * group + group / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{base + 12}" font-size="8" text-anchor="middle">{escape(str(category))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def chart_svg(chart: dict | None) -> str:
    """The SVG of a panel's bar chart (other chart kinds are read from their table)."""
    if not chart or not all(s.get("type") == "bar" for s in chart.get("series", [])):
        return ""
    return bar_chart_svg(chart["xAxis"]["data"], [(s["name"], s["data"]) for s in chart["series"]])


def daily_briefing_context(scope: BriefingScope) -> dict:
    with translation.override("zh-hans"):
        panels = briefing_compute(scope)
        for panel in panels:
            panel["svg"] = chart_svg(panel["data"].get("chart"))
        labels = region_labels()
        return {
            "pitch": "28pt",
            "day": timezone.localtime(scope.now).date(),
            "generated_at": timezone.localtime(scope.now),
            "regions": "、".join(labels[code] for code in scope.region_codes),
            "yesterday": yesterday_figures(scope),
            "panels": panels,
        }


def daily_briefing_render(scope: BriefingScope):
    """The PDF of the scope's daily briefing, rendered now."""
    return documents.renderer().render_template("briefing/daily.html", daily_briefing_context(scope))


def daily_briefing_path(day: date, key: str) -> str:
    return f"briefings/{day:%Y-%m-%d}/{key}.pdf"


def daily_briefings_issue(*, now=None) -> list[IssuedBriefing]:
    """Render and store the day's briefing for the Office and every regional leading group."""
    now = now or timezone.now()
    issued = []
    for scope in daily_scopes(now):
        rendered = daily_briefing_render(scope)
        path = daily_briefing_path(timezone.localtime(now).date(), scope_key(scope))
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(rendered.pdf))
        digest = hashlib.sha256(rendered.pdf).hexdigest()
        sha_path = path + ".sha256"
        if default_storage.exists(sha_path):
            default_storage.delete(sha_path)
        default_storage.save(sha_path, ContentFile(digest.encode()))
        issued.append(IssuedBriefing(scope_key=scope_key(scope), path=path, sha256=digest, pages=rendered.pages))
    return issued
