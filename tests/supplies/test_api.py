"""The supplies API, persona by persona: the catalogue for every member, stock levels shared
across the Delta, movements for the running organisation and the Office, changes for the
running organisation only (another region 403, who cannot see the warehouse 404)."""

import pytest

from supplies.demo import seed_capacity, seed_catalogue
from supplies.models import StockMovement, Warehouse
from supplies.services import stock_receive, stock_reserve

STOCK = "/api/v1/stock/"
ITEMS = "/api/v1/supply-items/"
SEES_ALL_STOCK = {"js-liaison", "colleague", "sh-liaison", "yrd-office", "sh-leader"}


@pytest.fixture
def stocked(stock, js_store):
    """Masks in Jiangsu's and Shanghai's reserves."""
    n95 = stock.item("mask-n95")
    stock_receive(js_store.warehouse, n95, 1000, by=js_store.officer)
    stock_reserve(js_store.warehouse, n95, 250, by=js_store.officer)
    stock_receive(stock.warehouse("sh-medical-reserve"), n95, 5000, by=stock.user("sh-liaison"))
    return stock


def receive(client, **body):
    body = {"warehouse": "js-emergency-reserve", "item": "mask-n95", "quantity": "100", **body}
    return client.post(f"{STOCK}receive/", body, format="json")


# --- reading --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["js-liaison", "sh-liaison", "yrd-office", "wuxi-hospital"])
def test_every_member_reads_the_catalogue(api_as, stock, persona):
    body = api_as(stock.user(persona)).get(ITEMS, {"page_size": 100}).json()
    n95 = next(row for row in body["results"] if row["code"] == "mask-n95")
    assert (n95["standard"], n95["unit"], n95["countable"]) == ("GB 19083-2010", "piece", True)
    chlorine = api_as(stock.user(persona)).get(f"{ITEMS}disinfectant-chlorine/").json()
    assert (chlorine["unit"], chlorine["countable"]) == ("litre", False)


def test_the_catalogue_filters_by_category_and_search(api_as, stock):
    client = api_as(stock.user("js-liaison"))
    codes = {row["code"] for row in client.get(ITEMS, {"category": "respiratory"}).json()["results"]}
    assert codes == {"mask-n95", "mask-surgical", "mask-medical"}
    codes = {row["code"] for row in client.get(ITEMS, {"q": "GB 19082"}).json()["results"]}
    assert codes == {"suit-protective"}


@pytest.mark.parametrize("path", [ITEMS, STOCK, f"{STOCK}movements/", f"{STOCK}by-region/", "/api/v1/warehouses/"])
def test_anonymous_callers_get_401_and_outsiders_403(api, api_as, stock, path):
    assert api.get(path).status_code == 401
    response = api_as(stock.user("outsider")).get(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    "persona", ["js-liaison", "colleague", "sh-liaison", "yrd-office", "sh-leader", "wuxi-hospital"]
)
def test_stock_levels_are_shared_with_liaison_offices_leaders_and_the_office(api_as, stocked, persona):
    rows = api_as(stocked.user(persona)).get(STOCK).json()["results"]
    seen = {(row["warehouse"], row["item"]) for row in rows}
    if persona in SEES_ALL_STOCK:
        assert seen == {("js-emergency-reserve", "mask-n95"), ("sh-medical-reserve", "mask-n95")}
    else:
        assert seen == set()


def test_a_balance_shows_on_hand_reserved_and_free(api_as, stocked):
    rows = api_as(stocked.user("sh-liaison")).get(STOCK, {"warehouse": "js-emergency-reserve"}).json()["results"]
    assert [(r["on_hand"], r["reserved"], r["free"], r["region"], r["unit"]) for r in rows] == [
        ("1000", "250", "750", "320000", "piece")
    ]
    detail = api_as(stocked.user("sh-liaison")).get(f"{STOCK}{rows[0]['id']}/").json()
    assert detail["free"] == "750"


def test_a_hospital_does_not_see_a_balance_at_all(api_as, stocked):
    balance_id = api_as(stocked.user("js-liaison")).get(STOCK).json()["results"][0]["id"]
    assert api_as(stocked.user("wuxi-hospital")).get(f"{STOCK}{balance_id}/").status_code == 404


def test_stock_by_region_sums_each_regions_warehouses(api_as, stocked, js_store):
    stock_receive(stocked.warehouse("js-medical-reserve-suzhou"), stocked.item("mask-n95"), 40, by=js_store.officer)
    rows = api_as(stocked.user("yrd-office")).get(f"{STOCK}by-region/").json()["results"]
    assert rows == [
        {"region": "310000", "item": "mask-n95", "on_hand": "5000", "reserved": "0", "free": "5000"},
        {"region": "320000", "item": "mask-n95", "on_hand": "1040", "reserved": "250", "free": "790"},
    ]
    only = api_as(stocked.user("yrd-office")).get(f"{STOCK}by-region/", {"region": "310000"}).json()["results"]
    assert [row["region"] for row in only] == ["310000"]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("js-liaison", {"js-emergency-reserve"}),
        ("colleague", {"js-emergency-reserve"}),
        ("sh-liaison", {"sh-medical-reserve"}),
        ("yrd-office", {"js-emergency-reserve", "sh-medical-reserve"}),
        ("sh-leader", set()),
        ("wuxi-hospital", set()),
    ],
)
def test_movements_are_seen_by_the_running_organisation_and_the_office(api_as, stocked, persona, sees):
    rows = api_as(stocked.user(persona)).get(f"{STOCK}movements/", {"page_size": 100}).json()["results"]
    assert {row["warehouse"] for row in rows} == sees


def test_a_movement_row_says_who_did_what_and_why(api_as, stocked):
    rows = api_as(stocked.user("js-liaison")).get(f"{STOCK}movements/", {"kind": "reservation"}).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["reserved_delta"], row["on_hand_after"], row["reserved_after"]) == (
        "reservation",
        "250",
        "1000",
        "250",
    )
    assert (row["actor"], row["organisation"], row["reference"]) == ("js-liaison", "js-liaison", None)


# --- changing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["js-liaison", "colleague"])
def test_the_running_office_receives_stock(api_as, stock, persona):
    response = receive(api_as(stock.user(persona)), quantity="2500", reason="国家调拨")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["on_hand_delta"], body["on_hand_after"], body["actor"]) == (
        "receipt",
        "2500",
        "2500",
        persona,
    )


@pytest.mark.parametrize("persona", ["sh-liaison", "yrd-office", "sh-leader"])
def test_who_sees_the_warehouse_but_does_not_run_it_gets_403(api_as, stock, persona):
    client = api_as(stock.user(persona))
    assert receive(client).status_code == 403
    adjusted = client.post(
        f"{STOCK}adjust/",
        {"warehouse": "js-emergency-reserve", "item": "mask-n95", "quantity": "5", "reason": "x"},
        format="json",
    )
    assert adjusted.status_code == 403
    assert not StockMovement.objects.exists()


def test_who_does_not_see_the_warehouse_gets_404(api_as, stock):
    response = receive(api_as(stock.user("wuxi-hospital")))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert receive(api_as(stock.user("js-liaison")), warehouse="no-such-warehouse").status_code == 404
    assert receive(api_as(stock.user("js-liaison")), warehouse=12).status_code == 404


def test_anonymous_callers_cannot_receive(api, stock):
    assert receive(api).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item": "no-such-item"}, "item"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-10"}, "quantity"),
        ({"quantity": "1.5"}, "quantity"),
        ({"quantity": "5000000000"}, "quantity"),
        ({"quantity": "ten"}, "quantity"),
        ({"quantity": "1.0005"}, "quantity"),
    ],
)
def test_a_wrong_receipt_answers_400_naming_the_field(api_as, stock, body, field):
    response = receive(api_as(stock.user("js-liaison")), **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["details"], error
    assert not StockMovement.objects.exists()


def test_a_retired_item_takes_no_receipts(api_as, stock):
    item = stock.item("mask-medical")
    item.active = False
    item.save()
    response = receive(api_as(stock.user("js-liaison")), item="mask-medical")
    assert response.status_code == 400
    assert "item" in response.json()["error"]["details"]


def test_an_adjustment_needs_a_reason_and_cannot_take_reserved_stock(api_as, stocked):
    client = api_as(stocked.user("js-liaison"))
    body = {"warehouse": "js-emergency-reserve", "item": "mask-n95", "quantity": "-751"}
    missing = client.post(f"{STOCK}adjust/", body, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["details"]
    refused = client.post(f"{STOCK}adjust/", {**body, "reason": "报损"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["free"] == "750"
    done = client.post(f"{STOCK}adjust/", {**body, "quantity": "-750", "reason": "报损"}, format="json")
    assert done.status_code == 201 and done.json()["on_hand_after"] == "250"


def test_a_retried_receipt_with_the_same_key_counts_once(api_as, stock):
    client = api_as(stock.user("js-liaison"))
    first = client.post(
        f"{STOCK}receive/",
        {"warehouse": "js-emergency-reserve", "item": "mask-n95", "quantity": "100"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="receipt-2020-02-10-001",
    )
    again = client.post(
        f"{STOCK}receive/",
        {"warehouse": "js-emergency-reserve", "item": "mask-n95", "quantity": "100"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="receipt-2020-02-10-001",
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert StockMovement.objects.count() == 1


# --- warehouses and capacity ---------------------------------------------------------------------------


def test_warehouses_are_listed_like_stock(api_as, stock):
    codes = {row["code"] for row in api_as(stock.user("sh-liaison")).get("/api/v1/warehouses/").json()["results"]}
    assert codes == set(Warehouse.objects.values_list("code", flat=True))
    assert api_as(stock.user("wuxi-hospital")).get("/api/v1/warehouses/").json()["results"] == []


def test_the_capacity_list_is_shared_like_stock_levels(api_as, stock):
    seed_capacity(seed_catalogue())
    rows = api_as(stock.user("sh-liaison")).get(
        "/api/v1/production-capacity/", {"item": "mask-n95", "on": "2020-02-20"}
    )
    dasheng = next(r for r in rows.json()["results"] if r["enterprise"] == "上海大胜卫生用品制造有限公司")
    assert (dasheng["daily_capacity"], dasheng["committed"], dasheng["uncommitted"]) == ("200000", "150000", "50000")
    assert api_as(stock.user("wuxi-hospital")).get("/api/v1/production-capacity/").json()["results"] == []
    before = api_as(stock.user("sh-liaison")).get("/api/v1/production-capacity/", {"on": "2020-01-20"})
    assert before.json()["results"] == []


# --- costs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [STOCK, f"{STOCK}movements/", f"{STOCK}by-region/"])
def test_a_list_costs_the_same_queries_for_few_rows_or_many(api_as, stock, django_assert_max_num_queries, path):
    client = api_as(stock.user("yrd-office"))
    items = ["mask-n95", "mask-surgical"]
    for code in items:
        stock_receive(stock.warehouse("js-emergency-reserve"), stock.item(code), 10, by=stock.user("js-liaison"))
    with django_assert_max_num_queries(6):
        assert client.get(path).status_code == 200
    for code in ["goggles", "gloves-examination", "ecmo", "hand-rub", "gown-isolation", "face-shield"]:
        for warehouse in ["js-emergency-reserve", "js-medical-reserve-suzhou"]:
            stock_receive(stock.warehouse(warehouse), stock.item(code), 10, by=stock.user("js-liaison"))
    with django_assert_max_num_queries(6):
        assert client.get(path).status_code == 200
