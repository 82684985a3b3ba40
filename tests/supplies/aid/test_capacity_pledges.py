"""Pledges from an enterprise's production capacity (the demo's capacity list): the pledge
commits its daily share of the output until the date it is ready, refused when that is more
than is uncommitted, and only an enterprise of the pledger's own region, making the line's
item, may be pledged. What is given back or sent releases the commitment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supplies.demo import seed_capacity, seed_catalogue
from supplies.models import Pledge, ProductionCapacity, StockBalance
from tests.supplies.aid.steps import assert_error, dispatch, footprint, order_of, receipt

ZHENDE = "振德医疗用品股份有限公司"  # Zhejiang: 1,000,000 surgical masks a day, 800,000 committed
KANGLI = "安徽淮北康利医疗用品有限公司"  # Anhui: 300,000 medical masks a day


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _capacity_line(capacity, quantity, days=4, line=1):
    return {"line": line, "quantity": quantity, "capacity": capacity.pk, "ready_on": _in_days(days)}


@pytest.fixture
def capacity(aid):
    seed_capacity(seed_catalogue())
    return lambda enterprise, item: ProductionCapacity.objects.get(enterprise=enterprise, item__code=item)


@pytest.fixture
def surgical(aid):
    return aid.create(lines=[{"item": "mask-surgical", "quantity": 1000000}])


def test_a_capacity_pledge_commits_its_daily_share_until_it_is_ready(aid, capacity, surgical):
    zhende = capacity(ZHENDE, "mask-surgical")
    detail = aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 400000, days=4)]})
    [pledge] = detail["pledges"]
    assert (pledge["source"], pledge["enterprise"], pledge["ready_on"]) == ("capacity", ZHENDE, _in_days(4))
    assert (pledge["offered"], pledge["held"], pledge["warehouse"]) == ("400000", "400000", None)
    zhende.refresh_from_db()
    assert zhende.committed == 800000 + 100000
    assert Pledge.objects.get().daily_share == 100000
    assert detail["lines"][0]["pledged"] == "400000"


def test_a_counted_items_daily_share_is_rounded_up_to_whole_units(aid, capacity, surgical):
    zhende = capacity(ZHENDE, "mask-surgical")
    aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 1000, days=3)]})
    assert Pledge.objects.get().daily_share == 334
    zhende.refresh_from_db()
    assert zhende.committed == 800334


def test_a_capacity_pledge_ready_today_takes_a_whole_days_output(aid, capacity, surgical):
    zhende = capacity(ZHENDE, "mask-surgical")
    aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 150000, days=0)]})
    zhende.refresh_from_db()
    assert zhende.committed == 950000


def test_more_than_the_uncommitted_capacity_is_refused_409_and_nothing_is_written(aid, capacity, surgical):
    zhende = capacity(ZHENDE, "mask-surgical")
    aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 300000, days=2)]})
    before = footprint()
    # 150,000 a day is uncommitted now; 160,000 a day for two days is not.
    body = aid.fire(
        "zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 320000, days=2)]}, status=409
    )
    details = assert_error(body, "insufficient_capacity")
    assert details == {
        "line": 1,
        "index": 0,
        "capacity": zhende.pk,
        "uncommitted": "50000",
        "daily_share": "160000",
    }
    assert footprint() == before


def test_a_two_line_pledge_refused_for_capacity_releases_its_stock_line_too(aid, capacity):
    zhende = capacity(ZHENDE, "mask-surgical")
    case = aid.create(lines=[{"item": "mask-n95", "quantity": 5000}, {"item": "mask-surgical", "quantity": 900000}])
    before = footprint()
    body = aid.fire(
        "zj-liaison",
        case["id"],
        "pledge",
        {
            "lines": [
                {"line": 1, "quantity": 5000, "warehouse": "zj-medical-reserve"},
                _capacity_line(zhende, 900000, days=3, line=2),
            ]
        },
        status=409,
    )
    assert assert_error(body, "insufficient_capacity")["line"] == 2
    assert footprint() == before
    assert aid.free("zj-medical-reserve", "mask-n95") == 50000


def test_the_capacity_of_another_region_is_refused_400(aid, capacity):
    case = aid.create(lines=[{"item": "mask-medical", "quantity": 100000}])
    kangli = capacity(KANGLI, "mask-medical")
    before = footprint()
    body = aid.fire("zj-liaison", case["id"], "pledge", {"lines": [_capacity_line(kangli, 1000)]}, status=400)
    assert "capacity" in assert_error(body, "invalid")["lines"]["0"]
    assert footprint() == before
    # Anhui itself may pledge it.
    aid.fire("ah-liaison", case["id"], "pledge", {"lines": [_capacity_line(kangli, 1000)]})


def test_the_capacity_of_another_item_is_refused_400(aid, capacity):
    case = aid.create(lines=[{"item": "gown-isolation", "quantity": 1000}])
    zhende_masks = capacity(ZHENDE, "mask-surgical")
    body = aid.fire("zj-liaison", case["id"], "pledge", {"lines": [_capacity_line(zhende_masks, 1000)]}, status=400)
    assert "capacity" in assert_error(body, "invalid")["lines"]["0"]
    assert ProductionCapacity.objects.get(pk=zhende_masks.pk).committed == 800000


def test_a_capacity_not_listed_on_the_ready_date_is_refused(aid, surgical, stock):
    listed = ProductionCapacity.objects.create(
        region_id="330000",
        item=stock.item("mask-surgical"),
        enterprise="浙江某口罩厂",
        daily_capacity=100000,
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + timedelta(days=2),
    )
    body = aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(listed, 1000, 5)]}, status=400)
    assert "ready_on" in assert_error(body, "invalid")["lines"]["0"]


@pytest.mark.parametrize(
    "line, field",
    [
        ({"line": 1, "quantity": 1000, "capacity": "CAP"}, "ready_on"),  # no date
        (
            {"line": 1, "quantity": 1000, "capacity": "CAP", "ready_on": "DAY", "warehouse": "zj-medical-reserve"},
            "warehouse",
        ),
        ({"line": 1, "quantity": 1000, "warehouse": "zj-medical-reserve", "ready_on": "DAY"}, "ready_on"),
        ({"line": 1, "quantity": 1000}, "warehouse"),  # neither stock nor capacity
        ({"line": 1, "quantity": 1000, "capacity": 999999, "ready_on": "DAY"}, "capacity"),
        ({"line": 1, "quantity": 1000, "capacity": "CAP", "ready_on": "0001-01-01"}, "ready_on"),
        ({"line": 1, "quantity": 1000, "capacity": "CAP", "ready_on": "9999-12-31"}, "ready_on"),
        ({"line": 1, "quantity": 1000, "capacity": "CAP", "ready_on": "2026-02-30"}, "ready_on"),
    ],
)
def test_a_capacity_pledge_names_the_field_it_lacks_or_gets_wrong(aid, capacity, surgical, line, field):
    zhende = capacity(ZHENDE, "mask-surgical")
    line = {
        key: zhende.pk if value == "CAP" else _in_days(3) if value == "DAY" else value for key, value in line.items()
    }
    before = footprint()
    body = aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [line]}, status=400)
    assert field in assert_error(body, "invalid")["lines"]["0"], body
    assert footprint() == before


def test_partly_allocating_a_capacity_pledge_commits_only_the_allocated_share(aid, capacity, surgical):
    zhende = capacity(ZHENDE, "mask-surgical")
    aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 400000, days=4)]})
    pledge = Pledge.objects.get()
    aid.fire("js-liaison", surgical["id"], "allocate", {"accept": [{"pledge": pledge.pk, "quantity": 100000}]})
    zhende.refresh_from_db()
    # 100,000 over four days: 25,000 a day, not the 100,000 a day the whole pledge took.
    assert zhende.committed == 800000 + 25000
    pledge.refresh_from_db()
    assert (pledge.held, pledge.daily_share) == (100000, 25000)


def test_withdrawing_a_capacity_pledge_releases_its_commitment(aid, capacity, surgical):
    zhende = capacity(ZHENDE, "mask-surgical")
    aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 400000, days=4)]})
    pledge = Pledge.objects.get()
    aid.fire("zj-liaison", surgical["id"], "withdraw_pledge", {"pledges": [pledge.pk], "reason": "工厂停产检修"})
    zhende.refresh_from_db()
    assert zhende.committed == 800000


def test_goods_from_production_are_sent_received_and_release_the_commitment(aid, capacity, surgical):
    zhende = capacity(ZHENDE, "mask-surgical")
    aid.fire("zj-liaison", surgical["id"], "pledge", {"lines": [_capacity_line(zhende, 200000, days=2)]})
    pledge = Pledge.objects.get()
    aid.fire("js-liaison", surgical["id"], "allocate", {"accept": [{"pledge": pledge.pk, "quantity": 200000}]})
    order = order_of("zj-liaison")
    detail = aid.fire("zj-liaison", surgical["id"], "dispatch", dispatch("zj-liaison", order, (pledge.pk, 120000)))
    zhende.refresh_from_db()
    assert zhende.committed == 900000  # 80,000 still to make
    assert detail["shipments"][0]["hops"][0]["place"] == ZHENDE
    detail = aid.fire("zj-liaison", surgical["id"], "dispatch", dispatch("zj-liaison", order, (pledge.pk, 80000)))
    zhende.refresh_from_db()
    assert zhende.committed == 800000
    for shipment in detail["shipments"]:
        detail = aid.fire("js-liaison", surgical["id"], "confirm_receipt", receipt(shipment))
    js = StockBalance.objects.get(warehouse__code="js-emergency-reserve", item__code="mask-surgical")
    assert (js.on_hand, js.reserved) == (200000, 0)
    assert detail["lines"][0]["received"] == "200000"
    assert detail["state"] == "allocated"  # 800,000 of the million are still needed
