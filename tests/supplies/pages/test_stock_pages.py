"""Stock pages: the balances a user sees and one warehouse's ledger, with their CSV and XLSX
exports; the ledger only for the warehouse's organisation and the Office."""

import csv
import io

from openpyxl import load_workbook

from supplies.models import StockBalance, StockMovement


def _csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_stock_page_lists_every_regions_balances_for_a_liaison_officer(aid):
    page = aid.page("sh-liaison").get("/supplies/stock/").content.decode()
    assert 'href="/supplies/warehouses/zj-medical-reserve/"' in page
    assert 'href="/supplies/warehouses/ah-emergency-reserve/"' in page


def test_the_stock_export_has_one_row_per_balance_seen(aid):
    rows = _csv(aid.page("sh-liaison").get("/supplies/stock/?format=csv"))
    assert len(rows) - 1 == StockBalance.objects.count() == 5
    zj_masks = next(row for row in rows[1:] if row[1] == "zj-medical-reserve" and row[4] == "mask-n95")
    assert (zj_masks[7], zj_masks[8], zj_masks[9]) == ("50000", "0", "50000")  # on hand, reserved, free


def test_the_stock_export_follows_the_filters(aid):
    rows = _xlsx(aid.page("js-liaison").get("/supplies/stock/?format=xlsx&item=suit-protective"))
    assert sorted(row[1] for row in rows[1:]) == ["ah-emergency-reserve", "zj-medical-reserve"]
    assert sorted(row[7] for row in rows[1:]) == [2000, 8000]  # numbers, not text


def test_the_warehouse_page_shows_its_ledger_to_its_organisation(aid):
    page = aid.page("js-liaison").get("/supplies/warehouses/js-emergency-reserve/").content.decode()
    assert "w-movements" in page and "测试入库" in page and "?format=csv" in page


def test_another_regions_office_sees_the_balances_but_not_the_ledger(aid):
    client = aid.page("sh-liaison")
    page = client.get("/supplies/warehouses/js-emergency-reserve/").content.decode()
    assert "w-balances" in page and "测试入库" not in page and "?format=csv" not in page
    assert client.get("/supplies/warehouses/js-emergency-reserve/?format=csv").status_code == 403


def test_the_ledger_exports_exactly_the_warehouses_movements(aid):
    aid.create()
    case = aid.create(lines=[{"item": aid.stock.item("suit-protective"), "quantity": 100}])
    aid.fire(case, "pledge", "zj-liaison", {"lines": [{"line": 1, "quantity": 100, "warehouse": "zj-medical-reserve"}]})
    movements = StockMovement.objects.filter(warehouse__code="zj-medical-reserve").order_by("id")
    rows = _csv(aid.page("zj-liaison").get("/supplies/warehouses/zj-medical-reserve/?format=csv"))
    assert [int(row[0]) for row in rows[1:]] == list(movements.values_list("pk", flat=True))
    assert rows[-1][5] == "0" and rows[-1][6] == "100"  # the reservation: on hand unchanged, 100 reserved
    office = _xlsx(aid.page("yrd-office").get("/supplies/warehouses/zj-medical-reserve/?format=xlsx"))
    assert [row[0] for row in office[1:]] == list(movements.values_list("pk", flat=True))


def test_a_negative_adjustment_exports_as_a_number(aid):
    from supplies.services import stock_adjust

    stock_adjust(
        aid.stock.warehouse("js-emergency-reserve"),
        aid.stock.item("mask-n95"),
        -40,
        by=aid.user("js-liaison"),
        reason="盘亏",
    )
    rows = _csv(aid.page("js-liaison").get("/supplies/warehouses/js-emergency-reserve/?format=csv"))
    assert rows[-1][5] == "-40"
