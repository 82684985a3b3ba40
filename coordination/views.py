from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coordination.health import health_report
from coordination.models import Mechanism


@login_required
def home(request):
    mechanisms = Mechanism.objects.all()
    return render(request, "coordination/home.html", {"mechanisms": mechanisms})


@require_GET
@never_cache
def healthz(request):
    report = health_report()
    ok = all(item["ok"] for item in report.values())
    body = {"status": "ok" if ok else "unavailable", "checks": report}
    if not ok:
        body["failing"] = [name for name, item in report.items() if not item["ok"]]
    return JsonResponse(body, status=200 if ok else 503)
