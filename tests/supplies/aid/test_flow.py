"""The whole mutual-aid flow across three regions through the API: request, pledges from
stock, partial allocation, dispatch with hops, receipt with a shortfall and its
reconciliation, completion — with the stock ledger following every step."""

from datetime import timedelta

from django.utils import timezone

from supplies.models import AllocationOrder, Pledge, StockMovement


def _arrival():
    return (timezone.now() + timedelta(hours=6)).isoformat()


def test_three_regions_request_pledge_allocate_dispatch_receive(aid):
    case = aid.create()
    assert case["state"] == "open"
    assert [line["number"] for line in case["lines"]] == [1, 2]

    # Zhejiang and Anhui pledge; each becomes a participant by pledging.
    aid.get("zj-liaison", case["id"], status=404)
    aid.fire(
        "zj-liaison",
        case["id"],
        "pledge",
        {
            "lines": [
                {"line": 1, "quantity": 40000, "warehouse": "zj-medical-reserve"},
                {"line": 2, "quantity": 4000, "warehouse": "zj-medical-reserve"},
            ]
        },
    )
    aid.fire(
        "ah-liaison",
        case["id"],
        "pledge",
        {"lines": [{"line": 1, "quantity": 25000, "warehouse": "ah-emergency-reserve"}]},
    )
    assert aid.free("zj-medical-reserve", "mask-n95") == 10000
    assert aid.free("ah-emergency-reserve", "mask-n95") == 5000
    detail = aid.get("zj-liaison", case["id"])
    assert detail["lines"][0]["pledged"] == "65000"

    # Jiangsu allocates: all of Zhejiang's, 20,000 of Anhui's 25,000 (its rest is released).
    pledges = {(p["organisation"]["code"], p["line"]): p["id"] for p in detail["pledges"]}
    zj1, zj2, ah1 = pledges["zj-liaison", 1], pledges["zj-liaison", 2], pledges["ah-liaison", 1]
    detail = aid.fire(
        "js-liaison",
        case["id"],
        "allocate",
        {
            "accept": [
                {"pledge": zj1, "quantity": 40000},
                {"pledge": zj2, "quantity": 4000},
                {"pledge": ah1, "quantity": 20000},
            ]
        },
    )
    assert detail["state"] == "allocated"
    assert aid.free("ah-emergency-reserve", "mask-n95") == 10000
    orders = AllocationOrder.objects.order_by("serial")
    assert [o.document_number for o in orders] == [
        f"苏联防调〔{orders[0].year}〕1号",
        f"苏联防调〔{orders[0].year}〕2号",
    ]

    # Zhejiang dispatches both lines on one lorry; the hop is recorded.
    zj_order = orders.get(supplier__code="zj-liaison").document_number
    detail = aid.fire(
        "zj-liaison",
        case["id"],
        "dispatch",
        {
            "allocation": zj_order,
            "vehicle_plate": "浙A12345",
            "driver_name": "李师傅",
            "driver_phone": "13812345678",
            "route": "杭州—湖州—南京",
            "expected_arrival": _arrival(),
            "lines": [{"pledge": zj1, "quantity": 40000}, {"pledge": zj2, "quantity": 4000}],
        },
    )
    shipment = detail["shipments"][0]
    assert shipment["driver_phone"] == "138****5678"
    aid.fire(
        "zj-liaison", case["id"], "record_hop", {"shipment": 1, "kind": "checkpoint", "place": "G25长深高速湖州收费站"}
    )

    # Jiangsu receives: masks complete, 200 suits short (damaged in transit).
    lines = {line["line"]: line["id"] for line in shipment["lines"]}
    detail = aid.fire(
        "js-liaison",
        case["id"],
        "confirm_receipt",
        {
            "shipment": 1,
            "lines": [
                {"shipment_line": lines[1], "received": 40000},
                {"shipment_line": lines[2], "received": 3800, "shortfall_reason": "运输途中受潮破损200件"},
            ],
        },
    )
    assert detail["state"] == "allocated"
    [shortfall] = detail["shortfalls"]
    assert shortfall["quantity"] == "200"
    assert StockMovement.objects.filter(kind="arrival", warehouse__code="js-emergency-reserve").count() == 2

    # Anhui dispatches its 20,000; Jiangsu receives them.
    ah_order = orders.get(supplier__code="ah-liaison").document_number
    detail = aid.fire(
        "ah-liaison",
        case["id"],
        "dispatch",
        {
            "allocation": ah_order,
            "vehicle_plate": "皖A88888",
            "driver_name": "张师傅",
            "driver_phone": "13700001111",
            "expected_arrival": _arrival(),
            "lines": [{"pledge": ah1, "quantity": 20000}],
        },
    )
    second = detail["shipments"][1]
    detail = aid.fire(
        "js-liaison",
        case["id"],
        "confirm_receipt",
        {"shipment": 2, "lines": [{"shipment_line": second["lines"][0]["id"], "received": 20000}]},
    )
    # Line 1 asked 60,000 and got 60,000; line 2 got 4,000 allocated of 5,000: still outstanding.
    assert detail["state"] == "allocated"

    # The shortfall is sent again by Zhejiang.
    aid.fire("js-liaison", case["id"], "reconcile_shortfall", {"shortfall": shortfall["id"], "resolution": "resent"})
    detail = aid.fire(
        "zj-liaison",
        case["id"],
        "dispatch",
        {
            "allocation": zj_order,
            "vehicle_plate": "浙A12345",
            "driver_name": "李师傅",
            "driver_phone": "13812345678",
            "expected_arrival": _arrival(),
            "lines": [{"pledge": zj2, "quantity": 200}],
        },
    )
    third = detail["shipments"][2]
    detail = aid.fire(
        "js-liaison",
        case["id"],
        "confirm_receipt",
        {"shipment": 3, "lines": [{"shipment_line": third["lines"][0]["id"], "received": 200}]},
    )
    assert detail["state"] == "allocated"  # line 2 is 1,000 short of what was asked
    detail = aid.fire("js-liaison", case["id"], "close", {"reason": "其余防护服已由国家调拨解决"})
    assert detail["state"] == "completed"
    assert Pledge.objects.filter(held__gt=0).count() == 0
    assert aid.free("zj-medical-reserve", "suit-protective") == 8000 - 4000 - 200


def test_phone_numbers_are_masked_and_unmasking_is_recorded(aid):
    from coordination.pii.models import PersonalDataAccess

    case = aid.create()
    assert case["contact_phone"] == "139****5678"
    client = aid.client("js-liaison")
    url = f"/api/v1/supply-requests/{case['id']}/unmask/"
    assert client.post(url, {}, format="json").status_code == 400
    response = client.post(url, {"reason": "联系收货人确认到货时间"}, format="json")
    assert response.status_code == 200
    assert response.json()["contact_phone"] == "13912345678"
    assert PersonalDataAccess.objects.filter(action="unmask", object_id=case["id"]).count() == 1
    assert aid.client("zj-liaison").post(url, {"reason": "x"}, format="json").status_code == 404
