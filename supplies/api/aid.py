"""The API of M4 mutual-aid requests (`/api/v1/supply-requests/`): a row, the detail (lines,
pledges, allocation orders, shipments with their hops, shortfalls), the create request and
the payloads of the pattern's transitions (`…/transitions/pledge/` and so on).

Payloads check shape and membership of the request (a line, pledge, allocation, shipment or
shortfall of *this* request, by number or id); quantities against state are the services'
(supplies/services/aid.py). Every body names only known fields (StrictSerializer).
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.api.cases import CaseDetailSerializer, CaseListSerializer, CaseViewSet, OrganisationBriefSerializer
from coordination.api.serializers import StrictSerializer
from coordination.pii import idcard
from coordination.workflow.access import membership_of
from supplies.api.common import QuantityField
from supplies.models import (
    AllocationOrder,
    Pledge,
    ProductionCapacity,
    RequestLine,
    Shipment,
    ShipmentHop,
    Shortfall,
    SupplyItem,
    SupplyRequest,
    Urgency,
    Warehouse,
)

# 苏A12345, 浙B·D12345 (new energy), 皖K1234挂 (trailer).
PLATE_PATTERN = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]·?[A-HJ-NP-Z0-9]{4,6}[挂学警]?$"
)


class QuantityInput(serializers.Field):
    """A quantity as given (a number or a numeric string): the services clean it against the
    item (whole units for counted items) with `quantity_clean`."""

    default_error_messages = {"invalid": _("Enter a number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float, str)):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 32:
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return str(value)


class CodeField(serializers.SlugRelatedField):
    """An item or warehouse by its code. A NUL byte is refused before the lookup (PostgreSQL
    cannot compare a text with one: a 500, not a 400), and so is a code no row could have
    (the refusal would echo it back)."""

    default_error_messages = {"malformed": _("Not a valid code.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 64:
            self.fail("malformed")
        return super().to_internal_value(data)


class DateTimeInput(serializers.DateTimeField):
    """DRF's date time, with a naive time at the edge of the calendar ("0001-01-01T00:00:00",
    local) refused as out of range: DRF's own check of the localised value overflows there (a
    500). Aware times it checks itself."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


def _of_request(model, **lookup):
    """A field taking the id (or `lookup` field) of one of the request's own rows."""

    class Related(serializers.Field):
        default_error_messages = {"missing": _("Not part of this request.")}

        def to_internal_value(self, data):
            if isinstance(data, bool) or not isinstance(data, (int, str)):
                self.fail("missing")
            key = lookup.get("key", "pk")
            case = self.context["case"]
            try:
                return model.objects.get(request=case, **{key: data})
            except (model.DoesNotExist, ValueError, TypeError):
                self.fail("missing")

        def to_representation(self, value):
            return value.pk

    return Related


LineOfRequest = _of_request(RequestLine, key="number")
PledgeOfRequest = _of_request(Pledge)
ShipmentOfRequest = _of_request(Shipment, key="number")
ShortfallOfRequest = _of_request(Shortfall)


class AllocationOfRequest(serializers.Field):
    default_error_messages = {"missing": _("Not an allocation order of this request.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("missing")
        if isinstance(data, str) and ("\x00" in data or len(data) > 64):
            self.fail("missing")  # NUL: PostgreSQL cannot look it up (see CodeField)
        orders = AllocationOrder.objects.filter(request=self.context["case"])
        order = orders.filter(document_number=data).first() if isinstance(data, str) and not data.isdigit() else None
        if order is None:
            try:
                order = orders.filter(pk=int(data)).first()
            except ValueError:
                order = None
        if order is None:
            self.fail("missing")
        return order


def _future_or_today(value):
    if value < timezone.localdate():
        raise serializers.ValidationError(_("The date has passed."))
    return value


# --- create ------------------------------------------------------------------------------------


class RequestLineInput(StrictSerializer):
    item = CodeField(
        label=_("Item"),
        slug_field="code",
        queryset=SupplyItem.objects.filter(active=True),
        error_messages={"does_not_exist": _("No item of the catalogue has the code “{value}”.")},
    )
    quantity = QuantityInput(label=_("Quantity"))
    unit = serializers.CharField(label=_("Unit"), max_length=16, required=False)
    note = serializers.CharField(label=_("Note"), max_length=200, required=False, allow_blank=True)

    def validate(self, attrs):
        unit = attrs.pop("unit", None)
        if unit is not None and unit != attrs["item"].unit:
            raise serializers.ValidationError(
                {
                    "unit": [
                        _("%(item)s is counted in %(unit)s (“%(code)s”).")
                        % {
                            "item": attrs["item"].name,
                            "unit": attrs["item"].get_unit_display(),
                            "code": attrs["item"].unit,
                        }
                    ]
                }
            )
        return attrs


class SupplyRequestCreateSerializer(StrictSerializer):
    title = serializers.CharField(label=_("Title"), max_length=200, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(label=_("Urgency"), choices=Urgency.choices, default=Urgency.URGENT)
    needed_by = serializers.DateField(label=_("Needed by"), validators=[_future_or_today])
    purpose = serializers.CharField(label=_("Purpose"), max_length=2000, required=False, allow_blank=True)
    delivery_address = serializers.CharField(label=_("Delivery address"), max_length=300)
    receiving_warehouse = CodeField(
        label=_("Receiving warehouse"),
        slug_field="code",
        queryset=Warehouse.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("No warehouse has the code “{value}”.")},
    )
    contact_name = serializers.CharField(label=_("Contact person"), max_length=64)
    contact_phone = serializers.CharField(label=_("Contact phone"), max_length=20)
    lines = RequestLineInput(label=_("Lines"), many=True, allow_empty=False, max_length=50)

    def validate_contact_phone(self, value):
        value = value.strip().replace(" ", "")
        if not idcard.PHONE_PATTERN.match(value):
            raise serializers.ValidationError(_("Enter a mobile number (11 digits) or a landline with its area code."))
        return value

    def validate_needed_by(self, value):
        if value > timezone.localdate() + timedelta(days=366):
            raise serializers.ValidationError(_("At most a year ahead."))
        return value

    def validate(self, attrs):
        membership = membership_of(self.context["request"].user)
        warehouse = attrs.get("receiving_warehouse")
        if warehouse is None and membership is not None:
            warehouse = Warehouse.objects.filter(organisation_id=membership.organisation_id).order_by("code").first()
            if warehouse is None:
                raise serializers.ValidationError(
                    {"receiving_warehouse": [_("Your organisation runs no warehouse to receive the goods.")]}
                )
            attrs["receiving_warehouse"] = warehouse
        if membership is not None and warehouse.organisation_id != membership.organisation_id:
            raise serializers.ValidationError(
                {"receiving_warehouse": [_("Choose one of your organisation's warehouses.")]}
            )
        return attrs


# --- transitions' payloads ----------------------------------------------------------------------


class PledgeLineInput(StrictSerializer):
    line = LineOfRequest(label=_("Line"))
    quantity = QuantityInput(label=_("Quantity"))
    warehouse = CodeField(
        label=_("Warehouse"),
        slug_field="code",
        queryset=Warehouse.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("No warehouse has the code “{value}”.")},
    )
    capacity = serializers.PrimaryKeyRelatedField(
        label=_("Production capacity"), queryset=ProductionCapacity.objects.select_related("item"), required=False
    )
    ready_on = serializers.DateField(label=_("Ready on"), required=False, validators=[_future_or_today])
    note = serializers.CharField(label=_("Note"), max_length=200, required=False, allow_blank=True)

    def validate_ready_on(self, value):
        # A capacity pledge commits its daily share until this date: one "ready" in 9999 would
        # hold a sliver of the enterprise's output for ever. The same horizon as needed_by.
        if value > timezone.localdate() + timedelta(days=366):
            raise serializers.ValidationError(_("At most a year ahead."))
        return value

    def validate(self, attrs):
        stock, capacity = attrs.get("warehouse"), attrs.get("capacity")
        if (stock is None) == (capacity is None):
            raise serializers.ValidationError(
                {"warehouse": [_("Pledge either from a warehouse's stock or from an enterprise's capacity.")]}
            )
        if capacity is not None and not attrs.get("ready_on"):
            raise serializers.ValidationError({"ready_on": [_("Say when production will have it ready.")]})
        if stock is not None and attrs.get("ready_on"):
            raise serializers.ValidationError({"ready_on": [_("Stock is ready now: no date for a stock pledge.")]})
        return attrs


class PledgePayload(StrictSerializer):
    lines = PledgeLineInput(label=_("Lines"), many=True, allow_empty=False, max_length=50)


class WithdrawPledgePayload(StrictSerializer):
    pledges = serializers.ListField(child=PledgeOfRequest(), label=_("Pledges"), allow_empty=False, max_length=50)
    reason = serializers.CharField(label=_("Reason"), max_length=2000)


class AcceptInput(StrictSerializer):
    pledge = PledgeOfRequest(label=_("Pledge"))
    quantity = QuantityInput(label=_("Quantity"))


class AllocatePayload(StrictSerializer):
    accept = AcceptInput(label=_("Accepted pledges"), many=True, allow_empty=False, max_length=200)

    def validate_accept(self, entries):
        pks = [entry["pledge"].pk for entry in entries]
        if len(pks) != len(set(pks)):
            raise serializers.ValidationError(_("Name each pledge once."))
        return entries


class DispatchLineInput(StrictSerializer):
    pledge = PledgeOfRequest(label=_("Pledge"))
    quantity = QuantityInput(label=_("Quantity"))


class DispatchPayload(StrictSerializer):
    allocation = AllocationOfRequest(label=_("Allocation order"))
    vehicle_plate = serializers.CharField(label=_("Vehicle plate"), max_length=16)
    driver_name = serializers.CharField(label=_("Driver"), max_length=64)
    driver_phone = serializers.CharField(label=_("Driver's phone"), max_length=20)
    route = serializers.CharField(label=_("Route"), max_length=300, required=False, allow_blank=True)
    expected_arrival = DateTimeInput(label=_("Expected arrival"))
    lines = DispatchLineInput(label=_("Lines"), many=True, allow_empty=False, max_length=50)

    def validate_vehicle_plate(self, value):
        value = value.strip().upper().replace(" ", "")
        if not PLATE_PATTERN.match(value):
            raise serializers.ValidationError(_("Enter a Chinese licence plate, e.g. 浙A12345."))
        return value

    def validate_driver_phone(self, value):
        value = value.strip().replace(" ", "")
        if not idcard.PHONE_PATTERN.match(value):
            raise serializers.ValidationError(_("Enter a mobile number (11 digits) or a landline with its area code."))
        return value

    def validate_expected_arrival(self, value):
        now = timezone.now()
        if value < now - timedelta(minutes=10):
            raise serializers.ValidationError(_("The expected arrival has passed."))
        if value > now + timedelta(days=30):
            raise serializers.ValidationError(_("At most 30 days ahead."))
        return value


class HopPayload(StrictSerializer):
    shipment = ShipmentOfRequest(label=_("Shipment"))
    kind = serializers.ChoiceField(label=_("Kind"), choices=ShipmentHop.Kind.choices)
    place = serializers.CharField(label=_("Place"), max_length=200)
    at = DateTimeInput(label=_("Time"), required=False)
    note = serializers.CharField(label=_("Note"), max_length=300, required=False, allow_blank=True)


class ReceiptLineInput(StrictSerializer):
    shipment_line = serializers.IntegerField(label=_("Shipment line"), min_value=1)
    received = QuantityInput(label=_("Received"))
    shortfall_reason = serializers.CharField(label=_("Reason for the shortfall"), max_length=500, required=False)


class ReceiptPayload(StrictSerializer):
    shipment = ShipmentOfRequest(label=_("Shipment"))
    lines = ReceiptLineInput(label=_("Lines"), many=True, allow_empty=False, max_length=50)

    def validate(self, attrs):
        for index, entry in enumerate(attrs["lines"]):
            # Nothing arrived is zero however it is written ("0.00", -0): the services clean
            # every other quantity as more than zero. What is not a number they refuse.
            try:
                received = Decimal(str(entry["received"]).strip())
            except InvalidOperation:
                continue
            if received.is_zero():
                entry["received"] = 0
            elif received.is_signed():
                raise serializers.ValidationError({"lines": {str(index): {"received": [_("Not below zero.")]}}})
        return attrs


class ReconcilePayload(StrictSerializer):
    shortfall = ShortfallOfRequest(label=_("Shortfall"))
    resolution = serializers.ChoiceField(label=_("Resolution"), choices=Shortfall.Resolution.choices)
    note = serializers.CharField(label=_("Note"), max_length=500, required=False, allow_blank=True)


class SupplyReasonPayload(StrictSerializer):
    reason = serializers.CharField(label=_("Reason"), max_length=2000)


PAYLOADS = {
    "pledge": PledgePayload,
    "withdraw_pledge": WithdrawPledgePayload,
    "allocate": AllocatePayload,
    "dispatch": DispatchPayload,
    "record_hop": HopPayload,
    "confirm_receipt": ReceiptPayload,
    "reconcile_shortfall": ReconcilePayload,
    "seek_pledges": SupplyReasonPayload,
    "close": SupplyReasonPayload,
    "cancel": SupplyReasonPayload,
}


# --- what the API answers -----------------------------------------------------------------------


class ItemBriefSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="get_unit_display")

    class Meta:
        model = SupplyItem
        fields = ["code", "name_zh", "name_en", "unit", "unit_label", "specification", "standard"]


class RequestLineSerializer(serializers.ModelSerializer):
    item = ItemBriefSerializer()
    quantity = QuantityField()
    pledged = QuantityField()
    allocated = QuantityField()
    dispatched = QuantityField()
    received = QuantityField()
    written_off = QuantityField()
    still_needed = QuantityField()

    class Meta:
        model = RequestLine
        fields = [
            "number",
            "item",
            "quantity",
            "note",
            "pledged",
            "allocated",
            "dispatched",
            "received",
            "written_off",
            "still_needed",
        ]


class PledgeSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer()
    line = serializers.IntegerField(source="line.number")
    warehouse = serializers.CharField(source="warehouse.code", default=None)
    enterprise = serializers.CharField(source="capacity.enterprise", default=None)
    offered = QuantityField()
    accepted = QuantityField()
    held = QuantityField()
    dispatched = QuantityField()
    received = QuantityField()
    written_off = QuantityField()
    repledged = QuantityField()
    returned = QuantityField()
    dispatchable = QuantityField()

    class Meta:
        model = Pledge
        fields = [
            "id",
            "line",
            "organisation",
            "state",
            "source",
            "warehouse",
            "enterprise",
            "ready_on",
            "offered",
            "accepted",
            "held",
            "dispatched",
            "received",
            "written_off",
            "repledged",
            "returned",
            "dispatchable",
            "note",
            "version",
            "created_at",
        ]


class AllocationOrderSerializer(serializers.ModelSerializer):
    supplier = OrganisationBriefSerializer()
    pledges = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    pdf_ready = serializers.SerializerMethodField()

    class Meta:
        model = AllocationOrder
        fields = ["id", "document_number", "supplier", "pledges", "created_at", "verification_code", "pdf_ready"]

    def get_pdf_ready(self, order) -> bool:
        return bool(order.pdf_sha256)


class ShipmentHopSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShipmentHop
        fields = ["kind", "place", "at", "note"]


class ShipmentSerializer(serializers.ModelSerializer):
    allocation = serializers.CharField(source="allocation.document_number")
    driver_phone = serializers.CharField(source="driver_phone_masked")
    lines = serializers.SerializerMethodField()
    hops = ShipmentHopSerializer(many=True)

    class Meta:
        model = Shipment
        fields = [
            "number",
            "allocation",
            "vehicle_plate",
            "driver_name",
            "driver_phone",
            "route",
            "expected_arrival",
            "dispatched_at",
            "arrived_at",
            "received_at",
            "lines",
            "hops",
        ]

    def get_lines(self, shipment) -> list[dict]:
        from supplies.quantities import quantity_text

        return [
            {
                "id": line.pk,
                "pledge": line.pledge_id,
                "line": line.pledge.line.number,
                "quantity": quantity_text(line.quantity),
                "received": quantity_text(line.received) if line.received is not None else None,
            }
            for line in shipment.lines.all()
        ]


class ShortfallSerializer(serializers.ModelSerializer):
    quantity = QuantityField()
    shipment = serializers.IntegerField(source="shipment_line.shipment.number")
    line = serializers.IntegerField(source="shipment_line.pledge.line.number")

    class Meta:
        model = Shortfall
        fields = ["id", "shipment", "line", "quantity", "reason", "resolution", "resolved_at", "note"]


class SupplyRequestSerializer(CaseListSerializer):
    requesting_region = serializers.CharField(source="requesting_region_id")

    class Meta(CaseListSerializer.Meta):
        model = SupplyRequest
        fields = [*CaseListSerializer.Meta.fields, "requesting_region", "urgency", "needed_by"]
        read_only_fields = fields


class SupplyRequestDetailSerializer(CaseDetailSerializer):
    requesting_region = serializers.CharField(source="requesting_region_id")
    receiving_warehouse = serializers.CharField(source="receiving_warehouse.code")
    contact_phone = serializers.CharField(source="contact_phone_masked")
    lines = RequestLineSerializer(many=True)
    pledges = serializers.SerializerMethodField()
    allocations = serializers.SerializerMethodField()
    shipments = serializers.SerializerMethodField()
    shortfalls = serializers.SerializerMethodField()

    class Meta(CaseDetailSerializer.Meta):
        model = SupplyRequest
        fields = [
            *CaseDetailSerializer.Meta.fields,
            "requesting_region",
            "urgency",
            "needed_by",
            "purpose",
            "delivery_address",
            "receiving_warehouse",
            "contact_name",
            "contact_phone",
            "allocated_at",
            "closed_at",
            "cancel_reason",
            "lines",
            "pledges",
            "allocations",
            "shipments",
            "shortfalls",
        ]
        read_only_fields = fields

    def get_pledges(self, case) -> list[dict]:
        pledges = case.pledges.select_related("organisation", "line", "warehouse", "capacity")
        return PledgeSerializer(pledges, many=True).data

    def get_allocations(self, case) -> list[dict]:
        orders = case.allocations.select_related("supplier").prefetch_related("pledges")
        return AllocationOrderSerializer(orders, many=True).data

    def get_shipments(self, case) -> list[dict]:
        shipments = case.shipments.select_related("allocation").prefetch_related("hops", "lines__pledge__line")
        return ShipmentSerializer(shipments, many=True).data

    def get_shortfalls(self, case) -> list[dict]:
        shortfalls = case.shortfalls.select_related("shipment_line__shipment", "shipment_line__pledge__line")
        return ShortfallSerializer(shortfalls, many=True).data


class SupplyRequestViewSet(CaseViewSet):
    """The engine's case resource, with the unmasking of the request's phone numbers."""

    @action(detail=True, methods=["post"], url_path="unmask")
    def unmask(self, request, pk=None):
        """The full contact and drivers' phone numbers, for the request's participants, with a
        stated `reason` (recorded in the personal-data access log)."""
        from supplies.services.aid import supply_request_unmask

        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        return Response(supply_request_unmask(by=request.user, pk=pk, reason=str(reason)))
