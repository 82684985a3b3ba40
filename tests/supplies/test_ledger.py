"""Each ledger service writes exactly one movement and the balance in one transaction."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from coordination.errors import Conflict, Invalid
from coordination.models import AppendOnlyError
from supplies.models import StockBalance, StockMovement
from supplies.services import (
    in_transit,
    stock_adjust,
    stock_arrive,
    stock_dispatch,
    stock_receive,
    stock_release,
    stock_reserve,
)


def balance_of(warehouse, item) -> tuple[Decimal, Decimal]:
    balance = StockBalance.objects.get(warehouse=warehouse, item=item)
    return balance.on_hand, balance.reserved


def test_a_receipt_creates_the_balance_and_one_movement(stock, js_store):
    n95 = stock.item("mask-n95")
    movement = stock_receive(js_store.warehouse, n95, 1000, by=js_store.officer, reason="国家调拨")
    assert balance_of(js_store.warehouse, n95) == (1000, 0)
    assert (movement.kind, movement.on_hand_delta, movement.reserved_delta) == ("receipt", 1000, 0)
    assert (movement.on_hand_after, movement.reserved_after) == (1000, 0)
    assert (movement.actor, movement.organisation.code, movement.reason) == (js_store.officer, "js-liaison", "国家调拨")
    assert StockMovement.objects.count() == 1


def test_reserve_release_and_dispatch_move_reserved_and_on_hand(stock, js_store):
    n95, officer, warehouse = stock.item("mask-n95"), js_store.officer, js_store.warehouse
    stock_receive(warehouse, n95, 1000, by=officer)
    stock_reserve(warehouse, n95, 600, by=officer)
    assert balance_of(warehouse, n95) == (1000, 600)
    stock_release(warehouse, n95, 100, by=officer)
    assert balance_of(warehouse, n95) == (1000, 500)
    dispatch = stock_dispatch(warehouse, n95, 500, by=officer)
    assert balance_of(warehouse, n95) == (500, 0)
    assert (dispatch.on_hand_delta, dispatch.reserved_delta) == (-500, -500)
    kinds = list(StockMovement.objects.values_list("kind", flat=True))
    assert kinds == ["receipt", "reservation", "release", "dispatch"]


def test_a_dispatch_arrives_at_another_regions_warehouse_in_parts(stock, js_store):
    n95, sh_store = stock.item("mask-n95"), stock.warehouse("sh-medical-reserve")
    stock_receive(js_store.warehouse, n95, 1000, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 800, by=js_store.officer)
    dispatch = stock_dispatch(js_store.warehouse, n95, 800, by=js_store.officer)
    sh_officer = stock.user("sh-liaison")
    stock_arrive(sh_store, 500, dispatch=dispatch, by=sh_officer)
    arrival = stock_arrive(sh_store, 300, dispatch=dispatch, by=sh_officer)
    assert (arrival.kind, arrival.dispatch, arrival.organisation.code) == ("arrival", dispatch, "sh-liaison")
    assert balance_of(sh_store, n95) == (800, 0)
    assert in_transit(dispatch) == 0
    with pytest.raises(Conflict) as refused:
        stock_arrive(sh_store, 1, dispatch=dispatch, by=sh_officer)
    assert refused.value.error_code == "arrival_exceeds_dispatch"


def test_goods_do_not_arrive_where_they_left(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 10, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 10, by=js_store.officer)
    dispatch = stock_dispatch(js_store.warehouse, n95, 10, by=js_store.officer)
    with pytest.raises(Invalid) as refused:
        stock_arrive(js_store.warehouse, 10, dispatch=dispatch, by=js_store.officer)
    assert "warehouse" in refused.value.details


def test_only_a_dispatch_can_arrive(stock, js_store):
    receipt = stock_receive(js_store.warehouse, stock.item("mask-n95"), 10, by=js_store.officer)
    with pytest.raises(Invalid) as refused:
        stock_arrive(stock.warehouse("sh-medical-reserve"), 10, dispatch=receipt, by=stock.user("sh-liaison"))
    assert "dispatch" in refused.value.details


def test_release_and_dispatch_cannot_exceed_what_is_reserved(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 30, by=js_store.officer)
    for service in (stock_release, stock_dispatch):
        with pytest.raises(Conflict) as refused:
            service(js_store.warehouse, n95, 31, by=js_store.officer)
        assert refused.value.error_code == "insufficient_reserved_stock"
        assert refused.value.details["reserved"] == "30"
    assert balance_of(js_store.warehouse, n95) == (100, 30)


def test_an_adjustment_needs_a_reason_and_keeps_its_author(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    with pytest.raises(Invalid) as refused:
        stock_adjust(js_store.warehouse, n95, -5, by=js_store.officer, reason="  ")
    assert "reason" in refused.value.details
    movement = stock_adjust(js_store.warehouse, n95, -5, by=js_store.officer, reason="盘点报损")
    assert (movement.kind, movement.on_hand_delta, movement.actor) == ("adjustment", -5, js_store.officer)
    assert balance_of(js_store.warehouse, n95) == (95, 0)


def test_an_adjustment_cannot_take_away_reserved_stock(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 80, by=js_store.officer)
    with pytest.raises(Conflict) as refused:
        stock_adjust(js_store.warehouse, n95, -21, by=js_store.officer, reason="报损")
    assert refused.value.details["free"] == "20"
    stock_adjust(js_store.warehouse, n95, -20, by=js_store.officer, reason="报损")
    assert balance_of(js_store.warehouse, n95) == (80, 80)


def test_a_positive_adjustment_may_open_a_balance(stock, js_store):
    stock_adjust(js_store.warehouse, stock.item("goggles"), 12, by=js_store.officer, reason="盘盈：账外发现")
    assert balance_of(js_store.warehouse, stock.item("goggles")) == (12, 0)


@pytest.mark.parametrize("username", ["sh-liaison", "yrd-office", "wuxi-hospital", "outsider"])
def test_only_the_warehouses_organisation_changes_its_stock(stock, js_store, username):
    n95, other = stock.item("mask-n95"), stock.user(username)
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    with pytest.raises(PermissionDenied):
        stock_receive(js_store.warehouse, n95, 1, by=other)
    with pytest.raises(PermissionDenied):
        stock_reserve(js_store.warehouse, n95, 1, by=other)
    with pytest.raises(PermissionDenied):
        stock_adjust(js_store.warehouse, n95, -1, by=other, reason="x")
    assert StockMovement.objects.count() == 1


def test_a_colleague_in_the_same_office_may_change_it(stock, js_store):
    movement = stock_receive(js_store.warehouse, stock.item("mask-n95"), 5, by=stock.user("colleague"))
    assert movement.actor.username == "colleague"


def test_a_movement_records_the_case_line_that_caused_it(stock, js_store):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    cause = js_store.officer.membership  # any saved row stands in for a supply request's line
    movement = stock_reserve(js_store.warehouse, n95, 10, by=js_store.officer, reference=cause)
    movement.refresh_from_db()
    assert movement.reference == cause


def test_nothing_is_half_written_when_the_service_fails_after_writing(stock, js_store, monkeypatch):
    from supplies.services import ledger

    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    written = ledger.movement_write

    def write_then_fail(balance, movement):
        written(balance, movement)
        raise RuntimeError("connection lost before commit")

    monkeypatch.setattr(ledger, "movement_write", write_then_fail)
    with pytest.raises(RuntimeError):
        stock_reserve(js_store.warehouse, n95, 10, by=js_store.officer)
    assert balance_of(js_store.warehouse, n95) == (100, 0)
    assert StockMovement.objects.count() == 1


def test_movements_are_append_only(stock, js_store):
    movement = stock_receive(js_store.warehouse, stock.item("mask-n95"), 100, by=js_store.officer)
    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        movement.delete()
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.filter(pk=movement.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.all().delete()


def test_litres_take_fractions(stock, js_store):
    chlorine = stock.item("disinfectant-chlorine")
    stock_receive(js_store.warehouse, chlorine, "120.5", by=js_store.officer)
    stock_reserve(js_store.warehouse, chlorine, 0.25, by=js_store.officer)
    assert balance_of(js_store.warehouse, chlorine) == (Decimal("120.5"), Decimal("0.25"))
