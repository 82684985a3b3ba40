"""The supplier side replies naming the suppliers; the requester confirms or reopens; regions not
involved do not see the request at all."""

import pytest

from supplies.chain.models import SupplyChainRequest
from tests.supplies.chain.conftest import URL, in_days, reply_body


@pytest.fixture
def accepted(file_request, fire):
    """A Shanghai request to Suzhou, accepted by Suzhou's office."""
    case = file_request(supplier_city="320500")
    assert fire("suzhou-liaison", case["id"], "accept").status_code == 200
    return case


def test_the_reply_stores_the_suppliers_and_the_note(accepted, fire):
    body = reply_body(
        suppliers=[
            {"name": "苏州某线束有限公司", "city": "320500", "quantity": "15000.50", "resumption_date": in_days(0)},
            {"name": "昆山某电子有限公司", "quantity": 5000, "resumption_date": in_days(3)},
        ]
    )
    response = fire("suzhou-liaison", accepted["id"], "reply", body)
    assert response.status_code == 200, response.json()
    replied = response.json()
    assert replied["state"] == "replied" and replied["replied_at"]
    assert replied["suppliers"] == [
        {"name": "苏州某线束有限公司", "city": "320500", "quantity": "15000.5", "resumption_date": in_days(0)},
        {"name": "昆山某电子有限公司", "city": "", "quantity": "5000", "resumption_date": in_days(3)},
    ]
    assert replied["result"] == "企业已复工，首批两日内到货。"
    assert replied["allowed_transitions"] == []  # the responder waits for the requester now
    case = SupplyChainRequest.objects.get(pk=accepted["id"])
    assert "苏州某线束有限公司" in str(case.suppliers[0]) and "苏州" in str(case.suppliers[0])


def test_the_note_may_be_left_out(accepted, fire):
    response = fire("suzhou-liaison", accepted["id"], "reply", {"suppliers": reply_body()["suppliers"]})
    assert response.status_code == 200
    assert response.json()["result"] == ""


def test_a_request_may_be_answered_without_accepting_first(file_request, fire):
    case = file_request(supplier_city="320500")
    assert fire("suzhou-liaison", case["id"], "reply", reply_body()).json()["state"] == "replied"


@pytest.mark.parametrize(
    ("suppliers", "where"),
    [
        ([], "suppliers"),
        (None, "suppliers"),
        ({"name": "x"}, "suppliers"),
        ("not | enough", "suppliers"),
        ([{"city": "320500", "quantity": "1", "resumption_date": in_days(1)}], "name"),
        ([{"name": "", "quantity": "1", "resumption_date": in_days(1)}], "name"),
        ([{"name": "某" * 201, "quantity": "1", "resumption_date": in_days(1)}], "name"),
        ([{"name": "某企业", "quantity": "0", "resumption_date": in_days(1)}], "quantity"),
        ([{"name": "某企业", "quantity": "-1", "resumption_date": in_days(1)}], "quantity"),
        ([{"name": "某企业", "resumption_date": in_days(1)}], "quantity"),
        ([{"name": "某企业", "quantity": "1", "resumption_date": in_days(-1)}], "resumption_date"),
        ([{"name": "某企业", "quantity": "1", "resumption_date": "soon"}], "resumption_date"),
        ([{"name": "某企业", "quantity": "1"}], "resumption_date"),
        ([{"name": "某企业", "city": "999999", "quantity": "1", "resumption_date": in_days(1)}], "city"),
        ([{"name": "某企业", "quantity": "1", "resumption_date": in_days(1), "price": 3}], "price"),
        (["某企业"], "non_field_errors"),
    ],
)
def test_a_bad_reply_gets_a_400_naming_the_supplier_and_field(accepted, fire, suppliers, where):
    response = fire("suzhou-liaison", accepted["id"], "reply", {"suppliers": suppliers, "result": "已协调"})
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    details = error["details"]["suppliers"]
    if where != "suppliers":
        assert where in details["0"], details
    assert SupplyChainRequest.objects.get(pk=accepted["id"]).state == "accepted"


def test_a_reply_with_an_unknown_key_or_a_nul_byte_gets_a_400(accepted, fire):
    assert "price" in fire("suzhou-liaison", accepted["id"], "reply", reply_body(price=1)).json()["error"]["details"]
    response = fire("suzhou-liaison", accepted["id"], "reply", reply_body(result="已\x00协调"))
    assert response.status_code == 400 and "result" in response.json()["error"]["details"]


def test_too_many_suppliers_are_refused(accepted, fire):
    suppliers = [{"name": f"企业{n}", "quantity": "1", "resumption_date": in_days(1)} for n in range(51)]
    response = fire("suzhou-liaison", accepted["id"], "reply", {"suppliers": suppliers})
    assert response.status_code == 400 and "suppliers" in response.json()["error"]["details"]


def test_the_case_pages_form_takes_one_supplier_a_line(client, demo, accepted):
    client.force_login(demo.user("suzhou-liaison"))
    page = client.get(f"/cases/supply-chain-requests/{accepted['id']}/").content.decode()
    assert 'name="suppliers"' in page and "<textarea" in page
    text = f"苏州某线束有限公司 | 苏州 | 15000 | {in_days(1)}\n昆山某电子有限公司，，5000，{in_days(2)}"
    response = client.post(
        f"/cases/supply-chain-requests/{accepted['id']}/transitions/reply/",
        {"suppliers": text, "result": "已协调", "version": 2},
    )
    assert response.status_code == 302
    case = SupplyChainRequest.objects.get(pk=accepted["id"])
    assert case.state == "replied"
    assert [(s["name"], s["city"], s["quantity"]) for s in case.suppliers] == [
        ("苏州某线束有限公司", "320500", "15000"),
        ("昆山某电子有限公司", "", "5000"),
    ]
    page = client.get(f"/cases/supply-chain-requests/{accepted['id']}/").content.decode()
    assert "苏州某线束有限公司" in page and "{" not in page.split("苏州某线束有限公司")[1][:40]


def test_the_requester_confirms_the_reply(accepted, fire):
    fire("suzhou-liaison", accepted["id"], "reply", reply_body())
    assert fire("suzhou-liaison", accepted["id"], "close").status_code == 403
    closed = fire("sh-liaison", accepted["id"], "close", comment="已到货，感谢协助").json()
    assert closed["state"] == "closed" and closed["closed_at"]
    assert [a["transition"] for a in closed["audit"]] == ["create", "accept", "reply", "close"]


def test_the_requester_reopens_an_insufficient_reply_with_a_reason(accepted, fire):
    fire("suzhou-liaison", accepted["id"], "reply", reply_body())
    refused = fire("sh-liaison", accepted["id"], "reopen")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["details"]
    reopened = fire("sh-liaison", accepted["id"], "reopen", {"reason": "数量不足，仍缺5000套"}).json()
    assert reopened["state"] == "accepted" and reopened["return_reason"] == "数量不足，仍缺5000套"
    again = fire("suzhou-liaison", accepted["id"], "reply", reply_body(result="另协调一家企业补足。")).json()
    assert again["state"] == "replied" and again["result"] == "另协调一家企业补足。"


def test_a_returned_request_is_corrected_and_resubmitted(file_request, fire):
    case = file_request(supplier_city="320500")
    fire("suzhou-liaison", case["id"], "return_for_correction", {"reason": "请补充线束规格型号"})
    moved = fire("sh-liaison", case["id"], "resubmit", {"supplier_city": "320200"})
    assert moved.status_code == 400 and "supplier_city" in moved.json()["error"]["details"]
    bad = fire("sh-liaison", case["id"], "resubmit", {"hs_code": "", "product_description": ""})
    assert bad.status_code == 400 and "hs_code" in bad.json()["error"]["details"]
    resubmitted = fire(
        "sh-liaison", case["id"], "resubmit", {"product_description": "线束总成 型号WH-2020A", "quantity": "18000"}
    ).json()
    assert resubmitted["state"] == "submitted"
    assert (resubmitted["product_description"], resubmitted["quantity"]) == ("线束总成 型号WH-2020A", "18000.000")


@pytest.mark.parametrize("username", ["zj-liaison", "ah-liaison", "ningbo-liaison", "wuxi-hospital", "sh-insurance"])
def test_a_region_not_involved_gets_404(api_as, demo, accepted, fire, username):
    client = api_as(demo.user(username))
    assert client.get(f"{URL}{accepted['id']}/").status_code == 404
    assert fire(username, accepted["id"], "reply", reply_body()).status_code == 404
    assert accepted["id"] not in {row["id"] for row in client.get(URL).json()["results"]}


def test_the_three_offices_and_the_office_see_it_and_the_observer_may_not_answer(api_as, demo, accepted, fire):
    for username in ("sh-liaison", "suzhou-liaison", "js-liaison", "yrd-office", "sh-leader"):
        assert api_as(demo.user(username)).get(f"{URL}{accepted['id']}/").status_code == 200, username
    assert fire("js-liaison", accepted["id"], "reply", reply_body()).status_code == 403
