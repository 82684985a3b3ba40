"""Who opens which supplies page: liaison officers all of them; leaders and the Office the
board, flows and stock but not the new request form; a hospital and an outsider none."""

import pytest

from tests.supplies.pages.conftest import case_url

BOARD_PAGES = ["/supplies/shortage/", "/supplies/flows/", "/supplies/stock/"]


@pytest.mark.parametrize(
    "url",
    [*BOARD_PAGES, "/supplies/warehouses/js-emergency-reserve/", "/supplies/requests/new/"],
)
def test_each_page_renders_for_a_liaison_officer(aid, url):
    response = aid.page("js-liaison").get(url)
    assert response.status_code == 200
    assert "/static/supplies/supplies.css" in response.content.decode()


def test_the_request_page_renders_its_panel_for_the_requester(aid):
    case = aid.create()
    page = aid.page("js-liaison").get(case_url(case)).content.decode()
    assert "sp-lines" in page and "60000" in page


@pytest.mark.parametrize("url", BOARD_PAGES)
@pytest.mark.parametrize("persona", ["sh-leader", "yrd-office"])
def test_leaders_and_the_office_see_the_board_flows_and_stock(aid, url, persona):
    assert aid.page(persona).get(url).status_code == 200


@pytest.mark.parametrize("url", [*BOARD_PAGES, "/supplies/requests/new/"])
@pytest.mark.parametrize("persona", ["wuxi-hospital", "outsider"])
def test_a_hospital_and_an_outsider_are_refused_with_403(aid, url, persona):
    assert aid.page(persona).get(url).status_code == 403


def test_the_new_request_form_is_for_liaison_officers_only(aid):
    assert aid.page("yrd-office").get("/supplies/requests/new/").status_code == 403
    assert aid.page("sh-leader").get("/supplies/requests/new/").status_code == 403


def test_a_warehouse_the_user_does_not_see_answers_404(aid):
    assert aid.page("wuxi-hospital").get("/supplies/warehouses/js-emergency-reserve/").status_code == 404
    assert aid.page("js-liaison").get("/supplies/warehouses/no-such-store/").status_code == 404


def test_anybody_not_signed_in_is_sent_to_the_login_page(client, aid):
    for url in [*BOARD_PAGES, "/supplies/warehouses/js-emergency-reserve/", "/supplies/requests/new/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_a_request_is_404_to_a_region_not_on_it(aid):
    case = aid.create()
    assert aid.page("sh-liaison").get(case_url(case)).status_code == 404


def test_the_navigation_links_the_board_flows_and_stock_for_those_who_see_them(aid):
    page = aid.page("js-liaison").get("/").content.decode()
    assert 'href="/supplies/shortage/"' in page and 'href="/supplies/flows/"' in page
    assert 'href="/supplies/stock/"' in page
    assert 'href="/supplies/shortage/"' not in aid.page("wuxi-hospital").get("/").content.decode()


def test_the_register_offers_the_new_request_form(aid):
    page = aid.page("js-liaison").get("/registers/supply-requests/").content.decode()
    assert 'href="/supplies/requests/new/"' in page
