"""`check_stock_ledger` says when a balance is not the sum of its movements, and exits 1."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from supplies.models import StockBalance
from supplies.services import ledger_check, stock_receive, stock_reserve


def test_a_balanced_ledger_passes(stock, js_store, capsys):
    stock_receive(js_store.warehouse, stock.item("mask-n95"), 100, by=js_store.officer)
    call_command("check_stock_ledger")
    assert "balanced: 1 balances" in capsys.readouterr().out


def test_a_balance_changed_behind_the_ledgers_back_is_found(stock, js_store, capsys):
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 100, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 10, by=js_store.officer)
    tampered = StockBalance.objects.filter(warehouse=js_store.warehouse, item=n95)
    tampered.update(on_hand=F("on_hand") + 5)
    [found] = ledger_check()
    assert (found.on_hand, found.reserved, found.movements_on_hand, found.movements_reserved) == (105, 10, 100, 10)
    with pytest.raises(CommandError) as failed:
        call_command("check_stock_ledger")
    assert failed.value.returncode == 1
    assert "on hand 105" in capsys.readouterr().err
    tampered.update(on_hand=F("on_hand") - 5)  # put back, for the invariant checked after each test


def test_a_balance_without_movements_is_found_unless_it_is_empty(stock, js_store):
    empty = StockBalance.objects.create(warehouse=js_store.warehouse, item=stock.item("ecmo"))
    assert ledger_check() == []
    StockBalance.objects.filter(pk=empty.pk).update(on_hand=2)
    assert [d.item_id for d in ledger_check()] == [empty.item_id]
    StockBalance.objects.filter(pk=empty.pk).update(on_hand=0)
