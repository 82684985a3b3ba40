"""The shortage list (缺口清单) follows the requests: per item and requesting region what is
still needed (asked − allocated), pledged (awaiting allocation) and uncovered, after pledges
and allocations; a completed or cancelled request leaves it."""

from types import SimpleNamespace

import pytest

from supplies.models import RequestLine
from supplies.shortage import shortage_list
from tests.supplies.aid.steps import dispatch, order_of, pledges_of, receipt, stock_lines


def _row(item):
    rows = {row.item.code: row for row in shortage_list()}
    return rows.get(item)


def _figures(item):
    row = _row(item)
    if row is None:
        return None
    return {
        "needed": {region: int(q) for region, q in row.needed.items()},
        "pledged": {region: int(q) for region, q in row.pledged.items() if q},
        "uncovered": int(row.uncovered),
        "lines": row.lines,
    }


@pytest.fixture
def requests(aid):
    """Jiangsu asks 60,000 masks and 5,000 suits (A) and 10,000 masks (B); Anhui 8,000 masks (C)."""
    a = aid.create()
    b = aid.create(lines=[{"item": "mask-n95", "quantity": 10000}])
    c = aid.create(
        by="ah-liaison", lines=[{"item": "mask-n95", "quantity": 8000}], receiving_warehouse="ah-emergency-reserve"
    )
    return SimpleNamespace(a=a, b=b, c=c)


def test_open_requests_are_needed_and_uncovered(aid, requests):
    assert _figures("mask-n95") == {
        "needed": {"320000": 70000, "340000": 8000},
        "pledged": {},
        "uncovered": 78000,
        "lines": 3,
    }
    assert _figures("suit-protective") == {"needed": {"320000": 5000}, "pledged": {}, "uncovered": 5000, "lines": 1}
    # The most uncovered item first; free stock of every region beside it.
    rows = shortage_list()
    assert [row.item.code for row in rows] == ["mask-n95", "suit-protective"]
    assert {region: int(q) for region, q in rows[0].free_stock.items()} == {
        "330000": 50000,
        "340000": 30000,
        "310000": 10000,
    }


def test_pledges_count_as_pledged_until_allocated(aid, requests):
    aid.fire("zj-liaison", requests.a["id"], "pledge", stock_lines("zj-liaison", (1, 30000), (2, 4000)))
    aid.fire("sh-liaison", requests.c["id"], "pledge", stock_lines("sh-liaison", (1, 5000)))
    assert _figures("mask-n95") == {
        "needed": {"320000": 70000, "340000": 8000},
        "pledged": {"320000": 30000, "340000": 5000},
        "uncovered": 78000 - 35000,
        "lines": 3,
    }
    assert _figures("suit-protective")["uncovered"] == 1000
    # Pledged stock is no longer free in the pledger's warehouse.
    assert int(_row("mask-n95").free_stock["330000"]) == 20000


def test_allocation_moves_need_from_needed_to_covered(aid, requests):
    aid.fire("zj-liaison", requests.a["id"], "pledge", stock_lines("zj-liaison", (1, 40000), (2, 4000)))
    aid.fire("ah-liaison", requests.a["id"], "pledge", stock_lines("ah-liaison", (1, 15000)))
    pledges = {key: p["id"] for key, p in pledges_of(aid, requests.a["id"]).items()}
    aid.fire(
        "js-liaison",
        requests.a["id"],
        "allocate",
        {
            "accept": [
                {"pledge": pledges["zj-liaison", 1], "quantity": 40000},
                {"pledge": pledges["zj-liaison", 2], "quantity": 4000},
                {"pledge": pledges["ah-liaison", 1], "quantity": 12000},
            ]
        },
    )
    # A's masks: 60,000 − 52,000 allocated = 8,000 still needed, nothing pledged (Anhui's rest released).
    assert _figures("mask-n95") == {
        "needed": {"320000": 8000 + 10000, "340000": 8000},
        "pledged": {},
        "uncovered": 26000,
        "lines": 3,
    }
    assert _figures("suit-protective") == {"needed": {"320000": 1000}, "pledged": {}, "uncovered": 1000, "lines": 1}


def test_a_fully_allocated_line_is_not_short(aid, requests):
    aid.fire("sh-liaison", requests.b["id"], "pledge", stock_lines("sh-liaison", (1, 10000)))
    pledge = pledges_of(aid, requests.b["id"])["sh-liaison", 1]["id"]
    aid.fire("js-liaison", requests.b["id"], "allocate", {"accept": [{"pledge": pledge, "quantity": 10000}]})
    assert _figures("mask-n95")["needed"] == {"320000": 60000, "340000": 8000}
    assert _figures("mask-n95")["lines"] == 2


def test_a_line_pledged_beyond_its_need_covers_no_other_line(aid, requests):
    # Zhejiang and Anhui both pledge A's masks in full: 90,000 pledged for 60,000 needed.
    aid.fire("zj-liaison", requests.a["id"], "pledge", stock_lines("zj-liaison", (1, 50000)))
    aid.fire("ah-liaison", requests.a["id"], "pledge", stock_lines("ah-liaison", (1, 30000)))
    # B's 10,000 and C's 8,000 are still uncovered.
    assert _figures("mask-n95")["uncovered"] == 18000


def test_completed_and_cancelled_requests_leave_the_list(aid, requests):
    aid.fire("js-liaison", requests.b["id"], "cancel", {"reason": "已由国家调拨"})
    assert _figures("mask-n95")["needed"] == {"320000": 60000, "340000": 8000}

    aid.fire("sh-liaison", requests.c["id"], "pledge", stock_lines("sh-liaison", (1, 8000)))
    pledge = pledges_of(aid, requests.c["id"], by="ah-liaison")["sh-liaison", 1]["id"]
    aid.fire("ah-liaison", requests.c["id"], "allocate", {"accept": [{"pledge": pledge, "quantity": 8000}]})
    detail = aid.fire(
        "sh-liaison", requests.c["id"], "dispatch", dispatch("sh-liaison", order_of("sh-liaison"), (pledge, 8000))
    )
    detail = aid.fire("ah-liaison", requests.c["id"], "confirm_receipt", receipt(detail["shipments"][0]))
    assert detail["state"] == "completed"
    assert _figures("mask-n95") == {"needed": {"320000": 60000}, "pledged": {}, "uncovered": 60000, "lines": 1}
    assert set(RequestLine.objects.filter(open=True).values_list("request_id", flat=True)) == {requests.a["id"]}

    aid.fire("js-liaison", requests.a["id"], "cancel", {"reason": "疫情缓解"})
    assert shortage_list() == []


def test_a_request_reopened_by_a_repledged_shortfall_is_short_again(aid, requests):
    aid.fire("js-liaison", requests.a["id"], "cancel", {"reason": "合并到B"})
    aid.fire("zj-liaison", requests.b["id"], "pledge", stock_lines("zj-liaison", (1, 10000)))
    pledge = pledges_of(aid, requests.b["id"])["zj-liaison", 1]["id"]
    aid.fire("js-liaison", requests.b["id"], "allocate", {"accept": [{"pledge": pledge, "quantity": 10000}]})
    detail = aid.fire(
        "zj-liaison", requests.b["id"], "dispatch", dispatch("zj-liaison", order_of("zj-liaison"), (pledge, 10000))
    )
    detail = aid.fire(
        "js-liaison",
        requests.b["id"],
        "confirm_receipt",
        receipt(detail["shipments"][0], received={1: 9000}, reasons={1: "遗失"}),
    )
    assert _figures("mask-n95")["needed"] == {"340000": 8000}
    aid.fire(
        "js-liaison",
        requests.b["id"],
        "reconcile_shortfall",
        {"shortfall": detail["shortfalls"][0]["id"], "resolution": "repledged"},
    )
    assert _figures("mask-n95")["needed"] == {"320000": 1000, "340000": 8000}


def test_the_shortage_api_answers_the_same_figures(aid, requests):
    aid.fire("zj-liaison", requests.a["id"], "pledge", stock_lines("zj-liaison", (1, 30000)))
    [row] = aid.client("sh-liaison").get("/api/v1/shortage/?item=mask-n95").json()["results"]
    assert (row["needed"], row["pledged"], row["uncovered"]) == (
        {"320000": "70000", "340000": "8000"},
        {"320000": "30000", "340000": "0"},
        "48000",
    )
    [row] = aid.client("sh-liaison").get("/api/v1/shortage/?item=mask-n95&region=340000").json()["results"]
    assert (row["needed"], row["uncovered"]) == ({"340000": "8000"}, "8000")
