"""Fixtures of the supplies pages' tests: the demo catalogue and warehouses with stock in
three regions, capacity in Zhejiang, and a Jiangsu request made through the service; a page
client per persona. Jiangsu asks; Zhejiang and Anhui pledge."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from coordination.workflow.engine import transition_fire
from supplies.models import ProductionCapacity, SupplyRequest
from supplies.services import stock_receive
from supplies.services.aid import supply_request_create

STOCK = {
    "zj-medical-reserve": {"mask-n95": 50000, "suit-protective": 8000},
    "ah-emergency-reserve": {"mask-n95": 30000, "suit-protective": 2000},
    "js-emergency-reserve": {"mask-n95": 1000},
}


@pytest.fixture
def aid(stock, demo):
    for code, items in STOCK.items():
        officer = demo.user(f"{code[:2]}-liaison")
        for item, quantity in items.items():
            stock_receive(stock.warehouse(code), stock.item(item), quantity, by=officer, reason="测试入库")
    capacity = ProductionCapacity.objects.create(
        region_id="330000",
        item=stock.item("mask-n95"),
        enterprise="浙江某防护用品有限公司",
        daily_capacity=20000,
        valid_from=date(2020, 1, 1),
    )

    def page(name):
        client = Client()
        client.force_login(demo.user(name))
        return client

    def create(by="js-liaison", lines=None):
        return supply_request_create(
            by=demo.user(by),
            lines=lines
            or [
                {"item": stock.item("mask-n95"), "quantity": 60000},
                {"item": stock.item("suit-protective"), "quantity": 5000},
            ],
            urgency="critical",
            needed_by=timezone.localdate() + timedelta(days=3),
            delivery_address="江苏省南京市江宁区应急物资储备库",
            receiving_warehouse=stock.warehouse("js-emergency-reserve"),
            contact_name="王联络",
            contact_phone="13912345678",
        )

    def fire(case, name, by, payload):
        return transition_fire(SupplyRequest, case.pk, name, by=demo.user(by), data=payload)

    return SimpleNamespace(
        page=page, create=create, fire=fire, stock=stock, demo=demo, capacity=capacity, user=demo.user
    )


def case_url(case) -> str:
    return f"/cases/supply-requests/{case.pk}/"


def transition_url(case, name: str) -> str:
    return f"/cases/supply-requests/{case.pk}/transitions/{name}/"
