"""Steps the mutual-aid tests share: bodies of the pattern's transitions, the pledges of a
request by (organisation, line), the error shape, and a count of every row a transition may
write (to prove a refused one wrote nothing)."""

from datetime import timedelta

from django.utils import timezone

from coordination.models import AuditEntry, Participant
from supplies.models import (
    AllocationOrder,
    Pledge,
    ProductionCapacity,
    RequestLine,
    Shipment,
    ShipmentHop,
    ShipmentLine,
    Shortfall,
    StockBalance,
    StockMovement,
    SupplyRequest,
)

WAREHOUSE = {
    "zj-liaison": "zj-medical-reserve",
    "ah-liaison": "ah-emergency-reserve",
    "sh-liaison": "sh-medical-reserve",
}
PLATE = {"zj-liaison": "浙A12345", "ah-liaison": "皖A88888", "sh-liaison": "沪A66666"}


def stock_lines(by: str, *lines: tuple[int, int]) -> dict:
    """A pledge payload from the pledger's warehouse: `stock_lines("zj-liaison", (1, 4000))`."""
    return {"lines": [{"line": line, "quantity": quantity, "warehouse": WAREHOUSE[by]} for line, quantity in lines]}


def pledges_of(aid, case_id, by="js-liaison") -> dict[tuple[str, int], dict]:
    """The request's pledges by (organisation code, line number); the newest wins a tie."""
    return {(p["organisation"]["code"], p["line"]): p for p in aid.get(by, case_id)["pledges"]}


def order_of(supplier: str) -> str:
    return AllocationOrder.objects.get(supplier__code=supplier).document_number


def dispatch(by: str, allocation: str, *lines: tuple[int, int], **fields) -> dict:
    """A dispatch payload: `dispatch("zj-liaison", order, (pledge_id, quantity))`."""
    return {
        "allocation": allocation,
        "vehicle_plate": PLATE[by],
        "driver_name": "李师傅",
        "driver_phone": "13812345678",
        "route": "杭州—湖州—南京",
        "expected_arrival": (timezone.now() + timedelta(hours=6)).isoformat(),
        "lines": [{"pledge": pledge, "quantity": quantity} for pledge, quantity in lines],
        **fields,
    }


def receipt(shipment: dict, received: dict[int, int] | None = None, reasons: dict[int, str] | None = None) -> dict:
    """A receipt payload of a shipment (as the detail shows it) by request line number: all of
    it unless `received` says less; `reasons` the shortfall reasons."""
    received, reasons = received or {}, reasons or {}
    lines = []
    for line in shipment["lines"]:
        entry = {"shipment_line": line["id"], "received": received.get(line["line"], line["quantity"])}
        if line["line"] in reasons:
            entry["shortfall_reason"] = reasons[line["line"]]
        lines.append(entry)
    return {"shipment": shipment["number"], "lines": lines}


def assert_error(body: dict, code: str) -> dict:
    """The one error shape, with the given code; its details."""
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]["details"]


TRACKED = (
    SupplyRequest,
    RequestLine,
    Pledge,
    AllocationOrder,
    Shipment,
    ShipmentLine,
    ShipmentHop,
    Shortfall,
    StockMovement,
    Participant,
    AuditEntry,
)


def footprint() -> dict:
    """Every row count and running total a refused transition must leave as it was."""
    counts = {model.__name__: model.objects.count() for model in TRACKED}
    counts["balances"] = sorted(
        StockBalance.objects.values_list("warehouse__code", "item__code", "on_hand", "reserved")
    )
    counts["lines"] = sorted(
        RequestLine.objects.values_list("pk", "pledged", "allocated", "dispatched", "received", "written_off")
    )
    counts["pledges"] = sorted(Pledge.objects.values_list("pk", "state", "held", "accepted", "dispatched", "version"))
    counts["capacity"] = sorted(ProductionCapacity.objects.values_list("pk", "committed"))
    counts["requests"] = sorted(SupplyRequest.objects.values_list("pk", "state", "version"))
    return counts


def line_errors(details: dict, index: int, key: str = "lines") -> dict:
    """The errors of the index-th entry of a list field, whichever layer refused it: the
    payload's serializer answers a list (one entry per line), the services a mapping by index."""
    errors = details[key]
    if isinstance(errors, list):
        return errors[index]
    return errors[str(index)]
