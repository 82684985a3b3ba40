"""Allocating: the requester accepts pledges in full or in part; the rest of a part-accepted
pledge and every pledge it did not accept are released, and the pledgers' free stock is
restored to the unit."""

from supplies.models import AllocationOrder, Pledge, RequestLine, StockMovement
from tests.supplies.aid.steps import assert_error, pledges_of, stock_lines


def _three_pledges(aid):
    case = aid.create(lines=[{"item": "mask-n95", "quantity": 60000}])
    aid.fire("zj-liaison", case["id"], "pledge", stock_lines("zj-liaison", (1, 40000)))
    aid.fire("ah-liaison", case["id"], "pledge", stock_lines("ah-liaison", (1, 25000)))
    aid.fire("sh-liaison", case["id"], "pledge", stock_lines("sh-liaison", (1, 7000)))
    return case, pledges_of(aid, case["id"])


def test_accepting_part_of_a_pledge_releases_its_rest_and_the_unaccepted_pledges(aid):
    case, pledges = _three_pledges(aid)
    assert (aid.free("zj-medical-reserve", "mask-n95"), aid.free("ah-emergency-reserve", "mask-n95")) == (10000, 5000)
    assert aid.free("sh-medical-reserve", "mask-n95") == 3000

    detail = aid.fire(
        "js-liaison",
        case["id"],
        "allocate",
        {"accept": [{"pledge": pledges["zj-liaison", 1]["id"], "quantity": 32500}]},
    )

    assert detail["state"] == "allocated"
    # Zhejiang keeps 32,500 reserved for the request; Anhui and Shanghai get everything back.
    assert aid.free("zj-medical-reserve", "mask-n95") == 50000 - 32500
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000
    assert aid.free("sh-medical-reserve", "mask-n95") == 10000
    by_org = {p["organisation"]["code"]: p for p in detail["pledges"]}
    assert (by_org["zj-liaison"]["state"], by_org["zj-liaison"]["accepted"], by_org["zj-liaison"]["held"]) == (
        "accepted",
        "32500",
        "32500",
    )
    for code in ("ah-liaison", "sh-liaison"):
        assert (by_org[code]["state"], by_org[code]["held"], by_org[code]["accepted"]) == ("released", "0", "0")
    [line] = detail["lines"]
    assert (line["pledged"], line["allocated"], line["still_needed"]) == ("0", "32500", "27500")


def test_the_releases_are_ledger_movements_of_exactly_what_was_not_taken(aid):
    case, pledges = _three_pledges(aid)
    aid.fire(
        "js-liaison",
        case["id"],
        "allocate",
        {
            "accept": [
                {"pledge": pledges["zj-liaison", 1]["id"], "quantity": 40000},
                {"pledge": pledges["ah-liaison", 1]["id"], "quantity": 1},
            ]
        },
    )
    releases = dict(
        StockMovement.objects.filter(kind="release").values_list("warehouse__code", "reserved_delta").order_by("id")
    )
    assert releases == {"ah-emergency-reserve": -24999, "sh-medical-reserve": -7000}
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000 - 1
    # One allocation order per supplying organisation, none for Shanghai.
    assert sorted(AllocationOrder.objects.values_list("supplier__code", flat=True)) == ["ah-liaison", "zj-liaison"]
    assert Pledge.objects.get(pk=pledges["ah-liaison", 1]["id"]).held == 1


def test_allocating_nothing_but_one_pledge_of_two_lines_releases_the_other_line(aid):
    case = aid.create()
    aid.fire("zj-liaison", case["id"], "pledge", stock_lines("zj-liaison", (1, 20000), (2, 3000)))
    pledges = pledges_of(aid, case["id"])
    detail = aid.fire(
        "js-liaison", case["id"], "allocate", {"accept": [{"pledge": pledges["zj-liaison", 2]["id"], "quantity": 3000}]}
    )
    assert aid.free("zj-medical-reserve", "mask-n95") == 50000
    assert aid.free("zj-medical-reserve", "suit-protective") == 8000 - 3000
    assert [(line["pledged"], line["allocated"]) for line in detail["lines"]] == [("0", "0"), ("0", "3000")]


def test_a_pledge_released_by_allocation_cannot_be_allocated_later(aid):
    case, pledges = _three_pledges(aid)
    aid.fire(
        "js-liaison",
        case["id"],
        "allocate",
        {"accept": [{"pledge": pledges["zj-liaison", 1]["id"], "quantity": 40000}]},
    )
    aid.fire("js-liaison", case["id"], "seek_pledges", {"reason": "仍缺口罩2万只"})
    body = aid.fire(
        "js-liaison",
        case["id"],
        "allocate",
        {"accept": [{"pledge": pledges["ah-liaison", 1]["id"], "quantity": 100}]},
        status=409,
    )
    assert assert_error(body, "pledge_not_open") == {"pledge": pledges["ah-liaison", 1]["id"]}
    assert RequestLine.objects.get().allocated == 40000


def test_a_request_reopened_for_more_takes_new_pledges_and_allocates_them_too(aid):
    case, pledges = _three_pledges(aid)
    aid.fire(
        "js-liaison",
        case["id"],
        "allocate",
        {"accept": [{"pledge": pledges["zj-liaison", 1]["id"], "quantity": 40000}]},
    )
    detail = aid.fire("js-liaison", case["id"], "seek_pledges", {"reason": "仍缺口罩2万只"})
    assert detail["state"] == "open"
    aid.fire("ah-liaison", case["id"], "pledge", stock_lines("ah-liaison", (1, 20000)))
    # More than the line still needs (20,000) is refused.
    body = aid.fire("sh-liaison", case["id"], "pledge", stock_lines("sh-liaison", (1, 20001)), status=409)
    assert assert_error(body, "pledge_exceeds_need")["still_needed"] == "20000"
    newest = pledges_of(aid, case["id"])["ah-liaison", 1]
    detail = aid.fire("js-liaison", case["id"], "allocate", {"accept": [{"pledge": newest["id"], "quantity": 20000}]})
    assert detail["state"] == "allocated"
    assert detail["lines"][0]["still_needed"] == "0"
    assert AllocationOrder.objects.count() == 2
    # Everything is allocated: nothing more to seek.
    body = aid.fire("js-liaison", case["id"], "seek_pledges", {"reason": "再要"}, status=409)
    assert_error(body, "transition_not_allowed")
