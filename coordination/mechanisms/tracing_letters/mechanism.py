"""M1 close-contact tracing letters (确诊和疑似病例密切接触者信息快速沟通 · 协查函), declared to the engine."""

from django.utils.translation import gettext_lazy as _

from coordination.mechanisms.tracing_letters import demo
from coordination.mechanisms.tracing_letters.api import (
    PAYLOADS,
    TracingLetterCreateSerializer,
    TracingLetterDetailSerializer,
    TracingLetterSerializer,
    TracingLetterViewSet,
)
from coordination.mechanisms.tracing_letters.models import TracingLetter
from coordination.mechanisms.tracing_letters.pages import PAGE_ACTIONS, letter_panel_context, page_payload
from coordination.mechanisms.tracing_letters.services import tracing_letter_create
from coordination.models import Membership, Organisation
from coordination.registers import local_time
from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import Column, member

K, R = Organisation.Kind, Membership.Role


@mechanisms.register
class TracingLetters(mechanisms.Mechanism):
    code = "M1"
    model = TracingLetter
    reference_code = "TRC"  # SH-TRC-2026-000001
    resource = "tracing-letters"
    serializers = mechanisms.Serializers(
        row=TracingLetterSerializer, detail=TracingLetterDetailSerializer, create=TracingLetterCreateSerializer
    )
    create = tracing_letter_create
    may_create = member(kind=K.LIAISON_OFFICE, role=R.LIAISON_OFFICER) | member(kind=K.HEALTH_COMMISSION)
    payloads = PAYLOADS
    viewset = TracingLetterViewSet
    # The persons' numbers live on the letter's items (encrypted there); every opening of a
    # letter is logged like a filing's.
    personal = mechanisms.Personal(encrypted=(), log_openings=True)
    # The sending and receiving regions (and the Office, and their leaders) see a letter; a
    # third region never does, unless a person is forwarded to it in a letter of its own.
    region_fields = ("sender_region", "addressee_region")
    columns = (
        Column("addressee_region", _("Addressed region"), lambda c: c.addressee_region.name),
        Column("persons", _("Persons"), lambda c: f"{c.answered_count}/{c.person_count}"),
        Column("replied_at", _("Replied"), lambda c: local_time(c.replied_at)),
    )
    annotate_register = staticmethod(lambda queryset: queryset.select_related("addressee_region"))
    urls = "coordination.mechanisms.tracing_letters.urls"
    new_page = "tracing-letter-new"
    new_label = _("New tracing letter")
    case_panel = "tracing_letters/_letter_panel.html"
    case_context = staticmethod(letter_panel_context)
    page_actions = PAGE_ACTIONS
    page_payload = staticmethod(page_payload)
    admin = {
        "list_display": ["reference", "title", "state", "originator", "addressee_region", "person_count", "due_at"],
        "list_filter": ["state", "addressee_region"],
    }
    demo = staticmethod(demo.seed)
