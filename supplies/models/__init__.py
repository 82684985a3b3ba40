"""Models of the supplies app (M4 mutual aid of key supplies): the catalogue, regional stock and
its ledger, the production capacity list, and mutual-aid requests with their pledges,
allocations and shipments."""

from supplies.models.aid import (
    AllocationOrder,
    Pledge,
    RequestLine,
    Shipment,
    ShipmentHop,
    ShipmentLine,
    ShortageTotal,
    Shortfall,
    SupplyRequest,
    Urgency,
)
from supplies.models.capacity import ProductionCapacity
from supplies.models.catalogue import Category, SupplyItem, Unit
from supplies.models.stock import MovementKind, StockBalance, StockMovement, Warehouse

__all__ = [
    "AllocationOrder",
    "Category",
    "MovementKind",
    "Pledge",
    "ProductionCapacity",
    "RequestLine",
    "Shipment",
    "ShipmentHop",
    "ShipmentLine",
    "ShortageTotal",
    "Shortfall",
    "StockBalance",
    "StockMovement",
    "SupplyItem",
    "SupplyRequest",
    "Unit",
    "Urgency",
    "Warehouse",
]
