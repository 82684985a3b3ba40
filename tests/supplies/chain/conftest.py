"""Fixtures of the F2 supply-chain tests: the demo organisations with Suzhou's and Ningbo's own
liaison offices, a valid request body, and helpers to file and move a request."""

from datetime import timedelta

import pytest
from django.utils import timezone

URL = "/api/v1/supply-chain-requests/"


@pytest.fixture
def demo(demo):
    """The demo organisations and users, and the city-level liaison offices F2's demo adds."""
    from coordination.demo import seed_city_liaison_offices

    seed_city_liaison_offices()
    return demo


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def request_body(**extra) -> dict:
    """A Shanghai car-parts maker's need for wiring harnesses from Suzhou."""
    return {
        "requester_name": "上海嘉定某汽车零部件有限公司",
        "requester_credit_code": "91310114MA1GT3QX02",
        "hs_code": "854430",
        "product_description": "汽车线束总成",
        "quantity": "20000",
        "unit": "套",
        "needed_by": in_days(5),
        "blocked_production": "车身控制模块总装线停产",
        "employees_affected": 860,
        "supplier_name": "苏州某线束有限公司",
        "supplier_city": "320500",
        "contact_person": "王经理",
        "contact_phone": "021-59990000",
        **extra,
    }


def reply_body(**extra) -> dict:
    return {
        "suppliers": [
            {"name": "苏州某线束有限公司", "city": "320500", "quantity": "15000", "resumption_date": in_days(2)}
        ],
        "result": "企业已复工，首批两日内到货。",
        **extra,
    }


@pytest.fixture
def file_request(api_as, demo):
    """`file_request(by="sh-liaison", **fields)`: a request filed through the API; its JSON."""

    def file(by="sh-liaison", **fields):
        response = api_as(demo.user(by)).post(URL, request_body(**fields), format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    return file


@pytest.fixture
def fire(api_as, demo):
    """`fire(username, case_id, transition, payload={}, **body)`: the API's answer."""

    def send(username, case_id, name, payload=None, **body):
        return api_as(demo.user(username)).post(
            f"{URL}{case_id}/transitions/{name}/", {"payload": payload or {}, **body}, format="json"
        )

    return send
