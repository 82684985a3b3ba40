"""The new supply-chain request page: for liaison officers only, the API's create validation,
errors by their fields (in Chinese), nothing typed lost."""

import pytest
from django.test import Client

from supplies.chain.models import SupplyChainRequest
from tests.supplies.chain.conftest import in_days, request_body

URL = "/supplies/supply-chain-requests/new/"


@pytest.fixture
def page(demo):
    def client_of(username):
        client = Client()
        client.force_login(demo.user(username))
        return client

    return client_of


def form_body(**fields) -> dict:
    return {name: str(value) for name, value in request_body(**fields).items()}


@pytest.mark.parametrize("username", ["sh-liaison", "suzhou-liaison"])
def test_liaison_officers_of_provincial_and_city_offices_get_the_form(page, username):
    response = page(username).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("requester_name", "requester_credit_code", "hs_code", "product_description", "quantity", "unit"):
        assert f'name="{name}"' in html
    for name in ("needed_by", "blocked_production", "employees_affected", "supplier_name", "contact_person"):
        assert f'name="{name}"' in html
    assert 'name="contact_phone"' in html and 'name="title"' in html and 'name="supplier_city"' in html


def test_the_city_select_offers_the_other_regions_cities_by_province(page):
    html = page("sh-liaison").get(URL).content.decode()
    assert '<optgroup label="江苏省">' in html and '<option value="320500">苏州市</option>' in html
    assert '<optgroup label="安徽省">' in html and 'value="330200"' in html
    assert 'value="310000"' not in html
    html = page("suzhou-liaison").get(URL).content.decode()
    assert 'value="310000"' in html and 'value="320500"' not in html and 'value="320100"' not in html


@pytest.mark.parametrize("username", ["wuxi-hospital", "yrd-office"])
def test_others_get_403(page, username):
    assert page(username).get(URL).status_code == 403
    assert page(username).post(URL, form_body()).status_code == 403
    assert not SupplyChainRequest.objects.exists()


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_valid_request_is_filed_and_the_case_page_follows(page):
    response = page("sh-liaison").post(URL, form_body(hs_code="8544.30"))
    case = SupplyChainRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/supply-chain-requests/{case.pk}/"
    assert case.supplier_city_id == "320500" and case.requester_region_id == "310000"
    assert (case.requester_credit_code, case.hs_code, case.employees_affected) == ("91310114MA1GT3QX02", "854430", 860)
    assert case.state == "submitted" and "苏州市" in case.title


def test_a_title_given_is_kept(page):
    page("sh-liaison").post(URL, form_body(title="急需线束"))
    assert SupplyChainRequest.objects.get().title == "急需线束"


def test_errors_are_shown_by_their_fields_in_chinese_and_nothing_typed_is_lost(page):
    response = page("sh-liaison").post(
        URL, form_body(requester_credit_code="91310114MA1GT3QX03", supplier_city="310000", needed_by=in_days(-1))
    )
    html = response.content.decode()
    assert response.status_code == 200 and not SupplyChainRequest.objects.exists()
    assert 'role="alert"' in html and "请修改下列标红的内容。" in html
    for name in ("requester_credit_code", "supplier_city", "needed_by"):
        assert f'aria-describedby="fc-{name}-error"' in html
    assert 'aria-describedby="fc-requester_name-error"' not in html
    assert "统一社会信用代码校验位错误。" in html and "供应企业所在城市须属于其他省市。" in html
    assert "需求日期不能早于今天。" in html
    # What was typed, the bad values too.
    assert 'value="91310114MA1GT3QX03"' in html and f'value="{in_days(-1)}"' in html
    assert 'value="上海嘉定某汽车零部件有限公司"' in html and 'value="20000"' in html and 'value="860"' in html
    assert ">汽车线束总成</textarea>" in html and ">车身控制模块总装线停产</textarea>" in html
    assert 'value="021-59990000"' in html and 'value="苏州某线束有限公司"' in html


def test_the_own_region_city_is_refused_by_its_field(page):
    # Not offered in the select, but posted anyway: the serializer says why, by the field.
    html = page("suzhou-liaison").post(URL, form_body(supplier_city="320100")).content.decode()
    assert not SupplyChainRequest.objects.exists()
    error = html[html.index('id="fc-supplier_city-error"') :]
    assert error.startswith('id="fc-supplier_city-error">供应企业所在城市须属于其他省市。')


def test_neither_hs_code_nor_description_names_both_fields(page):
    html = page("sh-liaison").post(URL, form_body(hs_code="", product_description="")).content.decode()
    assert not SupplyChainRequest.objects.exists()
    assert 'aria-describedby="fc-hs_code-error"' in html and 'aria-describedby="fc-product_description-error"' in html


def test_an_empty_form_names_every_required_field(page):
    html = page("sh-liaison").post(URL, {}).content.decode()
    assert not SupplyChainRequest.objects.exists()
    for name in ("requester_name", "requester_credit_code", "quantity", "unit", "needed_by", "blocked_production"):
        assert f'aria-describedby="fc-{name}-error"' in html
    for name in ("employees_affected", "supplier_city", "contact_person", "contact_phone"):
        assert f'aria-describedby="fc-{name}-error"' in html
