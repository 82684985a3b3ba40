"""INS, cross-region medical-insurance filing (医保异地备案), declared to the engine."""

from django.utils.translation import gettext_lazy as _

from coordination.mechanisms.insurance import demo, scale
from coordination.mechanisms.insurance.api import (
    InsuranceFilingCreateSerializer,
    InsuranceFilingDetailSerializer,
    InsuranceFilingSerializer,
    InsuranceFilingViewSet,
)
from coordination.mechanisms.insurance.briefing import PANELS
from coordination.mechanisms.insurance.models import (
    ApprovalPayload,
    FilingCorrection,
    InsuranceFiling,
    RejectionPayload,
    ReturnPayload,
)
from coordination.mechanisms.insurance.services import insurance_filing_create
from coordination.models import Membership, Organisation, Participant
from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import Column, Link, member

K, R = Organisation.Kind, Membership.Role
Role = Participant.Role


@mechanisms.register
class InsuranceFilings(mechanisms.Mechanism):
    code = "INS"
    model = InsuranceFiling
    reference_code = "INS"
    resource = "insurance-filings"
    serializers = mechanisms.Serializers(
        row=InsuranceFilingSerializer, detail=InsuranceFilingDetailSerializer, create=InsuranceFilingCreateSerializer
    )
    create = insurance_filing_create
    may_create = member(kind=K.HOSPITAL, role=R.HOSPITAL_FILER)
    payloads = {
        "approve": ApprovalPayload,
        "return_for_correction": ReturnPayload,
        "reject": RejectionPayload,
        "resubmit": FilingCorrection,
    }
    viewset = InsuranceFilingViewSet
    # ID and phone numbers are encrypted; the pages show their masks, never the numbers or the
    # receipt's internals; every opening is logged.
    personal = mechanisms.Personal(
        encrypted=("id_number", "phone"),
        hidden=("id_number_hash", "phone_hash", "receipt_pdf", "receipt_sha256", "hospital_reference"),
        log_openings=True,
    )
    # Only the filing hospital and the insuring centre open a filing: not the Office, not leaders
    # (who read aggregates), not observers added by an escalation (they are told, not shown).
    visible_to_rule_viewers = False
    visible_participant_roles = (Role.ORIGINATOR, Role.RESPONDER)
    # The regions taking part, on the row: the hospital's is the treating region and the insuring
    # centre's the insuring region; an escalation adds only that region's leading group and the
    # Office. So the briefing finds a region's filings by these columns instead of searching a
    # million participant rows.
    region_fields = ("insuring_region", "treating_region")
    columns = (
        Column("insuring_region", _("Insuring region"), lambda c: c.insuring_region.name),
        Column("filing_type", _("Filing type"), lambda c: c.get_filing_type_display()),
    )
    annotate_register = staticmethod(lambda queryset: queryset.select_related("insuring_region"))
    urls = "coordination.mechanisms.insurance.urls"
    new_page = "insurance-filing-new"
    new_label = _("New filing")
    links = (
        Link("insurance-my-filings", _("My filings"), member(kind=K.HOSPITAL)),
        Link("insurance-queue", _("Review queue"), member(kind=K.INSURANCE_CENTRE)),
    )
    admin = {
        "list_display": ["reference", "title", "state", "originator", "insuring_centre", "id_number_masked", "due_at"],
        "list_filter": ["state", "filing_type", "insuring_region"],
        "list_select_related": ["originator", "insuring_centre"],
        "search_fields": ["reference", "hospital_reference"],
    }
    briefing = PANELS
    demo = staticmethod(demo.seed)
    scale = staticmethod(scale.generate)
