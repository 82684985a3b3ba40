"""The API of M3 assignment sheets (`/api/v1/assignment-sheets/`): what a row, the detail and a
create request carry. The viewset is the engine's generic one (coordination/api/cases.py)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coordination.api.cases import CaseDetailSerializer, CaseListSerializer
from coordination.mechanisms.assignment_sheets.models import AssignmentSheet
from coordination.models import Organisation
from coordination.workflow.access import membership_of


class SheetCorrection(serializers.Serializer):
    """What the originator may correct when resubmitting a returned sheet."""

    title = serializers.CharField(max_length=200, required=False)
    matter = serializers.CharField(max_length=10000, required=False)
    reply_due = serializers.DateTimeField(required=False, allow_null=True)


class AssignmentSheetSerializer(CaseListSerializer):
    class Meta(CaseListSerializer.Meta):
        model = AssignmentSheet
        fields = [*CaseListSerializer.Meta.fields, "reply_due"]
        read_only_fields = fields


class AssignmentSheetDetailSerializer(CaseDetailSerializer):
    class Meta(CaseDetailSerializer.Meta):
        model = AssignmentSheet
        fields = [
            *CaseDetailSerializer.Meta.fields,
            "matter",
            "reply_due",
            "result",
            "replied_at",
            "return_reason",
            "closed_at",
            "time_limit",
        ]
        read_only_fields = fields


class AssignmentSheetCreateSerializer(serializers.Serializer):
    title = serializers.CharField(label=_("Title"), max_length=200)
    matter = serializers.CharField(label=_("Matter"), max_length=10000)
    addressee = serializers.SlugRelatedField(
        label=_("Addressee"),
        slug_field="code",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE),
        error_messages={"does_not_exist": _("No liaison office has the code “{value}”.")},
    )
    reply_due = serializers.DateTimeField(label=_("Reply requested by"), required=False, allow_null=True)
    time_limit_minutes = serializers.IntegerField(
        label=_("Time limit to accept (minutes)"), required=False, min_value=5, max_value=30 * 24 * 60
    )

    def validate_addressee(self, addressee):
        membership = membership_of(self.context["request"].user)
        if membership and addressee.pk == membership.organisation_id:
            raise serializers.ValidationError(_("A sheet is addressed to another region's liaison office."))
        if (
            membership
            and membership.organisation.region_id
            and addressee.region_id == membership.organisation.region_id
        ):
            raise serializers.ValidationError(_("A sheet is addressed to another region's liaison office."))
        return addressee

    def validate_reply_due(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("The reply date must be in the future."))
        return value

    def validate(self, attrs):
        # The service takes a time limit; people and integrators give it in minutes.
        minutes = attrs.pop("time_limit_minutes", None)
        attrs["time_limit"] = timedelta(minutes=minutes) if minutes else None
        return attrs
