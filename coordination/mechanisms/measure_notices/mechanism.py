"""Notices between regions — M3 major measures, M7 public-safety incidents, F4/F5 project and
policy coordination — declared to the engine: one model, four catalogue rows."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from coordination.mechanisms.measure_notices import demo, scale
from coordination.mechanisms.measure_notices.api import (
    MeasureAmendment,
    MeasureNoticeCreateSerializer,
    MeasureNoticeDetailSerializer,
    MeasureNoticeSerializer,
    MeasureNoticeViewSet,
)
from coordination.mechanisms.measure_notices.briefing import PANELS
from coordination.mechanisms.measure_notices.models import MeasureNotice
from coordination.mechanisms.measure_notices.services import circular_fields, measure_notice_issue
from coordination.models import Membership, Organisation
from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import Column, member

K, R = Organisation.Kind, Membership.Role


@mechanisms.register
class MeasureNotices(mechanisms.Mechanism):
    code = "M3"
    codes = ("M3", "M7", "F4", "F5")
    model = MeasureNotice
    reference_code = {"M3": "MSR", "M7": "EMG", "F4": "PRJ", "F5": "POL"}
    resource = "measure-notices"
    serializers = mechanisms.Serializers(
        row=MeasureNoticeSerializer, detail=MeasureNoticeDetailSerializer, create=MeasureNoticeCreateSerializer
    )
    create = measure_notice_issue
    may_create = member(kind=K.LIAISON_OFFICE, role=R.LIAISON_OFFICER) | member(
        kind=K.COOPERATION_OFFICE, role=R.COORDINATOR
    )
    payloads = {"amend": MeasureAmendment}
    viewset = MeasureNoticeViewSet
    filters = ("state", "mechanism", "category")
    columns = (
        Column("category", _("Category"), lambda c: c.get_category_display()),
        Column("effective_from", _("Effective from"), lambda c: c.effective_from),
        Column("effective_until", _("Effective until"), lambda c: c.effective_until),
        Column("edition", _("Edition"), lambda c: c.edition),
    )
    urls = "coordination.mechanisms.measure_notices.urls"
    new_page = "measure-notice-new"
    new_label = _("Issue a notice")
    circular = circular_fields
    # M7 public-safety incidents go out at once; the office head signs off within two hours.
    sign_off = {"M7": mechanisms.SignOff(after_issue=True, within=timedelta(hours=2))}
    briefing = PANELS
    demo = staticmethod(demo.seed)
    scale = staticmethod(scale.generate)
