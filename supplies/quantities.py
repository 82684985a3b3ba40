"""Quantities of supplies: positive, whole for counted units, three decimal places at most for
measured ones, and never absurd. One function every service uses, raising the platform's
`Invalid` with the field named."""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from coordination.errors import Invalid
from supplies.models import SupplyItem

# No single movement is larger than this: China made about 116 million masks a day at the
# February 2020 peak, so a billion units in one receipt is a typing error, not a delivery.
MAX_MOVEMENT = Decimal(1_000_000_000)
# What a numeric(14, 3) balance holds.
MAX_BALANCE = Decimal("99999999999.999")
STEP = Decimal("0.001")  # three decimal places, as the balances store them


def _invalid(field: str, message) -> Invalid:
    return Invalid(message, details={field: [message]})


def quantity_clean(item: SupplyItem, value, *, field: str = "quantity", signed: bool = False) -> Decimal:
    """The quantity as a Decimal, or Invalid naming `field`. `signed`: a change either way (an
    adjustment), not zero."""
    if isinstance(value, float):
        value = repr(value)  # 0.1 is 0.1, not 0.1000000000000000055511151231257827
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise _invalid(field, _("Enter a number.")) from None
    if not quantity.is_finite():
        raise _invalid(field, _("Enter a number."))
    if signed:
        if quantity == 0:
            raise _invalid(field, _("An adjustment cannot be zero."))
    elif quantity <= 0:
        raise _invalid(field, _("The quantity must be more than zero."))
    if abs(quantity) > MAX_MOVEMENT:
        raise _invalid(field, _("At most %(max)s in one movement: check the quantity.") % {"max": f"{MAX_MOVEMENT:,}"})
    if item.countable and quantity != quantity.to_integral_value():
        raise _invalid(
            field,
            _("%(item)s is counted in whole units (%(unit)s).") % {"item": item.name, "unit": item.get_unit_display()},
        )
    if quantity != quantity.quantize(STEP, rounding=ROUND_DOWN):
        raise _invalid(field, _("At most three decimal places."))
    return quantity.quantize(STEP)


def quantity_text(value: Decimal) -> str:
    """200000, 12.5: without trailing zeros or an exponent."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
