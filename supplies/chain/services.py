"""Write services of F2 supply-chain requests. Accepting, replying, returning, confirming
(closing) and reopening are the engine's transitions, fired through `transition_fire`."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from coordination.errors import Invalid
from coordination.models import Organisation, Participant, Region
from coordination.workflow.access import membership_of
from coordination.workflow.engine import case_create
from supplies.chain.models import SupplyChainRequest
from supplies.chain.routing import routing_for

Role = Participant.Role


def supplier_city_refusal(city: Region, requester: Organisation | None) -> str | None:
    """Why a request from `requester` cannot go to a supplier in `city`, or None: it goes to
    another region, whose liaison office is on the platform."""
    if requester is not None and requester.region_id and city.province.code == requester.region_id:
        return _("The supplier's city must be in another region than yours.")
    if routing_for(city) is None:
        return _("That region has no liaison office on the platform.")
    return None


def supply_chain_request_create(
    *,
    by,
    requester_name: str,
    requester_credit_code: str,
    quantity: Decimal,
    unit: str,
    needed_by: date,
    blocked_production: str,
    employees_affected: int,
    supplier_city: Region,
    contact_person: str,
    contact_phone: str,
    hs_code: str = "",
    product_description: str = "",
    supplier_name: str = "",
    title: str = "",
) -> SupplyChainRequest:
    """A region's liaison office files an enterprise's need for an upstream part from another
    region; it goes to the liaison office of the supplier's city when that city has one (the
    province's office observing), else to the province's (supplies/chain/routing.py).
    Who may: the declaration's `may_create`, which `case_create` checks."""
    membership = membership_of(by)
    if membership is None:
        raise PermissionDenied
    requester = membership.organisation
    refusal = supplier_city_refusal(supplier_city, requester)
    if refusal:
        raise Invalid(refusal, details={"supplier_city": [refusal]})
    routing = routing_for(supplier_city)
    participants = [(routing.responder, Role.RESPONDER)]
    if routing.observer is not None:
        participants.append((routing.observer, Role.OBSERVER))
    return case_create(
        SupplyChainRequest,
        by=by,
        title=title or default_title(requester_name, product_description or hs_code, supplier_city),
        participants=participants,
        requester_name=requester_name,
        requester_credit_code=requester_credit_code,
        hs_code=hs_code,
        product_description=product_description,
        quantity=quantity,
        unit=unit,
        needed_by=needed_by,
        blocked_production=blocked_production,
        employees_affected=employees_affected,
        supplier_name=supplier_name,
        supplier_city=supplier_city,
        requester_region_id=requester.region_id,
        supplier_region=supplier_city.province,
        contact_person=contact_person,
        contact_phone=contact_phone,
    )


def default_title(requester_name: str, product: str, city: Region) -> str:
    title = _("%(enterprise)s needs %(product)s from %(city)s") % {
        "enterprise": requester_name,
        "product": product.splitlines()[0] if product else "",
        "city": city.name,
    }
    return title if len(title) <= 200 else f"{title[:199]}…"
