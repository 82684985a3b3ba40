"""F2, supply-chain matching for work resumption (产业链复工复产协同协作), declared to the engine."""

from django.utils.translation import gettext_lazy as _

from coordination.models import Membership, Organisation
from coordination.registers import local_time, responder_annotations, responder_name
from coordination.workflow import mechanisms
from coordination.workflow.mechanisms import Column, member
from supplies.chain import demo, scale
from supplies.chain.api import (
    SupplyChainRequestCreateSerializer,
    SupplyChainRequestDetailSerializer,
    SupplyChainRequestSerializer,
)
from supplies.chain.briefing import PANELS
from supplies.chain.models import SupplyChainRequest
from supplies.chain.payloads import RequestCorrection
from supplies.chain.services import supply_chain_request_create

K, R = Organisation.Kind, Membership.Role


@mechanisms.register
class SupplyChainRequests(mechanisms.Mechanism):
    code = "F2"
    model = SupplyChainRequest
    reference_code = "SCM"  # SH-SCM-2026-000001
    resource = "supply-chain-requests"
    serializers = mechanisms.Serializers(
        row=SupplyChainRequestSerializer,
        detail=SupplyChainRequestDetailSerializer,
        create=SupplyChainRequestCreateSerializer,
    )
    create = supply_chain_request_create
    # Filed by the requesting region's liaison office (a city's office too).
    may_create = member(kind=K.LIAISON_OFFICE, role=R.LIAISON_OFFICER) | member(
        kind=K.CITY_LIAISON_OFFICE, role=R.LIAISON_OFFICER
    )
    # The reply's payload (the suppliers found) is on the model's `reply` transition.
    payloads = {"resubmit": RequestCorrection}
    region_fields = ("requester_region", "supplier_region")
    columns = (
        Column("supplier_city", _("Supplier's city"), lambda c: c.supplier_city.name),
        Column("responder", _("Responsible organisation"), responder_name),
        Column("employees_affected", _("Employees affected"), lambda c: c.employees_affected),
        Column("needed_by", _("Needed by"), lambda c: c.needed_by),
        Column("replied_at", _("Replied"), lambda c: local_time(c.replied_at)),
    )
    urls = "supplies.chain.urls"
    new_page = "supply-chain-request-new"
    new_label = _("New supply-chain request")
    annotate_register = staticmethod(lambda queryset: responder_annotations(queryset).select_related("supplier_city"))
    filters = ("state", "supplier_city", "supplier_region", "requester_region")
    admin = {
        "list_display": ["reference", "title", "state", "originator", "supplier_city", "employees_affected", "due_at"],
        "list_filter": ["state", "supplier_region", "requester_region"],
        "list_select_related": ["originator", "supplier_city"],
        "search_fields": ["reference", "title", "requester_name", "requester_credit_code"],
    }
    briefing = PANELS
    demo = staticmethod(demo.seed)
    scale = staticmethod(scale.generate)
