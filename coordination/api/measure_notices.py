"""`/api/v1/measure-notices/`: notices between regions (M3 major measures, M7 emergencies,
F4/F5 policy coordination), each addressee with its receipt."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from coordination.api.cases import CaseDetailSerializer, CaseListSerializer, CaseViewSet
from coordination.models import MeasureNotice, Organisation, Region
from coordination.models.measure_notices import CATEGORIES_BY_MECHANISM
from coordination.services.measure_notices import can_issue_notice, measure_notice_issue, measures_in_force
from coordination.workflow.access import case_for_user, membership_of
from coordination.workflow.patterns import receipt_mark_read

NOTICE_FIELDS = ["category", "summary", "effective_from", "effective_until", "edition"]


class MeasureNoticeSerializer(CaseListSerializer):
    class Meta(CaseListSerializer.Meta):
        model = MeasureNotice
        fields = [*CaseListSerializer.Meta.fields, *NOTICE_FIELDS]
        read_only_fields = fields


class MeasureNoticeDetailSerializer(CaseDetailSerializer):
    affected_regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(CaseDetailSerializer.Meta):
        model = MeasureNotice
        fields = [
            *CaseDetailSerializer.Meta.fields,
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
        until = attrs.get("effective_until")
        if until and until < attrs["effective_from"]:
            raise serializers.ValidationError({"effective_until": _("The end date is before the start date.")})
        return attrs


class InForceQuery(serializers.Serializer):
    in_force_on = serializers.DateField(required=False)
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False)


class MeasureNoticeViewSet(CaseViewSet):
    """Notices between regions with per-addressee receipts (重大举措互相通报)."""

    model = MeasureNotice
    serializer_class = MeasureNoticeSerializer
    detail_serializer_class = MeasureNoticeDetailSerializer
    create_serializer_class = MeasureNoticeCreateSerializer
    filterset_fields = ["state", "mechanism", "category"]

    def get_queryset(self):
        """`?in_force_on=2020-02-20&region=320500`: what applied in Suzhou that day."""
        queryset = super().get_queryset()
        params = InForceQuery(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data.get("in_force_on")
        region = params.validated_data.get("region")
        if on or region:
            queryset = measures_in_force(queryset, on=on or timezone.localdate(), region=region)
        return queryset

    def retrieve(self, request, pk=None):
        case = case_for_user(request.user, self.model, pk)
        if receipt_mark_read(case, request.user):
            case = case_for_user(request.user, self.model, pk)
        return self._detail_response(case)

    def create(self, request):
        if not can_issue_notice(request.user):
            raise PermissionDenied
        return super().create(request)

    def create_case(self, serializer, user):
        data = dict(serializer.validated_data)
        minutes = data.pop("time_limit_minutes", None)
        return measure_notice_issue(by=user, time_limit=timedelta(minutes=minutes) if minutes else None, **data)
