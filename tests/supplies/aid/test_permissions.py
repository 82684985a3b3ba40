"""Who sees and does what on a supply request: the requester and the regions that pledged see
it; a region not on it sees its open lines on the shortage board only; a pledger dispatches
only its own allocation; only the requester allocates, confirms receipt, reconciles, closes and
cancels; the Office sees every request. Every refusal is in the one error shape."""

import pytest

from coordination.demo import seed_city_liaison_offices
from tests.supplies.aid.steps import assert_error, dispatch, order_of, pledges_of, receipt, stock_lines


@pytest.fixture
def city_offices(demo):
    """Suzhou's and Ningbo's liaison offices: of a region, but not the regions' own office."""
    return seed_city_liaison_offices()


@pytest.fixture
def allocated(aid):
    case = aid.create()
    aid.fire("zj-liaison", case["id"], "pledge", stock_lines("zj-liaison", (1, 40000), (2, 4000)))
    aid.fire("ah-liaison", case["id"], "pledge", stock_lines("ah-liaison", (1, 20000)))
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


def _status(aid, who, path):
    response = aid.client(who).get(path)
    if response.status_code >= 400:
        assert_error(response.json(), {403: "permission_denied", 404: "not_found"}[response.status_code])
    return response.status_code


@pytest.mark.parametrize(
    "who, status",
    [
        ("js-liaison", 200),  # the requester
        ("colleague", 200),  # in the requester's office
        ("zj-liaison", 200),  # pledged
        ("ah-liaison", 200),
        ("yrd-office", 200),  # the Office sees every request
        ("sh-liaison", 404),  # neither asked nor pledged
        ("suzhou-liaison", 404),
        ("wuxi-hospital", 404),
        ("js-insurance", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_a_request(aid, allocated, people, city_offices, who, status):
    assert _status(aid, who, f"/api/v1/supply-requests/{allocated['id']}/") == status
    listed = aid.client(who).get("/api/v1/supply-requests/")
    ids = [row["id"] for row in listed.json()["results"]] if listed.status_code == 200 else []
    assert (allocated["id"] in ids) == (status == 200)


def test_the_office_sees_every_request_of_every_region(aid):
    ours = aid.create()
    zhejiang = aid.create(by="zj-liaison", lines=[{"item": "goggles", "quantity": 500}])
    rows = aid.client("yrd-office").get("/api/v1/supply-requests/").json()["results"]
    assert {ours["id"], zhejiang["id"]} <= {row["id"] for row in rows}
    assert aid.get("yrd-office", zhejiang["id"])["requesting_region"] == "330000"


def test_a_region_not_on_the_request_sees_its_lines_on_the_shortage_board(aid):
    case = aid.create()
    aid.get("sh-liaison", case["id"], status=404)
    rows = aid.client("sh-liaison").get("/api/v1/shortage/lines/").json()["results"]
    mine = [row for row in rows if row["request"] == case["id"]]
    assert [(row["line"], row["item"], row["still_needed"]) for row in sorted(mine, key=lambda r: r["line"])] == [
        (1, "mask-n95", "60000"),
        (2, "suit-protective", "5000"),
    ]
    # The board shows no contact and no address: those are for the request's participants.
    assert not {"contact_name", "contact_phone", "delivery_address"} & set(mine[0])
    # And from the board, Shanghai pledges (and sees the request from then on).
    aid.fire("sh-liaison", case["id"], "pledge", stock_lines("sh-liaison", (1, 1000)))
    assert aid.get("sh-liaison", case["id"])["id"] == case["id"]


@pytest.mark.parametrize("path", ["/api/v1/shortage/", "/api/v1/shortage/lines/", "/api/v1/supply-flows/"])
@pytest.mark.parametrize(
    "who, status",
    [
        ("sh-liaison", 200),
        ("sh-leader", 200),
        ("yrd-office", 200),
        ("wuxi-hospital", 403),
        ("js-insurance", 403),
        ("outsider", 403),
    ],
)
def test_who_sees_the_shortage_board(aid, people, path, who, status):
    aid.create()
    assert _status(aid, who, path) == status


def test_the_shortage_board_is_not_for_anonymous_callers(aid, api):
    response = api.get("/api/v1/shortage/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")


def test_a_pledger_cannot_dispatch_another_pledgers_allocation(aid, allocated):
    zj = allocated["pledges"]["zj-liaison", 1]
    body = aid.fire(
        "ah-liaison",
        allocated["id"],
        "dispatch",
        dispatch("ah-liaison", order_of("zj-liaison"), (zj, 1000)),
        status=403,
    )
    assert_error(body, "permission_denied")
    # Nor its own allocation with the other's pledge in it.
    body = aid.fire(
        "ah-liaison",
        allocated["id"],
        "dispatch",
        dispatch("ah-liaison", order_of("ah-liaison"), (zj, 1000)),
        status=400,
    )
    assert_error(body, "invalid")
    assert aid.free("zj-medical-reserve", "mask-n95") == 10000


def test_the_requester_cannot_pledge_to_its_own_request(aid):
    case = aid.create()
    body = aid.fire(
        "js-liaison",
        case["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 100, "warehouse": "js-emergency-reserve"}]},
        status=403,
    )
    assert_error(body, "permission_denied")
    assert aid.free("js-emergency-reserve", "mask-n95") == 0


@pytest.mark.parametrize("who", ["zj-liaison", "ah-liaison"])
def test_only_the_requester_allocates_confirms_reconciles_closes_and_cancels(aid, allocated, who):
    pledges = allocated["pledges"]
    detail = aid.fire(
        "zj-liaison",
        allocated["id"],
        "dispatch",
        dispatch("zj-liaison", order_of("zj-liaison"), (pledges["zj-liaison", 2], 4000)),
    )
    shipment = detail["shipments"][0]
    for name, payload in [
        ("confirm_receipt", receipt(shipment)),
        ("cancel", {"reason": "不需要了"}),
        ("close", {"reason": "结束"}),
        ("seek_pledges", {"reason": "再要"}),
    ]:
        assert_error(aid.fire(who, allocated["id"], name, payload, status=403), "permission_denied")
    assert aid.get("js-liaison", allocated["id"])["state"] == "allocated"


def test_a_pledger_cannot_allocate(aid):
    case = aid.create()
    aid.fire("zj-liaison", case["id"], "pledge", stock_lines("zj-liaison", (1, 1000)))
    pledge = pledges_of(aid, case["id"])["zj-liaison", 1]["id"]
    body = aid.fire(
        "zj-liaison", case["id"], "allocate", {"accept": [{"pledge": pledge, "quantity": 1000}]}, status=403
    )
    assert_error(body, "permission_denied")
    assert aid.get("js-liaison", case["id"])["state"] == "open"


def test_the_requesters_colleague_allocates_and_the_office_does_not(aid):
    case = aid.create()
    aid.fire("zj-liaison", case["id"], "pledge", stock_lines("zj-liaison", (1, 1000)))
    pledge = pledges_of(aid, case["id"])["zj-liaison", 1]["id"]
    payload = {"accept": [{"pledge": pledge, "quantity": 1000}]}
    assert_error(aid.fire("yrd-office", case["id"], "allocate", payload, status=403), "permission_denied")
    assert aid.fire("colleague", case["id"], "allocate", payload)["state"] == "allocated"


def test_a_region_not_on_the_request_cannot_fire_anything_on_it(aid, allocated):
    for name in ("dispatch", "withdraw_pledge", "allocate", "cancel", "record_hop"):
        assert_error(aid.fire("sh-liaison", allocated["id"], name, {}, status=404), "not_found")


def test_the_allowed_transitions_follow_the_role(aid, allocated):
    assert {"dispatch", "record_hop", "withdraw_pledge"} <= set(
        aid.get("zj-liaison", allocated["id"])["allowed_transitions"]
    )
    assert "allocate" not in aid.get("zj-liaison", allocated["id"])["allowed_transitions"]
    js = set(aid.get("js-liaison", allocated["id"])["allowed_transitions"])
    assert {"cancel", "confirm_receipt", "seek_pledges"} <= js
    assert not {"pledge", "dispatch"} & js


# --- the transition graph ---------------------------------------------------------------------


def test_the_transition_graph_is_svg(aid, people):
    response = aid.client("js-liaison").get("/api/v1/supply-requests/graph/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert "<svg" in svg
    for state in ("open", "allocated", "completed", "cancelled"):
        assert state in svg


def test_a_requests_graph_is_svg_for_those_who_see_it(aid):
    case = aid.create()
    response = aid.client("js-liaison").get(f"/api/v1/supply-requests/{case['id']}/graph/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in response.content
    assert aid.client("sh-liaison").get(f"/api/v1/supply-requests/{case['id']}/graph/").status_code == 404
