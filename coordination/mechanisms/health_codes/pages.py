"""The health-code page (/health-codes/): a checkpoint looks a person up by ID number; the
region's health commission or liaison office uploads its daily red/yellow list and sees the
report. Both go through the same services as the API."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from rest_framework import serializers

from coordination.errors import DomainError
from coordination.mechanisms.health_codes.api import LIST_KEEPERS, UploadSerializer
from coordination.mechanisms.health_codes.ingest import csv_rows, list_ingest
from coordination.mechanisms.health_codes.lookups import colour_of
from coordination.mechanisms.health_codes.models import CodeList
from coordination.pii import idcard
from coordination.workflow.access import membership_of


class LookupForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=32)

    def clean_id_number(self):
        try:
            return idcard.validate_id_number(self.cleaned_data["id_number"])
        except idcard.InvalidIDNumber as exc:
            raise forms.ValidationError(str(exc)) from None


class UploadForm(forms.Form):
    list_date = forms.DateField(label=_("List date"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("CSV file (columns id_number, colour; UTF-8 or GBK)"))
    skip_invalid = forms.BooleanField(label=_("Load the valid rows and skip the others"), required=False)

    def clean_list_date(self):
        value = self.cleaned_data["list_date"]
        try:
            return UploadSerializer().validate_list_date(value)  # the API's rule: today or the last 30 days
        except serializers.ValidationError as exc:
            raise forms.ValidationError(exc.detail) from None


@login_required
@require_http_methods(["GET", "POST"])
def health_codes_page(request):
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied
    keeper = membership.organisation.kind in LIST_KEEPERS and membership.organisation.region_id
    lookup_form = LookupForm(request.POST if "lookup" in request.POST else None)
    upload_form = UploadForm(
        request.POST if "upload" in request.POST else None,
        request.FILES if "upload" in request.POST else None,
        initial={"list_date": timezone.localdate()},
    )
    context, status = {"lookup_form": lookup_form, "upload_form": upload_form, "keeper": keeper}, 200
    if "lookup" in request.POST:
        if lookup_form.is_valid():
            number = lookup_form.cleaned_data["id_number"]
            context["lookup"] = {"id_number": idcard.mask(number), **colour_of(number).as_dict()}
            context["lookup_form"] = LookupForm()  # the number is not shown again
        else:
            status = 422
    elif "upload" in request.POST:
        if not keeper:
            raise PermissionDenied
        if upload_form.is_valid():
            data = upload_form.cleaned_data
            try:
                rows, digest = csv_rows(data["file"])
                context["ingested"] = list_ingest(
                    by=request.user,
                    organisation=membership.organisation,
                    region=membership.organisation.region.province,
                    list_date=data["list_date"],
                    rows=rows,
                    digest=digest,
                    skip_invalid=data["skip_invalid"],
                )
            except DomainError as exc:
                upload_form.add_error("file", str(exc.message))
                context["row_errors"] = (exc.details or {}).get("rows", [])
                status = 422
        else:
            status = 422
    if keeper:
        context["lists"] = CodeList.objects.filter(region_id=membership.organisation.region.province.pk)[:14]
    return render(request, "health_codes/page.html", context, status=status)
