"""A shortfall at receipt and each of its reconciliations: sent again (the pledger dispatches
it anew, reserving it first), written off (settled: the request can complete), pledged anew
(the line needs it again: the request reopens and other regions pledge)."""

import pytest

from supplies.models import Pledge, RequestLine, StockBalance
from tests.supplies.aid.steps import assert_error, dispatch, order_of, pledges_of, receipt, stock_lines


@pytest.fixture
def short(aid):
    """Jiangsu asks 10,000 masks; Zhejiang pledges and sends them all; 300 arrive damaged."""
    case = aid.create(lines=[{"item": "mask-n95", "quantity": 10000}])
    aid.fire("zj-liaison", case["id"], "pledge", stock_lines("zj-liaison", (1, 10000)))
    pledge = pledges_of(aid, case["id"])["zj-liaison", 1]["id"]
    aid.fire("js-liaison", case["id"], "allocate", {"accept": [{"pledge": pledge, "quantity": 10000}]})
    detail = aid.fire(
        "zj-liaison", case["id"], "dispatch", dispatch("zj-liaison", order_of("zj-liaison"), (pledge, 10000))
    )
    detail = aid.fire(
        "js-liaison",
        case["id"],
        "confirm_receipt",
        receipt(detail["shipments"][0], received={1: 9700}, reasons={1: "外箱压损，300只污染"}),
    )
    assert detail["state"] == "allocated"
    [shortfall] = detail["shortfalls"]
    assert (shortfall["quantity"], shortfall["line"], shortfall["resolution"]) == ("300", 1, "")
    case["pledge"], case["shortfall"] = pledge, shortfall["id"]
    return case


def _js_on_hand():
    return StockBalance.objects.get(warehouse__code="js-emergency-reserve", item__code="mask-n95").on_hand


def test_a_shortfall_keeps_the_request_open_until_it_is_reconciled(aid, short):
    body = aid.fire("js-liaison", short["id"], "close", {"reason": "结束"}, status=409)
    assert_error(body, "transition_not_allowed")
    assert _js_on_hand() == 9700
    assert aid.free("zj-medical-reserve", "mask-n95") == 40000


def test_resent_the_pledger_dispatches_it_again_reserving_it_anew(aid, short):
    detail = aid.fire(
        "js-liaison", short["id"], "reconcile_shortfall", {"shortfall": short["shortfall"], "resolution": "resent"}
    )
    assert detail["state"] == "allocated"
    [pledge] = detail["pledges"]
    assert (pledge["dispatchable"], pledge["held"]) == ("300", "0")
    # More than the shortfall is not to be sent.
    body = aid.fire(
        "zj-liaison",
        short["id"],
        "dispatch",
        dispatch("zj-liaison", order_of("zj-liaison"), (short["pledge"], 301)),
        status=409,
    )
    assert assert_error(body, "dispatch_exceeds_allocation")["left"] == "300"

    detail = aid.fire(
        "zj-liaison", short["id"], "dispatch", dispatch("zj-liaison", order_of("zj-liaison"), (short["pledge"], 300))
    )
    # The 300 came out of Zhejiang's free stock (reserved, then dispatched).
    assert aid.free("zj-medical-reserve", "mask-n95") == 40000 - 300
    zj = StockBalance.objects.get(warehouse__code="zj-medical-reserve", item__code="mask-n95")
    assert (zj.on_hand, zj.reserved) == (50000 - 10300, 0)
    detail = aid.fire("js-liaison", short["id"], "confirm_receipt", receipt(detail["shipments"][1]))
    assert detail["state"] == "completed"
    assert _js_on_hand() == 10000
    assert detail["lines"][0]["received"] == "10000"


def test_resending_is_refused_when_the_pledger_no_longer_has_it_free(aid, short):
    aid.fire(
        "js-liaison", short["id"], "reconcile_shortfall", {"shortfall": short["shortfall"], "resolution": "resent"}
    )
    other = aid.create(lines=[{"item": "mask-n95", "quantity": 40000}])
    aid.fire("zj-liaison", other["id"], "pledge", stock_lines("zj-liaison", (1, 39900)))
    body = aid.fire(
        "zj-liaison",
        short["id"],
        "dispatch",
        dispatch("zj-liaison", order_of("zj-liaison"), (short["pledge"], 300)),
        status=409,
    )
    details = assert_error(body, "insufficient_stock")
    assert (details["line"], details["free"]) == (1, "100")
    assert Pledge.objects.get(pk=short["pledge"]).dispatched == 10000
    assert RequestLine.objects.get(request_id=short["id"]).dispatched == 10000


def test_written_off_settles_the_shortfall_and_completes_the_request(aid, short):
    detail = aid.fire(
        "js-liaison",
        short["id"],
        "reconcile_shortfall",
        {"shortfall": short["shortfall"], "resolution": "written_off", "note": "保险理赔"},
    )
    assert detail["state"] == "completed"
    [line] = detail["lines"]
    assert (line["received"], line["written_off"], line["allocated"]) == ("9700", "300", "10000")
    [pledge] = detail["pledges"]
    assert (pledge["written_off"], pledge["dispatchable"], pledge["held"]) == ("300", "0", "0")
    assert aid.free("zj-medical-reserve", "mask-n95") == 40000
    assert detail["shortfalls"][0]["resolution"] == "written_off"


def test_repledged_reopens_the_request_and_another_region_covers_the_line(aid, short):
    detail = aid.fire(
        "js-liaison", short["id"], "reconcile_shortfall", {"shortfall": short["shortfall"], "resolution": "repledged"}
    )
    assert detail["state"] == "open"
    assert detail["lines"][0]["still_needed"] == "300"
    # Only what is needed again can be pledged; Anhui pledges it, Jiangsu allocates, it arrives.
    body = aid.fire("ah-liaison", short["id"], "pledge", stock_lines("ah-liaison", (1, 301)), status=409)
    assert assert_error(body, "pledge_exceeds_need")["still_needed"] == "300"
    aid.fire("ah-liaison", short["id"], "pledge", stock_lines("ah-liaison", (1, 300)))
    ah = pledges_of(aid, short["id"])["ah-liaison", 1]["id"]
    detail = aid.fire("js-liaison", short["id"], "allocate", {"accept": [{"pledge": ah, "quantity": 300}]})
    assert detail["state"] == "allocated"
    detail = aid.fire("ah-liaison", short["id"], "dispatch", dispatch("ah-liaison", order_of("ah-liaison"), (ah, 300)))
    detail = aid.fire("js-liaison", short["id"], "confirm_receipt", receipt(detail["shipments"][1]))
    assert detail["state"] == "completed"
    assert _js_on_hand() == 10000
    zj = {p["organisation"]["code"]: p for p in detail["pledges"]}["zj-liaison"]
    assert (zj["repledged"], zj["dispatchable"]) == ("300", "0")
    # Zhejiang was not asked again: its stock is as the first dispatch left it.
    assert aid.free("zj-medical-reserve", "mask-n95") == 40000
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000 - 300


def test_a_shortfall_is_reconciled_once(aid, short):
    aid.fire(
        "js-liaison", short["id"], "reconcile_shortfall", {"shortfall": short["shortfall"], "resolution": "resent"}
    )
    body = aid.fire(
        "js-liaison",
        short["id"],
        "reconcile_shortfall",
        {"shortfall": short["shortfall"], "resolution": "written_off"},
        status=409,
    )
    assert assert_error(body, "already_reconciled")["resolution"] == "resent"
    assert Pledge.objects.get(pk=short["pledge"]).written_off == 0


def test_only_the_requester_reconciles(aid, short):
    body = aid.fire(
        "zj-liaison",
        short["id"],
        "reconcile_shortfall",
        {"shortfall": short["shortfall"], "resolution": "written_off"},
        status=403,
    )
    assert_error(body, "permission_denied")


def test_an_unknown_resolution_names_the_field(aid, short):
    body = aid.fire(
        "js-liaison",
        short["id"],
        "reconcile_shortfall",
        {"shortfall": short["shortfall"], "resolution": "lost"},
        status=400,
    )
    assert "resolution" in assert_error(body, "invalid")
