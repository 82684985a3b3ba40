"""M4 mutual aid of key supplies (重要防疫物资互济互帮), declared to the engine."""

from django.utils.translation import gettext_lazy as _

from coordination.models import Membership, Organisation
from coordination.registers import local_time
from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import AnyOf, Column, Link, member
from supplies import demo
from supplies.access import STOCK_VIEWER_KINDS
from supplies.api.aid import (
    PAYLOADS,
    SupplyRequestCreateSerializer,
    SupplyRequestDetailSerializer,
    SupplyRequestSerializer,
    SupplyRequestViewSet,
)
from supplies.briefing import PANELS
from supplies.models import SupplyRequest
from supplies.pages.forms import PAGE_ACTIONS, page_payload
from supplies.pages.request_panel import request_panel_context
from supplies.services.aid import supply_request_create

K, R = Organisation.Kind, Membership.Role
# Who sees every region's stock (supplies/access.py): the board, the flows and the stock pages.
STOCK_VIEWERS = AnyOf(tuple(member(kind=kind) for kind in sorted(STOCK_VIEWER_KINDS)))


@mechanisms.register
class SupplyRequests(mechanisms.Mechanism):
    code = "M4"
    model = SupplyRequest
    reference_code = "SUP"  # JS-SUP-2026-000123
    resource = "supply-requests"
    serializers = mechanisms.Serializers(
        row=SupplyRequestSerializer, detail=SupplyRequestDetailSerializer, create=SupplyRequestCreateSerializer
    )
    create = supply_request_create
    may_create = member(kind=K.LIAISON_OFFICE, role=R.LIAISON_OFFICER)
    payloads = PAYLOADS
    viewset = SupplyRequestViewSet
    personal = mechanisms.Personal(encrypted=("contact_phone",), log_openings=False)
    columns = (
        Column("urgency", _("Urgency"), lambda c: c.get_urgency_display()),
        Column("needed_by", _("Needed by"), lambda c: c.needed_by.isoformat()),
        Column("allocated_at", _("Allocated"), lambda c: local_time(c.allocated_at)),
    )
    filters = ("state", "urgency")
    urls = "supplies.urls"
    new_page = "supply-request-new"
    new_label = _("New request")
    links = (
        Link("supplies-shortage", _("Shortage board"), STOCK_VIEWERS),
        Link("supplies-flows", _("Supply flows"), STOCK_VIEWERS),
        Link("supplies-stock", _("Stock"), STOCK_VIEWERS),
    )
    # The case page's panel: lines, pledges, allocation orders, shipments, shortfalls, and the
    # forms of the transitions whose payloads have rows (the generic forms have flat fields).
    case_panel = "supplies/_request_panel.html"
    case_context = staticmethod(request_panel_context)
    page_actions = PAGE_ACTIONS
    page_payload = staticmethod(page_payload)
    briefing = PANELS
    demo = staticmethod(demo.seed)
    admin = {"list_display": ["reference", "title", "state", "urgency", "needed_by", "originator", "due_at"]}
