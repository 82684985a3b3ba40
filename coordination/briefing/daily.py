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


def _text_width(text: str, size: float) -> float:
    """Roughly how wide a label is drawn: CJK characters one em, the rest about half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def bar_chart_svg(
    categories: list[str], series: list[tuple[str, list[float]]], *, width=440, height=170, stack=False
) -> str:
    """A grouped (or stacked) bar chart as SVG (WeasyPrint draws it; no script in a PDF). The
    legend is laid out by its labels' widths, on as many rows as it needs, above the plot."""
    if not categories or not series:
        return ""
    left, bottom, swatch, legend_size, row_height = 28, 22, 8, 8, 12
    # The legend: each entry a swatch and its label, wrapped to the chart's width.
    entries, x, row = [], left, 0
    for name, _values in series:
        entry_width = swatch + 3 + _text_width(str(name), legend_size) + 12
        if x > left and x + entry_width > width - 4:
            x, row = left, row + 1
        entries.append((x, row))
        x += entry_width
    legend = (row + 1) * row_height
    plot_top = legend + 10
    plot_w, plot_h = width - left - 4, height - bottom - plot_top
    if stack:
        top = max([1, *[sum(values[i] or 0 for _, values in series) for i in range(len(categories))]])
    else:
        top = max([1, *[v or 0 for _, values in series for v in values]])
    group = plot_w / len(categories)
    bar = max(2.0, min(18.0, (group - 6) / (1 if stack else len(series))))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" viewBox="0 0 {width} {height}">'
    ]
    base = plot_top + plot_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#57606a" stroke-width="0.6"/>')
    parts.append(f'<text x="{left - 3}" y="{plot_top + 6}" font-size="7" text-anchor="end">{top:g}</text>')
    stacked = [0.0] * len(categories)
    for s, ((name, values), (lx, lrow)) in enumerate(zip(series, entries, strict=True)):
        colour = CHART_COLOURS[s % len(CHART_COLOURS)]
        ly = 2 + lrow * row_height
        parts.append(f'<rect x="{lx}" y="{ly}" width="{swatch}" height="{swatch}" fill="{colour}"/>')
        parts.append(f'<text x="{lx + swatch + 3}" y="{ly + 7}" font-size="{legend_size}">{escape(str(name))}</text>')
        for i, value in enumerate(values):
            h = plot_h * (value or 0) / top
            if stack:
                bx, by = left + i * group + (group - bar) / 2, base - stacked[i] - h
                stacked[i] += h
            else:
                bx, by = left + i * group + 3 + s * bar, base - h
            parts.append(f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" fill="{colour}"/>')
    for i, category in enumerate(categories):
        cx = left + i * group + group / 2
        label = str(category)
        size = min(8.0, 8.0 * (group - 2) / max(_text_width(label, 8.0), 1))
        parts.append(
            f'<text x="{cx:.1f}" y="{base + 12}" font-size="{size:.1f}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def chart_svg(chart: dict | None) -> str:
    """The SVG of a panel's bar chart (other chart kinds are read from their table)."""
    if not chart or not all(s.get("type") == "bar" for s in chart.get("series", [])):
        return ""
    stack = any(s.get("stack") for s in chart["series"])
    return bar_chart_svg(chart["xAxis"]["data"], [(s["name"], s["data"]) for s in chart["series"]], stack=stack)


def table_cells(rows: list[list]) -> list[list[tuple[object, bool]]]:
    """A panel's rows as (value, is it a number) cells: numbers align right, names left."""
    return [
        [(value, value is None or (isinstance(value, int | float) and not isinstance(value, bool))) for value in row]
        for row in rows
    ]


def daily_briefing_context(scope: BriefingScope) -> dict:
    with translation.override("zh-hans"):
        panels = briefing_compute(scope)
        for panel in panels:
            panel["svg"] = chart_svg(panel["data"].get("chart"))
            panel["cells"] = table_cells(panel["data"].get("rows") or [])
        labels = region_labels()
        return {
            "pitch": "28pt",
            "day": timezone.localtime(scope.now).date(),
            "generated_at": timezone.localtime(scope.now),
            "regions": "、".join(labels[code] for code in scope.region_codes),
            "yesterday": yesterday_figures(scope),
            "panels": panels,
        }


@dataclass
class RenderedBriefing:
    pdf: bytes
    pages: int


def briefing_issuer(scope: BriefingScope) -> Organisation | None:
    """Who issues (and signs) a scope's briefing: the region's leading group, or the Office."""
    if len(scope.region_codes) == 1:
        organisations = Organisation.objects.filter(
            kind=Organisation.Kind.LEADING_GROUP, region_id=scope.region_codes[0]
        )
    else:
        organisations = Organisation.objects.filter(kind=Organisation.Kind.COOPERATION_OFFICE)
    return organisations.order_by("pk").first()


def daily_briefing_render(scope: BriefingScope) -> RenderedBriefing:
    """The PDF of the scope's daily briefing, rendered now and signed by its issuer."""
    rendered = documents.renderer().render_template("briefing/daily.html", daily_briefing_context(scope))
    issuer = briefing_issuer(scope)
    if issuer is None:
        return RenderedBriefing(pdf=rendered.pdf, pages=rendered.pages)
    from coordination.trust.pdf import sign_pdf

    pdf = sign_pdf(rendered.pdf, issuer, seals=rendered.anchors, reason="每日简报", location=issuer.name_zh)
    return RenderedBriefing(pdf=pdf, pages=rendered.pages)


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
