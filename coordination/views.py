"""Pages of the coordination app: "My work" (the landing page), registers, search and the health check."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coordination.api.measure_notices import MeasureNoticeCreateSerializer
from coordination.health import health_report
from coordination.models import MeasureNotice, Mechanism, Region
from coordination.models.measure_notices import CATEGORIES_BY_MECHANISM
from coordination.my_work import my_work
from coordination.registers import (
    csv_response,
    display_value,
    filters_from,
    register_for,
    register_queryset,
    registers,
    registers_by_mechanism,
    xlsx_response,
)
from coordination.search import MIN_QUERY, search_cases
from coordination.services.measure_notices import can_issue_notice, default_addressees, measure_notice_issue
from coordination.workflow.access import membership_of


@login_required
def home(request):
    """What waits for the user's organisation across every mechanism, soonest deadline first.
    htmx asks for the list alone (HX-Request) when a notice arrives: the count stays live."""
    items, total = my_work(request.user)
    context = {"items": items, "total": total, "now": timezone.now()}
    if request.headers.get("HX-Request"):
        return render(request, "coordination/_my_work.html", context)
    context["mechanisms"] = Mechanism.objects.all()
    context["registers"] = registers_by_mechanism(request.user)
    return render(request, "coordination/home.html", context)


@require_GET
@never_cache
def healthz(request):
    report = health_report()
    ok = all(item["ok"] for item in report.values())
    body = {"status": "ok" if ok else "unavailable", "checks": report}
    if not ok:
        body["failing"] = [name for name, item in report.items() if not item["ok"]]
    return JsonResponse(body, status=200 if ok else 503)


@login_required
def register_list(request, slug: str):
    """One mechanism's register: filters, a page of 50, and CSV/XLSX export of all that matches."""
    register = register_for(slug)
    if register is None:
        raise Http404
    filters = filters_from(register, request.GET)
    queryset = register_queryset(register, request.user, filters)
    export = request.GET.get("format")
    if export == "csv":
        return csv_response(register, queryset)
    if export == "xlsx":
        return xlsx_response(register, queryset)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    columns = register.columns()
    rows = [(case, [(column.key, display_value(column.value(case))) for column in columns]) for case in page]
    return render(
        request,
        "registers/register.html",
        {
            "register": register,
            "filters": filters,
            "columns": columns,
            "rows": rows,
            "page": page,
            "regions": Region.objects.provincial(),
            "registers": registers(),
            "can_issue_notice": can_issue_notice(request.user),
        },
    )


@login_required
def search(request):
    text = request.GET.get("q", "").strip()
    hits, truncated = search_cases(request.user, text)
    return render(
        request,
        "registers/search.html",
        {"q": text, "search_q": text, "hits": hits, "truncated": truncated, "too_short": 0 < len(text) < MIN_QUERY},
    )


@login_required
def measure_notice_new(request):
    """Issue a notice between regions from a page: the API's own validation, errors next to
    their fields in the user's language, and nothing typed lost on an error."""
    if not can_issue_notice(request.user):
        raise PermissionDenied
    errors: dict = {}
    values: dict = {"mechanism": "M3"}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in NOTICE_FORM_FIELDS}
        data = {k: v for k, v in values.items() if v != ""}
        for many in ("affected_regions", "addressees"):
            values[many] = request.POST.getlist(many)
            if values[many]:
                data[many] = values[many]
        serializer = MeasureNoticeCreateSerializer(data=data, context={"request": request})
        if serializer.is_valid():
            validated = dict(serializer.validated_data)
            minutes = validated.pop("time_limit_minutes", None)
            notice = measure_notice_issue(
                by=request.user, time_limit=timedelta(minutes=minutes) if minutes else None, **validated
            )
            messages.success(request, _("Notice %(reference)s issued.") % {"reference": notice.reference})
            return redirect("case-detail", label="coordination.measurenotice", pk=notice.pk)
        errors = serializer.errors
    issuer = membership_of(request.user).organisation
    context = {
        "values": values,
        "errors": errors,
        "mechanisms": [(code, Mechanism.objects.get(code=code).name) for code in sorted(CATEGORIES_BY_MECHANISM)],
        "categories": MeasureNotice.Category.choices,
        "regions": Region.objects.provincial(),
        "offices": default_addressees(issuer),
    }
    return render(request, "registers/measure_notice_form.html", context)


NOTICE_FORM_FIELDS = (
    "mechanism",
    "category",
    "title",
    "summary",
    "body",
    "effective_from",
    "effective_until",
    "contact_officer",
    "time_limit_minutes",
)
