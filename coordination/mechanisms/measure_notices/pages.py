"""Pages of notices between regions: the form that issues one (the register, case page and
"my work" are the generic ones)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coordination.case_pages import creator_required
from coordination.mechanisms.measure_notices.api import MeasureNoticeCreateSerializer
from coordination.mechanisms.measure_notices.models import CATEGORIES_BY_MECHANISM, MeasureNotice
from coordination.mechanisms.measure_notices.services import default_addressees, measure_notice_issue
from coordination.models import Mechanism, Region
from coordination.workflow.access import membership_of


@creator_required("measure-notices")
def measure_notice_new(request):
    """Issue a notice between regions from a page: the API's own validation, errors next to
    their fields in the user's language, and nothing typed lost on an error."""
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
            notice = measure_notice_issue(by=request.user, **serializer.validated_data)
            messages.success(request, _("Notice %(reference)s issued.") % {"reference": notice.reference})
            return redirect("case-detail", resource="measure-notices", pk=notice.pk)
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
    return render(request, "measure_notices/notice_form.html", context)


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
