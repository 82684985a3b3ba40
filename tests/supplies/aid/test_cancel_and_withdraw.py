"""Cancelling a request releases every reservation and capacity commitment its pledges hold,
at every stage; a pledger withdraws its pledge before allocation, or the undispatched rest
after it (the request reopens for what it needs again)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supplies.demo import seed_capacity, seed_catalogue
from supplies.models import Pledge, ProductionCapacity, RequestLine, Shipment, StockBalance
from tests.supplies.aid.steps import assert_error, dispatch, order_of, pledges_of, receipt, stock_lines

CANCEL = {"reason": "疫情缓解，需求取消"}


def _balance(code, item="mask-n95"):
    balance = StockBalance.objects.get(warehouse__code=code, item__code=item)
    return balance.on_hand, balance.reserved


@pytest.fixture
def pledged(aid):
    """A request of two lines pledged by Zhejiang (both) and Anhui (masks)."""
    case = aid.create()
    aid.fire("zj-liaison", case["id"], "pledge", stock_lines("zj-liaison", (1, 40000), (2, 4000)))
    aid.fire("ah-liaison", case["id"], "pledge", stock_lines("ah-liaison", (1, 25000)))
    case["pledges"] = {key: p["id"] for key, p in pledges_of(aid, case["id"]).items()}
    return case


def _allocate_all(aid, case):
    pledges = case["pledges"]
    return aid.fire(
        "js-liaison",
        case["id"],
        "allocate",
        {
            "accept": [
                {"pledge": pledges["zj-liaison", 1], "quantity": 40000},
                {"pledge": pledges["zj-liaison", 2], "quantity": 4000},
                {"pledge": pledges["ah-liaison", 1], "quantity": 20000},
            ]
        },
    )


def _nothing_held():
    assert list(Pledge.objects.filter(held__gt=0)) == []
    assert _balance("zj-medical-reserve")[1] == 0
    assert _balance("zj-medical-reserve", "suit-protective")[1] == 0
    assert _balance("ah-emergency-reserve")[1] == 0


def test_cancelling_an_open_request_releases_every_pledge(aid, pledged):
    detail = aid.fire("js-liaison", pledged["id"], "cancel", CANCEL)
    assert detail["state"] == "cancelled"
    assert detail["cancel_reason"] == CANCEL["reason"]
    assert {p["state"] for p in detail["pledges"]} == {"released"}
    _nothing_held()
    assert aid.free("zj-medical-reserve", "mask-n95") == 50000
    assert aid.free("zj-medical-reserve", "suit-protective") == 8000
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000


def test_cancelling_after_allocation_before_dispatch_releases_the_allocated_stock(aid, pledged):
    _allocate_all(aid, pledged)
    assert aid.free("zj-medical-reserve", "mask-n95") == 10000
    detail = aid.fire("js-liaison", pledged["id"], "cancel", CANCEL)
    assert detail["state"] == "cancelled"
    _nothing_held()
    assert aid.free("zj-medical-reserve", "mask-n95") == 50000
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000


def test_cancelling_after_a_partial_dispatch_releases_what_has_not_left(aid, pledged):
    _allocate_all(aid, pledged)
    pledges = pledged["pledges"]
    aid.fire(
        "zj-liaison",
        pledged["id"],
        "dispatch",
        dispatch("zj-liaison", order_of("zj-liaison"), (pledges["zj-liaison", 1], 15000)),
    )
    detail = aid.fire("js-liaison", pledged["id"], "cancel", CANCEL)
    assert detail["state"] == "cancelled"
    _nothing_held()
    # The 15,000 on the road are gone from Zhejiang; the rest of its stock is free again.
    assert _balance("zj-medical-reserve") == (35000, 0)
    assert aid.free("zj-medical-reserve", "suit-protective") == 8000
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000
    assert Shipment.objects.count() == 1
    # Nothing more is dispatched on a cancelled request.
    body = aid.fire(
        "zj-liaison",
        pledged["id"],
        "dispatch",
        dispatch("zj-liaison", order_of("zj-liaison"), (pledges["zj-liaison", 1], 1000)),
        status=409,
    )
    assert_error(body, "transition_not_allowed")


def test_cancelling_releases_a_capacity_commitment(aid):
    seed_capacity(seed_catalogue())
    factory = ProductionCapacity.objects.get(enterprise="振德医疗用品股份有限公司", item__code="gown-isolation")
    before = factory.committed
    case = aid.create(lines=[{"item": "gown-isolation", "quantity": 30000}])
    ready_on = (timezone.localdate() + timedelta(days=5)).isoformat()
    aid.fire(
        "zj-liaison",
        case["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 30000, "capacity": factory.pk, "ready_on": ready_on}]},
    )
    factory.refresh_from_db()
    assert factory.committed == before + 6000
    aid.fire("js-liaison", case["id"], "cancel", CANCEL)
    factory.refresh_from_db()
    assert factory.committed == before
    assert Pledge.objects.get().daily_share == 0


def test_cancelling_an_allocated_capacity_pledge_releases_its_commitment(aid, stock):
    factory = ProductionCapacity.objects.create(
        region_id="340000",
        item=stock.item("suit-protective"),
        enterprise="安徽某防护用品厂",
        daily_capacity=5000,
        committed=1000,
        valid_from=timezone.localdate() - timedelta(days=10),
    )
    case = aid.create(lines=[{"item": "suit-protective", "quantity": 4000}])
    ready_on = (timezone.localdate() + timedelta(days=2)).isoformat()
    aid.fire(
        "ah-liaison",
        case["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 4000, "capacity": factory.pk, "ready_on": ready_on}]},
    )
    pledge = Pledge.objects.get()
    aid.fire("js-liaison", case["id"], "allocate", {"accept": [{"pledge": pledge.pk, "quantity": 4000}]})
    factory.refresh_from_db()
    assert factory.committed == 1000 + 2000
    aid.fire("js-liaison", case["id"], "cancel", CANCEL)
    factory.refresh_from_db()
    assert factory.committed == 1000


def test_a_completed_or_cancelled_request_cannot_be_cancelled(aid, pledged):
    aid.fire("js-liaison", pledged["id"], "cancel", CANCEL)
    body = aid.fire("js-liaison", pledged["id"], "cancel", CANCEL, status=409)
    assert_error(body, "transition_not_allowed")


# --- withdrawing ----------------------------------------------------------------------------


def test_a_pledger_withdraws_its_pledge_before_allocation(aid, pledged):
    pledges = pledged["pledges"]
    detail = aid.fire(
        "zj-liaison",
        pledged["id"],
        "withdraw_pledge",
        {"pledges": [pledges["zj-liaison", 1], pledges["zj-liaison", 2]], "reason": "本省急需，撤回"},
    )
    assert detail["state"] == "open"
    assert aid.free("zj-medical-reserve", "mask-n95") == 50000
    assert aid.free("zj-medical-reserve", "suit-protective") == 8000
    assert aid.free("ah-emergency-reserve", "mask-n95") == 5000
    states = {p["id"]: p["state"] for p in detail["pledges"]}
    assert states == {
        pledges["zj-liaison", 1]: "withdrawn",
        pledges["zj-liaison", 2]: "withdrawn",
        pledges["ah-liaison", 1]: "offered",
    }
    assert [line["pledged"] for line in detail["lines"]] == ["25000", "0"]
    # Withdrawn is withdrawn: not twice.
    body = aid.fire(
        "zj-liaison",
        pledged["id"],
        "withdraw_pledge",
        {"pledges": [pledges["zj-liaison", 1]], "reason": "再撤"},
        status=409,
    )
    assert_error(body, "nothing_to_withdraw")


def test_a_pledger_cannot_withdraw_another_regions_pledge(aid, pledged):
    body = aid.fire(
        "ah-liaison",
        pledged["id"],
        "withdraw_pledge",
        {"pledges": [pledged["pledges"]["zj-liaison", 1]], "reason": "代撤"},
        status=403,
    )
    assert_error(body, "permission_denied")
    assert aid.free("zj-medical-reserve", "mask-n95") == 10000


def test_withdrawing_after_allocation_gives_back_the_undispatched_rest_and_reopens(aid, pledged):
    _allocate_all(aid, pledged)
    pledges = pledged["pledges"]
    order = order_of("zj-liaison")
    detail = aid.fire(
        "zj-liaison", pledged["id"], "dispatch", dispatch("zj-liaison", order, (pledges["zj-liaison", 1], 15000))
    )
    detail = aid.fire(
        "zj-liaison",
        pledged["id"],
        "withdraw_pledge",
        {"pledges": [pledges["zj-liaison", 1]], "reason": "其余转运武汉"},
    )
    assert detail["state"] == "open"
    zj1 = {p["id"]: p for p in detail["pledges"]}[pledges["zj-liaison", 1]]
    assert (zj1["state"], zj1["returned"], zj1["held"], zj1["dispatchable"]) == ("accepted", "25000", "0", "0")
    assert _balance("zj-medical-reserve") == (35000, 0)
    line = detail["lines"][0]
    assert (line["allocated"], line["still_needed"]) == ("35000", "25000")
    # The shipment already on the road is still received; then the rest is pledged anew.
    detail = aid.fire("js-liaison", pledged["id"], "confirm_receipt", receipt(detail["shipments"][0]))
    assert detail["state"] == "open"
    aid.fire("sh-liaison", pledged["id"], "pledge", stock_lines("sh-liaison", (1, 10000)))
    assert RequestLine.objects.get(request_id=pledged["id"], number=1).pledged == 10000


def test_withdrawing_an_allocation_with_nothing_left_to_send_is_refused(aid, pledged):
    _allocate_all(aid, pledged)
    pledges = pledged["pledges"]
    aid.fire(
        "zj-liaison",
        pledged["id"],
        "dispatch",
        dispatch("zj-liaison", order_of("zj-liaison"), (pledges["zj-liaison", 2], 4000)),
    )
    body = aid.fire(
        "zj-liaison",
        pledged["id"],
        "withdraw_pledge",
        {"pledges": [pledges["zj-liaison", 2]], "reason": "撤回"},
        status=409,
    )
    assert assert_error(body, "nothing_to_withdraw")["pledge"] == pledges["zj-liaison", 2]
