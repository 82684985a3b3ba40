"""Firing a transition with a bad payload or beyond what the quantities allow: a 400 or 409 in
the one error shape, naming the line, pledge or field, and nothing half-written — no pledge,
reservation, movement, participant, shipment or audit entry of the refused attempt remains."""

import pytest

from coordination.demo import seed_city_liaison_offices
from tests.supplies.aid.steps import assert_error, dispatch, footprint, line_errors, order_of, pledges_of, receipt

MASKS = {"line": 1, "warehouse": "zj-medical-reserve"}


def _refused(aid, by, case_id, name, payload, status):
    before = footprint()
    body = aid.fire(by, case_id, name, payload, status=status)
    assert footprint() == before
    return body


@pytest.fixture
def city_offices(demo):
    """Suzhou's and Ningbo's liaison offices: of a region, but not the regions' own office."""
    return seed_city_liaison_offices()


@pytest.fixture
def case(aid):
    """Jiangsu's request: line 1, 60,000 masks; line 2, 5,000 suits."""
    return aid.create()


@pytest.fixture
def allocated(aid, case):
    """Zhejiang pledged 40,000 masks and 4,000 suits, Anhui 25,000 masks; Jiangsu allocated
    all of Zhejiang's and 20,000 of Anhui's."""
    aid.fire(
        "zj-liaison",
        case["id"],
        "pledge",
        {"lines": [{**MASKS, "quantity": 40000}, {"line": 2, "quantity": 4000, "warehouse": "zj-medical-reserve"}]},
    )
    aid.fire(
        "ah-liaison",
        case["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 25000, "warehouse": "ah-emergency-reserve"}]},
    )
    pledges = {key: p["id"] for key, p in pledges_of(aid, case["id"]).items()}
    aid.fire(
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
    case["pledges"] = pledges
    return case


@pytest.fixture
def shipped(aid, allocated):
    """Zhejiang sent all it was allocated on one lorry."""
    pledges = allocated["pledges"]
    detail = aid.fire(
        "zj-liaison",
        allocated["id"],
        "dispatch",
        dispatch(
            "zj-liaison", order_of("zj-liaison"), (pledges["zj-liaison", 1], 40000), (pledges["zj-liaison", 2], 4000)
        ),
    )
    allocated["shipment"] = detail["shipments"][0]
    return allocated


# --- pledging -------------------------------------------------------------------------------

BAD_QUANTITIES = [
    0,
    -1,
    "-5",
    1.5,
    "0.5",
    1_000_000_001,
    "1e12",
    "abc",
    "",
    "NaN",
    "-Infinity",
    True,
    False,
    None,
    [1],
    "7\x00",
]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_a_bad_pledge_quantity_is_refused_naming_the_line(aid, case, quantity):
    payload = {
        "lines": [{"line": 2, "quantity": 10, "warehouse": "zj-medical-reserve"}, {**MASKS, "quantity": quantity}]
    }
    details = assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid")
    assert "quantity" in line_errors(details, 1), details
    # Zhejiang did not join by a refused pledge: the request is still not theirs to see.
    aid.get("zj-liaison", case["id"], status=404)


@pytest.mark.parametrize("line", [3, 0, -1, "abc", 1.0, True, None, 10**20, "1\x00"])
def test_a_line_not_of_the_request_is_refused(aid, case, line):
    payload = {"lines": [{"line": line, "quantity": 10, "warehouse": "zj-medical-reserve"}]}
    details = assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid")
    assert "line" in line_errors(details, 0)


def test_a_line_of_another_request_is_refused(aid, case):
    other = aid.create(
        lines=[
            {"item": "goggles", "quantity": 100},
            {"item": "mask-n95", "quantity": 5},
            {"item": "ecmo", "quantity": 1},
        ]
    )
    payload = {"lines": [{"line": 3, "quantity": 1, "warehouse": "zj-medical-reserve"}]}
    assert "line" in line_errors(
        assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid"), 0
    )
    assert other["lines"][2]["number"] == 3


@pytest.mark.parametrize(
    "warehouse", ["ah-emergency-reserve", "js-emergency-reserve", "no-such", "zj\x00", "z" * 1000, 5]
)
def test_a_warehouse_not_the_pledgers_is_refused(aid, case, warehouse):
    payload = {"lines": [{"line": 1, "quantity": 10, "warehouse": warehouse}]}
    details = assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid")
    assert "warehouse" in line_errors(details, 0)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"lines": [{**MASKS, "quantity": 10}], "urgent": True}, "urgent"),
        ({"lines": []}, "lines"),
        ({"lines": "1"}, "lines"),
        ({"lines": [1]}, "lines"),
        ({"lines": [{**MASKS, "quantity": 10}] * 51}, "lines"),
        ({}, "lines"),
    ],
)
def test_a_malformed_pledge_payload_names_the_field(aid, case, payload, field):
    assert field in assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid")


def test_an_unknown_key_in_a_pledge_line_is_refused(aid, case):
    payload = {"lines": [{**MASKS, "quantity": 10, "price": 3}]}
    assert "price" in line_errors(
        assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid"), 0
    )


@pytest.mark.parametrize("payload", [[], "pledge", 5, None])
def test_a_payload_that_is_not_an_object_is_refused(aid, case, payload):
    assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid")


@pytest.mark.parametrize("note", ["备注\x00", "长" * 201, "x" * 200_000])
def test_a_bad_note_is_refused(aid, case, note):
    payload = {"lines": [{**MASKS, "quantity": 10, "note": note}]}
    assert "note" in line_errors(
        assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 400), "invalid"), 0
    )


def test_pledging_more_than_is_free_is_refused_409_naming_the_line_and_the_free_quantity(aid, case):
    payload = {"lines": [{**MASKS, "quantity": 50001}]}
    details = assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 409), "insufficient_stock")
    assert (details["line"], details["free"], details["requested"], details["warehouse"]) == (
        1,
        "50000",
        "50001",
        "zj-medical-reserve",
    )


def test_a_two_line_pledge_failing_on_its_second_line_keeps_no_reservation_of_the_first(aid, case):
    payload = {
        "lines": [{**MASKS, "quantity": 30000}, {"line": 2, "quantity": 5000, "warehouse": "ah-emergency-reserve"}]
    }
    # Anhui has 2,000 suits: its masks line would fit, its suits line does not.
    payload["lines"][0]["warehouse"] = "ah-emergency-reserve"
    details = assert_error(_refused(aid, "ah-liaison", case["id"], "pledge", payload, 409), "insufficient_stock")
    assert (details["line"], details["free"], details["index"]) == (2, "2000", 1)
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000
    assert aid.free("ah-emergency-reserve", "suit-protective") == 2000


def test_a_two_line_pledge_failing_on_its_first_line_keeps_no_reservation_of_the_second(aid, case):
    payload = {
        "lines": [
            {"line": 2, "quantity": 5000, "warehouse": "ah-emergency-reserve"},
            {"line": 1, "quantity": 100, "warehouse": "ah-emergency-reserve"},
        ]
    }
    details = assert_error(_refused(aid, "ah-liaison", case["id"], "pledge", payload, 409), "insufficient_stock")
    assert (details["line"], details["index"]) == (2, 0)
    assert aid.free("ah-emergency-reserve", "mask-n95") == 30000


def test_pledging_from_a_warehouse_that_never_held_the_item_is_refused_409(aid, case):
    payload = {"lines": [{"line": 2, "quantity": 1, "warehouse": "sh-medical-reserve"}]}  # Shanghai has no suits
    details = assert_error(_refused(aid, "sh-liaison", case["id"], "pledge", payload, 409), "insufficient_stock")
    assert (details["line"], details["free"]) == (2, "0")


def test_pledging_more_than_a_line_still_needs_is_refused_409(aid, case):
    details = assert_error(
        _refused(
            aid,
            "zj-liaison",
            case["id"],
            "pledge",
            {"lines": [{"line": 2, "quantity": 5001, "warehouse": "zj-medical-reserve"}]},
            409,
        ),
        "pledge_exceeds_need",
    )
    assert (details["line"], details["still_needed"]) == (2, "5000")
    # Two entries for one line count together.
    payload = {"lines": [{**MASKS, "quantity": 30000}, {**MASKS, "quantity": 30001}]}
    details = assert_error(_refused(aid, "zj-liaison", case["id"], "pledge", payload, 409), "pledge_exceeds_need")
    assert (details["line"], details["index"]) == (1, 1)


# --- who may pledge ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status, code",
    [
        ("js-liaison", 403, "permission_denied"),  # the requester
        ("colleague", 403, "permission_denied"),  # the requester's colleague
        ("js-head", 403, "permission_denied"),
        ("yrd-office", 403, "permission_denied"),  # the Office coordinates, it does not pledge
        ("suzhou-liaison", 404, "not_found"),  # another Jiangsu organisation, not on the request
        ("wuxi-hospital", 404, "not_found"),
        ("js-insurance", 404, "not_found"),
        ("sh-leader", 404, "not_found"),
        ("outsider", 404, "not_found"),
    ],
)
def test_who_may_not_pledge_is_refused_and_nothing_is_written(aid, case, people, city_offices, who, status, code):
    payload = {"lines": [{"line": 1, "quantity": 10, "warehouse": "js-emergency-reserve"}]}
    assert_error(_refused(aid, who, case["id"], "pledge", payload, status), code)


def test_a_pledge_to_a_request_that_does_not_exist_is_404(aid):
    assert_error(aid.fire("zj-liaison", 999999, "pledge", {"lines": []}, status=404), "not_found")


def test_pledging_to_an_allocated_request_is_refused_409_or_404_to_a_newcomer(aid, allocated):
    payload = {"lines": [{"line": 1, "quantity": 10, "warehouse": "zj-medical-reserve"}]}
    details = assert_error(
        _refused(aid, "zj-liaison", allocated["id"], "pledge", payload, 409), "transition_not_allowed"
    )
    assert details["state"] == "allocated"
    # A region not on the request learns nothing of a request no longer open to pledges.
    payload = {"lines": [{"line": 1, "quantity": 10, "warehouse": "sh-medical-reserve"}]}
    assert_error(_refused(aid, "sh-liaison", allocated["id"], "pledge", payload, 404), "not_found")


# --- allocating -------------------------------------------------------------------------------


@pytest.fixture
def pledged(aid, case):
    aid.fire("zj-liaison", case["id"], "pledge", {"lines": [{**MASKS, "quantity": 40000}]})
    aid.fire(
        "ah-liaison",
        case["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 25000, "warehouse": "ah-emergency-reserve"}]},
    )
    case["pledges"] = {key: p["id"] for key, p in pledges_of(aid, case["id"]).items()}
    return case


def test_allocating_more_than_pledged_is_refused_409(aid, pledged):
    zj = pledged["pledges"]["zj-liaison", 1]
    payload = {"accept": [{"pledge": zj, "quantity": 40001}]}
    details = assert_error(
        _refused(aid, "js-liaison", pledged["id"], "allocate", payload, 409), "allocation_exceeds_pledge"
    )
    assert details == {"line": 1, "pledge": zj, "pledged": "40000"}


def test_allocating_more_than_the_line_asks_is_refused_409(aid, pledged):
    pledges = pledged["pledges"]
    payload = {
        "accept": [
            {"pledge": pledges["zj-liaison", 1], "quantity": 40000},
            {"pledge": pledges["ah-liaison", 1], "quantity": 25000},
        ]
    }
    details = assert_error(
        _refused(aid, "js-liaison", pledged["id"], "allocate", payload, 409), "allocation_exceeds_request"
    )
    assert details["line"] == 1


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "abc", True, None, 1_000_000_001, "1\x00"])
def test_a_bad_allocated_quantity_is_refused_naming_the_pledge(aid, pledged, quantity):
    zj = pledged["pledges"]["zj-liaison", 1]
    payload = {"accept": [{"pledge": zj, "quantity": quantity}]}
    details = assert_error(_refused(aid, "js-liaison", pledged["id"], "allocate", payload, 400), "invalid")
    assert "accept" in details, details


@pytest.mark.parametrize("pledge", [999999, 10**20, "abc", None, True, "1\x00"])
def test_allocating_a_pledge_not_of_the_request_is_refused(aid, pledged, pledge):
    payload = {"accept": [{"pledge": pledge, "quantity": 1}]}
    assert "accept" in assert_error(_refused(aid, "js-liaison", pledged["id"], "allocate", payload, 400), "invalid")


def test_allocating_a_pledge_of_another_request_is_refused(aid, pledged):
    other = aid.create(lines=[{"item": "mask-n95", "quantity": 100}])
    aid.fire(
        "sh-liaison",
        other["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 100, "warehouse": "sh-medical-reserve"}]},
    )
    foreign = pledges_of(aid, other["id"])["sh-liaison", 1]["id"]
    payload = {"accept": [{"pledge": foreign, "quantity": 100}]}
    assert "accept" in assert_error(_refused(aid, "js-liaison", pledged["id"], "allocate", payload, 400), "invalid")


def test_naming_a_pledge_twice_or_none_is_refused(aid, pledged):
    zj = pledged["pledges"]["zj-liaison", 1]
    twice = {"accept": [{"pledge": zj, "quantity": 1}, {"pledge": zj, "quantity": 2}]}
    assert "accept" in assert_error(_refused(aid, "js-liaison", pledged["id"], "allocate", twice, 400), "invalid")
    assert "accept" in assert_error(
        _refused(aid, "js-liaison", pledged["id"], "allocate", {"accept": []}, 400), "invalid"
    )
    extra = {"accept": [{"pledge": zj, "quantity": 1, "price": 2}]}
    assert "accept" in assert_error(_refused(aid, "js-liaison", pledged["id"], "allocate", extra, 400), "invalid")


# --- dispatching ----------------------------------------------------------------------------


def test_dispatching_more_than_allocated_is_refused_409(aid, allocated):
    zj = allocated["pledges"]["zj-liaison", 1]
    payload = dispatch("zj-liaison", order_of("zj-liaison"), (allocated["pledges"]["zj-liaison", 2], 4000), (zj, 40001))
    details = assert_error(
        _refused(aid, "zj-liaison", allocated["id"], "dispatch", payload, 409), "dispatch_exceeds_allocation"
    )
    assert details == {"line": 1, "pledge": zj, "left": "40000"}


def test_dispatching_what_was_sent_already_is_refused_409(aid, shipped):
    zj = shipped["pledges"]["zj-liaison", 1]
    payload = dispatch("zj-liaison", order_of("zj-liaison"), (zj, 1))
    assert (
        assert_error(
            _refused(aid, "zj-liaison", shipped["id"], "dispatch", payload, 409), "dispatch_exceeds_allocation"
        )["left"]
        == "0"
    )


def test_dispatching_a_pledge_twice_in_one_shipment_is_refused(aid, allocated):
    zj = allocated["pledges"]["zj-liaison", 1]
    payload = dispatch("zj-liaison", order_of("zj-liaison"), (zj, 100), (zj, 100))
    assert "pledge" in line_errors(
        assert_error(_refused(aid, "zj-liaison", allocated["id"], "dispatch", payload, 400), "invalid"), 1
    )


def test_dispatching_a_pledge_of_another_allocation_is_refused(aid, allocated):
    ah = allocated["pledges"]["ah-liaison", 1]
    payload = dispatch("zj-liaison", order_of("zj-liaison"), (ah, 100))
    assert "pledge" in line_errors(
        assert_error(_refused(aid, "zj-liaison", allocated["id"], "dispatch", payload, 400), "invalid"), 0
    )


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"vehicle_plate": "ABC-123"}, "vehicle_plate"),
        ({"vehicle_plate": "浙A1234\x00"}, "vehicle_plate"),
        ({"driver_phone": "12345"}, "driver_phone"),
        ({"driver_name": "李" * 65}, "driver_name"),
        ({"driver_name": "李\x00"}, "driver_name"),
        ({"route": "路" * 301}, "route"),
        ({"expected_arrival": "2020-01-01T00:00:00+08:00"}, "expected_arrival"),
        ({"expected_arrival": "0001-01-01T00:00:00+08:00"}, "expected_arrival"),
        ({"expected_arrival": "0001-01-01T00:00:00"}, "expected_arrival"),
        ({"expected_arrival": "9999-12-31T23:59:59-12:00"}, "expected_arrival"),
        ({"expected_arrival": "tomorrow"}, "expected_arrival"),
        ({"allocation": "苏联防调〔2026〕99号"}, "allocation"),
        ({"allocation": "苏联防调\x00"}, "allocation"),
        ({"allocation": 10**20}, "allocation"),
        ({"allocation": None}, "allocation"),
        ({"lines": []}, "lines"),
        ({"lorry": "big"}, "lorry"),
    ],
)
def test_a_bad_dispatch_names_the_field(aid, allocated, fields, field):
    payload = dispatch("zj-liaison", order_of("zj-liaison"), (allocated["pledges"]["zj-liaison", 1], 100))
    payload.update(fields)
    assert field in assert_error(_refused(aid, "zj-liaison", allocated["id"], "dispatch", payload, 400), "invalid")


@pytest.mark.parametrize("quantity", [0, -3, 2.5, "x", True])
def test_a_bad_dispatched_quantity_names_the_line(aid, allocated, quantity):
    payload = dispatch("zj-liaison", order_of("zj-liaison"), (allocated["pledges"]["zj-liaison", 1], quantity))
    details = assert_error(_refused(aid, "zj-liaison", allocated["id"], "dispatch", payload, 400), "invalid")
    assert "quantity" in line_errors(details, 0)


# --- receiving ------------------------------------------------------------------------------


def test_receiving_more_than_dispatched_is_refused_409(aid, shipped):
    payload = receipt(shipped["shipment"], received={2: 4001})
    details = assert_error(
        _refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 409), "receipt_exceeds_dispatch"
    )
    assert (details["line"], details["sent"]) == (2, "4000")


def test_a_shortfall_without_a_reason_is_refused_400(aid, shipped):
    payload = receipt(shipped["shipment"], received={1: 39000})
    details = assert_error(_refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 400), "invalid")
    assert "shortfall_reason" in line_errors(details, 0)
    blank = receipt(shipped["shipment"], received={1: 39000}, reasons={1: "   "})
    assert_error(_refused(aid, "js-liaison", shipped["id"], "confirm_receipt", blank, 400), "invalid")


@pytest.mark.parametrize("received", [-1, "-2", 1.5, "abc", True, None, "1e400", "1\x00", "NaN", "-Infinity"])
def test_a_bad_received_quantity_names_the_line(aid, shipped, received):
    payload = receipt(shipped["shipment"], received={1: received}, reasons={1: "破损"})
    details = assert_error(_refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 400), "invalid")
    assert "received" in line_errors(details, 0), details


def test_a_receipt_must_name_every_line_of_the_shipment_once(aid, shipped):
    payload = receipt(shipped["shipment"])
    payload["lines"] = payload["lines"][:1]
    assert "lines" in assert_error(
        _refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 400), "invalid"
    )
    payload = receipt(shipped["shipment"])
    payload["lines"].append({"shipment_line": 10**6, "received": 1})
    assert "lines" in assert_error(
        _refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 400), "invalid"
    )
    payload = receipt(shipped["shipment"])
    payload["lines"][1]["shipment_line"] = payload["lines"][0]["shipment_line"]
    assert "lines" in assert_error(
        _refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 400), "invalid"
    )
    # Every line, and one of them again with another quantity: not silently the last one.
    payload = receipt(shipped["shipment"])
    payload["lines"].append({**payload["lines"][0], "received": 1, "shortfall_reason": "重复"})
    assert "lines" in assert_error(
        _refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 400), "invalid"
    )


def test_a_shipment_is_received_once(aid, shipped):
    aid.fire("js-liaison", shipped["id"], "confirm_receipt", receipt(shipped["shipment"]))
    details = assert_error(
        _refused(aid, "js-liaison", shipped["id"], "confirm_receipt", receipt(shipped["shipment"]), 409),
        "already_received",
    )
    assert details == {"shipment": 1}


@pytest.mark.parametrize("shipment", [2, 0, "abc", None, 10**20])
def test_receiving_a_shipment_not_of_the_request_is_refused(aid, shipped, shipment):
    payload = {**receipt(shipped["shipment"]), "shipment": shipment}
    assert "shipment" in assert_error(
        _refused(aid, "js-liaison", shipped["id"], "confirm_receipt", payload, 400), "invalid"
    )


@pytest.mark.parametrize("nothing", [0, 0.0, "0", "0.00", "-0", " 0 "])
def test_receiving_nothing_of_a_line_is_a_shortfall_of_all_of_it(aid, shipped, nothing):
    detail = aid.fire(
        "js-liaison",
        shipped["id"],
        "confirm_receipt",
        receipt(shipped["shipment"], received={2: nothing}, reasons={2: "整车防护服被扣留"}),
    )
    assert [s["quantity"] for s in detail["shortfalls"]] == ["4000"]
    assert detail["lines"][1]["received"] == "0"


# --- the journey ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "teleported"}, "kind"),
        ({"place": ""}, "place"),
        ({"place": "湖州\x00"}, "place"),
        ({"place": "路" * 201}, "place"),
        ({"at": "0001-01-01T00:00:00"}, "at"),  # before the dispatch
        ({"at": "0001-01-01T00:00:00+08:00"}, "at"),
        ({"at": "2999-01-01T00:00:00+08:00"}, "at"),  # in the future
        ({"shipment": 9}, "shipment"),
        ({"speed": 80}, "speed"),
    ],
)
def test_a_bad_hop_names_the_field(aid, shipped, fields, field):
    payload = {"shipment": 1, "kind": "checkpoint", "place": "G25长深高速湖州收费站", **fields}
    assert field in assert_error(_refused(aid, "zj-liaison", shipped["id"], "record_hop", payload, 400), "invalid")


def test_only_the_supplier_records_its_shipments_hops(aid, shipped):
    payload = {"shipment": 1, "kind": "checkpoint", "place": "G25长深高速湖州收费站"}
    assert_error(_refused(aid, "ah-liaison", shipped["id"], "record_hop", payload, 403), "permission_denied")
    detail = aid.fire("zj-liaison", shipped["id"], "record_hop", {**payload, "kind": "arrived", "place": "南京"})
    assert [hop["kind"] for hop in detail["shipments"][0]["hops"]] == ["departed", "arrived"]
    assert detail["shipments"][0]["arrived_at"] is not None


# --- reasons ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "理由\x00", "长" * 2001, None])
def test_cancelling_needs_a_reason(aid, case, reason):
    details = assert_error(_refused(aid, "js-liaison", case["id"], "cancel", {"reason": reason}, 400), "invalid")
    assert "reason" in details
    assert_error(_refused(aid, "js-liaison", case["id"], "cancel", {}, 400), "invalid")


@pytest.mark.parametrize(
    "raw",
    [
        '{"payload": {"lines": [{"line": 1, "quantity": NaN, "warehouse": "zj-medical-reserve"}]}}',
        '{"payload": {"lines": [{"line": 1, "quantity": 1' + "0" * 5000 + ', "warehouse": "zj-medical-reserve"}]}}',
        '{"payload": {"lines": [{"line": 1, "quantity": 1e400, "warehouse": "zj-medical-reserve"}]}}',
        '{"payload": ',
        "[]",
    ],
)
def test_a_body_that_is_not_sound_json_is_refused_in_the_error_shape(aid, case, raw):
    before = footprint()
    response = aid.client("zj-liaison").post(
        f"/api/v1/supply-requests/{case['id']}/transitions/pledge/", raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in ("parse_error", "invalid")
    assert footprint() == before


def test_an_unknown_key_at_the_top_of_a_transition_body_is_refused(aid, case):
    before = footprint()
    response = aid.client("zj-liaison").post(
        f"/api/v1/supply-requests/{case['id']}/transitions/pledge/",
        {"payload": {"lines": [{**MASKS, "quantity": 10}]}, "dry_run": True},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert footprint() == before
