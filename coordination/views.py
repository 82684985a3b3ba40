"""Pages of the coordination app: "My work" (the landing page), registers, search and the health check."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coordination.health import health_report
from coordination.models import Mechanism, Region
from coordination.my_work import my_work
from coordination.navigation import mechanisms_of
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
            "registers": [r for r in registers() if r.declaration in mechanisms_of(request.user) or r == register],
            "can_create": register.declaration.may_create.allows(request.user),
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
