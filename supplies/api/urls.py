"""The supplies app's API routes, included under /api/v1/ by config/urls.py."""

from rest_framework.routers import SimpleRouter

from supplies.api.allocation_orders import AllocationOrderViewSet
from supplies.api.catalogue import SupplyItemViewSet
from supplies.api.shortage import ShortageViewSet, SupplyFlowViewSet
from supplies.api.stock import ProductionCapacityViewSet, StockViewSet, WarehouseViewSet

router = SimpleRouter()
router.register("supply-items", SupplyItemViewSet, basename="supply-item")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock", StockViewSet, basename="stock")
router.register("production-capacity", ProductionCapacityViewSet, basename="production-capacity")
router.register("shortage", ShortageViewSet, basename="shortage")
router.register("supply-flows", SupplyFlowViewSet, basename="supply-flow")
router.register("allocation-orders", AllocationOrderViewSet, basename="allocation-order")

urlpatterns: list = [*router.urls]
