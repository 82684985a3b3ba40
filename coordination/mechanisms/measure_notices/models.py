"""Major-measure notices between regions (M3), and the same pattern for emergencies (M7) and
policy coordination (F4, F5): configuration of the notice-with-receipts pattern."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

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


class MeasureNotice(NoticeCase):
    amendable_fields = ("title", "summary", "body", "effective_from", "effective_until")
    expires_after_field = "effective_until"
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
    def in_force(cls, queryset, *, on: date, region: Region | None = None):
        """The notices of `queryset` in force on a date — issued or closed by acknowledgement, not
        withdrawn or superseded, effective on that day — and, given a city or province, those
        that concern it: addressed to it (or its province) in `affected_regions`, issued by its
        region, or with no affected regions named (they concern the issuing region). The one
        rule the API, the register and the briefing use."""
        in_force = (
            queryset.filter(effective_from__lte=on)
            .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
            .exclude(state__in=[cls.S.WITHDRAWN, cls.S.SUPERSEDED])
        )
        if region is None:
            return in_force
        province = region.province
        places = {region.code, province.code}
        return in_force.filter(
            Q(affected_regions__code__in=places) | Q(affected_regions__isnull=True, originator__region_id=province.code)
        ).distinct()


class MeasureNoticeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(MeasureNotice, on_delete=models.CASCADE)
