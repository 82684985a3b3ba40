"""Regional stock: warehouses, their balances per item, and the ledger of movements.

A balance (on hand, reserved; free = on hand − reserved) changes only through the ledger
services (supplies/services/ledger.py), each writing one append-only `StockMovement` in the same
transaction, so a balance always equals the sum of its movements (`ledger_check`). The database
refuses what no service may produce: negative stock, more reserved than on hand, a movement whose
deltas do not match its kind.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.models import AppendOnlyError, Organisation, Region
from supplies.models.catalogue import SupplyItem

# numeric(14, 3): up to 99,999,999,999.999 — ample for masks by the piece, exact for litres.
QUANTITY = {"max_digits": 14, "decimal_places": 3}


class Warehouse(models.Model):
    """A store of supplies run by an organisation in its region (e.g. 上海市医药储备库, run on
    the platform by Shanghai's liaison office)."""

    code = models.CharField(
        _("code"),
        max_length=48,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Lower-case letters, digits and hyphens."))],
    )
    name = models.CharField(_("name"), max_length=128)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="warehouses", verbose_name=_("organisation")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="warehouses",
        limit_choices_to={"level__in": [Region.Level.PROVINCE, Region.Level.MUNICIPALITY]},
        verbose_name=_("region"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["region_id", "code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self):
        return self.name

    def clean(self):
        if self.region_id and not self.region.is_provincial:
            raise ValidationError({"region": _("Choose a provincial-level region.")})
        if self.organisation_id and self.organisation.region_id and self.organisation.region_id != self.region_id:
            raise ValidationError({"region": _("The warehouse is not in its organisation's region.")})


class StockBalance(models.Model):
    """What one warehouse holds of one item. Written only by the ledger services, under a row lock."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="balances", verbose_name=_("warehouse")
    )
    item = models.ForeignKey(SupplyItem, on_delete=models.PROTECT, related_name="balances", verbose_name=_("item"))
    on_hand = models.DecimalField(_("on hand"), default=0, **QUANTITY)
    reserved = models.DecimalField(_("reserved"), default=0, **QUANTITY)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["warehouse__region_id", "warehouse__code", "item__code"]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="supplies_balance_unique_warehouse_item"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="supplies_balance_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="supplies_balance_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="supplies_balance_reserved_within_on_hand"
            ),
        ]

    def __str__(self):
        return f"{self.warehouse} · {self.item}"

    @property
    def free(self):
        """What may still be reserved (pledged): on hand less what is reserved."""
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt into stock")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    DISPATCH = "dispatch", _("Dispatch")
    ARRIVAL = "arrival", _("Arrival")
    ADJUSTMENT = "adjustment", _("Adjustment")


K = MovementKind
# What each kind may do to on hand (Δon_hand) and reserved (Δreserved): one CHECK holds them.
DELTAS_MATCH_KIND = (
    Q(kind=K.RECEIPT, on_hand_delta__gt=0, reserved_delta=0)
    | Q(kind=K.RESERVATION, on_hand_delta=0, reserved_delta__gt=0)
    | Q(kind=K.RELEASE, on_hand_delta=0, reserved_delta__lt=0)
    # Dispatched goods leave from what was reserved for them.
    | Q(kind=K.DISPATCH, on_hand_delta__lt=0, reserved_delta=F("on_hand_delta"))
    | Q(kind=K.ARRIVAL, on_hand_delta__gt=0, reserved_delta=0)
    | (Q(kind=K.ADJUSTMENT, reserved_delta=0) & ~Q(on_hand_delta=0) & ~Q(reason=""))
)


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("stock movements are append-only")

    def delete(self):
        raise AppendOnlyError("stock movements are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("stock movements are append-only")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("stock movements are append-only")


class StockMovement(models.Model):
    """One change of a balance, never changed or deleted: a correction is another movement (an
    adjustment, with its reason and author)."""

    Kind = MovementKind

    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="movements", verbose_name=_("warehouse")
    )
    item = models.ForeignKey(SupplyItem, on_delete=models.PROTECT, related_name="movements", verbose_name=_("item"))
    on_hand_delta = models.DecimalField(_("change on hand"), **QUANTITY)
    reserved_delta = models.DecimalField(_("change reserved"), **QUANTITY)
    # The balance right after this movement (the running balance of a stock ledger, 台账).
    on_hand_after = models.DecimalField(_("on hand after"), **QUANTITY)
    reserved_after = models.DecimalField(_("reserved after"), **QUANTITY)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    # The arrival's dispatch: what left another warehouse and is received here.
    dispatch = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrivals",
        limit_choices_to={"kind": K.DISPATCH},
        verbose_name=_("dispatch"),
    )
    # What caused it, when a case did: a supply request's line, a pledge, an allocation.
    reference_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reference type")
    )
    reference_id = models.PositiveBigIntegerField(_("reference ID"), null=True, blank=True)
    reference = GenericForeignKey("reference_type", "reference_id")

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            models.Index(fields=["warehouse", "item", "id"], name="supplies_movement_balance"),
            models.Index(fields=["reference_type", "reference_id"], name="supplies_movement_reference"),
        ]
        constraints = [
            models.CheckConstraint(condition=DELTAS_MATCH_KIND, name="supplies_movement_deltas_match_kind"),
            models.CheckConstraint(
                condition=Q(on_hand_after__gte=0, reserved_after__gte=0, reserved_after__lte=F("on_hand_after")),
                name="supplies_movement_after_within_bounds",
            ),
            models.CheckConstraint(
                # An arrival receives a dispatch; nothing else names one.
                condition=Q(kind=K.ARRIVAL, dispatch__isnull=False) | (~Q(kind=K.ARRIVAL) & Q(dispatch__isnull=True)),
                name="supplies_movement_arrival_has_dispatch",
            ),
            models.CheckConstraint(
                condition=Q(reference_type__isnull=True, reference_id__isnull=True)
                | Q(reference_type__isnull=False, reference_id__isnull=False),
                name="supplies_movement_reference_complete",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item} @ {self.warehouse}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("stock movements are append-only")

    @property
    def quantity(self):
        """The movement's size, always positive (an adjustment's sign is in `on_hand_delta`)."""
        return abs(self.on_hand_delta) or abs(self.reserved_delta)
