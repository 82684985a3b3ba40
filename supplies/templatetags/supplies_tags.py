"""Template filters of the supplies pages."""

from decimal import Decimal

from django import template

from supplies.quantities import quantity_text

register = template.Library()


@register.filter
def qty(value) -> str:
    """200000, 12.5: a quantity as people write it (— for none)."""
    if value is None or value == "":
        return "—"
    return quantity_text(value if isinstance(value, Decimal) else Decimal(str(value)))
