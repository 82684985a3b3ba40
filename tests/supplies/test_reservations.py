"""Reserving more than is free is refused with 409, naming the item and the free quantity."""

import pytest

from coordination.errors import Conflict
from supplies.models import StockBalance
from supplies.services import stock_receive, stock_reserve


def test_a_reservation_beyond_free_stock_names_the_free_quantity(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 1000, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 880, by=js_store.officer)
    with pytest.raises(Conflict) as refused:
        stock_reserve(js_store.warehouse, n95, 200, by=js_store.officer)
    error = refused.value
    assert (error.status_code, error.error_code) == (409, "insufficient_stock")
    assert error.details == {
        "warehouse": "js-emergency-reserve",
        "item": "mask-n95",
        "on_hand": "1000",
        "reserved": "880",
        "free": "120",
        "requested": "200",
    }
    assert "120" in str(error.message) and n95.name_zh in str(error.message)
    assert StockBalance.objects.get().reserved == 880


def test_the_last_free_unit_can_be_reserved(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 10, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 10, by=js_store.officer)
    assert StockBalance.objects.get().free == 0


def test_nothing_can_be_reserved_where_nothing_was_received(stock, js_store):
    with pytest.raises(Conflict) as refused:
        stock_reserve(js_store.warehouse, stock.item("ecmo"), 1, by=js_store.officer)
    assert refused.value.details["free"] == "0"
    assert not StockBalance.objects.exists()
