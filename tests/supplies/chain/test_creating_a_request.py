"""Filing an F2 request: who may, what it records, and a 400 naming the field for every bad input."""

import pytest
from django.utils import timezone

from supplies.chain.models import SupplyChainRequest
from supplies.chain.validation import uscc_check_character, uscc_clean
from tests.supplies.chain.conftest import URL, in_days, request_body


def test_a_liaison_officer_files_a_request_with_a_reference_number(api_as, demo):
    response = api_as(demo.user("sh-liaison")).post(URL, request_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == f"SH-SCM-{timezone.localdate().year}-000001"
    assert body["mechanism"] == "F2" and body["state"] == "submitted"
    assert body["requester_credit_code"] == "91310114MA1GT3QX02"
    assert body["quantity"] == "20000.000" and body["unit"] == "套"
    assert (body["supplier_city"], body["supplier_region"], body["requester_region"]) == ("320500", "320000", "310000")
    assert all(part in body["title"] for part in ("上海嘉定某汽车零部件有限公司", "汽车线束总成", "苏州市"))
    assert body["allowed_transitions"] == ["withdraw"]
    # The catalogue's 72 hours to accept.
    due = timezone.datetime.fromisoformat(body["due_at"])
    assert timezone.timedelta(hours=71, minutes=59) < due - timezone.now() <= timezone.timedelta(hours=72)


def test_a_title_given_is_kept_and_codes_are_normalised(api_as, demo):
    response = api_as(demo.user("sh-liaison")).post(
        URL,
        request_body(
            title="急需线束",
            requester_credit_code=" 91310114ma1gt3qx02 ",
            hs_code="8544.30",
            contact_phone="139 0575 0000",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "急需线束"
    assert (body["requester_credit_code"], body["hs_code"], body["contact_phone"]) == (
        "91310114MA1GT3QX02",
        "854430",
        "13905750000",
    )


def test_a_description_alone_or_an_hs_code_alone_is_enough(api_as, demo):
    sh = api_as(demo.user("sh-liaison"))
    assert sh.post(URL, request_body(hs_code=""), format="json").status_code == 201
    assert sh.post(URL, request_body(product_description=""), format="json").status_code == 201


@pytest.mark.parametrize(
    "username", ["wuxi-hospital", "sh-insurance", "sh-leader", "js-transport", "yrd-office", "sh-head"]
)
def test_only_liaison_officers_may_file(api_as, demo, username):
    response = api_as(demo.user(username)).post(URL, request_body(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert SupplyChainRequest.objects.count() == 0


def test_a_signed_out_caller_gets_401(api):
    assert api.post(URL, request_body(), format="json").status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"requester_name": ""}, "requester_name"),
        ({"requester_name": "某" * 201}, "requester_name"),
        ({"requester_name": "上海\x00某企业"}, "requester_name"),
        ({"requester_credit_code": ""}, "requester_credit_code"),
        ({"requester_credit_code": "91310114MA1GT3QX0"}, "requester_credit_code"),  # 17 characters
        ({"requester_credit_code": "91310114MA1GT3QX03"}, "requester_credit_code"),  # wrong check character
        ({"requester_credit_code": "91310114MA1GT3QXO2"}, "requester_credit_code"),  # O is not in the alphabet
        ({"requester_credit_code": "913A0114MA1GT3QX02"}, "requester_credit_code"),  # division code not digits
        ({"requester_credit_code": 913101140}, "requester_credit_code"),
        ({"hs_code": "8544"}, "hs_code"),
        ({"hs_code": "85443012345"}, "hs_code"),
        ({"hs_code": "8544AB"}, "hs_code"),
        ({"hs_code": "", "product_description": ""}, "hs_code"),
        ({"hs_code": "", "product_description": "   "}, "product_description"),
        ({"product_description": "x" * 2001}, "product_description"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"quantity": "2000000000"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": "许多"}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"unit": ""}, "unit"),
        ({"unit": "x" * 17}, "unit"),
        ({"needed_by": in_days(-1)}, "needed_by"),
        ({"needed_by": "next week"}, "needed_by"),
        ({"blocked_production": ""}, "blocked_production"),
        ({"blocked_production": "停" * 2001}, "blocked_production"),
        ({"employees_affected": 0}, "employees_affected"),
        ({"employees_affected": -3}, "employees_affected"),
        ({"employees_affected": 10**7}, "employees_affected"),
        ({"employees_affected": "many"}, "employees_affected"),
        ({"supplier_name": "某" * 201}, "supplier_name"),
        ({"supplier_city": "310000"}, "supplier_city"),  # Shanghai is the requester's own region
        ({"supplier_city": "320000"}, "supplier_city"),  # a province, not a city
        ({"supplier_city": "110000"}, "supplier_city"),  # Beijing is not in the Delta
        ({"supplier_city": ""}, "supplier_city"),
        ({"supplier_city": None}, "supplier_city"),
        ({"contact_person": ""}, "contact_person"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": "1" * 21}, "contact_phone"),
        ({"title": "标" * 201}, "title"),
        ({"unexpected": "x"}, "unexpected"),
        ({"state": "closed"}, "state"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(api_as, demo, changes, field):
    response = api_as(demo.user("sh-liaison")).post(URL, request_body(**changes), format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"], error
    assert SupplyChainRequest.objects.count() == 0


@pytest.mark.parametrize(
    "missing",
    [
        "requester_name",
        "requester_credit_code",
        "quantity",
        "unit",
        "needed_by",
        "blocked_production",
        "employees_affected",
        "supplier_city",
        "contact_person",
        "contact_phone",
    ],
)
def test_a_required_field_left_out_is_named(api_as, demo, missing):
    body = request_body()
    del body[missing]
    response = api_as(demo.user("sh-liaison")).post(URL, body, format="json")
    assert response.status_code == 400
    assert missing in response.json()["error"]["details"]


def test_a_body_that_is_not_an_object_gets_a_400(api_as, demo):
    response = api_as(demo.user("sh-liaison")).post(URL, [request_body()], format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_request_to_a_city_of_ones_own_region_is_refused_for_a_city_office_too(api_as, demo):
    suzhou = api_as(demo.user("suzhou-liaison"))
    response = suzhou.post(URL, request_body(supplier_city="320200"), format="json")  # Wuxi, Jiangsu
    assert response.status_code == 400
    assert "supplier_city" in response.json()["error"]["details"]
    assert suzhou.post(URL, request_body(supplier_city="310000"), format="json").status_code == 201


def test_the_create_service_refuses_the_own_region_too(demo):
    from coordination.errors import Invalid
    from coordination.models import Region
    from supplies.chain.services import supply_chain_request_create

    fields = request_body(supplier_city=Region.objects.get(code="310000"), needed_by=timezone.localdate())
    with pytest.raises(Invalid) as raised:
        supply_chain_request_create(by=demo.user("sh-liaison"), **fields)
    assert "supplier_city" in raised.value.details


def test_the_idempotency_key_files_once(api_as, demo):
    sh = api_as(demo.user("sh-liaison"))
    first = sh.post(URL, request_body(), format="json", HTTP_IDEMPOTENCY_KEY="f2-once")
    again = sh.post(URL, request_body(), format="json", HTTP_IDEMPOTENCY_KEY="f2-once")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert SupplyChainRequest.objects.count() == 1


@pytest.mark.parametrize(
    "code", ["91330100799655058B", "9144030071526726XG", "91110000802100433B", "91310000MA1FL1MMXL"]
)
def test_real_credit_codes_pass_their_gb_32100_check(code):
    assert uscc_clean(code.lower()) == code
    assert uscc_check_character(code[:17]) == code[17]
