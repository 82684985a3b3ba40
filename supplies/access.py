"""Who sees regional stock, and who changes it.

- **Stock levels are shared across the Delta**: the shortage board of the four regions needs
  them. Every member of a provincial liaison office, of a leading group and of the Regional
  Cooperation Office sees every warehouse and balance; any other organisation (a hospital, an
  insurance centre) sees only the warehouses it runs itself.
- **Movements** (who received, reserved, adjusted what, and why) are the running organisation's
  business: only the warehouse's own organisation and the Office see them.
- **Changes** (receipts, adjustments; later reservations for pledges, dispatches): only members
  of the warehouse's own organisation; arrivals, of the receiving warehouse's.

As for cases: what a user may not see answers 404, what they see but may not change 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from coordination.models import Membership, Organisation
from coordination.workflow.access import membership_of
from supplies.models import StockBalance, StockMovement, Warehouse

K = Organisation.Kind
STOCK_VIEWER_KINDS = frozenset({K.LIAISON_OFFICE, K.LEADING_GROUP, K.COOPERATION_OFFICE})


def sees_all_stock(membership: Membership | None) -> bool:
    return membership is not None and membership.organisation.kind in STOCK_VIEWER_KINDS


def sees_all_movements(membership: Membership | None) -> bool:
    return membership is not None and membership.organisation.kind == K.COOPERATION_OFFICE


def warehouse_filter(user, *, prefix: str = "") -> Q:
    """The Q of the warehouses (through `prefix`, e.g. "warehouse__") whose stock the user sees."""
    membership = membership_of(user)
    if membership is None:
        return Q(pk__in=[])
    if sees_all_stock(membership):
        return Q()
    return Q(**{f"{prefix}organisation_id": membership.organisation_id})


def warehouses_visible(user) -> QuerySet:
    return Warehouse.objects.filter(warehouse_filter(user))


def balances_visible(user) -> QuerySet:
    return StockBalance.objects.filter(warehouse_filter(user, prefix="warehouse__"))


def movements_visible(user) -> QuerySet:
    membership = membership_of(user)
    if membership is None:
        return StockMovement.objects.none()
    if sees_all_movements(membership):
        return StockMovement.objects.all()
    return StockMovement.objects.filter(warehouse__organisation_id=membership.organisation_id)


def may_operate(user, warehouse: Warehouse) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.organisation_id == warehouse.organisation_id


def warehouse_for_user(user, code: str, *, action: str = "view") -> Warehouse:
    """The one access helper: the warehouse of `code` if the user may `action` ("view" or
    "operate") it. Invisible → 404, visible but not the user's to change → 403."""
    if action not in ("view", "operate"):
        raise ValueError(f"unknown action {action!r}")
    try:
        warehouse = warehouses_visible(user).select_related("organisation", "region").get(code=code)
    except (Warehouse.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "operate" and not may_operate(user, warehouse):
        raise PermissionDenied
    return warehouse
