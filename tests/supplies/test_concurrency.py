"""Fifty officers reserving the same stock at once, in real threads on PostgreSQL: exactly as
many succeed as the free stock allows, the rest get a clear 409, nothing goes negative and the
movements still sum to the balance."""

import pytest
from django.db import connection

from coordination.errors import Conflict
from supplies.models import StockBalance, StockMovement
from supplies.services import ledger_check, stock_receive, stock_reserve
from tests.concurrency import run_at_once

pytestmark = [
    # serialized_rollback restores the reference data (regions, catalogue) the flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_fifty_simultaneous_reservations_never_over_reserve(stock, js_store):
    n95, officer, warehouse = stock.item("mask-n95"), js_store.officer, js_store.warehouse
    stock_receive(warehouse, n95, 200, by=officer)
    officer.membership.organisation  # noqa: B018 - loaded once, not by 50 threads at once
    outcomes = run_at_once(50, lambda: stock_reserve(warehouse, n95, 7, by=officer))
    successes = [o for o in outcomes if isinstance(o, StockMovement)]
    failures = [o for o in outcomes if not isinstance(o, StockMovement)]
    assert len(outcomes) == 50
    assert len(successes) == 200 // 7  # 28 reservations of 7 fit into 200
    assert all(isinstance(f, Conflict) and f.error_code == "insufficient_stock" for f in failures), failures
    balance = StockBalance.objects.get(warehouse=warehouse, item=n95)
    assert (balance.on_hand, balance.reserved, balance.free) == (200, 196, 4)
    assert StockMovement.objects.filter(kind="reservation").count() == 28
    # Each success saw the balance its predecessor left: the running balances are 7, 14, … 196.
    afters = sorted(StockMovement.objects.filter(kind="reservation").values_list("reserved_after", flat=True))
    assert afters == [7 * n for n in range(1, 29)]
    assert ledger_check() == []


def test_simultaneous_first_receipts_share_one_balance(stock, js_store):
    goggles, officer, warehouse = stock.item("goggles"), js_store.officer, js_store.warehouse
    officer.membership.organisation  # noqa: B018
    outcomes = run_at_once(10, lambda: stock_receive(warehouse, goggles, 5, by=officer))
    assert all(isinstance(o, StockMovement) for o in outcomes), outcomes
    assert StockBalance.objects.get(warehouse=warehouse, item=goggles).on_hand == 50
