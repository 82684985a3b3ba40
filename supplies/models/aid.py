"""M4 mutual-aid requests (重要防疫物资互济互帮), on the engine's request–offers–allocation
pattern: a region asks for several lines of supplies; other regions pledge per line from free
stock (a reservation) or from production capacity (a dated commitment); the requester
allocates; the pledgers dispatch shipments, each hop recorded; the requester confirms receipt
per line, and a shortfall is reconciled — sent again, written off or pledged anew.

The quantities kept on lines and pledges are running totals written only by
supplies/services/aid.py under the request's row lock (every transition locks it), so they
never race; CHECK constraints refuse what no service may produce (negative quantities, more
received than dispatched, more dispatched than accepted).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from coordination.models import Organisation, Region
from coordination.models.items import CaseItem
from coordination.pii import idcard
from coordination.pii.fields import EncryptedCharField
from coordination.workflow.patterns import OffersCase
from supplies.models.capacity import ProductionCapacity
from supplies.models.catalogue import SupplyItem
from supplies.models.stock import QUANTITY, StockMovement, Warehouse

ZERO = 0


class Urgency(models.TextChoices):
    CRITICAL = "critical", _("Critical (pledges within 2 hours)")
    URGENT = "urgent", _("Urgent (pledges within 8 hours)")
    ROUTINE = "routine", _("Routine (pledges within 24 hours)")


class SupplyRequest(OffersCase):
    Urgency = Urgency

    requesting_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("requesting region"), editable=False
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.URGENT)
    needed_by = models.DateField(_("needed by"))
    purpose = models.TextField(_("purpose"), blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=300)
    receiving_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving warehouse")
    )
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_phone = EncryptedCharField(_("contact phone"), purpose="supplies.contact_phone")
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, editable=False)

    class Meta(OffersCase.Meta):
        verbose_name = _("supply mutual-aid request")
        verbose_name_plural = _("supply mutual-aid requests")
        indexes = [
            *OffersCase.Meta.indexes,
            models.Index(fields=["requesting_region", "state"], name="supplies_request_region_state"),
        ]

    def save(self, *args, **kwargs):
        self.contact_phone_masked = idcard.mask_phone(self.contact_phone or "")
        super().save(*args, **kwargs)
        if self.state not in self.OPEN_STATES:
            # The shortage list reads open lines only (a partial index): a closed request's leave it.
            self.lines.filter(open=True).update(open=False)

    def deadline_on_entering(self, state, now, *, working_day=None):
        from supplies.services.aid import request_deadline

        return request_deadline(self, state, now)

    # --- the pattern's hooks (supplies/services/aid.py does the work) -----------------------

    def pledge_refusal(self, membership):
        from supplies.services.aid import pledge_refusal

        return pledge_refusal(self, membership)

    def pledge_made(self, ctx):
        from supplies.services import aid

        aid.pledge_lines(self, ctx)

    def pledge_withdrawn(self, ctx):
        from supplies.services import aid

        aid.pledge_withdraw(self, ctx)

    def allocation_made(self, ctx):
        from supplies.services import aid

        aid.allocation_make(self, ctx)

    def dispatch_made(self, ctx):
        from supplies.services import aid

        aid.shipment_dispatch(self, ctx)

    def hop_recorded(self, ctx):
        from supplies.services import aid

        aid.shipment_hop(self, ctx)

    def receipt_confirmed(self, ctx):
        from supplies.services import aid

        aid.receipt_confirm(self, ctx)

    def shortfall_reconciled(self, ctx):
        from supplies.services import aid

        aid.shortfall_reconcile(self, ctx)

    def cancelled(self, ctx):
        from supplies.services import aid

        aid.request_release_all(self, ctx)

    def outstanding(self) -> bool:
        return self.lines.filter(allocated__lt=F("quantity")).exists()

    def settled(self) -> bool:
        return (
            not self.pledges.filter(state=Pledge.State.ACCEPTED)
            .filter(accepted__gt=F("received") + F("written_off") + F("repledged") + F("returned"))
            .exists()
        )


class SupplyRequestGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct-foreign-key permission table for supply requests."""

    content_object = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE)


class RequestLine(models.Model):
    """One item asked for. Running totals: `pledged` (pledges not yet allocated), `allocated`
    (accepted pledges, less what was given back or is to be pledged anew), `dispatched`,
    `received`, `written_off` (lost on the way, and accepted as lost); still needed is
    quantity − allocated."""

    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField(_("line"))
    item = models.ForeignKey(SupplyItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    pledged = models.DecimalField(_("pledged"), default=0, **QUANTITY)
    allocated = models.DecimalField(_("allocated"), default=0, **QUANTITY)
    dispatched = models.DecimalField(_("dispatched"), default=0, **QUANTITY)
    received = models.DecimalField(_("received"), default=0, **QUANTITY)
    written_off = models.DecimalField(_("written off"), default=0, **QUANTITY)
    # Copied from the request for the shortage list (缺口清单), which groups open lines by item
    # and region without joining the requests: `open` while the request is open or allocated.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    open = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["request_id", "number"]
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="supplies_line_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(pledged__gte=0, allocated__gte=0, dispatched__gte=0, received__gte=0, written_off__gte=0),
                name="supplies_line_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("quantity")), name="supplies_line_allocated_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(received__lte=F("dispatched")), name="supplies_line_received_within_dispatched"
            ),
        ]
        indexes = [
            models.Index(fields=["item", "request"], name="supplies_line_item"),
            models.Index(
                fields=["item", "region"],
                name="supplies_line_open",
                condition=Q(open=True),
                include=["quantity", "allocated", "pledged"],
            ),
        ]

    def __str__(self):
        return f"{self.request.reference} #{self.number} {self.item}"

    @property
    def still_needed(self):
        return self.quantity - self.allocated


class PledgeState(models.TextChoices):
    OFFERED = "offered", _("Pledged")
    ACCEPTED = "accepted", _("Allocated")
    RELEASED = "released", _("Released")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PledgeSource(models.TextChoices):
    STOCK = "stock", _("From free stock")
    CAPACITY = "capacity", _("From production capacity")


class Pledge(CaseItem):
    """A region's pledge of one line: from free stock in one of its warehouses (reserved
    there) or from an enterprise's capacity (a commitment, ready on a date).

    `offered` is what was pledged; `accepted` what the requester allocated of it; `dispatched`
    what left (every shipment). The accepted quantity is settled as `received`, or, of what
    went missing on the way, `written_off` or `repledged` (asked of others), or `returned`
    (given back before it left); what went missing and is to be sent again counts in `resend`.
    Still to send: accepted − returned − dispatched + resend. What the pledge holds in its
    warehouse is `held` (reserved stock, or capacity committed)."""

    State = PledgeState
    S = PledgeState
    Source = PledgeSource

    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="pledges")
    line = models.ForeignKey(RequestLine, on_delete=models.CASCADE, related_name="pledges")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("pledging organisation")
    )
    state = models.CharField(_("state"), max_length=16, choices=PledgeState.choices, default=S.OFFERED)
    source = models.CharField(_("source"), max_length=16, choices=PledgeSource.choices)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("warehouse")
    )
    capacity = models.ForeignKey(
        ProductionCapacity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("production capacity"),
    )
    ready_on = models.DateField(_("ready on"), null=True, blank=True)
    # The capacity pledge's share of the enterprise's daily output until it is ready.
    daily_share = models.DecimalField(_("daily share of capacity"), default=0, **QUANTITY)
    offered = models.DecimalField(_("pledged"), **QUANTITY)
    accepted = models.DecimalField(_("allocated"), default=0, **QUANTITY)
    held = models.DecimalField(_("held"), default=0, **QUANTITY)
    dispatched = models.DecimalField(_("dispatched"), default=0, **QUANTITY)
    received = models.DecimalField(_("received"), default=0, **QUANTITY)
    written_off = models.DecimalField(_("written off"), default=0, **QUANTITY)
    repledged = models.DecimalField(_("pledged anew"), default=0, **QUANTITY)
    resend = models.DecimalField(_("to send again"), default=0, **QUANTITY)
    returned = models.DecimalField(_("given back"), default=0, **QUANTITY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    pledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["request_id", "line_id", "id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(condition=Q(offered__gt=0), name="supplies_pledge_offered_positive"),
            models.CheckConstraint(
                condition=Q(accepted__gte=0, held__gte=0, dispatched__gte=0, received__gte=0)
                & Q(written_off__gte=0, repledged__gte=0, resend__gte=0, returned__gte=0, daily_share__gte=0),
                name="supplies_pledge_totals_not_negative",
            ),
            models.CheckConstraint(condition=Q(accepted__lte=F("offered")), name="supplies_pledge_accepted_within"),
            models.CheckConstraint(
                condition=Q(received__lte=F("dispatched")), name="supplies_pledge_received_within_dispatched"
            ),
            models.CheckConstraint(
                condition=Q(dispatched__lte=F("accepted") - F("returned") + F("resend")),
                name="supplies_pledge_dispatched_within_accepted",
            ),
            models.CheckConstraint(
                condition=Q(source=PledgeSource.STOCK, warehouse__isnull=False, capacity__isnull=True)
                | Q(
                    source=PledgeSource.CAPACITY, capacity__isnull=False, warehouse__isnull=True, ready_on__isnull=False
                ),
                name="supplies_pledge_source_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="supplies_pledge_org_state"),
            models.Index(fields=["line", "state"], name="supplies_pledge_line_state"),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.line}"

    @property
    def dispatchable(self):
        """Accepted and not yet sent (nor given back), with what is to be sent again."""
        return self.accepted - self.returned - self.dispatched + self.resend


class AllocationOrder(models.Model):
    """The requester's allocation of one pledging organisation's accepted pledges (调拨单):
    numbered without gaps per requesting organisation and year, and issued as a signed PDF."""

    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="allocations")
    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuer"))
    supplier = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplying organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    document_number = models.CharField(_("document number"), max_length=64, unique=True)
    pledges = models.ManyToManyField(Pledge, related_name="allocations", verbose_name=_("pledges"))
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    signing_key_id = models.CharField(_("signing key"), max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["request_id", "id"]
        verbose_name = _("allocation order")
        verbose_name_plural = _("allocation orders")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "serial"], name="supplies_allocation_number_unique"),
        ]

    def __str__(self):
        return self.document_number


class Shipment(models.Model):
    """One vehicle load of an allocation, from the pledging region to the requester."""

    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="shipments")
    allocation = models.ForeignKey(AllocationOrder, on_delete=models.PROTECT, related_name="shipments")
    number = models.PositiveSmallIntegerField(_("shipment"))
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=16)
    driver_name = models.CharField(_("driver"), max_length=64)
    driver_phone = EncryptedCharField(_("driver's phone"), purpose="supplies.driver_phone")
    driver_phone_masked = models.CharField(_("driver's phone"), max_length=20, editable=False)
    route = models.CharField(_("route"), max_length=300, blank=True)
    expected_arrival = models.DateTimeField(_("expected arrival"))
    dispatched_at = models.DateTimeField(_("dispatched"))
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ["request_id", "number"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="supplies_shipment_number_unique")]

    def __str__(self):
        return f"{self.request.reference} / {self.number} {self.vehicle_plate}"

    def save(self, *args, **kwargs):
        self.driver_phone_masked = idcard.mask_phone(self.driver_phone or "")
        super().save(*args, **kwargs)


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    received = models.DecimalField(_("received"), null=True, blank=True, **QUANTITY)
    # The ledger's dispatch from the pledger's warehouse (none for goods straight from production).
    dispatch_movement = models.OneToOneField(
        StockMovement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["shipment_id", "id"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_shipment_line_positive"),
            models.CheckConstraint(
                condition=Q(received__isnull=True) | Q(received__gte=0, received__lte=F("quantity")),
                name="supplies_shipment_line_received_within",
            ),
            models.UniqueConstraint(fields=["shipment", "pledge"], name="supplies_shipment_line_unique"),
        ]

    def __str__(self):
        return f"{self.shipment} · {self.pledge.line.item} {self.quantity}"


class HopKind(models.TextChoices):
    DEPARTED = "departed", _("Departed")
    CHECKPOINT = "checkpoint", _("Passed a checkpoint")
    TRANSFER = "transfer", _("Transferred")
    DELAYED = "delayed", _("Delayed")
    ARRIVED = "arrived", _("Arrived")


class ShipmentHop(models.Model):
    """Where a shipment was, when: the hops of its journey, in order."""

    Kind = HopKind

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="hops")
    kind = models.CharField(_("kind"), max_length=16, choices=HopKind.choices)
    place = models.CharField(_("place"), max_length=200)
    at = models.DateTimeField(_("time"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["shipment_id", "at", "id"]
        verbose_name = _("shipment hop")
        verbose_name_plural = _("shipment hops")

    def __str__(self):
        return f"{self.get_kind_display()} {self.place}"


class ShortfallResolution(models.TextChoices):
    RESENT = "resent", _("Sent again")
    WRITTEN_OFF = "written_off", _("Written off")
    REPLEDGED = "repledged", _("Pledged anew")


class Shortfall(models.Model):
    """Less arrived than was sent on a shipment line: recorded at receipt with its reason and
    reconciled by the requester."""

    Resolution = ShortfallResolution

    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="shortfalls")
    shipment_line = models.OneToOneField(ShipmentLine, on_delete=models.CASCADE, related_name="shortfall")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    reason = models.CharField(_("reason"), max_length=500)
    resolution = models.CharField(_("resolution"), max_length=16, choices=ShortfallResolution.choices, blank=True)
    resolved_at = models.DateTimeField(_("reconciled"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["request_id", "id"]
        verbose_name = _("shortfall")
        verbose_name_plural = _("shortfalls")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_shortfall_positive")]

    def __str__(self):
        return f"{self.shipment_line} −{self.quantity}"


class ShortageTotal(models.Model):
    """What the open request lines of one item and requesting region add up to — the shortage
    list's running totals, so the board reads items × regions rows, not every open line.

    Written only by database triggers on supplies_requestline (migration 0003), never by Python:
    every insert, update and delete of a line, whatever code made it (services, bulk loads, the
    admin), moves the totals by the difference between the line's old and new contribution. A
    line contributes while open and short (allocated < quantity): its need (quantity −
    allocated), its pledges up to that need, and 1 to the count. Each (item, region) pair has
    several `slot` rows, one chosen per database connection, so concurrent pledges on one hot
    item do not queue on one row; the reader sums the slots. `shortage_check()` compares the
    totals with the lines themselves."""

    item = models.ForeignKey(SupplyItem, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField(default=0)
    needed = models.DecimalField(_("needed"), default=0, **QUANTITY)
    pledged = models.DecimalField(_("pledged"), default=0, **QUANTITY)
    lines = models.IntegerField(_("open lines"), default=0)

    class Meta:
        verbose_name = _("shortage total")
        verbose_name_plural = _("shortage totals")
        constraints = [
            models.UniqueConstraint(fields=["item", "region", "slot"], name="supplies_shortage_total_unique")
        ]

    def __str__(self):
        return f"{self.item_id}/{self.region_id}#{self.slot}: {self.needed}"
