"""Major-measure notices between regions (M3), and the same pattern for emergencies (M7) and
policy coordination (F4, F5): configuration of the notice-with-receipts pattern."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase
from rest_framework import serializers

from coordination.models.regions import Region
from coordination.workflow.patterns import NoticeCase


class MeasureCategory(models.TextChoices):
    # M3: major prevention and control measures
    BORDER_CONTROL = "border_control", _("Border and checkpoint control")
    ARRIVAL_QUARANTINE = "arrival_quarantine", _("Quarantine of arrivals")
    TRAFFIC_CONTROL = "traffic_control", _("Traffic control")
    CHARTERED_TRANSPORT = "chartered_transport", _("Inter-provincial chartered transport")
    WORK_RESUMPTION = "work_resumption", _("Work and production resumption or suspension")
    SCHOOLS = "schools", _("Schools")
    VENUE_CLOSURE = "venue_closure", _("Venue closure")
    # M7: public-safety incidents
    PUBLIC_HEALTH_INCIDENT = "public_health_incident", _("Public-health incident")
    ACCIDENT = "accident", _("Accident or disaster")
    SOCIAL_SECURITY = "social_security", _("Social-security incident")
    # F4, F5: coordination of major projects and policies
    MAJOR_PROJECT = "major_project", _("Major project")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


C = MeasureCategory
CATEGORIES_BY_MECHANISM = {
    "M3": [
        C.BORDER_CONTROL,
        C.ARRIVAL_QUARANTINE,
        C.TRAFFIC_CONTROL,
        C.CHARTERED_TRANSPORT,
        C.WORK_RESUMPTION,
        C.SCHOOLS,
        C.VENUE_CLOSURE,
        C.OTHER,
    ],
    "M7": [C.PUBLIC_HEALTH_INCIDENT, C.ACCIDENT, C.SOCIAL_SECURITY, C.TRAFFIC_CONTROL, C.OTHER],
    "F4": [C.MAJOR_PROJECT, C.WORK_RESUMPTION, C.OTHER],
    "F5": [C.POLICY, C.WORK_RESUMPTION, C.OTHER],
}


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


class MeasureNotice(NoticeCase):
    mechanism_code = "M3"
    reference_codes = {"M3": "MSR", "M7": "EMG", "F4": "PRJ", "F5": "POL"}
    amendable_fields = ("title", "summary", "body", "effective_from", "effective_until")
    expires_after_field = "effective_until"
    transition_payloads = {"amend": MeasureAmendment}
    Category = MeasureCategory

    category = models.CharField(_("category"), max_length=32, choices=MeasureCategory.choices)
    summary = models.CharField(_("summary"), max_length=1000)
    body = models.TextField(_("full text"))
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    affected_regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("affected regions and cities")
    )
    contact_officer = models.CharField(_("contact officer"), max_length=100, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )

    class Meta(NoticeCase.Meta):
        verbose_name = _("major-measure notice")
        verbose_name_plural = _("major-measure notices")

    @classmethod
    def reference_code_for(cls, mechanism_code: str) -> str:
        return cls.reference_codes[mechanism_code]

    def circular_fields(self) -> dict:
        """The official circular issued with the notice (notices/circulars): the addressees
        as 主送, the Regional Cooperation Office as 抄送 when it is not an addressee."""
        from coordination.models.organisations import Organisation
        from coordination.models.participants import Participant

        addressees = [
            p.organisation
            for p in self.participants.filter(role=Participant.Role.ADDRESSEE)
            .select_related("organisation")
            .order_by("organisation__region_id", "organisation__code")
        ]
        office = Organisation.objects.filter(kind=Organisation.Kind.COOPERATION_OFFICE).first()
        main = [o for o in addressees if o != office]
        return {
            "title": self.title,
            "body": self.body,
            "addressees": addressees,
            "addressee_line": "、".join(o.name_zh for o in (main or addressees)),
            "copy_to": office.name_zh if office and office in addressees and main else "",
            "note": f"{self.reference}（{self.get_category_display()}）",
        }


class MeasureNoticeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(MeasureNotice, on_delete=models.CASCADE)
