"""The database itself refuses what no service may produce: negative stock, more reserved than
on hand, movements whose deltas do not match their kind, over-committed capacity."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from supplies.models import ProductionCapacity, StockBalance, StockMovement
from supplies.services import stock_receive, stock_reserve


@pytest.fixture
def balance(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 40, by=js_store.officer)
    return StockBalance.objects.get()


@pytest.mark.parametrize(
    "change",
    [{"on_hand": F("on_hand") - 1000}, {"reserved": F("reserved") - 41}, {"reserved": F("on_hand") + 1}],
    ids=["negative on hand", "negative reserved", "reserved above on hand"],
)
def test_a_direct_update_cannot_break_a_balance(balance, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(pk=balance.pk).update(**change)
    balance.refresh_from_db()
    assert (balance.on_hand, balance.reserved) == (100, 40)


@pytest.mark.parametrize(
    ("kind", "on_hand_delta", "reserved_delta", "reason"),
    [
        ("receipt", -1, 0, ""),
        ("reservation", 1, 1, ""),
        ("release", 0, 1, ""),
        ("dispatch", -1, 0, ""),
        ("adjustment", -1, 0, ""),  # without a reason
        ("adjustment", 0, 0, "盘点"),
    ],
)
def test_a_movement_must_match_its_kind(balance, js_store, kind, on_hand_delta, reserved_delta, reason):
    row = StockMovement(
        kind=kind,
        warehouse=js_store.warehouse,
        item=balance.item,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        on_hand_after=100,
        reserved_after=40,
        reason=reason,
        actor=js_store.officer,
        organisation=js_store.warehouse.organisation,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.bulk_create([row])


def test_an_arrival_names_its_dispatch(balance, js_store):
    row = StockMovement(
        kind="arrival",
        warehouse=js_store.warehouse,
        item=balance.item,
        on_hand_delta=1,
        reserved_delta=0,
        on_hand_after=101,
        reserved_after=40,
        actor=js_store.officer,
        organisation=js_store.warehouse.organisation,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.bulk_create([row])


@pytest.mark.parametrize(("daily", "committed"), [(1000, 1001), (1000, -1), (-1, 0)])
def test_capacity_cannot_be_over_committed_or_negative(stock, daily, committed):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductionCapacity.objects.create(
            region_id="310000",
            item=stock.item("mask-n95"),
            enterprise="上海大胜卫生用品制造有限公司",
            daily_capacity=daily,
            committed=committed,
            valid_from=date(2020, 2, 1),
        )
