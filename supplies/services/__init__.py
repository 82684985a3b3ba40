"""The supplies app's writes. The stock ledger (ledger.py) is the only writer of balances."""

from supplies.services.ledger import (
    Discrepancy,
    in_transit,
    ledger_check,
    stock_adjust,
    stock_arrive,
    stock_dispatch,
    stock_receive,
    stock_release,
    stock_reserve,
)

__all__ = [
    "Discrepancy",
    "in_transit",
    "ledger_check",
    "stock_adjust",
    "stock_arrive",
    "stock_dispatch",
    "stock_receive",
    "stock_release",
    "stock_reserve",
]
