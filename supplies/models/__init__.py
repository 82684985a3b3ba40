"""Models of the supplies app (M4 mutual aid of key supplies): the catalogue, regional stock and
its ledger, and the production capacity list."""

from supplies.models.capacity import ProductionCapacity
from supplies.models.catalogue import Category, SupplyItem, Unit
from supplies.models.stock import MovementKind, StockBalance, StockMovement, Warehouse

__all__ = [
    "Category",
    "MovementKind",
    "ProductionCapacity",
    "StockBalance",
    "StockMovement",
    "SupplyItem",
    "Unit",
    "Warehouse",
]
