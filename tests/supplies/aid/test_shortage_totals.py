"""The shortage list's kept totals (supplies.models.ShortageTotal) against the lines they sum:
every way a line can change — filed, pledged, allocated, closed, deleted, loaded in bulk or
updated behind the services' back — moves them through the database's triggers, and
`shortage_check()` (asserted after every supplies test) notices a total that drifted."""

from decimal import Decimal

import pytest
from django.db.models import F

from supplies.models import RequestLine, ShortageTotal
from supplies.shortage import shortage_check
from tests.supplies.aid.steps import pledges_of, stock_lines

pytestmark = pytest.mark.django_db


def kept(item_code: str, region: str = "320000") -> tuple:
    totals = ShortageTotal.objects.filter(item__code=item_code, region_id=region)
    return (
        int(sum((t.needed for t in totals), Decimal(0))),
        int(sum((t.pledged for t in totals), Decimal(0))),
        sum(t.lines for t in totals),
    )


def test_the_totals_follow_a_request_through_pledge_allocation_and_cancellation(aid):
    request = aid.create()  # 60,000 masks and 5,000 suits for Jiangsu
    assert kept("mask-n95") == (60000, 0, 1)
    assert kept("suit-protective") == (5000, 0, 1)

    aid.fire("zj-liaison", request["id"], "pledge", stock_lines("zj-liaison", (1, 50000)))
    aid.fire("ah-liaison", request["id"], "pledge", stock_lines("ah-liaison", (1, 30000)))
    # Pledges beyond the line's need count up to the need only.
    assert kept("mask-n95") == (60000, 60000, 1)

    pledges = {key: p["id"] for key, p in pledges_of(aid, request["id"]).items()}
    aid.fire(
        "js-liaison",
        request["id"],
        "allocate",
        {"accept": [{"pledge": pledges["zj-liaison", 1], "quantity": 50000}]},
    )
    assert kept("mask-n95") == (10000, 0, 1)

    aid.fire("js-liaison", request["id"], "cancel", {"reason": "疫情缓解"})
    assert kept("mask-n95") == (0, 0, 0)
    assert kept("suit-protective") == (0, 0, 0)
    assert shortage_check() == []


def test_bulk_loads_raw_updates_and_deletes_move_the_totals(aid):
    request = aid.create(lines=[{"item": "mask-n95", "quantity": 100}])
    case = aid.model.objects.get(pk=request["id"])
    item = RequestLine.objects.get(request=case).item
    RequestLine.objects.bulk_create(
        RequestLine(request=case, number=n, item=item, quantity=10 * n, region_id="320000") for n in range(2, 6)
    )
    assert kept("mask-n95") == (100 + 20 + 30 + 40 + 50, 0, 5)

    RequestLine.objects.filter(request=case, number__gte=4).update(allocated=F("quantity"))  # no longer short
    assert kept("mask-n95") == (150, 0, 3)
    RequestLine.objects.filter(request=case, number=2).update(region_id="310000")
    assert kept("mask-n95") == (130, 0, 2)
    assert kept("mask-n95", region="310000") == (20, 0, 1)
    RequestLine.objects.filter(request=case, number=3).delete()
    assert kept("mask-n95") == (100, 0, 1)
    assert shortage_check() == []


def test_the_check_reports_a_total_that_drifted(aid):
    request = aid.create(lines=[{"item": "mask-n95", "quantity": 100}])
    assert shortage_check() == []
    ShortageTotal.objects.filter(item__code="mask-n95").update(needed=F("needed") + 1)
    line = RequestLine.objects.get(request_id=request["id"])
    assert shortage_check() == [
        ((line.item_id, "320000"), (Decimal(101), Decimal(0), 1), (Decimal(100), Decimal(0), 1))
    ]
    ShortageTotal.objects.filter(item__code="mask-n95").update(needed=F("needed") - 1)  # the autouse check holds
