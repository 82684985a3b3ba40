"""Administrators keep the catalogue, warehouses and capacity list; balances and movements are
shown in the admin but never added, changed or deleted there."""

import pytest
from django.contrib.auth import get_user_model

from supplies.models import StockBalance, StockMovement, SupplyItem
from supplies.services import stock_receive


@pytest.fixture
def admin_client(client, stock, js_store):
    stock_receive(js_store.warehouse, stock.item("mask-n95"), 100, by=js_store.officer)
    admin = get_user_model().objects.create_superuser("supplies-admin", password="x")
    client.force_login(admin)
    return client


def test_an_administrator_adds_an_item_to_the_catalogue(admin_client):
    response = admin_client.post(
        "/admin/supplies/supplyitem/add/",
        {
            "code": "oxygen-concentrator",
            "name_zh": "医用分子筛制氧机",
            "name_en": "Medical oxygen concentrator",
            "category": "treatment",
            "specification": "5 L/min",
            "standard": "YY/T 0298-1998",
            "unit": "device",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SupplyItem.objects.get(code="oxygen-concentrator").countable


@pytest.mark.parametrize("model", ["supplyitem", "warehouse", "productioncapacity", "stockbalance", "stockmovement"])
def test_every_supplies_list_opens(admin_client, model):
    assert admin_client.get(f"/admin/supplies/{model}/").status_code == 200


@pytest.mark.parametrize("model", [StockBalance, StockMovement])
def test_balances_and_movements_are_read_only(admin_client, model):
    name = model._meta.model_name
    row = model.objects.get()
    assert admin_client.get(f"/admin/supplies/{name}/add/").status_code == 403
    assert admin_client.get(f"/admin/supplies/{name}/{row.pk}/change/").status_code == 200  # a view, no form
    assert admin_client.post(f"/admin/supplies/{name}/{row.pk}/delete/").status_code == 403
