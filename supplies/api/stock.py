"""`/api/v1/stock/`, `/api/v1/warehouses/`, `/api/v1/production-capacity/`: regional stock.

GET  stock/               balances the user sees (supplies/access.py), filterable
GET  stock/{id}/          one balance
GET  stock/by-region/     on hand, reserved and free per region and item (the shortage board's input)
GET  stock/movements/     the ledger: the user's own organisation's warehouses (the Office: all)
POST stock/receive/       goods received: {warehouse, item, quantity, reason} (Idempotency-Key)
POST stock/adjust/        on hand corrected by ±quantity, with a reason (Idempotency-Key)
GET  warehouses/, warehouses/{code}/, production-capacity/

A warehouse the user does not see answers 404; one seen but not theirs to change, 403.
"""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coordination.api.idempotency import idempotent
from coordination.workflow.access import membership_of
from supplies import selectors
from supplies.access import (
    balances_visible,
    movements_visible,
    sees_all_stock,
    warehouse_for_user,
    warehouses_visible,
)
from supplies.api.common import MemberPermission, QuantityField
from supplies.models import Category, ProductionCapacity, StockMovement, SupplyItem, Warehouse
from supplies.services import stock_adjust, stock_receive
from supplies.services.ledger import REASON_MAX_LENGTH

# --- shapes -------------------------------------------------------------------------------------------


class WarehouseSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Warehouse
        fields = ["code", "name", "organisation", "organisation_name", "region", "address"]
        read_only_fields = fields


class StockBalanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)
    organisation = serializers.CharField(source="warehouse.organisation.code", read_only=True)
    region = serializers.CharField(source="warehouse.region_id", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)
    on_hand = QuantityField()
    reserved = QuantityField()
    free = QuantityField(help_text=_("On hand less reserved: what may still be pledged."))
    updated_at = serializers.DateTimeField(read_only=True)


class RegionStockSerializer(serializers.Serializer):
    region = serializers.CharField(read_only=True)
    item = serializers.CharField(source="item_code", read_only=True)
    on_hand = QuantityField(source="on_hand_total")
    reserved = QuantityField(source="reserved_total")
    free = QuantityField(source="free_total")


class StockMovementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)
    on_hand_delta = QuantityField()
    reserved_delta = QuantityField()
    on_hand_after = QuantityField()
    reserved_after = QuantityField()
    reason = serializers.CharField(read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True)
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    at = serializers.DateTimeField(read_only=True)
    dispatch = serializers.IntegerField(source="dispatch_id", read_only=True, allow_null=True)
    reference = serializers.SerializerMethodField()

    def get_reference(self, movement) -> dict | None:
        if movement.reference_type_id is None:
            return None
        kind = movement.reference_type
        return {"type": f"{kind.app_label}.{kind.model}", "id": movement.reference_id}


class ProductionCapacitySerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    daily_capacity = QuantityField()
    committed = QuantityField()
    uncommitted = QuantityField()

    class Meta:
        model = ProductionCapacity
        fields = ["id", "region", "item", "enterprise", "daily_capacity", "committed", "uncommitted"]
        fields += ["valid_from", "valid_until"]
        read_only_fields = fields


class ReceiveSerializer(serializers.Serializer):
    warehouse = serializers.CharField(label=_("warehouse"), max_length=48)
    item = serializers.SlugRelatedField(
        label=_("item"),
        slug_field="code",
        queryset=SupplyItem.objects.filter(active=True),
        error_messages={"does_not_exist": _("No supply item of the catalogue has this code.")},
    )
    # Bounds, whole numbers and signs are the ledger's to check (supplies/quantities.py).
    quantity = serializers.DecimalField(label=_("quantity"), max_digits=20, decimal_places=3)
    reason = serializers.CharField(
        label=_("reason"), max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class AdjustSerializer(ReceiveSerializer):
    reason = serializers.CharField(label=_("reason"), max_length=REASON_MAX_LENGTH)


# --- filters ------------------------------------------------------------------------------------------


class StockFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="warehouse__region_id")
    warehouse = django_filters.CharFilter(field_name="warehouse__code")
    organisation = django_filters.CharFilter(field_name="warehouse__organisation__code")
    item = django_filters.CharFilter(field_name="item__code")
    category = django_filters.ChoiceFilter(field_name="item__category", choices=Category.choices)
    has_free = django_filters.BooleanFilter(method="filter_has_free", label="has_free")

    def filter_has_free(self, queryset, name, value):
        return queryset.filter(on_hand__gt=F("reserved")) if value else queryset.filter(on_hand=F("reserved"))


class MovementFilter(django_filters.FilterSet):
    warehouse = django_filters.CharFilter(field_name="warehouse__code")
    item = django_filters.CharFilter(field_name="item__code")
    kind = django_filters.ChoiceFilter(choices=StockMovement.Kind.choices)
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")


class CapacityFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region_id")
    item = django_filters.CharFilter(field_name="item__code")
    category = django_filters.ChoiceFilter(field_name="item__category", choices=Category.choices)
    on = django_filters.DateFilter(method="filter_on", label="on")

    def filter_on(self, queryset, name, value):
        return selectors.capacity_current(value, queryset)


# --- resources ----------------------------------------------------------------------------------------


class StockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Regional stock balances: every liaison office, leading group and the Office see all of
    them; other organisations their own warehouses'."""

    permission_classes = [MemberPermission]
    lookup_value_regex = r"[0-9]+"

    @property
    def filterset_class(self):
        return MovementFilter if self.action == "movements" else StockFilter

    def get_queryset(self):
        if self.action == "movements":
            return (
                movements_visible(self.request.user)
                .select_related("warehouse", "item", "actor", "organisation", "reference_type")
                .order_by("-id")
            )
        return (
            balances_visible(self.request.user)
            .select_related("warehouse__organisation", "item")
            .order_by("warehouse__region_id", "warehouse__code", "item__code")
        )

    def get_serializer_class(self):
        return StockMovementSerializer if self.action == "movements" else StockBalanceSerializer

    @extend_schema(responses=RegionStockSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="by-region")
    def by_region(self, request):
        """On hand, reserved and free per provincial region and item, over the balances the user sees."""
        rows = selectors.free_stock_by_region_and_item(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RegionStockSerializer(page, many=True).data)

    @extend_schema(responses=StockMovementSerializer(many=True))
    @action(detail=False, methods=["get"])
    def movements(self, request):
        """The ledger, newest first: the user's own organisation's warehouses (the Office: every one)."""
        return self.list(request)

    @extend_schema(request=ReceiveSerializer, responses={201: StockMovementSerializer})
    @action(detail=False, methods=["post"])
    @idempotent
    def receive(self, request):
        """Goods received into a warehouse of the user's organisation."""
        warehouse, data = self._operated(request, ReceiveSerializer)
        movement = stock_receive(warehouse, data["item"], data["quantity"], by=request.user, reason=data["reason"])
        return self._movement_response(movement)

    @extend_schema(request=AdjustSerializer, responses={201: StockMovementSerializer})
    @action(detail=False, methods=["post"])
    @idempotent
    def adjust(self, request):
        """What is on hand corrected by a signed quantity (stocktaking, damage, expiry), with a reason."""
        warehouse, data = self._operated(request, AdjustSerializer)
        movement = stock_adjust(warehouse, data["item"], data["quantity"], by=request.user, reason=data["reason"])
        return self._movement_response(movement)

    def _operated(self, request, serializer_class):
        """The warehouse the body names, if the user may change its stock (404/403 before any
        field error, so a body tells nobody more than the warehouse's existence rules allow),
        and the validated body."""
        body = serializer_class(data=request.data)
        code = request.data.get("warehouse") if isinstance(request.data, dict) else None
        warehouse = warehouse_for_user(request.user, code, action="operate") if isinstance(code, str) else None
        body.is_valid(raise_exception=True)
        if warehouse is None:  # the code came as another JSON type, which the serializer took
            warehouse = warehouse_for_user(request.user, body.validated_data["warehouse"], action="operate")
        return warehouse, body.validated_data

    def _movement_response(self, movement):
        movement = StockMovement.objects.select_related("warehouse", "item", "actor", "organisation").get(
            pk=movement.pk
        )
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class WarehouseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The warehouses whose stock the user sees."""

    serializer_class = WarehouseSerializer
    permission_classes = [MemberPermission]
    filterset_fields = ["region"]
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9-]+"

    def get_queryset(self):
        return warehouses_visible(self.request.user).select_related("organisation").order_by("region_id", "code")


class ProductionCapacityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The production capacity list (产能清单), shared like stock levels; `?on=2020-02-20` keeps
    the rows valid that day."""

    serializer_class = ProductionCapacitySerializer
    permission_classes = [MemberPermission]
    filterset_class = CapacityFilter

    def get_queryset(self):
        if not sees_all_stock(membership_of(self.request.user)):
            return ProductionCapacity.objects.none()
        return ProductionCapacity.objects.select_related("item").order_by("region_id", "item__code", "enterprise")
