"""Fixtures of the supplies tests, and the ledger and shortage invariants checked after every one of them.

Personas: `js-liaison` runs Jiangsu's warehouses (the owner), a `colleague` in the same office,
`sh-liaison` of another region, the Office's `yrd-office`, `sh-leader` of a leading group,
`wuxi-hospital` (an organisation that runs no warehouse) and an `outsider` in no organisation.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from coordination.models import Membership
from supplies.demo import seed_catalogue, seed_warehouses
from supplies.services import ledger_check
from supplies.shortage import shortage_check

PERSONAS = ["js-liaison", "colleague", "sh-liaison", "yrd-office", "sh-leader", "wuxi-hospital", "outsider"]


@pytest.fixture(autouse=True)
def ledger_balances_after_each_test(db):
    """Whatever a test did, every balance still equals the sum of its movements, and the
    shortage list's kept totals still equal what the open lines add up to."""
    yield
    assert ledger_check() == []
    assert shortage_check() == []


@pytest.fixture
def people(demo):
    User = get_user_model()
    colleague = User.objects.create_user("colleague", password="x")
    Membership.objects.create(user=colleague, organisation=demo.org("js-liaison"), role=Membership.Role.LIAISON_OFFICER)
    User.objects.create_user("outsider", password="x")
    return {name: demo.user(name) for name in PERSONAS}


@pytest.fixture
def stock(demo, people):
    """The demo catalogue and warehouses (no stock yet); `stock.item("mask-n95")`,
    `stock.warehouse("js-emergency-reserve")`, `stock.user("js-liaison")`."""
    items, warehouses = seed_catalogue(), seed_warehouses()
    return SimpleNamespace(
        item=items.__getitem__, warehouse=warehouses.__getitem__, user=people.__getitem__, people=people
    )


@pytest.fixture
def js_store(stock):
    """Jiangsu's emergency reserve and its officer, the usual place stock goes in and out."""
    return SimpleNamespace(warehouse=stock.warehouse("js-emergency-reserve"), officer=stock.user("js-liaison"))
