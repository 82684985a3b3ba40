"""Fifty pledges at once, in real threads on PostgreSQL, through the engine's transition_fire:
exactly as many succeed as the pledgers' free stock allows, the rest get 409
insufficient_stock, free stock never goes negative and the ledger still balances. Once across
fifty requests (the balance row is the only thing they share) and once on one request (its row
lock serialises them all, and each region joins it once)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coordination.errors import Conflict
from coordination.models import AuditEntry, Participant
from coordination.workflow.engine import transition_fire
from supplies.models import Pledge, RequestLine, StockBalance, StockMovement, SupplyRequest
from supplies.services import ledger_check
from supplies.services.aid import supply_request_create
from tests.concurrency import run_at_once

pytestmark = [
    # serialized_rollback restores the reference data (regions, catalogue) the flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _request(aid, demo, quantity):
    return supply_request_create(
        by=demo.user("js-liaison"),
        lines=[{"item": aid.stock.item("mask-n95"), "quantity": quantity}],
        needed_by=timezone.localdate() + timedelta(days=3),
        delivery_address="江苏省南京市江宁区应急物资储备库",
        receiving_warehouse=aid.stock.warehouse("js-emergency-reserve"),
        contact_name="王联络",
        contact_phone="13912345678",
        urgency="critical",
    )


def _pledge(request_pk, by, quantity, warehouse):
    return transition_fire(
        SupplyRequest,
        request_pk,
        "pledge",
        by=by,
        data={"lines": [{"line": 1, "quantity": quantity, "warehouse": warehouse}]},
    )


def _taking(items):
    """A thread-safe `next()` over `items`: each thread takes its own."""
    lock, items = threading.Lock(), iter(items)

    def take():
        with lock:
            return next(items)

    return take


def _split(outcomes):
    successes = [o for o in outcomes if isinstance(o, SupplyRequest)]
    failures = [o for o in outcomes if not isinstance(o, SupplyRequest)]
    assert all(isinstance(f, Conflict) and f.error_code == "insufficient_stock" for f in failures), failures
    return successes, failures


def _free_never_negative():
    for on_hand, reserved in StockMovement.objects.values_list("on_hand_after", "reserved_after"):
        assert 0 <= reserved <= on_hand


def test_fifty_pledges_to_fifty_requests_from_one_warehouse_never_over_reserve(aid, demo):
    requests = [_request(aid, demo, 1500) for _ in range(50)]
    zhejiang = demo.user("zj-liaison")
    zhejiang.membership.organisation  # noqa: B018 - loaded once, not by 50 threads at once
    take = _taking(r.pk for r in requests)

    outcomes = run_at_once(50, lambda: _pledge(take(), zhejiang, 1500, "zj-medical-reserve"))

    assert len(outcomes) == 50
    successes, failures = _split(outcomes)
    assert (len(successes), len(failures)) == (50000 // 1500, 50 - 50000 // 1500)  # 33 fit into 50,000
    balance = StockBalance.objects.get(warehouse__code="zj-medical-reserve", item__code="mask-n95")
    assert (balance.on_hand, balance.reserved) == (50000, 33 * 1500)
    # Each reservation saw the balance its predecessor left.
    afters = sorted(
        StockMovement.objects.filter(kind="reservation", warehouse=balance.warehouse).values_list(
            "reserved_after", flat=True
        )
    )
    assert afters == [1500 * n for n in range(1, 34)]
    _free_never_negative()
    # A refused pledge left nothing: no pledge, no participant, no audit entry, no line total.
    pledged = {s.pk for s in successes}
    assert set(Pledge.objects.values_list("request_id", flat=True)) == pledged
    assert Participant.objects.filter(organisation__code="zj-liaison", role="responder").count() == 33
    assert AuditEntry.objects.filter(transition="pledge").count() == 33
    assert set(RequestLine.objects.filter(pledged=1500).values_list("request_id", flat=True)) == pledged
    assert RequestLine.objects.filter(pledged=0).count() == 17
    assert ledger_check() == []


def test_fifty_pledges_from_three_regions_to_one_request_never_over_reserve(aid, demo):
    request = _request(aid, demo, 100000)
    pledgers = {code: demo.user(code) for code in ("zj-liaison", "ah-liaison", "sh-liaison")}
    for user in pledgers.values():
        user.membership.organisation  # noqa: B018
    # 17 Zhejiang pledges of 3,000 (50,000 free: 16 fit), 17 Anhui of 2,000 (30,000: 15 fit),
    # 16 Shanghai of 1,000 (10,000: 10 fit).
    plan = [("zj-liaison", 3000, "zj-medical-reserve")] * 17
    plan += [("ah-liaison", 2000, "ah-emergency-reserve")] * 17
    plan += [("sh-liaison", 1000, "sh-medical-reserve")] * 16
    take = _taking(plan)

    def pledge():
        code, quantity, warehouse = take()
        return _pledge(request.pk, pledgers[code], quantity, warehouse)

    outcomes = run_at_once(50, pledge)

    assert len(outcomes) == 50
    successes, failures = _split(outcomes)
    assert (len(successes), len(failures)) == (16 + 15 + 10, 1 + 2 + 6)
    reserved = dict(StockBalance.objects.filter(item__code="mask-n95").values_list("warehouse__code", "reserved"))
    assert reserved == {"zj-medical-reserve": 48000, "ah-emergency-reserve": 30000, "sh-medical-reserve": 10000}
    _free_never_negative()
    counts = {
        code: Pledge.objects.filter(organisation__code=code).count()
        for code in ("zj-liaison", "ah-liaison", "sh-liaison")
    }
    assert counts == {"zj-liaison": 16, "ah-liaison": 15, "sh-liaison": 10}
    assert RequestLine.objects.get(request=request).pledged == 88000
    # Each region joined once; the request moved one version per pledge.
    responders = Participant.objects.filter(object_id=request.pk, role="responder")
    assert sorted(responders.values_list("organisation__code", flat=True)) == ["ah-liaison", "sh-liaison", "zj-liaison"]
    request.refresh_from_db()
    assert (request.state, request.version) == ("open", 1 + 41)
    assert AuditEntry.objects.filter(object_id=request.pk, transition="pledge").count() == 41
    assert ledger_check() == []
