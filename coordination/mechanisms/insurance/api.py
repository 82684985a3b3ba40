"""`/api/v1/insurance-filings/`: INS cross-region medical-insurance filings, for hospital
information systems and insurance centres.

Beyond the generic case resource: `batch/` (up to 500 filings, a result per item),
`bulk-approve/` (emergency COVID-19 filings), `diagnoses/` (ICD-10 lookup), and per filing
`unmask/`, `receipt/` and `attachments/`. ID and phone numbers are always masked except in
`unmask/`; only the filing hospital and the insuring centre see a filing at all (404 otherwise).
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from coordination.api.cases import CaseDetailSerializer, CaseListSerializer, CaseViewSet
from coordination.api.idempotency import idempotent
from coordination.mechanisms.insurance import services
from coordination.mechanisms.insurance.models import FilingAttachment, InsuranceFiling
from coordination.mechanisms.insurance.selectors import (
    diagnoses_matching,
    filings_of_my_hospital,
    filings_visible,
    review_queue,
)
from coordination.workflow.access import membership_of

FilingType = InsuranceFiling.FilingType
# The related rows InsuranceFilingSerializer shows (the other relations it names are ids).
LIST_RELATED = ("originator", "insuring_centre", "diagnosis")


class FilingAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FilingAttachment
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("insurance-filing-attachment-download", args=[attachment.filing_id, attachment.pk])


class InsuranceFilingSerializer(CaseListSerializer):
    """Masked: `id_number` and `phone` are masks in every response but `unmask/`."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    diagnosis_name = serializers.CharField(source="diagnosis.name", read_only=True)
    hospital = serializers.CharField(source="originator.code", read_only=True)
    insuring_centre = serializers.CharField(source="insuring_centre.code", read_only=True)

    class Meta(CaseListSerializer.Meta):
        model = InsuranceFiling
        fields = [
            *CaseListSerializer.Meta.fields,
            "hospital_reference",
            "patient_name",
            "id_number",
            "sex",
            "birth_date",
            "insurance_type",
            "insuring_city",
            "insuring_region",
            "insuring_centre",
            "filing_type",
            "diagnosis",
            "diagnosis_name",
            "admission_date",
            "hospital",
            "treating_region",
            "treating_city",
            "phone",
            "effective_from",
            "valid_until",
        ]
        read_only_fields = fields


class InsuranceFilingDetailSerializer(CaseDetailSerializer, InsuranceFilingSerializer):
    attachments = FilingAttachmentSerializer(many=True, read_only=True)
    receipt = serializers.SerializerMethodField()

    class Meta(InsuranceFilingSerializer.Meta):
        fields = [
            *InsuranceFilingSerializer.Meta.fields,
            "allowed_transitions",
            "participants",
            "audit",
            "fields_to_correct",
            "return_reason",
            "reject_reason_code",
            "decided_at",
            "resubmissions",
            "attachments",
            "receipt",
        ]
        read_only_fields = fields

    def get_receipt(self, filing) -> dict | None:
        if filing.state != InsuranceFiling.S.APPROVED:
            return None
        return {
            "url": reverse("insurance-filing-receipt", args=[filing.pk]),
            "code": filing.receipt_digest,
            "verify_url": services.verify_url(filing.receipt_digest),
        }


class InsuranceFilingCreateSerializer(serializers.Serializer):
    hospital_reference = serializers.CharField(
        label=gettext_lazy("Hospital reference"), max_length=64, required=False, allow_blank=True
    )
    patient_name = serializers.CharField(label=gettext_lazy("Patient name"), max_length=64)
    id_number = serializers.CharField(label=gettext_lazy("ID number"), max_length=32)
    sex = serializers.ChoiceField(label=gettext_lazy("Sex"), choices=InsuranceFiling.Sex.choices)
    birth_date = serializers.DateField(label=gettext_lazy("Date of birth"))
    insurance_type = serializers.ChoiceField(
        label=gettext_lazy("Insurance type"), choices=InsuranceFiling.InsuranceType.choices
    )
    insuring_city = serializers.CharField(label=gettext_lazy("Insuring city"), max_length=6)
    filing_type = serializers.ChoiceField(label=gettext_lazy("Filing type"), choices=FilingType.choices)
    diagnosis = serializers.CharField(label=gettext_lazy("Diagnosis (ICD-10)"), max_length=8)
    admission_date = serializers.DateField(label=gettext_lazy("Admission date"))
    phone = serializers.CharField(label=gettext_lazy("Contact phone"), max_length=20)


class BatchSerializer(serializers.Serializer):
    filings = serializers.ListField(child=serializers.DictField(), allow_empty=False)

    def validate_filings(self, value):
        limit = settings.INSURANCE_BATCH_MAX_ITEMS
        if len(value) > limit:
            raise serializers.ValidationError(_("A batch holds at most %(limit)s filings.") % {"limit": limit})
        return value


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=500)
    effective_from = serializers.DateField()
    valid_until = serializers.DateField()
    comment = serializers.CharField(max_length=2000)

    def validate(self, attrs):
        if attrs["valid_until"] < attrs["effective_from"]:
            raise serializers.ValidationError({"valid_until": [_("The filing cannot end before it starts.")]})
        return attrs


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FilingAttachment.Kind.choices)
    file = serializers.FileField()


class InsuranceFilingViewSet(CaseViewSet):
    """Cross-region medical-insurance filings (医保异地备案)."""

    creating_actions = ("create", "batch")
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends = []  # filtering is the selectors' (`?queue=1&hospital=&city=&filing_type=&diagnosis=`)

    def get_queryset(self):
        return self._filings().select_related(*LIST_RELATED)

    def _filings(self):
        params = self.request.query_params
        if params.get("queue"):
            return review_queue(
                self.request.user,
                state=params.get("state", "submitted"),
                hospital=params.get("hospital", ""),
                city=params.get("city", ""),
                filing_type=params.get("filing_type", ""),
                diagnosis=params.get("diagnosis", ""),
            )
        membership = membership_of(self.request.user)
        if membership is not None and membership.organisation.kind == membership.organisation.Kind.HOSPITAL:
            queryset = filings_of_my_hospital(self.request.user)
        else:
            queryset = filings_visible(self.request.user).order_by("-created_at", "-id")
        if params.get("state"):
            queryset = queryset.filter(state=params["state"])
        return queryset

    @extend_schema(request=BatchSerializer)
    @action(detail=False, methods=["post"], url_path="batch")
    @idempotent
    def batch(self, request):
        """Up to 500 filings; each item created, duplicate (with the existing filing) or invalid
        (with its errors, nothing stored). A replayed hospital reference is a duplicate."""
        body = BatchSerializer(data=request.data if isinstance(request.data, dict) else {"filings": request.data})
        body.is_valid(raise_exception=True)
        results = []
        valid_items = []
        shape = InsuranceFilingCreateSerializer()  # one for every item: DRF copies its fields per instance
        for index, item in enumerate(body.validated_data["filings"]):
            try:
                valid_items.append((index, shape.run_validation(item)))
            except serializers.ValidationError as exc:
                results.append(
                    services.BatchItemResult(
                        index, "invalid", str(item.get("hospital_reference") or ""), errors=exc.detail
                    )
                )
        created = services.insurance_filings_batch_create(by=request.user, items=[data for _i, data in valid_items])
        for (index, _data), result in zip(valid_items, created, strict=True):
            result.index = index
            results.append(result)
        results.sort(key=lambda r: r.index)
        counts = {kind: sum(1 for r in results if r.result == kind) for kind in ("created", "duplicate", "invalid")}
        return Response({**counts, "results": [r.as_dict() for r in results]}, status=status.HTTP_200_OK)

    @extend_schema(request=BulkApproveSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-approve")
    def bulk_approve(self, request):
        body = BulkApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        results = services.insurance_filings_bulk_approve(by=request.user, **body.validated_data)
        return Response({"results": results})

    @action(detail=False, methods=["get"], url_path="diagnoses")
    def diagnoses(self, request):
        """ICD-10 lookup: `?q=U07` or `?q=肺炎`."""
        rows = diagnoses_matching(request.query_params.get("q", ""))
        return Response([{"code": d.code, "name": d.name, "name_zh": d.name_zh, "name_en": d.name_en} for d in rows])

    @action(detail=True, methods=["post"], url_path="unmask")
    def unmask(self, request, pk=None):
        """The full ID and phone numbers, for the filing's hospital and centre only, with a
        stated `reason` (recorded in the personal-data access log)."""
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        return Response(services.insurance_filing_unmask(by=request.user, pk=pk, reason=str(reason)))

    @action(detail=True, methods=["get"], url_path="receipt")
    def receipt(self, request, pk=None):
        filing = services.insurance_receipt_pdf(by=request.user, pk=pk)
        with filing.receipt_pdf.open("rb") as pdf:
            response = HttpResponse(pdf.read(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filing.reference}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(request=AttachmentUploadSerializer, responses=FilingAttachmentSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="attachments")
    def attachments(self, request, pk=None):
        if request.method == "POST":
            body = AttachmentUploadSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            attachment = services.filing_attachment_add(
                by=request.user, pk=pk, upload=body.validated_data["file"], kind=body.validated_data["kind"]
            )
            return Response(FilingAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        filing = services.insurance_filing_open(by=request.user, pk=pk)
        return Response(FilingAttachmentSerializer(filing.attachments.all(), many=True).data)

    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment-download",
    )
    def attachment_download(self, request, pk=None, attachment_id=None):
        attachment = services.filing_attachment_open(by=request.user, pk=pk, attachment_id=attachment_id)
        with attachment.file.open("rb") as content:
            response = HttpResponse(content.read(), content_type=attachment.content_type)
        response["Content-Disposition"] = f'attachment; filename="attachment-{attachment.pk}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
