"""What the supplies API's resources share: the permission class and the quantity field."""

from rest_framework import permissions, serializers

from coordination.workflow.access import membership_of
from supplies.quantities import quantity_text


class MemberPermission(permissions.BasePermission):
    """Signed in (401 otherwise) and a member of an organisation (403 otherwise). What each
    organisation sees and changes is decided per warehouse (supplies/access.py)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return membership_of(request.user) is not None


class QuantityField(serializers.DecimalField):
    """A quantity as a string without trailing zeros: "200000" masks, "12.5" litres."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return quantity_text(value)
