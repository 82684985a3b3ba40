"""The API of M2 release notices (`/api/v1/release-notices/`): rows, the detail (with the signed
credential its QR code carries), the create request, and `unmask/` for the full ID number."""

from datetime import date, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.api.cases import CaseDetailSerializer, CaseListSerializer, CaseViewSet
from coordination.api.serializers import StrictSerializer
from coordination.mechanisms.release_notices.models import IdentityDocument, ObservationKind, ReleaseNotice
from coordination.models import Region
from coordination.pii import idcard

# Observation began in 2020 at the earliest; a date before it is a typing error, not history.
EARLIEST = date(2019, 12, 1)
PASSPORT_LENGTH = (5, 20)


class ReleaseNoticeSerializer(CaseListSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    person_name = serializers.CharField(source="person_name_masked", read_only=True)

    class Meta(CaseListSerializer.Meta):
        model = ReleaseNotice
        fields = [
            *CaseListSerializer.Meta.fields,
            "person_name",
            "id_number",
            "observation_end",
            "expires_at",
            "credential_id",
        ]
        read_only_fields = fields


class ReleaseNoticeDetailSerializer(CaseDetailSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    person_name = serializers.CharField(source="person_name_masked", read_only=True)
    credential = serializers.CharField(source="token", read_only=True)

    class Meta(CaseDetailSerializer.Meta):
        model = ReleaseNotice
        fields = [
            *CaseDetailSerializer.Meta.fields,
            "person_name",
            "id_type",
            "id_number",
            "observation_kind",
            "observation_start",
            "observation_end",
            "observation_place",
            "destination_region",
            "credential_id",
            "kid",
            "issued_at",
            "expires_at",
            "revoked_at",
            "revocation_reason",
            "credential",
        ]
        read_only_fields = fields


class ReleaseNoticeCreateSerializer(StrictSerializer):
    person_name = serializers.CharField(label=_("Full name"), max_length=64)
    id_type = serializers.ChoiceField(
        label=_("Identity document"), choices=IdentityDocument.choices, default=IdentityDocument.RESIDENT_ID
    )
    id_number = serializers.CharField(label=_("ID number"), max_length=32)
    observation_kind = serializers.ChoiceField(label=_("Kind of observation"), choices=ObservationKind.choices)
    observation_start = serializers.DateField(label=_("Observation from"))
    observation_end = serializers.DateField(label=_("Observation until"))
    observation_place = serializers.CharField(label=_("Place of observation"), max_length=200)
    destination_region = serializers.SlugRelatedField(
        label=_("Destination region"),
        slug_field="code",
        queryset=Region.objects.provincial(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("No region of the Delta has the code “{value}”.")},
    )
    valid_days = serializers.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=settings.RELEASE_NOTICE_MAX_VALID_DAYS,
        default=settings.RELEASE_NOTICE_VALID_DAYS,
    )

    def validate_person_name(self, value):
        value = value.strip()
        if not value or "\x00" in value:
            raise serializers.ValidationError(_("Enter the person's name."))
        return value

    def validate_observation_place(self, value):
        if "\x00" in value:
            raise serializers.ValidationError(_("The place contains characters that are not allowed."))
        return value.strip()

    def validate(self, attrs):
        errors = {}
        number = idcard.normalise(attrs["id_number"])
        if attrs["id_type"] == IdentityDocument.RESIDENT_ID:
            try:
                number = idcard.validate_id_number(number)
            except idcard.InvalidIDNumber as exc:
                errors["id_number"] = [str(exc)]
        elif not (PASSPORT_LENGTH[0] <= len(number) <= PASSPORT_LENGTH[1] and number.isalnum() and number.isascii()):
            errors["id_number"] = [_("A passport number has 5 to 20 letters and digits.")]
        attrs["id_number"] = number
        today = timezone.localdate()
        start, end = attrs["observation_start"], attrs["observation_end"]
        if start < EARLIEST:
            errors["observation_start"] = [_("Observation cannot have begun before December 2019.")]
        if end < start:
            errors["observation_end"] = [_("Observation cannot end before it begins.")]
        elif end > today:
            errors["observation_end"] = [_("A release notice is issued once observation has ended.")]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["expires_at"] = timezone.now() + timedelta(days=attrs.pop("valid_days"))
        return attrs


class UnmaskSerializer(StrictSerializer):
    reason = serializers.CharField(label=_("Reason"), max_length=500)

    def validate_reason(self, value):
        if "\x00" in value or not value.strip():
            raise serializers.ValidationError(_("Say why you need the full number."))
        return value.strip()


class ReleaseNoticeViewSet(CaseViewSet):
    """The engine's case resource, with the unmasking of the person's ID number."""

    @action(detail=True, methods=["post"], url_path="unmask")
    def unmask(self, request, pk=None):
        """The full ID number, for the issuing organisation's members holding the unmask
        permission, with a stated `reason` (recorded in the personal-data access log)."""
        from coordination.mechanisms.release_notices.services import release_notice_unmask

        serializer = UnmaskSerializer(data=request.data if isinstance(request.data, dict) else {})
        serializer.is_valid(raise_exception=True)
        return Response(release_notice_unmask(by=request.user, pk=pk, reason=serializer.validated_data["reason"]))

    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request, pk=None):
        """The notice as a PDF, its QR code carrying the signed credential (masked data only)."""
        from coordination.mechanisms.release_notices.documents import release_notice_pdf_for

        notice, pdf = release_notice_pdf_for(request.user, pk, channel="api")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{notice.reference}.pdf"'
        return response
