"""`/api/v1/measure-notices/`: notices between regions (M3 major measures, M7 emergencies,
F4/F5 policy coordination), each addressee with its receipt."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coordination.api.cases import CaseListSerializer, CaseViewSet, NoticeDetailSerializer
from coordination.mechanisms.measure_notices.models import CATEGORIES_BY_MECHANISM, MeasureNotice
from coordination.models import Organisation, Region
from coordination.workflow.access import membership_of

NOTICE_FIELDS = ["category", "summary", "effective_from", "effective_until", "edition"]


class MeasureAmendment(serializers.Serializer):
    """What the issuing region may change in a new edition."""

    title = serializers.CharField(label=_("Title"), max_length=200, required=False)
    summary = serializers.CharField(label=_("Summary"), max_length=1000, required=False)
    body = serializers.CharField(label=_("Full text"), max_length=50000, required=False)
    effective_from = serializers.DateField(label=_("Effective from"), required=False)
    effective_until = serializers.DateField(label=_("Effective until"), required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("An amendment changes at least one field."))
        case = self.context["case"]
        start = attrs.get("effective_from", case.effective_from)
        end = attrs.get("effective_until", case.effective_until)
        if end and start and end < start:
            raise serializers.ValidationError({"effective_until": _("The end date is before the start date.")})
        return attrs


class MeasureNoticeSerializer(CaseListSerializer):
    class Meta(CaseListSerializer.Meta):
        model = MeasureNotice
        fields = [*CaseListSerializer.Meta.fields, *NOTICE_FIELDS]
        read_only_fields = fields


class MeasureNoticeDetailSerializer(NoticeDetailSerializer):
    affected_regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(NoticeDetailSerializer.Meta):
        model = MeasureNotice
        fields = [
            *NoticeDetailSerializer.Meta.fields,
            *NOTICE_FIELDS,
            "body",
            "affected_regions",
            "contact_officer",
            "closed_at",
            "time_limit",
        ]
        read_only_fields = fields


class MeasureNoticeCreateSerializer(serializers.Serializer):
    mechanism = serializers.ChoiceField(label=_("Mechanism"), choices=sorted(CATEGORIES_BY_MECHANISM), default="M3")
    category = serializers.ChoiceField(label=_("Category"), choices=MeasureNotice.Category.choices)
    title = serializers.CharField(label=_("Title"), max_length=200)
    summary = serializers.CharField(label=_("Summary"), max_length=1000)
    body = serializers.CharField(label=_("Full text"), max_length=50000)
    effective_from = serializers.DateField(label=_("Effective from"), required=False)
    effective_until = serializers.DateField(label=_("Effective until"), required=False, allow_null=True)
    affected_regions = serializers.SlugRelatedField(
        label=_("Affected regions and cities"),
        slug_field="code",
        queryset=Region.objects.all(),
        many=True,
        required=False,
    )
    contact_officer = serializers.CharField(label=_("Contact officer"), max_length=100, required=False, default="")
    addressees = serializers.SlugRelatedField(
        label=_("Addressees"),
        slug_field="code",
        many=True,
        required=False,
        queryset=Organisation.objects.filter(
            kind__in=[Organisation.Kind.LIAISON_OFFICE, Organisation.Kind.COOPERATION_OFFICE]
        ),
    )
    time_limit_minutes = serializers.IntegerField(
        label=_("Time limit to acknowledge (minutes)"), required=False, min_value=5, max_value=30 * 24 * 60
    )
    supersedes = serializers.PrimaryKeyRelatedField(
        label=_("Supersedes"), queryset=MeasureNotice.objects.all(), required=False, allow_null=True
    )

    def validate_supersedes(self, notice):
        if notice is None:
            return None
        membership = membership_of(self.context["request"].user)
        own = membership is not None and notice.originator_id == membership.organisation_id
        if not own or notice.state != MeasureNotice.S.ISSUED:
            raise serializers.ValidationError(_("Only an issued notice of your own can be superseded."))
        return notice

    def validate_addressees(self, addressees):
        if not addressees:
            raise serializers.ValidationError(_("Name at least one addressee, or leave the field out for the default."))
        membership = membership_of(self.context["request"].user)
        if membership and any(org.pk == membership.organisation_id for org in addressees):
            raise serializers.ValidationError(_("A notice is not addressed to its own issuer."))
        if len({org.pk for org in addressees}) != len(addressees):
            raise serializers.ValidationError(_("An addressee is listed twice."))
        return addressees

    def validate(self, attrs):
        if attrs["category"] not in CATEGORIES_BY_MECHANISM[attrs["mechanism"]]:
            raise serializers.ValidationError({"category": _("This category does not belong to the mechanism.")})
        attrs.setdefault("effective_from", timezone.localdate())
        minutes = attrs.pop("time_limit_minutes", None)
        attrs["time_limit"] = timedelta(minutes=minutes) if minutes else None
        until = attrs.get("effective_until")
        if until and until < attrs["effective_from"]:
            raise serializers.ValidationError({"effective_until": _("The end date is before the start date.")})
        return attrs


class InForceQuery(serializers.Serializer):
    in_force_on = serializers.DateField(required=False)
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False)


class MeasureNoticeViewSet(CaseViewSet):
    """Notices between regions with per-addressee receipts (重大举措互相通报)."""

    def get_queryset(self):
        """`?in_force_on=2020-02-20&region=320500`: what applied in Suzhou that day."""
        queryset = super().get_queryset()
        params = InForceQuery(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data.get("in_force_on")
        region = params.validated_data.get("region")
        if on or region:
            queryset = MeasureNotice.in_force(queryset, on=on or timezone.localdate(), region=region)
        return queryset
