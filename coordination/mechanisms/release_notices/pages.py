"""Pages of M2 release notices, included at the site root (the declaration's `urls`): the page
that issues a notice — posted through the API's create serializer and the issue service, errors
next to their fields, nothing typed lost — and the notice's PDF for the case page."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from coordination.case_pages import creator_required
from coordination.errors import DomainError
from coordination.mechanisms.release_notices.api import ReleaseNoticeCreateSerializer
from coordination.mechanisms.release_notices.models import IdentityDocument, ObservationKind
from coordination.mechanisms.release_notices.services import release_notice_issue
from coordination.models import Region

RESOURCE = "release-notices"


class ReleaseNoticeForm(forms.Form):
    """What the page shows; the API's serializer validates what it posts."""

    person_name = forms.CharField(label=gettext_lazy("Full name"), max_length=64)
    id_type = forms.ChoiceField(label=gettext_lazy("Identity document"), choices=IdentityDocument.choices)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=32)
    observation_kind = forms.ChoiceField(label=gettext_lazy("Kind of observation"), choices=ObservationKind.choices)
    observation_start = forms.CharField(
        label=gettext_lazy("Observation from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    observation_end = forms.CharField(
        label=gettext_lazy("Observation until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    observation_place = forms.CharField(label=gettext_lazy("Place of observation"), max_length=200)
    destination_region = forms.ChoiceField(label=gettext_lazy("Destination region"), required=False)
    valid_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=settings.RELEASE_NOTICE_MAX_VALID_DAYS,
        initial=settings.RELEASE_NOTICE_VALID_DAYS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_region"].choices = [
            ("", _("Not known")),
            *[(region.code, region.name) for region in Region.objects.provincial()],
        ]


def _payload(post) -> dict:
    """The create API's body from the form: the filled fields (an empty one is not sent)."""
    return {name: post.get(name, "").strip() for name in ReleaseNoticeForm.base_fields if post.get(name, "").strip()}


@creator_required(RESOURCE)
def release_notice_new(request):
    form = ReleaseNoticeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        serializer = ReleaseNoticeCreateSerializer(data=_payload(request.POST), context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
            notice = release_notice_issue(by=request.user, **serializer.validated_data)
        except ValidationError as exc:
            form.full_clean()
            form._errors = ErrorDict()  # the API's serializer is the one validator: only its errors show
            for name, problems in exc.detail.items():
                for problem in problems if isinstance(problems, list) else [problems]:
                    form.add_error(name if name in form.fields else None, str(problem))
            status = 422
        except DomainError as exc:
            form.full_clean()
            form._errors = ErrorDict()
            form.add_error(None, str(exc.message))
            status = 422
        else:
            messages.success(request, _("Release notice %(reference)s issued.") % {"reference": notice.reference})
            return redirect("case-detail", resource=RESOURCE, pk=notice.pk)
    return render(request, "release_notices/notice_form.html", {"form": form}, status=status)


def release_notice_pdf_page(request, pk):
    """The notice's PDF for whoever sees the notice (404 otherwise)."""
    from coordination.mechanisms.release_notices.documents import release_notice_pdf_for

    notice, pdf = release_notice_pdf_for(request.user, pk, channel="page")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.reference}.pdf"'
    return response


def release_notice_panel_context(case, user, *, allowed, errors, submitted) -> dict:
    from coordination import documents

    return {"qr_svg": documents.qr_svg(case.token) if case.token else ""}
