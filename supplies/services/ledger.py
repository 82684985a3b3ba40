"""The stock ledger's services: every change of a balance is one of these, writing one
`StockMovement` and the balance in one transaction under the balance's row lock
(SELECT … FOR UPDATE), so concurrent reservations of the same stock queue up and never
over-reserve; the database's CHECK constraints are the last line behind them.

    receipt      on hand +q                  goods come in (production, national allocation)
    reservation  reserved +q                 set aside for a pledge; refused beyond free stock
    release      reserved −q                 a reservation given up
    dispatch     on hand −q, reserved −q     reserved goods leave for another region
    arrival      on hand +q                  a dispatch received at its destination
    adjustment   on hand ±q, with a reason   stocktaking, damage, expiry

Only members of the warehouse's organisation change its stock (supplies/access.py).
`ledger_check()` proves the balances equal the sums of their movements.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.errors import Conflict, Invalid
from coordination.workflow.access import membership_of
from supplies.models import StockBalance, StockMovement, SupplyItem, Warehouse
from supplies.quantities import MAX_BALANCE, quantity_clean, quantity_text
from supplies.services.locking import balance_lock, movement_write

K = StockMovement.Kind
ZERO = Decimal(0)
REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class _OnBehalf:
    """The warehouse's own organisation, for a release another organisation's decision makes."""

    organisation_id: int


def _operator(by, warehouse: Warehouse, *, on_behalf: bool = False):
    """The membership `by` acts in: a member of the warehouse's organisation, or 403; with
    `on_behalf`, anybody (the caller has checked that a case lets them), recorded as acting for
    the warehouse's organisation."""
    if on_behalf:
        return _OnBehalf(warehouse.organisation_id)
    membership = membership_of(by)
    if membership is None or membership.organisation_id != warehouse.organisation_id:
        raise PermissionDenied
    return membership


def _movement(
    kind: str,
    warehouse: Warehouse,
    item: SupplyItem,
    *,
    by,
    membership,
    on_hand: Decimal = ZERO,
    reserved: Decimal = ZERO,
    reason: str = "",
    reference=None,
    dispatch: StockMovement | None = None,
) -> StockMovement:
    """The movement to write, built before the balance is locked: what happens under the lock
    is what limits a hot item."""
    return StockMovement(
        kind=kind,
        warehouse=warehouse,
        item=item,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        reason=reason,
        actor=by,
        organisation_id=membership.organisation_id,
        dispatch=dispatch,
        reference_type=ContentType.objects.get_for_model(reference) if reference is not None else None,
        reference_id=reference.pk if reference is not None else None,
    )


def _reason(reason: str, *, required: bool = False) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        message = _("Say why the stock is adjusted.")
        raise Invalid(message, details={"reason": [message]})
    if len(reason) > REASON_MAX_LENGTH:
        message = _("At most %(max)s characters.") % {"max": REASON_MAX_LENGTH}
        raise Invalid(message, details={"reason": [message]})
    return reason


def _stock_details(balance: StockBalance | None, warehouse: Warehouse, item: SupplyItem, requested: Decimal) -> dict:
    return {
        "warehouse": warehouse.code,
        "item": item.code,
        "on_hand": quantity_text(balance.on_hand if balance else ZERO),
        "reserved": quantity_text(balance.reserved if balance else ZERO),
        "free": quantity_text(balance.free if balance else ZERO),
        "requested": quantity_text(requested),
    }


def _record(balance: StockBalance, movement: StockMovement) -> StockMovement:
    """Apply the movement's deltas to the locked balance and write both."""
    balance.on_hand += movement.on_hand_delta
    balance.reserved += movement.reserved_delta
    if balance.on_hand > MAX_BALANCE:
        message = _("A warehouse holds at most %(max)s of an item.") % {"max": quantity_text(MAX_BALANCE)}
        raise Invalid(message, details={"quantity": [message]})
    movement.on_hand_after, movement.reserved_after = balance.on_hand, balance.reserved
    # Stamped under the lock: a balance's movements are timed in the order of their ids.
    movement.at = timezone.now()
    movement_write(balance, movement)
    return movement


def _refuse_beyond(what: str, balance, warehouse, item, quantity, *, code: str, message) -> None:
    raise Conflict(
        message
        % {
            what: quantity_text(getattr(balance, what) if balance else ZERO),
            "unit": item.get_unit_display(),
            "item": item.name,
            "warehouse": warehouse.name,
            "requested": quantity_text(quantity),
        },
        code=code,
        details=_stock_details(balance, warehouse, item, quantity),
    )


def _within_free(balance, warehouse, item, quantity) -> None:
    if balance is None or quantity > balance.free:
        _refuse_beyond(
            "free",
            balance,
            warehouse,
            item,
            quantity,
            code="insufficient_stock",
            message=_("Only %(free)s %(unit)s of %(item)s are free in %(warehouse)s; %(requested)s were asked for."),
        )


def _within_reserved(balance, warehouse, item, quantity) -> None:
    if balance is None or quantity > balance.reserved:
        _refuse_beyond(
            "reserved",
            balance,
            warehouse,
            item,
            quantity,
            code="insufficient_reserved_stock",
            message=_(
                "Only %(reserved)s %(unit)s of %(item)s are reserved in %(warehouse)s; %(requested)s were asked for."
            ),
        )


def _move(
    kind: str,
    warehouse: Warehouse,
    item: SupplyItem,
    quantity,
    *,
    by,
    reason: str,
    reference,
    on_hand: int = 0,
    reserved: int = 0,
    within=None,
    create: bool = False,
    on_behalf: bool = False,
) -> StockMovement:
    """One movement of a kind: the operator checked, the quantity cleaned, the balance locked
    (`create`: made when missing) and checked (`within`), the movement and the balance written.
    `on_hand` and `reserved` are the signs (+1, −1, 0) the quantity moves each by."""
    membership = _operator(by, warehouse, on_behalf=on_behalf)
    quantity = quantity_clean(item, quantity)
    movement = _movement(
        kind,
        warehouse,
        item,
        by=by,
        membership=membership,
        on_hand=on_hand * quantity,
        reserved=reserved * quantity,
        reason=_reason(reason),
        reference=reference,
    )
    balance = balance_lock(warehouse, item, create=create)
    if within is not None:
        within(balance, warehouse, item, quantity)
    return _record(balance, movement)


@transaction.atomic
def stock_receive(
    warehouse: Warehouse, item: SupplyItem, quantity, *, by, reason: str = "", reference=None
) -> StockMovement:
    """Goods come into the warehouse (production, a national allocation, a donation)."""
    return _move(
        K.RECEIPT, warehouse, item, quantity, by=by, reason=reason, reference=reference, on_hand=1, create=True
    )


@transaction.atomic
def stock_reserve(
    warehouse: Warehouse, item: SupplyItem, quantity, *, by, reference=None, reason: str = ""
) -> StockMovement:
    """Set stock aside (for a pledge). More than is free → Conflict naming the free quantity."""
    return _move(
        K.RESERVATION,
        warehouse,
        item,
        quantity,
        by=by,
        reason=reason,
        reference=reference,
        reserved=1,
        within=_within_free,
    )


@transaction.atomic
def stock_release(
    warehouse: Warehouse, item: SupplyItem, quantity, *, by, reference=None, reason: str = "", on_behalf: bool = False
) -> StockMovement:
    """Give up (part of) a reservation: the stock is free again. `on_behalf`: released by a
    decision of another organisation that a case entitles (a requester allocating elsewhere,
    or cancelling), recorded as the warehouse organisation's movement made by that user."""
    return _move(
        K.RELEASE,
        warehouse,
        item,
        quantity,
        by=by,
        reason=reason,
        reference=reference,
        reserved=-1,
        within=_within_reserved,
        on_behalf=on_behalf,
    )


@transaction.atomic
def stock_dispatch(
    warehouse: Warehouse, item: SupplyItem, quantity, *, by, reference=None, reason: str = ""
) -> StockMovement:
    """Reserved goods leave the warehouse: on hand and reserved both fall by the quantity."""
    return _move(
        K.DISPATCH,
        warehouse,
        item,
        quantity,
        by=by,
        reason=reason,
        reference=reference,
        on_hand=-1,
        reserved=-1,
        within=_within_reserved,
    )


def in_transit(dispatch: StockMovement) -> Decimal:
    """What of a dispatch has not arrived anywhere yet."""
    arrived = dispatch.arrivals.aggregate(total=Sum("on_hand_delta"))["total"] or ZERO
    return -dispatch.on_hand_delta - arrived


@transaction.atomic
def stock_arrive(
    warehouse: Warehouse, quantity, *, dispatch: StockMovement, by, reference=None, reason: str = ""
) -> StockMovement:
    """A dispatch (or part of it) received into another warehouse, by a member of the receiving
    organisation. More than is still in transit → Conflict."""
    membership = _operator(by, warehouse)
    # Locking the dispatch serialises its arrivals: two receipts of the same lorry at once
    # cannot both count the same goods.
    dispatch = StockMovement.objects.select_for_update().select_related("item").get(pk=dispatch.pk)
    if dispatch.kind != K.DISPATCH:
        message = _("Choose a dispatch.")
        raise Invalid(message, details={"dispatch": [message]})
    if dispatch.warehouse_id == warehouse.pk:
        message = _("Goods arrive at another warehouse than the one they left.")
        raise Invalid(message, details={"warehouse": [message]})
    item = dispatch.item
    quantity = quantity_clean(item, quantity)
    movement = _movement(
        K.ARRIVAL,
        warehouse,
        item,
        by=by,
        membership=membership,
        on_hand=quantity,
        reason=_reason(reason),
        reference=reference,
        dispatch=dispatch,
    )
    remaining = in_transit(dispatch)
    if quantity > remaining:
        raise Conflict(
            _("Only %(remaining)s %(unit)s of this dispatch are still in transit.")
            % {"remaining": quantity_text(remaining), "unit": item.get_unit_display()},
            code="arrival_exceeds_dispatch",
            details={
                "dispatch": dispatch.pk,
                "in_transit": quantity_text(remaining),
                "requested": quantity_text(quantity),
            },
        )
    return _record(balance_lock(warehouse, item, create=True), movement)


@transaction.atomic
def stock_adjust(warehouse: Warehouse, item: SupplyItem, quantity, *, by, reason: str, reference=None) -> StockMovement:
    """Correct what is on hand (stocktaking, damage, expiry) by a signed quantity, with a
    reason. It never takes away reserved stock: below the reserved quantity → Conflict."""
    membership = _operator(by, warehouse)
    quantity = quantity_clean(item, quantity, signed=True)
    movement = _movement(
        K.ADJUSTMENT,
        warehouse,
        item,
        by=by,
        membership=membership,
        on_hand=quantity,
        reason=_reason(reason, required=True),
        reference=reference,
    )
    balance = balance_lock(warehouse, item, create=quantity > 0)
    if quantity < 0 and (balance is None or -quantity > balance.free):
        _refuse_beyond(
            "free",
            balance,
            warehouse,
            item,
            -quantity,
            code="insufficient_stock",
            message=_(
                "Only %(free)s %(unit)s of %(item)s are free in %(warehouse)s to take away; the rest is reserved."
            ),
        )
    return _record(balance, movement)


# --- the ledger invariant ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Discrepancy:
    """A balance that is not the sum of its movements (or movements without a balance)."""

    warehouse_id: int
    item_id: int
    on_hand: Decimal
    reserved: Decimal
    movements_on_hand: Decimal
    movements_reserved: Decimal

    def __str__(self):
        return (
            f"warehouse {self.warehouse_id} item {self.item_id}: balance on hand {self.on_hand} reserved "
            f"{self.reserved}, movements sum to {self.movements_on_hand} / {self.movements_reserved}"
        )


def ledger_check() -> list[Discrepancy]:
    """Every balance against the sum of its movements: the discrepancies, none when the ledger holds.
    Two grouped queries; balances number warehouses × items (hundreds), not movements."""
    sums = {
        (row["warehouse_id"], row["item_id"]): (row["on_hand"], row["reserved"])
        for row in StockMovement.objects.order_by()
        .values("warehouse_id", "item_id")
        .annotate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    }
    balances = {
        (warehouse_id, item_id): (on_hand, reserved)
        for warehouse_id, item_id, on_hand, reserved in StockBalance.objects.order_by().values_list(
            "warehouse_id", "item_id", "on_hand", "reserved"
        )
    }
    found = []
    for key in sorted(sums.keys() | balances.keys()):
        held = balances.get(key, (ZERO, ZERO))
        summed = sums.get(key, (ZERO, ZERO))
        if held != summed:
            found.append(Discrepancy(*key, *held, *summed))
    return found
