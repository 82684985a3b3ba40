"""Where a request goes: the supplier's city's own liaison office when it has one (the province's
office observing), else the province's liaison office; the register filters by the city."""

import pytest

from coordination.models import Organisation, Region
from supplies.chain.routing import provincial_liaison_office, routing_for
from tests.factories import OrganisationFactory
from tests.supplies.chain.conftest import URL


def parties(body) -> list[tuple[str, str]]:
    return [(p["organisation"]["code"], p["role"]) for p in body["participants"]]


def test_a_request_to_suzhou_goes_to_suzhous_office_with_jiangsus_observing(file_request):
    body = file_request(supplier_city="320500")
    assert parties(body) == [("sh-liaison", "originator"), ("suzhou-liaison", "responder"), ("js-liaison", "observer")]


def test_a_request_to_ningbo_goes_to_ningbos_office_with_zhejiangs_observing(file_request):
    body = file_request(by="ah-liaison", supplier_city="330200")
    assert parties(body) == [("ah-liaison", "originator"), ("ningbo-liaison", "responder"), ("zj-liaison", "observer")]


@pytest.mark.parametrize(
    ("by", "city", "office"),
    [
        ("sh-liaison", "321000", "js-liaison"),  # Yangzhou has no office of its own
        ("sh-liaison", "320100", "js-liaison"),  # Nanjing: where Jiangsu's own office sits
        ("zj-liaison", "340700", "ah-liaison"),  # Tongling
        ("js-liaison", "310000", "sh-liaison"),  # Shanghai, a municipality
    ],
)
def test_a_request_to_a_city_without_its_own_office_goes_to_the_provincial_office(file_request, by, city, office):
    body = file_request(by=by, supplier_city=city)
    assert parties(body) == [(by, "originator"), (office, "responder")]


def test_the_city_office_answers_and_the_provincial_office_only_watches(file_request, fire):
    case = file_request(supplier_city="320500")
    assert fire("js-liaison", case["id"], "accept").status_code == 403
    assert fire("suzhou-liaison", case["id"], "accept").json()["state"] == "accepted"


def test_a_city_office_added_later_takes_its_citys_requests(file_request, demo):
    OrganisationFactory(
        code="wuxi-liaison", kind=Organisation.Kind.CITY_LIAISON_OFFICE, region_id="320000", city_id="320200"
    )
    body = file_request(supplier_city="320200")
    assert parties(body) == [("sh-liaison", "originator"), ("wuxi-liaison", "responder"), ("js-liaison", "observer")]


def test_the_provincial_office_is_the_regions_liaison_office_and_a_city_office_its_citys(demo):
    jiangsu = Region.objects.get(code="320000")
    assert provincial_liaison_office(jiangsu).code == "js-liaison"
    routing = routing_for(Region.objects.get(code="320500"))
    assert (routing.responder.code, routing.observer.code) == ("suzhou-liaison", "js-liaison")


def test_a_region_without_a_liaison_office_is_refused_naming_the_city(api_as, demo):
    Organisation.objects.filter(kind=Organisation.Kind.LIAISON_OFFICE, region_id="340000").update(
        kind=Organisation.Kind.HEALTH_COMMISSION
    )
    from tests.supplies.chain.conftest import request_body

    response = api_as(demo.user("sh-liaison")).post(URL, request_body(supplier_city="340100"), format="json")
    assert response.status_code == 400
    assert "supplier_city" in response.json()["error"]["details"]


def test_the_list_filters_by_the_suppliers_city_and_region(api_as, demo, file_request):
    suzhou = file_request(supplier_city="320500")
    yangzhou = file_request(supplier_city="321000")
    ningbo = file_request(supplier_city="330200")
    sh = api_as(demo.user("sh-liaison"))
    ids = lambda query: {row["id"] for row in sh.get(f"{URL}?{query}").json()["results"]}  # noqa: E731
    assert ids("supplier_city=320500") == {suzhou["id"]}
    assert ids("supplier_region=320000") == {suzhou["id"], yangzhou["id"]}
    assert ids("") == {suzhou["id"], yangzhou["id"], ningbo["id"]}


def test_the_register_shows_the_suppliers_city_and_the_responsible_office(client, demo, file_request):
    file_request(supplier_city="320500")
    client.force_login(demo.user("sh-liaison"))
    page = client.get("/registers/supply-chain-requests/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "苏州市" in html and "苏州市长三角联防联控联络办公室" in html
