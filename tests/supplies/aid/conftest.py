"""Fixtures of the mutual-aid tests: stock in three regions' warehouses and an API client per
persona. Jiangsu asks; Zhejiang and Anhui (and Shanghai) pledge."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from coordination.models import Membership
from supplies.models import SupplyRequest
from supplies.services import stock_receive

STOCK = {
    "zj-medical-reserve": {"mask-n95": 50000, "suit-protective": 8000},
    "ah-emergency-reserve": {"mask-n95": 30000, "suit-protective": 2000},
    "sh-medical-reserve": {"mask-n95": 10000},
}


@pytest.fixture
def aid(stock, api_as, demo):
    for code, items in STOCK.items():
        warehouse = stock.warehouse(code)
        officer = demo.user(f"{code[:2]}-liaison")
        for item, quantity in items.items():
            stock_receive(warehouse, stock.item(item), quantity, by=officer, reason="测试入库")

    def client(name):
        return api_as(demo.user(name))

    def create(by="js-liaison", lines=None, **fields):
        body = {
            "urgency": "critical",
            "needed_by": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "delivery_address": "江苏省南京市江宁区应急物资储备库",
            "contact_name": "王联络",
            "contact_phone": "13912345678",
            "lines": lines or [{"item": "mask-n95", "quantity": 60000}, {"item": "suit-protective", "quantity": 5000}],
            **fields,
        }
        response = client(by).post("/api/v1/supply-requests/", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    def fire(by, case_id, name, body, status=200):
        response = client(by).post(
            f"/api/v1/supply-requests/{case_id}/transitions/{name}/", {"payload": body}, format="json"
        )
        assert response.status_code == status, response.json()
        return response.json()

    def get(by, case_id, status=200):
        response = client(by).get(f"/api/v1/supply-requests/{case_id}/")
        assert response.status_code == status
        return response.json() if status == 200 else None

    return SimpleNamespace(
        client=client,
        create=create,
        fire=fire,
        get=get,
        stock=stock,
        model=SupplyRequest,
        Role=Membership.Role,
        free=lambda code, item: _free(stock, code, item),
    )


def _free(stock, code, item):
    from supplies.models import StockBalance

    balance = StockBalance.objects.filter(warehouse=stock.warehouse(code), item=stock.item(item)).first()
    return int(balance.free) if balance else 0
