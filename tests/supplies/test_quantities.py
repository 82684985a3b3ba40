"""Quantities are positive, whole for counted units, at most three decimals, never absurd; a
wrong one is refused with the field named and nothing written."""

from decimal import Decimal

import pytest

from coordination.errors import Invalid
from supplies.models import StockBalance, StockMovement
from supplies.quantities import quantity_clean, quantity_text
from supplies.services import stock_adjust, stock_receive, stock_reserve


@pytest.mark.parametrize(
    ("quantity", "what"),
    [
        (0, "zero"),
        (-5, "negative"),
        ("1.5", "fractional for a counted unit"),
        (0.5, "a fractional float"),
        (Decimal("2000000000"), "absurdly large"),
        ("1e12", "absurd in exponent notation"),
        ("many", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "infinite"),
        (None, "missing"),
    ],
)
def test_a_receipt_of_masks_refuses_a_wrong_quantity(stock, js_store, quantity, what):
    with pytest.raises(Invalid) as refused:
        stock_receive(js_store.warehouse, stock.item("mask-n95"), quantity, by=js_store.officer)
    assert set(refused.value.details) == {"quantity"}, what
    assert refused.value.status_code == 400
    assert not StockBalance.objects.exists() and not StockMovement.objects.exists()


def test_a_reservation_refuses_a_fraction_of_a_ventilator(stock, js_store):
    ventilator = stock.item("ventilator-invasive")
    stock_receive(js_store.warehouse, ventilator, 10, by=js_store.officer)
    with pytest.raises(Invalid) as refused:
        stock_reserve(js_store.warehouse, ventilator, "0.5", by=js_store.officer)
    assert refused.value.details["quantity"] == [refused.value.message]
    assert ventilator.name_zh in str(refused.value.message)


def test_measured_units_take_three_decimals_but_not_four(stock):
    chlorine = stock.item("disinfectant-chlorine")
    assert quantity_clean(chlorine, "12.125") == Decimal("12.125")
    with pytest.raises(Invalid):
        quantity_clean(chlorine, "12.1255")


def test_a_whole_number_written_with_decimals_is_a_whole_number(stock):
    assert quantity_clean(stock.item("mask-n95"), "200.000") == 200


def test_an_adjustment_is_signed_but_never_zero(stock, js_store):
    n95 = stock.item("mask-n95")
    with pytest.raises(Invalid) as refused:
        stock_adjust(js_store.warehouse, n95, 0, by=js_store.officer, reason="盘点")
    assert "quantity" in refused.value.details
    assert quantity_clean(n95, -3, signed=True) == -3


def test_quantities_are_written_without_trailing_zeros():
    assert [quantity_text(Decimal(v)) for v in ("200000.000", "12.500", "0.000", "1E+5")] == [
        "200000",
        "12.5",
        "0",
        "100000",
    ]
