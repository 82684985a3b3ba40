"""M2 release notices (健康观察解除告知单互认), declared to the engine."""

from django.utils.translation import gettext_lazy as _

from coordination.mechanisms.release_notices import demo
from coordination.mechanisms.release_notices.api import (
    ReleaseNoticeCreateSerializer,
    ReleaseNoticeDetailSerializer,
    ReleaseNoticeSerializer,
    ReleaseNoticeViewSet,
)
from coordination.mechanisms.release_notices.models import ReleaseNotice
from coordination.mechanisms.release_notices.pages import release_notice_panel_context
from coordination.mechanisms.release_notices.services import release_notice_issue
from coordination.models import Membership, Organisation, Participant
from coordination.registers import local_time
from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import Column, member

K, R = Organisation.Kind, Membership.Role
Role = Participant.Role


@mechanisms.register
class ReleaseNotices(mechanisms.Mechanism):
    code = "M2"
    model = ReleaseNotice
    reference_code = "REL"  # AH-REL-2026-000001
    resource = "release-notices"
    serializers = mechanisms.Serializers(
        row=ReleaseNoticeSerializer, detail=ReleaseNoticeDetailSerializer, create=ReleaseNoticeCreateSerializer
    )
    create = release_notice_issue
    # The observing region's liaison office or health commission releases the person.
    may_create = member(kind=K.LIAISON_OFFICE, role=R.LIAISON_OFFICER) | member(kind=K.HEALTH_COMMISSION)
    viewset = ReleaseNoticeViewSet
    # The ID number is encrypted; pages show its mask; every opening is logged. Other regions
    # do not open the notice: they verify its credential (/api/v1/credentials/verify/).
    # The name shows masked (the title); the signed credential is shown as its QR code.
    personal = mechanisms.Personal(
        encrypted=("id_number",), hidden=("id_number_hash", "person_name", "token"), log_openings=True
    )
    visible_to_rule_viewers = False
    visible_participant_roles = (Role.ORIGINATOR,)
    columns = (
        Column("observation_end", _("Observation until"), lambda c: c.observation_end.isoformat()),
        Column("expires_at", _("Valid until"), lambda c: local_time(c.expires_at)),
    )
    admin = {
        "list_display": ["reference", "title", "state", "originator", "id_number_masked", "expires_at"],
        "list_filter": ["state", "observation_kind"],
        "list_select_related": ["originator"],
        "search_fields": ["reference", "credential_id"],
    }
    urls = "coordination.mechanisms.release_notices.urls"
    new_page = "release-notice-new"
    new_label = _("New release notice")
    case_panel = "release_notices/_panel.html"
    case_context = staticmethod(release_notice_panel_context)
    demo = staticmethod(demo.seed)
