"""Pages of INS: the hospital's filing form and "my filings", the centre's review queue (by
deadline, filters, keyboard approval, bulk approval of emergency COVID-19 filings) and the
public verification page the receipt's QR code points to. Reviews open the shared case page."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework.exceptions import APIException, ValidationError

from coordination.case_pages import creator_required, link_required
from coordination.errors import DomainError
from coordination.mechanisms.insurance import services
from coordination.mechanisms.insurance.api import InsuranceFilingCreateSerializer
from coordination.mechanisms.insurance.models import FilingAttachment, InsuranceFiling
from coordination.mechanisms.insurance.selectors import filings_of_my_hospital, review_queue
from coordination.models import Organisation, Region
from coordination.pagination import CappedPaginator
from coordination.workflow.access import membership_of
from coordination.workflow.engine import transition_fire

CASE_LABEL = "insurance-filings"  # the case page: /cases/insurance-filings/<id>/
DEFAULT_VALIDITY = timedelta(days=90)


@creator_required(CASE_LABEL)
def filing_new(request):
    errors, values, duplicate = {}, {}, None
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in InsuranceFilingCreateSerializer().fields}
        shaped = InsuranceFilingCreateSerializer(data=values)
        try:
            shaped.is_valid(raise_exception=True)
            filing = services.insurance_filing_create(by=request.user, **shaped.validated_data)
        except ValidationError as exc:
            errors = exc.detail
        except services.DuplicateFiling as exc:
            duplicate = exc.existing
        else:
            for kind in (FilingAttachment.Kind.REFERRAL_LETTER, FilingAttachment.Kind.DIAGNOSIS_CERTIFICATE):
                upload = request.FILES.get(kind)
                if upload is None:
                    continue
                try:
                    services.filing_attachment_add(by=request.user, pk=filing.pk, upload=upload, kind=kind)
                except ValidationError as exc:
                    messages.error(request, "; ".join(str(e) for e in exc.detail.get("file", [])))
            messages.success(request, _("Filed as %(reference)s.") % {"reference": filing.reference})
            return redirect("case-detail", resource=CASE_LABEL, pk=filing.pk)
    membership = membership_of(request.user)
    cities = Region.objects.cities().exclude(code__startswith=membership.organisation.region_id[:2]).order_by("code")
    return render(
        request,
        "insurance/filing_form.html",
        {
            "errors": errors,
            "values": values,
            "duplicate": duplicate,
            "cities": cities,
            "sexes": InsuranceFiling.Sex.choices,
            "insurance_types": InsuranceFiling.InsuranceType.choices,
            "filing_types": InsuranceFiling.FilingType.choices,
            "case_label": CASE_LABEL,
        },
    )


@link_required(CASE_LABEL, "insurance-my-filings")
@require_GET
def my_filings(request):
    queryset = filings_of_my_hospital(request.user).select_related("insuring_region")
    state = request.GET.get("state", "")
    if state:
        queryset = queryset.filter(state=state)
    page = CappedPaginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "insurance/my_filings.html",
        {"page": page, "state": state, "states": InsuranceFiling.State.choices, "case_label": CASE_LABEL},
    )


@link_required(CASE_LABEL, "insurance-queue")
@require_GET
def queue(request):
    filters = {name: request.GET.get(name, "") for name in ("hospital", "city", "filing_type", "diagnosis")}
    queryset = review_queue(request.user, **filters).select_related("originator")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "insurance/queue.html",
        {
            "page": page,
            "filters": filters,
            "filing_types": InsuranceFiling.FilingType.choices,
            "hospitals": Organisation.objects.filter(kind=Organisation.Kind.HOSPITAL).order_by("code"),
            "cities": Region.objects.cities().order_by("code"),
            "effective_from": today,
            "valid_until": today + DEFAULT_VALIDITY,
            "case_label": CASE_LABEL,
            "now": timezone.now(),
        },
    )


def _dates(request):
    effective_from = parse_date(request.POST.get("effective_from", "")) or timezone.localdate()
    valid_until = parse_date(request.POST.get("valid_until", "")) or effective_from + DEFAULT_VALIDITY
    return effective_from, valid_until


@login_required
@require_POST
def queue_approve(request, pk: int):
    """Approve one filing from the queue (the keyboard's `a`)."""
    effective_from, valid_until = _dates(request)
    try:
        filing = transition_fire(
            InsuranceFiling,
            pk,
            "approve",
            by=request.user,
            data={"effective_from": effective_from.isoformat(), "valid_until": valid_until.isoformat()},
            comment=request.POST.get("comment", ""),
            expected_version=request.POST.get("version") or None,
        )
    except (DomainError, APIException, PermissionDenied, Http404) as exc:
        messages.error(request, str(getattr(exc, "detail", "")) or _("The filing could not be approved."))
    else:
        messages.success(request, _("Approved %(reference)s.") % {"reference": filing.reference})
    return redirect(request.POST.get("next") or "insurance-queue")


@login_required
@require_POST
def queue_bulk_approve(request):
    """Approve the selected emergency COVID-19 filings with one reason."""
    effective_from, valid_until = _dates(request)
    comment = request.POST.get("comment", "").strip()
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    if not comment or not ids:
        messages.error(request, _("Select filings and give one reason for approving them together."))
        return redirect("insurance-queue")
    results = services.insurance_filings_bulk_approve(
        by=request.user, ids=ids, effective_from=effective_from, valid_until=valid_until, comment=comment
    )
    approved = sum(1 for r in results if r["result"] == "approved")
    messages.success(
        request, _("%(approved)s of %(total)s filings approved.") % {"approved": approved, "total": len(ids)}
    )
    for result in results:
        if result["result"] != "approved":
            messages.error(request, f"#{result['id']}: {result.get('message', result['result'])}")
    return redirect("insurance-queue")


@require_GET
def receipt_verify(request, digest: str):
    """The receipt's verification link before the one verification existed: redirected."""
    return redirect("document-verify", code=digest, permanent=True)
